from __future__ import annotations

import pytest

from crm_core.recognition.phonetic import phonetic_key

SOUND_ALIKE = [
    ("philippe", "filipe"), ("thibault", "thibaut"), ("thibault", "tibo"),
    ("renault", "renaud"), ("renault", "reno"), ("durand", "durant"), ("lemaire", "lemerre"),
    ("lefevre", "lefebvre"), ("laurent", "lorant"), ("gauthier", "gotier"), ("leroy", "leroi"),
    ("boucher", "bouchet"), ("camille", "camile"), ("perrot", "perrault"), ("faure", "fort"),
    ("cedric", "sedric"), ("nathalie", "natalie"), ("martin", "martain"),
    ("christophe", "kristof"), ("guillaume", "guyome"), ("maillard", "mayard"),
    ("moreau", "moro"), ("vincent", "vinsent"), ("jacques", "jack"), ("dupont", "dupond"),
]
SOUND_APART = [
    ("martin", "morin"), ("durand", "dupont"), ("guerin", "gerin"), ("camille", "camus"),
    ("bernard", "renard"), ("petit", "martin"),
]


@pytest.mark.parametrize(("a", "b"), SOUND_ALIKE)
def test_spellings_that_sound_alike_share_a_key(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), SOUND_APART)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


def test_other_scripts_and_short_tokens_pass_through() -> None:
    assert phonetic_key("ёлка") == "ёлка"
    assert phonetic_key("n") == "n"
    assert phonetic_key("") == ""
