"""A misconfigured e-services source refuses the start, in French, naming the source and
the key (issue 20, fourth outside test: a w.c.s. source given `secrets` instead of
`api_key` was dropped, and every call answered « Source w.c.s. inconnue »)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from crm_core.app.launcher import full_app
from crm_core.app.main import create_app
from crm_core.config import Settings, get_settings
from integrations.settings import IntegrationSettings
from integrations.webhooks.signature import new_secret

app = full_app()

WCS = {"kind": "wcs", "api_url": "http://127.0.0.1:9", "orig": "relais", "api_key": "k"}
# Fixed, not new_secret(): a parameter's id must be the same in every xdist worker.
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
DS = {"kind": "ds", "api_url": "http://127.0.0.1:9", "token": "t", "demarches": [1]}


@pytest.mark.parametrize(("source", "said"), [
    ({"kind": "wcs", "api_url": "http://127.0.0.1:9", "orig": "relais", "secrets": ["s"]},
     "clé « api_key » manquante"),
    ({"kind": "wcs", "api_url": "http://127.0.0.1:9", "orig": "relais", "secrets": ["s"]},
     "clé « secrets » inattendue pour une source w.c.s."),
    ({"kind": "ds", "api_url": "http://127.0.0.1:9", "demarches": [1]},
     "clé « token » manquante"),
    ({"kind": "standard"}, "clé « secrets » manquante"),
    ({"kind": "standard", "secrets": []}, "clé « secrets » manquante"),
    ({"kind": "standard", "secrets": [SECRET], "api_key": "k"},
     "clé « api_key » inattendue"),
    ({"kind": "ds", "api_url": "http://127.0.0.1:9", "token": "t", "orig": "relais"},
     "clé « orig » inattendue"),
])
def test_a_source_missing_what_its_kind_needs_is_refused(
    source: dict[str, Any], said: str
) -> None:
    with pytest.raises(ValueError, match="source « publik »") as refused:
        IntegrationSettings(webhook_sources={"publik": source})
    assert said in str(refused.value)


def test_a_mistyped_key_is_refused() -> None:
    with pytest.raises(ValueError, match="api_kye"):
        IntegrationSettings(webhook_sources={"publik": WCS | {"api_kye": "k"}})


def test_well_configured_sources_pass() -> None:
    settings = IntegrationSettings(webhook_sources={
        "publik": WCS, "ds": DS, "portail": {"secrets": [new_secret()]}})
    assert set(settings.webhook_sources) == {"publik", "ds", "portail"}


@pytest.fixture
def misconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = WCS | {"secrets": ["s"]}
    del bad["api_key"]
    monkeypatch.setenv("RELAIS_WEBHOOK_SOURCES", json.dumps({"publik": bad}))


@pytest.mark.usefixtures("misconfigured")
def test_the_server_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="source « publik »"):
        create_app()
    monkeypatch.setenv("RELAIS_DATABASE_URL", "sqlite:///:memory:")
    get_settings.cache_clear()
    started = CliRunner().invoke(app, ["serve", "--port", "9"])
    get_settings.cache_clear()
    assert started.exit_code == 2, started.output
    assert "Configuration refusée" in started.output
    assert "source « publik »" in started.output and "api_key" in started.output


@pytest.mark.usefixtures("misconfigured")
def test_every_command_refuses_a_misconfigured_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """The connectors' settings are a section of the one `Settings`: built with it, so a
    command that is not the server (here the purge cron job) refuses them too."""
    monkeypatch.setenv("RELAIS_DATABASE_URL", "sqlite:///:memory:")
    with pytest.raises(ValueError, match="source « publik »"):
        Settings()
    purged = CliRunner().invoke(app, ["integrations", "purge"])
    assert purged.exit_code == 2, purged.output
    assert "source « publik »" in purged.output


def test_the_connectors_are_a_section_of_the_one_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings() == Settings()  # the applications under test are cached by settings
    monkeypatch.setenv("RELAIS_OIDC_PROVIDER_NAME", "Mon-Compte")
    changed = Settings()
    assert changed.section(IntegrationSettings).oidc_provider_name == "mon-compte"


@pytest.mark.parametrize("provider", ["f\u3164z", "compte unique", "٢"])
def test_a_configured_provider_meets_the_account_links_rule(provider: str) -> None:
    with pytest.raises(ValueError, match="account_provider"):
        IntegrationSettings(webhook_sources={"publik": WCS | {"account_provider": provider}})
    with pytest.raises(ValueError, match="oidc_provider_name"):
        IntegrationSettings(oidc_provider_name=provider)


@pytest.mark.parametrize(("source", "said"), [
    ({"kind": "standard", "secrets": ["whsec_@@@"]}, "clé « secrets » (n° 1) : secret illisible"),
    ({"kind": "standard", "secrets": ["nothex"]}, "clé « secrets » (n° 1) : secret trop court"),
    (WCS | {"api_url": "notaurl"}, "clé « api_url » : adresse http(s):// complète attendue"),
    (WCS | {"api_url": "ftp://wcs.example"}, "clé « api_url »"),
    (WCS | {"api_url": "https://"}, "clé « api_url »"),
    (WCS | {"status_map": {"1": "bogus"}}, "clé « status_map » : statut(s) inconnu(s) bogus"),
    (DS | {"status_map": {"accepte": "done"}}, "statut(s) inconnu(s) done"),
    # Sixth outside test: the delivery secret was not checked, and every delivery failed.
    ({"kind": "standard", "secrets": [SECRET], "outbound_url": "https://x.example",
      "outbound_secret": "whsec_@@@"}, "clé « outbound_secret » : secret illisible"),
    ({"kind": "standard", "secrets": [SECRET], "outbound_url": "https://x.example",
      "outbound_secret": "whsec_dGVzdA=="}, "clé « outbound_secret » : secret trop court"),
    ({"kind": "standard", "secrets": [SECRET], "outbound_url": "https://x.example"},
     "« outbound_url » et « outbound_secret » : l'une ne va pas sans l'autre"),
    ({"kind": "standard", "secrets": [SECRET], "outbound_secret": SECRET},
     "l'une ne va pas sans l'autre"),
])
def test_a_value_that_cannot_work_is_refused_at_load(source: dict[str, Any], said: str) -> None:
    """Issue 20, fifth outside test: these started, then every webhook answered 500 (or
    the platform was never reached)."""
    with pytest.raises(ValueError, match="source « q »") as refused:
        IntegrationSettings(webhook_sources={"q": source})
    assert said in str(refused.value)


def test_the_server_refuses_an_unusable_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_WEBHOOK_SOURCES",
                       json.dumps({"q": {"kind": "standard", "secrets": ["whsec_@@@"]}}))
    monkeypatch.setenv("RELAIS_DATABASE_URL", "sqlite:///:memory:")
    get_settings.cache_clear()
    started = CliRunner().invoke(app, ["serve", "--port", "9"])
    get_settings.cache_clear()
    assert started.exit_code == 2, started.output
    assert "Configuration refusée" in started.output
    assert "source « q »" in started.output and "secret illisible" in started.output


@pytest.mark.parametrize(("value", "said", "unsaid"), [
    ("{not json", "RELAIS_WEBHOOK_SOURCES : valeur illisible (JSON attendu)", "SettingsError"),
    (json.dumps({"p": {"secrets": [SECRET], "secret": "x"}}),
     "RELAIS_WEBHOOK_SOURCES.p.secret : champ inconnu", "RELAIS_WEBHOOK_SOURCES.P"),
])
def test_an_unreadable_variable_is_a_french_refusal(
    monkeypatch: pytest.MonkeyPatch, value: str, said: str, unsaid: str
) -> None:
    """Issue 20, fifth outside test: not JSON gave a traceback ending in English; a source's
    name was said upper-cased (« RELAIS_WEBHOOK_SOURCES.P.SECRET »)."""
    monkeypatch.setenv("RELAIS_WEBHOOK_SOURCES", value)
    monkeypatch.setenv("RELAIS_DATABASE_URL", "sqlite:///:memory:")
    get_settings.cache_clear()
    started = CliRunner().invoke(app, ["serve", "--port", "9"])
    get_settings.cache_clear()
    assert started.exit_code == 2, started.output
    assert said in started.output and unsaid not in started.output
    assert "Traceback" not in started.output


def test_configured_providers_are_lower_cased() -> None:
    settings = IntegrationSettings(oidc_provider_name="Compte-Unique", webhook_sources={
        "publik": WCS | {"account_provider": "FC"}})
    assert settings.oidc_provider_name == "compte-unique"
    assert settings.webhook_sources["publik"].account_provider == "fc"


@pytest.mark.parametrize("key", ["deferred", "require_body_binding"])
def test_a_yes_or_no_is_true_or_false_not_a_word(key: str) -> None:
    source = (WCS if key == "require_body_binding" else {"kind": "standard",
                                                         "secrets": [SECRET]}) | {key: "yes"}
    with pytest.raises(ValueError, match=key):
        IntegrationSettings(webhook_sources={"q": source})
