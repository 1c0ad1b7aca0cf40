"""What both apps' sign-in screens say when signing in failed."""

from __future__ import annotations

from crm_core.client import ServerUnreachable
from crm_core.client.errors import ClientError, NotRelais


def sign_in_failure(exc: ClientError) -> str:
    """Why signing in failed, in French. The client's « travail hors ligne » is true of a
    signed-in app, not here: without a session nobody works, offline or not (issue 19)."""
    if isinstance(exc, NotRelais):
        return (exc.message.removesuffix(" : travail hors ligne")
                + " : connexion impossible, vérifiez l'adresse du serveur.")
    if isinstance(exc, ServerUnreachable):
        return ("Serveur Relais injoignable : connexion impossible. Vérifiez le réseau,"
                " puis réessayez (Entrée).")
    return exc.message
