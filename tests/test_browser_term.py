"""The gradebook across runs in a real browser: three runs (a student away from one), the
teacher ticks runs on the dashboard and downloads one gradebook as CSV and as .xlsx,
both read back. Same rules as test_browser.py (Debian's chromium, the real server in
its own process, every stage screenshotted and checked with axe-core)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio
from playwright.sync_api import expect

from .test_browser import DASHBOARD, Classroom, classroom  # noqa: F401
from .test_exports import play, reset
from .test_spreadsheets import assert_same_table, csv_rows, sheet_rows
from .test_term_gradebook import TERM

pytestmark = pytest.mark.browser


async def three_runs(server: object) -> None:
    for number, plan in enumerate(TERM):
        if number:
            await reset(server)  # type: ignore[arg-type]
        await play(server, plan)  # type: ignore[arg-type]


def test_three_runs_download_as_one_gradebook_in_csv_and_xlsx(
        classroom: Classroom, tmp_path: Path) -> None:  # noqa: F811
    trio.run(three_runs, classroom.server)
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    boxes = teacher.get_by_role("checkbox", name="in the gradebook across runs")
    expect(boxes).to_have_count(3)
    csv_link = teacher.get_by_role("link", name="Gradebook of the ticked runs (CSV)")
    xlsx_link = teacher.get_by_role("link", name="Gradebook of the ticked runs (Excel)")
    expect(csv_link).to_be_visible()
    classroom.stage("runs")
    files = {}
    for name, link in (("csv", csv_link), ("xlsx", xlsx_link)):
        with teacher.expect_download() as download:
            link.click()
        files[name] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[name])
    assert files["csv"].name.endswith("-gradebook-3-runs.csv")
    table = csv_rows(files["csv"].read_bytes())
    assert [row[:2] for row in table[1:]] == [["s1", "Ann"], ["s2", "Bob"], ["s3", "Cy"]]
    bob = table[2]
    assert bob[4:6] == ["-", "-"] and bob[-1] == "2"  # away from the second run
    _, cells = sheet_rows(files["xlsx"].read_bytes())
    assert_same_table(table, cells)

    # Unticking the first run (listed last: newest first) leaves two runs in the gradebook.
    boxes.nth(2).uncheck()
    with teacher.expect_download() as download:
        csv_link.click()
    two = csv_rows(Path(download.value.path()).read_bytes())
    assert len(two[0]) == 2 + 2 * 2 + 3
    assert [row[0] for row in two[1:]] == ["s1", "s2", "s3"]
    for box in (boxes.nth(0), boxes.nth(1)):
        box.uncheck()
    expect(teacher.get_by_text("Tick at least one run")).to_be_visible()
    expect(csv_link).to_have_count(0)
    classroom.stage("none-ticked")
