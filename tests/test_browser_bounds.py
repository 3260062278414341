"""Bounds in a real browser: a file too large is refused saying its limit, a picture too
large is refused before it is sent, and no quiz can crash a phone's tab.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from trivia_trio.core.math_text import math_depth, math_pieces

from . import picture_headers as headers
from .conftest import INSTRUCTOR_KEY, ServerProcess
from .test_browser import answer, join
from .test_browser_library import (  # noqa: F401 (fixtures)
    Desk,
    desk,
    empty_library,
    new_quiz,
    png,
)
from .test_math_bounds import DEPTH_CASES, ROOTS_150
from .test_picture_bounds import BOMB

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def test_a_quiz_file_over_2_mb_is_refused_saying_the_limit(desk: Desk,  # noqa: F811
                                                           tmp_path: Path) -> None:
    dashboard = desk.page()
    big = tmp_path / "big.csv"
    big.write_bytes(b"question,correct\n" + b"What?,A\n" * (20 * 2**20 // 8))
    dashboard.get_by_label(re.compile("Import a quiz file")).set_input_files(big)
    refused = dashboard.get_by_role("status").filter(has_text="was not imported")
    expect(refused).to_contain_text("That file is too large: it can be at most 2 MB.")
    desk.check(dashboard, "too-large")


def test_the_editor_says_a_picture_is_too_large_before_sending_it_and_refuses_a_bomb(
        desk: Desk, tmp_path: Path) -> None:  # noqa: F811
    editor = new_quiz(desk.page())
    editor.get_by_role("button", name="Add a question").click()
    sent: list[str] = []
    editor.on("request", lambda r: sent.append(r.url) if r.url.endswith("/media") else None)
    big = tmp_path / "big.png"
    big.write_bytes(headers.png(64, 64) + b"\x00" * (6 * 2**20 - 64))
    editor.get_by_label(re.compile("a picture")).set_input_files(big)
    status = editor.locator("#picture-status")
    expect(status).to_have_text("This picture is 6.0 MB; pictures can be at most 5 MB")
    assert sent == []
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(BOMB)
    editor.get_by_label(re.compile("a picture")).set_input_files(bomb)
    expect(status).to_have_text("the picture you added is 20,000 × 20,000 pixels; at most"
                                " 16,384 pixels a side and 40 megapixels")
    expect(editor.get_by_role("img", name="The question's picture")).to_have_count(0)
    desk.check(editor, "picture-refused")


@pytest.fixture
def pictured(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server running a quiz whose picture was swapped on disk, after it was kept, for one
    declaring 20,000 x 20,000 pixels (as one kept before the bounds were checked)."""
    (tmp_path / "cell.png").write_bytes(png(64, 48, (20, 90, 160)))
    quiz = tmp_path / "pictured.json"
    quiz.write_text(json.dumps({"title": "Pictures", "questions": [
        {"text": "What is in the picture?", "options": ["A cell", "A star"], "correct": "A",
         "image": "cell.png"}]}))
    proc = ServerProcess(tmp_path / "data", quiz)
    proc.start()
    (kept,) = (tmp_path / "data" / "media").iterdir()
    kept.write_bytes(BOMB)
    yield proc
    if proc.process and proc.process.poll() is None:
        proc.stop()


def test_a_phone_survives_a_question_whose_picture_is_a_bomb(
        browser: Browser, pictured: ServerProcess, screenshots: Path) -> None:
    crashed: list[str] = []
    teacher = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    teacher.goto(f"{pictured.url}/instructor?key={INSTRUCTOR_KEY}")
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.on("crash", lambda _: crashed.append("phone"))
    phone.goto(pictured.url + "/")
    join(phone, "s1", "Sam")
    expect(phone.locator("#lobby-view")).to_be_visible()
    teacher.get_by_role("button", name="Next").click()
    expect(phone.get_by_role("heading", name="What is in the picture?")).to_be_visible()
    picture = phone.locator("#question-image")
    expect(picture).to_have_attribute("src", re.compile("^/media/"))
    # Not wait_for_function: its polling evaluates a string, which the page's CSP forbids.
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("img => img.naturalWidth") == 0  # refused: never decoded
    answer(phone, "A")
    phone.screenshot(path=screenshots / "phone-picture-bomb.png", full_page=True)
    assert crashed == []
    for page in (teacher, phone):
        page.context.close()


# ---- 7. math nested too deep is shown as text, never typeset ---------------------------------
def test_the_pages_measure_math_as_check_does(desk: Desk) -> None:  # noqa: F811
    page = desk.page("/")
    rng = random.Random(7)
    alphabet = ["{", "}", "[", "]", "\\sqrt", "\\sqrt[", "\\left(", "\\right)", "\\begin",
                "\\end", "\\def", "\\{", "\\\\", "$", "$$", " ", "x", "\\", "5", "\n"]
    texts = [tex for tex, _ in DEPTH_CASES] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))) for _ in range(300)]
    found = page.evaluate(
        "texts => texts.map(t => [mathDepth(t), splitMath(t).filter(p => p.tex !== undefined)"
        ".map(p => p.tex)])", texts)
    for text, (depth, pieces) in zip(texts, found, strict=True):
        assert (depth, pieces) == (-1 if math_depth(text) is None else math_depth(text),
                                   math_pieces(text)), text


@pytest.fixture
def deep_math_run(tmp_path: Path, quiz_path: Path) -> Iterator[ServerProcess]:
    """A server resuming a run whose quiz was kept before math was bounded: question 1 is
    150 nested roots, 1 KB that killed the tab of every page showing it."""
    proc = ServerProcess(tmp_path / "data", quiz_path)
    proc.start()
    proc.stop()
    database = sqlite3.connect(tmp_path / "data" / "trivia_trio.sqlite3")
    with database:
        (quiz_json,) = database.execute("SELECT quiz_json FROM runs").fetchone()
        quiz = json.loads(quiz_json)
        quiz["questions"][0]["text"] = f"Deep {ROOTS_150} and fine $\\frac{{1}}{{2}}$"
        quiz["questions"][0]["options"][1] = ROOTS_150
        database.execute("UPDATE runs SET quiz_json = ?", (json.dumps(quiz),))
    database.close()
    proc.quiz = None
    proc.start()
    yield proc
    if proc.process and proc.process.poll() is None:
        proc.stop()


def test_every_page_survives_deep_math_shown_as_text(
        browser: Browser, deep_math_run: ServerProcess, screenshots: Path) -> None:  # noqa: F811
    crashed: list[str] = []

    def open_page(role: str, path: str, viewport: dict[str, int]) -> Page:
        page = browser.new_context(viewport=viewport).new_page()
        page.on("crash", lambda _: crashed.append(role))
        page.goto(deep_math_run.url + path)
        return page

    teacher = open_page("dashboard", f"/instructor?key={INSTRUCTOR_KEY}",
                        {"width": 1366, "height": 768})
    screen = open_page("projector", "/projector", {"width": 1920, "height": 1080})
    phone = open_page("phone", "/", {"width": 390, "height": 844})
    join(phone, "s1", "Sam")
    expect(phone.locator("#lobby-view")).to_be_visible()
    teacher.get_by_role("button", name="Next").click()
    for role, page, where in (("phone", phone, "#question-text"),
                              ("projector", screen, "#question-text"),
                              ("dashboard", teacher, "#current-text")):
        text = page.locator(where)
        expect(text).to_contain_text("\\sqrt{\\sqrt{")  # the source, as text
        expect(text.locator(".katex")).to_have_count(1)  # the fine fraction is typeset
        page.screenshot(path=screenshots / f"deep-math-{role}.png", full_page=True)
    answer(phone, "A")
    assert crashed == []
    for page in (teacher, screen, phone):
        page.context.close()


def test_the_editor_opens_a_quiz_with_deep_math(desk: Desk) -> None:  # noqa: F811
    dashboard = desk.page()
    quiz = {"title": "Roots", "questions": [
        {"text": f"Deep {ROOTS_150}", "options": ["1", "2"], "correct": "A"}]}
    origin = re.match(r"https?://[^/]+", dashboard.url).group(0)  # type: ignore[union-attr]
    saved = dashboard.request.post(f"{origin}/api/instructor/library", data={"quiz": quiz},
                                   headers={"Origin": origin})
    assert saved.ok, saved.text()
    crashed: list[str] = []
    dashboard.on("crash", lambda _: crashed.append("editor"))
    dashboard.goto(f"{origin}/instructor/editor?quiz={saved.json()['quiz_id']}")
    expect(dashboard.get_by_role("heading", name="Quiz editor")).to_be_visible()
    expect(dashboard.locator("#question-text")).to_contain_text("\\sqrt{\\sqrt{")
    beside = dashboard.get_by_role("region", name="Question", exact=True)
    expect(beside.get_by_role("listitem")).to_contain_text(["has math nested 150 levels deep"])
    assert crashed == []
    desk.check(dashboard, "deep-math")
