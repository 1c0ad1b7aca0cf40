"""An agent's phone extension: the key that sends a ringing call to one desk, so two
spellings of one number must be one extension. « ٢٠١ », « ２０１ », « 2 01 » or « 201 »
are the same 201 (Unicode digits written as ASCII, spaces anywhere dropped: French
numbers are written in pairs); anything else than digits is refused, invisible marks
included. The demo and Zammad-style CTI events use plain digits; no PBX we speak to needs
* or # in an agent's extension.

One rule for every way in: the agents' API and `relais agent add` (setting it), the desk's
`?extension=` (following it), the CTI events (ringing it), and migration 0022 (a copy:
migrations carry their own code) for extensions stored before the rule."""

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
    digits = "".join(_ascii_digit(char) for char in unicodedata.normalize("NFKC", text)
                     if not char.isspace())
    if not digits:
        raise ValueError("poste téléphonique vide")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("poste téléphonique invalide : des chiffres seulement (par exemple 201)")
    if len(digits) > MAX_LENGTH:
        raise ValueError(f"poste téléphonique trop long (au plus {MAX_LENGTH} chiffres)")
    return digits


def extension_or_name(text: str) -> str:
    """Who a CTI event names in `user[]` or `answeringNumber`: an extension (normalised) or
    an agent's username (kept as sent; it matches a username or nothing)."""
    try:
        return normalize_extension(text)
    except ValueError:
        return text


def _check(value: object) -> object:
    return normalize_extension(value) if isinstance(value, str) else value


# `phone_extension: PhoneExtension | None`: the agents' API and the CTI events' `extension`;
# `relais agent add` and the desk's `?extension=` call `normalize_extension` themselves.
PhoneExtension = Annotated[str, BeforeValidator(_check)]
