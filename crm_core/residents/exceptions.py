from crm_core.exceptions import Conflict, NotFound


class ResidentNotFound(NotFound):
    code = "resident_not_found"
    title = "Usager introuvable"


class AccountAlreadyLinked(Conflict):
    code = "account_already_linked"
    title = "Compte déjà rattaché"
