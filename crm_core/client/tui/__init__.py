"""Widgets and helpers shared by the two workstation apps, the counter and the phone desk:
both import them from here, downward (never one app from the other).

Each takes the plain data returned by :mod:`crm_core.client` (the summary, timeline and
case dictionaries) and reports what the agent does with nested messages
(``CasesTable.CaseSelected``, ``Timeline.EntrySelected``...), so that each app decides.
"""

from crm_core.client.tui.cases_table import CasesTable
from crm_core.client.tui.resident_card import ResidentCard
from crm_core.client.tui.timeline import Timeline

__all__ = ["CasesTable", "ResidentCard", "Timeline"]
