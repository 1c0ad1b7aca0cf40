"""Every model loaded and the mappers configured, before anything touches the database.

This module gathers the models of every domain, so it stands above the domains (the
database package below them knows none). A model's foreign-key column takes its type from
the table it points to: with that table's model never imported, `access_log.agent_id` read
back as a bare hex string and the unit of work could not sort an insert
(`NoReferencedTableError`). `load_models()` (run by `crm_core.app.bootstrap.bootstrap()`)
imports the core's models and those of every plugin, so no command depends on which
modules it happened to import.
"""

import importlib

from sqlalchemy.orm import configure_mappers

from crm_core.agents.models import Agent, AgentSession, Site
from crm_core.badges.models import Badge
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.database.base import Base
from crm_core.interactions.models import Interaction
from crm_core.plugins import plugins
from crm_core.privacy.models import AccessLog, AccessLogSeal, AuditPurge, ConsentChange
from crm_core.queue.models import QueueTicket
from crm_core.recognition.models import (
    ResidentMerge,
    ResidentMergeMove,
    SearchKey,
    SearchTokenKey,
)
from crm_core.reminders.models import (
    ReminderBundle,
    ReminderDate,
    ReminderDelivery,
    ReminderSubscription,
)
from crm_core.reports.models import ReportCell, ReportDelta, ReportPresence
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.security.models import AbuseCounter, SecurityEvent
from crm_core.space.models import PrivacyRequest, ResidentSession
from crm_core.telephony.models import Call, Callback, CallEvent

__all__ = [
    "AbuseCounter",
    "AccessLog",
    "AccessLogSeal",
    "AccountLink",
    "Agent",
    "AgentSession",
    "AuditPurge",
    "Badge",
    "Base",
    "Call",
    "CallEvent",
    "Callback",
    "Case",
    "CaseStatusChange",
    "ConsentChange",
    "ContactPoint",
    "Interaction",
    "PrivacyRequest",
    "QueueTicket",
    "ReminderBundle",
    "ReminderDate",
    "ReminderDelivery",
    "ReminderSubscription",
    "ReportCell",
    "ReportDelta",
    "ReportPresence",
    "Resident",
    "ResidentMerge",
    "ResidentMergeMove",
    "ResidentSession",
    "SearchKey",
    "SearchTokenKey",
    "SecurityEvent",
    "Service",
    "Site",
]


def load_models() -> None:
    """Register every model, then configure the mappers (idempotent, cheap once done)."""
    for plugin in plugins():
        if plugin.models:
            importlib.import_module(plugin.models)
    configure_mappers()
