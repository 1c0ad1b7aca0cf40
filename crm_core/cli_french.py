"""The `relais` command line in French, its usage errors and the fixed words of its help.

Typer carries its own copy of Click, whose messages are English f-strings with no catalogue
to translate ("Usage:", "No such option", "Missing argument", "Try … for help"). So the
root group catches Click's usage errors itself and says them in French from what each
exception holds (the option, the parameter, the value), and the help is printed with
French panel titles, usage prefix and help option. `FrenchTyper` is `typer.Typer` with
these classes by default: every command line of Relais is built from it.

A usage error exits 2 (see `crm_core.cli_exits`); an English message this module does not
know is shown as it is rather than lost.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from typer import _click as click
from typer import core as typer_core
from typer import rich_utils
from typer._click.exceptions import (
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
)
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.exceptions import Abort
from typer.models import CommandFunctionType

from crm_core.cli_exits import BAD_INPUT, REFUSED, database_failure, outside_failure
from crm_core.validation_messages import french_message

HELP_OPTION = "Afficher cette aide et quitter."
USAGE = "Utilisation : "
_PANELS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments", "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes", "ERRORS_PANEL_TITLE": "Erreur",
    "DEFAULT_STRING": "[par défaut : {}]", "REQUIRED_LONG_STRING": "[obligatoire]",
    "ENVVAR_STRING": "[variable : {}]", "DEPRECATED_STRING": "(obsolète) ",
    "ABORTED_TEXT": "Abandon.", "RICH_HELP": "Aide : [blue]{command_path} {help_option}[/]",
}
# Click's own sentences (ctx.fail, parser, coercion), with what to say instead.
_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french) for pattern, french in (
        (r"Got unexpected extra argument\(s\) \((.*)\)", "argument(s) en trop : {0}"),
        (r"No such command '(.*)'\.(?: Did you mean (.*)\?)?",
         "commande inconnue : « {0} »{1}"),
        (r"Missing command\.", "commande manquante"),
        (r"Option '(.*)' requires an argument\.", "l'option {0} attend une valeur"),
        (r"Option '(.*)' requires (\d+) arguments\.", "l'option {0} attend {1} valeurs"),
        (r"Option '(.*)' does not take a value\.", "l'option {0} ne prend pas de valeur"),
        (r"Value (.*) is not a valid (.*)\.", "valeur invalide : {0}"),
        (r"Value must be an iterable\.", "plusieurs valeurs attendues"),
        (r"(?:Value error, )?'(.*)' is not one of (.*)\.",
         "« {0} » n'est pas une valeur possible (attendu : {1})"),
    ))


def _sentence(english: str) -> str:
    for pattern, french in _SENTENCES:
        found = pattern.fullmatch(english.strip())
        if found is not None:
            parts = [part or "" for part in found.groups()]
            if french.startswith("commande inconnue") and parts[1]:
                parts[1] = f" (vouliez-vous dire {parts[1].replace(chr(39), '')} ?)"
            if french.startswith("«"):
                parts[1] = parts[1].replace("'", "").replace(" or ", " ou ")
            return french.format(*parts)
    return english


def _value_problem(error: BadParameter) -> str:
    """Why a value was refused: Pydantic's reasons in French when Typer checked it."""
    cause = error.__cause__
    if isinstance(cause, ValidationError):
        reasons = []
        for detail in cause.errors():
            said = french_message(detail)
            reasons.append(_sentence(said) if said != "valeur invalide" else
                           _sentence(str(detail.get("msg", said))))
        return "; ".join(reasons)
    return _sentence(error.message)


def _hint(error: BadParameter | MissingParameter) -> str:
    return _raw_hint(error).replace("'", "")  # Click quotes names: '--port'


def _raw_hint(error: BadParameter | MissingParameter) -> str:
    if error.param_hint is not None:
        hints = error.param_hint
        return " / ".join(hints) if not isinstance(hints, str) else hints
    if error.param is not None:
        return error.param.get_error_hint()
    return ""


def french_error(error: click.ClickException) -> str:
    """The French sentence for one of Click's errors."""
    if isinstance(error, NoSuchOption):
        message = f"option inconnue : {error.option_name}"
        if error.possibilities:
            message += f" (vouliez-vous dire {', '.join(sorted(error.possibilities))} ?)"
        return message
    if isinstance(error, MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param else "")
        what = "argument manquant" if kind == "argument" else "option obligatoire manquante"
        return f"{what} : {_hint(error)}"
    if isinstance(error, BadParameter):
        hint = _hint(error)
        where = f" pour {hint}" if hint else ""
        return f"valeur invalide{where} : {_value_problem(error)}"
    return _sentence(error.message)


def _usage(ctx: click.Context) -> str:
    pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
    return f"{USAGE}{ctx.command_path} {pieces}".rstrip()


def show_usage_error(error: click.ClickException, console: Console) -> None:
    ctx: click.Context | None = getattr(error, "ctx", None)
    if ctx is not None:
        console.print(escape(_usage(ctx)), highlight=False, soft_wrap=True)
        if ctx.command.get_help_option(ctx) is not None:
            console.print(f"Aide : {escape(ctx.command_path)} {ctx.help_option_names[0]}",
                          highlight=False, soft_wrap=True)
    message = french_error(error)
    console.print(f"[bold red]Erreur :[/] {escape(message[:1].upper() + message[1:])}.",
                  highlight=False, soft_wrap=True)


# The type a help shows for a value (Typer writes Python's names: `<float>`, `<str>`).
_TYPE_NAMES = {"str": "texte", "int": "entier", "int range": "entier", "float": "nombre",
               "float range": "nombre", "datetime": "date et heure", "path": "chemin",
               "Path": "chemin", "file": "fichier", "directory": "dossier",
               "UUID": "identifiant", "uuid": "identifiant"}
_LIST_TYPE = re.compile(r"list\[(.*)\]")


def french_type(shown: str | None) -> str | None:
    """`<float>` → `<nombre>`, `<list[str]>` → `<texte>...`, `<bool>` (a flag takes no
    value) → nothing; a metavar the command chose (`SURVIVOR_ID`), a list of choices, as
    they are."""
    if not shown or not (shown.startswith("<") and shown.endswith(">")):
        return shown
    name = shown[1:-1]
    if name == "bool":
        return ""
    listed = _LIST_TYPE.fullmatch(name)
    if listed is not None:
        return f"<{_TYPE_NAMES.get(listed.group(1), listed.group(1))}>..."
    return f"<{_TYPE_NAMES.get(name, name)}>"


def french_range(low: int | float | None, high: int | float | None) -> str | None:
    """A number's bounds as French writes them (Typer: `x>=1`, `1<=x<=64`)."""
    if low is None and high is None:
        return None
    if low is None:
        return f"au plus {high}"
    return f"au moins {low}" if high is None else f"de {low} à {high}"


def _french_display(english: Callable[..., str | None]) -> Callable[..., str | None]:
    def display(param: Any, ctx: click.Context) -> str | None:
        return french_type(english(param, ctx))

    return display


@contextmanager
def _french_help() -> Iterator[None]:
    """Typer's help panels read these module constants, each parameter's type and Typer's
    description of a number's range when they print."""
    kept = {name: getattr(rich_utils, name) for name in _PANELS}
    for name, french in _PANELS.items():
        setattr(rich_utils, name, french)
    displays = {kind: kind.__dict__["display_type_rich"]
                for kind in (typer_core._TyperParameter, TyperOption)}
    for kind, english in displays.items():
        kind.display_type_rich = _french_display(english)  # type: ignore[method-assign]
    english_range = typer_core.describe_number_range  # type: ignore[attr-defined]
    typer_core.describe_number_range = french_range  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        for name, english_constant in kept.items():
            setattr(rich_utils, name, english_constant)
        for kind, english in displays.items():
            kind.display_type_rich = english  # type: ignore[method-assign]
        typer_core.describe_number_range = english_range  # type: ignore[attr-defined]


class FrenchFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE if prefix is None else prefix)


class FrenchContext(click.Context):
    formatter_class = FrenchFormatter


_OPTION_HELP = {
    "help": HELP_OPTION,
    "install_completion": "Installer la complétion pour le shell utilisé.",
    "show_completion": "Afficher la complétion pour le shell utilisé (à copier ou adapter).",
}


def _in_french(params: list[click.Parameter]) -> list[click.Parameter]:
    """The options Typer adds by itself (help, completion), with French help."""
    for param in params:
        if param.name in _OPTION_HELP and isinstance(param, TyperOption):
            param.help = _OPTION_HELP[param.name]
        if isinstance(param, TyperOption) and param.is_flag:
            # Click would show an off switch's default by its English name: `no-once`.
            param.show_default = False
    return params


def _unwrapped(help_text: str | None) -> str | None:
    """The docstring's paragraphs each on one line. In rich mode Typer keeps a docstring's
    line breaks in a group's list of commands: "(sortie 1" then "si certains…" on the next
    line, wherever the terminal ends. Rich then wraps at the terminal's width."""
    if not help_text:
        return help_text
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split("\n"))
                        for p in paragraphs)


class FrenchCommand(TyperCommand):
    context_class = FrenchContext

    def __init__(self, *args: Any, **settings: Any) -> None:
        super().__init__(*args, **settings)
        self.help = _unwrapped(self.help)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _in_french(super().get_params(ctx))


class FrenchGroup(TyperGroup):
    context_class = FrenchContext

    def __init__(self, *args: Any, **settings: Any) -> None:
        super().__init__(*args, **settings)
        self.help = _unwrapped(self.help)
        self.subcommand_metavar = "COMMANDE [ARGUMENTS]..."

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _in_french(super().get_params(ctx))

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None,
        complete_var: str | None = None, standalone_mode: bool = True, **extra: Any,
    ) -> Any:
        """Click's errors caught here, below the English printing of Typer's own `main`."""
        with _french_help():
            try:
                outcome = super().main(args, prog_name, complete_var, standalone_mode=False,
                                       **extra)
            except NoArgsIsHelpError:
                if not standalone_mode:
                    raise
                sys.exit(BAD_INPUT)  # the help is already printed: a command was expected
            except click.ClickException as error:
                if not standalone_mode:
                    raise
                show_usage_error(error, Console(stderr=True))
                sys.exit(error.exit_code)
            except Abort:
                if not standalone_mode:
                    raise
                Console(stderr=True).print("[red]Abandon.[/]")
                sys.exit(REFUSED)
            except OSError as error:  # stdout on a full disk or a closed pipe, mostly
                if not standalone_mode:
                    raise
                _silence_stdout()  # else Python fails again flushing it at exit
                sys.exit(outside_failure(error))
            except Exception as error:  # only a database failure is said; others raise
                code = database_failure(error) if standalone_mode else None
                if code is None:
                    raise
                sys.exit(code)
        if not standalone_mode:
            return outcome
        sys.exit(outcome if isinstance(outcome, int) else 0)


def _silence_stdout() -> None:
    """Point stdout at /dev/null: what is left in its buffer cannot be written anyway."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's runner): nothing to do
        pass


class FrenchTyper(typer.Typer):
    """`typer.Typer` whose groups and commands speak French (help and usage errors)."""

    def __init__(self, **settings: Any) -> None:
        settings.setdefault("cls", FrenchGroup)
        super().__init__(**settings)

    def command(
        self, *args: Any, **settings: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        settings.setdefault("cls", FrenchCommand)
        return super().command(*args, **settings)
