"""The agents' password rules (OWASP ASVS 5.0 V6.2): long enough, not trivially guessed.

Length is what matters (NIST SP 800-63B): at least 8 characters, up to 128 so that pass
phrases fit; no composition rules. A password is also refused when it is the username,
one repeated character, or one of the passwords most used in France and elsewhere — a
short list kept here, since the breached-password services (Have I Been Pwned) would need
the network at every change, which a city's internal server may not have.
"""

from __future__ import annotations

import unicodedata

from crm_core.exceptions import InvalidInput
from crm_core.text import count

MIN_LENGTH = 8
MAX_LENGTH = 128

# Folded (lower case, no accents): the most common passwords of published leak studies
# (NordPass, NCSC top lists) that reach 8 characters, plus the city-office classics.
_COMMON = frozenset((
    "12345678", "123456789", "1234567890", "0123456789", "12341234", "11111111",
    "00000000", "87654321", "11223344", "password", "password1", "password123", "passw0rd",
    "motdepasse", "motdepasse1", "azertyui", "azertyuiop", "azerty123", "azerty12",
    "qwertyui", "qwertyuiop", "qwerty123", "abcd1234", "abc12345", "iloveyou", "doudou123",
    "soleil123", "bonjour1", "bonjour123", "marseille", "paris123", "loulou123",
    "chouchou", "123azerty", "administrateur", "administrator", "admin123", "admin1234",
    "adminadmin", "changeme", "changeme1", "welcome1", "bienvenue", "bienvenue1",
    "mairie123", "accueil1", "accueil123", "telephone", "relais123", "relaisrelais",
    "superviseur", "letmein1", "football", "sunshine", "princess", "baseball", "trustno1",
    "dragon123", "monkey123",
))


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def check_new_password(password: str, *, username: str) -> None:
    """Refuse a password that breaks the rules, saying which one, in French."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"Mot de passe trop court : {MIN_LENGTH} caractères au moins", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"Mot de passe trop long : {count(MAX_LENGTH)} caractères au plus", field="password"
        )
    folded = fold(password)
    if folded == fold(username) or len(set(folded)) == 1 or folded in _COMMON:
        raise InvalidInput(
            "Mot de passe trop facile à deviner (identifiant, caractère répété ou mot de "
            "passe courant) : choisissez-en un autre, une phrase par exemple",
            field="password",
        )
