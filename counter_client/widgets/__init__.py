"""Widgets shared by the counter app and the phone desk (import them from here).

Each takes the plain data returned by :mod:`crm_core.client` (the summary, timeline and
case dictionaries) and reports what the agent does with nested messages
(``CasesTable.CaseSelected``, ``Timeline.EntrySelected``...), so that each app decides.
"""

from counter_client.widgets.cases_table import CasesTable
from counter_client.widgets.resident_card import ResidentCard
from counter_client.widgets.timeline import Timeline

__all__ = ["CasesTable", "ResidentCard", "Timeline"]
