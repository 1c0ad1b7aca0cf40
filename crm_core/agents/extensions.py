"""An agent's phone extension: the key that sends a ringing call to one desk, so two
spellings of one number must be one extension. « ٢٠١ », « ２０１ » or « 201 » are the
same 201 (Unicode digits written as ASCII, spaces around dropped); anything else than
digits is refused. The demo and Zammad-style CTI events use plain digits; no PBX we speak
to needs * or # in an agent's extension."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import BeforeValidator

MAX_LENGTH = 20


def _ascii_digit(char: str) -> str:
    value = unicodedata.decimal(char, None)
    return str(value) if value is not None else char


def normalize_extension(text: str) -> str:
    """« ２０１ » -> « 201 »; raises ValueError (French) for anything but digits."""
    digits = "".join(_ascii_digit(char) for char in unicodedata.normalize("NFKC", text.strip()))
    if not digits:
        raise ValueError("poste téléphonique vide")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("poste téléphonique invalide : des chiffres seulement (par exemple 201)")
    if len(digits) > MAX_LENGTH:
        raise ValueError(f"poste téléphonique trop long (au plus {MAX_LENGTH} chiffres)")
    return digits


def _check(value: object) -> object:
    return normalize_extension(value) if isinstance(value, str) else value


# `phone_extension: PhoneExtension | None`: the agents' API; `relais agent add` calls
# `normalize_extension` itself.
PhoneExtension = Annotated[str, BeforeValidator(_check)]
