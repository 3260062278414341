"""A student-paced run in a real browser: the teacher picks the pace, three phones go through
a quiz of every kind at their own speeds (one with extra time and still answering when the
end time passes, one reloading mid-question), the grid and the projector follow, the server
restarts, and the end brings each phone its review and the exports their rows. And the
dashboard's upload: a file's own pace preselects the picker; the state pill says what runs.

Same rules as test_browser.py (Debian's chromium, the real server in its own process,
waits on page conditions, every stage screenshotted and checked with axe-core)."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .every_kind import every_kind
from .test_browser import (  # noqa: F401
    DASHBOARD,
    PHONE_390,
    PROJECTOR,
    Classroom,
    classroom,
    join,
)
from .test_browser_class_walk import choose, tick, type_in
from .test_browser_kinds import put_in_order, verdict

pytestmark = pytest.mark.browser
SMALL_PROJECTOR = {"width": 1366, "height": 768}


# Every kind, with a word cloud last; only the end time closes a question nobody answered.
EVERY_KIND = every_kind("Every kind at their own pace", cloud=True)
QUESTIONS = EVERY_KIND["questions"]
NAMES = {"fast": "Ada", "slow": "Bo", "reload": "Cy"}
# What the script below does, as the grid and the review word it (question index order).
# Bo, with extra time, is still on question 4 when the end time passes: no answer there,
# and every question after it not reached (the exports' results model says not scored
# for the poll and the cloud, whoever reached them).
EXPECTED = {
    "fast": ["right", "right", "not_scored", "right", "right", "right", "right", "not_scored",
             "not_scored"],
    "slow": ["wrong", "partial", "not_scored", "no_answer", "not_reached", "not_reached",
             "not_reached", "not_reached", "not_reached"],
    "reload": ["wrong", "partial", "not_scored", "wrong", "wrong", "right", "right",
               "not_scored", "not_scored"],
}
SCORES = {  # the kept answer's score (binary: right 1, partly its credit)
    "fast": {0: 1.0, 1: 1.0, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0, 7: 0.0, 8: 0.0},
    "slow": {0: 0.0, 1: 0.5},
    "reload": {0: 0.0, 1: 0.5, 3: 0.0, 4: 0.0, 5: 1.0, 6: 1.0, 7: 0.0, 8: 0.0},
}
NOT_SCORED = {idx for idx, q in enumerate(QUESTIONS) if q["kind"] in ("slide", "poll", "cloud")}
REVIEW_WORDS = {"right": "✓ Correct!", "wrong": "✗ Not quite", "partial": "◐ Partly right",
                "no_answer": "No answer this time",
                "not_reached": "You did not reach this question"}


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "every-kind.json"
    path.write_text(json.dumps(EVERY_KIND))
    return path


def answer(phone: Page, letter: str, verdict_shown: str) -> None:
    phone.click(f"#answer-buttons [data-answer={letter}]")
    verdict(phone, verdict_shown)


def numbered(position: int) -> str:
    """What the phone says of the question at ``position`` (1-based), as a live run says
    it: the slide has no number, and "of 8" counts the questions that take answers."""
    if QUESTIONS[position - 1]["kind"] == "slide":
        return "Slide"
    number = sum(q["kind"] != "slide" for q in QUESTIONS[:position])
    return f"Question {number} of 8"


def next_question(phone: Page, position: int) -> None:
    phone.get_by_role("button", name="Next").click()
    expect(phone.locator("#question-number")).to_have_text(numbered(position))
    expect(phone.get_by_role("heading", name=QUESTIONS[position - 1]["text"])).to_be_visible()


def answer_each_kind(phone: Page, student_id: str, idx: int) -> None:
    """Question ``idx`` answered as ``EXPECTED`` says the student did: rightly, partly,
    wrongly, or a vote; then the phone's verdict."""
    kind, word = QUESTIONS[idx]["kind"], EXPECTED[student_id][idx]
    right = word == "right"
    if kind == "choice":
        choose(phone, "B 4" if right else "A 3")
    elif kind == "multi":
        tick(phone, *{"right": ("A Whale", "C Bat"), "partial": ("A Whale",)}.get(
            word, ("B Shark",)))
    elif kind == "truefalse":
        phone.get_by_role("button", name="A True" if right else "B False").click()
    elif kind == "text":
        type_in(phone, "  paris " if right else "Lyon")
    elif kind == "number":
        type_in(phone, "91" if right else "45")  # 91: within the tolerance of 2
    elif kind == "order":
        items = QUESTIONS[idx]["items"]
        put_in_order(phone, items if right else items[::-1])
        phone.get_by_role("button", name="Submit this order").click()
    elif kind == "poll":
        choose(phone, "B Just right")
    elif kind == "cloud":
        phone.get_by_role("textbox", name="Word 1").fill("Fun")
        phone.get_by_role("button", name="Submit answer").click()
    verdict(phone, REVIEW_WORDS.get(word, "Thanks for voting"))


def test_every_kind_at_three_speeds_to_the_end_time_the_review_and_the_exports(
        classroom: Classroom) -> None:  # noqa: F811
    """Three phones through every kind at their own speeds: Ada fast, Bo slow with extra
    time and still answering when the run's end time passes, Cy reloading mid-question;
    the server restarts on the way. The grid, the projector's progress, each phone's review
    and export.csv / gradebook.csv say what was played."""
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    teacher.get_by_label("Student-paced: each student at their own speed").check()
    teacher.get_by_label("Show places and the top 10").check()
    # The shortest end time there is: Ada and Cy, who finish before it, take some 20 to
    # 40 s; Bo is on his question 4 when it passes.
    teacher.get_by_label("End after (minutes, optional)").fill("1")
    teacher.get_by_role("button", name="Use this pace").click()
    ends = time.monotonic() + 60
    expect(teacher.get_by_role("heading", name="Progress")).to_be_visible()
    expect(teacher.locator("#state-label")).to_have_text("student-paced · in progress")
    screens = {}
    for role, size in (("projector", PROJECTOR), ("projector-1366", SMALL_PROJECTOR)):
        screens[role] = classroom.open(role, "/projector", size)
        expect(screens[role].locator("#quiz-title")).to_have_text(EVERY_KIND["title"])

    phones = {}
    for student_id, name in NAMES.items():
        phone = classroom.open(f"student-{student_id}", "/", PHONE_390)
        join(phone, student_id, name)
        # The first question at once, on the phone's own clock.
        expect(phone.locator("#question-number")).to_have_text(numbered(1))
        phones[student_id] = phone
    ada, bo, cy = phones["fast"], phones["slow"], phones["reload"]
    expect(teacher.locator("#paced-summary")).to_have_text(
        "0 finished · 0 working · 3 not started")
    classroom.stage("joined")

    # Extra time for Bo, from his next question.
    row = teacher.locator("#paced-rows tr", has_text="Bo")
    row.get_by_label("Time for Bo").select_option("2")
    answer_each_kind(bo, "slow", 0)
    expect(bo.locator("#reveal-explanation")).to_have_text("Two pairs make four.")
    next_question(bo, 2)
    assert int(bo.locator("#question-countdown").inner_text()) > 200  # ×2 of 120 s
    answer_each_kind(bo, "slow", 1)
    next_question(bo, 3)  # the slide: nothing to answer, its own Next goes on
    expect(bo.locator("#question-clock")).to_be_hidden()
    classroom.stage("slide")
    next_question(bo, 4)  # and Bo thinks about question 4 till the end
    # Leaving the page while answering is noted and shown, as in a live run.
    bo.evaluate("window.dispatchEvent(new Event('blur'))")
    expect(teacher.locator("#presence-rows tr", has_text="Bo").locator("td").nth(4)) \
        .to_have_text("1")  # "Lost focus"
    # The students table's "Answered" is about the live question: a student-paced run has
    # none, so it would say "Answered: 0" all run long. The grid says who answered what.
    expect(teacher.locator("#students-summary")).to_contain_text("Connected: 3")
    expect(teacher.locator("#students-summary")).not_to_contain_text("Answered")
    expect(teacher.get_by_role("button", name="Answered", exact=True)).to_be_hidden()
    assert teacher.locator("#students-filter option[value=not_answered]").evaluate("o => o.hidden")

    # Cy reloads mid-question, before answering: the same question, the time it had left.
    answer_each_kind(cy, "reload", 0)
    next_question(cy, 2)
    before = int(cy.locator("#question-countdown").inner_text())
    cy.reload()
    expect(cy.get_by_role("heading", name=QUESTIONS[1]["text"])).to_be_visible()
    expect(cy.locator("#question-number")).to_have_text(numbered(2))
    assert 0 < int(cy.locator("#question-countdown").inner_text()) <= before
    answer_each_kind(cy, "reload", 1)
    classroom.stage("working")

    for idx in range(9):
        if idx:
            next_question(ada, idx + 1)
        if QUESTIONS[idx]["kind"] != "slide":
            answer_each_kind(ada, "fast", idx)
    ada.get_by_role("button", name="Next").click()
    expect(ada.locator("#between-next")).to_have_text(
        "You have finished! Your results come when the quiz ends.")
    expect(teacher.locator("#paced-summary")).to_have_text(
        "1 finished · 2 working · 0 not started")
    grid = teacher.locator("#paced-rows tr", has_text="Ada")
    expect(grid.locator("td.paced-right")).to_have_count(6)
    for screen in screens.values():
        expect(screen.locator("#paced-finished")).to_have_text("1 of 3 finished")
        expect(screen.locator("#paced-bars li")).to_have_count(8)  # none for the slide
        expect(screen.locator("#paced-top10 li")).to_have_count(3)
    classroom.stage("one-finished")

    # A restart: everyone back where they were, Bo with the time he had left.
    classroom.server.restart()
    expect(bo.locator("#question-number")).to_have_text(numbered(4))
    verdict(cy, "◐ Partly right")  # question 2 answered: its feedback and Next again
    # Every page back online before it is used: a press while it reconnects is not sent
    # (the page says it is reconnecting).
    for page in (teacher, *phones.values()):
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bis-offline\b"))
    expect(teacher.locator("#paced-summary")).to_have_text(
        "1 finished · 2 working · 0 not started")
    for idx in range(2, 9):
        next_question(cy, idx + 1)
        if QUESTIONS[idx]["kind"] != "slide":
            answer_each_kind(cy, "reload", idx)
    cy.get_by_role("button", name="Next").click()
    expect(teacher.locator("#paced-summary")).to_have_text(
        "2 finished · 1 working · 0 not started")
    for screen in screens.values():
        expect(screen.locator("#paced-finished")).to_have_text("2 of 3 finished")
    assert time.monotonic() < ends, "the end time passed before Ada and Cy finished"
    print(f"\n{ends - time.monotonic():.0f} s to the end time")
    classroom.stage("two-finished")

    # The end time: Bo's open question closes as no answer, his phone shows the end.
    expect(bo.get_by_role("heading", name="Your answers")).to_be_visible(
        timeout=(ends - time.monotonic() + 30) * 1000)
    expect(teacher.locator("#state-label")).to_have_text("finished")
    for student_id, phone in phones.items():
        expect(phone.get_by_role("heading", name="Your answers")).to_be_visible()
        items = phone.locator("#end-review-list > li")
        expect(items).to_have_count(9)
        for idx, word in enumerate(EXPECTED[student_id]):
            if word in REVIEW_WORDS:
                expect(items.nth(idx)).to_contain_text(REVIEW_WORDS[word])
        expect(items.nth(2).locator(".review-verdict")).to_have_count(0)  # the slide
        expect(phone.locator("#end-answered")).to_have_text(f"{len(SCORES[student_id])} of 8")
    expect(ada.locator("#end-rank")).to_have_text("#1")
    for student_id, name in NAMES.items():
        cells = teacher.locator("#paced-rows tr", has_text=name).locator("td.paced-cell")
        expect(cells).to_have_count(9)
        for idx, word in enumerate(EXPECTED[student_id]):
            expect(cells.nth(idx)).to_have_class(f"paced-cell paced-{word}")
    # The right % per question: question 1 right for Ada alone of the three.
    expect(teacher.locator("#paced-head th.paced-question").first).to_contain_text("33%")
    expect(teacher.locator("#paced-summary")).to_have_text(
        "2 finished · 1 stopped by the end · 0 not started")
    classroom.stage("ended")

    answers = list(csv.DictReader(io.StringIO(
        teacher.request.get(classroom.server.url + "/api/instructor/export.csv")
        .text().lstrip("\ufeff"))))
    kept = [r for r in answers if r["status"] != "total"]
    assert {(r["student_id"], int(r["question_idx"])): r["result"] for r in kept} == {
        (s, idx): word for s, words in EXPECTED.items() for idx, word in enumerate(words)
        if word != "not_reached" and (idx in SCORES[s] or word == "no_answer"
                                      or QUESTIONS[idx]["kind"] == "slide")}
    for r in kept:
        assert r["order_position"] == str(int(r["question_idx"]) + 1), r
        assert r["opened_at"], r
        if r["status"] == "submitted":
            assert float(r["score"]) == SCORES[r["student_id"]][int(r["question_idx"])], r
    gradebook = list(csv.reader(io.StringIO(
        teacher.request.get(classroom.server.url + "/api/instructor/gradebook.csv")
        .text().lstrip("\ufeff"))))
    header, *rows = gradebook
    assert header[:5] == ["student_id", "name", "total_score", "correct", "answered"]
    assert [row[0] for row in rows] == list(NAMES)
    for row in rows:
        student_id = row[0]
        total = round(sum(SCORES[student_id].values()), 2)
        assert row[1:5] == [NAMES[student_id], f"{total:.2f}",
                            str(EXPECTED[student_id].count("right")),
                            str(len(SCORES[student_id]))], row
        want = [f"{SCORES[student_id][idx]:.2f}" if word in ("right", "partial", "wrong")
                else "-" if word == "not_reached" and idx not in NOT_SCORED else ""
                for idx, word in enumerate(EXPECTED[student_id])]
        assert row[5:5 + len(QUESTIONS)] == want, row


def test_an_uploaded_student_paced_file_preselects_its_pace_and_the_pill_says_so(
        classroom: Classroom, tmp_path: Path) -> None:  # noqa: F811
    """The dashboard's upload: the file's ``"pace": "student"`` sets the pace picker, which
    the teacher may change before Run; the state pill says a student-paced run is going
    on (the server keeps it in its lobby state) and that it ended after End for everyone."""
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    picker = teacher.get_by_label("Pace when you press Run")
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


def test_the_grid_heads_its_columns_with_the_questions_of_the_quiz_run_in_its_place(
        classroom: Classroom, tmp_path: Path) -> None:  # noqa: F811
    """A student-paced quiz is run, then another of as many questions in its place before
    anyone joined: the grid's columns are the new quiz's (a slide where it has one), not
    the first one's, whose header stayed while the share right of each column was the
    same (none yet)."""
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    heads = teacher.locator("#paced-head th.paced-question")
    for title, questions, shown in (
            ("Two questions", [{"text": "Yes?", "options": ["Yes", "No"], "correct": "A"},
                               {"text": "No?", "options": ["Yes", "No"], "correct": "B"}],
             [r"^Q1\b", r"^Q2\b"]),
            ("A slide first", [{"kind": "slide", "text": "Read this"},
                               {"text": "Yes?", "options": ["Yes", "No"], "correct": "A"}],
             [r"^Slide", r"^Q1\b"])):
        path = tmp_path / f"{title}.json"
        path.write_text(json.dumps({"title": title, "pace": "student",
                                    "questions": questions}))
        teacher.set_input_files("#quiz-file", path)
        expect(teacher.locator("#upload-result")).to_contain_text(f"Imported “{title}”")
        teacher.get_by_role("button", name=f"Run {title}").click()
        expect(teacher.locator("#quiz-title")).to_have_text(title)
        expect(heads).to_have_text([re.compile(pattern) for pattern in shown])
    classroom.stage("grid-of-the-quiz-in-its-place")
