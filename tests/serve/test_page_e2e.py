"""The page in a real headless Chromium: paste a spun paragraph, see the underlines, accept a
suggestion, read the restored text, save screenshots (also to <repo>/out/ for a person to see).

Offline: Debian's chromedriver is named explicitly (Selenium Manager, which looks drivers up on
the internet and sends usage statistics, is never run: the test fails if it is), its statistics
are turned off in case, and Chromium is started without its background, update, sync and QUIC
traffic. The in-process guard of tests/conftest.py fails the test on any non-loopback socket."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")  # Debian's chromium-driver; never a downloaded one
OFFLINE_ENV = {"SE_AVOID_STATS": "true", "SE_OFFLINE": "true", "SE_AVOID_BROWSER_DOWNLOAD": "true",
               "SE_MANAGER_PATH": "/bin/false"}  # were Selenium Manager ever run, it would fail here
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                  "--no-default-browser-check", "--metrics-recording-only", "--disable-features=OptimizationHints,"
                  "MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
                  "--disable-dev-shm-usage", "--window-size=1280,1300")
REPO_OUT = Path(__file__).resolve().parents[2] / "out"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                       reason="needs Debian chromium and chromium-driver (apt-get install chromium chromium-driver)"),
]

selenium = pytest.importorskip("selenium")
uvicorn = pytest.importorskip("uvicorn")

from fakes import FakeRestorer  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from unspin.serve.app import create_app  # noqa: E402
from unspin.serve.protocol import uvicorn_config  # noqa: E402
from unspin.serve.settings import ServeSettings  # noqa: E402
from unspin.types import DocReport, Finding, FindingKind  # noqa: E402

SPUN = ("The corporate said its counterfeit consciousness unit would lift gross sales by 5 p.c. next year, "
        "as profound learning models replace older tools. The chief government officer declined to comment.")
# Varied confidences and kinds, so every underline style shows up in the screenshot.
CONFIDENCE = {"counterfeit consciousness": (0.97, FindingKind.FINGERPRINT),
              "profound learning": (0.93, FindingKind.FINGERPRINT),
              "chief government officer": (0.88, FindingKind.MODEL), "p.c.": (0.84, FindingKind.MODEL),
              "corporate": (0.62, FindingKind.MODEL), "gross sales": (0.41, FindingKind.MODEL)}


def scanner_for(restorer: FakeRestorer):
    def scan(text: str) -> DocReport:
        restoration = restorer.restore(text)
        findings = []
        for e in restoration.edits:
            confidence, kind = CONFIDENCE.get(e.observed.lower(), (0.7, FindingKind.MODEL))
            findings.append(Finding(span=e.span, observed=e.observed, suggestion=e.original, kind=kind,
                                    confidence=confidence, alternatives=e.alternatives,
                                    evidence=dataclasses.asdict(e.evidence),
                                    rule=e.observed.lower() if kind is FindingKind.FINGERPRINT else "fake"))
        per_1k = 1000.0 * len(findings) / restoration.words
        return DocReport(doc_id="", spin_probability=0.94, spun=True, words=restoration.words,
                         findings=tuple(findings), findings_per_1k=round(per_1k, 3))

    return scan


@pytest.fixture(scope="module")
def server_url():
    restorer = FakeRestorer()
    settings = ServeSettings(port=0)
    app = create_app(restorer, scanner_for(restorer), settings)
    server = uvicorn.Server(uvicorn_config(app, settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def no_selenium_manager(monkeypatch):
    """Selenium Manager must never run: it reaches for the internet from a subprocess, where the
    socket guard cannot see it."""
    from selenium.webdriver.common.selenium_manager import SeleniumManager

    for name, value in OFFLINE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SE_CHROMEDRIVER", raising=False)  # it would replace the path given

    def refuse(*args, **kwargs):
        pytest.fail("Selenium Manager was started (it downloads drivers and sends statistics)")

    monkeypatch.setattr(SeleniumManager, "binary_paths", refuse)


@pytest.fixture
def browser(tmp_path, no_selenium_manager):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER), env={**os.environ, **OFFLINE_ENV}),
                              options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def save_screenshot(driver, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    assert driver.save_screenshot(str(shot))
    REPO_OUT.mkdir(exist_ok=True)
    shutil.copy(shot, REPO_OUT / name)
    return shot


def findings(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#doc .finding")


def finding_named(driver, text: str):
    return next(f for f in findings(driver) if f.text == text)


def test_paste_review_accept_and_read_the_restored_text(server_url, browser, tmp_path):
    wait = WebDriverWait(browser, 15)
    browser.get(server_url)
    box = wait.until(EC.element_to_be_clickable((By.ID, "text-input")))
    box.send_keys(SPUN)
    browser.find_element(By.ID, "analyse-button").click()

    # every finding underlined, coloured by confidence
    wait.until(lambda d: len(findings(d)) == 6)
    assert browser.find_element(By.ID, "spin-probability").text == "94%"
    assert "looks spun" in browser.find_element(By.ID, "verdict").text
    classes = " ".join(f.get_attribute("class") for f in findings(browser))
    assert {"conf-high", "conf-medium", "conf-low"} <= set(classes.split())
    ai = finding_named(browser, "counterfeit consciousness")
    assert "underline" in ai.value_of_css_property("text-decoration-line")
    low = finding_named(browser, "gross sales")
    assert ai.value_of_css_property("text-decoration-color") != low.value_of_css_property("text-decoration-color")

    # click one: the proposed original, the alternatives and the evidence; accept it
    ai.click()
    detail = wait.until(EC.visibility_of_element_located((By.ID, "detail")))
    assert browser.find_element(By.ID, "detail-choice").text == "artificial intelligence"
    alternatives = [a.text for a in detail.find_elements(By.CSS_SELECTOR, "#detail-alternatives .alt-text")]
    assert alternatives[:2] == ["artificial intelligence", "counterfeit consciousness"]
    browser.find_element(By.CSS_SELECTOR, "#detail-numbers summary").click()  # the numbers sit behind a toggle
    evidence = browser.find_element(By.ID, "detail-evidence").text
    assert "Language-model gain" in evidence and "fake" in evidence
    browser.find_element(By.ID, "accept-button").click()
    wait.until(lambda d: "status-accepted" in finding_named(d, "counterfeit consciousness").get_attribute("class"))

    # keyboard: tab to "corporate", open it with Enter, reject it with "r"
    corporate = finding_named(browser, "corporate")
    corporate.send_keys(Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "detail-observed").text == "corporate")
    browser.switch_to.active_element.send_keys("r")
    wait.until(lambda d: "status-rejected" in finding_named(d, "corporate").get_attribute("class"))
    browser.execute_script("window.scrollTo(0, 0)")
    save_screenshot(browser, tmp_path, "serve_e2e_review.png")

    # the restored text: accepted and proposed suggestions applied, the rejected one kept
    browser.find_element(By.ID, "view-restored").click()
    assert browser.find_element(By.ID, "view-restored").get_attribute("aria-pressed") == "true"
    restored = browser.find_element(By.ID, "doc").text
    assert "artificial intelligence" in restored and "counterfeit consciousness" not in restored
    assert restored.startswith("The corporate said")
    assert "chief executive officer" in restored and "deep learning" in restored
    assert browser.execute_script("return window.unspin.restoredText()") == restored
    browser.execute_script("window.scrollTo(0, 0)")
    shot = save_screenshot(browser, tmp_path, "serve_e2e.png")
    assert shot.stat().st_size > 10_000
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors  # no script error, no blocked (non-local) resource


def rect(driver, element_id: str) -> dict:
    return driver.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};", element_id)


def test_page_is_readable_on_a_phone(server_url, browser, tmp_path):
    browser.set_window_size(390, 844)
    wait = WebDriverWait(browser, 15)
    browser.get(server_url)
    wait.until(EC.element_to_be_clickable((By.ID, "text-input"))).send_keys(SPUN)
    browser.find_element(By.ID, "analyse-button").click()
    wait.until(lambda d: len(findings(d)) == 6)
    width, height = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    for name in ("profound learning", "chief government officer"):
        finding_named(browser, name).click()
        wait.until(EC.visibility_of_element_located((By.ID, "detail")))
        time.sleep(0.3)  # let the scroll settle
        phrase = browser.find_element(By.CSS_SELECTOR, "#doc .finding.selected")  # re-rendered on select
        assert phrase.text == name
        detail, toggle, accept = rect(browser, "detail"), rect(browser, "view-restored"), rect(browser, "accept-button")
        box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return {top: r.top, bottom: r.bottom};", phrase)
        assert box["bottom"] <= detail["top"], f"the panel covers {name!r}"
        assert 0 <= toggle["top"] and toggle["bottom"] <= box["top"] and toggle["bottom"] <= detail["top"]
        assert 0 <= accept["left"] and accept["right"] <= width and detail["top"] <= accept["top"] and accept["bottom"] <= height
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width  # nothing scrolls sideways
    save_screenshot(browser, tmp_path, "serve_e2e_phone.png")


# emoji (two UTF-16 units each), a combining accent (e + U+0301) and CRLF line ends before findings
AWKWARD = "Caf\u0065\u0301 news 😀🎉 today.\r\nThe corporate said 👍 counterfeit consciousness\r\nwould lift gross sales."


def test_underlines_land_on_the_words_with_emoji_accents_and_crlf(server_url, browser, tmp_path):
    wait = WebDriverWait(browser, 15)
    browser.get(server_url)
    memo = tmp_path / "awkward.txt"
    memo.write_bytes(AWKWARD.encode("utf-8"))
    wait.until(EC.presence_of_element_located((By.ID, "file-input"))).send_keys(str(memo))
    wait.until(lambda d: len(findings(d)) == 3)
    assert [f.text for f in findings(browser)] == ["corporate", "counterfeit consciousness", "gross sales"]
    browser.find_element(By.ID, "view-restored").click()
    restored = browser.execute_script("return window.unspin.restoredText()")
    assert restored.replace("\r\n", "\n") == ("Caf\u0065\u0301 news 😀🎉 today.\nThe company said 👍 artificial intelligence\n"
                                               "would lift sales.")
    # pasted text too (set as a value: chromedriver cannot type characters outside the BMP)
    browser.execute_script("document.getElementById('text-input').value = arguments[0];", "😀 The corporate fell.")
    browser.find_element(By.ID, "analyse-button").click()
    texts = "return [...document.querySelectorAll('#doc .finding')].map((n) => n.textContent)"
    wait.until(lambda d: d.execute_script(texts) == ["corporate"])


def test_restored_text_fixes_the_article_and_the_panel_says_who_found_it(server_url, browser):
    wait = WebDriverWait(browser, 15)
    browser.get(server_url)
    wait.until(EC.element_to_be_clickable((By.ID, "text-input"))).send_keys("It runs a counterfeit consciousness lab.")
    browser.find_element(By.ID, "analyse-button").click()
    wait.until(lambda d: len(findings(d)) == 1)
    assert browser.execute_script("return window.unspin.restoredText()") == "It runs an artificial intelligence lab."
    assert "known tortured phrase" in browser.find_element(By.ID, "reason").text
    findings(browser)[0].click()
    wait.until(EC.visibility_of_element_located((By.ID, "detail")))
    assert browser.find_element(By.ID, "detail-message").text.startswith("Known tortured phrase for 'artificial intelligence'")
    browser.find_element(By.CSS_SELECTOR, "#detail-numbers summary").click()
    evidence = browser.find_element(By.ID, "detail-evidence").text
    assert "Found by" in evidence and "list of known tortured phrases" in evidence


def test_an_error_is_shown_not_swallowed(server_url, browser):
    wait = WebDriverWait(browser, 15)
    browser.get(server_url)
    wait.until(EC.element_to_be_clickable((By.ID, "analyse-button"))).click()
    error = wait.until(EC.visibility_of_element_located((By.ID, "error")))
    assert "Paste some text" in error.text


def wait_for_file(folder: Path, pattern: str, timeout: float = 15) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done:
            time.sleep(0.2)
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {pattern} in {folder}: {list(folder.iterdir())}")


def test_upload_a_file_then_download_the_json_and_the_html_report(server_url, browser, tmp_path):
    import json

    wait = WebDriverWait(browser, 15)
    browser.get(server_url)
    memo = tmp_path / "memo.txt"
    memo.write_text(SPUN)
    wait.until(EC.presence_of_element_located((By.ID, "file-input"))).send_keys(str(memo))
    wait.until(lambda d: len(findings(d)) == 6)
    assert browser.find_element(By.ID, "text-input").get_attribute("value") == SPUN
    assert browser.find_element(By.ID, "file-name").text == "memo.txt"

    finding_named(browser, "corporate").click()
    wait.until(EC.visibility_of_element_located((By.ID, "detail")))
    browser.find_element(By.ID, "reject-button").click()

    browser.find_element(By.ID, "download-json").click()
    saved = json.loads(wait_for_file(tmp_path / "downloads", "memo.unspin.json").read_text())
    assert saved["report"]["doc_id"] == "memo.txt" and len(saved["report"]["findings"]) == 6
    assert saved["restored"].startswith("The corporate said its artificial intelligence unit")
    assert {d["status"] for d in saved["decisions"]} == {"proposed", "rejected"}

    browser.find_element(By.ID, "download-html").click()
    report = wait_for_file(tmp_path / "downloads", "memo.unspin.html")
    html = report.read_text()
    assert "94%" in html and "<ins" in html and "artificial intelligence" in html and "http" not in html
    from unspin.io.report_style import legend, stylesheet

    assert stylesheet() in html and legend() in html  # the one report stylesheet and legend
    assert '<details class="numbers">' in html and "Known tortured phrase for" in html
    browser.get(report.as_uri())
    save_screenshot(browser, tmp_path, "serve_e2e_report.png")


def test_api_docs_render_from_local_files(server_url, browser, tmp_path):
    pytest.importorskip("swagger_ui", reason="the interactive docs use swagger-ui-py's files")
    wait = WebDriverWait(browser, 15)
    browser.get(server_url + "docs")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path")))
    paths = {e.text.replace("\u200b", "") for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/api/restore", "/api/scan", "/api/health"} <= paths
    save_screenshot(browser, tmp_path, "serve_e2e_docs.png")
