"""`relais phone ring` plays the PBX against a real server: signed events, clear refusals."""

from __future__ import annotations

import logging
from typing import Any
from unittest import mock

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crm_core.app.launcher import full_app
from crm_core.cli_database import DEMO_PBX_SECRETS
from crm_core.telephony.enums import CallStatus
from crm_core.telephony.models import Call
from phone_desk.ring import PbxCredentials, RingFailed, send_event
from tests.support.live_server import LiveServer

app = full_app()

runner = CliRunner()


@pytest.fixture
def demo_pbx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", DEMO_PBX_SECRETS)


def test_a_rung_call_reaches_the_server_answered_and_hung_up(
    demo_pbx: None, live_server: LiveServer
) -> None:
    result = runner.invoke(app, ["phone", "ring", "06 12 34 56 78", "--extension", "201",
                                 "--server", live_server.url, "--answer-after", "0",
                                 "--hangup-after", "0"])
    assert result.exit_code == 0, result.output
    assert "vers le poste 201" in result.output
    with live_server.session() as session:
        call = session.scalars(select(Call)).one()
        assert call.remote_number == "+33612345678"
        assert call.status is CallStatus.COMPLETED and call.answered_at is not None


def test_refusals_are_readable(demo_pbx: None, live_server: LiveServer) -> None:
    garbage = runner.invoke(app, ["phone", "ring", "x" * 300, "--server", live_server.url])
    # What was typed (docs/command-line.md), and so is a PBX named by nothing.
    assert garbage.exit_code == 2 and "numéro de l'appelant : " in garbage.output
    unknown_pbx = runner.invoke(app, ["phone", "ring", "0612345678", "--pbx", "autre"])
    assert unknown_pbx.exit_code == 2 and "aucun secret pour le PBX" in unknown_pbx.output
    down = runner.invoke(app, ["phone", "ring", "0612345678", "--demo",
                               "--server", "http://127.0.0.1:9"])
    assert down.exit_code == 1 and "injoignable" in down.output


def test_an_unreachable_server_is_said_in_french(demo_pbx: None) -> None:
    """Outside test after issue 20: « ([Errno 111] Connection refused) »."""
    result = runner.invoke(app, ["phone", "ring", "06 12 34 56 78",
                                 "--server", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "serveur injoignable" in result.output
    assert "Errno" not in result.output and "refused" not in result.output


def test_a_foreign_answer_is_never_shown_raw(caplog: pytest.LogCaptureFixture) -> None:
    """A proxy's or a framework's English page was put as is into `RingFailed`: a French
    reason only, the technical part in the log."""
    credentials = PbxCredentials("pbx-hdv", "s" * 32)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>502 Bad Gateway nginx</html>",
                              headers={"content-type": "text/html"})

    def post(url: str, **kwargs: Any) -> httpx.Response:
        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            return client.post(url, **kwargs)

    caplog.set_level(logging.INFO, logger="relais.phone.ring")
    with mock.patch("phone_desk.ring.httpx.post", post), pytest.raises(RingFailed) as failure:
        send_event(server="http://relais.test", credentials=credentials, payload={})
    assert "Bad Gateway" not in str(failure.value) and "html" not in str(failure.value)
    assert "réponse inattendue" in str(failure.value)
    assert "502" in caplog.text


def test_a_malformed_secret_setting_is_refused_in_french() -> None:
    with pytest.raises(RingFailed) as failure:
        PbxCredentials.from_setting("sans-deux-points")
    assert "AUTOCOMMUTATEUR:SECRET" in str(failure.value)


@pytest.mark.parametrize(("options", "said"), [
    (["0612345678", "--answer-after", "-3"], "--answer-after : délai en secondes attendu"),
    (["0612345678", "--answer-after", "nan"], "--answer-after : délai en secondes attendu"),
    (["0612345678", "--hangup-after", "inf"], "--hangup-after : délai en secondes attendu"),
    (["0612345678", "--server", "notaurl"], "adresse du serveur « notaurl » invalide"),
    (["0612345678", "--extension", ""], "poste vide (--extension)"),
    (["", "--extension", "201"], "numéro de l'appelant vide"),
    (["  "], "numéro de l'appelant vide"),
    # Outside look, issue 19: these went to the server (or into a terminal) unchecked.
    (["06\x1b[2J12"], "numéro de l'appelant : caractère"),
    (["06 12\n34"], "numéro de l'appelant : "),
    # Third outside look, issue 21: a CR was a « libellé », an override went through.
    (["06 12\r34"], "le numéro doit tenir sur une ligne"),
    (["\u202e0612345678"], "U+202E (inversion du sens d'écriture) refusé dans un numéro"),
    (["0" * 101], "numéro de l'appelant : "),
    (["0612345678", "--extension", "2\x0701"], "(--extension)"),
    (["0612345678", "--extension", "1" * 21], "poste téléphonique trop long"),
    (["0612345678", "--pbx", "ast\x1b]0;x"], "nom du PBX : "),
    # Outside look 6: 5000 characters were echoed whole.
    (["0612345678", "--pbx", "a" * 5000], "nom du PBX : 64 caractères au plus"),
])
def test_every_option_is_checked_before_anything_is_sent(
    demo_pbx: None, options: list[str], said: str
) -> None:
    """Issue 19: `--answer-after -3` crashed with a traceback after newCall was sent."""
    with mock.patch("phone_desk.ring.send_event") as send:
        result = runner.invoke(app, ["phone", "ring", *options])
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output
    assert "a" * 61 not in result.output  # a refused value is never echoed at length
    send.assert_not_called()


def test_a_missing_pbx_secret_is_a_configuration_to_fix(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside look, issue 19: no RELAIS_TELEPHONY_PBX_SECRETS exited 1, as a refusal."""
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", "")
    with mock.patch("phone_desk.ring.send_event") as send:
        result = runner.invoke(app, ["phone", "ring", "0612345678"])
    assert result.exit_code == 2, result.output
    assert "RELAIS_TELEPHONY_PBX_SECRETS" in result.stderr
    send.assert_not_called()


def test_an_extension_in_other_digits_rings_the_plain_one(demo_pbx: None) -> None:
    with mock.patch("phone_desk.ring.send_event") as send:
        result = runner.invoke(app, ["phone", "ring", "0612345678", "--extension", "２０１"])
    assert result.exit_code == 0, result.output
    assert send.call_args.kwargs["payload"]["user"] == ["201"]


@pytest.mark.parametrize(("secrets", "said"), [
    ("x:short", "le secret de « x » doit compter au moins 24 caractères"),
    ("nocolon", "chaque entrée s'écrit AUTOCOMMUTATEUR:SECRET"),
    (":" + "a" * 30, "chaque entrée s'écrit AUTOCOMMUTATEUR:SECRET"),
    # A PBX name from the variable passes the --pbx rule too.
    ("as\x1bt:" + "a" * 30, "nom d'autocommutateur refusé, caractère U+001B"),
    ("p" * 65 + ":" + "a" * 30, "nom d'autocommutateur refusé, 64 caractères au plus"),
])
def test_malformed_pbx_secrets_are_a_configuration_to_fix_in_french(
    monkeypatch: pytest.MonkeyPatch, secrets: str, said: str,
) -> None:
    """Outside look 6 at issue 19: a pydantic traceback in English, exit 1."""
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", secrets)
    with mock.patch("phone_desk.ring.send_event") as send:
        result = runner.invoke(app, ["phone", "ring", "0612345678"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Configuration refusée : RELAIS_TELEPHONY_PBX_SECRETS : ")
    assert said in result.stderr
    assert "Traceback" not in result.output and "Value error" not in result.output
    assert "a" * 30 not in result.output and "p" * 61 not in result.output  # never quoted
    send.assert_not_called()


def test_without_a_number_the_argument_is_named_in_french() -> None:
    """Outside look at issue 21: « Argument manquant : caller » and `{caller}`."""
    result = runner.invoke(app, ["phone", "ring"])
    assert result.exit_code == 2
    assert "NUMÉRO" in result.stderr and "caller" not in result.stderr
