"""`relais phone`: the phone agents' desk; `relais phone ami`: the Asterisk adapter."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Annotated

import typer

phone_app = typer.Typer(help="Phone desk and telephony adapters.", invoke_without_command=True)


@phone_app.callback()
def phone(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Option(help="Relais server URL.")] = None,
    extension: Annotated[str | None, typer.Option(help="Telephone extension of this seat.")] = None,
) -> None:
    """The phone agents' desk: the caller's file on screen before they pick up."""
    if ctx.invoked_subcommand is not None:
        return
    from crm_core.client.telephony import PhoneClient
    from phone_desk.app import make_app
    from phone_desk.config import DeskSettings

    overrides: dict[str, str] = {}
    if server:
        overrides["server_url"] = server
    if extension:
        overrides["extension"] = extension
    settings = DeskSettings(**overrides)  # type: ignore[arg-type]
    client = PhoneClient(settings.server_url)
    try:
        make_app(settings, client).run()
    finally:
        client.close()


@phone_app.command("ami")
def ami(
    host: Annotated[str, typer.Option(help="Asterisk host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="AMI port (manager.conf).")] = 5038,
    username: Annotated[str, typer.Option(help="AMI user (manager.conf).")] = "relais",
    server: Annotated[str, typer.Option(help="Relais server URL.")] = "http://127.0.0.1:8000",
    pbx: Annotated[
        str, typer.Option(help="This PBX's name in RELAIS_TELEPHONY_PBX_SECRETS.")
    ] = "asterisk",
    inbound_context: Annotated[list[str] | None, typer.Option(
        help="Dialplan contexts of outside calls (repeat); default from-trunk, from-pstn…")] = None,
) -> None:
    """Follow an Asterisk PBX over AMI and send its calls to Relais. Secrets come from the
    environment: RELAIS_AMI_SECRET (manager.conf) and RELAIS_PBX_SECRET (the PBX's signing
    secret, as listed in the server's RELAIS_TELEPHONY_PBX_SECRETS)."""
    from phone_desk.ami import AmiAdapter, CallTracker, HttpEventSink
    from phone_desk.ami.adapter import AmiSettings
    from phone_desk.ami.tracker import DEFAULT_INBOUND_CONTEXTS

    ami_secret = os.environ.get("RELAIS_AMI_SECRET")
    pbx_secret = os.environ.get("RELAIS_PBX_SECRET")
    if not ami_secret or not pbx_secret:
        typer.echo("Définissez RELAIS_AMI_SECRET et RELAIS_PBX_SECRET.", err=True)
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    contexts = frozenset(inbound_context) if inbound_context else DEFAULT_INBOUND_CONTEXTS

    async def run() -> None:
        sink = HttpEventSink(server, pbx=pbx, secret=pbx_secret)
        adapter = AmiAdapter(AmiSettings(host=host, port=port, username=username,
                                         secret=ami_secret), sink,
                             CallTracker(inbound_contexts=contexts))
        try:
            await adapter.run()
        finally:
            await sink.aclose()

    typer.echo(f"AMI {host}:{port} → {server} (PBX « {pbx} »)")
    asyncio.run(run())


@phone_app.command("ring")
def ring_command(
    caller: Annotated[str, typer.Argument(help="The caller's number, as the PBX gives it.")],
    extension: Annotated[str, typer.Option(help="The extension that rings.")] = "201",
    server: Annotated[str, typer.Option(help="Relais server URL.")] = "http://127.0.0.1:8000",
    pbx: Annotated[str | None, typer.Option(
        help="PBX name in RELAIS_TELEPHONY_PBX_SECRETS (default: the first).")] = None,
    answer_after: Annotated[float | None, typer.Option(
        help="Answer after this many seconds.")] = None,
    hangup_after: Annotated[float | None, typer.Option(
        help="Hang up this many seconds later.")] = None,
    demo: Annotated[bool, typer.Option(help="Use the PBX secret of `relais demo`.")] = False,
) -> None:
    """Play the PBX for one call (signed generic CTI events): the desk of EXTENSION rings."""
    from crm_core.cli import DEMO_PBX_SECRETS
    from crm_core.telephony.config import get_telephony_settings
    from phone_desk.ring import PbxCredentials, RingFailed, ring

    secrets = DEMO_PBX_SECRETS if demo else get_telephony_settings().pbx_secrets
    try:
        credentials = PbxCredentials.from_setting(
            secrets if isinstance(secrets, str) else secrets.get_secret_value(), pbx)
        call_id = ring(server=server, credentials=credentials, caller=caller,
                       extension=extension, answer_after=answer_after,
                       hangup_after=hangup_after)
    except RingFailed as exc:
        typer.echo(f"Appel non transmis : {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Appel {call_id} de {caller} vers le poste {extension} (PBX « "
               f"{credentials.pbx} »).")


def bench_phone(
    residents: Annotated[int, typer.Option(help="Dataset size.")] = 100_000,
    calls: Annotated[int, typer.Option(help="Calls to time.")] = 500,
    desks: Annotated[int, typer.Option(help="Connected desks (WebSockets).")] = 50,
    engine: Annotated[str, typer.Option(help="postgresql or sqlite.")] = "postgresql",
    database_url: Annotated[
        str | None, typer.Option(help="Bench an existing, loaded database instead.")
    ] = None,
) -> None:
    """newCall received by the server → caller's summary drawn on the desk (p50/p95/p99)."""
    from rich.console import Console

    from phone_desk.bench import run_phone_benchmark

    run_phone_benchmark(residents=residents, calls=calls, desks=desks, engine_kind=engine,
                        console=Console(), database_url=database_url)
