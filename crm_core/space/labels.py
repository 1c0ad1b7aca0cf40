"""The French words of the resident space: one catalogue, so a label changes without a
migration (enum values stay stable English codes)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHANNELS = {"web": "en ligne", "counter": "au guichet", "phone": "par téléphone",
            "email": "par courriel", "mail": "par courrier", "chat": "par messagerie"}
CASE_STATUSES = {"new": "reçue", "in_progress": "en cours de traitement",
                 "waiting_resident": "en attente de votre part", "resolved": "traitée",
                 "closed": "close"}
OUTCOMES = {"informed": "information donnée", "case_opened": "demande ouverte",
            "case_updated": "demande mise à jour", "documents_received": "pièces reçues",
            "resolved": "réglé", "redirected": "orienté vers un autre service",
            "callback_scheduled": "rappel programmé", "no_answer": "sans réponse",
            "submitted_online": "déposée en ligne", "other": "autre"}
DIRECTIONS = {"inbound": "de vous", "outbound": "de la mairie"}
ROLES = {"counter": "agent d'accueil", "phone": "agent d'accueil téléphonique",
         "supervisor": "responsable d'accueil", "admin": "administrateur"}
OPERATIONS = {
    "read_summary": "consultation du dossier", "lookup": "recherche du dossier",
    "read_case": "consultation d'une demande", "create_resident": "création du dossier",
    "update_resident": "modification du dossier",
    "add_contact_point": "ajout d'une coordonnée", "link_account": "rattachement du compte",
    "open_case": "ouverture d'une demande", "update_case": "suivi d'une demande",
    "record_interaction": "enregistrement d'un contact", "issue_badge": "émission d'un badge",
    "revoke_badge": "révocation d'un badge", "badge_scan": "lecture du badge",
    "merge_resident": "fusion de deux dossiers", "unmerge_resident": "annulation d'une fusion",
    "read_consents": "consultation de vos choix", "update_consent": "modification de vos choix",
    "export_data": "copie de vos données", "erase_resident": "effacement du dossier",
}
REASONS = {"identity": "identité", "timeline": "historique des contacts",
           "contact_point:update": "coordonnée modifiée",
           "contact_point:remove": "coordonnée supprimée",
           "phone": "téléphone", "email": "courriel", "postal": "adresse postale"}
CONTACT_KINDS = {"phone": "Téléphone", "email": "Courriel", "postal": "Adresse postale"}
REMINDER_CHANNELS = {"email": "par courriel", "sms": "par SMS"}
REQUEST_KINDS = {"rectification": "rectification", "erasure": "effacement"}
REQUEST_STATUSES = {"open": "en attente de traitement", "done": "traitée",
                    "refused": "refusée (motif indiqué)"}
SOURCES = {"resident": "par vous", "agent": "par un agent, à votre demande"}
BADGE_STATUSES = {"active": "valide", "expired": "expiré", "revoked": "révoqué"}


def reason_label(reason: str | None) -> str:
    """An access-log reason in words: codes from the catalogue, consent answers spelt out
    ("contact_email=oui"), anything else (an agent's free reason) as written."""
    if not reason:
        return "—"
    purpose, sep, answer = reason.partition("=")
    if sep:
        from crm_core.privacy.consents import PURPOSE_LABELS
        from crm_core.privacy.enums import ConsentPurpose

        if purpose in {p.value for p in ConsentPurpose}:
            return f"{PURPOSE_LABELS[ConsentPurpose(purpose)]} : {answer}"
    kind, sep, what = reason.partition(":")
    if sep and kind == "privacy_request":
        return {"erasure": "demande d'effacement (RGPD)",
                "rectification": "demande de rectification (RGPD)"}.get(what, reason)
    return REASONS.get(reason, reason)


def i_accept(purpose_label: str) -> str:
    """ "J'accepte de recevoir…", "J'accepte d'être…" (French elision)."""
    elided = purpose_label[:1].lower() in "aeéèêiîouhy"
    return "J'accepte d'" + purpose_label if elided else "J'accepte de " + purpose_label


def label(catalogue: dict[str, str], value: object) -> str:
    if value is None:
        return "—"
    key = str(getattr(value, "value", value))
    return catalogue.get(key, key)


def local_datetime(value: datetime | None, timezone: str) -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y à %H:%M")


def local_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"
