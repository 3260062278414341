"""The three pages in a real browser against the real server.

Rules: Debian's chromium, headless, never a downloaded browser; the server is
``python -m trivia_trio`` in its own process (``server_process``) on a port
the OS picked; every wait is on a page condition with a timeout, never a
sleep. Each stage of each page is screenshotted and checked with axe-core
(no violation allowed, moderate and minor included).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Axe, ServerProcess

pytestmark = pytest.mark.browser

XSS_NAME = "<img src=x onerror=alert(1)>"
PHONE = {"width": 360, "height": 740}
BIG_PHONE = {"width": 412, "height": 915}
LAPTOP = {"width": 1366, "height": 900}
PHONE_390 = {"width": 390, "height": 844}
DASHBOARD = {"width": 1366, "height": 768}
# 64 characters each: the longest names the join form takes.
LONGEST_NAME = "Maximiliana Alexandrina Konstantinopoulou-Vanderbilt de las Cruz"
LONG_NAME = "Bartholomew Fitzgerald Worthington-Montgomery the Third of Essex"
assert len(LONGEST_NAME) == len(LONG_NAME) == 64
PROJECTOR = {"width": 1920, "height": 1080}
SMALL_PROJECTOR = {"width": 1280, "height": 720}

expect.set_options(timeout=10_000)


class Classroom:
    """The pages of one class on one server: opened, photographed and audited together."""

    def __init__(self, browser: Browser, server: ServerProcess, screenshots: Path, name: str):
        self.browser = browser
        self.server = server
        self.screenshots = screenshots
        self.name = name
        self.pages: dict[str, Page] = {}
        self.page_errors: list[str] = []
        self.axe = Axe()

    def open(self, role: str, path: str, viewport: dict[str, int]) -> Page:
        page = self.browser.new_context(viewport=viewport).new_page()
        page.on("pageerror", lambda error: self.page_errors.append(f"{role}: {error}"))
        # An alert can only come from a name run as HTML.
        page.on("dialog", lambda dialog: self.page_errors.append(f"{role}: alert {dialog.message}"))
        page.goto(self.server.url + path)
        self.pages[role] = page
        return page

    def instructor(self) -> Page:
        page = self.open("instructor", f"/instructor?key={self.server.instructor_key}", LAPTOP)
        expect(page.locator("#state-label")).not_to_have_text("connecting…")
        return page

    def projector(self, viewport: dict[str, int] = PROJECTOR) -> Page:
        page = self.open("projector", "/projector", viewport)
        expect(page.locator("#quiz-title")).to_have_text("Three questions")
        return page

    def student(self, student_id: str, name: str, viewport: dict[str, int] = BIG_PHONE) -> Page:
        page = self.open(f"student-{student_id}", "/", viewport)
        join(page, student_id, name)
        expect(page.locator("#lobby-view")).to_be_visible()
        return page

    def stage(self, stage: str) -> None:
        """Screenshot every page and hold each to axe-core and to no sideways scrolling."""
        for role, page in self.pages.items():
            shot = self.screenshots / f"{self.name}-{stage}-{role}.png"
            page.screenshot(path=shot, full_page=True)
            violations = self.axe.run(page).response["violations"]
            found = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
                     for v in violations]  # moderate and minor included
            assert found == [], f"{stage} / {role}"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
                f"{stage} / {role} scrolls sideways"
        assert self.page_errors == []


@pytest.fixture
def classroom(request: pytest.FixtureRequest, browser: Browser, server_process: ServerProcess,
              screenshots: Path) -> Iterator[Classroom]:
    room = Classroom(browser, server_process, screenshots, request.node.name)
    yield room
    for page in room.pages.values():
        page.context.close()


def next_on(teacher: Page, stage: str) -> None:
    """Press Next once the dashboard shows ``stage``: a press is for the stage on screen,
    and one made before the dashboard heard of the phones' stage is (rightly) ignored."""
    expect(teacher.locator("#state-label")).to_have_text(stage)
    teacher.click("#next-button")


def join(page: Page, student_id: str, name: str) -> None:
    expect(page.locator("#join-view")).to_be_visible()
    page.fill("#student-id", student_id)
    page.fill("#student-name", name)
    page.click("#join-button")


def answer(page: Page, letter: str) -> None:
    page.click(f"#answer-buttons [data-answer={letter}]")
    expect(page.locator("#answer-status")).to_have_text(f"✓ Answer received: {letter}")


def upload_and_run_a_fresh_quiz(teacher: Page, path: Path, *,
                                sends_the_class_away: bool = False) -> None:
    """Import a one-question quiz called "Fresh" from ``path`` and run it, as a teacher does
    (confirming, when the class of an ended run is still there, that it goes)."""
    path.write_text(json.dumps({"title": "Fresh", "questions": [
        {"text": "Yes?", "options": ["Yes", "No"], "correct": "A"}]}))
    teacher.set_input_files("#quiz-file", path)
    expect(teacher.locator("#upload-result")).to_have_text("Imported “Fresh” (1 question).")
    teacher.get_by_role("button", name="Run Fresh").click()
    if sends_the_class_away:
        teacher.get_by_role("dialog").get_by_role("button", name="Run it").click()
    expect(teacher.locator("#quiz-title")).to_have_text("Fresh")


def next_ready(teacher: Page) -> None:
    """Wait out the second in which the dashboard ignores Next after it took effect (a
    clicker's bounce): a click waits by itself, a key press does not."""
    expect(teacher.locator("#next-button")).not_to_have_attribute("aria-disabled", "true")


def confirm(page: Page, button: str) -> None:
    page.click(button)
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-yes")


def seconds_left(page: Page) -> int:
    return int(page.locator("#question-countdown").inner_text())


def test_a_whole_quiz_on_every_page(classroom: Classroom) -> None:
    teacher = classroom.instructor()
    screen = classroom.projector()
    ada = classroom.student("s1", "Ada")
    bob = classroom.student("s2", "Bob", PHONE)
    cy = classroom.student("s3", "Cy")
    students = [ada, bob, cy]

    for student in students:
        expect(student.locator("#lobby-count")).to_have_text("3")
        expect(student.locator("#quiz-title")).to_have_text("Three questions")
    expect(screen.locator("#joined-count")).to_have_text("3")
    expect(screen.locator("#join-qr")).to_have_attribute("src", re.compile(r"^/join-qr\.svg\?v="))
    expect(screen.locator("#join-qr")).not_to_have_js_property("naturalWidth", 0)
    expect(teacher.locator("#presence-rows tr")).to_have_count(3)
    expect(teacher.locator("#next-hint")).to_have_text("Next opens question 1 of 3.")
    classroom.stage("1-lobby")

    # Question 1: Ada right, Bob wrong, Cy silent.
    teacher.click("#next-button")
    for student in students:
        expect(student.locator("#question-text")).to_have_text("2 + 2?")
        expect(student.locator("#answer-buttons button")).to_have_count(4)
    expect(screen.locator("#question-text")).to_have_text("2 + 2?")
    expect(screen.locator(".projector-option")).to_have_count(4)
    expect(screen.locator(".projector-option-count")).to_have_count(0)  # live answers are off
    expect(teacher.locator("#current-text")).to_have_text("2 + 2?")
    expect(teacher.locator(".answer-bar-correct")).to_have_count(0)  # hidden while open
    assert 25 <= seconds_left(ada) <= 30
    expect(bob.locator("#announcer-polite")).to_have_text("Question 1: 2 + 2?")
    expect(screen.locator("#announcer-polite")).to_have_text("Question 1: 2 + 2?")
    classroom.stage("2-question-open")

    answer(ada, "B")
    answer(bob, "A")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 2 of 3")
    expect(screen.locator("#question-answered")).to_have_text("Answered 2 of 3")
    expect(ada.locator("#answer-buttons [data-answer=A]")).to_be_disabled()
    classroom.stage("3-answered")

    teacher.click("#close-button")
    expect(ada.locator("#reveal-verdict")).to_have_text("✓ Correct!")
    expect(bob.locator("#reveal-verdict")).to_have_text("✗ Not quite")
    expect(cy.locator("#reveal-verdict")).to_have_text("No answer this time")
    expect(bob.locator("#reveal-correct")).to_have_text("The answer: B 4")
    expect(bob.locator("#reveal-explanation")).to_have_text("Two pairs make four.")
    expect(ada.locator("#reveal-rank")).to_have_text("#1")
    expect(ada.locator("#announcer-polite")).to_contain_text("Correct! The answer is B 4.")
    expect(cy.locator("#reveal-total")).to_have_text("0.00")
    expect(screen.locator("#reveal-answers .answer-bar-correct")).to_contain_text("4")
    expect(screen.locator("#reveal-explanation")).to_have_text("Two pairs make four.")
    expect(screen.locator("#reveal-times [role=img]")).to_have_attribute(
        "aria-label", re.compile(r"^Response times \(seconds\): 0–5: "))
    expect(screen.locator("#reveal-scores .column-chart-bar")).to_have_count(6)
    expect(screen.locator("#reveal-top10 li")).to_have_count(3)
    expect(screen.locator("#reveal-top10 li").first).to_contain_text("Ada")
    expect(teacher.locator("#state-label")).to_have_text("answer revealed")
    classroom.stage("4-reveal")

    teacher.click("#leaderboard-button")
    expect(ada.locator("#between-rank")).to_have_text("#1")
    expect(ada.locator("#between-top5 .leader-you")).to_contain_text("Ada")
    expect(screen.locator("#leaders-top10 li")).to_have_count(3)
    expect(teacher.locator("#leaderboard-rows tr").first).to_contain_text("s1")
    expect(teacher.locator("#leaderboard-rows tr").first.locator("td").first).to_have_text("1")
    classroom.stage("5-leaderboard")

    # Question 2 from the keyboard: → opens it, Space (after Close now) moves on.
    teacher.evaluate("document.activeElement.blur()")
    next_ready(teacher)
    teacher.keyboard.press("ArrowRight")
    for student in students:
        expect(student.locator("#question-text")).to_have_text("The sky is blue.")
        expect(student.locator("#answer-buttons button")).to_have_count(2)
    answer(ada, "A")
    teacher.check("#live-answers")
    expect(screen.locator(".projector-option-count")).to_have_text(["1", "0"])
    answer(cy, "A")
    expect(screen.locator(".projector-option-count")).to_have_text(["2", "0"])
    classroom.stage("6-question-2")
    teacher.click("#close-button")
    expect(cy.locator("#reveal-verdict")).to_have_text("✓ Correct!")
    teacher.evaluate("document.activeElement.blur()")
    teacher.keyboard.press(" ")

    expect(screen.locator("#question-text")).to_have_text("Largest planet?")
    answer(ada, "B")
    confirm(teacher, "#end-button")
    expect(ada.locator("#end-answered")).to_have_text("3 of 3")
    expect(ada.locator("#end-correct")).to_have_text("3")
    expect(bob.locator("#end-answered")).to_have_text("1 of 3")
    expect(cy.locator("#end-correct")).to_have_text("1")
    expect(cy.locator("#end-top5 .leader-you")).to_contain_text("Cy")
    expect(screen.locator("#podium li")).to_have_count(3)
    expect(screen.locator("#podium .podium-first")).to_contain_text("Ada")
    expect(teacher.locator("#state-label")).to_have_text("finished")
    expect(teacher.locator("#next-button")).to_be_disabled()
    classroom.stage("7-finished")


def test_a_student_who_reloads_mid_question_keeps_question_time_and_answer(
        classroom: Classroom) -> None:
    teacher = classroom.instructor()
    ada = classroom.student("s1", "Ada", PHONE)
    teacher.click("#next-button")
    expect(ada.locator("#question-text")).to_have_text("2 + 2?")
    answer(ada, "C")
    before = seconds_left(ada)
    ada.evaluate("window.dispatchEvent(new Event('blur'))")
    expect(teacher.locator("#presence-rows td").nth(4)).to_have_text("1")  # "Lost focus"

    ada.reload()  # not "left the page": a reload counts as nothing
    expect(ada.locator("#question-text")).to_have_text("2 + 2?")
    expect(ada.locator("#answer-status")).to_have_text("✓ Answer received: C")
    expect(ada.locator("#answer-buttons [data-answer=C]")).to_have_attribute("aria-pressed", "true")
    assert 0 < seconds_left(ada) <= before
    ada.reload()
    expect(ada.locator("#answer-status")).to_have_text("✓ Answer received: C")
    expect(teacher.locator("#presence-rows td").nth(4)).to_have_text("1")
    expect(teacher.locator("#presence-rows td").nth(5)).to_have_text("0")  # "Page hidden"
    classroom.stage("after-reload")


def test_every_page_recovers_by_itself_when_the_server_restarts_mid_question(
        classroom: Classroom) -> None:
    teacher = classroom.instructor()
    screen = classroom.projector(SMALL_PROJECTOR)
    ada = classroom.student("s1", "Ada")
    bob = classroom.student("s2", "Bob", PHONE)
    teacher.click("#next-button")
    expect(bob.locator("#question-text")).to_have_text("2 + 2?")
    answer(ada, "B")

    classroom.server.stop()
    for page in classroom.pages.values():
        expect(page.locator(".connection-lost")).to_have_text("Connection lost — reconnecting…")
    bob.click("#answer-buttons [data-answer=D]")  # kept, and sent once the server is back
    expect(bob.locator("#answer-status")).to_have_text("Sending D…")
    classroom.stage("server-down")
    classroom.server.start()

    for page in classroom.pages.values():
        expect(page.locator(".connection-lost")).to_be_hidden()
    expect(ada.locator("#answer-status")).to_have_text("✓ Answer received: B")
    expect(bob.locator("#answer-status")).to_have_text("✓ Answer received: D")
    expect(screen.locator("#question-text")).to_have_text("2 + 2?")
    expect(teacher.locator("#state-label")).to_have_text("question open")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 2 of 2")
    classroom.stage("server-back")


def test_a_class_from_join_to_the_end_through_a_restart_then_the_next_quiz(
        classroom: Classroom, tmp_path: Path) -> None:
    """As a class plays it: every page, every question with its reveal, the server
    restarted mid-question, and the teacher's next quiz uploaded and run at the end
    (the server's log is held to no traceback, as in every test here)."""
    teacher = classroom.instructor()
    screen = classroom.projector()
    ada = classroom.student("s1", "Ada")
    bob = classroom.student("s2", "Bob", PHONE)
    expect(teacher.locator("#presence-rows tr")).to_have_count(2)

    next_on(teacher, "lobby")  # question 1
    expect(bob.locator("#question-text")).to_have_text("2 + 2?")
    answer(ada, "B")
    answer(bob, "C")
    next_on(teacher, "question open")  # its reveal
    expect(ada.locator("#reveal-verdict")).to_have_text("✓ Correct!")
    next_on(teacher, "answer revealed")  # question 2
    expect(ada.locator("#question-text")).to_have_text("The sky is blue.")
    answer(ada, "A")

    classroom.server.stop()
    classroom.server.start()
    for page in classroom.pages.values():
        expect(page.locator(".connection-lost")).to_be_hidden()
    expect(ada.locator("#answer-status")).to_have_text("✓ Answer received: A")
    answer(bob, "A")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 2 of 2")
    # The library, read when the page loaded, learns the run's class on reconnecting.
    expect(teacher.locator("#library-rows tr").filter(has_text="Three questions")).to_contain_text(
        "· 2 students")
    classroom.stage("after-restart")
    next_on(teacher, "question open")  # its reveal
    expect(bob.locator("#reveal-verdict")).to_have_text("✓ Correct!")
    next_on(teacher, "answer revealed")  # question 3
    expect(screen.locator("#question-text")).to_have_text("Largest planet?")
    answer(ada, "B")
    next_on(teacher, "question open")  # its reveal
    expect(ada.locator("#reveal-verdict")).to_have_text("✓ Correct!")
    next_on(teacher, "answer revealed")  # the end
    expect(ada.locator("#end-correct")).to_have_text("3")
    expect(bob.locator("#end-correct")).to_have_text("1")
    expect(screen.locator("#podium .podium-first")).to_contain_text("Ada")
    expect(teacher.locator("#leaderboard-rows tr").first).to_contain_text("s1")
    classroom.stage("finished")

    upload_and_run_a_fresh_quiz(teacher, tmp_path / "fresh.json", sends_the_class_away=True)
    expect(screen.locator("#quiz-title")).to_have_text("Fresh")
    expect(bob.get_by_label("Student ID")).to_have_value("s2")
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    classroom.stage("next-quiz")


def test_a_name_made_of_html_shows_as_text_on_all_three_pages(classroom: Classroom) -> None:
    teacher = classroom.instructor()
    screen = classroom.projector()
    mallory = classroom.student("s1", XSS_NAME)
    expect(mallory.locator("#who-am-i")).to_have_text(f"Playing as {XSS_NAME} (s1)")
    expect(teacher.locator("#presence-rows")).to_contain_text(XSS_NAME)

    teacher.click("#next-button")
    answer(mallory, "B")
    teacher.click("#close-button")
    teacher.click("#leaderboard-button")
    expect(mallory.locator("#between-top5")).to_contain_text(XSS_NAME)
    expect(screen.locator("#leaders-top10")).to_contain_text(XSS_NAME)
    expect(teacher.locator("#leaderboard-rows")).to_contain_text(XSS_NAME)
    for page in classroom.pages.values():
        expect(page.locator("img[src=x]")).to_have_count(0)
    classroom.stage("html-name")


def test_join_errors_duplicate_warning_and_reset(classroom: Classroom) -> None:
    teacher = classroom.instructor()
    ada = classroom.student("s1", "Ada")
    impostor = classroom.open("impostor", "/", PHONE)

    join(impostor, "   ", "Eve")
    expect(impostor.locator("#join-error")).to_have_text(
        "Enter both your student ID and your name.")
    join(impostor, "s1", "Eve")
    expect(impostor.locator("#join-error")).to_contain_text("already taken")
    join(impostor, "s9", "Eve\u0007")
    expect(impostor.locator("#join-error")).to_be_visible()
    expect(teacher.locator("#presence-rows .row-warning")).to_contain_text("1 attempt")
    classroom.stage("join-errors")

    confirm(teacher, "#reset-button")
    expect(ada.locator("#join-notice")).to_have_text("The instructor reset the quiz — join again.")
    expect(ada.locator("#join-view")).to_be_visible()
    expect(teacher.locator("#presence-empty")).to_be_visible()
    classroom.stage("after-reset")


def test_instructor_import_lists_every_problem_of_a_bad_quiz(
        classroom: Classroom, tmp_path: Path) -> None:
    teacher = classroom.instructor()
    bad = {"title": "Broken", "questions": [
        {"text": "One?", "options": ["a", "b"], "correct": "E"},
        {"text": "", "options": ["only one"], "correct": "A"},
    ]}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(bad))
    teacher.set_input_files("#quiz-file", path)
    expect(teacher.locator("#upload-result")).to_contain_text("broken.json was not imported")
    problems = teacher.locator("#upload-result .problem-list li")
    expect(problems).to_have_text([
        'question 1: the answer "E" is not one of A, B',
        "question 2: the question text is missing or empty",
        "question 2: needs 2 to 6 options (A to F), it has 1",
    ])
    classroom.stage("upload-problems")

    upload_and_run_a_fresh_quiz(teacher, tmp_path / "good quiz.json")


def test_next_reveals_each_answer_before_moving_on_and_says_what_it_will_do(
        classroom: Classroom) -> None:
    teacher = classroom.instructor()
    screen = classroom.projector()
    ada = classroom.student("s1", "Ada", PHONE_390)
    bob = classroom.student("s2", "Bob", PHONE_390)
    next_button = teacher.get_by_role("button", name="Next", exact=True)
    hint = teacher.locator("#next-hint")
    expect(hint).to_have_text("Next opens question 1 of 3.")

    next_button.click()
    expect(ada.get_by_role("heading", name="2 + 2?")).to_be_visible()
    expect(hint).to_have_text("Next closes question 1 and shows the answer.")
    ada.get_by_role("button", name="B 4").click()
    expect(ada.get_by_role("status").filter(has_text="Answer received")).to_be_visible()

    teacher.evaluate("document.activeElement.blur()")
    next_ready(teacher)
    teacher.keyboard.press("PageDown")  # what a presentation clicker sends
    expect(ada.get_by_role("heading", name="✓ Correct!")).to_be_visible()
    expect(bob.get_by_role("heading", name="No answer this time")).to_be_visible()
    expect(screen.locator("#reveal-answers .answer-bar-correct")).to_contain_text("4")
    expect(teacher.locator("#state-label")).to_have_text("answer revealed")
    expect(hint).to_have_text("Next opens question 2 of 3.")
    classroom.stage("reveal-stays")

    next_ready(teacher)
    teacher.keyboard.press(" ")
    expect(ada.get_by_role("heading", name="The sky is blue.")).to_be_visible()
    next_ready(teacher)
    teacher.keyboard.press("ArrowRight")
    expect(bob.get_by_role("heading", name="No answer this time")).to_be_visible()
    expect(screen.locator("#reveal-question")).to_have_text("The sky is blue.")
    next_button.click()
    expect(bob.get_by_role("heading", name="Largest planet?")).to_be_visible()
    next_button.click()
    expect(screen.locator("#reveal-question")).to_have_text("Largest planet?")
    expect(hint).to_have_text("Next ends the quiz.")
    next_button.click()
    expect(ada.get_by_role("heading", name="Quiz over — thanks for playing!")).to_be_visible()
    expect(screen.get_by_role("heading", name="Final results")).to_be_visible()


def test_after_the_end_only_reset_is_left_and_a_late_joiner_is_told_it_ended(
        classroom: Classroom) -> None:
    teacher = classroom.instructor()
    classroom.student("s1", "Ada", PHONE_390)
    teacher.get_by_role("button", name="Next", exact=True).click()
    teacher.get_by_role("button", name="End quiz…").click()
    teacher.get_by_role("dialog").get_by_role("button", name="End quiz").click()
    expect(teacher.locator("#state-label")).to_have_text("finished")
    for name in ("Next", "End quiz…", "Open this question", "Close now", "Leaderboard"):
        expect(teacher.get_by_role("button", name=name, exact=True)).to_be_disabled()
    expect(teacher.get_by_label("Question", exact=True)).to_be_disabled()
    expect(teacher.get_by_role("button", name="Reset…")).to_be_enabled()

    late = classroom.open("late", "/", PHONE_390)
    late.get_by_label("Student ID").fill("s9")
    late.get_by_label("Your name").fill("Late Comer")
    late.get_by_role("button", name="Join").click()
    expect(late.get_by_role("alert")).to_have_text(
        "This quiz has ended, so nobody new can join. Ask the instructor about the next one.")
    expect(teacher.locator("#presence-rows tr")).to_have_count(1)
    classroom.stage("late-joiner")


def test_in_a_v1_quiz_a_late_joiner_is_told_they_joined_after_the_question(
        classroom: Classroom) -> None:
    """A quiz v1 could run keeps v1's reveal, which has no word for the student: a phone
    says "no answer" only where it saw the question open, and asks the server otherwise
    (a late joiner, a reload)."""
    teacher = classroom.instructor()
    cy = classroom.student("s1", "Cy", PHONE_390)
    teacher.get_by_role("button", name="Next", exact=True).click()
    expect(cy.locator("#question-text")).to_have_text("2 + 2?")
    teacher.get_by_role("button", name="Close now", exact=True).click()
    expect(cy.locator("#reveal-verdict")).to_have_text("No answer this time")

    late = classroom.open("late", "/", PHONE_390)
    late.get_by_label("Student ID").fill("s2")
    late.get_by_label("Your name").fill("Dee")
    late.get_by_role("button", name="Join").click()
    expect(late.locator("#reveal-verdict")).to_have_text("You joined after this question")
    expect(late.locator("#reveal-correct")).to_have_text("The answer: B 4")
    cy.reload()
    expect(cy.locator("#reveal-verdict")).to_have_text("No answer this time")
    classroom.stage("v1-late-joiner")


def test_the_question_closes_by_itself_once_every_phone_has_answered(
        classroom: Classroom) -> None:
    teacher = classroom.instructor()
    screen = classroom.projector()
    ada = classroom.student("s1", "Ada", PHONE_390)
    bob = classroom.student("s2", "Bob", PHONE_390)
    switch = teacher.get_by_label("Close when everyone has answered")
    expect(switch).not_to_be_checked()  # the test quiz turns it off
    switch.check()
    teacher.get_by_role("button", name="Next", exact=True).click()
    ada.get_by_role("button", name="B 4").click()
    expect(ada.get_by_role("status").filter(has_text="Answer received")).to_be_visible()
    expect(teacher.locator("#state-label")).to_have_text("question open")
    bob.get_by_role("button", name="A 3").click()
    expect(bob.get_by_role("heading", name="✗ Not quite")).to_be_visible()
    expect(ada.get_by_role("heading", name="✓ Correct!")).to_be_visible()
    expect(screen.locator("#reveal-question")).to_have_text("2 + 2?")
    expect(teacher.locator("#state-label")).to_have_text("answer revealed")
    expect(teacher.locator("#next-hint")).to_have_text("Next opens question 2 of 3.")
    classroom.stage("closed-early")


SMALL_TEXT = """(min) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    const node = text.parentElement;
    const shown = node.getClientRects().length && !node.closest(".visually-hidden");
    if (!text.data.trim() || !shown) continue;
    const size = parseFloat(getComputedStyle(node).fontSize);
    const label = node.closest(".column-chart-label");
    if (size < min - 0.5) small.push(text.data.trim().slice(0, 30) + ": " + size + "px");
    if (label && getComputedStyle(label).transform !== "none") small.push(text.data + ": rotated");
  }
  return small;
}"""

# A line that starts inside a word (not after a space or a hyphen) is a name broken mid-word.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const node of document.querySelectorAll(selector)) {
    const text = node.firstChild;
    if (!node.getClientRects().length || !text || text.nodeType !== Node.TEXT_NODE) continue;
    const range = document.createRange();
    let lastTop = null;
    for (let i = 0; i < text.length; i++) {
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (lastTop !== null && rect.top > lastTop + 2 && !/[\\s-]/.test(text.data[i - 1])) {
        broken.push(text.data.slice(0, i) + " | " + text.data.slice(i));
      }
      lastTop = rect.top;
    }
  }
  return broken;
}"""


CLIPPED = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((node) => node.getClientRects().length && node.scrollWidth > node.clientWidth + 1
    && getComputedStyle(node).textOverflow !== "ellipsis")
  .map((node) => node.textContent)"""


def assert_readable_from_the_back(screen: Page) -> None:
    assert screen.evaluate(SMALL_TEXT, 28) == []
    assert screen.evaluate(BROKEN_WORDS, ".leader-name, .podium-name") == []
    assert screen.evaluate(CLIPPED, ".leader-name, .podium-name") == []


def test_the_projector_reads_from_the_back_and_long_names_never_break_a_layout(
        classroom: Classroom) -> None:
    teacher = classroom.instructor()
    screen = classroom.projector()
    maxi = classroom.student("s1", LONGEST_NAME, PHONE_390)
    bart = classroom.student("s2", LONG_NAME, PHONE_390)
    cy = classroom.student("s3", "Cy", PHONE_390)
    assert_readable_from_the_back(screen)

    teacher.get_by_role("button", name="Next", exact=True).click()
    expect(screen.get_by_role("heading", name="2 + 2?")).to_be_visible()
    # Latecomers still find the way in while questions run.
    expect(screen.get_by_role("img", name="QR code: scan to join late")).to_be_visible()
    expect(screen.locator("#corner-url")).to_contain_text("127.0.0.1")
    assert_readable_from_the_back(screen)
    classroom.stage("question")

    maxi.get_by_role("button", name="B 4").click()
    bart.get_by_role("button", name="B 4").click()
    cy.get_by_role("button", name="A 3").click()
    expect(cy.get_by_role("status").filter(has_text="Answer received")).to_be_visible()
    teacher.get_by_role("button", name="Close now").click()
    expect(screen.locator("#reveal-top10 li")).to_have_count(3)
    expect(screen.get_by_role("img", name=re.compile("^Response times"))).to_be_visible()
    assert_readable_from_the_back(screen)
    top_name = screen.locator("#reveal-top10 .leader-name").first
    assert float(top_name.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")) >= 36
    expect(top_name).to_have_attribute("title", re.compile(f"^({LONGEST_NAME}|{LONG_NAME})$"))
    expect(maxi.get_by_role("heading", name="✓ Correct!")).to_be_visible()
    classroom.stage("reveal")

    teacher.get_by_role("button", name="Leaderboard").click()
    you = maxi.locator("#between-top5 .leader-you-tag")
    expect(you).to_have_text("you")
    box = you.bounding_box()
    assert box is not None and box["width"] > box["height"], box  # "you", not "y/o/u"
    whole = maxi.locator("#between-top5 .leader-you .leader-name")
    whole.focus()  # a name cut with an ellipsis shows in full on focus
    expect(whole).to_have_css("white-space", "normal")
    whole.blur()
    assert_readable_from_the_back(screen)
    classroom.stage("leaderboard")

    teacher.get_by_role("button", name="End quiz…").click()
    teacher.get_by_role("dialog").get_by_role("button", name="End quiz").click()
    expect(screen.locator("#podium li")).to_have_count(3)
    expect(screen.locator("#podium .podium-name").first).to_have_attribute("title", re.compile("."))
    assert_readable_from_the_back(screen)
    expect(maxi.get_by_role("heading", name="Quiz over — thanks for playing!")).to_be_visible()
    classroom.stage("podium")


def test_the_join_form_shows_the_64_character_limit_instead_of_cutting(
        classroom: Classroom) -> None:
    phone = classroom.open("phone", "/", PHONE_390)
    name = phone.get_by_label("Your name")
    expect(name).to_have_accessible_description(re.compile("At most 64 characters"))
    phone.get_by_label("Student ID").fill("s1")
    name.fill(LONGEST_NAME + "!")
    expect(name).to_have_value(LONGEST_NAME + "!")  # nothing cut silently
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("alert")).to_have_text(
        "Your name is 65 characters long: shorten it to 64 or fewer.")
    name.fill(LONGEST_NAME)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
    expect(phone.locator("#who-am-i")).to_have_text(f"Playing as {LONGEST_NAME} (s1)")
    classroom.stage("joined")


def test_the_dashboard_hides_the_answer_keeps_runs_current_and_shows_the_leaderboard(
        classroom: Classroom) -> None:
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    classroom.student("s1", "Ada", PHONE_390)
    expect(teacher.get_by_role("region", name="Runs and item analysis")).to_contain_text(
        "0 of 3")
    teacher.get_by_role("button", name="Next", exact=True).click()
    expect(teacher.locator("#current-text")).to_have_text("2 + 2?")
    bars = teacher.locator("#current-histogram")
    expect(bars).not_to_contain_text("correct")  # a mirrored laptop gives nothing away
    teacher.get_by_label("Show the answer here while the question is open").check()
    expect(bars.locator(".answer-bar-correct")).to_contain_text("✓ correct")
    teacher.get_by_label("Show the answer here while the question is open").uncheck()
    expect(bars).not_to_contain_text("correct")
    classroom.stage("answer-hidden")

    teacher.get_by_role("button", name="Close now").click()
    expect(bars.locator(".answer-bar-correct")).to_contain_text("4")  # the reveal shows it
    runs = teacher.get_by_role("region", name="Runs of this session")
    expect(runs).to_contain_text("1 of 3")  # no Refresh pressed

    teacher.get_by_role("button", name="Leaderboard").click()
    expect(teacher.locator("#state-label")).to_have_text("showing leaderboard")
    board = teacher.get_by_role("list", name="On the projector: the leaderboard")
    expect(board).to_contain_text("Ada")
    expect(board).to_be_in_viewport(ratio=1)  # at 1366x768, without scrolling
    classroom.stage("leaderboard-on-screen")

    teacher.get_by_role("button", name="End quiz…").click()
    teacher.get_by_role("dialog").get_by_role("button", name="End quiz").click()
    expect(runs).not_to_contain_text("not ended")
