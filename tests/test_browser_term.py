"""The gradebook across runs in a real browser: three runs, two of them of a class list
(a student on it never joins, another is away from the run without the list), the
teacher ticks runs on the dashboard (all, or one class's) and downloads one gradebook
as CSV and as .xlsx, both read back. Same rules as test_browser.py (Debian's chromium,
the real server in its own process, every stage screenshotted and checked with
axe-core)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio
from playwright.sync_api import Page, expect

from .conftest import instructor_cookie
from .test_browser import DASHBOARD, Classroom, classroom  # noqa: F401
from .test_exports import play, reset
from .test_roster import call, import_class
from .test_spreadsheets import assert_same_table, csv_rows, sheet_rows
from .test_term_gradebook import TERM

pytestmark = pytest.mark.browser


async def three_runs(server: object) -> None:
    """The term's three runs; the first and the last take their students from "Class 7B"
    (guests let in), whose Dee (s5) never joins."""
    teacher = await instructor_cookie(server)  # type: ignore[arg-type]
    class_id = await import_class(server, teacher)  # type: ignore[arg-type]
    for number, plan in enumerate(TERM):
        if number:
            await reset(server)  # type: ignore[arg-type]
        if number != 1:
            await call(server, "PUT", "/api/instructor/run_class", teacher,  # type: ignore[arg-type]
                       json={"class_id": class_id, "guests": True})
        await play(server, plan)  # type: ignore[arg-type]


def downloaded(page: Page, link: object, folder: Path) -> Path:
    with page.expect_download() as download:
        link.click()  # type: ignore[attr-defined]
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


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
    every = downloaded(teacher, csv_link, tmp_path)
    assert every.name.endswith("-gradebook-3-runs.csv")
    table = csv_rows(every.read_bytes())
    assert [row[:2] for row in table[1:]] == [["s1", "Ada Lovelace"], ["s2", "Bob Babbage"],
                                               ["s5", "Dee Dijkstra"], ["s3", "Cy"]]
    assert table[2][4:6] == ["-", "-"] and table[2][-1] == "2"  # Bob, away from run 2
    assert table[3][2:] == ["-"] * 6 + ["0.00", "", "0"]  # Dee: on the list, never came
    _, cells = sheet_rows(downloaded(teacher, xlsx_link, tmp_path).read_bytes())
    assert_same_table(table, cells)

    # One class's runs: the first and the last.
    teacher.get_by_label("Tick the runs of").select_option(label="Class 7B")
    expect(boxes.nth(1)).not_to_be_checked()
    two = csv_rows(downloaded(teacher, csv_link, tmp_path).read_bytes())
    assert len(two[0]) == 2 + 2 * 2 + 3
    assert [row[0] for row in two[1:]] == ["s1", "s2", "s5", "s3"]
    for box in (boxes.nth(0), boxes.nth(2)):
        box.uncheck()
    expect(teacher.get_by_text("Tick at least one run")).to_be_visible()
    expect(csv_link).to_have_count(0)
    classroom.stage("none-ticked")
