"""The smallest group a published figure may describe.

Both the reports (`crm_core.reports.suppression`) and the call figures of the phone
desks (`crm_core.telephony.figures_privacy`) suppress a count that stands for fewer
people than this, so that no one is singled out; one threshold for both.
"""

MIN_RESIDENTS = 5
