"""Labels from data (sites, services, themes) are shown, never interpreted: no formula in
the CSV or XLSX, no mathtext in the PNG/HTML charts, no markup in the terminal. Numbers
stay numbers, negative ones included."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from PIL import Image
from rich.console import Console

from crm_core.reports.neutral import FORMULA_TRIGGERS, spreadsheet_text
from crm_core.reports.render import print_report, render
from crm_core.reports.schemas import Cell, Chart, Column, Report, Row, Table

FORMULAS = ["=HYPERLINK(\"http://x\",\"clic\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
            "\t=1+1", "\r=1+1"]
MATH = [r"$\frac{1}{$", "$x^2$ et $", r"Coût $\alpha$"]
MARKUP = ["[/]", "[b]gras[/b]", "[link=http://x]ici[/link]"]


def _report(labels: list[str]) -> Report:
    rows = [Row(label=label, cells=[Cell(kind="count", value=index + 1, residents=20)])
            for index, label in enumerate(labels)]
    rows.append(Row(label="Écart", cells=[Cell(kind="count", value=-3, residents=20)]))
    table = Table(key="themes", title=labels[0], row_header="Thème",
                  columns=[Column(label="Contacts")], rows=rows,
                  chart=Chart(column=0, title=labels[-1], axis="Contacts"), note=labels[1])
    return Report(name="themes", title="Thèmes " + labels[0], start=date(2026, 10, 1),
                  end=date(2026, 10, 31), site=labels[0], service=labels[-1], tables=[table],
                  notes=[labels[1]])


ALL = FORMULAS + MATH + MARKUP


def test_no_csv_cell_is_a_formula_and_numbers_stay_numbers() -> None:
    rows = list(csv.reader(io.StringIO(render(_report(ALL), "csv").decode("utf-8-sig")),
                           delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)
                and cell != "-3"]
    assert ["'=HYPERLINK(\"http://x\",\"clic\")", "1"] in rows
    assert ["Écart", "-3"] in rows


def test_no_xlsx_cell_is_a_formula_and_numbers_stay_numbers() -> None:
    book = load_workbook(io.BytesIO(render(_report(ALL), "xlsx")))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    labels = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert set(FORMULAS[:-1]) <= labels  # shown as typed, as text (XML turns \r into \n)
    sheet = book.worksheets[1]
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3)}
    assert values["Écart"] == -3 and values["-2+3"] == 3


@pytest.mark.parametrize("fmt", ["png", "html"])
def test_mathtext_in_labels_is_drawn_as_text(fmt: str) -> None:
    body = render(_report(MATH + MARKUP), fmt)
    if fmt == "png":
        Image.open(io.BytesIO(body)).load()
    else:
        assert "$\\frac{1}{$" in body.decode()


def test_markup_in_labels_is_printed_as_typed_in_the_terminal() -> None:
    console = Console(record=True, width=200, color_system=None)
    print_report(_report(MARKUP + MATH), console)
    text = console.export_text()
    assert "[/]" in text and "[b]gras[/b]" in text


def test_only_text_starting_like_a_formula_is_touched() -> None:
    assert spreadsheet_text("Guichet") == "Guichet"
    assert spreadsheet_text("=1") == "'=1"
    assert spreadsheet_text("a=1") == "a=1"
