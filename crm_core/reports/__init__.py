"""Supervisors' channel reports: aggregated figures about the service, never about a person.

Writers append to a small journal (`report_delta`, see `journal.py`); `rollup.fold_pending`
folds it into the roll-up cells (`report_cell`) and the distinct-resident presence sets
(`report_presence`); reports read only roll-ups (`service.py`), suppress small groups
(`suppression.py`) and render them (`render.py`, `charts.py`).
"""
