"""`relais counter`: start the counter app on this workstation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

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
    from badge.printing import PrintQueue, open_printer
    from counter_client.app import make_app
    from counter_client.config import CounterSettings
    from counter_client.private_files import secure_data_dir
    from crm_core.client import RelaisClient

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
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]) for e in exc.errors())
        typer.echo(f"Configuration refusée : {reasons}", err=True)
        raise typer.Exit(2) from exc
    repaired = secure_data_dir(settings.data_dir)  # before the spool is opened in it
    reader: CardReader | None = None
    if settings.card_reader == "pcsc":
        from badge.card import PcscCardReader

        reader = PcscCardReader()
    queue = None
    if settings.printer_url:
        try:
            transport = open_printer(settings.printer_url)
        except Exception as exc:  # a bad URL or a missing driver: say so, start anyway
            typer.echo(f"Imprimante ignorée : {exc}", err=True)
        else:
            queue = PrintQueue(spool=settings.data_dir / "print-spool.sqlite3",
                               transport=transport)
    client = RelaisClient(settings.server_url)
    return make_app(settings, client, card_reader=reader, print_queue=queue,
                    data_dir_repaired=repaired)
