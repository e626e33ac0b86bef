"""The summary report as a reader sees it: rendered by headless Chromium, every figure loaded.

Needs Debian's chromium and chromium-driver (``make browser`` installs them as root).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_report import REGIONS, build_coded_project

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (run `make browser` "
                                                     "as root to install chromium and chromium-driver)"),
]


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    return build_coded_project(tmp_path_factory.getbasetemp()) / "reports" / "summary.html"


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def page(driver, report_html):
    driver.get(report_html.resolve().as_uri())
    return driver


def test_report_renders_with_its_title_heading_and_a_section_per_region(page):
    from selenium.webdriver.common.by import By

    assert page.title == "Tiny engagement project: summary report"
    assert page.find_element(By.TAG_NAME, "h1").text == "Tiny engagement project"
    headings = [h.text for h in page.find_elements(By.CSS_SELECTOR, "section#regions h3")]
    assert [h.split(" (")[0] for h in headings] == REGIONS
    for section in ("findings", "method", "themes", "regions", "topics", "limitations"):
        assert page.find_element(By.ID, section).is_displayed()


def test_every_figure_has_loaded(page):
    images = page.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) == 5
    for alt, complete, width, height in images:
        assert complete and width > 0 and height > 0, f"figure not loaded: {alt}"


def test_the_page_fetches_nothing_from_the_network(page):
    fetched = page.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in fetched if u.startswith(("http:", "https:"))] == []


def test_a_screenshot_of_the_report_is_a_non_empty_png(page, tmp_path):
    shot = tmp_path / "summary.png"
    assert page.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_the_report_prints_to_pdf_with_chromium_offline(report_html, tmp_path):
    from engagement.report.builder import _html_to_pdf, find_chromium

    assert find_chromium(), "build_report looks chromium up on PATH to print the PDF"
    html = tmp_path / "summary.html"
    shutil.copy(report_html, html)
    pdf = _html_to_pdf(html)
    assert pdf == tmp_path / "summary.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000


@pytest.fixture(scope="module")
def printed(report_html, tmp_path_factory):
    from engagement.report.builder import _html_to_pdf

    html = tmp_path_factory.mktemp("printed") / "summary.html"
    shutil.copy(report_html, html)
    return _html_to_pdf(html)


def test_the_pdf_is_a4(printed):
    from pypdf import PdfReader

    pages = PdfReader(str(printed)).pages
    assert len(pages) > 1
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)   # A4 in points, not Letter


def test_no_page_of_the_pdf_ends_on_a_heading(printed, report_html):
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    soup = BeautifulSoup(report_html.read_text(encoding="utf-8"), "html.parser")
    headings = {" ".join(h.get_text(" ").split()) for h in soup.find_all(["h2", "h3"])}
    stranded = []
    for number, page in enumerate(PdfReader(str(printed)).pages, start=1):
        lines = [" ".join(line.split()) for line in (page.extract_text() or "").splitlines() if line.strip()]
        if lines and lines[-1] in headings:
            stranded.append((number, lines[-1]))
    assert stranded == [], "a heading was left at the foot of a page, away from its content"
