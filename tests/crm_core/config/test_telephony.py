"""The telephony section's values: PBX names and secrets, checked as the settings are read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crm_core.config.telephony import TelephonySettings, parse_secrets


@pytest.mark.parametrize("text", ["pbx-a", "pbx-a:short", ":no-name-secret-long-enough-x"])
def test_malformed_secret_lists_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="PBX"):
        parse_secrets(text)


@pytest.mark.parametrize("name", ["ast\x07", "a b", "\u202eabc", "p" * 65])
def test_a_pbx_name_in_the_settings_passes_the_identifier_rule(name: str) -> None:
    """Outside look 6 at issue 19: checked for --pbx, not in RELAIS_TELEPHONY_PBX_SECRETS;
    checked in the settings, the server refuses it as it reads them."""
    with pytest.raises(ValidationError, match="nom d'autocommutateur refusé"):
        TelephonySettings(pbx_secrets=f"{name}:{'s' * 30}")
    assert parse_secrets(f"{'p' * 64}:{'s' * 30}") == {"p" * 64: ["s" * 30]}
