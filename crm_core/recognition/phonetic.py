"""A French phonetic key for names: what an agent hears on the phone, not how it is spelt.

No well-kept library does French (Soundex and Metaphone are English; the "Phonex" and
"Soundex FR" papers have no maintained Python package), so this is a small rewrite-rule key
in their spirit, written for candidate generation. It only has to bring together
spellings that sound alike; ranking and explanations are done later by comparing the
actual names, so the key may be generous (a few false friends cost nothing).

The input is one folded token (`crm_core.text.fold`, split on spaces): lower case, no
accents. Steps, in order:

1. Consonants: ch before r/l→k (Christophe), sch/sh/ch→x (the "ch" sound), ph→f,
   th→t, kh→k, cz→x, ck/qu/q→k, gu before e/i/y→hard g, c before e/i/y→s, "ncoi"→"nsoi"
   (a folded ç: François), other c→k,
   g before e/i/y and ge before a/o→j, je before a→j (Jean), w→v, z→s (so s and z are
   one letter), other h silent.
2. Vowels: "ill" after a vowel→y (Maillard = Mayard), eau/au→o, ain/ein before a
   consonant or the end→I (Martain = Martin), ai/ei/ey→e, y→i, ou→u, oe→e, and
   -er/-es/-et at the end→e (Boucher = Bouchet).
3. Silent endings: o followed by lt/lx/t/d/x→o (Renault = Renaud = Reno); a final
   d/t/s/x/p after a vowel, n or r is dropped (Durand = Durant, Richard = Richar); a
   final e is dropped (Lefèvre = Lefevr); bv→v (Lefebvre = Lefèvre).
4. Doubled letters collapse (Camille = Camile, Perrot = Pérot).
5. Nasals before a consonant or the end: an/am/en/em→A, in/im/un/um→I, on/om→O
   (Laurent = Lorant).

Examples: philippe/filipe → "filip"; thibault/thibaut/thibeau → "tibo";
renault/renaud/reno → "reno"; durand/durant → "durA"; lemaire/lemerre → "lemer".
"""

from __future__ import annotations

import re
from functools import lru_cache

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # 1. consonant groups
        (r"ch(?=[rl])", "k"),
        (r"sch|sh|ch", "x"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"kh", "k"),
        (r"cz", "x"),
        (r"ck|qu|q", "k"),
        (r"gu(?=[eiy])", "G"),
        (r"cc(?=[eiy])", "ks"),
        (r"(?<=n)c(?=oi)", "s"),  # a folded ç: François, Françoise
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"ge(?=[ao])", "j"),
        (r"g(?=[eiy])", "j"),
        (r"je(?=a)", "j"),
        (r"w", "v"),
        (r"z", "s"),
        (r"h", ""),
        # 2. vowel groups
        (r"(?<=[aeiouG])ill", "y"),
        (r"e?au", "o"),
        (r"[ae]i[nm](?=[^aeiounm]|$)", "I"),
        (r"ey(?![aeiou])", "e"),
        (r"[ae]i(?![aeiouy])", "e"),
        (r"y", "i"),
        (r"ou", "u"),
        (r"oe", "e"),
        (r"(?<=.)(er|es|et)$", "e"),
        # 3. silent endings
        (r"o(lt|lx|t|d|x)$", "o"),
        (r"(?<=[aeiounr])[dtsxp]$", ""),
        (r"(?<=..)e$", ""),
        (r"(.)\1+", r"\1"),
        (r"bv", "v"),
        # 4. nasals before a consonant or at the end
        (r"[ae][nm](?=[^aeiounm]|$)", "A"),
        (r"([ae]i|[iu])[nm](?=[^aeiounm]|$)", "I"),
        (r"o[nm](?=[^aeiounm]|$)", "O"),
    )
)


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """The French phonetic key of one folded name token ('' for an empty token)."""
    key = token
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return key.replace("G", "g")
