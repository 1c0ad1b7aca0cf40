"""Setting values refused at start, in French, rather than failing on the first request
that needs them (an outside look: a time zone « Mars/Base » started the server, then
every new case answered 500 and the reports' folding thread died)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from badge import generate_signing_key
from crm_core.app.launcher import full_app
from crm_core.config import Settings

runner = CliRunner()


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("RELAIS_TIMEZONE", "Mars/Base", "fuseau horaire inconnu « Mars/Base »"),
    ("RELAIS_TIMEZONE", "Europe/Pari", "vouliez-vous dire Europe/Paris ?"),
    ("RELAIS_TIMEZONE", "../../etc/passwd", "fuseau horaire inconnu"),
    ("RELAIS_DEFAULT_PHONE_REGION", "ZZ", "région téléphonique inconnue « ZZ »"),
    ("RELAIS_BADGE_SIGNING_KEY", "garbage", "RELAIS_BADGE_SIGNING_KEY : clé illisible"),
    ("RELAIS_BADGE_VERIFY_KEYS", "a,b", "RELAIS_BADGE_VERIFY_KEYS : clé publique illisible"),
    ("RELAIS_AUDIT_SEAL_SECONDS", "inf", "RELAIS_AUDIT_SEAL_SECONDS : nombre fini attendu"),
    ("RELAIS_REPORT_FOLD_SECONDS", "nan", "RELAIS_REPORT_FOLD_SECONDS : nombre fini attendu"),
    ("RELAIS_AUDIT_SEAL_SECONDS", "-1", "valeur trop petite (au moins 0 attendu)"),
    ("RELAIS_TRUSTED_PROXIES", "garbage", "RELAIS_TRUSTED_PROXIES : « garbage » n'est ni"),
])
def test_a_wrong_value_stops_every_command_in_french(
    monkeypatch: pytest.MonkeyPatch, fresh_database_url: str, variable: str, value: str,
    said: str,
) -> None:
    monkeypatch.setenv("RELAIS_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv(variable, value)
    result = runner.invoke(full_app(), ["db", "upgrade"])
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert f"{variable} : {variable}" not in result.stderr  # the variable named once
    assert "Traceback" not in result.output


def test_a_good_value_is_read_as_the_city_writes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_DEFAULT_PHONE_REGION", "be")
    monkeypatch.setenv("RELAIS_TIMEZONE", "America/Cayenne")
    key = generate_signing_key("k2")
    monkeypatch.setenv("RELAIS_BADGE_SIGNING_KEY", key.to_text())
    monkeypatch.setenv("RELAIS_BADGE_VERIFY_KEYS", generate_signing_key("k1").verify_key.to_text())
    settings = Settings(demo_mode=True)
    assert (settings.default_phone_region, settings.timezone) == ("BE", "America/Cayenne")


@pytest.mark.parametrize("value", ["UTC+1", "GMT-3", "+01:00", "UTC +2"])
def test_an_offset_is_no_time_zone_and_no_close_name_is_offered(value: str) -> None:
    """Outside look at issue 21: « UTC+1 » was answered « vouliez-vous dire UTC ? », an
    hour off all year (and two in summer)."""
    with pytest.raises(ValueError, match="ne portent pas de décalage") as refused:
        Settings(demo_mode=True, timezone=value)
    said = str(refused.value)
    assert "vouliez-vous dire" not in said
    assert "les noms IANA ne portent pas de décalage" in said


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_time_zone_is_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RELAIS_TIMEZONE", value)
    assert Settings(demo_mode=True).timezone == "Europe/Paris"
