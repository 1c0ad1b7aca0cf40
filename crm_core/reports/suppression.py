"""No one singled out: small groups are suppressed, and so is what would reveal them.

1. **Primary**: a non-zero count cell standing for fewer than 5 distinct residents
   (`MIN_RESIDENTS`) is suppressed. The residents figure is a lower bound (the largest
   distinct count among the roll-up cells it is made of, see `service`; 0 when a late
   write reached a period whose presence set is gone), so a doubtful cell is always
   suppressed. A zero count is published: an empty cell singles nobody out.
2. **Shares** are suppressed when the group they describe, or its complement, is a small
   non-empty group of events (e.g. "98 % within the delay" over 100 requests would
   reveal the 2 late ones).
3. **Complementary**: in every additive line (a row or a column with its total), a line
   with exactly one suppressed cell gets a second one — the smallest non-zero cell,
   a total only if nothing else is left — until no line can be solved by subtraction.
4. **Derived** figures (shares, means) of a suppressed count go with it.
"""

from __future__ import annotations

from crm_core.reports.schemas import COUNT, SHARE, Table
from crm_core.small_groups import MIN_RESIDENTS


def suppress(table: Table) -> None:
    for row in table.rows:
        for cell in row.cells:
            counted = isinstance(cell.value, int | float) and cell.value > 0
            if cell.kind == COUNT and counted and cell.residents < MIN_RESIDENTS:
                cell.suppressed = True
            if cell.kind == SHARE and cell.denominator:
                rest = cell.denominator - cell.numerator
                if 0 < cell.numerator < MIN_RESIDENTS or 0 < rest < MIN_RESIDENTS:
                    cell.suppressed = True
    _complementary(table)
    for row in table.rows:
        for cell in row.cells:
            if any(table.cell(*spot).suppressed for spot in cell.bases):
                cell.suppressed = True


def _complementary(table: Table) -> None:
    totals = {(r, c) for r, row in enumerate(table.rows) if row.total
              for c in range(len(row.cells))}
    changed = True
    while changed:
        changed = False
        for line in table.lines:
            hidden = [spot for spot in line if table.cell(*spot).suppressed]
            if len(hidden) != 1:
                continue
            candidates = [
                spot for spot in line
                if not table.cell(*spot).suppressed and _amount(table, spot) > 0
            ]
            if not candidates:
                continue
            line_total = line[-1]
            candidates.sort(key=lambda spot: (
                spot == line_total or spot in totals, _amount(table, spot), spot
            ))
            table.cell(*candidates[0]).suppressed = True
            changed = True


def _amount(table: Table, spot: tuple[int, int]) -> float:
    value = table.cell(*spot).value
    return float(value) if isinstance(value, (int, float)) else 0.0
