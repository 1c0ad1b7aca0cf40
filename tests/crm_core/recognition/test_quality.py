from __future__ import annotations

import random
import uuid
from datetime import date

from sqlalchemy.orm import Session

from crm_core.recognition.quality import (
    NOISES,
    Target,
    evaluate,
    make_queries,
    make_query,
)
from crm_core.recognition.search import search
from crm_core.residents.models import Resident
from crm_core.text import fold

TARGETS = [
    Target(uuid.uuid4(), given, family, date(1980, 1, 1)) for given, family in (
        ("Hélène", "Lefèvre"), ("Jean-Baptiste", "Le Goff"), ("Aminata", "N'Diaye"),
        ("Philippe", "Thibault"), ("François", "Guérin"), ("Camille", "Durand"),
    )
]


def test_queries_are_reproducible_and_every_noise_is_used() -> None:
    first, second = make_queries(TARGETS * 4, seed=1), make_queries(TARGETS * 4, seed=1)
    assert first == second
    assert {q.noise for q in first} == set(NOISES)


def test_each_noise_damages_the_name_the_way_it_says() -> None:
    rng = random.Random(7)
    helene = TARGETS[0]
    assert fold(make_query(helene, "accents", rng).text) == "helene lefevre"
    assert make_query(helene, "accents", rng).text.lower() == "helene lefevre"
    swapped = make_query(TARGETS[5], "swap_order", rng).text.lower()
    assert swapped == "durand camille"
    partial = make_query(TARGETS[5], "partial", rng).text.lower()
    assert partial in ("cam durand", "cami durand")
    punctuated = make_query(TARGETS[2], "punctuation", rng).text.lower()
    assert punctuated in ("aminata ndiaye", "aminata n diaye")
    for noise in ("typo", "swap_letters", "phonetic", "accents+typo"):
        damaged = make_query(TARGETS[3], noise, rng).text.lower()
        assert damaged != "philippe thibault", noise


def test_scorecard_counts_namesakes_apart(
    db_session: Session, people: dict[str, Resident]
) -> None:
    martin = people["Jean Martin"]
    target = Target(martin.id, martin.given_name, martin.family_name, martin.birth_date)
    queries = [make_query(target, "accents", random.Random(1))]

    def run(query: object) -> list[tuple[object, str, str, date | None]]:
        outcome = search(db_session=db_session, phone_region="FR", q="jean martin")
        ordered = sorted(outcome.results, key=lambda c: c.resident_id == martin.id)
        return [(c.resident_id, c.given_name, c.family_name, c.birth_date) for c in ordered]

    card = evaluate(queries, run, with_date=False)
    assert card.strict.as_dict()["recall@1"] == 0.0  # the other Jean Martin came first
    assert card.namesakes.as_dict()["recall@1"] == 1.0
    strict_with_date = evaluate(queries, run, with_date=True)
    assert strict_with_date.namesakes.as_dict()["recall@1"] == 0.0  # dates tell them apart
