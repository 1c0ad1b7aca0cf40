"""Methods on the resident pages (outside look at issue 21): a 405 names every method
the address takes, and an address that names no page is a 404 whatever the method."""

from __future__ import annotations

from html import unescape
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from tests.crm_core.space.conftest import SignIn


@pytest.mark.parametrize(("path", "allow"), [
    ("/espace/choix", "GET, HEAD, POST"),
    ("/rappels/desabonnement", "GET, HEAD, POST"),
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


@pytest.mark.parametrize("path", ["/espace/choix", "/espace/connexion", "/api/v1/health",
                                  "/rappels/desabonnement"])
def test_head_is_answered_wherever_get_is_without_a_body(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn, path: str
) -> None:
    """Third outside look at issue 21: HEAD was a 405 `Allow: GET`."""
    sign_in_as(factories.ResidentFactory().id)
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code != 405, head.text
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/espace/deconnexion", "/espace/rattachement"])
def test_a_form_only_address_answers_405_with_its_methods_to_any_other(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn, path: str, method: str
) -> None:
    """Third outside look at issue 21: GET was « page introuvable » (the catch-all took the
    address) while PUT was a 405: the address exists, whatever the method."""
    sign_in_as(factories.ResidentFactory().id)
    answer = client.request(method, path)
    assert answer.status_code == 405, answer.text
    assert answer.headers["allow"] == "POST"
