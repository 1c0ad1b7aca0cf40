"""French labels of the reports (one catalogue: a label changes without a migration)."""

from __future__ import annotations

from datetime import date

from crm_core.cases.enums import CaseKind
from crm_core.channels import Channel

CHANNELS = {
    Channel.WEB.value: "En ligne", Channel.COUNTER.value: "Guichet",
    Channel.PHONE.value: "Téléphone", Channel.EMAIL.value: "Courriel",
    Channel.MAIL.value: "Courrier", Channel.CHAT.value: "Messagerie instantanée",
    Channel.SMS.value: "SMS",
}
KINDS = {
    CaseKind.REQUEST.value: "Demande", CaseKind.QUESTION.value: "Question",
    CaseKind.COMPLAINT.value: "Réclamation", CaseKind.IDEA.value: "Idée",
    CaseKind.PRAISE.value: "Remerciement",
}
TITLES = {
    "channels": "Contacts et demandes par canal",
    "journeys": "Parcours entre canaux et résolution des demandes",
    "waiting": "Attente et service aux guichets",
    "calls": "Appels téléphoniques entrants",
    "themes": "Natures et thèmes des demandes",
    "month": "Rapport mensuel des canaux",
}
TOTAL = "Total"
ALL_SITES = "Tous les sites"
ALL_SERVICES = "Tous les services"
NO_SITE = "Non attribué"
NO_SERVICE = "Sans demande liée"
NO_QUEUE_SERVICE = "File sans service correspondant"
SUPPRESSION_NOTE = (
    "« s » : secret statistique. Toute case représentant moins de 5 usagers est masquée, "
    "ainsi que les cases qui permettraient de la retrouver par différence."
)
EMPTY_NOTE = "Aucune donnée sur cette période pour ce périmètre."


def partial_note(name: str, today: date) -> str:
    """Said first when the period is not over (in the city's days): its figures will grow."""
    period = "Mois en cours" if name == "month" else "Période en cours"
    return f"{period} : chiffres partiels jusqu'au {today:%d/%m/%Y} (journée en cours comprise)."
