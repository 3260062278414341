"""Commands that cannot be fumbled, in a real browser against the real server (issue 21, 10-13).

The rules of test_browser.py hold here: Debian's chromium, the server in its own
process on a port the OS picked, every wait on a page condition, never a sleep.
"""

from __future__ import annotations

import json
import math
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .test_browser import (  # noqa: F401 (fixtures)
    DASHBOARD,
    PHONE_390,
    Classroom,
    answer,
    confirm,
)
from .test_browser import classroom as classroom  # the fixture

pytestmark = pytest.mark.browser

HELD = "Next just moved on: another press within a second is ignored."


def dashboard(classroom: Classroom) -> Page:
    """The teacher's dashboard on a 1366x768 laptop."""
    page = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                          DASHBOARD)
    expect(page.locator("#state-label")).not_to_have_text("connecting…")
    return page


def requests_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def commands_sent(page: Page) -> list[dict[str, Any]]:
    """What the page sends on its sockets from now on (pings left out); reloads it to see
    its socket open."""
    sent: list[dict[str, Any]] = []

    def keep(payload: str | bytes) -> None:
        message = json.loads(payload)
        if message.get("type") != "ping":
            sent.append(message)

    page.on("websocket", lambda socket: socket.on("framesent", keep))
    page.reload()
    expect(page.locator("#state-label")).not_to_have_text("connecting…")
    return sent


def test_a_double_tap_on_next_is_ignored_for_a_second_but_close_now_never_is(
        classroom: Classroom) -> None:
    teacher = dashboard(classroom)
    ada = classroom.student("s1", "Ada", PHONE_390)
    sent = commands_sent(teacher)
    next_button = teacher.get_by_role("button", name="Next", exact=True)
    hint = teacher.locator("#next-hint")
    expect(hint).to_have_text("Next opens question 1 of 3.")

    next_button.click()
    expect(ada.get_by_role("heading", name="2 + 2?")).to_be_visible()
    expect(hint).to_have_text(HELD)
    expect(next_button).to_have_attribute("aria-disabled", "true")
    # The bounce, by every way Next is pressed, then Close now: all in one moment, while
    # the hint still says Next is held.
    still_held = teacher.evaluate("""() => {
        document.activeElement.blur();
        document.getElementById("next-button").click();
        for (const key of [" ", "ArrowRight", "PageDown"]) {
            const press = {key, bubbles: true, cancelable: true};
            document.dispatchEvent(new KeyboardEvent("keydown", press));
        }
        const held = document.getElementById("next-hint").textContent;
        document.getElementById("close-button").click();
        return held;
    }""")
    assert still_held == HELD
    expect(teacher.locator("#state-label")).to_have_text("answer revealed")
    expect(ada.get_by_role("heading", name="No answer this time")).to_be_visible()

    expect(hint).to_have_text("Next opens question 2 of 3.")  # the second is over
    expect(next_button).not_to_have_attribute("aria-disabled", "true")
    teacher.keyboard.press("PageDown")
    expect(ada.get_by_role("heading", name="The sky is blue.")).to_be_visible()
    expect(hint).to_have_text(HELD)
    teacher.screenshot(path=classroom.screenshots / f"{classroom.name}-held-instructor.png")
    classroom.stage("question-2")
    assert sent == [{"type": "next", "from": "lobby:null"},
                    {"type": "close_question", "from": "question_open:0"},
                    {"type": "next", "from": "question_closed:0"}]


CLOCKS = {"instructor": "#current-countdown", "projector": "#question-countdown",
          "student-s1": "#question-countdown"}


def test_while_the_server_is_down_every_clock_stands_still_and_resumes_at_the_servers_time(
        classroom: Classroom) -> None:
    """A clock that ran on while the server was down jumped back at the reconnect (45 s,
    20 s, 45 s), or showed 0 after a longer outage. The pages' time here is Playwright's
    clock, so 15 s of outage pass on the pages in an instant."""
    dashboard(classroom)
    classroom.projector()
    classroom.student("s1", "Ada", PHONE_390)
    for page in classroom.pages.values():
        page.clock.install()
        page.reload()
    teacher, ada = classroom.pages["instructor"], classroom.pages["student-s1"]
    expect(ada.locator("#lobby-view")).to_be_visible()
    teacher.get_by_role("button", name="Next", exact=True).click()
    expect(ada.get_by_role("heading", name="2 + 2?")).to_be_visible()
    clocks = {role: page.locator(CLOCKS[role]) for role, page in classroom.pages.items()}
    for clock in clocks.values():
        expect(clock).to_have_text(re.compile(r"^(2\d|30)$"))

    classroom.server.stop()
    for page in classroom.pages.values():
        expect(page.locator(".connection-lost")).to_have_text("Connection lost — reconnecting…")
    before = {role: int(clock.inner_text()) for role, clock in clocks.items()}
    for page in classroom.pages.values():
        page.clock.fast_forward("00:15")
    assert {role: int(clock.inner_text()) for role, clock in clocks.items()} == before
    classroom.stage("server-down")

    classroom.server.start()
    for page in classroom.pages.values():
        expect(page.locator(".connection-lost")).to_be_hidden()
    # The server resumed the question with the time it had left at the stop, and each
    # page runs its clock again from the server's time: below where it stood, by the few
    # seconds a reconnect takes, never down to 0.
    for role, clock in clocks.items():
        expect(clock).to_have_text(re.compile(
            "^(" + "|".join(str(s) for s in range(before[role] - 1, before[role] - 9, -1)) + ")$"))
    after = {role: int(clock.inner_text()) for role, clock in clocks.items()}
    server_seconds = math.ceil(
        requests_json(classroom.server.url + "/api/projector")["question"]["remaining_ms"] / 1000)
    assert all(server_seconds <= seconds for seconds in after.values()), (after, server_seconds)
    classroom.stage("server-back")


def test_running_another_quiz_after_the_end_asks_first_and_phones_keep_id_and_name(
        classroom: Classroom, tmp_path: Path) -> None:
    teacher = dashboard(classroom)
    ada = classroom.student("s1", "Ada", PHONE_390)
    ada.reload()  # the form's fields are empty after a reload: the phone still knows them
    expect(ada.locator("#lobby-view")).to_be_visible()
    confirm(teacher, "#end-button")
    expect(ada.get_by_role("heading", name="Quiz over — thanks for playing!")).to_be_visible()
    runs: list[str] = []
    teacher.on("request", lambda request: runs.append(request.url)
               if request.url.endswith("/run") else None)
    (tmp_path / "fresh.json").write_text(json.dumps({"title": "Fresh", "questions": [
        {"text": "Yes?", "options": ["Yes", "No"], "correct": "A"}]}))
    teacher.set_input_files("#quiz-file", tmp_path / "fresh.json")
    expect(teacher.locator("#upload-result")).to_have_text("Imported “Fresh” (1 question).")

    run = teacher.get_by_role("button", name="Run Fresh")
    run.click()
    dialog = teacher.get_by_role("dialog")
    expect(dialog).to_contain_text(
        "Students are still in “Three questions”. Running “Fresh” starts a new run and sends "
        "their phones back to the join form (their ID and name stay filled in).")
    classroom.stage("asks-before-running")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(teacher.locator("#quiz-title")).to_have_text("Three questions")

    run.click()
    dialog.get_by_role("button", name="Run it").click()
    expect(teacher.locator("#quiz-title")).to_have_text("Fresh")
    assert len(runs) == 1  # the cancelled press sent nothing
    expect(ada.locator("#join-notice")).to_have_text(
        "The instructor loaded a new quiz — join again.")
    for _ in range(2):  # as sent back, and after a reload
        expect(ada.get_by_label("Student ID")).to_have_value("s1")
        expect(ada.get_by_label("Your name")).to_have_value("Ada")
        ada.reload()
        expect(ada.locator("#join-view")).to_be_visible()
    ada.get_by_role("button", name="Join").click()
    expect(ada.locator("#lobby-view")).to_be_visible()
    expect(ada.locator("#quiz-title")).to_have_text("Fresh")
    classroom.stage("rejoined")


def test_a_question_asked_again_shows_the_earlier_answer_and_next_goes_on_from_there(
        classroom: Classroom) -> None:
    teacher = dashboard(classroom)
    ada = classroom.student("s1", "Ada", PHONE_390)
    next_button = teacher.get_by_role("button", name="Next", exact=True)
    next_button.click()  # question 1
    answer(ada, "C")
    next_button.click()  # its reveal
    expect(ada.locator("#reveal-verdict")).to_have_text("✗ Not quite")
    next_button.click()  # question 2
    expect(ada.get_by_role("heading", name="The sky is blue.")).to_be_visible()
    next_button.click()  # its reveal
    expect(teacher.locator("#state-label")).to_have_text("answer revealed")

    teacher.get_by_label("Question", exact=True).select_option("0")
    teacher.get_by_role("button", name="Open this question").click()
    expect(ada.get_by_role("heading", name="2 + 2?")).to_be_visible()
    expect(ada.locator("#answer-status")).to_have_text(
        "Asked again. Your earlier answer, C, counts unless you answer again.")
    classroom.stage("asked-again")
    answer(ada, "B")
    teacher.get_by_role("button", name="Close now").click()
    expect(ada.locator("#reveal-verdict")).to_have_text("✓ Correct!")
    # The total is this answer's score: the wrong one it replaced is gone.
    expect(ada.locator("#reveal-total")).to_have_text(ada.locator("#reveal-score").inner_text())
    expect(teacher.locator("#next-hint")).to_have_text("Next opens question 3 of 3.")
    next_button.click()
    expect(ada.get_by_role("heading", name="Largest planet?")).to_be_visible()


def test_running_another_quiz_in_a_lobby_with_students_asks_and_says_it_waits(
        classroom: Classroom, tmp_path: Path) -> None:
    teacher = dashboard(classroom)
    ada = classroom.student("s1", "Ada", PHONE_390)
    (tmp_path / "fresh.json").write_text(json.dumps({"title": "Fresh", "questions": [
        {"text": "Yes?", "options": ["Yes", "No"], "correct": "A"}]}))
    teacher.set_input_files("#quiz-file", tmp_path / "fresh.json")
    expect(teacher.locator("#upload-result")).to_have_text("Imported “Fresh” (1 question).")
    teacher.get_by_role("button", name="Run Fresh").click()
    dialog = teacher.get_by_role("dialog")
    expect(dialog).to_contain_text(
        "Students have joined “Three questions”, so it keeps its quiz: “Fresh” waits for the "
        "next run. Starting that run (Reset) sends their phones back to the join form (their "
        "ID and name stay filled in).")
    teacher.screenshot(path=classroom.screenshots / f"{classroom.name}-dialog-instructor.png")
    dialog.get_by_role("button", name="Run it").click()
    waits = ("This run keeps its quiz, as students have joined it. “Fresh” starts with the "
             "next run (Reset).")
    expect(teacher.locator("#upload-result")).to_have_text(waits)
    expect(teacher.locator("#quiz-title")).to_have_text("Three questions")
    expect(ada.locator("#lobby-view")).to_be_visible()
