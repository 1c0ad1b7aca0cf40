"""The French words a supervisor reads for recognition's codes (the command line's
duplicates table, a merge's summary): the codes stay stable English in the data and the
API, the labels live here, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The fields the Fellegi-Sunter model compares (`fellegi_sunter.M_U`), and how they agree.
FIELD_LABELS = {"family_name": "nom", "given_name": "prénom", "birth_date": "date de naissance",
                "address": "adresse", "phone": "téléphone", "email": "courriel"}
LEVEL_LABELS = {"exact": "identique", "phonetic": "même son", "close": "proche",
                "initial": "initiale", "different": "différent",
                "same_address": "même adresse", "same_commune": "même commune",
                "shared": "en commun", "none_shared": "aucun en commun"}
DECISION_LABELS = {"probable": "probable", "possible": "possible"}

# The tables whose rows a merge moves (`merge.MOVABLES`): (one, several).
MOVED_LABELS = {
    "case": ("demande", "demandes"), "interaction": ("échange", "échanges"),
    "contact_point": ("coordonnée", "coordonnées"),
    "account_link": ("compte en ligne", "comptes en ligne"), "badge": ("badge", "badges"),
    "queue_ticket": ("ticket de file", "tickets de file"), "call": ("appel", "appels"),
    "callback": ("rappel", "rappels"),
    "privacy_request": ("demande sur les données", "demandes sur les données"),
}


def comparison_line(comparison: Mapping[str, Any]) -> str:
    """« date de naissance : identique +6,8 » for one compared field."""
    field, level = str(comparison["field"]), str(comparison["level"])
    weight = f"{comparison['weight']:+.1f}".replace(".", ",")
    return f"{FIELD_LABELS.get(field, field)} : {LEVEL_LABELS.get(level, level)} {weight}"


def moved_sentence(moved: Mapping[str, int]) -> str:
    """« 3 échanges, 2 demandes déplacés » or « rien n'a été déplacé »."""
    parts = []
    for table, count in moved.items():
        one, several = MOVED_LABELS.get(table, (table, table))
        parts.append(f"{count} {one if count == 1 else several}")
    return f"déplacé : {', '.join(parts)}" if parts else "rien n'a été déplacé"
