"""Commands that cannot be fumbled, in a real browser against the real server (issue 21, 10-13).

The rules of test_browser.py hold here: Debian's chromium, the server in its own
process on a port the OS picked, every wait on a page condition, never a sleep.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .test_browser import (  # noqa: F401 (fixtures)
    PHONE_390,
    Classroom,
    browser,
    screenshots,
)
from .test_browser import classroom as classroom  # the fixture

pytestmark = pytest.mark.browser

HELD = "Next just moved on: another press within a second is ignored."


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
    teacher = classroom.instructor()
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
