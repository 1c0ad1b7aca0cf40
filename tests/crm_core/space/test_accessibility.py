"""The resident pages in a real browser: headless Chromium signs in through the real
OpenID provider, then axe-core checks every page against WCAG 2.1 A and AA (zero
violations), and the keyboard alone reaches every control, with a visible focus."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from crm_core.agents.actor import Actor
from crm_core.agents.models import Agent
from crm_core.cases.schemas import ServiceCreate
from crm_core.cases.service import create_service
from crm_core.channels import Channel
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.reminders import service as reminders
from crm_core.residents.models import AccountLink
from crm_core.space import rights
from crm_core.space.enums import PrivacyRequestKind
from tests.integrations.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    node_available,
    running_provider,
)
from tests.support.browser import (
    DESCRIBE_ACTIVE_JS,
    FOCUS_STYLE_JS,
    TABBABLE_JS,
    axe_violations,
    chromium,
    require_browser,
)
from tests.support.clock import city_zone
from tests.support.required import missing

# Chromium keeps the machine's real time: a shifted run (docs/testing.md) would hand it the
# provider's cookies from another day, expired or not yet valid.
pytestmark = pytest.mark.real_clock

PAGES = ["/espace/", "/espace/demandes", "/espace/badge", "/espace/coordonnees",
         "/espace/choix", "/espace/consultations", "/espace/mes-donnees", "/espace/droits",
         "/espace/accessibilite"]


@pytest.fixture
def signed_in_browser(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Chromium signed in as Camille (online account), whose file has something on every
    page: requests from two channels, contact points, reminders, a consultation."""
    require_browser()
    if live_server.engine.dialect.name != "sqlite":
        pytest.skip("the markup does not depend on the engine: the browser checks run once"
                    " (journey 4 runs the space on both engines)")
    if not node_available():
        missing("node and tests/integrations/oidc/node_modules are needed (npm ci)")
    callback = f"{live_server.url}/integrations/account/callback"
    with running_provider(callback) as provider, chromium() as driver:
        for name, value in {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                            "OIDC_REDIRECT_URI": callback}.items():
            monkeypatch.setenv(f"RELAIS_{name}", value)
        live_server.reread_settings()
        driver.get(f"{live_server.url}/espace/connexion")
        driver.find_element("link text", "Se connecter avec mon compte en ligne").click()
        driver.find_element("name", "login").send_keys("camille")
        driver.find_element("name", "password").send_keys("motdepasse")
        driver.find_element("css selector", "button[type=submit]").click()
        WebDriverWait(driver, 15).until(lambda d: "Bonjour Camille" in d.page_source)
        _fill_the_file(live_server)
        yield driver, live_server.url


def _fill_the_file(live_server: Any) -> None:
    from sqlalchemy import select

    from crm_core.cases.schemas import CaseCreate
    from crm_core.cases.service import open_case

    with live_server.session() as session:
        link = session.scalars(select(AccountLink)).one()
        agent = session.scalars(select(Agent).where(Agent.username == "accueil")).one()
        actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                      site_id=agent.site_id)
        create_service(db_session=session, data=ServiceCreate(
            code="etat-civil", label="État civil", announced_delay_days=10))
        for subject, channel in (("Acte de naissance", Channel.WEB),
                                 ("Carte d'identité", Channel.COUNTER)):
            open_case(timezone=city_zone(), db_session=session, actor=actor, data=CaseCreate(
                resident_id=link.resident_id, service_code="etat-civil", subject=subject,
                channel=channel))
        reminders.create_bundle(db_session=session, code="dechets",
                                label="Collecte des déchets")
        record_access(db_session=session, actor=actor, resident_id=link.resident_id,
                      operation=AccessOperation.READ_SUMMARY, reason="identity")
        rights.file_request(db_session=session, resident_id=link.resident_id,
                            kind=PrivacyRequestKind.RECTIFICATION, message="Mon prénom")
        session.commit()


def test_the_checker_does_catch_violations() -> None:
    """The harness is not vacuous: a page with known faults fails it."""
    require_browser()
    with chromium() as driver:
        driver.get("data:text/html;charset=utf-8,<title>x</title><img src='a.png'>"
                   "<p style='color:%23777;background:%23888'>faible contraste</p>")
        found = {violation["id"] for violation in axe_violations(driver)}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found


def test_every_page_has_no_wcag_21_aa_violation(signed_in_browser: Any) -> None:
    driver, base = signed_in_browser
    found: dict[str, Any] = {}
    for width, height in ((412, 915), (1280, 900)):  # a phone, then a desktop
        driver.set_window_size(width, height)
        for path in PAGES:
            driver.get(base + path)
            assert driver.title.endswith("Ville de démonstration"), path
            if violations := axe_violations(driver):
                found[f"{path} at {width}px"] = violations
    driver.set_window_size(412, 915)
    driver.get(base + "/espace/badge")
    driver.find_element("xpath", "//button[contains(., 'nouveau code QR')]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements("css selector", ".qr-image svg"))
    if violations := axe_violations(driver):
        found["/espace/badge (QR shown)"] = violations
    driver.get(base + "/espace/coordonnees")
    driver.find_element("xpath", "//button[starts-with(normalize-space(.), 'Enregistrer')]"
                        ).click()  # a page with its "done" message
    WebDriverWait(driver, 15).until(lambda d: "mise à jour" in d.page_source)
    if violations := axe_violations(driver):
        found["after a change"] = violations
    driver.delete_all_cookies()
    driver.get(base + "/espace/connexion")
    if violations := axe_violations(driver):
        found["/espace/connexion"] = violations
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_pages_reflow_at_320_css_pixels(signed_in_browser: Any) -> None:
    """WCAG 1.4.10: at 320 CSS px (1280 px zoomed to 400 %) nothing scrolls sideways but
    the data tables, each in its own keyboard-reachable scrolling region."""
    driver, base = signed_in_browser
    driver.set_window_size(320, 800)
    overflowing = {}
    for path in PAGES:
        driver.get(base + path)
        widths = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[1] == 320
        if widths[0] > widths[1]:
            overflowing[path] = widths
    assert overflowing == {}


def _tab_through(driver: Any, steps: int) -> list[str]:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    reached = []
    for _ in range(steps):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.append(driver.execute_script(DESCRIBE_ACTIVE_JS))
        outline_style, outline_width = driver.execute_script(FOCUS_STYLE_JS)
        assert outline_style != "none" and outline_width != "0px", reached[-1]
    return reached


@pytest.mark.parametrize("path", ["/espace/choix", "/espace/coordonnees", "/espace/droits",
                                  "/espace/badge", "/espace/consultations"])
def test_the_keyboard_reaches_every_control_in_order_with_a_visible_focus(
    signed_in_browser: Any, path: str
) -> None:
    driver, base = signed_in_browser
    driver.get(base + path)
    expected = driver.execute_script(TABBABLE_JS)
    assert expected[0] == "#contenu"  # the skip link comes first
    reached = _tab_through(driver, len(expected))
    assert reached == expected


def test_the_skip_link_and_a_form_sent_with_the_keyboard_only(signed_in_browser: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver, base = signed_in_browser
    driver.get(base + "/espace/choix")
    keys = ActionChains(driver)
    keys.send_keys(Keys.TAB).perform()
    assert driver.execute_script(DESCRIBE_ACTIVE_JS) == "#contenu"
    keys.send_keys(Keys.ENTER).perform()
    assert driver.execute_script("return document.activeElement.id") == "contenu"
    for _ in range(40):  # on to the e-mail question: no answer yet, so nothing is ticked
        ActionChains(driver).send_keys(Keys.TAB).perform()  # and Tab stops on its "oui"
        if driver.execute_script("return document.activeElement.id") == "c-contact_email-oui":
            break
    ActionChains(driver).send_keys(Keys.SPACE).perform()  # "oui"
    assert driver.find_element("id", "c-contact_email-oui").is_selected()
    for _ in range(40):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if "Enregistrer mes consentements" in driver.execute_script(DESCRIBE_ACTIVE_JS):
            break
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    WebDriverWait(driver, 15).until(lambda d: "Vos choix sont enregistrés." in d.page_source)
    assert driver.find_element("id", "c-contact_email-oui").is_selected()
