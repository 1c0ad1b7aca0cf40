"""The quality set: real residents, misheard and mistyped the way agents do, and the recall
of search on them.

`make_queries` takes residents from a dataset and writes, for each, one query damaged by
one kind of noise (or two, for "accents+typo"): dropped or wrong accents, one keyboard
typo (AZERTY neighbours, a missing or doubled letter), two letters swapped, family name
typed first, a French phonetic variant (ph/f, -ault/-o, ai/è/ey, c/k/qu, s/ss, l/ll,
an/en, in/ain, final d/t...), hyphens, apostrophes and particles written otherwise
(N'Diaye → ndiaye, Le Goff → legoff, Jean-Baptiste → jean baptiste), and partial input
(the first letters of the given name). Everything is drawn from a seeded `random.Random`.

`Scorecard` reports recall@1, recall@10 and the mean reciprocal rank, overall and per
noise. Two readings of "found": strictly the resident, and "or a namesake": a result whose
folded names (and birth date, when one was given) are identical to the resident's is
indistinguishable from it by anyone, so from the name alone the resident is found when
one of their namesakes is (Martin, Bernard and Dubois are very frequent; only the birth
date or a contact tells the Jean Martins apart).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crm_core.text import fold

AZERTY_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn")
_NEIGHBOURS: dict[str, str] = {}
for _row_index, _row in enumerate(AZERTY_ROWS):
    for _i, _letter in enumerate(_row):
        around = _row[max(0, _i - 1):_i] + _row[_i + 1:_i + 2]
        for _other in AZERTY_ROWS[max(0, _row_index - 1):_row_index + 2]:
            if _other is not _row:
                around += _other[max(0, _i - 1):_i + 1]
        _NEIGHBOURS[_letter] = around

# Spellings that sound the same, as (one, other, where): each is tried both ways;
# where is a regex suffix ("$": at the end; a lookahead: only before those letters).
PHONETIC_VARIANTS: tuple[tuple[str, str, str], ...] = (
    ("ph", "f", ""), ("ault", "ot", "$"), ("aut", "o", "$"), ("eau", "o", "$"),
    ("aud", "ault", "$"), ("ai", "è", "(?![nm])"), ("ei", "ai", "(?![nm])"),
    ("ey", "ai", "$"), ("é", "er", "$"), ("et", "é", "$"), ("c", "k", "(?=[aou])"),
    ("qu", "k", ""), ("ss", "s", "(?=[aeiouy])"), ("ll", "l", ""), ("tt", "t", ""),
    ("nn", "n", ""), ("rr", "r", ""), ("y", "i", ""), ("ain", "in", "(?![aeiou])"),
    ("an", "en", "(?![aeioun])"), ("d", "t", "$"), ("th", "t", ""), ("gu", "g", "(?=[ei])"),
    ("x", "s", "$"), ("ç", "ss", ""), ("œ", "e", ""), ("mm", "m", ""),
)
NOISES = ("accents", "typo", "swap_letters", "swap_order", "phonetic", "punctuation",
          "partial", "accents+typo")


@dataclass(frozen=True)
class Target:
    resident_id: Any
    given_name: str
    family_name: str
    birth_date: date | None

    @property
    def identity(self) -> tuple[str, str]:
        return fold(self.given_name), fold(self.family_name)


@dataclass(frozen=True)
class QualityQuery:
    target: Target
    noise: str
    text: str


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))


def _accents(name: str, rng: random.Random) -> str:
    stripped = _strip_accents(name)
    if stripped != name:
        return stripped
    positions = [i for i, c in enumerate(name) if c in "eE"]
    if not positions:
        return name.lower()
    i = rng.choice(positions)
    return name[:i] + rng.choice("éèê") + name[i + 1:]


def _typo(name: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 3:
        return name + name[-1]
    i = rng.choice(letters[1:])
    kind = rng.choice(("substitute", "delete", "double"))
    if kind == "delete":
        return name[:i] + name[i + 1:]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    near = _NEIGHBOURS.get(name[i].lower(), "e")
    return name[:i] + rng.choice(near) + name[i + 1:]


def _swap_letters(name: str, rng: random.Random) -> str:
    spots = [i for i in range(1, len(name) - 1)
             if name[i].isalpha() and name[i + 1].isalpha() and name[i] != name[i + 1]]
    if not spots:
        return _typo(name, rng)
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def _phonetic(name: str, rng: random.Random) -> str:
    lowered = name.lower()
    options = []
    for one, other, where in PHONETIC_VARIANTS:
        for pattern, replacement in ((one, other), (other, one)):
            if re.search(re.escape(pattern) + where, lowered):
                options.append((re.escape(pattern) + where, replacement))
    if not options:
        return _typo(name, rng)
    pattern, replacement = rng.choice(options)
    spot = rng.choice(list(re.finditer(pattern, lowered)))
    return lowered[:spot.start()] + replacement + lowered[spot.end():]


def _punctuation(name: str, rng: random.Random) -> str:
    if not re.search(r"[-' ]", name):
        return name.upper()
    return re.sub(r"[-' ]", rng.choice(("", " ")), name).lower()


def _accents_and_typo(name: str, rng: random.Random) -> str:
    return _typo(_strip_accents(name), rng)


def make_query(target: Target, noise: str, rng: random.Random) -> QualityQuery:
    given, family = target.given_name, target.family_name
    first_field = rng.random() < 0.5
    if noise == "accents":
        given, family = _accents(given, rng), _accents(family, rng)
    elif noise in ("typo", "swap_letters", "phonetic", "accents+typo"):
        damage: Callable[[str, random.Random], str] = {
            "typo": _typo, "swap_letters": _swap_letters, "phonetic": _phonetic,
            "accents+typo": _accents_and_typo,
        }[noise]
        if first_field:
            given = damage(given, rng)
        else:
            family = damage(family, rng)
    elif noise == "punctuation":
        if re.search(r"[-' ]", given) and not re.search(r"[-' ]", family):
            given = _punctuation(given, rng)
        else:
            family = _punctuation(family, rng)
    elif noise == "partial":
        given = given[:rng.choice((3, 4))]
    text = f"{family} {given}" if noise == "swap_order" else f"{given} {family}"
    if rng.random() < 0.5:
        text = text.lower()
    return QualityQuery(target, noise, text)


def make_queries(targets: Sequence[Target], *, seed: int = 42) -> list[QualityQuery]:
    """One query per target, the noises taken in turn (so each gets an equal share)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    return [make_query(t, NOISES[i % len(NOISES)], rng) for i, t in enumerate(targets)]


Found = Sequence[tuple[Any, str, str, date | None]]  # (id, given, family, birth date)


@dataclass
class Tally:
    count: int = 0
    at1: int = 0
    at10: int = 0
    reciprocal: float = 0.0

    def add(self, rank: int | None) -> None:
        self.count += 1
        if rank is not None:
            self.at1 += rank == 1
            self.at10 += rank <= 10
            self.reciprocal += 1 / rank

    def as_dict(self) -> dict[str, float]:
        n = max(self.count, 1)
        return {"n": self.count, "recall@1": self.at1 / n, "recall@10": self.at10 / n,
                "mrr": self.reciprocal / n}


@dataclass
class Scorecard:
    with_date: bool
    strict: Tally = field(default_factory=Tally)
    namesakes: Tally = field(default_factory=Tally)
    per_noise: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[QualityQuery, Found]] = field(default_factory=list)

    def add(self, query: QualityQuery, found: Found) -> None:
        target = query.target
        strict = next((i + 1 for i, row in enumerate(found) if row[0] == target.resident_id),
                      None)

        def same(row: tuple[Any, str, str, date | None]) -> bool:
            return ((fold(row[1]), fold(row[2])) == target.identity
                    and (not self.with_date or row[3] == target.birth_date))

        namesake = next((i + 1 for i, row in enumerate(found) if same(row)), None)
        loose = min((r for r in (strict, namesake) if r is not None), default=None)
        self.strict.add(strict)
        self.namesakes.add(loose)
        self.per_noise[query.noise].add(loose)
        if loose is None or loose > 10:
            self.misses.append((query, found))


def evaluate(
    queries: Sequence[QualityQuery], run: Callable[[QualityQuery], Found], *, with_date: bool
) -> Scorecard:
    card = Scorecard(with_date)
    for query in queries:
        card.add(query, run(query))
    return card
