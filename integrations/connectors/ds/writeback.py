"""Telling Démarches Simplifiées that the counter or the phone moved a dossier on.

DS has no "set state" call: each move is its own mutation, allowed from one state only
(`dossierPasserEnInstruction` from `en_construction`; `dossierAccepter`, `dossierRefuser`
and `dossierClasserSansSuite` from `en_instruction`; `dossierRepasserEnInstruction` from a
decision). So each delivery reads the dossier's state first and runs the mutations that
lead from there to the target — none when it is already there. A redelivery of the same
outbox event (a lost answer, a worker killed mid-batch) therefore changes nothing twice,
and a decided dossier is reopened only by a Relais reopening, never by a late retry.
Closing a case DS has decided (resolved → closed) is our own filing: nothing is sent.

The decision is signed by the instructeur configured for the source (`instructeur_id`, a
DS profile id); `refuse` and `sans_suite` need a motivation: the agent's note, else a
neutral sentence with the Relais reference.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from crm_core.text import free_text_problem, normalize_free_text
from integrations.connectors.ds.backend import DsBackend, DsError
from integrations.settings import SourceConfig

logger = logging.getLogger("relais.integrations.ds")
# Relais status -> the DS state it means, unless the source's `triggers` say otherwise.
DEFAULT_TARGETS = {
    "in_progress": "en_instruction", "waiting_resident": "en_instruction",
    "resolved": "accepte", "closed": "sans_suite",
}
DECISIONS = {"accepte": "dossierAccepter", "refuse": "dossierRefuser",
             "sans_suite": "dossierClasserSansSuite"}
TERMINAL = frozenset(DECISIONS)
STATES = frozenset({"en_construction", "en_instruction", *TERMINAL})


@dataclass(frozen=True)
class Outcome:
    done: list[str]  # mutations run, in order
    state: str  # the dossier's state afterwards


def target_state(config: SourceConfig, relais_status: str) -> str | None:
    target = config.triggers.get(relais_status) or DEFAULT_TARGETS.get(relais_status)
    if target is not None and target not in STATES - {"en_construction"}:
        raise DsError(f"État Démarches Simplifiées inconnu pour « {relais_status} » : {target}")
    return target


def plan(current: str, target: str, *, previous_status: str | None = None) -> list[str]:
    """The mutations leading from `current` to `target` (empty: nothing to do).

    A dossier DS has already decided is only taken back by a Relais *reopening* (a move
    away from resolved/closed): an older event delivered late — a retry overtaken by a
    newer one — never undoes a decision."""
    if current == target:
        return []
    reopening = previous_status in ("resolved", "closed")
    if current in TERMINAL:
        if target == "en_instruction" and reopening:
            return ["dossierRepasserEnInstruction"]
        return []
    if target == "en_instruction":
        return ["dossierPasserEnInstruction"] if current == "en_construction" else []
    if current == "en_construction":
        return ["dossierPasserEnInstruction", DECISIONS[target]]
    return [DECISIONS[target]]


def motivation(data: dict[str, Any]) -> str:
    """The agent's note as the resident will read it on the platform. The API refuses
    controls in new notes (`FreeText`); a note stored before that, or written by another
    path, is cleaned here: a worker has nobody to answer a 422 to."""
    note = "".join(char for char in normalize_free_text(str(data.get("note") or ""))
                   if free_text_problem(char) is None).strip()
    if note:
        return note[:1000]
    return f"Demande traitée par la mairie (référence {data.get('reference')})."


def push_status(*, backend: DsBackend, config: SourceConfig, data: dict[str, Any]) -> Outcome:
    """Brings the dossier `data["id"]` to the state meant by `data["status"]`."""
    if not config.instructeur_id:
        raise DsError("Démarches Simplifiées : instructeur_id non configuré")
    number = str(data.get("id") or "")
    if not number.isdigit():
        raise DsError(f"Numéro de dossier invalide : {number[:30]!r}")
    status = str(data.get("status"))
    target = target_state(config, status)
    if target is None:
        return Outcome(done=[], state="")
    dossier_id, current = backend.dossier_state(int(number))
    if current not in STATES:
        raise DsError(f"Dossier {number} dans un état inattendu : {current[:40]}")
    previous = data.get("previous_status")
    steps = plan(current, target, previous_status=str(previous) if previous else None)
    done: list[str] = []
    for mutation in steps:
        variables: dict[str, Any] = {"dossierId": dossier_id,
                                     "instructeurId": config.instructeur_id}
        if mutation in ("dossierAccepter", "dossierRefuser", "dossierClasserSansSuite"):
            variables["motivation"] = motivation(data)
        current = backend.change_state(mutation, variables)
        done.append(mutation)
    logger.info("DS dossier %s: %s -> %s via %s", number, status, current, done or "nothing")
    return Outcome(done=done, state=current)
