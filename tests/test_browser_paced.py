"""A student-paced run in a real browser: the teacher picks the pace, three phones go at
their own speeds (one with extra time, one reloading), the grid and the projector follow,
the server restarts, and the end brings each phone its review and the exports their rows.

Same rules as test_browser.py (Debian's chromium, the real server in its own process,
waits on page conditions, every stage screenshotted and checked with axe-core)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .test_browser import (  # noqa: F401
    DASHBOARD,
    PHONE_390,
    Classroom,
    classroom,
    join,
)

pytestmark = pytest.mark.browser
SMALL_PROJECTOR = {"width": 1366, "height": 768}


def answer(phone: Page, letter: str, verdict: str) -> None:
    phone.click(f"#answer-buttons [data-answer={letter}]")
    expect(phone.get_by_role("heading", name=verdict)).to_be_visible()


def next_question(phone: Page, position: str) -> None:
    phone.get_by_role("button", name="Next").click()
    expect(phone.locator("#question-number")).to_have_text(position)


def test_three_phones_at_their_own_speed_to_the_review_and_the_exports(
        classroom: Classroom) -> None:  # noqa: F811
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    expect(teacher.locator("#state-label")).not_to_have_text("connecting…")
    teacher.get_by_label("Student-paced: each student at their own speed").check()
    teacher.get_by_label("Show places and the top 10").check()
    teacher.get_by_role("button", name="Use this pace").click()
    expect(teacher.get_by_role("heading", name="Progress")).to_be_visible()
    expect(teacher.get_by_role("button", name="End for everyone")).to_be_visible()
    screen = classroom.projector()
    small = classroom.projector(SMALL_PROJECTOR)
    classroom.pages["projector-1366"] = classroom.pages.pop("projector")
    classroom.pages["projector"] = screen

    phones = {}
    for student_id, name in (("fast", "Ada"), ("slow", "Bo"), ("reload", "Cy")):
        phone = classroom.open(f"student-{student_id}", "/", PHONE_390)
        join(phone, student_id, name)
        # The first question at once, on the phone's own clock.
        expect(phone.locator("#question-number")).to_have_text("Question 1 of 3")
        phones[student_id] = phone
    expect(teacher.locator("#paced-summary")).to_have_text(
        "0 finished · 0 working · 3 not started")
    classroom.stage("joined")

    fast, slow, reload = phones["fast"], phones["slow"], phones["reload"]
    # Extra time for Bo, from his next question.
    row = teacher.locator("#paced-rows tr", has_text="Bo")
    row.get_by_label("Time for Bo").select_option("2")
    answer(fast, "B", "✓ Correct!")
    expect(fast.locator("#reveal-explanation")).to_have_text("Two pairs make four.")
    next_question(fast, "Question 2 of 3")
    answer(slow, "C", "✗ Not quite")
    next_question(slow, "Question 2 of 3")
    # ×2 of 30 s: the phone's own countdown starts near 60.
    assert int(slow.locator("#question-countdown").inner_text()) > 50
    answer(reload, "B", "✓ Correct!")
    reload.reload()  # back on the same question, with its verdict and Next
    expect(reload.get_by_role("heading", name="✓ Correct!")).to_be_visible()
    next_question(reload, "Question 2 of 3")
    classroom.stage("working")

    answer(fast, "A", "✓ Correct!")
    next_question(fast, "Question 3 of 3")
    answer(fast, "B", "✓ Correct!")
    fast.get_by_role("button", name="Next").click()
    expect(fast.locator("#between-next")).to_have_text(
        "You have finished! Your results come when the quiz ends.")
    expect(teacher.locator("#paced-summary")).to_have_text(
        "1 finished · 2 working · 0 not started")
    ada = teacher.locator("#paced-rows tr", has_text="Ada")
    expect(ada.locator("td.paced-right")).to_have_count(3)
    for projector in (screen, small):
        expect(projector.locator("#paced-finished")).to_have_text("1 of 3 finished")
        expect(projector.locator("#paced-bars li")).to_have_count(3)
        expect(projector.locator("#paced-top10 li")).to_have_count(3)
    classroom.stage("one-finished")

    # A restart: everyone back where they were.
    classroom.server.restart()
    expect(slow.locator("#question-number")).to_have_text("Question 2 of 3")
    expect(teacher.locator("#paced-summary")).to_have_text(
        "1 finished · 2 working · 0 not started")
    answer(slow, "A", "✓ Correct!")
    # The dashboard back online before its End is pressed: a command pressed while it
    # reconnects is not sent (the page says it is reconnecting), and the summary above
    # was already on screen before the restart.
    for page in (teacher, *phones.values()):
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bis-offline\b"))

    teacher.get_by_role("button", name="End for everyone").click()
    teacher.get_by_role("dialog").get_by_role("button", name="End quiz").click()
    for phone in phones.values():
        expect(phone.get_by_role("heading", name="Your answers")).to_be_visible()
    expect(fast.locator("#end-review-list li")).to_have_count(3)
    expect(reload.locator("#end-review-list li").nth(2)).to_contain_text(
        "You did not reach this question")
    expect(fast.locator("#end-rank")).to_have_text("#1")
    expect(fast.locator("#end-correct")).to_have_text("3")
    expect(teacher.locator("#leaderboard-rows tr").first).to_contain_text("Ada")
    expect(teacher.locator("#leaderboard-rows tr").first).not_to_contain_text("0.00")
    classroom.stage("ended")

    response = teacher.request.get(classroom.server.url + "/api/instructor/export.csv")
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    ada_rows = [r for r in rows if r["student_id"] == "fast" and r["status"] != "total"]
    assert [r["order_position"] for r in ada_rows] == ["1", "2", "3"]
    assert all(r["opened_at"] for r in ada_rows)
    assert {(r["student_id"], r["question_idx"]): r["result"] for r in rows
            if r["status"] != "total"}[("reload", "1")] == "no_answer"


def test_an_uploaded_student_paced_file_preselects_its_pace_and_the_pill_says_so(
        classroom: Classroom, tmp_path: Path) -> None:  # noqa: F811
    """The dashboard's upload: the file's ``"pace": "student"`` sets the pace picker, which
    the teacher may change before Run; the state pill says a student-paced run is going
    on (the server keeps it in its lobby state) and that it ended after End for everyone."""
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    picker = teacher.locator("#library-pace")
    expect(picker).to_have_value("live")
    path = tmp_path / "homework.json"
    path.write_text(json.dumps({"title": "Homework", "pace": "student", "questions": [
        {"text": "Yes?", "options": ["Yes", "No"], "correct": "A"}]}))
    teacher.set_input_files("#quiz-file", path)
    expect(teacher.locator("#upload-result")).to_have_text("Imported “Homework” (1 question).")
    expect(picker).to_have_value("student")

    picker.select_option("live")  # the teacher's pick stands over the file's
    teacher.get_by_role("button", name="Run Homework").click()
    expect(teacher.locator("#quiz-title")).to_have_text("Homework")
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    expect(teacher.get_by_role("button", name="Next")).to_be_visible()

    picker.select_option("student")
    teacher.get_by_role("button", name="Run Homework").click()
    expect(teacher.locator("#upload-result")).to_have_text(
        "“Homework” runs at the students’ pace: each starts as they join.")
    expect(teacher.locator("#state-label")).to_have_text("student-paced · in progress")
    expect(teacher.get_by_role("heading", name="Progress")).to_be_visible()
    phone = classroom.open("student-ada", "/", PHONE_390)
    join(phone, "ada", "Ada")
    answer(phone, "A", "✓ Correct!")
    expect(teacher.locator("#state-label")).to_have_text("student-paced · in progress")
    classroom.stage("paced-pill")

    teacher.get_by_role("button", name="End for everyone").click()
    teacher.get_by_role("dialog").get_by_role("button", name="End quiz").click()
    expect(phone.get_by_role("heading", name="Your answers")).to_be_visible()
    expect(teacher.locator("#state-label")).to_have_text("finished")
    classroom.stage("paced-ended")
