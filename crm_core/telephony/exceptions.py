from __future__ import annotations

from crm_core.exceptions import Conflict, InvalidInput, NotAuthenticated, NotFound


class SignatureRefused(NotAuthenticated):
    """A telephony event whose PBX, timestamp or signature does not check out."""

    code = "telephony_signature_refused"
    title = "Signature de l'événement refusée"


class CallNotFound(NotFound):
    code = "call_not_found"
    title = "Appel introuvable"


class CallbackNotFound(NotFound):
    code = "callback_not_found"
    title = "Rappel introuvable"


class CallAlreadyLogged(Conflict):
    code = "call_already_logged"
    title = "Appel déjà enregistré"


class CallsRefused(InvalidInput):
    """A call-back to a resident who may not be called (docs/consent.md)."""

    code = "calls_refused"
    title = "Appels refusés par l'usager"


class CallbackAlreadyDone(Conflict):
    code = "callback_already_done"
    title = "Rappel déjà consigné"


class CallbackResidentMismatch(Conflict):
    """A call-back naming a call of one resident and the file of another."""

    code = "callback_resident_mismatch"
    title = "Appel d'un autre usager"
