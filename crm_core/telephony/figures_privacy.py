"""No caller singled out in the call figures, by the reports' rule
(`crm_core.reports.suppression`, with the same threshold, `crm_core.small_groups`): a
count of 1 to 4 calls is suppressed (calls bound the callers from above, so fewer than 5
calls are fewer than 5 people), and so is what would reveal it: a share whose part or
complement is small, the times to answer of fewer than 5 answered calls, and a second
count in every additive line (offered = answered + abandoned + in progress; a queue's
hours add up to its total) that has exactly one suppressed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from crm_core.small_groups import MIN_RESIDENTS

PARTS = ("answered", "abandoned", "in_progress")
COUNTS = ("offered", *PARTS)


def _small(value: Any) -> bool:
    return isinstance(value, int) and 0 < value < MIN_RESIDENTS


def suppress(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures with suppressed cells set to None, listed in each row's `suppressed`."""
    rows: list[dict[str, Any]] = figures["rows"] + figures["totals"]
    hidden: list[set[str]] = [{k for k in COUNTS if _small(row[k])} for row in rows]
    lines: list[list[tuple[int, str]]] = [
        [(i, key) for key in ("offered", *PARTS)] for i in range(len(rows))]
    by_queue: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(figures["rows"]):
        by_queue[row["queue"]].append(i)
    offset = len(figures["rows"])
    for j, total in enumerate(figures["totals"]):
        for key in COUNTS:
            lines.append([(i, key) for i in by_queue.get(total["queue"], [])]
                         + [(offset + j, key)])
    changed = True
    while changed:  # a line with exactly one hidden cell could be solved by subtraction
        changed = False
        for line in lines:
            if sum(key in hidden[i] for i, key in line) != 1:
                continue
            shown = [(rows[i][key], i, key) for i, key in line
                     if key not in hidden[i] and rows[i][key]]
            if shown:
                _, i, key = min(shown)
                hidden[i].add(key)
                changed = True
    published = [_published(row, keys) for row, keys in zip(rows, hidden, strict=True)]
    return {**figures, "rows": published[:offset], "totals": published[offset:]}


def _published(row: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    out = dict(row)
    answered, abandoned = row["answered"], row["abandoned"]
    if "answered" in hidden or "abandoned" in hidden or _small(answered) or _small(abandoned):
        hidden = hidden | {"answered_share"}
    if "answered" in hidden or answered < MIN_RESIDENTS:
        hidden = hidden | {"mean_time_to_answer_s", "max_time_to_answer_s"}
    hidden = {key for key in hidden if row[key] is not None}
    for key in hidden:
        out[key] = None
    out["suppressed"] = sorted(hidden)
    return out
