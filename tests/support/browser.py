"""Headless Chromium for the resident pages' tests, driven by Selenium through Debian's
`chromium-driver` (nothing is downloaded: both paths are given), with axe-core injected
from the npm package installed by `tests/run`.

Why Selenium: it is the W3C WebDriver reference, packaged on PyPI without browsers, and
Debian ships a matching `chromedriver` with its `chromium`; Playwright would need its own
browser build (or an unsupported system one), and raw CDP would mean hand-written
protocol code.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support.required import missing

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = Path(__file__).parents[1] / "integrations" / "oidc" / "node_modules" / "axe-core" / (
    "axe.min.js")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_browser() -> None:
    absent = [str(p) for p in (Path(CHROMIUM), Path(CHROMEDRIVER), AXE) if not p.exists()]
    if absent:
        missing(f"needs Debian chromium, chromium-driver and npm axe-core: {absent}")


@contextlib.contextmanager
def chromium(*, width: int = 412, height: int = 915) -> Iterator[Any]:
    """A headless Chromium at a phone's size by default (mobile first)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--lang=fr-FR", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-sync"):
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(20)
        driver.set_script_timeout(30)
        yield driver
    finally:
        driver.quit()


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Runs axe-core on the current page with the WCAG 2.1 A and AA rules."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))}))"
        ".catch(e => done({error: String(e)}));", WCAG_AA)
    assert "error" not in result, result
    violations: list[dict[str, Any]] = result["violations"]
    return violations


# Every control the keyboard should reach, in DOM order (one radio per group: the checked
# one, or the first when none is checked — arrow keys move inside a group).
TABBABLE_JS = """
const all = [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), textarea, select, [tabindex]:not([tabindex="-1"])')]
  .filter(e => !e.disabled && e.offsetParent !== null || e.classList.contains('skip'));
const seen = new Set();
return all.filter(e => {
  if (e.type !== 'radio') return true;
  const group = [...document.getElementsByName(e.name)];
  const chosen = group.find(r => r.checked) || group[0];
  if (seen.has(e.name) || e !== chosen) return false;
  seen.add(e.name); return true;
}).map(describe);
function describe(e) { return e.id || e.getAttribute('href') || e.name + ':' + (e.value || '') +
  ':' + e.textContent.trim(); }
"""
DESCRIBE_ACTIVE_JS = """
const e = document.activeElement;
return e.id || e.getAttribute('href') || e.name + ':' + (e.value || '') + ':' +
  e.textContent.trim();
"""
FOCUS_STYLE_JS = """
const s = getComputedStyle(document.activeElement);
return [s.outlineStyle, s.outlineWidth];
"""
