"""Imports every model of the core so that the metadata is complete (Alembic, create_all);
the plugins' models (the integrations') are added by `registry.load_models()`."""

from crm_core.agents.models import Agent, AgentSession, Site
from crm_core.badges.models import Badge
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.database.base import Base
from crm_core.interactions.models import Interaction
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
