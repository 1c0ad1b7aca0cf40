"""`relais phone`: the phone agents' desk; `relais phone ami`: the Asterisk adapter."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Annotated

import typer

from crm_core.cli_exits import BAD_INPUT, REFUSED
from crm_core.cli_french import FrenchTyper

phone_app = FrenchTyper(help="Poste téléphonique et adaptateurs de téléphonie.",
                        invoke_without_command=True)


@phone_app.callback()
def phone(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Option(help="Adresse du serveur Relais.")] = None,
    extension: Annotated[str | None, typer.Option(help="Poste téléphonique de ce bureau.")] = None,
) -> None:
    """Le poste des agents au téléphone : la fiche de l'appelant à l'écran avant de décrocher."""
    if ctx.invoked_subcommand is not None:
        return
    from pydantic import ValidationError

    from crm_core.client.private_files import DataDirError, data_dir_refusal
    from crm_core.client.settings_checks import settings_refusal
    from crm_core.client.telephony import PhoneClient
    from phone_desk.app import make_app
    from phone_desk.config import DeskSettings

    overrides: dict[str, str] = {}
    if server:
        overrides["server_url"] = server
    if extension:
        overrides["extension"] = extension
    try:
        settings = DeskSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:  # an option or a RELAIS_PHONE_* variable: nothing started
        typer.echo(settings_refusal(exc.errors(), prefix="RELAIS_PHONE_",
                                    options={"extension": "--extension"}), err=True)
        raise typer.Exit(BAD_INPUT) from exc
    if settings.extension:  # the server's own rule, said at start rather than after sign-in
        from crm_core.agents.extensions import normalize_extension

        try:
            settings.extension = normalize_extension(settings.extension)
        except ValueError as exc:
            where = "--extension" if extension else "RELAIS_PHONE_EXTENSION"
            typer.echo(f"Poste non démarré : {exc} ({where}).", err=True)
            raise typer.Exit(BAD_INPUT) from exc
    client = PhoneClient(settings.server_url)
    try:
        desk = make_app(settings, client)
    except DataDirError as exc:
        client.close()
        typer.echo(data_dir_refusal(exc, "RELAIS_PHONE_DATA_DIR"), err=True)
        raise typer.Exit(BAD_INPUT) from exc
    try:
        desk.run()
    finally:
        client.close()


@phone_app.command("ami")
def ami(
    host: Annotated[str, typer.Option(help="Hôte Asterisk.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port AMI (manager.conf).")] = 5038,
    username: Annotated[str, typer.Option(help="Utilisateur AMI (manager.conf).")] = "relais",
    server: Annotated[str, typer.Option(help="Adresse du serveur Relais.")] = "http://127.0.0.1:8000",
    pbx: Annotated[
        str, typer.Option(help="Nom de ce PBX dans RELAIS_TELEPHONY_PBX_SECRETS.")
    ] = "asterisk",
    inbound_context: Annotated[list[str] | None, typer.Option(
        help="Contextes du plan de numérotation des appels extérieurs (répétable) ; par"
        " défaut from-trunk, from-pstn…")] = None,
) -> None:
    """Suivre un PBX Asterisk par AMI et transmettre ses appels à Relais. Les secrets
    viennent de l'environnement : RELAIS_AMI_SECRET (manager.conf) et RELAIS_PBX_SECRET (le
    secret de signature du PBX, tel que dans RELAIS_TELEPHONY_PBX_SECRETS du serveur)."""
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
    caller: Annotated[str, typer.Argument(
        metavar="NUMÉRO", help="Le numéro de l'appelant, tel que le PBX le donne.")],
    extension: Annotated[str, typer.Option(help="Le poste qui sonne.")] = "201",
    server: Annotated[str, typer.Option(help="Adresse du serveur Relais.")] = "http://127.0.0.1:8000",
    pbx: Annotated[str | None, typer.Option(
        help="Nom du PBX dans RELAIS_TELEPHONY_PBX_SECRETS (par défaut : le premier).")] = None,
    answer_after: Annotated[float | None, typer.Option(
        help="Décrocher après tant de secondes.")] = None,
    hangup_after: Annotated[float | None, typer.Option(
        help="Raccrocher tant de secondes plus tard.")] = None,
    demo: Annotated[bool, typer.Option(help="Utiliser le secret PBX de `relais demo`.")] = False,
) -> None:
    """Jouer le PBX pour un appel (événements CTI génériques signés) : le poste sonne."""
    from pydantic import ValidationError

    from crm_core.agents.extensions import normalize_extension
    from crm_core.cli_database import DEMO_PBX_SECRETS
    from crm_core.client.settings_checks import settings_refusal
    from crm_core.config.telephony import TelephonySettings
    from phone_desk.ring import PbxCredentials, RingFailed, options_problem, ring

    if problem := options_problem(server=server, caller=caller, extension=extension,
                                  answer_after=answer_after, hangup_after=hangup_after,
                                  pbx=pbx):
        typer.echo(f"Appel non transmis : {problem}.", err=True)
        raise typer.Exit(BAD_INPUT)
    extension = normalize_extension(extension)  # « ２０１ » rings 201, as the server reads it
    try:
        # This command's own reading of the one section it needs (it runs beside a PBX).
        secrets = DEMO_PBX_SECRETS if demo else TelephonySettings().pbx_secrets
    except ValidationError as exc:  # the variable's own French sentence, never its secret
        typer.echo(settings_refusal(exc.errors(), prefix="RELAIS_TELEPHONY_"), err=True)
        raise typer.Exit(BAD_INPUT) from exc
    try:
        credentials = PbxCredentials.from_setting(
            secrets if isinstance(secrets, str) else secrets.get_secret_value(), pbx)
        call_id = ring(server=server, credentials=credentials, caller=caller,
                       extension=extension, answer_after=answer_after,
                       hangup_after=hangup_after)
    except RingFailed as exc:
        typer.echo(f"Appel non transmis : {exc}", err=True)
        raise typer.Exit(BAD_INPUT if exc.bad_input else REFUSED) from exc
    typer.echo(f"Appel {call_id} de {caller} vers le poste {extension} (PBX « "
               f"{credentials.pbx} »).")
