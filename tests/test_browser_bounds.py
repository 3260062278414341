"""Bounds in a real browser: a file too large is refused saying its limit, a picture too
large is refused before it is sent, and no quiz can crash a phone's tab.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_browser import browser, screenshots  # noqa: F401 (fixtures)
from .test_browser_library import Desk, desk, empty_library  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def test_a_quiz_file_over_2_mb_is_refused_saying_the_limit(desk: Desk,  # noqa: F811
                                                           tmp_path: Path) -> None:
    dashboard = desk.page()
    big = tmp_path / "big.csv"
    big.write_bytes(b"question,correct\n" + b"What?,A\n" * (20 * 2**20 // 8))
    dashboard.get_by_label(re.compile("Import a quiz file")).set_input_files(big)
    refused = dashboard.get_by_role("status").filter(has_text="was not imported")
    expect(refused).to_contain_text("That file is too large: it can be at most 2 MB.")
    desk.check(dashboard, "too-large")
