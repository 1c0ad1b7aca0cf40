"""docs/configuration.md is generated from the settings (`relais config docs`): a setting
added without a description, or the file left stale, fails here."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from crm_core.app.launcher import full_app
from crm_core.config.docs import configuration_markdown
from crm_core.config.variables import app_classes, is_section, server_classes

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "configuration.md"
runner = CliRunner()


def test_the_committed_reference_is_the_generated_one() -> None:
    assert DOC.read_text(encoding="utf-8") == configuration_markdown(), (
        "docs/configuration.md is stale: relais config docs > docs/configuration.md")


def test_every_setting_says_what_it_is() -> None:
    missing = [f"{cls.__name__}.{name}" for cls in [*server_classes(), *app_classes()]
               for name, field in cls.model_fields.items()
               if not is_section(field) and not (field.description or "").strip()]
    assert missing == []


def test_the_command_prints_it_and_checks_a_file(tmp_path: Path) -> None:
    printed = runner.invoke(full_app(), ["config", "docs"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == configuration_markdown()
    assert "| `RELAIS_COUNTER_PRINTER_URL` |" in printed.stdout
    assert "(command-line.md#which-database-a-command-uses)" in printed.stdout
    fresh = runner.invoke(full_app(), ["config", "docs", "--check", str(DOC)])
    assert fresh.exit_code == 0, fresh.output
    stale = tmp_path / "configuration.md"
    stale.write_text(configuration_markdown().replace("`600`", "`60`"), encoding="utf-8")
    refused = runner.invoke(full_app(), ["config", "docs", "--check", str(stale)])
    assert refused.exit_code == 1, refused.output
    assert "n'est plus à jour" in refused.stderr


def test_a_check_of_what_is_not_a_readable_file_is_said_in_french(tmp_path: Path) -> None:
    for target, said in ((tmp_path, "C'est un dossier, pas un fichier"),
                         (tmp_path / "absent.md", "Fichier introuvable")):
        result = runner.invoke(full_app(), ["config", "docs", "--check", str(target)])
        assert result.exit_code == 2, result.output
        assert said in result.stderr and "directory" not in result.stderr
