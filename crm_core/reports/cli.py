"""`relais report …`: the supervisors' reports on the command line, and their upkeep."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from crm_core.cli_database import command_settings, existing_session
from crm_core.cli_exits import BAD_INPUT, REFUSED, errors, refused, system_reason
from crm_core.cli_french import FrenchTyper
from crm_core.exceptions import DomainError
from crm_core.text import count

if TYPE_CHECKING:
    from crm_core.reports.schemas import Report

report_app = FrenchTyper(help="Rapports des canaux pour les superviseurs.", no_args_is_help=True)
console = Console()
Formats = ("table", "json", "csv", "xlsx", "html", "png")


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the existing database (never created nor migrated by these commands)."""
    with existing_session() as db_session:
        yield db_session


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.print(f"[bold red]Date illisible pour {option} :[/] « {escape(text)} »"
                      " (AAAA-MM-JJ)")
        raise typer.Exit(BAD_INPUT) from None


def run_report(
    name: str, start: date, end: date, site: str | None, service_code: str | None, fmt: str,
    output_text: str | None,
) -> None:
    """`-o FILE` writes the report to FILE in every format, the table too (as plain text);
    a directory is refused (exit 2) with the name a file in it could take."""
    from crm_core.reports import render, service

    if fmt not in Formats:
        errors.print(f"[bold red]Format inconnu :[/] « {escape(fmt)} » ({', '.join(Formats)})")
        raise typer.Exit(BAD_INPUT)
    default_name = f"rapport-{name}-{start}-{end}.{'txt' if fmt == 'table' else fmt}"
    output = None if output_text is None else _output_file(output_text, default_name)
    try:
        timezone = command_settings().timezone
        with _session() as db_session:
            scope = service.resolve_scope(db_session=db_session, actor=None, start=start,
                                          end=end, timezone=timezone, site_code=site,
                                          service_code=service_code)
            report = service.build_report(db_session=db_session, name=name, scope=scope)
            db_session.commit()
    except DomainError as exc:  # an impossible period or an unknown site: 2; else 1
        raise refused(exc) from exc
    if fmt == "table" and output is None:
        render.print_report(report, console)
        return
    body = _table_text(report) if fmt == "table" else render.render(report, fmt)
    if output is None and fmt in ("json", "csv", "html"):
        typer.echo(body.decode("utf-8"), nl=False)  # a write error: `outside_failure`
        return
    target = output or Path(default_name)
    try:
        target.write_bytes(body)
    except OSError as exc:  # the path was checked: the system failed while writing (1)
        _unwritable(target, system_reason(exc), REFUSED)
    console.print(f"Rapport écrit : {target} ({count(len(body))} octets)")


def _unwritable(target: Path, why: str, code: int = BAD_INPUT) -> NoReturn:
    errors.print(f"[bold red]Fichier impossible à écrire :[/] {escape(str(target))} ({why})",
                 soft_wrap=True)
    raise typer.Exit(code)


def _output_file(text: str, default_name: str) -> Path:
    """The file `-o` names, checked before the report is built, not after (exit 2). A
    directory (existing, or written with a final slash) is refused: `Path` would drop the
    slash and write a file named like the directory."""
    target = Path(text)
    if target.is_dir():
        _unwritable(target, f"c'est un dossier : donnez un nom de fichier, par exemple"
                            f" {target / default_name}")
    if text.endswith(("/", os.sep)):
        absent = "" if target.exists() else f", et {target} n'existe pas"
        _unwritable(target, f"un chemin qui finit par « / » désigne un dossier{absent} :"
                            f" donnez un nom de fichier, par exemple {target / default_name}")
    if not target.parent.is_dir():
        _unwritable(target, f"le dossier {target.parent} n'existe pas")
    return target


def _table_text(report: Report) -> bytes:
    """The terminal's tables as plain text, for `--format table -o FILE`."""
    from crm_core.reports import render

    text = io.StringIO()
    render.print_report(report, Console(file=text, width=120, color_system=None,
                                        force_terminal=False, emoji=False))
    return text.getvalue().encode("utf-8")


FromOption = Annotated[str, typer.Option("--from", help="Premier jour (AAAA-MM-JJ).")]
ToOption = Annotated[str, typer.Option("--to", help="Dernier jour (AAAA-MM-JJ).")]
SiteOption = Annotated[str | None, typer.Option("--site", help="Code du site.")]
ServiceOption = Annotated[str | None, typer.Option("--service", help="Code du service.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="table, json, csv, xlsx, html ou png.")]
OutputOption = Annotated[str | None, typer.Option(
    "--output", "-o", help="Fichier à écrire (tous formats, la table en texte ; pas un dossier).")]


def _command(name: str) -> Callable[..., None]:
    def command(
        start: FromOption, end: ToOption, site: SiteOption = None,
        service_code: ServiceOption = None, fmt: FormatOption = "table",
        output: OutputOption = None,
    ) -> None:
        run_report(name, _day(start, "--from"), _day(end, "--to"), site, service_code, fmt,
                   output)

    return command


for _name, _help in (
    ("channels", "Contacts et demandes par canal."),
    ("journeys", "Parcours entre canaux, premier contact, délais de résolution."),
    ("waiting", "Attente et service aux guichets (tickets)."),
    ("calls", "Appels offerts, décrochés, abandonnés, temps avant décroché."),
    ("themes", "Natures et thèmes des demandes, thèmes en hausse."),
):
    report_app.command(_name, help=_help)(_command(_name))


@report_app.command("month")
def month_report(
    month: Annotated[str, typer.Argument(help="Le mois, AAAA-MM (par exemple 2026-10).")],
    site: SiteOption = None, service_code: ServiceOption = None, fmt: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Tous les rapports d'un mois, en un document."""
    from crm_core.reports.service import parse_month

    try:
        start, end = parse_month(month)
    except DomainError as exc:
        raise refused(exc) from exc
    run_report("month", start, end, site, service_code, fmt, output)


@report_app.command("refresh")
def refresh() -> None:
    """Intégrer les écritures récentes aux cumuls (le serveur le fait au fil de l'eau)."""
    from crm_core.config import city_today
    from crm_core.reports.rollup import fold_all, prune_presence

    timezone = command_settings().timezone
    with _session() as db_session:
        folded = fold_all(db_session=db_session, timezone=timezone)
        pruned = prune_presence(db_session=db_session, today=city_today(timezone))
        db_session.commit()
    console.print(f"{folded.deltas} écriture(s) intégrée(s), {pruned} trace(s) de présence "
                  "de périodes closes supprimée(s).")


@report_app.command("rebuild")
def rebuild_command() -> None:
    """Recalculer tous les cumuls depuis les tables (après un chargement, ou pour réparer)."""
    from crm_core.reports.rebuild import rebuild

    started = datetime.now()
    timezone = command_settings().timezone
    with _session() as db_session:
        result = rebuild(db_session=db_session, timezone=timezone)
        db_session.commit()
    console.print(f"Cumuls recalculés : {result.cells} cellules, {result.presences} traces "
                  f"de présence, en {(datetime.now() - started).total_seconds():.1f} s.")
