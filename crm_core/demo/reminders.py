"""The demo city's reminder bundles (bouquets de rappels), key dates around today, and a
few residents who opted in — so the demo shows consents and reminders at work."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.channels import Channel
from crm_core.consent.contactability import ContactWay, point_for
from crm_core.privacy.enums import ConsentSource
from crm_core.reminders import service
from crm_core.reminders.enums import ReminderChannel

# code, label, [(days from today, title, message, days before)]
BUNDLES: tuple[tuple[str, str, tuple[tuple[int, str, str, int], ...]], ...] = (
    ("dechets-verts", "Collecte des déchets verts", (
        (3, "Collecte des déchets verts", "Sortez vos sacs la veille au soir, avant 20 h.", 1),
        (17, "Collecte des déchets verts", "Sortez vos sacs la veille au soir, avant 20 h.", 1),
    )),
    ("elections", "Élections", (
        (60, "Élections municipales (1er tour)",
         "Bureau de vote ouvert de 8 h à 19 h ; pensez à votre pièce d'identité.", 3),
    )),
    ("inscriptions-scolaires", "Inscriptions scolaires", (
        (30, "Ouverture des inscriptions scolaires",
         "Inscriptions à l'accueil de la mairie ou en ligne, jusqu'au 30 du mois.", 7),
    )),
    ("titres-identite", "Renouvellement des titres d'identité", (
        (45, "Avant l'été : vérifiez vos titres",
         "Les délais de rendez-vous s'allongent au printemps : prenez-le tôt.", 14),
    )),
)


def seed_reminders(*, db_session: Session, resident_ids: Sequence[uuid.UUID], today: date,
                   rng: random.Random) -> int:
    """Bundles and dates; about one resident in six whom the mairie may e-mail opts in to one
    or two bundles. Returns the number of opt-ins."""
    for code, label, dates in BUNDLES:
        service.create_bundle(db_session=db_session, code=code, label=label)
        for days, title, message, before in dates:
            service.add_date(db_session=db_session, code=code, title=title, message=message,
                             occurs_on=today + timedelta(days=days), days_before=before)
    opt_ins = 0
    for resident_id in resident_ids:
        # Only those the mairie may e-mail (the same answer every screen shows).
        reachable = point_for(db_session=db_session, resident_id=resident_id,
                              way=ContactWay.EMAIL) is not None
        if not reachable or rng.random() > 1 / 6:
            continue
        for code in rng.sample([code for code, _, _ in BUNDLES], k=rng.choice((1, 2))):
            service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident_id,
                              code=code, channel=ReminderChannel.EMAIL,
                              source=ConsentSource.RESIDENT, via=Channel.WEB)
            opt_ins += 1
    return opt_ins
