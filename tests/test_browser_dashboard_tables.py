"""The dashboard's students table and leaderboard with a big class, in a real browser.

A teacher finds one student among many (search by name or id, sort by any
column, filter, a summary line above the table), and the page draws only the
rows in view: the number of elements stays bounded whatever the class size.
Students who only join over HTTP are in the class but not connected.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from .conftest import ServerProcess
from .test_browser import DASHBOARD, PHONE_390, Classroom, answer, classroom

__all__ = ["classroom"]  # the fixture this module borrows

pytestmark = pytest.mark.browser

ELEMENT_BUDGET = 5_000


def join_over_http(server: ServerProcess, students: list[tuple[str, str]]) -> list[int]:
    """Join each (id, name) the way a phone's form does, without opening a socket;
    returns the HTTP statuses in order."""
    def one(student: tuple[str, str]) -> int:
        body = json.dumps({"student_id": student[0], "name": student[1]}).encode()
        asked = urllib.request.Request(server.url + "/api/join", data=body, method="POST",
                                       headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(asked, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, students))


def open_dashboard(classroom: Classroom) -> Page:
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    return teacher


# Rows added to or taken from the two tables' bodies from now on.
COUNT_ROW_CHURN = """() => {
  window.rowChurn = 0;
  const count = (changes) => changes.forEach((change) => {
    window.rowChurn += change.addedNodes.length + change.removedNodes.length;
  });
  for (const id of ["presence-rows", "leaderboard-rows"]) {
    new MutationObserver(count).observe(document.getElementById(id), { childList: true });
  }
}"""


def element_count(page: Page) -> int:
    return int(page.evaluate("document.getElementsByTagName('*').length"))


def test_a_teacher_finds_a_student_by_name_or_id_sorts_and_filters(
        classroom: Classroom) -> None:
    teacher = open_dashboard(classroom)
    away = [(f"s{n:03}", "José Núñez" if n == 5 else f"Student {n:03}") for n in range(30)]
    assert join_over_http(classroom.server, away) == [200] * 30
    ada = classroom.student("a1", "Ada Lovelace", PHONE_390)
    bob = classroom.student("b1", "Bob Brown", PHONE_390)
    assert join_over_http(classroom.server, [("s001", "Impostor")]) != [200]
    teacher.get_by_role("button", name="Next", exact=True).click()
    answer(ada, "B")
    bob.evaluate("window.dispatchEvent(new Event('blur'))")

    expect(teacher.locator("#students-summary")).to_have_text(
        "Connected: 2 · Answered: 1 · Left the page: 1 · Not connected: 30")
    rows = teacher.locator("#presence-rows tr")
    shown = teacher.get_by_role("status").filter(has_text=re.compile("^Showing"))
    search = teacher.get_by_label("Find a student")
    search.fill("ada")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ada Lovelace")
    expect(shown).to_have_text("Showing 1 of 32")
    search.fill("jose nunez")  # case and accents ignored
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("José Núñez")
    search.fill("S017")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Student 017")
    classroom.stage("search")
    search.fill("")
    expect(shown).to_have_count(0)

    students = teacher.get_by_role("region", name="Students table")
    name = students.get_by_role("button", name="Name", exact=True)
    name.click()
    expect(students.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "ascending")
    expect(rows.first.locator("td").nth(1)).to_have_text("Ada Lovelace")
    name.click()
    expect(rows.first.locator("td").nth(1)).to_have_text("Student 029")
    teacher.get_by_role("button", name="ID", exact=True).click()
    expect(rows.first.locator("td").nth(2)).to_have_text("a1")
    teacher.get_by_role("button", name="Lost focus", exact=True).click()  # most first
    expect(rows.first.locator("td").nth(1)).to_have_text("Bob Brown")
    expect(students.get_by_role("columnheader", name="Name")).not_to_have_attribute(
        "aria-sort", re.compile("."))

    show = teacher.get_by_label("Show", exact=True)
    show.select_option(label="Not connected")
    expect(shown).to_have_text("Showing 30 of 32")
    expect(rows.first).to_contain_text("idle")
    show.select_option(label="Not answered")
    expect(shown).to_have_text("Showing 31 of 32")
    answer(bob, "A")  # an answer coming in takes its row out of the filtered table
    expect(shown).to_have_text("Showing 30 of 32")
    expect(rows.filter(has_text="Bob Brown")).to_have_count(0)
    show.select_option(label="Duplicate joins")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("s001")
    expect(rows.first).to_contain_text("1 attempt")
    show.select_option(label="Left the page")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bob Brown")
    search.fill("ada")  # the search and the filter narrow together
    expect(rows).to_have_count(0)
    expect(teacher.get_by_text("No student matches the search and the filter.")).to_be_visible()
    search.fill("")
    show.select_option(label="Everyone")

    # The leaderboard ranks while answers come in: equal scores share a rank.
    board = teacher.locator("#leaderboard-rows tr")
    expect(board.first.locator("td").nth(1)).to_have_text("Ada Lovelace")
    expect(board.nth(1).locator("td").first).to_have_text("2")
    expect(board.nth(2).locator("td").first).to_have_text("2")
    classroom.stage("sorted")


def test_a_class_of_a_thousand_keeps_the_dashboard_small(classroom: Classroom) -> None:
    teacher = open_dashboard(classroom)
    students = [(f"s{n:04}", f"Student {n:04}") for n in range(1_000)]
    assert join_over_http(classroom.server, students) == [200] * 1_000
    expect(teacher.locator("#students-summary")).to_have_text(
        "Connected: 0 · Answered: 0 · Left the page: 0 · Not connected: 1,000",
        timeout=30_000)
    assert element_count(teacher) < ELEMENT_BUDGET
    # The page is a few screens tall, not a thousand rows twice (some 100,000 px).
    assert teacher.evaluate("document.documentElement.scrollHeight") < 6_000

    # Sorted by id: joins sent eight at a time do not arrive in id order, and the
    # table's own order is the order of arrival.
    students_region = teacher.get_by_role("region", name="Students table")
    students_region.get_by_role("button", name="ID", exact=True).click()
    expect(students_region.get_by_role("columnheader", name="ID", exact=True)).to_have_attribute(
        "aria-sort", "ascending")
    # Every row is reachable by scrolling: the last one is drawn when scrolled to.
    for region_name, body in (("Students table", "#presence-rows"),
                              ("Leaderboard table", "#leaderboard-rows")):
        region = teacher.get_by_role("region", name=region_name)
        region.scroll_into_view_if_needed()
        region.evaluate("region => { region.scrollTop = region.scrollHeight; }")
        expect(teacher.locator(f"{body} tr").last).to_contain_text("s0999", timeout=20_000)
        expect(teacher.locator(f"{body} tr").last).to_be_in_viewport()
        row_index = teacher.locator(f"{body} tr").last.get_attribute("aria-rowindex")
        assert row_index == "1001"  # the header is row 1
    expect(teacher.locator("#students-table")).to_have_attribute("aria-rowcount", "1001")

    # Later joins and a question's opening change rows in place: no row is rebuilt.
    for region_name, body in (("Students table", "#presence-rows"),
                              ("Leaderboard table", "#leaderboard-rows")):
        region = teacher.get_by_role("region", name=region_name)
        region.evaluate("region => { region.scrollTop = 0; }")
        # Drawn at the top once the scroll is handled: on a busy machine that can take
        # longer than expect()'s default 5 s.
        expect(teacher.locator(f"{body} tr").first).to_contain_text("s0000", timeout=20_000)
    teacher.evaluate(COUNT_ROW_CHURN)
    more = [(f"s{n:04}", f"Student {n:04}") for n in range(1_000, 1_020)]
    assert join_over_http(classroom.server, more) == [200] * 20
    teacher.get_by_role("button", name="Next", exact=True).click()
    expect(teacher.locator("#current-text")).to_have_text("2 + 2?")
    expect(teacher.locator("#students-summary")).to_contain_text("Not connected: 1,020")
    assert teacher.evaluate("window.rowChurn") == 0

    teacher.get_by_label("Find a student").fill("s0500")
    expect(teacher.locator("#presence-rows tr")).to_have_count(1)
    expect(teacher.locator("#presence-rows tr")).to_contain_text("Student 0500")
    assert element_count(teacher) < ELEMENT_BUDGET
    classroom.stage("thousand")
