"""The refusals a role meets, in correct French."""

from __future__ import annotations

import re

from crm_core.agents.enums import Permission
from crm_core.api.deps import permission_refusal

# "de" before a vowel or a mute h: French writes "d'" ("d'effacer", never "de effacer").
UNELIDED = re.compile(r"\bde [aàâäeéèêëiîïoôöuùûüœh]", re.IGNORECASE)


def test_every_permission_has_its_refusal_elided_where_french_wants() -> None:
    for permission in Permission:
        message = permission_refusal(permission)
        assert message.startswith("Votre rôle ne permet pas "), message
        assert not UNELIDED.search(message), message
    assert permission_refusal(Permission.RESIDENT_ERASE) == (
        "Votre rôle ne permet pas d'effacer des dossiers")
    assert permission_refusal(Permission.REPORT_READ) == (
        "Votre rôle ne permet pas de consulter les rapports")
