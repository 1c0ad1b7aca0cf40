"""Methods on the resident pages (outside look at issue 21): a 405 names every method
the address takes, and an address that names no page is a 404 whatever the method."""

from __future__ import annotations

from html import unescape
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from tests.crm_core.space.conftest import SignIn


@pytest.mark.parametrize(("path", "allow"), [
    ("/espace/choix", "GET, POST"),
    ("/rappels/desabonnement", "GET, POST"),
])
def test_a_wrong_method_names_every_method_of_the_address(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn, path: str, allow: str
) -> None:
    """Starlette named the first route of the path: `Allow: GET` where the page takes POST."""
    sign_in_as(factories.ResidentFactory().id)
    answer = client.put(path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_an_address_that_names_no_page_is_not_found_whatever_the_method(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn, method: str
) -> None:
    """The catch-all took GET only: a form posted to a page that does not exist said
    « méthode non permise » as if the page existed."""
    csrf = sign_in_as(factories.ResidentFactory().id)
    answer = client.request(method, "/espace/nulle-part", data={"csrf": csrf})
    assert answer.status_code == 404
    assert "allow" not in answer.headers
    assert "Page introuvable" in unescape(answer.text)
