"""Runs the real OpenID provider (`provider.mjs`, npm `oidc-provider`) on 127.0.0.1, and a
small "browser" that signs a person in through its pages."""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from tests.support.clock import node_clock_options
from tests.support.live_server import free_port

HERE = Path(__file__).parent
CLIENT_ID = "relais"
CLIENT_SECRET = "secret-du-client-relais-pour-les-tests-0123456789"

ACCOUNTS: dict[str, dict[str, Any]] = {
    "camille": {"password": "motdepasse", "claims": {
        "sub": "fc-camille-8f2a", "given_name": "Camille", "family_name": "Durand",
        "birthdate": "1984-03-12", "gender": "female", "birthplace": "35238",
        "birthcountry": "99100", "email": "camille.durand@example.fr", "email_verified": True,
        "phone_number": "+33612345678", "phone_number_verified": False}},
    "jean": {"password": "motdepasse", "claims": {
        "sub": "fc-jean-11aa", "given_name": "Jean Pierre", "family_name": "Martin",
        "birthdate": "1950-01-01", "birthplace": "", "birthcountry": "99134",
        "email": "jp.martin@example.fr", "email_verified": True}},
    "sans-nom": {"password": "motdepasse", "claims": {"sub": "anonyme-1"}},
}


@dataclass
class Provider:
    issuer: str
    redirect_uri: str


def node_available() -> bool:
    return shutil.which("node") is not None and (HERE / "node_modules" / "oidc-provider").is_dir()


@contextlib.contextmanager
def running_provider(redirect_uri: str) -> Iterator[Provider]:
    # Node once hung at start-up on a loaded machine (a futex wait, never listening, never
    # printing): a blocking readline then held the whole suite. Each start is given a
    # deadline, and a hung one is killed and started again.
    for _attempt in range(3):
        process, issuer = _start(redirect_uri)
        if issuer is not None:
            break
        _stop(process)
    else:
        raise RuntimeError("the OpenID provider did not start (three tries)")
    try:
        yield Provider(issuer=issuer, redirect_uri=redirect_uri)
    finally:
        _stop(process)


def _start(redirect_uri: str) -> tuple[subprocess.Popen[str], str | None]:
    port = free_port()
    config = {"port": port, "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                       "redirect_uris": [redirect_uri]},
              "accounts": ACCOUNTS}
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")], cwd=HERE,
        env={**os.environ, **node_clock_options(), "OIDC_TEST_CONFIG": json.dumps(config)},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 20
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                break  # nothing printed in time: hung
            line = process.stdout.readline()
            if line.startswith("READY"):
                return process, line.split()[1]
            if not line and process.poll() is not None:
                break  # it stopped
    return process, None


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout:
        process.stdout.close()


def sign_in(
    relais_get: Callable[[str], Any], login: str, password: str = "motdepasse",
    *, max_hops: int = 10, after_start: Callable[[str], None] | None = None,
) -> Any:
    """Plays the resident's browser: Relais' login → the provider's sign-in page → back to
    Relais' callback, whose answer is returned. `relais_get(path_and_query)` must not
    follow redirects."""
    start = relais_get("/integrations/account/login")
    assert start.status_code == 302, start.text
    url = start.headers["location"]
    if after_start:
        after_start(url)
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        response = browser.get(url)
        for _ in range(max_hops):
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["location"])
                parts = urlsplit(url)
                if f"{parts.scheme}://{parts.netloc}" != _origin(start.headers["location"]):
                    return relais_get(f"{parts.path}?{parts.query}")
                response = browser.get(url)
                continue
            form = re.search(r'<form method="post" action="([^"]+)"', response.text)
            if response.status_code != 200 or form is None:
                raise AssertionError(f"unexpected provider page: {response.status_code}")
            if "role=\"alert\"" in response.text:
                return response  # refused by the provider (wrong password)
            url = urljoin(url, form.group(1))
            response = browser.post(url, data={"login": login, "password": password})
    raise AssertionError("too many redirects")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
