"""The shape of a report: tables of cells, ready to suppress and render (no person in it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

COUNT, SHARE, MEAN, FLAG = "count", "share", "mean", "flag"
SUPPRESSED_MARK = "s"


@dataclass
class Cell:
    """One published figure. A count carries a lower bound of the distinct residents behind
    it; a share its numerator and denominator (events); a derived figure the count cells it
    derives from (`bases`, row and column), suppressed with any of them."""

    kind: str
    value: float | str | None
    residents: int = 0
    numerator: int = 0
    denominator: int = 0
    bases: list[tuple[int, int]] = field(default_factory=list)
    suppressed: bool = False

    def public(self) -> float | str | None:
        return None if self.suppressed else self.value


@dataclass
class Column:
    label: str
    unit: str = ""  # shown in headers and chart axes: "%", "min", "jours", "s"


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: bool = False


@dataclass
class Chart:
    column: int
    title: str
    axis: str  # the value axis label, with its unit


@dataclass
class Table:
    key: str
    title: str
    row_header: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    # Additive lines (cells whose sum is the last one, a total): a single suppressed
    # cell in a line could be recomputed from the others, so complementary suppression
    # works line by line.
    lines: list[list[tuple[int, int]]] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""

    def cell(self, row: int, column: int) -> Cell:
        return self.rows[row].cells[column]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "row_header": self.row_header,
            "columns": [{"label": c.label, "unit": c.unit} for c in self.columns],
            "rows": [
                {"label": row.label, "total": row.total,
                 "cells": [{"value": cell.public(), "suppressed": cell.suppressed}
                           for cell in row.cells]}
                for row in self.rows
            ],
            "note": self.note,
        }


@dataclass
class Report:
    name: str
    title: str
    start: date
    end: date
    site: str  # a site's name, or "Tous les sites"
    service: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    complete: bool = True  # False while the period runs on: its figures are partial

    @property
    def empty(self) -> bool:
        return all(
            not isinstance(cell.value, (int, float)) or cell.value == 0
            for table in self.tables for row in table.rows if row.total
            for cell in row.cells if cell.kind == COUNT
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": self.name, "title": self.title, "from": self.start.isoformat(),
            "to": self.end.isoformat(), "site": self.site, "service": self.service,
            "empty": self.empty, "complete": self.complete,
            "suppressed_mark": SUPPRESSED_MARK,
            "tables": [table.as_dict() for table in self.tables], "notes": self.notes,
        }
