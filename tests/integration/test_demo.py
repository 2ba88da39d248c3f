"""The first hour: `deja demo` loads its logs, prints three things to try, and each link shows what it
promises, in headless Chromium (screenshots saved beside the UI test's)."""
import os, re, shutil, signal, subprocess, tempfile, time, urllib.parse

import pytest

from conftest import DEJA, free_port

selenium = pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("chromium and chromium-driver are installed by scripts/setup.sh --integration")
    work = tempfile.mkdtemp(prefix="deja-demo-")
    port = free_port()
    log = open(os.path.join(work, "demo.log"), "w+")
    process = subprocess.Popen([DEJA, "demo", "--data-dir", os.path.join(work, "data"), "--listen", f"127.0.0.1:{port}"],
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 600
    text = ""
    while time.time() < deadline and "Three things to try" not in text:
        assert process.poll() is None, open(log.name).read()
        time.sleep(0.5)
        text = open(log.name).read()
    assert "Three things to try" in text, text
    time.sleep(0.5)
    links = re.findall(r"http://127\.0\.0\.1:\d+/\?\S+", open(log.name).read())
    yield links, work
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    shutil.rmtree(work, ignore_errors=True)


def wait(driver, condition, timeout=60):
    return WebDriverWait(driver, timeout).until(condition)


def shot(browser, name):
    folder = os.environ.get("DEJA_SCREENSHOTS") or tempfile.gettempdir()
    os.makedirs(folder, exist_ok=True)
    browser.save_screenshot(os.path.join(folder, name))


def test_the_three_suggested_paths(demo, browser):
    links, work = demo
    assert len(links) == 4, links
    trace, issues, alert, metrics = links

    # 1. A Java trace finds the same failure in other languages.
    browser.get(trace)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results .group"))
    services = {s for g in browser.find_elements(By.CSS_SELECTOR, "#results .group")[:10] for s in g.find_element(By.CSS_SELECTOR, ".services").text.split(", ")}
    assert {"checkout", "pricing", "inventory", "billing", "storefront"} <= services, services
    shot(browser, "demo-search.png")

    # 2. The database running out of connections is rising, on top, worded by Java, Python and Go.
    browser.get(issues)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#issues .group"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#issues .group")
    rising = [r for r in rows if r.find_element(By.CSS_SELECTOR, ".state").text.lower() == "rising"]
    assert rising and rising[0] == rows[0]
    services = {s for r in rising for s in r.find_element(By.CSS_SELECTOR, ".services").text.split(", ")}
    assert {"payments", "pricing", "inventory"} <= services, services
    assert all(re.search(r"Connection is not available|too many clients|connection slots", r.find_element(By.CSS_SELECTOR, ".message").text)
               for r in rising), [r.text for r in rising]
    shot(browser, "demo-issues.png")

    # 3. The alert on it names it first, and metric search finds the pool's gauge.
    browser.get(alert)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#alert-related .related"))
    first = browser.find_elements(By.CSS_SELECTOR, "#alert-related .related")[0]
    assert "Connection is not available" in first.find_element(By.CSS_SELECTOR, ".message").text
    assert "hikaricp_connections_pending" in browser.find_element(By.ID, "alert-links").text
    shot(browser, "demo-alert.png")
    browser.get(metrics)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#metrics .metric"))
    names = [r.find_element(By.CSS_SELECTOR, ".metric-name").text for r in browser.find_elements(By.CSS_SELECTOR, "#metrics .metric")[:3]]
    assert "hikaricp_connections_pending" in names, names

    # Secrets in the demo's logs never reached the store.
    database = open(os.path.join(work, "data", "deja.sqlite"), "rb").read()
    for secret in (b"Pr1c1ng-S3cret", b"eyJzdWIiOiJ1c2VyLTEyMyJ9"):
        assert secret not in database
