from __future__ import annotations

from crm_core.recognition.keys import (
    KeyKind,
    email_key,
    name_keys,
    national_digits,
    pair_key,
    phone_keys,
    query_keys,
    tokens,
    units,
    vocabulary_keys,
)


def test_tokens_fold_accents_case_and_punctuation() -> None:
    assert tokens("N'Diaye-Lefèvre") == ["n", "diaye", "lefevre"]
    assert tokens("  Jean--Baptiste ") == ["jean", "baptiste"]
    assert tokens("50% _de_ \\rabais'; DROP") == ["50", "de", "rabais", "drop"]
    assert tokens("😀") == []
    assert tokens(None) == []


def test_units_join_neighbours_and_drop_lone_particles() -> None:
    assert units(["le", "goff"]) == ["goff", "legoff"]
    assert units(["n", "diaye"]) == ["diaye", "ndiaye"]
    assert units(["jean", "baptiste"]) == ["jean", "baptiste", "jeanbaptiste"]
    assert units(["le"]) == ["le"]  # a name made of a particle keeps it (Lê)


def test_resident_keys_are_tokens_and_unordered_pairs() -> None:
    keys = dict(name_keys("Jean-Baptiste", "Le Goff"))
    assert keys["goff"] is KeyKind.TOKEN
    assert keys["legoff"] is KeyKind.TOKEN
    assert keys[pair_key("goff", "jean")] is KeyKind.PAIR
    assert keys[pair_key("legoff", "jeanbaptiste")] is KeyKind.PAIR
    assert "le" not in keys
    assert pair_key("martin", "jean") == pair_key("jean", "martin") == "jean martin"


def test_birth_name_pairs_with_given_name() -> None:
    keys = dict(name_keys("Marie", "Dupont", "Martin"))
    assert pair_key("marie", "martin") in keys
    assert pair_key("dupont", "martin") not in keys


def test_phone_and_email_keys() -> None:
    assert national_digits("+33612345678") == "0612345678"
    assert national_digits("+4930123456") == "4930123456"
    assert phone_keys("+33612345678") == ["#5678", "#345678"]
    assert email_key("camille.durand@exemple.fr") == "@camille.durand"


def test_vocabulary_and_query_keys_meet_on_one_edit() -> None:
    stored = vocabulary_keys("durand")
    for typed in ("durnd", "durrand", "durnad", "durant", "dur"):
        assert stored & set(query_keys(typed)), typed
    assert not stored & set(query_keys("bernard"))
    assert "~durA" in stored and "^dur" in stored
    assert query_keys("du") == {"~du": "phonetic", "du": "exact"}
