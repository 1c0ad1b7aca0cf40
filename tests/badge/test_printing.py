"""Receipts and paper badges, printed through python-escpos' Network printer to a real
TCP listener, decoded back from the bytes, their QR codes redrawn and read by zxing-cpp."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qrcode
import qrcode.constants

from badge.errors import PrinterOutOfPaper, PrinterUnavailable
from badge.keys import Keyring, generate_signing_key
from badge.printing import (
    CODE_PAGE_NUMBER,
    PrintedBadge,
    PrintInterrupted,
    PrintQueue,
    Receipt,
    open_printer,
    printable_text,
    render_badge,
    render_receipt,
)
from badge.token import issue_token, new_badge_id, verify_token
from tests.badge.escpos_decoder import Printout, decode
from tests.badge.printer_listener import PAPER_STATUS_REQUEST, RecordingPrinter
from tests.badge.qr_reading import decode_text, matrix_image

FRENCH = "éèêëàâçîïôöùûüÿ œŒ æÆ € ° « » ’ …"
KEY = generate_signing_key("k1")
EXPIRES = datetime(2027, 1, 31, 12, tzinfo=UTC)
TOKEN = issue_token(key=KEY, issuer="69123", badge_id=new_badge_id(), expires_at=EXPIRES)
FOLLOW_URL = "https://demarches.exemple.fr/suivi/K7M-42QX"
RECEIPT = Receipt(
    site_name="Mairie annexe de la Croix-Rousse",
    printed_at=datetime(2025, 3, 14, 9, 30, tzinfo=UTC),  # 10:30 in Paris
    agent_name="Sophie M.",
    case_reference="K7M-42QX",
    case_status="Demande clôturée",
    next_steps=(
        "Votre carte d'électeur arrive par courrier d'ici 3 semaines ; le cœur de ville "
        "est à 20 °C et l'œuvre coûte 12,50 €.\nÀ bientôt, ça marche !"
    ),
    follow_url=FOLLOW_URL,
    service_label="État civil",
    case_subject="Carte d'électeur après déménagement",
)


@pytest.fixture
def printer() -> Iterator[RecordingPrinter]:
    device = RecordingPrinter().switch_on()
    try:
        yield device
    finally:
        device.switch_off()


def redraw_and_read(printout: Printout) -> str:
    """Draw the printed QR code again from its decoded settings and read it."""
    (code,) = printout.qr_codes
    assert code.model == 2 and code.ec_level == "Q"
    levels = {"L": qrcode.constants.ERROR_CORRECT_L, "Q": qrcode.constants.ERROR_CORRECT_Q}
    drawing = qrcode.QRCode(error_correction=levels[code.ec_level], border=4)
    drawing.add_data(code.payload)
    drawing.make(fit=True)
    return decode_text(matrix_image(drawing.get_matrix()))


def print_once(printer: RecordingPrinter, data: bytes, spool: Path) -> Printout:
    with PrintQueue(spool=spool, transport=open_printer(printer.url)) as queue:
        report = queue.submit(data, label="test")
    assert report.error is None and report.waiting == 0
    (job,) = printer.printed_jobs(wait_for=1)
    assert job.startswith(PAPER_STATUS_REQUEST)  # paper checked before printing
    return decode(job)


# --- documents ------------------------------------------------------------------------


def test_receipt_over_the_network(printer: RecordingPrinter, tmp_path: Path) -> None:
    printout = print_once(printer, render_receipt(RECEIPT), tmp_path / "spool.db")
    assert printout.code_pages == [CODE_PAGE_NUMBER] == [16]
    assert printout.initialised == 1 and printout.cuts == 1
    text = printout.text
    for expected in (
        "Mairie annexe de la Croix-Rousse",
        "Reçu de passage",
        "Le 14/03/2025 à 10:30",
        "Accueil : Sophie M.",
        "Référence : K7M-42QX",
        "Statut : Demande clôturée",
        "Service : État civil",  # which request: the reference alone says nothing
        "Et maintenant ?",
        "À bientôt, ça marche !",
    ):
        assert expected in text
    assert FOLLOW_URL in text.replace("\n", "")  # wrapped: longer than a line
    flat = " ".join(text.split())
    assert "Objet : Carte d'électeur après déménagement" in flat  # wrapped
    assert "le cœur de ville est à 20 °C et l'œuvre coûte 12,50 €." in flat
    assert "Référence : K7M-42QX" in printout.bold_lines
    assert "Reçu de passage" in printout.double_size_lines
    assert printout.qr_payloads == [FOLLOW_URL.encode()]
    assert redraw_and_read(printout) == FOLLOW_URL


def test_lines_fit_the_paper() -> None:
    printout = decode(render_receipt(RECEIPT, columns=32))  # a 58 mm printer
    for line in printout.lines:
        limit = 16 if line in printout.double_size_lines else 32
        assert len(line) <= limit, line


def test_paper_badge_carries_the_token_and_nothing_personal(
    printer: RecordingPrinter, tmp_path: Path
) -> None:
    badge = PrintedBadge(
        token=TOKEN, issuer_name="Ville de Lyon", expires_at=EXPIRES, first_name="Camille"
    )
    printout = print_once(printer, render_badge(badge), tmp_path / "spool.db")
    (payload,) = printout.qr_payloads
    assert payload.decode("ascii") == TOKEN
    scanned = redraw_and_read(printout)
    assert scanned == TOKEN
    now = EXPIRES.replace(year=2026)
    claims = verify_token(scanned, keyring=Keyring.of(KEY), issuer="69123", now=now)
    assert claims.expires_at == EXPIRES
    assert "Badge serviciel" in printout.text
    assert "Valable jusqu'au 31/01/2027" in printout.text
    assert "Camille" in printout.bold_lines
    assert "Ville de Lyon" in printout.text
    assert TOKEN not in printout.text  # only in the QR code


def test_badge_without_first_name() -> None:
    badge = PrintedBadge(token=TOKEN, issuer_name="Lyon", expires_at=EXPIRES)
    printout = decode(render_badge(badge))
    assert [line for line in printout.bold_lines if line.strip()] == ["Lyon"]


def test_every_french_character_prints_in_cp1252() -> None:
    receipt = replace(RECEIPT, next_steps=FRENCH, follow_url=None)
    printout = decode(render_receipt(receipt))
    assert FRENCH in printout.text
    assert "?" not in FRENCH and printout.qr_codes == []


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        (FRENCH, FRENCH),
        ("Rendez-vous\u202f: 10\u00a0h", "Rendez-vous : 10 h"),  # French typographic spaces
        ("Dvořák Łódź", "Dvorák Lódz"),  # accents CP1252 lacks are dropped, not mangled
        ("Acte 🎂 de naissance ❤️", "Acte de naissance"),  # emoji and selectors dropped
        ("Famille 👨\u200d👩\u200d👧 Durand 👍🏽", "Famille Durand"),  # joined, skin tone
        ("日本", "??"),
        ("a\x00b\x1bc\td", "abcd"),
        ("ligne 1\nligne 2", "ligne 1\nligne 2"),
    ],
)
def test_printable_text(text: str, printed: str) -> None:
    assert printable_text(text) == printed


# --- the queue, with the real network printer -----------------------------------------


def test_out_of_paper_keeps_the_job_until_a_roll_is_put_back(
    printer: RecordingPrinter, tmp_path: Path
) -> None:
    printer.paper = False
    transport = open_printer(printer.url)
    with PrintQueue(spool=tmp_path / "spool.db", transport=transport) as queue:
        report = queue.submit(render_receipt(RECEIPT), label="reçu K7M-42QX")
        assert isinstance(report.error, PrinterOutOfPaper)
        assert "plus de papier" in report.error.message_fr
        assert report.waiting == 1 and printer.printed_jobs() == []

        printer.paper = True
        report = queue.flush()
        assert report.error is None and report.waiting == 0 and len(report.printed) == 1
        assert queue.flush().printed == []  # nothing printed twice
    (job,) = printer.printed_jobs(wait_for=1)
    assert "Référence : K7M-42QX" in decode(job).text


def test_printer_off_then_on_prints_everything_once_in_order(
    printer: RecordingPrinter, tmp_path: Path
) -> None:
    spool = tmp_path / "spool.db"
    printer.switch_off()
    transport = open_printer(printer.url, timeout=2)
    with PrintQueue(spool=spool, transport=transport) as queue:
        for number in range(3):
            receipt = replace(RECEIPT, case_reference=f"REF-{number}")
            report = queue.submit(render_receipt(receipt), label=f"reçu {number}")
            assert isinstance(report.error, PrinterUnavailable)
        # Each flush stopped at the head of the queue: order is kept.
        assert [job.attempts for job in queue.jobs()] == [3, 0, 0]

    printer.switch_on()
    # A new process (the counter app restarted) finds the spool and prints it.
    with PrintQueue(spool=spool, transport=transport) as queue:
        report = queue.flush()
        assert report.error is None and len(report.printed) == 3
        assert queue.jobs() == []
    references = [decode(job).text for job in printer.printed_jobs(wait_for=3)]
    assert len(references) == 3
    assert all(f"REF-{number}" in text for number, text in enumerate(references))


def test_connection_reset_is_an_interruption_and_the_job_is_resent_whole(
    printer: RecordingPrinter, tmp_path: Path
) -> None:
    data = render_receipt(RECEIPT)
    printer.reset_next_connection = True
    transport = open_printer(printer.url)
    with PrintQueue(spool=tmp_path / "spool.db", transport=transport) as queue:
        report = queue.submit(data, label="reçu")
        assert isinstance(report.error, PrintInterrupted)
        assert report.waiting == 1
        assert queue.flush().error is None
    (job,) = printer.printed_jobs(wait_for=1)
    assert job == PAPER_STATUS_REQUEST + data


def test_file_printer(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.touch()
    transport = open_printer(f"file://{device}")
    data = render_badge(PrintedBadge(token=TOKEN, issuer_name="Lyon", expires_at=EXPIRES))
    with PrintQueue(spool=tmp_path / "spool.db", transport=transport) as queue:
        assert queue.submit(data, label="badge").error is None
    assert decode(device.read_bytes()).qr_payloads == [TOKEN.encode()]
