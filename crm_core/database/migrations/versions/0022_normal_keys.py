"""agents' extensions and online-account providers stored in their normal form

Extensions stored before the rule of `crm_core.agents.extensions` (« 2 01 », « ２０１ »)
are rewritten as ASCII digits, so that a ring for 201 reaches them. One that is no number
(« 20a ») or that would give an active agent the extension of another active agent is
cleared (NULL) and logged by agent id: an admin sets it again.

Providers of account links are lower-cased, so that lookups compare them with plain
equality on the unique index (provider, subject). Links that would then collide (one
subject under « FC » and « fc ») are left as they are and logged by id: which resident
the account belongs to is a person's decision (SECURITY.md, « Online-account links »).

Subjects are never rewritten (they are identities as sent): `relais audit verify` lists,
by id, the links whose subject breaks the identifier rule or whose provider is left in
upper case.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")
EXTENSION_MAX = 20

# Untyped ids: read and written back as the database gives them (UUID or text).
agent = sa.table('agent', sa.column('id'), sa.column('phone_extension', sa.String),
                 sa.column('active', sa.Boolean))
account_link = sa.table('account_link', sa.column('id'), sa.column('provider', sa.String),
                        sa.column('subject', sa.String))


def _id(value: Any) -> str:
    """An id as the API shows it (SQLite gives 32 hex digits, PostgreSQL a UUID)."""
    return str(uuid.UUID(str(value)))


def _extension(text: str) -> str | None:
    """The rule of crm_core.agents.extensions as of this revision (migrations carry their
    own code): Unicode digits as ASCII, spaces anywhere dropped; None if not a number."""
    chars = []
    for char in unicodedata.normalize('NFKC', text):
        if char.isspace():
            continue
        value = unicodedata.decimal(char, None)
        chars.append(str(value) if value is not None else char)
    digits = ''.join(chars)
    ok = digits.isascii() and digits.isdigit() and len(digits) <= EXTENSION_MAX
    return digits if ok else None


def _normalise_extensions(bind: Any) -> None:
    rows = bind.execute(sa.select(agent.c.id, agent.c.phone_extension, agent.c.active)
                        .where(agent.c.phone_extension.is_not(None))).all()
    # Extensions already in the normal form stay; an active holder keeps theirs.
    held = {row.phone_extension for row in rows
            if row.active and _extension(row.phone_extension) == row.phone_extension}
    changed = [(row, _extension(row.phone_extension)) for row in rows
               if _extension(row.phone_extension) != row.phone_extension]
    wanted: defaultdict[str, int] = defaultdict(int)
    for row, new in changed:
        if new is not None and row.active:
            wanted[new] += 1
    for row, new in changed:
        if new is None:
            logger.warning("0022: agent %s: extension is not a number, cleared", _id(row.id))
        elif row.active and (new in held or wanted[new] > 1):
            logger.warning("0022: agent %s: extension %s would be another active agent's, "
                           "cleared", _id(row.id), new)
            new = None
        bind.execute(agent.update().where(agent.c.id == row.id)
                     .values(phone_extension=new))


def _lower_providers(bind: Any) -> None:
    rows = bind.execute(sa.select(account_link.c.id, account_link.c.provider,
                                  account_link.c.subject)).all()
    groups: defaultdict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row.provider.lower(), row.subject)].append(row)
    for (provider, _subject), links in groups.items():
        if len(links) > 1:  # never merged here: the subjects are not logged
            logger.warning("0022: account links %s: one subject under providers differing "
                           "only by case, left as they are (see SECURITY.md)",
                           ", ".join(_id(link.id) for link in links))
            continue
        if links[0].provider != provider:
            bind.execute(account_link.update().where(account_link.c.id == links[0].id)
                         .values(provider=provider))


def upgrade() -> None:
    bind = op.get_bind()
    _normalise_extensions(bind)
    _lower_providers(bind)


def downgrade() -> None:
    # The normal forms are valid before this revision too; what was rewritten is not kept.
    pass
