"""Browser journeys in Debian's headless Chromium, driven by Playwright's sync API.

Fixtures for every e2e test (the site runs in pytest-django's ``live_server``):

- ``browser``: one Chromium for the whole session (never downloaded: /usr/bin/chromium).
- ``page``: a fresh page in a fresh context (no cookies), with the CSP bypassed so that
  ``axe_scan(page)`` can inject axe-core.
- ``new_page(**context_options)``: more pages, e.g. ``new_page(java_script_enabled=False)``,
  ``new_page(viewport={"width": 390, "height": 844})``; the site's real CSP applies unless you
  pass ``bypass_csp=True``.
- ``csp_violations(page)``: start collecting the CSP violations Chromium reports on a page.
- ``axe_scan(page)``: run axe-core on the page, return its violations (a list of dicts).
- ``world``: the dossier tests' world (registries on the exchange, a ward, its officers, a
  procedure), with uploads in a temporary folder and a fast password hasher.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django would refuse database
# access from it without this (the test script sets it too).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps trying to reach the internet.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Tests that wait for something that never comes should fail in seconds, not minutes.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (Playwright must not download one)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts = []

    def make(**context_options: Any) -> Page:
        context = browser.new_context(**context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page(bypass_csp=True)


def csp_violations(page: Page) -> list[str]:
    """A list that fills with the Content-Security-Policy violations reported on ``page``."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    return found


def axe_scan(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's violations of the given impacts on the page as it is now.

    The page must come from a context with ``bypass_csp=True`` (the ``page`` fixture is one):
    the site's CSP forbids the injected script otherwise.
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in the repository root")
    page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in violations if v.get("impact") in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Readable assertion message: rule, impact, help and the offending elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        lines.extend(f"    {node['html']}" for node in violation["nodes"][:5])
    return "\n".join(lines)


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> Any:
    from tests.dossiers import factories

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return factories.world()
