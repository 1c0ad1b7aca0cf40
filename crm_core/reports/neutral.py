"""Text taken from data (site and service labels, themes, notes) made inert for each
renderer that would otherwise interpret it: spreadsheets (formulas, OWASP "CSV
injection"), matplotlib (`$…$` mathtext), Rich (`[…]` markup). HTML is escaped where it
is written (`html.escape`). Numbers are never touched: they stay numbers."""

from __future__ import annotations

from typing import Any

from rich.markup import escape as rich_escape
from rich.text import Text

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(text: str) -> str:
    """A leading apostrophe: the spreadsheet shows the text and never evaluates it."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def xlsx_cell(cell: Any) -> None:
    """openpyxl stores a string starting with `=` as a formula: force it back to text,
    and mark risky text with Excel's own quote prefix so editing it keeps it text."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True


def chart_text(text: str) -> str:
    """`$` escaped: matplotlib shows it instead of parsing `$…$` as mathtext (a label such
    as `$\\frac{` would otherwise fail the whole image)."""
    return text.replace("$", r"\$")


def rich_text(text: str, style: str = "") -> Text:
    """Data as a Rich `Text`: shown as typed, `[/]` included."""
    return Text(text, style=style)


__all__ = ["FORMULA_TRIGGERS", "chart_text", "rich_escape", "rich_text", "spreadsheet_text",
           "xlsx_cell"]
