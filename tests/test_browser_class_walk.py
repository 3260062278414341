"""A class played as a class plays it, then its files read back against what happened.

Issue 21's end-to-end check: a quiz of every kind (a slide and a poll among them)
for five phones (one joins late, one reloads mid-question, one stays silent, one
ticks several boxes), the teacher on the keyboard as a clicker drives it (Space,
→, Page Down; a double press within 300 ms), a question asked again, the server
killed mid-question and started again on the same data folder, to the end. Then
export.csv, gradebook.csv and export.json are downloaded from the dashboard and
every word and number in them is checked against the script below, as are the
dashboard's, the projector's and the phones' counts along the way.

Same rules as test_browser.py: Debian's chromium, the real server in its own
process, elements found by role and label, waits on page conditions.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from .every_kind import every_kind
from .test_browser import DASHBOARD, PHONE_390, PROJECTOR, Classroom, join, next_ready
from .test_browser import classroom as classroom  # noqa: F401 (the fixture)
from .test_browser_kinds import received, verdict

pytestmark = pytest.mark.browser

# close_when_all_answered off: the teacher closes every question, as the script says.
WALK = every_kind("Class walk", close_when_all_answered=False)
NAMES = {"s1": "Ada", "s2": "Bo", "s3": "Cy", "s4": "Dee", "s5": "Eve"}
# What the script below does, as the results model must word it (question index order).
# Bo and Eve answer question 2 again when it is asked again; Eve joins after question 1.
EXPECTED = {
    "s1": ["right", "right", "not_scored", "right", "right", "right", "right", "not_scored"],
    "s2": ["wrong", "right", "not_scored", "wrong", "wrong", "wrong", "no_answer",
           "not_scored"],
    "s3": ["no_answer", "no_answer", "not_scored", "no_answer", "no_answer", "no_answer",
           "no_answer", "not_scored"],
    "s4": ["right", "partial", "not_scored", "right", "no_answer", "right", "no_answer",
           "not_scored"],
    "s5": ["not_present", "partial", "not_scored", "wrong", "right", "right", "no_answer",
           "not_scored"],
}
# The kept answer's score (binary scoring), and the asking it was given at.
SCORES = {
    "s1": {0: 1.0, 1: 1.0, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0, 7: 0.0},
    "s2": {0: 0.0, 1: 1.0, 3: 0.0, 4: 0.0, 5: 0.0, 7: 0.0},
    "s3": {},
    "s4": {0: 1.0, 1: 0.5, 3: 1.0, 5: 1.0, 7: 0.0},
    "s5": {1: 0.5, 3: 0.0, 4: 1.0, 5: 1.0},
}
ASKED_AGAIN = {("s2", 1), ("s5", 1)}
NUMBERS = [1, 2, None, 3, 4, 5, 6, 7]  # a slide is not a question
ASKED = 7  # answerable questions asked (the poll included, the slide not)
SCORED = ("right", "partial", "wrong", "no_answer")


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "walk.json"
    path.write_text(json.dumps(WALK))
    return path


class Walk:
    """The pages of the class, and what they are checked against."""

    def __init__(self, classroom: Classroom) -> None:  # noqa: F811
        self.room = classroom
        self.shots: list[Path] = []
        self.teacher = classroom.open(
            "instructor", f"/instructor?key={classroom.server.instructor_key}", DASHBOARD)
        expect(self.teacher.locator("#state-label")).to_have_text("lobby")
        self.screen = classroom.open("projector", "/projector", PROJECTOR)
        expect(self.screen.locator("#quiz-title")).to_have_text("Class walk")
        self.phones: dict[str, Page] = {}

    def phone(self, student_id: str, *, to: str = "#lobby-view") -> Page:
        page = self.room.open(f"student-{student_id}", "/", PHONE_390)
        join(page, student_id, NAMES[student_id])
        expect(page.locator(to)).to_be_visible()
        self.phones[student_id] = page
        return page

    def stage(self, name: str) -> None:
        """A screenshot of every page (the projector's screen as the room sees it, the
        others whole); none scrolls sideways, the projector not at all."""
        for role, page in self.room.pages.items():
            shot = self.room.screenshots / f"walk-{name}-{role}.png"
            page.screenshot(path=shot, full_page=role != "projector")
            self.shots.append(shot)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
                f"{name} / {role} scrolls sideways"
        assert self.screen.evaluate(
            "document.documentElement.scrollHeight <= window.innerHeight"), \
            f"{name}: the projector's page is taller than its screen"
        assert self.room.page_errors == []

    def press(self, key: str) -> None:
        """A clicker's press, once the dashboard takes Next again."""
        next_ready(self.teacher)
        self.teacher.keyboard.press(key)

    def asks(self, idx: int) -> None:
        """Every phone and the projector show question ``idx``."""
        text = WALK["questions"][idx]["text"]
        number = NUMBERS[idx]
        for phone in self.phones.values():
            expect(phone.get_by_role("heading", name=text)).to_be_visible()
            expect(phone.locator("#question-number")).to_have_text(
                "Slide" if number is None else f"Question {number} of {ASKED}")
        expect(self.screen.locator("#question-text")).to_have_text(text)

    def closed(self, idx: int, answered: int, of: int, no_answer: int) -> None:
        """The reveal of ``idx``: the dashboard's and the projector's counts."""
        expect(self.teacher.locator("#state-label")).to_have_text("answer revealed")
        expect(self.teacher.locator("#current-answered")).to_have_text(
            f"Answered {answered} of {of}")
        said = re.compile(rf"(No answer: {no_answer}\b|\b{no_answer} no answer)")
        expect(self.teacher.locator("#current-histogram")).to_contain_text(said)
        expect(self.screen.locator("#reveal-view")).to_be_visible()
        expect(self.screen.locator("#reveal-view")).to_contain_text(said)


def choose(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def tick(page: Page, *names: str) -> None:
    for name in names:
        page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Submit answer").click()


def type_in(page: Page, typed: str) -> None:
    page.get_by_role("textbox", name="Your answer").fill(typed)
    page.get_by_role("button", name="Submit answer").click()


def clock(page: Page, role: str) -> Locator:
    return page.locator("#current-countdown" if role == "instructor" else "#question-countdown")


def download(page: Page, link: str, keep: Path) -> str:
    """A file as the dashboard's link gives it (kept beside the screenshots); a spreadsheet's
    byte-order mark, if any, left out."""
    with page.expect_download() as started:
        page.get_by_role("link", name=link, exact=True).click()
    started.value.save_as(keep)
    return keep.read_text(encoding="utf-8-sig")


def test_a_class_walks_through_every_kind_a_restart_and_a_re_ask_and_its_files_agree(
        classroom: Classroom) -> None:  # noqa: F811
    walk = Walk(classroom)
    teacher, screen = walk.teacher, walk.screen
    ada, bo, cy, dee = (walk.phone(s) for s in ("s1", "s2", "s3", "s4"))
    expect(screen.locator("#joined-count")).to_have_text("4")
    expect(teacher.locator("#next-hint")).to_have_text("Next opens question 1 of 7.")
    walk.stage("1-lobby")

    # A clicker's double press: two Nexts within 300 ms open question 1 and nothing more.
    teacher.locator("body").click(position={"x": 5, "y": 5})
    first = time.monotonic()
    teacher.keyboard.press(" ")
    teacher.keyboard.press("PageDown")
    assert time.monotonic() - first < 0.3
    walk.asks(0)
    expect(teacher.locator("#next-hint")).to_have_text(
        "Next closes question 1 and shows the answer.")  # the held second is over
    expect(teacher.locator("#state-label")).to_have_text("question open")
    expect(screen.locator("#question-answered")).to_have_text("Answered 0 of 4")

    choose(ada, "B 4")
    choose(bo, "A 3")
    dee.reload()  # mid-question, before answering: the question is still there to answer
    expect(dee.get_by_role("heading", name="2 + 2?")).to_be_visible()
    choose(dee, "B 4")
    for phone, letter in ((ada, "B"), (bo, "A"), (dee, "B")):
        received(phone, letter)
    expect(teacher.locator("#current-answered")).to_have_text("Answered 3 of 4")
    expect(teacher.locator("#current-histogram")).to_contain_text("Not answered yet: 1")
    expect(screen.locator("#question-answered")).to_have_text("Answered 3 of 4")
    walk.stage("2-question-1-open")

    walk.press("ArrowRight")
    walk.closed(0, answered=3, of=4, no_answer=1)
    verdict(ada, "✓ Correct!")
    verdict(bo, "✗ Not quite")
    verdict(cy, "No answer this time")
    verdict(dee, "✓ Correct!")
    # Eve comes in after question 1 closed: she was not there for it.
    eve = walk.phone("s5", to="#reveal-view")
    verdict(eve, "You joined after this question")
    walk.stage("3-question-1-reveal")

    walk.press("PageDown")
    walk.asks(1)
    tick(ada, "A Whale", "C Bat")
    tick(bo, "A Whale")
    tick(dee, "A Whale", "B Shark", "C Bat")
    tick(eve, "C Bat", "D Trout")
    for phone, words in ((ada, "A, C"), (bo, "A"), (dee, "A, B, C"), (eve, "C, D")):
        received(phone, words)
    # Answered counts students, never ticks: 4 of 5, though 8 boxes were ticked.
    expect(teacher.locator("#current-answered")).to_have_text("Answered 4 of 5")
    expect(screen.locator("#question-answered")).to_have_text("Answered 4 of 5")
    walk.stage("4-question-2-open")
    walk.press(" ")
    walk.closed(1, answered=4, of=5, no_answer=1)
    verdict(ada, "✓ Correct!")
    verdict(bo, "◐ Partly right")
    verdict(dee, "◐ Partly right")
    verdict(eve, "✗ Not quite")
    expect(teacher.locator("#next-hint")).to_have_text("Next shows the slide.")

    walk.press("PageDown")  # the slide: one press shows it, the next moves past it
    walk.asks(2)
    for phone in walk.phones.values():
        expect(phone.get_by_text("Look at the screen.")).to_be_visible()
    expect(screen.locator("#progress")).to_have_text("Slide")
    expect(teacher.locator("#next-hint")).to_have_text("Next opens question 3 of 7.")
    walk.stage("5-slide")

    walk.press("ArrowRight")
    walk.asks(3)
    ada.get_by_role("button", name="A True").click()
    received(ada, "True")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 1 of 5")

    # The server dies mid-question (no goodbye) and comes back on the same data folder.
    pages = {role: page for role, page in classroom.pages.items()}
    classroom.server.stop(signal.SIGKILL)
    for page in pages.values():
        expect(page.locator(".connection-lost")).to_have_text("Connection lost — reconnecting…")
    stood = {role: int(clock(page, role).inner_text()) for role, page in pages.items()}
    # Standing still takes time to see: two seconds on every page's own clock, watched on
    # all the pages at once (each page keeps its watch's answer until it is asked for).
    for role, page in pages.items():
        page.evaluate("""([selector, shown]) => { window.stoodStill = new Promise((resolve) => {
            const box = document.querySelector(selector);
            const start = performance.now();
            const look = () => {
                if (box.textContent !== shown) resolve(false);
                else if (performance.now() - start > 2000) resolve(true);
                else setTimeout(look, 100);
            };
            look();
        }); }""", ["#current-countdown" if role == "instructor" else "#question-countdown",
                   str(stood[role])])
    for role, page in pages.items():
        assert page.evaluate("window.stoodStill"), \
            f"{role}'s clock ran on while the server was down"
    walk.stage("6-server-down")
    classroom.server.start()
    for page in pages.values():
        expect(page.locator(".connection-lost")).to_be_hidden()
    for role, page in pages.items():  # from the server's time: what was left, less a moment
        expect(clock(page, role)).to_have_text(re.compile(
            "^(" + "|".join(str(s) for s in range(stood[role], stood[role] - 10, -1)) + ")$"))
    walk.asks(3)
    received(ada, "True")  # acknowledged before the crash: kept
    expect(teacher.locator("#current-answered")).to_have_text("Answered 1 of 5")
    bo.get_by_role("button", name="B False").click()
    dee.get_by_role("button", name="A True").click()
    eve.get_by_role("button", name="B False").click()
    for phone, words in ((bo, "False"), (dee, "True"), (eve, "False")):
        received(phone, words)
    walk.stage("7-after-restart")
    walk.press(" ")
    walk.closed(3, answered=4, of=5, no_answer=1)

    walk.press("PageDown")
    walk.asks(4)
    type_in(ada, "  paris ")
    type_in(bo, "Lyon")
    type_in(eve, "PARIS")
    for phone, words in ((ada, "“paris”"), (bo, "“Lyon”"), (eve, "“PARIS”")):
        received(phone, words)
    walk.press("ArrowRight")
    walk.closed(4, answered=3, of=5, no_answer=2)
    expect(screen.locator(".tally-summary")).to_have_text("✓ 2 right · ✗ 1 wrong · 2 no answer")
    verdict(eve, "✓ Correct!")
    verdict(dee, "No answer this time")
    walk.stage("8-text-reveal")

    # Question 2 asked again: a second chance. Bo and Eve answer again, the others do not.
    teacher.get_by_label("Question", exact=True).select_option("1")
    teacher.get_by_role("button", name="Open this question").click()
    walk.asks(1)
    for phone, earlier in ((ada, "A, C"), (bo, "A"), (dee, "A, B, C"), (eve, "C, D")):
        expect(phone.locator("#answer-status")).to_have_text(
            f"Asked again. Your earlier answer, {earlier}, counts unless you answer again.")
    expect(cy.get_by_role("button", name="Submit answer")).to_be_enabled()
    walk.stage("9-asked-again")
    for name in ("A Whale", "C Bat"):  # Bo ticks what he missed: A was kept ticked or not
        bo.get_by_role("checkbox", name=name).check()
    bo.get_by_role("checkbox", name="B Shark").uncheck()
    bo.get_by_role("checkbox", name="D Trout").uncheck()
    bo.get_by_role("button", name="Submit answer").click()
    eve.get_by_role("checkbox", name="D Trout").uncheck()
    eve.get_by_role("checkbox", name="C Bat").check()
    eve.get_by_role("button", name="Submit answer").click()
    received(bo, "A, C")
    received(eve, "C")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 4 of 5")
    teacher.locator("body").click(position={"x": 5, "y": 5})  # out of the question picker
    walk.press(" ")
    walk.closed(1, answered=4, of=5, no_answer=1)
    verdict(bo, "✓ Correct!")
    verdict(eve, "◐ Partly right")
    verdict(dee, "◐ Partly right")  # kept from the first asking
    verdict(ada, "✓ Correct!")
    # Next goes on from where the teacher was: question 5, not question 3.
    expect(teacher.locator("#next-hint")).to_have_text("Next opens question 5 of 7.")
    walk.stage("10-asked-again-reveal")

    walk.press("PageDown")
    walk.asks(5)
    for phone, typed in ((ada, "90"), (bo, "45"), (dee, "91"), (eve, "89")):
        type_in(phone, typed)
        received(phone, typed)
    walk.press(" ")
    walk.closed(5, answered=4, of=5, no_answer=1)

    walk.press("ArrowRight")
    walk.asks(6)
    right = WALK["questions"][6]["items"]
    for position, item in enumerate(right):  # Ada sorts with Move up, from the keyboard
        shown = ada.locator(".order-item .order-text").all_inner_texts()
        for _ in range(shown.index(item) - position):
            ada.get_by_role("button", name=f"Move up: {item}").focus()
            ada.keyboard.press("Enter")
    expect(ada.locator(".order-item .order-text")).to_have_text(right)
    ada.get_by_role("button", name="Submit this order").click()
    expect(ada.get_by_role("status").filter(has_text="Answer received")).to_contain_text("→")
    walk.press(" ")
    walk.closed(6, answered=1, of=5, no_answer=4)
    verdict(ada, "✓ Correct!")

    walk.press("PageDown")
    walk.asks(7)
    choose(ada, "A Too slow")
    choose(bo, "B Just right")
    choose(dee, "B Just right")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 3 of 5")
    walk.press(" ")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 3 of 5")
    verdict(bo, "Thanks for voting")
    expect(screen.locator(".answer-bar-correct")).to_have_count(0)
    walk.stage("11-poll-reveal")
    expect(teacher.locator("#next-hint")).to_have_text("Next ends the quiz.")
    walk.press("PageDown")
    expect(teacher.locator("#state-label")).to_have_text("finished")

    # The end screens: "Answered X of 7" (the poll counts, the slide does not).
    for student_id, phone in walk.phones.items():
        expect(phone.get_by_role("heading", name="Quiz over — thanks for playing!")) \
            .to_be_visible()
        answered = len(SCORES[student_id])
        expect(phone.locator("#end-answered")).to_have_text(f"{answered} of {ASKED}")
    walk.stage("12-end")

    kept = classroom.screenshots
    answers = list(csv.DictReader(io.StringIO(
        download(teacher, "Answers (CSV)", kept / "walk-export.csv"))))
    gradebook = list(csv.reader(io.StringIO(
        download(teacher, "Gradebook (CSV)", kept / "walk-gradebook.csv"))))
    everything = json.loads(download(teacher, "Everything (JSON)", kept / "walk-export.json"))
    check_answers_csv(answers)
    check_gradebook(gradebook)
    check_export_json(everything)
    print("\nclass walk screenshots:", *(str(p) for p in walk.shots[-7:]), sep="\n  ")


def total(student_id: str) -> float:
    return round(sum(SCORES[student_id].values()), 2)


def rights(student_id: str) -> int:
    return EXPECTED[student_id].count("right")


def check_answers_csv(rows: list[dict[str, str]]) -> None:
    """One row per answer kept (and per miss recorded): its word, score, number and asking;
    then one total row per student."""
    kept = [row for row in rows if row["status"] != "total"]
    answered = {(row["student_id"], int(row["question_idx"])) for row in kept
                if row["status"] == "submitted"}
    assert answered == {(s, idx) for s, scores in SCORES.items() for idx in scores}
    for row in kept:
        student_id, idx = row["student_id"], int(row["question_idx"])
        assert row["name"] == NAMES[student_id]
        assert row["result"] == EXPECTED[student_id][idx], row
        assert row["question"] == ("" if NUMBERS[idx] is None else str(NUMBERS[idx])), row
        assert row["question_text"] == WALK["questions"][idx]["text"], row
        if row["status"] == "submitted":
            assert float(row["score"]) == SCORES[student_id][idx], row
            assert row["asking"] == ("2" if (student_id, idx) in ASKED_AGAIN else "1"), row
        else:
            assert row["status"] == "missed", row
    totals = {row["student_id"]: row for row in rows if row["status"] == "total"}
    assert set(totals) == set(NAMES)
    for student_id, row in totals.items():
        assert float(row["score"]) == total(student_id), row
        assert int(row["correct"]) == rights(student_id), row


def check_gradebook(rows: list[list[str]]) -> None:
    header, *students = rows
    assert header[:5] == ["student_id", "name", "total_score", "correct", "answered"]
    assert header[5:-1] == ["Q1: 2 + 2?", "Q2: Which of these are mammals?",
                            "Slide: Five-minute break",
                            "Q3: Water boils at 100 °C at sea level.",
                            "Q4: The capital of France?",
                            "Q5: How many degrees in a right angle?", "Q6: Smallest first:",
                            "Q7 (not scored): How was the pace today?"]
    assert header[-1] == "kept_from_asked_again"
    assert [row[0] for row in students] == list(NAMES)  # in the order they joined
    for row in students:
        student_id = row[0]
        assert row[1:5] == [NAMES[student_id], f"{total(student_id):.2f}",
                            str(rights(student_id)), str(len(SCORES[student_id]))], row
        cells = []
        for idx, word in enumerate(EXPECTED[student_id]):
            if word in ("right", "partial", "wrong"):
                cells.append(f"{SCORES[student_id][idx]:.2f}")
            else:  # no answer and not scored are empty, not present is "-"
                cells.append("-" if word == "not_present" else "")
        assert row[5:-1] == cells, row
        assert row[-1] == ("Q2" if (student_id, 1) in ASKED_AGAIN else ""), row


def check_export_json(document: dict[str, Any]) -> None:
    """Each question's tally and each student's totals, from the same words."""
    assert document["run"]["finished_at"] is not None
    questions = {q["question_idx"]: q for q in document["questions"]}
    assert sorted(questions) == list(range(len(WALK["questions"])))
    for idx, question in questions.items():
        assert question["question"] == NUMBERS[idx]
        words = [EXPECTED[s][idx] for s in NAMES]
        answered = sum(idx in SCORES[s] for s in NAMES)
        scored = sum(words.count(w) for w in SCORED)
        want = {"students": len(NAMES), "answered": answered, "pending": 0,
                **{w: words.count(w) for w in (*SCORED, "not_present", "not_scored")},
                "share_right": round(words.count("right") / scored, 4) if scored else None}
        assert question["results"] == want, (idx, question["results"])
    for p in document["participants"]:
        student_id = p["student_id"]
        words = EXPECTED[student_id]
        assert p["total_score"] == total(student_id)
        assert p["correct"] == rights(student_id)
        assert p["answered"] == len(SCORES[student_id])
        assert p["results"] == {
            "total_score": total(student_id), "answered": len(SCORES[student_id]),
            "asked": ASKED, **{w: words.count(w) for w in (*SCORED, "not_present")}}
    for submission in document["submissions"]:
        student_id, idx = submission["student_id"], submission["question_idx"]
        assert submission["result"] == EXPECTED[student_id][idx], submission
        if submission["status"] == "submitted":
            assert submission["asking"] == (2 if (student_id, idx) in ASKED_AGAIN else 1)
