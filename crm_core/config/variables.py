"""Every `RELAIS_*` variable Relais reads, and the refusal of any other at start.

pydantic-settings ignores a variable it does not know (`extra="ignore"`), so a typo such as
RELAIS_TOKEN_TTL_MINUTE would leave the default in force without a word. The server
(`create_app`) and every `relais` command therefore check the environment, and the `.env`
file pydantic-settings reads, against the names below, and refuse an unknown one in French
with the closest known name.

Known: every field of the server's `Settings` and of its sections (each with its own
prefix), the settings of each plugin (`Plugin.settings`), those of the workstation apps
(entry-point group `relais.settings`: the core never imports the apps), and the few
variables read outside any settings class (`OTHER_VARIABLES`).
"""

from __future__ import annotations

import difflib
import io
import os
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream
from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

PREFIX = "RELAIS_"
# Settings classes of packages that are not server plugins: the workstation apps.
SETTINGS_GROUP = "relais.settings"

# Read outside any settings class; each line says who reads it.
OTHER_VARIABLES: tuple[str, ...] = (
    "RELAIS_AMI_SECRET",  # phone_desk/cli.py: `relais phone asterisk`, the AMI password
    "RELAIS_PBX_SECRET",  # phone_desk/cli.py: `relais phone asterisk`, the PBX's secret
    "RELAIS_FUZZ_EXAMPLES",  # tests/crm_core/security/test_fuzz.py: examples per input
    "RELAIS_FUZZ_RANDOM",  # tests/crm_core/security/test_fuzz.py: a random seed
    "RELAIS_TESTS_REQUIRE_ALL",  # tests/run, tests/support/required.py: no silent skips
    "RELAIS_TESTS_SHIFTED_CLOCKS",  # tests/run: the suite again under shifted clocks
    "RELAIS_TEST_CLOCK",  # tests/run, tests/support/clock.py: the shifted clock
    "RELAIS_TEST_CLOCK_OFFSET_MS",  # tests/support/clock.py, node_clock.cjs: its offset
    "RELAIS_TEST_POSTGRES_URL",  # tests/conftest.py: a PostgreSQL server to test on
    "RELAIS_UPDATE_SNAPSHOTS",  # tests/run, tests/counter_client/snapshot.py
)


class UnknownVariables(ValueError):
    """`RELAIS_*` variables no part of Relais reads (a typo, most often)."""


class UnreadableDotenv(UnknownVariables):
    """A `.env` line that is no `NAME=value`: python-dotenv would skip it with an English
    warning, and the variable it meant to set would keep its default without a word."""


def sections(cls: type[BaseSettings]) -> list[type[BaseSettings]]:
    """The settings classes a settings class holds as sections (`Settings.security`)."""
    found: list[type[BaseSettings]] = []
    for field in cls.model_fields.values():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseSettings):
            found.append(kind)
    return found


def is_section(field: FieldInfo) -> bool:
    """A field holding a settings class of its own (`Settings.security`)."""
    kind = field.annotation
    return isinstance(kind, type) and issubclass(kind, BaseSettings)


def field_variables(cls: type[BaseSettings], name: str, field: FieldInfo) -> list[str]:
    """The variables one field reads: its aliases, else the class's prefix and its name."""
    alias = field.validation_alias or field.alias
    if isinstance(alias, str):
        return [alias.upper()]
    if isinstance(alias, AliasChoices):
        return [str(choice).upper() for choice in alias.choices if isinstance(choice, str)]
    return [(str(cls.model_config.get("env_prefix") or "") + name).upper()]


def variables_of(cls: type[BaseSettings]) -> list[str]:
    """The variables a settings class reads, in the order of its fields; a section is
    read under its own prefix, not as one variable."""
    return [variable for name, field in cls.model_fields.items() if not is_section(field)
            for variable in field_variables(cls, name, field)]


def server_classes() -> list[type[BaseSettings]]:
    """The server's settings: `Settings`, its sections, then each plugin's."""
    from crm_core.config import Settings
    from crm_core.plugins import plugins

    classes: list[type[BaseSettings]] = [Settings, *sections(Settings)]
    classes.extend(plugin.settings() for plugin in plugins() if plugin.settings is not None)
    return classes


def app_classes() -> list[type[BaseSettings]]:
    """The workstation apps' settings, declared in the entry-point group `relais.settings`."""
    found = sorted(entry_points(group=SETTINGS_GROUP), key=lambda point: point.name)
    classes = []
    for point in found:
        loaded = point.load()
        if not (isinstance(loaded, type) and issubclass(loaded, BaseSettings)):
            raise TypeError(f"entry point {SETTINGS_GROUP} {point.name} is not a BaseSettings")
        classes.append(loaded)
    return classes


@cache
def known_variables() -> frozenset[str]:
    names = {name for cls in [*server_classes(), *app_classes()] for name in variables_of(cls)}
    return frozenset(names | set(OTHER_VARIABLES))


def given_variables(environ: Mapping[str, str], dotenv: Path) -> list[str]:
    """The `RELAIS_*` names set in the environment or in the `.env` file, upper case
    (pydantic-settings reads them whatever their case)."""
    names = [name for name in environ if name.upper().startswith(PREFIX)]
    if dotenv.is_file():
        check_dotenv(dotenv)
        names.extend(name for name in dotenv_values(dotenv) if name.upper().startswith(PREFIX))
    return sorted({name.upper() for name in names})


def check_dotenv(dotenv: Path) -> None:
    """Raise `UnreadableDotenv` (in French, naming the line, never its content: it may
    hold a secret) for a `.env` that python-dotenv cannot read whole."""
    raw = dotenv.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        number = raw[:exc.start].count(b"\n") + 1
        raise UnreadableDotenv(f"la ligne {number} du fichier {dotenv} n'est pas en UTF-8 :"
                               " enregistrez le fichier dans cet encodage") from exc
    for binding in parse_stream(io.StringIO(text)):
        # A bare word (« RELAIS_TIMEZONE » alone, a pasted password): python-dotenv keeps
        # it as a name without a value, which sets nothing. Refused like any other.
        if binding.error or (binding.key is not None and binding.value is None):
            raise UnreadableDotenv(
                f"ligne {binding.original.line} du fichier {dotenv} illisible : chaque ligne"
                " est de la forme NOM=valeur (les valeurs avec des espaces entre guillemets),"
                " un commentaire (#) ou vide ; corrigez-la")


def refusal(unknown: Iterable[str], known: Iterable[str]) -> str:
    """One French sentence per unknown name, with the closest known one when there is."""
    candidates = sorted(known)
    sentences = []
    for name in unknown:
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.8)
        sentences.append(f"Variable inconnue : {name} — vouliez-vous dire {close[0]} ?" if close
                         else f"Variable inconnue : {name} (voir docs/configuration.md)")
    return " ; ".join(sentences)


def check_variables(
    environ: Mapping[str, str] | None = None, *, dotenv: Path = Path(".env"),
    known: frozenset[str] | None = None, scope: tuple[str, ...] = (PREFIX,),
) -> None:
    """Raise `UnknownVariables` (its message in French) for a `RELAIS_*` variable that is
    set and that nothing reads. `scope`: only names under these prefixes are checked (the
    workstation apps check their own, without loading the server's classes)."""
    known = known_variables() if known is None else known
    given = given_variables(os.environ if environ is None else environ, dotenv)
    unknown = [name for name in given if name.startswith(scope) and name not in known]
    if unknown:
        raise UnknownVariables(refusal(unknown, known))


def check_app_variables(environ: Mapping[str, str] | None = None, *,
                        dotenv: Path = Path(".env")) -> None:
    """The apps' own variables only (`RELAIS_COUNTER_*`, `RELAIS_PHONE_*`): a workstation
    starts without importing the server's modules."""
    classes = app_classes()
    scope = tuple(str(cls.model_config.get("env_prefix") or PREFIX).upper() for cls in classes)
    known = frozenset(name for cls in classes for name in variables_of(cls))
    check_variables(environ, dotenv=dotenv, known=known, scope=scope)
