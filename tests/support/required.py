"""A test that needs an installed component skips without it, except under `tests/run`
(which installs everything and sets RELAIS_TESTS_REQUIRE_ALL): there it fails, so that a
broken installation can never pass as a green run."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str) -> NoReturn:
    if os.environ.get("CI") or os.environ.get("RELAIS_TESTS_REQUIRE_ALL"):
        pytest.fail(f"required by the suite but missing: {reason}")
    pytest.skip(reason)
