"""w.c.s. form data (the JSON of its API and of its workflows' webservice calls) to a
Relais case event, and Relais statuses back to w.c.s. jump triggers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from crm_core.cases.enums import CaseStatus
from crm_core.validation_messages import french_errors, french_summary
from integrations.exceptions import MalformedEvent
from integrations.inbound.schemas import CaseEventData
from integrations.settings import SourceConfig

GIVEN_NAME_FIELDS = ("prenom", "prenoms", "first_name", "given_name")
FAMILY_NAME_FIELDS = ("nom", "nom_famille", "last_name", "family_name")
BIRTH_DATE_FIELDS = ("date_naissance", "date_de_naissance", "birthdate")
PHONE_FIELDS = ("telephone", "tel", "phone", "mobile")


def _first(fields: dict[str, Any], names: tuple[str, ...]) -> Any:
    return next((fields[name] for name in names if fields.get(name)), None)


def _when(raw: Any, timezone: str) -> datetime | None:
    if not raw:
        return None
    moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    if moment.tzinfo is None:  # w.c.s. writes the server's local time
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def slug_of(form: dict[str, Any]) -> str:
    identifier = str(form.get("id") or "")
    slug = form.get("formdef_slug") or identifier.partition("/")[0]
    return str(slug)


def _status(form: dict[str, Any]) -> dict[str, Any]:
    workflow = form.get("workflow") or {}
    status = (workflow.get("real_status") or workflow.get("status") or {}
              if isinstance(workflow, dict) else {})
    return status if isinstance(status, dict) else {}


def unmapped_status(form: dict[str, Any], config: SourceConfig) -> str | None:
    """The form's w.c.s. status when `status_map` knows neither its id nor its name."""
    status = _status(form)
    key = status.get("id") if status.get("id") is not None else status.get("name")
    if key is None or status_of(form, config) is not None:
        return None
    return str(key)[:50]


def status_of(form: dict[str, Any], config: SourceConfig) -> CaseStatus | None:
    status = _status(form)
    for key in (status.get("id"), status.get("name")):
        if key is not None and str(key) in config.status_map:
            return CaseStatus(config.status_map[str(key)])
    return None


def to_event_data(
    form: dict[str, Any], config: SourceConfig, *, timezone: str
) -> tuple[CaseEventData, datetime]:
    """The event of a w.c.s. form; its naive moments are in `timezone` (the city's)."""
    if not isinstance(form, dict) or not form.get("id"):
        raise MalformedEvent("Données de formulaire w.c.s. sans identifiant", field="id")
    fields = form.get("fields") or {}
    user = form.get("user") or {}
    name_ids = user.get("NameID") or user.get("name_id") or []
    if isinstance(name_ids, str):
        name_ids = [name_ids]
    given = _first(fields, GIVEN_NAME_FIELDS)
    family = _first(fields, FAMILY_NAME_FIELDS)
    if not (given and family) and user.get("name"):
        first, _, last = str(user["name"]).partition(" ")
        given, family = given or first, family or last
    slug = slug_of(form)
    try:
        updated = _when(form.get("last_update_time") or form.get("receipt_time"), timezone)
    except (TypeError, ValueError) as exc:  # Python's message quotes the value, in English
        raise MalformedEvent("Formulaire w.c.s. illisible : date de mise à jour invalide"
                             " (ISO 8601 attendu)", field="last_update_time") from exc
    try:
        data = CaseEventData.model_validate({
            "id": str(form["id"]),
            "service": config.services.get(slug) or config.default_service,
            "subject": form.get("display_name") or form.get("text") or slug,
            "description": _describe(fields),
            "status": status_of(form, config),
            "updated_at": updated,
            "resident": {
                "account": {"provider": config.account_provider, "subject": name_ids[0]}
                if name_ids else None,
                "given_name": given, "family_name": family,
                "birth_date": _first(fields, BIRTH_DATE_FIELDS),
                "email": user.get("email") or fields.get("email"),
                "phone": _first(fields, PHONE_FIELDS),
            },
        })
    except ValidationError as exc:  # said in French, without the values it quotes
        errors = french_errors(exc.errors(), skip=())
        raise MalformedEvent(f"Formulaire w.c.s. illisible : {french_summary(errors)}",
                             errors=errors) from exc
    return data, updated or datetime.now(ZoneInfo("UTC"))


def _describe(fields: dict[str, Any]) -> str | None:
    lines = [f"{key} : {value}" for key, value in fields.items()
             if isinstance(value, str | int | float) and key not in FAMILY_NAME_FIELDS
             and key not in GIVEN_NAME_FIELDS]
    return "\n".join(lines)[:5000] or None


def trigger_for(status: str, config: SourceConfig) -> str | None:
    return config.triggers.get(status)
