"""Case references that survive being read over the phone.

Alphabet: the ten digits and 13 letters chosen so that no two symbols sound alike in
French (only one of "bé/cé/dé/gé/pé/té/vé", of "emme/enne", of "effe/esse") or look alike
on screen or paper (no O/0, I/1, L/1, S/5, B/8, Z/2, G/6 pairs: the letter is left out).
23 symbols — a prime — so a weighted check character modulo 23 catches every single
substitution and every transposition of two characters (adjacent or not) in a reference
shorter than 23 characters.

Format: 6 random symbols + 1 check symbol, shown as `XXXX-XXX` (e.g. `7K4M-2XA`).
"""

from __future__ import annotations

import re
import secrets

from crm_core.exceptions import InvalidInput
from crm_core.text import echoed, text_problem

ALPHABET = "0123456789AEFHJKMRTUWXY"
_MODULUS = len(ALPHABET)
assert _MODULUS == 23
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
BODY_LENGTH = 6
REFERENCE_LENGTH = BODY_LENGTH + 1
# What people and keyboards put in instead of our symbols (visual look-alikes only).
_LOOKALIKES = str.maketrans(
    {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6"}
)
_NOISE = re.compile(r"[\s\-_.·/]+")


def _check_symbol(body: str) -> str:
    # Weights 1..n for the body and n+1 for the check: sum(w_i * v_i) == 0 (mod 23).
    total = sum((i + 1) * _VALUE[c] for i, c in enumerate(body))
    check_weight = len(body) + 1
    inverse = pow(check_weight, -1, _MODULUS)
    return ALPHABET[(-total * inverse) % _MODULUS]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_symbol(body)


def format_reference(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def is_valid(compact: str) -> bool:
    if len(compact) != REFERENCE_LENGTH or any(c not in _VALUE for c in compact):
        return False
    total = sum((i + 1) * _VALUE[c] for i, c in enumerate(compact))
    return total % _MODULUS == 0


def normalize(raw: str) -> str:
    """'7k4m 2xa', '7K4M-2XA' -> '7K4M2XA'; refuses anything whose check symbol fails."""
    if len(raw) > 40:
        raise InvalidInput("Référence de demande trop longue", field="reference")
    # A control, a direction override, an invisible mark: named, never echoed, and said
    # before the length (it is not « one character too many »).
    if problem := text_problem(raw.strip(), "reference"):
        raise InvalidInput(f"Référence de demande illisible : {problem}", field="reference")
    compact = _NOISE.sub("", raw.upper()).translate(_LOOKALIKES)
    if len(compact) != REFERENCE_LENGTH:
        raise InvalidInput(
            f"Une référence de demande compte {REFERENCE_LENGTH} caractères"
            f" (ex. 7K4M-2XA) : « {echoed(raw.strip())} »",
            field="reference",
        )
    bad = sorted({c for c in compact if c not in _VALUE})
    if bad:
        raise InvalidInput(
            f"Caractère(s) impossible(s) dans une référence : {echoed(' '.join(bad))}",
            field="reference",
        )
    if not is_valid(compact):
        raise InvalidInput(
            "Référence erronée : le caractère de contrôle ne correspond pas"
            " (un caractère mal lu ou deux inversés ?)",
            field="reference",
        )
    return compact


def looks_like_reference(raw: str) -> bool:
    try:
        normalize(raw)
    except InvalidInput:
        return False
    return True
