"""Usage errors and help of `relais` in French, with exit code 2 (no database needed)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from crm_core.app.launcher import apps_only, full_app

app = full_app()

runner = CliRunner()
ENGLISH = ("Usage:", "Error", "No such", "Missing", "Try ", "Show this message", "Invalid value",
           "Got unexpected", "requires an argument", "does not take", "Commands", "default:",
           "Input should", "is not one of", "[required]")

USAGE_ERRORS = {
    ("--foo",): "Option inconnue : --foo",
    ("nosuch",): "Commande inconnue : « nosuch »",
    ("repot",): "(vouliez-vous dire report ?)",
    ("report", "month"): "Argument manquant : month",
    ("report", "month", "2026-10", "--nope"): "Option inconnue : --nope",
    ("report", "month", "2026-10", "--format"): "L'option --format attend une valeur",
    ("report", "month", "2026-10", "en-trop"): "Argument(s) en trop : en-trop",
    ("serve", "--port", "abc"): "Valeur invalide pour --port : nombre entier attendu",
    ("serve", "--workers", "100"): "valeur trop grande (au plus 64 attendu)",
    ("agent", "add", "x"): "Option obligatoire manquante : --role",
    ("agent", "add", "x", "--role", "maire"): "« maire » n'est pas une valeur possible",
    ("demo", "--seed-only=3"): "L'option --seed-only ne prend pas de valeur",
    ("audit", "verify", "--expect-head"): "L'option --expect-head attend une valeur",
}


@pytest.mark.parametrize("arguments", USAGE_ERRORS, ids=" ".join)
def test_usage_errors_are_said_in_french_and_exit_2(arguments: tuple[str, ...]) -> None:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 2, result.output
    assert USAGE_ERRORS[arguments] in result.output
    assert "Erreur :" in result.output
    for english in ENGLISH:
        assert english not in result.output, (english, result.output)


@pytest.mark.parametrize("arguments", [(), ("report",), ("reminders",)], ids=str)
def test_a_group_without_its_command_shows_french_help_and_exits_2(
    arguments: tuple[str, ...]
) -> None:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 2, result.output
    assert "Utilisation : root" in result.output  # the runner names it root
    assert "Commandes" in result.output


@pytest.mark.parametrize("arguments", [
    ("--help",), ("report", "month", "--help"), ("reminders", "stuck", "--help"),
    ("phone", "ring", "--help"), ("audit", "verify", "--help"), ("demo", "--help"),
    ("agent", "add", "--help"), ("integrations", "deliver", "--help"),
], ids=" ".join)
def test_help_is_in_french(arguments: tuple[str, ...]) -> None:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    assert "Utilisation : root" in result.output  # the runner names it root
    assert "Afficher cette aide" in result.output
    for english in ENGLISH:
        assert english not in result.output, (english, result.output)


def test_the_apps_only_command_line_speaks_french_too() -> None:
    result = runner.invoke(apps_only(), ["phone", "ring"])
    assert result.exit_code == 2, result.output
    assert "Argument manquant : NUMÉRO" in result.output


def test_a_system_error_while_working_is_said_in_french_with_exit_1() -> None:
    # `relais report … > /dev/full` ended in an English OSError traceback.
    import errno

    from crm_core.cli_french import FrenchTyper

    broken = FrenchTyper()

    @broken.command("write")
    def write() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    @broken.command("bug")
    def bug() -> None:
        raise KeyError("a bug keeps its traceback")

    result = runner.invoke(broken, ["write"])
    assert result.exit_code == 1, result.output
    assert "Erreur : disque plein (sortie de la commande)." in result.stderr
    assert "No space" not in result.output and "Traceback" not in result.output
    assert isinstance(runner.invoke(broken, ["bug"]).exception, KeyError)


def test_help_lists_each_command_on_lines_the_terminal_chooses() -> None:
    # Typer kept the docstrings' line breaks in a group's list: « (sortie 1 » then the
    # rest of the sentence on the next line, even on a wide terminal.
    import typer

    def walk(command: object) -> list[object]:
        found = [command]
        for child in getattr(command, "commands", {}).values():
            found += walk(child)
        return found

    for command in walk(typer.main.get_command(app)):
        help_text = getattr(command, "help", None) or ""
        first = help_text.split("\n\n")[0]
        assert "\n" not in first, (getattr(command, "name", "?"), first)
    listing = runner.invoke(app, ["reminders", "--help"], terminal_width=200).output
    assert "(sortie 1 si certains ont échoué" in listing



ENGLISH_WORDS = {"the", "to", "of", "and", "with", "instead", "size", "time", "or"}


def _every_command(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """Each command of the tree, by its path (Typer's own Click: walked by its attributes)."""
    found = [(" ".join(path), command)]
    for name, sub in (getattr(command, "commands", None) or {}).items():
        found += _every_command(sub, (*path, name))
    return found


def test_every_command_and_option_is_described_in_french() -> None:
    """Every command of `relais` (the plugged-in ones too), its help as printed: no English
    (`relais bench counter --help` was, until an outside look)."""
    import typer

    english = []
    for path, _command in _every_command(typer.main.get_command(app)):
        shown = runner.invoke(app, [*path.split(), "--help"]).output
        words = set(re.findall(r"(?<![-\w])[a-z]+(?![-\w])", shown.lower()))
        if found := ENGLISH_WORDS & words:
            english.append(f"relais {path} --help: {sorted(found)}")
    assert not english, "\n".join(english)



# Click's and Typer's fixed English in a help: types (`<float>`), markers, ranges.
_ENGLISH_MARKERS = re.compile(
    r"<(?:str|int|float|bool|int range|float range|datetime|path|Path|uuid|UUID|list\[.*?\])>"
    r"|\b(?:INTEGER|TEXT|FLOAT|BOOLEAN|FILENAME|PATH|DIRECTORY)\b|\[default|\[required\]"
    r"|Usage:|Options:|Commands:|Arguments:|Show this message|x[<>]="
    r"|par défaut : no-")  # an off switch's default shown by Click's English name


def test_every_help_of_the_command_tree_is_free_of_english_markers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fourth outside look at issue 21: `<float>`, `<str>`, `<bool>`, `x>=1` in the helps."""
    import typer

    monkeypatch.setenv("COLUMNS", "120")
    commands = _every_command(typer.main.get_command(app))
    assert len(commands) > 30  # the whole tree, plugins' commands included
    english = []
    for path, _command in commands:
        shown = runner.invoke(app, [*path.split(), "--help"])
        assert shown.exit_code == 0, (path, shown.output)
        if found := _ENGLISH_MARKERS.findall(shown.output):
            english.append(f"relais {path} --help: {sorted(set(found))}")
    assert not english, "\n".join(english)
