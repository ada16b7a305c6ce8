"""A live workbench on a free local port and a headless Debian Chromium driven by Playwright.

Never downloads a browser: the executable is Debian's /usr/bin/chromium (CI installs it). Without
it the journeys are skipped, unless WORKBENCH_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from waitress.server import create_server

from tests.conftest import PASSWORD
from workbench import create_app, migrate
from workbench import db as database
from workbench.core import jobs

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on SQLite in its own instance folder, with the demo, served from a thread.

    The journeys always run on their own SQLite file, whatever database the suite is given, so the
    PostgreSQL pass (WORKBENCH_TEST_DATABASE_URL) would only repeat the SQLite pass's run of them:
    they are skipped there. Jobs run in a worker of this process, as under `workbench serve`. The
    acceptance journey (test_acceptance.py) starts `workbench serve` on
    the suite's database and runs in both passes.
    """
    if os.environ.get("WORKBENCH_TEST_DATABASE_URL"):
        pytest.skip("journeys on the live server run on SQLite, in the SQLite pass")
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": f"sqlite:///{folder / 'live.db'}",
            "SECRET_KEY": "browser-tests",
            "DEMO_PASSWORD": PASSWORD,
        }
    )
    with app.app_context():
        migrate.upgrade(database.engine())
        from workbench.demo.loader import load_demo

        with database.session_scope() as session:
            load_demo(session, password=PASSWORD)
    # Waitress, the server `workbench serve` runs: it closes a response's file when the browser
    # drops the request (moving to the next page before a script or the icon has arrived), where
    # the development server left it open and its ResourceWarning errored the next test.
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    closing = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:  # the socket closed under the loop's select(): the end of the module
            if not closing.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    # The queue's worker, as `workbench serve` runs it: the pages' jobs (reports, PDFs, large
    # imports) wait in the instance's queue file and run here, as in production.
    consumer = jobs.start_in_process()
    yield f"http://127.0.0.1:{server.effective_port}"
    consumer.stop(graceful=True)
    closing.set()
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_path, headless=True, args=ARGS)
        yield instance
        instance.close()


def new_context(browser, **options):
    """A browser context as people use the workbench: Chinese locale."""
    return browser.new_context(**{"locale": "zh-CN", **options})


@pytest.fixture()
def page(browser, tmp_path):
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


def open_tab(page, label: str) -> None:
    """Open an engagement page by its tab: a grouped tab sits in its group's dropdown."""
    tabs = page.locator("#engagement-tabs")
    tabs.wait_for()  # the engagement page, not the page being left (a click may still navigate)
    page.wait_for_load_state("load")  # its scripts have run: Bootstrap has bound the dropdowns
    link = tabs.locator("a.nav-link, a.dropdown-item", has_text=label).first
    if not link.is_visible():
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        toggle = link.locator("xpath=ancestor::li[contains(@class,'dropdown')]").locator(
            ".dropdown-toggle"
        )
        # A click that lands before Bootstrap has bound the dropdown opens nothing: click again,
        # but never on a dropdown already open (a late first click would be undone by the second).
        for _attempt in range(5):
            if toggle.get_attribute("aria-expanded") != "true":
                toggle.click()
            try:
                link.wait_for(state="visible", timeout=3000)
                break
            except PlaywrightTimeoutError:
                continue
    link.click()


def fill_site_visit(page, *, site: str, visit_date: str, summary: str) -> str:
    """Fill and save the 现场核查记录 form just opened (one item, 留样记录 相符); its index number."""
    page.fill("input[name=f-site]", site)
    page.fill("input[name=f-visit_date]", visit_date)
    page.select_option("select[name=f-method]", label="实地查看")
    page.fill("input[name=f-items-0-item]", "留样记录")
    page.select_option("select[name=f-items-0-conclusion]", label="相符")
    page.fill("textarea[name=f-summary]", summary)
    page.click("#save-paper")
    page.wait_for_selector("#signoffs")
    return page.locator("#paper-index").inner_text()
