"""Buttons-only phones in real browsers: the projector shows the question, the phones
only its big lettered buttons; a button's answer scores; with the projector closed, a
slide shows on the phones again.

Same rules as test_browser.py: Debian's chromium, the real server in its own process,
waits on page conditions only; every stage passes axe with no violation.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

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
        {"kind": "multi", "text": "Which are primes?", "options": ["2", "4", "5", "9", "11", "12"],
         "correct": "ACE"},
        {"kind": "truefalse", "text": "Water boils at 100 °C at sea level", "correct": True},
        {"kind": "slide", "text": "A map to look at", "image": "picture.png"},
    ],
}


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(BUTTONS_ONLY))
    (tmp_path / "picture.png").write_bytes(png(640, 360))
    return path


def projector_address(room: KindsClassroom, desk: Page) -> str:
    """The projector address the dashboard shows for a second computer (folded away),
    as a path on this server: it pairs the projector that opens it."""
    desk.get_by_text("Projector on another computer").click()
    address = desk.locator("#projector-address")
    expect(address).to_contain_text("/projector?pair=")
    desk.screenshot(path=room.screenshots / f"{room.name}-dashboard-projector-address.png")
    parts = urlsplit(address.inner_text())
    desk.get_by_text("Projector on another computer").click()  # folded again
    return f"{parts.path}?{parts.query}"


def test_buttons_only_phones_answer_by_letter_while_the_projector_shows_the_question(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    screen = room.open("projector", projector_address(room, desk), PROJECTOR)
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
    # Six ticks and true/false: big buttons side by side, inside the phone's width, and the
    # page's own True and False whole on their buttons.
    for stage, buttons in (("multi", 6), ("truefalse", 2)):
        desk.get_by_role("button", name="Next").click()
        if stage == "truefalse":
            desk.get_by_role("button", name="Next").click()
        expect(ada.locator("#question-view .answer-button")).to_have_count(buttons)
        expect(ada.get_by_text("Which are primes?")).to_have_count(0)
        area = ada.locator("#answer-area").bounding_box()
        for box in [b.bounding_box() for b in ada.locator(".answer-button").all()]:
            assert box is not None and area is not None
            assert box["x"] + box["width"] <= area["x"] + area["width"] + 0.5, stage
            assert box["height"] >= 120 and box["width"] >= 150, stage
        room.stage(f"buttons-{stage}")
    true_word = ada.locator(".answer-text", has_text="True")
    expect(true_word).to_have_text("True")
    word, letter = true_word.bounding_box(), ada.locator(".option-letter").first.bounding_box()
    assert word is not None and letter is not None and word["height"] <= letter["height"]
    desk.get_by_role("button", name="Close now").click()
    expect(screen.locator("#reveal-view")).to_be_visible()
    # The projector closes: a slide shows on the phones, its picture too.
    screen.context.close()
    del room.pages["projector"]
    desk.get_by_role("button", name="Next").click()
    for phone in (ada, bob):
        expect(phone.get_by_role("heading", name="A map to look at")).to_be_visible()
        expect(phone.locator("#question-image")).to_be_visible()
    room.stage("no-projector-slide")
