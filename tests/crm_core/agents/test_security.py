"""Password hashing: the product's argon2id parameters, and the suite's cheaper ones."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from argon2 import profiles

from crm_core.agents import security


@pytest.fixture
def product_parameters() -> Iterator[None]:
    """The product's own parameters for one test (the suite runs on argon2's cheapest)."""
    security.use_parameters(security.DEFAULT_PARAMETERS)
    yield
    security.use_parameters(profiles.CHEAPEST)


def test_the_product_hashes_with_rfc_9106_low_memory_parameters() -> None:
    # A fresh process: what `relais serve` does, whatever the suite set for itself.
    made = subprocess.run(
        [sys.executable, "-c",
         "from crm_core.agents.security import hash_password; print(hash_password('x'))"],
        capture_output=True, text=True, check=True).stdout
    assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_hash_keeps_verifying_after_the_parameters_change(product_parameters: None) -> None:
    strong = security.hash_password("un-Mot-de-passe-2026")
    security.use_parameters(profiles.CHEAPEST)
    assert security.verify_password(strong, "un-Mot-de-passe-2026")
    assert not security.verify_password(strong, "un-autre-2026")
    assert security.hash_password("x").startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_the_timing_equaliser_follows_the_current_parameters(product_parameters: None) -> None:
    # An unknown username must cost what a known one costs: the dummy hash is remade.
    assert "m=65536,t=3,p=4" in security._dummy_hash()
    assert not security.verify_password(None, "x")
    security.use_parameters(profiles.CHEAPEST)
    assert "m=8,t=1,p=1" in security._dummy_hash()
    assert not security.verify_password(None, "x")
