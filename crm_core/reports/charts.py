"""Charts of a report, in French, as PNG.

Figures are built with the object API (`Figure` + `savefig`), which renders with the Agg
backend without ever touching pyplot or a display: safe in a server's threads.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from crm_core.reports.neutral import chart_text
from crm_core.reports.schemas import Report, Table

_BLUE = "#000091"  # the French State's "bleu France", readable on white (contrast > 12:1)


def _french(value: float, _position: object = None) -> str:
    value = 0.0 if abs(value) < 1e-9 else value  # never "-0"
    text = f"{value:,.1f}" if value % 1 else f"{value:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",")


def chartable(table: Table) -> bool:
    return table.chart is not None and any(
        isinstance(row.cells[table.chart.column].public(), (int, float))
        for row in table.rows if not row.total
    )


def draw_table(table: Table, axes: Axes) -> None:
    """Horizontal bars of the chart column; suppressed rows are named, not drawn."""
    assert table.chart is not None
    spec = table.chart
    labels, values, hidden = [], [], []
    for row in table.rows:
        if row.total:
            continue
        value = row.cells[spec.column].public()
        if isinstance(value, (int, float)):
            labels.append(chart_text("\n".join(textwrap.wrap(row.label, 28))))
            values.append(float(value))
        else:
            hidden.append(row.label)
    positions = range(len(values))
    axes.barh(list(positions), values, color=_BLUE)
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_title(chart_text(spec.title), fontsize=11, loc="left")
    label = spec.axis
    if hidden:  # named under the axis, where the layout leaves room for it
        label += "\n" + textwrap.fill("Secret statistique : " + ", ".join(hidden), 90)
    axes.set_xlabel(chart_text(label))
    if not any(values):
        axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(FuncFormatter(_french))
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    for position, value in zip(positions, values, strict=True):
        axes.annotate(_french(value), (value, position), xytext=(3, 0),
                      textcoords="offset points", va="center", fontsize=8)


def table_png(table: Table) -> bytes:
    figure = Figure(figsize=(8, 0.45 * max(4, len(table.rows)) + 1.6), dpi=110,
                    layout="constrained")
    draw_table(table, figure.add_subplot())
    return _png(figure)


def report_png(report: Report) -> bytes:
    """Every chart of the report, stacked in one image."""
    tables = [table for table in report.tables if chartable(table)]
    heights = [0.45 * max(4, len(t.rows)) + 1.6 for t in tables] or [2.0]
    figure = Figure(figsize=(8, sum(heights) + 1.0), dpi=110, layout="constrained")
    figure.suptitle(chart_text(f"{report.title} — du {report.start:%d/%m/%Y} au "
                               f"{report.end:%d/%m/%Y}\n{report.site} · {report.service}"),
                    fontsize=12)
    if not tables:
        figure.text(0.5, 0.4, "Aucune donnée publiable sur cette période", ha="center")
        return _png(figure)
    grid = figure.add_gridspec(len(tables), 1, height_ratios=heights)
    for index, table in enumerate(tables):
        draw_table(table, figure.add_subplot(grid[index]))
    return _png(figure)


def _png(figure: Figure) -> bytes:
    for text in figure.findobj(Text):  # whatever the server's matplotlibrc says
        text.set_usetex(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
