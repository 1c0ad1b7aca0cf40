"""`relais audit verify | seal | purge`: the access log's hash chain, from the terminal;
`verify` also lists the online-account links stored before the rules (by id)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from crm_core.cli_database import existing_session
from crm_core.cli_exits import BAD_INPUT, REFUSED, errors
from crm_core.cli_french import FrenchTyper
from crm_core.text import count

audit_app = FrenchTyper(help="Journal des consultations : vérifier la chaîne, sceller, purger.",
                        no_args_is_help=True)
retention_app = FrenchTyper(help="Durées de conservation (à lancer chaque jour).",
                            no_args_is_help=True)
console = Console()


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the existing database (never created nor migrated by these commands)."""
    with existing_session() as db_session:
        yield db_session


SHOWN_PROBLEMS = 50


@audit_app.command("verify")
def verify_command(
    expect_head: Annotated[str | None, typer.Option(
        help="Une tête notée lors d'un passage précédent (NUMÉRO:EMPREINTE) : vérifier"
        " qu'elle est toujours là.")] = None,
) -> None:
    """Recalculer la chaîne ; sortie 1 si une ligne a été modifiée, supprimée, ou la
    chaîne coupée."""
    from crm_core.privacy.audit import UNREADABLE_HEAD, parse_head, verify

    if expect_head is not None and parse_head(expect_head) is None:
        # Said at once: not after reading the whole chain, nor as one anomaly among many.
        errors.print(f"[bold red]Refusé :[/] {UNREADABLE_HEAD} : « {escape(expect_head)} »",
                      soft_wrap=True)
        raise typer.Exit(BAD_INPUT)
    with _session() as db_session:
        report = verify(db_session=db_session, expect_head=expect_head)
        _report_account_links(db_session)
    if report.checked == 0 and report.intact:
        # Nothing sealed: "intact" would vouch for a log that holds nothing to check.
        if report.unsealed:
            errors.print(f"[bold red]Aucune ligne scellée : rien à vérifier.[/]"
                          f" {count(report.unsealed)} ligne(s) pas encore scellée(s) :"
                          " lancez relais audit seal.", soft_wrap=True)
        else:
            errors.print("[bold red]Journal vide : rien à vérifier.[/]")
        raise typer.Exit(BAD_INPUT)
    console.print(f"{count(report.checked)} lignes vérifiées depuis le maillon "
                  f"{report.purged_up_to} ; {count(report.unsealed)} pas encore scellées.")
    console.print(f"Tête de chaîne (à conserver ailleurs) : [bold]{report.head}[/]")
    if expect_head is not None:  # the verdict asked for, before any list
        if report.head_problem is None:
            console.print("Tête attendue retrouvée.")
        else:
            console.print(f"[bold red]Tête attendue : {escape(report.head_problem)}[/]")
    if report.intact:
        console.print("[bold green]Journal des consultations intègre.[/]")
        return
    rows = [p for p in report.problems if p != report.head_problem]
    if rows:
        console.print(f"[bold red]{count(len(rows))} anomalie(s) :[/]")
    for problem in rows[:SHOWN_PROBLEMS]:
        console.print(f"  • {escape(problem)}")
    if len(rows) > SHOWN_PROBLEMS:
        console.print(f"  … et {count(len(rows) - SHOWN_PROBLEMS)} autres.")
    raise typer.Exit(REFUSED)


def _report_account_links(db_session: Session) -> None:
    """Links stored before the rules, by id (never their subjects): for a person to review,
    not an anomaly of the chain (the exit code stays the chain's)."""
    from crm_core.residents.accounts import links_stored_before_the_rules

    subjects, providers = links_stored_before_the_rules(db_session=db_session)
    if subjects:
        console.print(f"Comptes en ligne : {count(len(subjects))} lien(s) dont l'identifiant "
                      "enfreint la règle des identifiants (enregistrés avant elle, à revoir) : "
                      + ", ".join(str(link) for link in subjects), soft_wrap=True)
    if providers:
        console.print(f"Comptes en ligne : {count(len(providers))} lien(s) dont le fournisseur "
                      "n'est pas en minuscules (doublons laissés par la migration 0022, à "
                      "trancher : voir SECURITY.md) : "
                      + ", ".join(str(link) for link in providers), soft_wrap=True)


@audit_app.command("seal")
def seal_command() -> None:
    """Sceller les lignes du journal pas encore chaînées (le serveur le fait toutes les
    quelques secondes)."""
    from crm_core.privacy.audit import seal_all

    with _session() as db_session:
        sealed = seal_all(db_session=db_session)
        db_session.commit()
    console.print(f"{count(sealed)} ligne(s) scellée(s).")


@audit_app.command("purge")
def purge_command(
    retention_days: Annotated[int | None, typer.Option(
        help="Jours à conserver (par défaut : RELAIS_AUDIT_RETENTION_DAYS).", min=1)] = None,
    dry_run: Annotated[bool, typer.Option(
        help="Dire ce qui partirait, sans rien supprimer.")] = False,
) -> None:
    """Supprimer les lignes plus anciennes que la durée de conservation ; la chaîne reste
    vérifiable."""
    from crm_core.cli_database import command_settings
    from crm_core.privacy.audit import purge

    days = retention_days or command_settings().audit_retention_days
    cutoff = datetime.now(UTC) - timedelta(days=days)
    with _session() as db_session:
        report = purge(db_session=db_session, cutoff=cutoff, dry_run=dry_run)
        if not dry_run:
            db_session.commit()
    verb = "seraient supprimées" if dry_run else "supprimées"
    console.print(f"{count(report.rows)} ligne(s) antérieure(s) au {cutoff:%d/%m/%Y} {verb}"
                  f" (chaîne ancrée au maillon {report.up_to_seq}).")


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option(help="Dire ce que ferait chaque règle.")] = False,
) -> None:
    """Appliquer chaque règle de conservation : journal, sessions des agents, usagers
    inactifs."""
    from rich.table import Table

    from crm_core.cli_database import command_settings
    from crm_core.rights.retention import run_retention

    settings = command_settings()
    with _session() as db_session:
        outcomes = run_retention(db_session=db_session, settings=settings,
                                 now=datetime.now(UTC), dry_run=dry_run)
        if not dry_run:
            db_session.commit()
    table = Table(title="Durées de conservation" + (" (simulation)" if dry_run else ""))
    for column in ("règle", "avant le", "lignes", "appliquée"):
        table.add_column(column)
    for outcome in outcomes:
        table.add_row(outcome.label, f"{outcome.cutoff:%d/%m/%Y}", count(outcome.rows),
                      "oui" if outcome.applied else "non")
    console.print(table)
