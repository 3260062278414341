"""Every question kind and math, as a student on a phone and a teacher at the back of
the room see them: answered by role and label, confirmed, revealed, photographed and
held to axe with no violation at all (moderate included).

Same rules as test_browser.py: Debian's chromium, the real server in its own process,
waits on page conditions only.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ServerProcess
from .test_browser import PROJECTOR, Classroom, join

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

MATH_QUIZ = {
    "title": "Math",
    "time_limit_default": 60,
    "close_when_all_answered": False,  # the test looks at the answered question before the reveal
    "questions": [
        {"text": "Solve $x^2 = 4$ for $x > 0$:",
         "options": ["$x = 2$", "$$\\frac{4}{2} + 1$$", "It costs $5 and $10",
                     "$\\href{javascript:alert(1)}{x}$ <b>bold</b>"],
         "correct": "A",
         "explanation": "Because $\\sqrt{4} = 2$."},
    ],
}


class KindsClassroom(Classroom):
    """A classroom whose stages allow no axe violation of any impact (``Classroom.stage``
    holds every page to that), nor a file the page's CSP refused or the server lacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.console_errors: list[str] = []

    def open(self, role: str, path: str, viewport: dict[str, int]) -> Page:
        page = super().open(role, path, viewport)
        # What a vendored file needs and the page's CSP refuses, or a file missing from static/.
        page.on("console", lambda message: self.console_errors.append(f"{role}: {message.text}")
                if "Content Security Policy" in message.text else None)
        page.on("response", lambda response: self.console_errors.append(
            f"{role}: {response.status} {response.url}")
            if "/static/" in response.url and response.status >= 400 else None)
        return page

    def stage(self, stage: str) -> None:
        super().stage(stage)
        assert self.console_errors == []


@pytest.fixture
def quiz(tmp_path: Path) -> dict[str, Any]:
    return MATH_QUIZ


@pytest.fixture
def quiz_path(tmp_path: Path, quiz: dict[str, Any]) -> Path:
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(quiz))
    (tmp_path / "picture.png").write_bytes(png(640, 360))
    return path


@pytest.fixture
def room(request: pytest.FixtureRequest, browser: Browser,
         server_process: ServerProcess, screenshots: Path) -> Iterator[KindsClassroom]:
    classroom = KindsClassroom(browser, server_process, screenshots, request.node.name)
    yield classroom
    for page in classroom.pages.values():
        page.context.close()


def student(room: KindsClassroom, student_id: str, name: str) -> Page:
    page = room.open(f"student-{student_id}", "/", PHONE)
    join(page, student_id, name)
    expect(page.get_by_role("heading", name="You're in!")).to_be_visible()
    return page


def teacher(room: KindsClassroom) -> Page:
    page = room.open("instructor", f"/instructor?key={room.server.instructor_key}",
                     {"width": 1366, "height": 768})
    expect(page.locator("#state-label")).to_have_text("lobby")
    return page


def option(page: Page, letter: str):  # noqa: ANN201 - a playwright Locator
    """The phone's button for option `letter`, found by its accessible name ("B 4")."""
    return page.get_by_role("button", name=re.compile(rf"^{letter}\b"))


def test_math_is_typeset_offline_on_every_page_and_never_runs_as_markup(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    screen = room.open("projector", "/projector", PROJECTOR)
    ada = student(room, "s1", "Ada")
    desk.get_by_role("button", name="Next").click()

    for page in (ada, screen, desk):
        question = page.get_by_role("heading", name="Solve").or_(page.locator("#current-text"))
        expect(question.locator(".katex")).to_have_count(2)
        # MathML for screen readers, drawn glyphs (aria-hidden) for eyes.
        expect(question.locator(".katex math annotation").first).to_have_text("x^2 = 4")
    display = option(ada, "B").locator(".math-display .katex-display")
    expect(display).to_have_count(1)
    expect(option(ada, "C")).to_have_accessible_name("C It costs $5 and $10")
    # A \href with trust off is an error in red, and the HTML stays text.
    expect(option(ada, "D").locator(".katex-error, .katex")).to_have_count(1)
    expect(option(ada, "D")).to_contain_text("<b>bold</b>")
    for page in room.pages.values():
        expect(page.locator("a[href^='javascript']")).to_have_count(0)
        expect(page.locator("b")).to_have_count(0)
    fonts = ada.evaluate("""async () => { await document.fonts.ready;
        return [...document.fonts].filter(f => f.family.includes('KaTeX') && f.status === 'loaded')
            .map(f => f.family); }""")
    assert "KaTeX_Main" in fonts and "KaTeX_Math" in fonts
    room.stage("1-question")

    option(ada, "A").click()
    expect(ada.get_by_role("status").filter(has_text="Answer received")).to_have_text(
        "✓ Answer received: A")
    desk.get_by_role("button", name="Close now").click()
    expect(ada.get_by_role("heading", name="✓ Correct!")).to_be_visible()
    expect(ada.locator("#reveal-explanation .katex")).to_have_count(1)
    expect(screen.locator("#reveal-explanation .katex")).to_have_count(1)
    expect(screen.locator("#reveal-answers .answer-bar-correct .katex")).to_have_count(1)
    room.stage("2-reveal")


def test_dollar_signs_split_into_text_and_math_as_a_teacher_means_them(
        room: KindsClassroom) -> None:
    ada = student(room, "s1", "Ada")
    cases = {
        "plain": [{"text": "plain"}],
        "$x$": [{"tex": "x", "display": False}],
        "a $x^2$ b": [{"text": "a "}, {"tex": "x^2", "display": False}, {"text": " b"}],
        "$$\\int f$$": [{"tex": "\\int f", "display": True}],
        "It costs $5 and $10": [{"text": "It costs $5 and $10"}],
        "\\$x\\$": [{"text": "$x$"}],
        "$ x $": [{"text": "$ x $"}],
        "$a\\$b$": [{"tex": "a\\$b", "display": False}],
        "$$": [{"text": "$$"}],
        "unclosed $x": [{"text": "unclosed $x"}],
    }
    split = ada.evaluate("cases => cases.map(splitMath)", list(cases))
    assert dict(zip(cases, split, strict=True)) == cases



def png(width: int, height: int) -> bytes:
    """A real PNG picture (a colour gradient) made without any imaging library."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, 90, y * 255 // height))
                                       for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


EVERY_KIND = {
    "title": "Every kind",
    "time_limit_default": 120,
    "close_when_all_answered": False,
    "questions": [
        {"kind": "choice", "text": "Which of these are prime?",
         "options": ["4", "6", "7", "9", "10", "11"], "correct": "CF",
         "explanation": "7 and 11 have no divisors but 1 and themselves."},
        {"kind": "truefalse", "text": "Water boils at 100 °C at sea level.", "correct": True},
        {"kind": "multi", "text": "Which of these are mammals?",
         "options": ["Whale", "Shark", "Bat", "Trout"], "correct": "AC", "scoring": "partial"},
        {"kind": "text", "text": "The capital of France?", "accept": ["Paris"]},
        {"kind": "number", "text": "How many degrees in a right angle?", "correct": 90,
         "tolerance": 2, "min": 0, "max": 120, "step": 1},
        {"kind": "number", "text": "$\\pi$ to two decimals?", "correct": 3.14,
         "tolerance": 0.005},
        {"kind": "order", "text": "Smallest first:", "items": ["Atom", "Cell", "Organ", "Body"]},
        {"kind": "poll", "text": "How was the pace today?",
         "options": ["Too slow", "Just right", "Too fast"]},
        {"kind": "slide", "text": "Five-minute break"},
    ],
}


def received(page: Page, words: str) -> None:
    expect(page.get_by_role("status").filter(has_text="Answer received")).to_have_text(
        f"✓ Answer received: {words}")


def verdict(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", name=text)).to_be_visible()


def answer_in_box(page: Page, typed: str) -> None:
    page.get_by_role("textbox", name="Your answer").fill(typed)
    page.get_by_role("button", name="Submit answer").click()


def put_in_order(page: Page, wanted: list[str]) -> None:
    """Sort the items with their Move up buttons from the keyboard, as a screen reader would."""
    for position, item in enumerate(wanted):
        shown = page.locator(".order-item .order-text").all_inner_texts()
        for _ in range(shown.index(item) - position):
            page.get_by_role("button", name=f"Move up: {item}").focus()
            page.keyboard.press("Enter")
    expect(page.locator(".order-item .order-text")).to_have_text(wanted)


@pytest.mark.parametrize("quiz", [EVERY_KIND], ids=["every-kind"])
def test_every_kind_is_answered_on_a_phone_and_revealed_on_the_big_screen(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    screen = room.open("projector", "/projector", PROJECTOR)
    expect(screen.locator("#progress")).to_have_text("8 questions")  # the slide is not one
    ada = student(room, "s1", "Ada")
    bob = student(room, "s2", "Bob")
    phones = (ada, bob)

    def ask(number: int, text: str) -> None:
        desk.get_by_role("button", name="Next").click()
        for phone in phones:
            expect(phone.get_by_role("heading", name=text)).to_be_visible()
            if number <= 8:  # the ninth is a slide
                expect(phone.locator("#question-number")).to_have_text(f"Question {number} of 8")
        expect(screen.locator("#question-text")).to_contain_text(text.split("$")[-1])

    def reveal(stage: str) -> None:
        room.stage(f"{stage}-answered")
        desk.get_by_role("button", name="Close now").click()
        expect(screen.locator("#reveal-view")).to_be_visible()

    # choice, two right letters: either right letter scores.
    ask(1, "Which of these are prime?")
    expect(option(ada, "F")).to_have_accessible_name("F 11")
    option(ada, "F").click()
    option(bob, "A").click()
    received(ada, "F")
    received(bob, "A")
    expect(option(bob, "C")).to_be_disabled()
    reveal("1-choice")
    verdict(ada, "✓ Correct!")
    verdict(bob, "✗ Not quite")
    expect(bob.locator("#reveal-correct")).to_have_text("The answer: C 7, F 11")
    expect(screen.locator(".answer-bar-correct")).to_have_count(2)
    expect(desk.locator("#current-histogram .answer-bar-correct")).to_have_count(2)
    room.stage("1-choice-reveal")

    ask(2, "Water boils at 100 °C at sea level.")
    ada.get_by_role("button", name="A True").click()
    bob.get_by_role("button", name="B False").click()
    received(ada, "True")
    received(bob, "False")
    reveal("2-truefalse")
    verdict(ada, "✓ Correct!")
    verdict(bob, "✗ Not quite")
    expect(screen.locator(".answer-bar-correct")).to_contain_text("True")
    room.stage("2-truefalse-reveal")

    ask(3, "Which of these are mammals?")
    ada.get_by_role("checkbox", name="A Whale").check()
    ada.get_by_role("checkbox", name="C Bat").check()
    bob.get_by_role("button", name="Submit answer").click()
    expect(bob.get_by_role("alert")).to_have_text("Tick at least one answer.")
    bob.get_by_role("checkbox", name="A Whale").check()
    for phone in phones:
        phone.get_by_role("button", name="Submit answer").click()
    received(ada, "A, C")
    received(bob, "A")
    expect(ada.get_by_role("checkbox", name="B Shark")).to_be_disabled()
    reveal("3-multi")
    verdict(ada, "✓ Correct!")
    verdict(bob, "◐ Partly right")  # one of the two right ticks
    expect(bob.locator("#reveal-yours")).to_have_text("Your answer: A")
    expect(screen.locator(".answer-bar-correct")).to_have_count(2)
    room.stage("3-multi-reveal")

    ask(4, "The capital of France?")
    answer_in_box(ada, "  paris ")
    answer_in_box(bob, "Lyon")
    received(ada, "“paris”")
    received(bob, "“Lyon”")
    expect(ada.get_by_role("textbox", name="Your answer")).not_to_be_editable()
    reveal("4-text")
    verdict(ada, "✓ Correct!")
    verdict(bob, "✗ Not quite")
    expect(bob.locator("#reveal-correct")).to_have_text("The answer: “Paris”")
    top = screen.locator(".top-answers li")
    expect(top).to_have_count(2)
    # Typed "  paris ", shown as the teacher accepted it.
    expect(screen.locator(".top-answers .answer-bar-correct")).to_contain_text("Paris")
    expect(screen.locator(".tally-summary")).to_have_text("✓ 1 right · ✗ 1 wrong · 0 no answer")
    room.stage("4-text-reveal")

    ask(5, "How many degrees in a right angle?")
    slider = ada.get_by_role("slider", name="Your answer")
    expect(slider).to_have_value("60")
    slider.fill("89")
    expect(ada.locator(".slider-value")).to_have_text("89")
    ada.get_by_role("button", name="Submit answer").click()
    bob.get_by_role("button", name="Less").click()
    bob.get_by_role("button", name="Less").click()
    bob.get_by_role("button", name="Submit answer").click()
    received(ada, "89")
    received(bob, "58")
    reveal("5-number-slider")
    verdict(ada, "✓ Correct!")
    verdict(bob, "✗ Not quite")
    expect(bob.locator("#reveal-correct")).to_have_text("The answer: 90 (± 2)")
    expect(screen.get_by_role("img", name="Answers given: 58 × 1, 89 × 1 (accepted)")) \
        .to_be_visible()
    room.stage("5-number-slider-reveal")

    ask(6, "to two decimals?")
    expect(ada.get_by_role("slider")).to_have_count(0)
    answer_in_box(bob, "three")
    expect(bob.get_by_role("alert")).to_have_text("Enter a number, for example 42 or 3.5.")
    answer_in_box(ada, "3,14")
    answer_in_box(bob, "3.2")
    received(ada, "3.14")
    received(bob, "3.2")
    reveal("6-number-field")
    verdict(ada, "✓ Correct!")
    verdict(bob, "✗ Not quite")
    room.stage("6-number-field-reveal")

    ask(7, "Smallest first:")
    right = ["Atom", "Cell", "Organ", "Body"]
    put_in_order(ada, right)
    ada.get_by_role("button", name="Submit this order").click()
    # Bob drags the last item to the top by its grip.
    shown = bob.locator(".order-item .order-text").all_inner_texts()
    grips = bob.locator(".order-grip")
    grips.last.hover()
    bob.mouse.down()
    top_box = grips.first.bounding_box()
    assert top_box is not None
    bob.mouse.move(top_box["x"] + 5, top_box["y"] - 10, steps=8)
    bob.mouse.up()
    dragged = [shown[-1], *shown[:-1]]
    expect(bob.locator(".order-item .order-text")).to_have_text(dragged)
    bob.get_by_role("button", name="Submit this order").click()
    expect(ada.get_by_role("status").filter(has_text="Answer received")).to_contain_text("→")
    expect(bob.get_by_role("status").filter(has_text="Answer received")).to_be_visible()
    reveal("7-order")
    verdict(ada, "✓ Correct!")
    verdict(bob, "✓ Correct!" if dragged == right else "✗ Not quite")
    expect(screen.locator(".order-solution-big li")).to_have_text(
        [re.compile(rf"{item}$") for item in right])
    expect(screen.locator(".tally-summary")).to_contain_text(
        f"{2 if dragged == right else 1} of 2 got the order right")
    room.stage("7-order-reveal")

    ask(8, "How was the pace today?")
    option(ada, "B").click()
    option(bob, "B").click()
    received(ada, "B")
    reveal("8-poll")
    for phone in phones:
        verdict(phone, "Thanks for voting")
        expect(phone.locator("#reveal-correct")).to_be_hidden()
    expect(screen.locator(".answer-bar-correct")).to_have_count(0)
    expect(screen.locator(".answer-bar").nth(1)).to_contain_text("Just right2")
    room.stage("8-poll-reveal")
    expect(desk.locator("#next-hint")).to_have_text("Next shows the slide.")

    ask(9, "Five-minute break")
    for phone in phones:
        expect(phone.get_by_text("Look at the screen.")).to_be_visible()
        expect(phone.get_by_role("button")).to_have_count(0)
    expect(screen.get_by_role("heading", name="Five-minute break")).to_be_visible()
    for page in (screen, *phones):  # a slide with no time limit of its own runs no clock
        expect(page.get_by_role("timer")).to_be_hidden()
    # A slide is not a question: the eight before it are "of 8", and it is a "Slide".
    numbers = [phone.locator("#question-number") for phone in phones]
    for shown in (screen.locator("#progress"), *numbers):
        expect(shown).to_have_text("Slide")
    room.stage("9-slide")
    desk.get_by_role("button", name="End quiz…").click()
    desk.locator("#confirm-yes").click()
    for phone in phones:  # "Answered X of Y": the eight questions, not the slide
        expect(phone.locator("#end-answered")).to_have_text("8 of 8")


FRACTIONS = {
    "title": "Fractions: $\\frac{1}{2}$ and friends",
    "time_limit_default": 60,
    "close_when_all_answered": False,
    "questions": [
        {"text": "What is $\\frac{1}{2} + \\frac{1}{4}$?",
         "options": ["$\\frac{3}{4}$", "$\\frac{2}{6}$", "$x^2$ when $x = 1$",
                     "$0.75$ or $\\frac{1}{2}$"],
         "correct": "A", "explanation": "Because $\\frac{1}{2} = \\frac{2}{4}$."},
    ],
}

# How large each piece of inline math in `selector` is against the text around it:
# its smallest glyph (exponents and indices aside: they are small in any book) over
# the text's size.
MATH_SIZE = """(selector) => Array.from(document.querySelectorAll(selector)).flatMap((box) => {
  const text = parseFloat(getComputedStyle(box).fontSize);
  return Array.from(box.querySelectorAll(".math .katex-html")).map((math) => {
    let least = Infinity;
    const walker = document.createTreeWalker(math, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const glyph = walker.currentNode.parentElement;
      if (/^[\\s\u200b]*$/.test(walker.currentNode.data) || glyph.closest(".msupsub")) continue;
      least = Math.min(least, parseFloat(getComputedStyle(glyph).fontSize));
    }
    return Math.round(100 * least / text) / 100;
  });
})"""


@pytest.mark.parametrize("quiz", [FRACTIONS], ids=["fractions"])
def test_inline_math_is_as_large_as_the_text_around_it_on_phones_and_the_projector(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    screen = room.open("projector", "/projector", PROJECTOR)
    ada = student(room, "s1", "Ada")
    desk.get_by_role("button", name="Next").click()
    expect(option(ada, "D").locator(".katex")).to_have_count(2)
    expect(screen.locator(".projector-option").nth(3).locator(".katex")).to_have_count(2)
    sizes = {"phone options": ada.evaluate(MATH_SIZE, ".answer-text"),
             "phone question": ada.evaluate(MATH_SIZE, "#question-text"),
             "projector options": screen.evaluate(MATH_SIZE, ".projector-option-text"),
             "projector question": screen.evaluate(MATH_SIZE, "#question-text")}
    assert all(sizes.values()), sizes
    assert {where: min(found) for where, found in sizes.items()} == {
        where: pytest.approx(1.0, abs=0.12) for where in sizes}
    room.stage("1-question")

    # The dashboard's runs and item analysis typeset it too: never a raw "$\frac{1}{2}$".
    desk.get_by_role("button", name="Close now").click()
    analysis = desk.get_by_role("region", name="Item analysis", exact=True)
    expect(analysis.get_by_role("rowheader")).to_have_count(1)
    expect(analysis.get_by_role("rowheader").locator(".katex")).to_have_count(1)
    runs = desk.get_by_role("region", name="Runs of this session", exact=True)
    expect(runs.locator("td .katex")).to_have_count(1)
    library = desk.locator(".library-table")
    expect(library.get_by_role("rowheader").locator(".katex")).to_have_count(1)
    for table in (analysis, runs, library):
        expect(table).not_to_contain_text("$")
    # Where no markup can go, the TeX without its dollar signs.
    expect(desk.locator("#open-question option").first).to_have_text(
        re.compile(r"^1\. What is \\frac\{1\}\{2\} \+"))
    room.stage("2-dashboard")
