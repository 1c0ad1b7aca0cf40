"""Every output opens: the PNG decodes, the XLSX reopens, the HTML needs nothing else."""

from __future__ import annotations

import csv
import io
import re
from types import ModuleType

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.orm import Session

from crm_core.channels import Channel
from crm_core.reports.query import Scope
from crm_core.reports.render import render
from crm_core.reports.schemas import Report
from crm_core.reports.service import build_report
from tests.crm_core.reports.dataset import OCTOBER, at, make_world
from tests.support.clock import city_zone


def _month(db_session: Session, factories: ModuleType) -> Report:
    world = make_world(db_session, factories)
    for who in range(8):
        world.contact(who, Channel.PHONE, at(3 + who))
    world.contact(50, Channel.COUNTER, at(4))  # one person: suppressed
    for who in range(60, 65):
        world.contact(who, Channel.EMAIL, at(4))  # the complement that goes with it
    for who in range(6):
        case = world.case(who, Channel.WEB, at(2))
        world.resolve(case, Channel.COUNTER, at(5))
    start, end = OCTOBER
    return build_report(db_session=db_session, name="month",
                        scope=Scope(start=start, end=end, timezone=city_zone()))


def test_png_decodes(db_session: Session, factories: ModuleType) -> None:
    image = Image.open(io.BytesIO(render(_month(db_session, factories), "png")))
    image.load()
    assert image.format == "PNG"
    assert image.width >= 800 and image.height >= 800


def test_xlsx_reopens_with_the_figures(db_session: Session, factories: ModuleType) -> None:
    book = load_workbook(io.BytesIO(render(_month(db_session, factories), "xlsx")))
    assert book.sheetnames[0] == "Rapport"
    sheet = book[book.sheetnames[1]]
    assert sheet["A1"].value == "Contacts et demandes ouvertes par canal"
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["Téléphone"][0] == 8
    assert rows["Guichet"][0] == "s"
    assert rows["Courriel"][0] == "s"
    assert rows["Total"][0] == 14


def test_html_is_self_contained(db_session: Session, factories: ModuleType) -> None:
    page = render(_month(db_session, factories), "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "<th scope=\"row\">Téléphone</th>" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("data:image/png;base64,") for source in sources)
    assert "<script" not in page and "<link" not in page and "url(" not in page


def test_csv_is_semicolon_separated_french(db_session: Session, factories: ModuleType) -> None:
    body = render(_month(db_session, factories), "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert ["Téléphone", "8", "57,1", "0", "0"] in rows
    assert ["Guichet", "s", "s", "0", "0"] in rows
