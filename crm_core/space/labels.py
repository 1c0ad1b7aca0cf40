"""The French words of the resident space: one catalogue, so a label changes without a
migration (enum values stay stable English codes)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm_core.agents.enums import ROLE_LABELS

CHANNELS = {"web": "en ligne", "counter": "au guichet", "phone": "par téléphone",
            "email": "par courriel", "mail": "par courrier", "chat": "par messagerie",
            "sms": "par SMS"}
CASE_STATUSES = {"new": "reçue", "in_progress": "en cours de traitement",
                 "waiting_resident": "en attente de votre part", "resolved": "traitée",
                 "closed": "close"}
OUTCOMES = {"informed": "information donnée", "case_opened": "demande ouverte",
            "case_updated": "demande mise à jour", "documents_received": "pièces reçues",
            "resolved": "réglé", "redirected": "orienté vers un autre service",
            "callback_scheduled": "rappel programmé", "no_answer": "sans réponse",
            "submitted_online": "déposée en ligne", "other": "autre"}
DIRECTIONS = {"inbound": "de vous", "outbound": "de la mairie"}
ROLES = {role.value: label for role, label in ROLE_LABELS.items()}
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
    "search": "recherche de dossiers", "read_badges": "consultation de vos badges",
    "read_reminders": "consultation de vos rappels",
    "read_call": "consultation d'un appel ou d'un rappel",
    "read_queue": "consultation de la file d'attente",
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
# A consent or an access recorded before its channel was kept (or by the system).
NO_CHANNEL = "canal non enregistré"
SOURCES = {"resident": "par vous", "agent": "par un agent, à votre demande"}
BADGE_STATUSES = {"active": "valide", "expired": "expiré", "revoked": "révoqué"}


FIELDS = {"given_name": "prénom", "family_name": "nom", "birth_name": "nom de naissance",
          "birth_date": "date de naissance", "address_line": "adresse",
          "postal_code": "code postal", "city": "commune", "insee_code": "code de la commune"}
BADGE_KINDS = {"qr": "badge (code QR)", "card": "badge (carte sans contact)"}
LOOKUPS = {"phone": "recherche par votre numéro de téléphone",
           "email": "recherche par votre adresse de courriel",
           "reference": "recherche par la référence d'une demande",
           "account": "recherche par votre compte en ligne"}
# Reasons written as "kind:detail" by the code (never typed by an agent).
_TAGGED = {
    "incoming_call": "appel reçu de votre numéro : dossier affiché au poste {}",
    "desk_snapshot": "dossier affiché au poste téléphonique {}",
    "privacy_request": "{}",
}
_PRIVACY_REQUESTS = {"erasure": "demande d'effacement (RGPD)",
                     "rectification": "demande de rectification (RGPD)"}


def reason_label(reason: str | None, operation: object = None) -> str:
    """An access-log reason in French: codes from the catalogue, consent answers spelt out
    ("contact_email=oui"), a case reference as "demande 7K4M-2XA", an agent's free reason
    as written. A raw code never reaches the resident."""
    from crm_core.cases.reference import format_reference, is_valid
    from crm_core.consent.service import PURPOSE_LABELS
    from crm_core.privacy.enums import AccessOperation, ConsentPurpose

    if not reason:
        return "—"
    purpose, sep, answer = reason.partition("=")
    if sep and purpose in {p.value for p in ConsentPurpose}:
        return f"{PURPOSE_LABELS[ConsentPurpose(purpose)]} : {answer}"
    kind, sep, what = reason.partition(":")
    if sep and kind in _TAGGED:
        detail = _PRIVACY_REQUESTS.get(what, "demande (RGPD)") if kind == "privacy_request" \
            else what
        return _TAGGED[kind].format(detail)
    op = str(getattr(operation, "value", operation or ""))
    if op == AccessOperation.LINK_ACCOUNT:
        return "rattachement de votre compte en ligne"
    if op in (AccessOperation.ISSUE_BADGE, AccessOperation.BADGE_SCAN) and reason in BADGE_KINDS:
        return BADGE_KINDS[reason]
    if op == AccessOperation.LOOKUP and reason in LOOKUPS:
        return LOOKUPS[reason]
    if is_valid(reason):
        return f"demande {format_reference(reason)}"
    fields = [field.strip() for field in reason.split(",")]
    if op == AccessOperation.UPDATE_RESIDENT and all(f in FIELDS for f in fields):
        return "modification : " + ", ".join(FIELDS[f] for f in fields)
    return REASONS.get(reason, reason)


def phone(value: str) -> str:
    """A number as the French write it ("06 49 33 75 10"), a foreign one readably."""
    import phonenumbers

    from crm_core.residents.contacts import format_phone_for_display

    try:
        return format_phone_for_display(value)
    except phonenumbers.NumberParseException:  # an unreadable stored value, as it is
        return value


WAYS = {"call": "vous appeler", "sms": "vous envoyer des SMS",
        "email": "vous écrire par courriel", "post": "vous écrire par courrier"}


def ways_text(ways: list[str]) -> str:
    """The effective answer for one point, in words (`consent.contactability`)."""
    if not ways:
        return "la mairie ne vous contacte pas ici"
    words = [WAYS.get(way, way) for way in ways]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]
    return "la mairie peut " + listed


def contact_value(kind: object, value: str) -> str:
    return phone(value) if str(getattr(kind, "value", kind)) == "phone" else value


def i_accept(purpose_label: str) -> str:
    """ "J'accepte de recevoir…", "J'accepte d'être…" (French elision)."""
    from crm_core.text import de

    return "J'accepte " + de(purpose_label)


def account_label(provider: str, city_provider: str) -> str:
    """An online account as its holder reads it: the city's own sign-in by its name, any
    other by its provider's code (a link an agent made for another provider is not the
    city's account)."""
    if provider.lower() == city_provider.lower():
        return "Compte en ligne de la ville"
    return f"Compte « {provider} »"


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


def kept_for(days: int) -> str:
    """How long something is kept, as the resident reads it: « un an », « 3 ans », « 90
    jours » (the setting's own number, never a rounded promise)."""
    years, rest = divmod(days, 365)
    if rest == 0:
        return "un an" if years == 1 else f"{years} ans"
    return "un jour" if days == 1 else f"{days} jours"
