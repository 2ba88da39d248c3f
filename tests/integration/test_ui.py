"""The web UI in a real browser (headless Chromium through Selenium): paste a stack trace, see its
relatives, follow "find similar", check the deep links and that hostile log text stays text.
Screenshots of the pages are saved under a folder named in the output."""
import glob, json, os, shutil, subprocess, tempfile, time, urllib.parse

import pytest

from conftest import DEJA, ROOT, Server

selenium = pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

TRACE = """java.lang.NullPointerException: Cannot invoke "com.shop.orders.Order.getCustomer()" because "order" is null
\tat com.shop.orders.InvoiceService.render(InvoiceService.java:77)
\tat com.shop.orders.InvoiceController.show(InvoiceController.java:31)
\tat java.base/java.lang.Thread.run(Thread.java:1583)"""
XSS_SCRIPT = "<script>window.__xss = 1</script> xss probe alpha"
METRICS = os.path.join(ROOT, "Tests", "DejaSearchTests", "Fixtures", "metrics.json")
XSS_IMG = '"><img src=x onerror="window.__xss = 2"> xss probe beta'


@pytest.fixture(scope="module")
def ui_server():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("chromium and chromium-driver are installed by scripts/setup.sh --integration")
    data_dir = tempfile.mkdtemp(prefix="deja-ui-")
    subprocess.run([DEJA, "ingest", "--data-dir", data_dir, *sorted(glob.glob(os.path.join(ROOT, "samples", "logs", "*.log")))], check=True)
    subprocess.run([DEJA, "metrics", "index", "--data-dir", data_dir, "--file", METRICS], check=True)
    # The Prometheus named for links is not running: the index built above keeps answering.
    server = Server(data_dir, ["--grafana-url", "http://grafana.example", "--loki-datasource", "P8E80F9AEF21F6940",
                               "--kibana-url", "http://kibana.example", "--kibana-data-view", "logs-view",
                               "--prometheus-url", "http://127.0.0.1:9", "--prometheus-datasource", "PROM1"]).start()
    body = "".join(json.dumps({"id": f"xss-{i}", "service": "hostile", "level": "error", "body": text}) + "\n"
                   for i, text in enumerate([XSS_SCRIPT, XSS_IMG]))
    assert server.request("POST", "/api/v1/ingest", body.encode())[0] == 200
    server.wait_for_event("xss-1")
    # Every sample signature is embedded before the browser looks.
    server.wait_for_search("checkout failed NullPointerException", lambda g: g["signature"]["service"] == "checkout")
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def screenshots():
    folder = os.environ.get("DEJA_SCREENSHOTS") or tempfile.mkdtemp(prefix="deja-ui-screenshots-")
    os.makedirs(folder, exist_ok=True)
    print(f"\nUI screenshots saved under {folder}")
    return folder


def wait(driver, condition, timeout=30):
    return WebDriverWait(driver, timeout).until(condition)


def groups(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#results .group")


def test_paste_a_trace_and_see_its_relatives(ui_server, browser, screenshots):
    browser.get(ui_server.base + "/")
    box = wait(browser, EC.element_to_be_clickable((By.ID, "query")))
    # Pasted (typing would turn the trace's tabs into focus moves), then Ctrl+Enter.
    browser.execute_script("arguments[0].value = arguments[1]", box, TRACE)
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    wait(browser, lambda d: groups(d))
    assert "q=" in browser.current_url  # the search is a permalink
    services = [g.find_element(By.CSS_SELECTOR, ".services").text for g in groups(browser)]
    assert "checkout" in services[0], services  # the same Java failure first
    assert any("pricing" in s for s in services[:5]), services  # Python's NoneType: the same failure, another language
    first = groups(browser)[0]
    assert "null reference" in first.find_element(By.CSS_SELECTOR, ".why").text
    # Each group names its recurring issue; the Python relative is in the same one.
    issue_links = [g.find_element(By.CSS_SELECTOR, "a.issue-link").get_attribute("href") for g in groups(browser)[:5]]
    pricing = next(i for i, s in enumerate(services[:5]) if "pricing" in s)
    assert "view=issue&id=" in issue_links[0] and issue_links[pricing] == issue_links[0]
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results .spark polyline"))
    browser.save_screenshot(os.path.join(screenshots, "search.png"))

    # Example events expand with labels and time; deep links are built from them.
    first.find_element(By.CSS_SELECTOR, "summary").click()
    event = first.find_element(By.CSS_SELECTOR, ".event")
    assert "NullPointerException" in event.find_element(By.CSS_SELECTOR, ".body").text
    grafana = event.find_element(By.CSS_SELECTOR, "a.grafana").get_attribute("href")
    assert grafana.startswith("http://grafana.example/explore?schemaVersion=1&orgId=1&panes=")
    pane = list(json.loads(urllib.parse.unquote(grafana.split("panes=", 1)[1])).values())[0]
    assert pane["datasource"] == "P8E80F9AEF21F6940" and pane["queries"][0]["expr"] == '{service_name="checkout"}'
    assert int(pane["range"]["to"]) - int(pane["range"]["from"]) == 10 * 60 * 1000
    kibana = urllib.parse.unquote(event.find_element(By.CSS_SELECTOR, "a.kibana").get_attribute("href"))
    assert kibana.startswith("http://kibana.example/app/discover#/?_g=(time:(from:'2026-") and "index:'logs-view'" in kibana

    # Find similar: a permalink of its own, the event's own signature left out.
    own = first.get_attribute("data-signature")
    event.find_element(By.CSS_SELECTOR, "a.similar").click()
    wait(browser, lambda d: "similar=" in d.current_url and "like event" in d.find_element(By.ID, "search-status").text)
    assert groups(browser) and own not in [g.get_attribute("data-signature") for g in groups(browser)]


def test_hostile_log_text_is_shown_as_text(ui_server, browser):
    browser.get(ui_server.base + "/?q=" + urllib.parse.quote("xss probe"))
    wait(browser, lambda d: groups(d))
    for group in groups(browser):
        group.find_element(By.CSS_SELECTOR, "summary").click()
    text = browser.find_element(By.ID, "results").text
    assert XSS_SCRIPT in text and XSS_IMG in text
    assert browser.execute_script("return window.__xss") is None
    assert not browser.find_elements(By.CSS_SELECTOR, "#results img, #results script")
    status, headers, _ = ui_server.request("GET", "/", headers={"Accept": "text/html"})
    policy = headers["Content-Security-Policy"]
    assert status == 200 and "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_recurring_issues_page(ui_server, browser, screenshots):
    browser.get(ui_server.base + "/?view=issues")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#issues .group"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#issues .group")
    counts = [int(r.find_element(By.CSS_SELECTOR, ".count").text.split()[0]) for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 2
    assert rows[0].find_elements(By.CSS_SELECTOR, ".spark polyline")
    # The sample's null dereference, worded by Java, Go, Python and Node, is one issue.
    null = next(r for r in rows if "NoneType" in r.find_element(By.CSS_SELECTOR, ".message").text)
    assert null.find_element(By.CSS_SELECTOR, ".services").text == "checkout, inventory, pricing, storefront"
    # The window reaches back to the oldest data: what appeared in its last quarter is new (the
    # hostile lines, sent just now), what was there from the start is not.
    hostile = next(r for r in rows if r.find_element(By.CSS_SELECTOR, ".services").text == "hostile")
    assert hostile.find_element(By.CSS_SELECTOR, ".state").text.lower() == "new"
    assert not null.find_element(By.CSS_SELECTOR, ".state").is_displayed()
    browser.save_screenshot(os.path.join(screenshots, "issues.png"))
    null.find_element(By.CSS_SELECTOR, ".message a").click()
    wait(browser, lambda d: "view=issue&" in d.current_url and d.find_elements(By.CSS_SELECTOR, "#issue-members .member"))
    members = [m.find_element(By.CSS_SELECTOR, "h3").text for m in browser.find_elements(By.CSS_SELECTOR, "#issue-members .member")]
    assert sorted(members) == ["checkout", "inventory", "pricing", "storefront"]
    assert browser.find_elements(By.CSS_SELECTOR, "#issue-examples .event")
    browser.save_screenshot(os.path.join(screenshots, "issue.png"))


def test_metrics_page(ui_server, browser, screenshots):
    browser.get(ui_server.base + "/?view=metrics")
    box = wait(browser, EC.visibility_of_element_located((By.ID, "metrics-query")))
    box.send_keys("how much disk space is left", Keys.ENTER)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#metrics .metric"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#metrics .metric")
    names = [row.find_element(By.CSS_SELECTOR, ".metric-name").text for row in rows[:3]]
    assert "node_filesystem_avail_bytes" in names, names
    row = rows[names.index("node_filesystem_avail_bytes")]
    assert row.find_element(By.CSS_SELECTOR, "pre").text == "node_filesystem_avail_bytes"
    links = {a.text: a.get_attribute("href") for a in row.find_elements(By.CSS_SELECTOR, "a")}
    assert links["Graph in Prometheus"].startswith("http://127.0.0.1:9/graph?g0.expr=node_filesystem_avail_bytes")
    assert '"uid":"PROM1"' in urllib.parse.unquote(links["Explore in Grafana"])
    assert "view=metrics" in browser.current_url and "q=how" in browser.current_url
    browser.save_screenshot(os.path.join(screenshots, "metrics.png"))


def test_api_errors_are_shown_and_the_phone_width_works(ui_server, browser, screenshots):
    browser.get(ui_server.base + "/?similar=no-such-event")
    error = wait(browser, EC.visibility_of_element_located((By.ID, "error")))
    assert "404" in error.text and "no-such-event" in error.text
    browser.set_window_size(390, 844)
    browser.get(ui_server.base + "/?q=" + urllib.parse.quote("connection refused") + "&service=pricing")
    wait(browser, lambda d: groups(d))
    assert all("pricing" in g.find_element(By.CSS_SELECTOR, ".services").text for g in groups(browser))
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    browser.save_screenshot(os.path.join(screenshots, "search-phone.png"))
    browser.set_window_size(1280, 1000)


def test_alert_page(ui_server, browser, screenshots):
    payload = {"version": "4", "groupKey": "{}:{alertname=\"CheckoutFailing\"}", "status": "firing", "receiver": "deja",
               "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
               "alerts": [{"status": "firing", "labels": {"alertname": "CheckoutFailing", "service": "checkout"},
                           "annotations": {"summary": "checkout requests fail"}, "startsAt": "2026-11-20T09:20:00Z",
                           "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": "ui0001"}]}
    assert ui_server.request("POST", "/api/v1/alerts/alertmanager", payload)[0] == 200
    browser.get(ui_server.base + "/?view=alerts")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#alerts .alert a.alert-link"))
    browser.find_element(By.CSS_SELECTOR, "#alerts .alert a.alert-link").click()
    wait(browser, lambda d: "view=alert&" in d.current_url and d.find_elements(By.CSS_SELECTOR, "#alert-related .related"))
    assert browser.find_element(By.ID, "alert-name").text == "CheckoutFailing"
    related = browser.find_elements(By.CSS_SELECTOR, "#alert-related .related")
    assert all("checkout" in r.find_element(By.CSS_SELECTOR, ".meta").text for r in related)
    assert related[0].find_elements(By.CSS_SELECTOR, "a.issue-link") and related[0].find_elements(By.CSS_SELECTOR, ".event")
    browser.save_screenshot(os.path.join(screenshots, "alert.png"))
    # Everything is embedded: the header's backlog notice stays hidden, and the status agrees.
    assert not browser.find_element(By.ID, "backlog").is_displayed()
    assert ui_server.request("GET", "/api/v1/status")[2]["signaturesWaitingForEmbedding"] == 0
