"""What the pages cost the room's Wi-Fi, measured as ``bench/page_weight.py`` measures it:
Debian's chromium, a fresh profile per page, bytes on the wire (headers included) from
Chrome's own network log; then a reload in the same profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.page_weight import KB, MATH_QUIZ, measure, report
from playwright.sync_api import Browser

from .conftest import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "math.json"
    path.write_text(json.dumps(MATH_QUIZ))
    return path


def test_a_phone_joins_light_and_a_reload_costs_a_304_and_the_cache(
        browser: Browser, server_process: ServerProcess) -> None:
    figures = measure(browser, server_process.url, server_process.instructor_key)
    print("\n" + report(figures))
    # The limits of issue 26: a phone joining, and a phone on a math question (KaTeX).
    assert figures["student"]["cold"]["bytes"] <= 40 * KB
    # The page, its one stylesheet, script and catalog, /api/me, /api/roster (whether
    # the run takes its students from a class list) and the join.
    assert figures["student"]["cold"]["requests"] <= 7, figures["student"]["cold"]["fetches"]
    # KaTeX's script and its fonts are most of it; the phone gets only its part of the
    # kinds' renderers (static/kinds.js).
    assert figures["math phone"]["cold"]["bytes"] <= 150 * KB
    fonts = [fetch["url"] for fetch in figures["math phone"]["cold"]["fetches"]
             if "/katex/fonts/" in fetch["url"]]
    assert fonts and all(url.endswith(".woff2") for url in fonts), fonts
    assert len(fonts) <= 3, fonts  # only those its math draws with: Main, Math italic
    for name, page in figures.items():
        reload = page["reload"]
        for fetch in reload["fetches"]:
            if fetch["kind"] == "Document":
                assert fetch["status"] == 304, (name, fetch)
            elif "/static/" in fetch["url"]:
                assert fetch["from_cache"] and fetch["bytes"] == 0, (name, fetch)
        assert reload["bytes"] <= 5 * KB, (name, reload)
