from __future__ import annotations

from crm_core.reports.schemas import COUNT, SHARE, Cell, Column, Row, Table
from crm_core.reports.suppression import suppress


def _count(n: int, residents: int | None = None) -> Cell:
    return Cell(COUNT, n, residents=n if residents is None else residents)


def _table(values: list[tuple[int, int]]) -> Table:
    table = Table(key="t", title="t", row_header="r", columns=[Column("n"), Column("%", "%")])
    total = sum(n for n, _ in values)
    for index, (n, residents) in enumerate(values):
        table.rows.append(Row(f"r{index}", [_count(n, residents),
                                            Cell(SHARE, 0.0, numerator=n, denominator=total,
                                                 bases=[(index, 0)])]))
    last = len(values)
    table.rows.append(Row("Total", [_count(total, max(r for _, r in values)),
                                    Cell(SHARE, 100.0, numerator=total, denominator=total,
                                         bases=[(last, 0)])], total=True))
    table.lines = [[(r, 0) for r in range(len(table.rows))]]
    return table


def _hidden(table: Table) -> list[bool]:
    return [row.cells[0].suppressed for row in table.rows]


def test_four_residents_are_suppressed_five_are_not() -> None:
    table = _table([(40, 40), (9, 4), (30, 5), (20, 20)])
    suppress(table)
    # 9 contacts by 4 residents: hidden; then the smallest other (20), not the total.
    assert _hidden(table) == [False, True, False, True, False]
    assert table.rows[1].cells[1].suppressed  # its share goes with it


def test_many_events_of_few_residents_are_still_suppressed() -> None:
    table = _table([(100, 2), (50, 50), (60, 60)])
    suppress(table)
    assert _hidden(table) == [True, True, False, False]


def test_a_lone_cell_takes_the_total_with_it() -> None:
    table = _table([(3, 3), (0, 0)])
    suppress(table)
    assert _hidden(table) == [True, False, True]


def test_zero_is_published() -> None:
    table = _table([(0, 0), (12, 12), (15, 15)])
    suppress(table)
    assert _hidden(table) == [False, False, False, False]


def test_a_share_revealing_a_small_complement_is_suppressed() -> None:
    table = Table(key="t", title="t", row_header="r", columns=[Column("n"), Column("%")])
    table.rows.append(Row("a", [_count(100), Cell(SHARE, 98.0, numerator=98, denominator=100,
                                                   bases=[(0, 0)])]))
    suppress(table)
    assert not table.rows[0].cells[0].suppressed
    assert table.rows[0].cells[1].suppressed
