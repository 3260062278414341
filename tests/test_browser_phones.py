"""Buttons-only phones in real browsers: the projector shows the question, the phones
only its big lettered buttons; a button's answer scores; with the projector closed, a
slide shows on the phones again.

Same rules as test_browser.py: Debian's chromium, the real server in its own process,
waits on page conditions only; every stage passes axe with no violation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_browser import PROJECTOR
from .test_browser_kinds import KindsClassroom, option, png, student, teacher
from .test_browser_kinds import room as room  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

SMALL_PROJECTOR = {"width": 1366, "height": 768}
BUTTONS_ONLY = {
    "title": "Eyes on the screen", "score_fn": "binary", "time_limit_default": 60,
    "close_when_all_answered": False, "phones": "buttons",
    "questions": [
        {"text": "Which city is the capital of France?", "image": "picture.png",
         "options": ["Paris", "Rome", "Oslo", "Bern"], "correct": "A"},
        {"kind": "slide", "text": "A map to look at", "image": "picture.png"},
    ],
}


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(BUTTONS_ONLY))
    (tmp_path / "picture.png").write_bytes(png(640, 360))
    return path


def test_buttons_only_phones_answer_by_letter_while_the_projector_shows_the_question(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    screen = room.open("projector", "/projector", PROJECTOR)
    ada, bob = student(room, "s1", "Ada"), student(room, "s2", "Bob")
    desk.get_by_role("button", name="Next").click()
    question = "Which city is the capital of France?"
    expect(screen.get_by_role("heading", name=question)).to_be_visible()
    expect(screen.get_by_text("Paris")).to_be_visible()
    expect(screen.locator("#question-image")).to_be_visible()
    for phone in (ada, bob):
        expect(phone.get_by_role("heading", name="The question is on the big screen.")) \
            .to_be_visible()
        expect(option(phone, "D")).to_be_visible()
        expect(phone.get_by_role("button")).to_have_count(4)
        expect(option(phone, "A")).to_have_accessible_name("A")  # a letter, no option text
        expect(phone.get_by_text(question)).to_have_count(0)
        expect(phone.get_by_text("Paris")).to_have_count(0)
        expect(phone.locator("#question-image")).to_be_hidden()
        box = option(phone, "A").bounding_box()
        assert box is not None and box["height"] >= 120 and box["width"] >= 150  # big
    room.stage("buttons")
    screen.set_viewport_size(SMALL_PROJECTOR)
    screen.screenshot(path=room.screenshots / f"{room.name}-buttons-projector-1366.png")
    screen.set_viewport_size(PROJECTOR)
    option(ada, "A").click()
    option(bob, "B").click()
    expect(ada.get_by_role("status").filter(has_text="Answer received: A")).to_be_visible()
    desk.get_by_role("button", name="Close now").click()
    expect(ada.get_by_role("heading", name="✓ Correct!")).to_be_visible()
    expect(bob.get_by_role("heading", name="✗ Not quite")).to_be_visible()
    expect(ada.locator("#reveal-total")).to_have_text("1.00")
    expect(bob.locator("#reveal-total")).to_have_text("0.00")
    expect(screen.locator("#reveal-view")).to_be_visible()
    room.stage("buttons-reveal")
    # The projector closes: a slide shows on the phones, its picture too.
    screen.context.close()
    del room.pages["projector"]
    desk.get_by_role("button", name="Next").click()
    for phone in (ada, bob):
        expect(phone.get_by_role("heading", name="A map to look at")).to_be_visible()
        expect(phone.locator("#question-image")).to_be_visible()
    room.stage("no-projector-slide")
