"""Households of demo residents: names, birth dates, addresses, phones and e-mails.

Pure functions of a `random.Random`: the same seed gives the same people. Members of a
household share the address and, when there is one, the landline (the case where a
caller ID matches several residents and the agent must choose).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from crm_core.demo.names import FAMILY_NAMES, GIVEN_NAMES, Era, Sex, era_of
from crm_core.demo.places import COMMUNES, EMAIL_DOMAINS, RENNES, STREET_NAMES, STREET_TYPES
from crm_core.text import fold

MOBILE_THIRD_DIGITS = {"6": "01245678", "7": "3456789"}  # valid French mobile ranges
LANDLINE_PREFIXES = ("99", "23")  # Ille-et-Vilaine numbers start 02 99 or 02 23


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    written: str  # as the agent or the resident typed it; the service normalises it
    label: str
    contact_allowed: bool


@dataclass(frozen=True, slots=True)
class Email:
    address: str
    contact_allowed: bool


@dataclass(slots=True)
class Person:
    index: int
    household: int
    sex: Sex
    given_name: str
    family_name: str
    birth_name: str | None
    birth_date: date
    address_line: str
    postal_code: str
    city: str
    insee_code: str
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    account_subject: str | None = None


class _Picker:
    """Weighted choices with precomputed cumulative weights."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._given = {
            key: ([n for n, _ in names], _cumulative(w for _, w in names))
            for key, names in GIVEN_NAMES.items()
        }
        self._family = ([n for n, _ in FAMILY_NAMES], _cumulative(w for _, w in FAMILY_NAMES))
        self._communes = (list(COMMUNES), _cumulative(c.weight for c in COMMUNES))
        self._street_types = (
            [t for t, _ in STREET_TYPES], _cumulative(w for _, w in STREET_TYPES)
        )

    def given(self, sex: Sex, era: Era) -> str:
        names, weights = self._given[(sex, era)]
        return self.rng.choices(names, cum_weights=weights)[0]

    def family(self) -> str:
        names, weights = self._family
        return self.rng.choices(names, cum_weights=weights)[0]

    def address(self) -> tuple[str, str, str, str]:
        communes, weights = self._communes
        commune = self.rng.choices(communes, cum_weights=weights)[0]
        kinds, kind_weights = self._street_types
        street_type = self.rng.choices(kinds, cum_weights=kind_weights)[0]
        number = self.rng.randint(1, 140)
        suffix = self.rng.choices(["", " bis", " ter"], weights=[30, 2, 1])[0]
        line = f"{number}{suffix} {street_type} {self.rng.choice(STREET_NAMES)}"
        return line, self.rng.choice(commune.postal_codes), commune.name, commune.insee_code


def _cumulative(weights: Iterable[int]) -> list[int]:
    total, result = 0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def written_phone(e164: str, rng: random.Random) -> str:
    """'+33612345678' as people write it: '06 12 34 56 78', '0612345678', '+33 6 ...'."""
    national = "0" + e164[3:]
    pairs = [national[i:i + 2] for i in range(0, 10, 2)]
    style = rng.choices(range(4), weights=[60, 20, 10, 10])[0]
    if style == 0:
        return " ".join(pairs)
    if style == 1:
        return national
    if style == 2:
        return f"+33 {national[1]} " + " ".join(pairs[1:])
    return ".".join(pairs)


class PeopleFactory:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.pick = _Picker(rng)
        self.used_phones: set[str] = set()
        self.used_emails: set[str] = set()
        self.people: list[Person] = []

    def mobile(self) -> str:
        while True:
            second = self.rng.choice("6677" if self.rng.random() < 0.3 else "6")
            third = self.rng.choice(MOBILE_THIRD_DIGITS[second])
            number = f"+33{second}{third}{self.rng.randrange(10**7):07d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self) -> str:
        while True:
            number = f"+332{self.rng.choice(LANDLINE_PREFIXES)}{self.rng.randrange(10**6):06d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def email(self, given: str, family: str, birth_year: int) -> str:
        first = fold(given).replace(" ", "-")
        last = fold(family).replace(" ", "")
        local = self.rng.choice(
            [f"{first}.{last}", f"{first[0]}.{last}", f"{first}.{last}{birth_year % 100:02d}",
             f"{last}.{first}", f"{first}{last}"]
        )
        domain = self.rng.choice(EMAIL_DOMAINS)
        address, n = f"{local}@{domain}", 1
        while address in self.used_emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.used_emails.add(address)
        return address

    def birth_date(self, age: int) -> date:
        year = self.today.year - age
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def person(
        self, household: int, sex: Sex, age: int, family_name: str, address: tuple[str, ...],
        birth_name: str | None = None, given: str | None = None, birth: date | None = None,
    ) -> Person:
        birth = birth or self.birth_date(age)
        given = given or self.pick.given(sex, era_of(birth.year))
        line, postal_code, city, insee = address
        person = Person(
            index=len(self.people), household=household, sex=sex, given_name=given,
            family_name=family_name, birth_name=birth_name, birth_date=birth,
            address_line=line, postal_code=postal_code, city=city, insee_code=insee,
        )
        mobile_rate = 0.7 if age > 75 else 0.93
        if self.rng.random() < mobile_rate:
            person.phones.append(self.phone(self.mobile(), "mobile"))
        email_rate = 0.35 if age > 70 else 0.7
        if self.rng.random() < email_rate:
            person.emails.append(
                Email(self.email(given, family_name, birth.year), self.rng.random() < 0.55)
            )
        self.people.append(person)
        return person

    def phone(self, e164: str, label: str) -> Phone:
        return Phone(e164, written_phone(e164, self.rng), label, self.rng.random() < 0.65)

    def household(self, number: int) -> list[Person]:
        rng = self.rng
        size = rng.choices([1, 2, 3, 4], weights=[38, 34, 18, 10])[0]
        address = self.pick.address()
        family = self.pick.family()
        head_age = rng.choices(
            [rng.randint(20, 39), rng.randint(40, 64), rng.randint(65, 94)], weights=[35, 40, 25]
        )[0]
        head_sex = rng.choice([Sex.FEMALE, Sex.MALE])
        members = [self.person(number, head_sex, head_age, family, address)]
        if size >= 2:
            other = Sex.MALE if head_sex is Sex.FEMALE else Sex.FEMALE
            sex = other if rng.random() < 0.92 else head_sex
            age = max(19, head_age + rng.randint(-6, 6))
            own = self.pick.family()
            if rng.random() < 0.5 and age >= 30:  # took the spouse's name, keeps the birth one
                members.append(self.person(number, sex, age, family, address, birth_name=own))
            else:
                members.append(self.person(number, sex, age, own, address))
        for _ in range(size - 2):
            sex = rng.choice([Sex.FEMALE, Sex.MALE])
            if head_age >= 42:
                members.append(self.person(number, sex, rng.randint(18, 24), family, address))
            else:  # a flatmate rather than a grown-up child
                members.append(self.person(number, sex, rng.randint(19, 35),
                                           self.pick.family(), address))
        if rng.random() < (0.7 if head_age >= 65 else 0.3):
            landline = self.landline()
            for member in members:
                member.phones.append(self.phone(landline, "domicile"))
        return members


def make_people(count: int, rng: random.Random, today: date) -> list[Person]:
    """`count` residents in households; the first is Camille Durand (journey 3 of the mission)."""
    factory = PeopleFactory(rng, today)
    showcase = factory.person(
        0, Sex.FEMALE, today.year - 1984, "Durand",
        ("12 rue de Paris", "35000", RENNES.name, RENNES.insee_code),
        given="Camille", birth=date(1984, 3, 12),
    )
    if not showcase.emails:
        showcase.emails.append(Email(factory.email("Camille", "Durand", 1984), True))
    if not any(p.label == "mobile" for p in showcase.phones):
        showcase.phones.insert(0, factory.phone(factory.mobile(), "mobile"))
    household = 1
    while len(factory.people) < count:
        factory.household(household)
        household += 1
    return factory.people[:count]


def registered_twice(person: Person, *, as_: Person) -> Person:
    """`person` again, in the place of `as_`: the same name as a phone agent types it (no
    accents, capitals), the same birth date and address, no contact point of its own —
    a probable duplicate, as every register has, for the supervisors to merge."""
    plain = "".join(c for c in unicodedata.normalize("NFD", person.family_name)
                    if not unicodedata.combining(c)).upper()
    return replace(person, index=as_.index, household=as_.household, family_name=plain,
                   phones=[], emails=[], account_subject=None)
