"""The wording of agent-change events and request summaries: one place, so that a reader
of the security log or of a request always finds the author named the same way (« par … »)
and a request's summary always says all that its approval grants."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import RESIDENT_DATA, ROLE_LABELS, ROLE_PERMISSIONS, RequestStatus, Role
from crm_core.agents.models import Agent, AgentRequest, Site
from crm_core.security.enums import EventKind
from crm_core.security.service import record_event

CREATED = "Compte « "  # how a creation's summary starts (see `never_active`)


def by(author: str) -> str:
    return f"par {author}"


def password_set_by(name: str) -> str:
    """What an approver must know: who could sign in as the account, and what follows."""
    return (f"mot de passe connu de {name}, pas seulement de l'agent : révoqué à la "
            "validation, un code d'activation est remis au responsable qui valide")


def password_reset_by(name: str) -> str:
    return (f"mot de passe réinitialisé {by(name)} : un code d'activation est remis au "
            "responsable qui valide")


def record_agent_change(*, db_session: Session, author: Actor, subject: str,
                        detail: str) -> None:
    """An `AGENT_CHANGED` event, its author named at the end as « (par …) »."""
    record_event(db_session=db_session, kind=EventKind.AGENT_CHANGED, subject=subject,
                 actor=author, detail=f"{detail} ({by(author.username)})")


def never_active(db_session: Session, agent: Agent) -> bool:
    """An account created inactive, waiting for (or refused) its creation's approval: it
    never read anyone, so what it could do before is nothing."""
    if agent.active:
        return False
    kinds = {(status, summary.startswith(CREATED)) for status, summary in db_session.execute(
        select(AgentRequest.status, AgentRequest.summary).where(
            AgentRequest.agent_id == agent.id))}
    approved = any(status is RequestStatus.APPROVED for status, _ in kinds)
    return not approved and any(created for _, created in kinds)


def access_diff(db_session: Session, agent: Agent, role: Role,
          site_id: uuid.UUID | None) -> list[str]:
    parts = ([f"rôle {ROLE_LABELS[agent.role]} → {ROLE_LABELS[role]}"]
             if role != agent.role else [])
    if site_id != agent.site_id:
        parts.append(f"site {site_label(db_session, agent.site_id)} → "
                     f"{site_label(db_session, site_id)}")
    return parts


def describe_request(db_session: Session, agent: Agent, role: Role, site_id: uuid.UUID | None, *,
              fresh: bool, reset_by: str | None = None) -> str:
    """A request's summary: the whole difference between what the account could do when
    last active (its role and site: they only narrow while it is inactive; nothing for a
    `fresh` account, never active) and what the approval gives, password included."""
    if fresh:
        parts = [f"{CREATED}{agent.display_name} » créé (jamais activé) : rôle "
                 f"{ROLE_LABELS[role]}, site {site_label(db_session, site_id)}"]
    else:
        parts = (["réactivation"] if not agent.active else []) + access_diff(
            db_session, agent, role, site_id)
    if reset_by:
        parts.append(password_reset_by(reset_by))
    elif agent.password_set_by:
        parts.append(password_set_by(agent.password_set_by))
    elif agent.activation_hash is not None and ROLE_PERMISSIONS[role] & RESIDENT_DATA:
        # The approval hands its own code over, which voids this one: the approver reads it.
        parts.append(f"code d'activation remis à {agent.activation_for or '?'} non utilisé :"
                     " annulé à la validation")
    return " ; ".join(parts)


def site_label(db_session: Session, site_id: uuid.UUID | None) -> str:
    code = db_session.scalar(select(Site.code).where(Site.id == site_id)) if site_id else None
    return code or "tous les sites"
