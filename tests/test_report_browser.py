"""report.html in a real headless Chromium (Debian's chromium + chromium-driver, via Selenium).

One browser for the module. Nothing is downloaded at run time: the browser and
its driver are the system ones, named explicitly. Without them the tests skip
locally and fail under CI=true.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from databases import unavailable
from test_report_render import RAW_PII, revealed, sample_result

from reconcile import write_report

CHROMIUM = Path(os.environ.get("ICM_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ICM_CHROMEDRIVER", "/usr/bin/chromedriver"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
        unavailable(
            f"Chromium at {CHROMIUM} with its driver at {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("the selenium package")
        raise
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def masked_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_report(sample_result(), tmp_path_factory.mktemp("masked")).html.resolve().as_uri()


@pytest.fixture
def page(browser: Any, masked_url: str) -> Any:
    browser.get(masked_url)
    browser.get_log("browser")  # start each test with an empty console
    return browser


def _by_css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def _visible_rows(driver: Any) -> list[Any]:
    return [row for row in _by_css(driver, "tr.discrepancy") if row.is_displayed()]


def _select(driver: Any, element_id: str, value: str) -> None:
    from selenium.webdriver.support.select import Select

    Select(_by_css(driver, f"#{element_id}")[0]).select_by_value(value)


def _search(driver: Any, text: str) -> None:
    """Type into the search box as a person would: select all, then type over it (or erase it)."""
    from selenium.webdriver.common.keys import Keys

    box = _by_css(driver, "#filter-rowid")[0]
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text or Keys.BACKSPACE)


def test_page_opens_and_shows_the_counts(page: Any) -> None:
    result = sample_result()
    assert page.title == f"ICM reconciliation report: run {result.run_id}"
    assert _by_css(page, "#status")[0].text == "discrepancies"
    for table, counts in result.tables.items():
        for key in (
            "source_rows",
            "loaded",
            "quarantined",
            "excluded",
            "unaccounted",
            "mismatched",
        ):
            cell = _by_css(page, f'tr.summary-row[data-table="{table}"] td[data-count="{key}"]')
            assert [c.text for c in cell] == [f"{getattr(counts, key):,}"], (table, key)
    assert _by_css(page, "#total-discrepancies")[0].text == str(len(result.discrepancies))
    loaded_bar = _by_css(page, 'tr.summary-row[data-table="S_CONTACT"] .seg-loaded')[0]
    assert loaded_bar.size["width"] > 0
    assert len(_visible_rows(page)) == len(result.discrepancies)
    assert (
        _by_css(page, "#filter-count")[0].text
        == f"{len(result.discrepancies)} of {len(result.discrepancies)} shown"
    )


def test_selecting_a_kind_shows_only_that_kind(page: Any) -> None:
    total = len(sample_result().discrepancies)
    _select(page, "filter-kind", "field_mismatch")
    rows = _visible_rows(page)
    assert len(rows) == 3
    assert {r.get_attribute("data-kind") for r in rows} == {"field_mismatch"}
    assert _by_css(page, "#filter-count")[0].text == f"3 of {total} shown"
    hidden_sections = [s for s in _by_css(page, ".kind-section") if not s.is_displayed()]
    assert {s.get_attribute("data-kind") for s in hidden_sections} == {
        d.kind for d in sample_result().discrepancies
    } - {"field_mismatch"}
    _select(page, "filter-table", "S_EVT_ACT")
    assert [r.get_attribute("data-row-id") for r in _visible_rows(page)] == ["1-NOTE9"]
    _select(page, "filter-table", "S_CONTACT")
    assert [r.get_attribute("data-row-id") for r in _visible_rows(page)] == ["1-7XK2Q", "1-7XK2Q"]
    _select(page, "filter-kind", "")
    assert sorted(r.get_attribute("data-row-id") for r in _visible_rows(page)) == [
        "1-7XK2Q",
        "1-7XK2Q",
        "1-CHG01",
        "1-GHOST",
        "1-UNAC1",
        "1-UNAC2",
    ]


def test_searching_a_row_id_shows_one_row(page: Any) -> None:
    _search(page, "1-orph1")
    rows = _visible_rows(page)
    assert [(r.get_attribute("data-row-id"), r.get_attribute("data-kind")) for r in rows] == [
        ("1-ORPH1", "orphan_reference")
    ]
    _search(page, "no-such-row")
    assert _visible_rows(page) == []
    assert _by_css(page, "#no-match")[0].is_displayed()
    _search(page, "")
    assert len(_visible_rows(page)) == len(sample_result().discrepancies)


def test_no_masked_value_leaks_into_the_page(page: Any) -> None:
    from selenium.webdriver.common.by import By

    text = page.find_element(By.TAG_NAME, "body").text
    source = page.page_source
    assert [raw for raw in RAW_PII if raw in text or raw in source] == []
    assert "Personal data is masked" in text
    assert "C. T." in text and "******8215" in text


def test_the_page_loads_nothing_and_logs_no_error(page: Any) -> None:
    entries = page.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert entries == []
    assert [e for e in page.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_revealed_report_shows_values_and_who_asked(browser: Any, tmp_path: Path) -> None:
    browser.get(write_report(revealed(), tmp_path).html.resolve().as_uri())
    text = _by_css(browser, "body")[0].text
    assert "Personal data is REVEALED" in text and "steward.jlee" in text
    assert "Céline Tremblay" in text and "9698658215" in text
