"""First sign-in with the online account: which resident is this subject?

1. A known subject: the linked resident (its record, merged or not).
2. Otherwise, when the provider vouches for identity (`RELAIS_OIDC_IDENTITY_VERIFIED`,
   FranceConnect-style): a single *probable* match on names and an exact birth date,
   by the recognition rules — never on e-mail or phone, which are ignored here — is
   *proposed*: the person confirms it is their file (or not) with a single-use token.
3. Otherwise a new resident, linked to the subject.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.channels import Channel
from crm_core.config import city_today
from crm_core.database.base import utcnow
from crm_core.residents import service as residents
from integrations.account.backend import OnlineAccount
from integrations.account.claims import AccountClaims, read
from integrations.enums import LinkOutcome
from integrations.exceptions import OidcError, ProposalNotFound
from integrations.matching import (
    Identity,
    by_account,
    create_resident,
    evidence_of,
    scored_candidates,
    sure_match,
)
from integrations.models import AccountLinkProposal, OidcLogin

LOGIN_TTL = timedelta(minutes=10)
PROPOSAL_TTL = timedelta(minutes=15)


@dataclass
class SignIn:
    outcome: LinkOutcome
    subject: str
    resident_id: uuid.UUID | None = None
    proposal_token: str | None = None
    proposal: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "subject": self.subject,
                "resident_id": str(self.resident_id) if self.resident_id else None,
                "proposal_token": self.proposal_token, "proposal": self.proposal}


def start(*, db_session: Session, account: OnlineAccount) -> str:
    """A fresh state, nonce and PKCE verifier, kept server-side; the provider's URL."""
    login = OidcLogin(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                      code_verifier=secrets.token_urlsafe(64))  # 86 chars: PKCE allows 43-128
    db_session.add(login)
    db_session.flush()
    return account.authorization_url(state=login.state, nonce=login.nonce,
                                     code_verifier=login.code_verifier)


def finish(
    *, db_session: Session, account: OnlineAccount, provider: str, identity_verified: bool,
    state: str | None, code: str | None, timezone: str, phone_region: str,
    error: str | None = None,
) -> SignIn:
    """`timezone` and `phone_region`: the city's, to read the claims and file a resident."""
    login = db_session.get(OidcLogin, state) if state and len(state) <= 100 else None
    if login is None:
        raise OidcError("Connexion inconnue ou déjà utilisée (state) : recommencez")
    db_session.delete(login)  # single use, whatever happens next
    db_session.flush()
    if utcnow() - login.created_at > LOGIN_TTL:
        raise OidcError("Connexion expirée : recommencez")
    if error:
        raise OidcError(f"Le fournisseur d'identité a refusé la connexion : {error[:100]}")
    if not code:
        raise OidcError("Réponse du fournisseur d'identité sans code")
    claims = account.exchange(code=code, code_verifier=login.code_verifier, nonce=login.nonce)
    return link_first_sign_in(db_session=db_session, provider=provider, claims=claims,
                              identity_verified=identity_verified, timezone=timezone,
                              phone_region=phone_region)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_first_sign_in(
    *, db_session: Session, provider: str, claims: dict[str, Any], identity_verified: bool,
    timezone: str, phone_region: str,
) -> SignIn:
    account = read(claims, provider=provider, today=city_today(timezone))
    known = by_account(db_session, provider, account.subject)
    if known is not None:
        return SignIn(LinkOutcome.LINKED, account.subject, known)
    if account.identity is None:
        raise OidcError("Le compte en ligne ne donne ni nom ni prénom : rattachement impossible")
    if identity_verified and account.birth_date_exact:
        proposal = _propose(db_session, provider, account, claims, phone_region)
        if proposal is not None:
            return proposal
    resident_id = _new_resident(db_session, account, phone_region)
    return SignIn(LinkOutcome.CREATED, account.subject, resident_id)


def _propose(
    db_session: Session, provider: str, account: AccountClaims, claims: dict[str, Any],
    phone_region: str,
) -> SignIn | None:
    identity = account.identity
    assert identity is not None
    scored = scored_candidates(db_session, identity, phone_region=phone_region,
                               with_contacts=False)
    record = sure_match(scored, identity.birth_date)
    if record is None:
        return None
    assert isinstance(record.resident_id, uuid.UUID)
    token = secrets.token_urlsafe(32)
    db_session.add(AccountLinkProposal(
        token_sha256=_token_hash(token), provider=provider, subject=account.subject,
        resident_id=record.resident_id, claims=claims, evidence=evidence_of(scored[:1]),
        expires_at=utcnow() + PROPOSAL_TTL,
    ))
    db_session.flush()
    shown = {"given_name": record.given_name, "family_name": record.family_name,
             "birth_date": record.birth_date.isoformat() if record.birth_date else None,
             "city": record.city}
    return SignIn(LinkOutcome.PROPOSED, account.subject, None, token, shown)


def _new_resident(db_session: Session, account: AccountClaims, phone_region: str) -> uuid.UUID:
    identity = account.identity
    assert identity is not None
    # Contact points only when the provider verified them; unverified ones are left out.
    kept = Identity(**{**identity.__dict__,
                       "email": identity.email if account.email_verified else None,
                       "phone": identity.phone if account.phone_verified else None})
    return create_resident(db_session=db_session, identity=kept, channel=Channel.WEB,
                           phone_region=phone_region)


def decide(
    *, db_session: Session, token: str, accept: bool, timezone: str, phone_region: str
) -> SignIn:
    """The person's answer to a proposed link (`timezone`, `phone_region`: the city's)."""
    proposal = db_session.scalar(select(AccountLinkProposal).where(
        AccountLinkProposal.token_sha256 == _token_hash(token),
        AccountLinkProposal.decided_at.is_(None)))
    if proposal is None or proposal.expires_at < utcnow():
        raise ProposalNotFound("Cette proposition de rattachement n'existe pas ou a expiré")
    proposal.decided_at = utcnow()
    if by_account(db_session, proposal.provider, proposal.subject) is not None:
        raise ProposalNotFound("Ce compte en ligne est déjà rattaché")
    if accept:
        residents.link_account(
            db_session=db_session, actor=SYSTEM, resident_id=proposal.resident_id,
            provider=proposal.provider, subject=proposal.subject, channel=Channel.WEB)
        proposal.note = "confirmé par la personne"
        db_session.flush()
        return SignIn(LinkOutcome.LINKED, proposal.subject, proposal.resident_id)
    proposal.note = "refusé par la personne"
    account = read(proposal.claims, provider=proposal.provider, today=city_today(timezone))
    resident_id = _new_resident(db_session, account, phone_region)
    return SignIn(LinkOutcome.CREATED, proposal.subject, resident_id)
