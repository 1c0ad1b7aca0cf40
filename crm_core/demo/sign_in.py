"""Demo mode only: enter the resident space as one of the demo residents.

`relais demo` runs with no OpenID provider, yet the resident space is half of what there
is to see. In demo mode (and only then: `create_app` mounts these pages and hands
`demo_accounts` to the space's sign-in page in demo mode only, so that anywhere else these
addresses do not exist) the sign-in page lists a few demo residents who have an online
account, and entering as one of them starts the very session the online-account callback
would start for them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session

from crm_core.api.deps import DbSession
from crm_core.demo.catalogue import ONLINE_ACCOUNT_PROVIDER
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import AccountLink, Resident
from crm_core.space.signin import signed_in_response
from crm_core.space.web import PREFIX, form_fields, invalid, not_found

pages = APIRouter(prefix=f"{PREFIX}/demo", include_in_schema=False)
SHOWN = 3


def demo_accounts(db_session: Session) -> list[dict[str, Any]]:
    """A few demo residents with an online account (their subject and name), Camille
    Durand first: the resident of the demo's journeys."""
    journey_first = case(
        (and_(Resident.given_name_key == "camille", Resident.family_name_key == "durand"), 0),
        else_=1,
    )
    rows = db_session.execute(
        select(AccountLink.subject, Resident.given_name, Resident.family_name)
        .join(Resident, Resident.id == AccountLink.resident_id)
        .where(AccountLink.provider == ONLINE_ACCOUNT_PROVIDER,
               Resident.status == ResidentStatus.ACTIVE)
        .order_by(journey_first, AccountLink.created_at, AccountLink.subject).limit(SHOWN)
    )
    return [{"subject": r.subject, "name": f"{r.given_name} {r.family_name}"} for r in rows]


@pages.post("/connexion")
def demo_sign_in(
    request: Request, db_session: DbSession,
    shape: Annotated[str | None, form_fields("subject")], subject: Annotated[str, Form()] = "",
) -> Response:
    if shape:
        return invalid(request, None, shape)
    if len(subject) > 255 or "\x00" in subject:  # no such account; never sent to SQL
        return not_found(request, None, "Ce compte de démonstration")
    resident_id = db_session.scalar(
        select(AccountLink.resident_id).where(
            AccountLink.provider == ONLINE_ACCOUNT_PROVIDER, AccountLink.subject == subject)
    )
    if resident_id is None:
        return not_found(request, None, "Ce compte de démonstration")
    response = signed_in_response(request, db_session, provider=ONLINE_ACCOUNT_PROVIDER,
                                  subject=subject, resident_id=resident_id)
    db_session.commit()
    return response
