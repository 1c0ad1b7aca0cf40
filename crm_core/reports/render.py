"""A report in every output: terminal tables, CSV, XLSX, self-contained HTML, PNG."""

from __future__ import annotations

import base64
import csv
import html
import io

from rich.console import Console
from rich.table import Table as RichTable

from crm_core.reports.neutral import rich_text, spreadsheet_text, xlsx_cell
from crm_core.reports.schemas import SUPPRESSED_MARK, Cell, Report, Table

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
}


def text_of(cell: Cell) -> str:
    value = cell.public()
    if cell.suppressed:
        return SUPPRESSED_MARK
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    text = f"{value:,.1f}" if isinstance(value, float) and value % 1 else f"{value:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",")


def header(table: Table) -> list[str]:
    return [table.row_header, *(
        f"{column.label} ({column.unit})" if column.unit else column.label
        for column in table.columns
    )]


def period_line(report: Report) -> str:
    return (f"Du {report.start:%d/%m/%Y} au {report.end:%d/%m/%Y} — {report.site} — "
            f"{report.service}")


def print_report(report: Report, console: Console) -> None:
    """Every text from data as a Rich `Text`: labels are shown, never parsed as markup."""
    console.rule(rich_text(report.title, "bold"))
    console.print(rich_text(period_line(report)))
    first, rest = _notes(report)
    for note in first:
        console.print(rich_text(note, "bold"))
    for table in report.tables:
        shown = RichTable(title=rich_text(table.title), title_justify="left",
                          header_style="bold")
        for index, label in enumerate(header(table)):
            shown.add_column(rich_text(label), justify="left" if index == 0 else "right")
        for row in table.rows:
            shown.add_row(rich_text(row.label), *(rich_text(text_of(c)) for c in row.cells),
                          style="bold" if row.total else None)
        console.print(shown)
        if table.note:
            console.print(rich_text(table.note, "dim"))
    for note in rest:
        console.print(rich_text(note, "italic"))


def _notes(report: Report) -> tuple[list[str], list[str]]:
    """(said before any figure, said after the tables): a period not over is said first,
    before its figures are read as final (its note heads `report.notes`)."""
    if report.complete or not report.notes:
        return [], report.notes
    return report.notes[:1], report.notes[1:]


def _csv_cell(cell: Cell) -> str:
    """A number stays a number (`-3` is not a formula to neutralise); text is data."""
    if isinstance(cell.public(), (int, float)) and not cell.suppressed:
        return text_of(cell).replace("\u202f", "")
    return spreadsheet_text(text_of(cell))


def to_csv(report: Report) -> bytes:
    """Semicolon-separated, decimal commas (what a French spreadsheet opens as is). Text
    that a spreadsheet would run as a formula gets a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    text = spreadsheet_text
    writer.writerow([text(report.title)])
    writer.writerow([text(period_line(report))])
    first, rest = _notes(report)
    for note in first:
        writer.writerow([text(note)])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([text(table.title)])
        writer.writerow([text(label) for label in header(table)])
        for row in table.rows:
            writer.writerow([text(row.label), *(_csv_cell(c) for c in row.cells)])
    writer.writerow([])
    for note in rest:
        writer.writerow([text(note)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.create_sheet("Rapport")
    book.remove(book.worksheets[0])
    summary.append([report.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([period_line(report)])
    for note in report.notes:
        summary.append([note])
    used: set[str] = {"Rapport"}
    for table in report.tables:
        name = _sheet_name(table.title, used)
        sheet = book.create_sheet(name)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header(table))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values: list[object] = [row.label]
            for cell in row.cells:
                value = cell.public()
                values.append(SUPPRESSED_MARK if cell.suppressed else value)
            sheet.append(values)
            if row.total:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = 34
    for worksheet in book.worksheets:  # text stays text: no formula from any label
        for cells in worksheet.iter_rows():
            for cell in cells:
                xlsx_cell(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28]
    name, index = base, 2
    while name in used:
        name, index = f"{base[:26]} {index}", index + 1
    used.add(name)
    return name


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#161616;
margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.5}
h1{font-size:1.6rem;color:#000091}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:1rem 0;width:100%}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #929292;padding:.3rem .5rem}td{text-align:right}
th[scope=row]{text-align:left;font-weight:normal}tr.total th,tr.total td{font-weight:bold}
thead th{background:#e3e3fd}img{max-width:100%;height:auto}.note{font-size:.9rem;color:#3a3a3a}
"""


def to_html(report: Report) -> bytes:
    """One file, nothing external: styles inline, charts as data: URIs (PNG)."""
    from crm_core.reports.charts import chartable, table_png

    esc = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="fr">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        "<main>", f"<h1>{esc(report.title)}</h1>", f"<p>{esc(period_line(report))}</p>",
    ]
    for note in report.notes:
        parts.append(f'<p class="note">{esc(note)}</p>')
    for table in report.tables:
        parts.append(f"<section><h2>{esc(table.title)}</h2>")
        parts.append(f"<table><caption>{esc(table.title)}</caption><thead><tr>")
        parts += [f'<th scope="col">{esc(label)}</th>' for label in header(table)]
        parts.append("</tr></thead><tbody>")
        for row in table.rows:
            css = ' class="total"' if row.total else ""
            parts.append(f'<tr{css}><th scope="row">{esc(row.label)}</th>')
            parts += [f"<td>{esc(text_of(cell))}</td>" for cell in row.cells]
            parts.append("</tr>")
        parts.append("</tbody></table>")
        if table.note:
            parts.append(f'<p class="note">{esc(table.note)}</p>')
        if chartable(table):
            assert table.chart is not None
            image = base64.b64encode(table_png(table)).decode("ascii")
            parts.append(f'<img src="data:image/png;base64,{image}" '
                         f'alt="Graphique : {esc(table.chart.title)}">')
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts).encode("utf-8")


def to_png(report: Report) -> bytes:
    from crm_core.reports.charts import report_png

    return report_png(report)


def render(report: Report, fmt: str) -> bytes:
    import orjson

    if fmt == "json":
        return orjson.dumps(report.as_dict())
    return {"csv": to_csv, "xlsx": to_xlsx, "html": to_html, "png": to_png}[fmt](report)
