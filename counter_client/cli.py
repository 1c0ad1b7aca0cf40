"""`relais counter`: start the counter app on this workstation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crm_core.cli_exits import BAD_INPUT

if TYPE_CHECKING:
    from counter_client.app import CounterApp


def counter(
    server: Annotated[
        str | None, typer.Option(help="Adresse du serveur Relais (par défaut http://127.0.0.1:8000).")
    ] = None,
    printer: Annotated[
        str | None, typer.Option(help="Imprimante de reçus : tcp://hôte:9100, usb://…")
    ] = None,
    card_reader: Annotated[
        str | None, typer.Option(help="Lecteur sans contact : none ou pcsc.")
    ] = None,
    contrast: Annotated[bool, typer.Option(help="Thème à fort contraste.")] = False,
) -> None:
    """L'application des agents d'accueil (badge, recherche, saisie, impression ; marche
    hors ligne)."""
    app = build_app(server=server, printer=printer, card_reader=card_reader, contrast=contrast)
    try:
        app.run()
    finally:
        app.client.close()
        app.journal.close()
        if app.print_queue is not None:
            app.print_queue.close()
        if app.card_reader is not None:
            app.card_reader.close()


def build_app(
    *, server: str | None = None, printer: str | None = None, card_reader: str | None = None,
    contrast: bool = False, data_dir: Path | None = None,
) -> CounterApp:
    """Settings, devices, client and app, as `relais counter` starts them (the bench's
    cold start goes through here too)."""
    from pydantic import ValidationError

    from badge.card import CardReader
    from badge.errors import PrinterConfigError
    from badge.printing import PrintQueue, open_printer
    from counter_client.app import make_app
    from counter_client.config import CounterSettings
    from crm_core.client import RelaisClient
    from crm_core.client.private_files import DataDirError, data_dir_refusal, secure_data_dir
    from crm_core.client.settings_checks import settings_refusal

    overrides: dict[str, object] = {}
    if server:
        overrides["server_url"] = server
    if printer is not None:
        overrides["printer_url"] = printer
    if card_reader is not None:
        overrides["card_reader"] = card_reader
    if contrast:
        overrides["theme"] = "contraste"
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    try:
        settings = CounterSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:  # an option or a RELAIS_COUNTER_* variable: nothing started
        typer.echo(settings_refusal(exc.errors(), prefix="RELAIS_COUNTER_",
                                    options={"card_reader": "--card-reader"}), err=True)
        raise typer.Exit(BAD_INPUT) from exc
    try:
        repaired = secure_data_dir(settings.data_dir)  # before the spool is opened in it
    except DataDirError as exc:
        typer.echo(data_dir_refusal(exc, "RELAIS_COUNTER_DATA_DIR"), err=True)
        raise typer.Exit(BAD_INPUT) from exc
    reader: CardReader | None = None
    if settings.card_reader == "pcsc":
        from badge.card import PcscCardReader

        reader = PcscCardReader()
    queue = None
    if settings.printer_url:
        try:
            transport = open_printer(settings.printer_url)
        except PrinterConfigError as exc:  # the URL was checked: a driver is missing
            package = re.search(r"package (\S+)", exc.detail)
            typer.echo(f"Imprimante ignorée : pilote absent sur ce poste pour"
                       f" {settings.printer_url}" + (f" (paquet Python {package[1]})"
                                                     if package else ""), err=True)
        else:
            queue = PrintQueue(spool=settings.data_dir / "print-spool.sqlite3",
                               transport=transport)
    client = RelaisClient(settings.server_url)
    return make_app(settings, client, card_reader=reader, print_queue=queue,
                    data_dir_repaired=repaired)
