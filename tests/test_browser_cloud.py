"""A word cloud as a class sees it: five phones type their words, the projector draws
them as they come in (bigger when more students gave them), the dashboard lists them;
and a full cloud, 60 words of 40 characters, fits the big screen open and revealed.

Same rules as test_browser.py: Debian's chromium, the real server in its own process,
waits on page conditions only; every stage passes axe with no violation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import trio
from playwright.sync_api import Page, expect

from .conftest import join
from .test_browser_kinds import KindsClassroom, student, teacher
from .test_browser_kinds import room as room  # noqa: F401 (the fixture)
from .test_browser_projector_fit import BigScreen, Teacher, phones_answer

pytestmark = pytest.mark.browser

CLOUD_QUIZ = {
    "title": "Cloud",
    "time_limit_default": 120,
    "close_when_all_answered": False,
    "questions": [{"kind": "cloud", "text": "One word for today's lesson?", "max_answers": 2}],
}
PROJECTOR_SIZES = ({"width": 1920, "height": 1080}, {"width": 1366, "height": 768})


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(CLOUD_QUIZ))
    return path


@pytest.fixture(params=PROJECTOR_SIZES, ids=["1080p", "768p"])
def screen_size(request: pytest.FixtureRequest) -> dict[str, int]:
    return request.param


def words(page: Page, *typed: str) -> None:
    for number, word in enumerate(typed, 1):
        page.get_by_role("textbox", name=f"Word {number}").fill(word)
    page.get_by_role("button", name="Submit answer").click()


def cloud_word(screen: Page, word: str) -> Any:  # noqa: ANN401 - a playwright Locator
    return screen.get_by_role("list", name="The class's words").get_by_role(
        "listitem").filter(has_text=re.compile(f"^{re.escape(word)}$"))


def test_five_phones_fill_the_projectors_word_cloud_as_they_answer(
        room: KindsClassroom, screen_size: dict[str, int]) -> None:
    desk = teacher(room)
    screen = room.open("projector", "/projector", screen_size)
    phones = [student(room, f"s{n}", name) for n, name in
              enumerate(["Ada", "Bob", "Cy", "Di", "Ed"], 1)]
    desk.get_by_role("button", name="Next").click()
    for phone in phones:
        expect(phone.get_by_role("heading", name="One word for today's lesson?")).to_be_visible()
    expect(screen.get_by_text("Type a word on your phone.")).to_be_visible()

    words(phones[0], "Fun", "hard")
    expect(cloud_word(screen, "Fun")).to_be_visible()  # live, with live answers off
    words(phones[1], "Fun")
    words(phones[2], "  FUN ", "Boring")
    words(phones[3], "Hard")
    words(phones[4], "Boring stuff")
    expect(screen.get_by_role("list", name="The class's words").get_by_role("listitem")
           ).to_have_count(4)
    fun, boring = cloud_word(screen, "Fun"), cloud_word(screen, "Boring stuff")
    expect(fun).to_have_text("Fun")  # three students, grouped, in the most given spelling
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    assert fun.evaluate(size) > boring.evaluate(size) >= 28 * screen_size["height"] / 1080
    # Measured in one go in the page: a live update may redraw the cloud between two
    # separate lookups, and a word measured after its redraw would be detached.
    boxes = screen.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll("ul.word-cloud > li")].map((word) =>
            [word.textContent, word.getBoundingClientRect().toJSON()]))""")
    assert sorted(boxes) == ["Boring", "Boring stuff", "Fun", "Hard"]
    for box in boxes.values():
        assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
        assert box["x"] + box["width"] <= screen_size["width"]
        assert box["y"] + box["height"] <= screen_size["height"]
    expect(desk.locator("#current-histogram")).to_contain_text("Boring stuff")
    room.stage("answered")

    desk.get_by_role("button", name="Hide “Boring stuff” from the big screen").click()
    expect(cloud_word(screen, "Boring stuff")).to_have_count(0, timeout=2000)  # at once
    expect(cloud_word(screen, "Fun")).to_be_visible()
    expect(desk.get_by_role("button", name="Show “Boring stuff” on the big screen again")
           ).to_be_visible()
    expect(desk.locator("#current-histogram")).to_contain_text("hidden from the big screen")
    room.stage("hidden")

    desk.get_by_role("button", name="Close now").click()
    expect(phones[0].get_by_role("heading", name="Thanks for voting")).to_be_visible()
    expect(phones[0].locator("#reveal-yours")).to_have_text("Your vote: “Fun”, “hard”")
    expect(cloud_word(screen, "Fun")).to_be_visible()
    expect(cloud_word(screen, "Boring stuff")).to_have_count(0)
    room.stage("revealed")


# The longest entries a phone takes, one per student: the first given by six, the other 60
# once each, so the projector has more than its 60 words to show.
FULL_CLOUD = ["Photosynthesis turns light into sugar 00"] * 6 + [
    f"Photosynthesis turns light into sugar {n:02d}" for n in range(1, 61)]
assert {len(entry) for entry in FULL_CLOUD} == {40}


def test_sixty_words_of_forty_characters_fit_the_big_screen_open_and_revealed(
        room: KindsClassroom) -> None:
    """At 1920x1080 and 1366x768 nothing is off the screen or hidden by an overflow and no
    text is under 28 px at 1080: a long word is cut by an ellipsis, the whole of it in its
    title, rather than the cloud running off the screen."""
    server = room.server
    screen = BigScreen(room.open("projector", "/projector", PROJECTOR_SIZES[0]), room.screenshots)
    desk = Teacher(server)

    async def all_join() -> list[str]:
        return [await join(server, f"s{n}", f"S{n}") for n in range(len(FULL_CLOUD))]
    cookies = trio.run(all_join)
    desk.command({"type": "open_question", "question_idx": 0}, state="question_open")

    phones_answer(server, cookies, 0, list(FULL_CLOUD), within_s=60)
    page = screen.page
    expect(page.locator("#question-answered")).to_have_text(
        f"Answered {len(FULL_CLOUD)} of {len(FULL_CLOUD)}")
    expect(page.locator("#question-board ul.word-cloud > li")).to_have_count(60)
    screen.measure("full-cloud-open")
    desk.command({"type": "close_question"}, state="question_closed")
    expect(page.locator("#reveal-view")).to_be_visible()
    words = page.locator("#reveal-answers ul.word-cloud > li")
    expect(words).to_have_count(60)
    screen.measure("full-cloud-revealed")
    assert not screen.problems, "\n".join(screen.problems[:20])
    assert words.evaluate_all("all => all.every((w) => w.title === w.textContent)")
