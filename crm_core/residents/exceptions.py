from crm_core.exceptions import Conflict, NotFound


class ResidentNotFound(NotFound):
    code = "resident_not_found"
    title = "Usager introuvable"


class ResidentErased(Conflict):
    code = "resident_erased"
    title = "Dossier effacé"


class AccountAlreadyLinked(Conflict):
    code = "account_already_linked"
    title = "Compte déjà rattaché"


class ContactPointNotFound(NotFound):
    code = "contact_point_not_found"
    title = "Coordonnée introuvable"
