"""`relais residents duplicates | merge | unmerge | reindex` and `relais bench search`.

Merges from the command line are still an agent's act: `--agent` names a supervisor
account, whose name goes into the merge record and the access log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import ROLE_LABELS, Permission
from crm_core.cli_exits import BAD_INPUT, REFUSED, errors, refused
from crm_core.cli_french import FrenchTyper
from crm_core.recognition.wording import DECISION_LABELS, comparison_line, moved_sentence
from crm_core.text import echoed

residents_app = FrenchTyper(help="Usagers : doublons, fusions, clés de recherche.",
                            no_args_is_help=True)
console = Console()

AgentOption = Annotated[str, typer.Option("--agent", help="Identifiant du superviseur qui agit.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Pourquoi (conservé dans les traces).")]


@contextmanager
def _database() -> Iterator[tuple[Engine, Session]]:
    """The existing database (never created nor migrated by these commands)."""
    from crm_core.cli_database import existing_database

    with existing_database() as opened:
        yield opened


def _identifier(text: str, name: str) -> uuid.UUID:
    """An id typed on the command line (Typer would answer a bad one in English)."""
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        errors.print(f"[bold red]Identifiant illisible pour {name} :[/] « {escape(text)} »"
                      " (attendu : un identifiant comme 3f1c2a4e-9b0d-4c1e-8f2a-5d6e7f8a9b0c)",
                      soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None


def _reason(text: str) -> str:
    """`--reason` read by the API's own rule (`MergeReason`): the same refusals, in the
    same French words, before anything is opened or written."""
    from pydantic import TypeAdapter, ValidationError

    from crm_core.recognition.schemas import MergeReason
    from crm_core.validation_messages import french_message

    try:
        return TypeAdapter(MergeReason).validate_python(text)
    except ValidationError as exc:
        errors.print(f"[bold red]Motif refusé (--reason) :[/]"
                     f" {escape(french_message(exc.errors()[0]))}", soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None


def _french_date(value: object) -> str:
    """A birth date as a French agent reads it (28/06/1991), `?` when unknown."""
    if value is None:
        return "?"
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day:%d/%m/%Y}"


def _takeable(fields: list[str] | None) -> list[str]:
    """`--take` checked before anything is opened: the service's own rule and words."""
    from crm_core.exceptions import InvalidInput
    from crm_core.recognition.merge import check_takeable

    try:
        check_takeable(fields or [])
    except InvalidInput as exc:
        errors.print(f"[bold red]Refusé (--take) :[/] {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None
    return fields or []


def _insee_code(text: str | None) -> str | None:
    """`--insee-code` read as the API reads a commune's code (`InseeCode`)."""
    from pydantic import TypeAdapter, ValidationError

    from crm_core.residents.schemas import InseeCode

    if text is None:
        return None
    try:
        return TypeAdapter(InseeCode).validate_python(text)
    except ValidationError:
        errors.print(f"[bold red]Code INSEE illisible pour --insee-code :[/]"
                     f" « {escape(echoed(text))} » (attendu : 5 chiffres, ou 2A ou 2B suivi de"
                     " 3 chiffres pour la Corse, comme 75056 ou 2A004)", soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None


def _actor(db_session: Session, username: str) -> Actor:
    from crm_core.agents.models import Agent

    agent = db_session.scalar(select(Agent).where(Agent.username == username, Agent.active))
    if agent is None:
        errors.print(f"[bold red]Refusé :[/] aucun agent actif « {escape(username)} »")
        raise typer.Exit(BAD_INPUT)  # a name that matches nothing: the command line to fix
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                  site_id=agent.site_id)
    if not actor.can(Permission.RESIDENT_MERGE):
        errors.print(f"[bold red]Refusé :[/] le rôle {ROLE_LABELS[agent.role]} ne permet pas"
                      " de fusionner des dossiers")
        raise typer.Exit(REFUSED)
    return actor


@residents_app.command("duplicates")
def duplicates_command(
    min_weight: Annotated[float, typer.Option(
        help="Poids de correspondance minimal affiché.")] = 0.0,
    limit: Annotated[int, typer.Option(help="Paires affichées.", min=1)] = 50,
    insee_code: Annotated[str | None, typer.Option(
        help="Cette commune seulement (code INSEE).")] = None,
) -> None:
    """Paires de dossiers qui sont probablement la même personne, chaque poids expliqué."""
    from crm_core.recognition.duplicates import find_duplicates

    commune = _insee_code(insee_code)
    with _database() as (_, db_session):
        pairs = find_duplicates(db_session=db_session, min_weight=min_weight, limit=limit,
                                insee_code=commune)
    # At 80 columns, each pair's two records stack in one column exactly as wide as an id:
    # an id is never cut (a supervisor copies it into `relais residents merge`), a name too
    # long for it ends with "…", the comparisons wrap. (Rich's min_width with overflow="fold"
    # lays such a table out wider than the terminal and crops its right-hand side.)
    table = Table(title=f"Doublons probables ({len(pairs)})")
    table.add_column("poids", no_wrap=True, width=8)
    table.add_column("dossiers (A puis B)", width=36, no_wrap=True)
    table.add_column("comparaisons")
    for pair in pairs:
        data = pair.as_dict()
        people = "\n\n".join(
            f"{escape(r['given_name'])} {escape(r['family_name'])}\n"
            f"{_french_date(r['birth_date'])} · {escape(r['city'] or '')}\n{r['resident_id']}"
            for r in data["residents"])
        reasons = "\n".join(escape(comparison_line(c)) for c in data["comparisons"])
        score = (f"{data['weight']:.1f}\np = {data['probability']:.2f}\n".replace(".", ",")
                 + DECISION_LABELS.get(data["decision"], data["decision"]))
        table.add_row(score, people, reasons)
    console.print(table)


@residents_app.command("merge")
def merge_command(
    survivor: Annotated[str, typer.Argument(metavar="SURVIVOR_ID")],
    merged: Annotated[str, typer.Argument(metavar="MERGED_ID")],
    agent: AgentOption, reason: ReasonOption,
    take: Annotated[list[str] | None, typer.Option(
        metavar="CHAMP", help="Reprendre du dossier fusionné : birth_date, birth_name ou"
        " address ; répétez --take pour en reprendre plusieurs.")] = None,
) -> None:
    """Fusionner MERGED_ID dans SURVIVOR_ID (annulable : `relais residents unmerge`)."""
    from crm_core.exceptions import DomainError
    from crm_core.recognition import merge

    survivor_id, merged_id = _identifier(survivor, "SURVIVOR_ID"), _identifier(merged, "MERGED_ID")
    reason = _reason(reason)
    take = _takeable(take)

    with _database() as (_, db_session):
        actor = _actor(db_session, agent)
        try:
            record = merge.merge(db_session=db_session, actor=actor, survivor_id=survivor_id,
                                 merged_id=merged_id, reason=reason, take_fields=take)
            db_session.commit()
        except DomainError as exc:
            raise refused(exc) from exc
        described = merge.describe(db_session=db_session, merge_id=record.id)
    console.print(f"Fusion {record.id} enregistrée : {moved_sentence(described['moved'])}.")
    console.print(f"Pour l'annuler : relais residents unmerge {record.id} --agent {agent}"
                  " --reason \"…\"")


@residents_app.command("unmerge")
def unmerge_command(
    merge: Annotated[str, typer.Argument(metavar="MERGE_ID")], agent: AgentOption,
    reason: ReasonOption,
) -> None:
    """Annuler une fusion : chaque dossier retrouve exactement ce qu'il avait."""
    from crm_core.exceptions import DomainError
    from crm_core.recognition import merge as merges

    merge_id = _identifier(merge, "MERGE_ID")
    reason = _reason(reason)

    with _database() as (_, db_session):
        actor = _actor(db_session, agent)
        try:
            merges.unmerge(db_session=db_session, actor=actor, merge_id=merge_id, reason=reason)
            db_session.commit()
        except DomainError as exc:
            raise refused(exc) from exc
    console.print(f"Fusion {merge_id} annulée.")


@residents_app.command("reindex")
def reindex_command() -> None:
    """Recalculer toutes les clés de recherche (après un chargement ou un import)."""
    from crm_core.recognition.rebuild import rebuild_search_keys

    with _database() as (engine, _):
        console.print(str(rebuild_search_keys(engine=engine)))
