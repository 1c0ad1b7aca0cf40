"""The case status workflow: which moves are allowed, and the French words for refusals."""

from __future__ import annotations

from crm_core.cases.enums import CaseStatus
from crm_core.exceptions import Conflict

S = CaseStatus
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.IN_PROGRESS, S.WAITING_RESIDENT, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.WAITING_RESIDENT, S.RESOLVED, S.CLOSED}),
    S.WAITING_RESIDENT: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    # Reopening: a resolved or closed case goes back to "in progress".
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}

STATUS_LABELS_FR: dict[CaseStatus, str] = {
    S.NEW: "nouvelle",
    S.IN_PROGRESS: "en cours",
    S.WAITING_RESIDENT: "en attente de l'usager",
    S.RESOLVED: "résolue",
    S.CLOSED: "clôturée",
}


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Changement de statut refusé"


def allowed_next(status: CaseStatus) -> list[CaseStatus]:
    return sorted(ALLOWED_TRANSITIONS[status], key=list(CaseStatus).index)


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    if target in ALLOWED_TRANSITIONS[current]:
        return
    allowed = ", ".join(f"« {STATUS_LABELS_FR[s]} »" for s in allowed_next(current))
    raise InvalidTransition(
        f"Une demande « {STATUS_LABELS_FR[current]} » ne peut pas passer à"
        f" « {STATUS_LABELS_FR[target]} ». Possibles : {allowed}.",
        current=current.value,
        target=target.value,
        allowed=[s.value for s in allowed_next(current)],
    )
