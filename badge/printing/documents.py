"""What the counter prints, rendered to ESC/POS bytes: receipts and paper badges.

Rendering is separate from sending: a document becomes a byte string once (with
python-escpos' ``Dummy`` printer), the spool stores those bytes and a transport sends them.
A retried job is thus byte-for-byte the job first attempted.

Character set: French needs é è à ç ù â ê î ô û ë ï ü ÿ œ Œ æ « » € °. CP858 (PC858) lacks
œ/Œ, CP850 also the euro sign; Windows-1252 has all of them and is the ESC/POS code page
16 ("WPC1252") on Epson and most compatible printers. It is selected explicitly once per
job (``ESC t 16``) instead of letting python-escpos guess page by page, and text is first
folded to what CP1252 can print (narrow no-break spaces, other scripts).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from escpos.constants import QR_ECLEVEL_Q

from badge.localtime import format_datetime_fr, format_day_fr

__all__ = [
    "CODE_PAGE",
    "CODE_PAGE_NUMBER",
    "PrintedBadge",
    "Receipt",
    "printable_text",
    "render_badge",
    "render_receipt",
]

CODE_PAGE = "CP1252"
CODE_PAGE_NUMBER = 16  # ESC t 16 in the Epson table (python-escpos "default" profile)
DEFAULT_PROFILE = "default"

_REPLACEMENTS = {
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (French typography before : ; ! ?)
    "\u2009": " ",  # thin space
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2212": "-",  # minus sign
    # Letters that do not decompose to a base letter: spelt as a French reader would.
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ŀ": "l",
    "Ŀ": "L", "ĸ": "k", "ŉ": "n", "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t",
}


def printable_text(text: str) -> str:
    """``text`` reduced to characters the printer's CP1252 page can print.

    Accented letters are kept; a letter CP1252 lacks loses its accent or is spelt out if
    that helps (``ř`` -> ``r``, ``Ł`` -> ``L``), else becomes ``?``; control characters,
    emoji and other symbols the page lacks are dropped, with the space they leave.
    """
    out: list[str] = []
    dropped = False
    for char in unicodedata.normalize("NFC", text):
        char = _REPLACEMENTS.get(char, char)
        if char == "\n" or (char.isprintable() and _in_cp1252(char)):
            out.append(char)
        elif unicodedata.category(char)[0] in "CMS":
            # Controls, joiners, variation selectors, skin tones, emoji and other
            # symbols: dropped rather than printed as "?" ("Acte 🎂" -> "Acte").
            dropped = True
            continue
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and all(_in_cp1252(c) for c in base) else "?")
    if not dropped:
        return "".join(out)
    lines = "".join(out).split("\n")
    return "\n".join(re.sub(r"  +", " ", line).strip(" ") for line in lines)


def _in_cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Receipt:
    """A counter receipt ("reçu de passage") for one visit about one case."""

    site_name: str  # "Mairie annexe de la Croix-Rousse"
    printed_at: datetime  # aware: shown in French local time
    agent_name: str  # as the agent chose to be named: "Sophie M."
    case_reference: str  # "K7M-42QX"
    case_status: str  # French label from the UI catalogue: "Demande clôturée"
    next_steps: str  # "Et maintenant ?" paragraph(s)
    follow_url: str | None = None  # QR code to follow the request online
    title: str = "Reçu de passage"
    # Which request it is about, in the resident's words: the reference alone says nothing.
    service_label: str = ""  # "État civil"
    case_subject: str = ""  # "Demande d'acte de naissance"


@dataclass(frozen=True, slots=True)
class PrintedBadge:
    """A paper badge: the QR code and no personal data beyond an optional first name."""

    token: str
    issuer_name: str  # "Ville de Lyon"
    expires_at: datetime
    first_name: str | None = None


class _Page:
    """A small layer over python-escpos' Dummy that wraps and sanitises text."""

    def __init__(self, *, profile: str | None, columns: int | None) -> None:
        # Imported here: python-escpos loads its printer profiles on import (~0.3 s), which
        # the counter app would otherwise pay before its first screen.
        from escpos.printer import Dummy

        self.printer = Dummy(profile=profile or DEFAULT_PROFILE)
        self.columns = columns or int(self.printer.profile.get_columns("a"))
        self.printer.hw("INIT")
        self.printer.charcode(CODE_PAGE)
        self._style: tuple[str, bool, bool] | None = None

    def _set_style(self, *, align: str, bold: bool, double: bool) -> None:
        if self._style == (align, bold, double):
            return  # ESC/POS modes persist: only send changes
        self._style = (align, bold, double)
        self.printer.set(
            align=align,
            bold=bold,
            normal_textsize=not double,
            double_width=double,
            double_height=double,
        )

    def text(
        self,
        text: str,
        *,
        align: str = "left",
        bold: bool = False,
        double: bool = False,
    ) -> None:
        self._set_style(align=align, bold=bold, double=double)
        width = self.columns // 2 if double else self.columns
        for paragraph in printable_text(text).split("\n"):
            lines = textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]
            for line in lines:
                self.printer.text(line + "\n")

    def rule(self) -> None:
        self.text("-" * self.columns)

    def feed(self, lines: int = 1) -> None:
        self._set_style(align="left", bold=False, double=False)
        self.printer.text("\n" * lines)

    def qr(self, data: str, *, size: int) -> None:
        self._set_style(align="center", bold=False, double=False)
        # Native: the printer draws the code from the text, sharp at any resolution, and
        # the exact payload stays visible in the byte stream (GS ( k, store data).
        self.printer.qr(data, ec=QR_ECLEVEL_Q, size=size, native=True)
        self.printer.text("\n")

    def finish(self) -> bytes:
        self.printer.cut()
        return bytes(self.printer.output)


def _paragraphs(page: _Page, texts: Iterable[str]) -> None:
    for text in texts:
        page.text(text)


def render_receipt(
    receipt: Receipt, *, profile: str | None = None, columns: int | None = None
) -> bytes:
    """ESC/POS bytes of a receipt, ready for the spool."""
    page = _Page(profile=profile, columns=columns)
    page.text(receipt.site_name, align="center", bold=True)
    page.text(receipt.title, align="center", double=True)
    page.text(f"Le {format_datetime_fr(receipt.printed_at)}", align="center")
    page.text(f"Accueil : {receipt.agent_name}", align="center")
    page.rule()
    page.text("Votre demande", bold=True)
    page.text(f"Référence : {receipt.case_reference}", bold=True)
    if receipt.service_label:
        page.text(f"Service : {receipt.service_label}")
    if receipt.case_subject:
        page.text(f"Objet : {receipt.case_subject}")
    page.text(f"Statut : {receipt.case_status}")
    page.rule()
    page.text("Et maintenant ?", bold=True)
    _paragraphs(page, receipt.next_steps.strip().split("\n"))
    if receipt.follow_url:
        page.rule()
        page.text("Suivez votre demande en ligne :", align="center")
        page.qr(receipt.follow_url, size=6)
        page.text(receipt.follow_url, align="center")
    page.feed()
    page.text("Gardez ce reçu : la référence permet de retrouver votre demande.", align="center")
    return page.finish()


def render_badge(
    badge: PrintedBadge, *, profile: str | None = None, columns: int | None = None
) -> bytes:
    """ESC/POS bytes of a paper badge: QR code of the token, first name at most."""
    page = _Page(profile=profile, columns=columns)
    page.text(badge.issuer_name, align="center", bold=True)
    page.text("Badge serviciel", align="center", double=True)
    page.feed()
    page.qr(badge.token, size=8)
    if badge.first_name:
        page.text(badge.first_name, align="center", bold=True)
    page.text(f"Valable jusqu'au {format_day_fr(badge.expires_at)}", align="center")
    page.rule()
    page.text(
        "Présentez ce code à l'accueil de votre mairie : vous serez reconnu(e) sans "
        "avoir à redonner votre identité ni réexpliquer vos demandes."
    )
    page.text(
        "Ce code ne contient ni votre nom ni vos coordonnées. En cas de perte, faites-le "
        "annuler à l'accueil ou depuis votre espace en ligne."
    )
    return page.finish()
