"""The final podium as every podium stands, ties included, in a real browser.

A class plays a short quiz over the real HTTP and websocket endpoints (one point a
right answer) to a chosen set of scores; the projector, a real chromium page, is
then measured at 1920x1080 and at 1366x768 with test_browser_projector_fit's
measurer: the winners in the middle on the tallest step, each other place further
out the lower it is, nothing cut off or overlapping, and the top 10 beside it
wide enough for short names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio
from playwright.sync_api import expect

from .conftest import ServerProcess, join
from .test_browser_projector_fit import (
    FULL_HD,
    LAPTOP_PROJECTOR,
    BigScreen,
    Teacher,
    big_screen,  # noqa: F401 (the fixture, of this module's quiz_path)
    phones_answer,
)

pytestmark = pytest.mark.browser

QUESTIONS = 3
QUIZ = {
    "title": "Monday check-in",
    "score_fn": "binary",
    "time_limit_default": 300,
    "close_when_all_answered": False,
    "questions": [{"text": f"Question {n}?", "options": ["Right", "Wrong"], "correct": "A"}
                  for n in range(1, QUESTIONS + 1)],
}

# Three tied for second leave third place empty: the walk-through's class.
TIED_SECOND = {"Ada Lovelace": 3, "Bo Babbage": 2, "Dee Dijkstra": 2, "Finn Floyd": 2,
               "Éva Núñez": 1, "Cy Cerf": 0}
PLAIN = {"Ada Lovelace": 3, "Bo Babbage": 2, "Cy Cerf": 1}
FIVE_FIRST = {"Ada Lovelace": 2, "Bo Babbage": 2, "Cy Cerf": 2, "Dee Dijkstra": 2,
              "Éva Núñez": 2}

# Each podium place as drawn: its rank and the box of its step, left to right.
STEPS = """() => Array.from(document.querySelectorAll("#podium .podium-step"), (step) => {
  const box = step.getBoundingClientRect();
  const place = ["first", "second", "third"]
    .findIndex((p) => step.classList.contains(`podium-step-${p}`));
  return { rank: place + 1, left: box.left, right: box.right, top: box.top };
}).sort((a, b) => a.left - b.left)"""

# Pairs of podium places, and the podium and the list, that overlap.
OVERLAPS = """() => {
  const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
    && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const boxes = Array.from(document.querySelectorAll("#podium .podium-place, #final-top10"),
    (node) => [node.id || node.textContent.trim(), node.getBoundingClientRect()]);
  const found = [];
  boxes.forEach(([name, box], i) => boxes.slice(i + 1).forEach(([other, otherBox]) => {
    if (meets(box, otherBox)) found.push(`${name} / ${other}`);
  }));
  const podium = document.getElementById("podium").getBoundingClientRect();
  const list = document.getElementById("final-top10").getBoundingClientRect();
  if (meets(podium, list)) found.push("#podium / #final-top10");
  return found;
}"""

# The names of the top 10 cut short: wider than their box.
CUT_NAMES = """() => Array.from(document.querySelectorAll("#final-top10 .leader-name"))
  .filter((name) => name.scrollWidth > name.clientWidth)
  .map((name) => `${name.textContent}: ${name.scrollWidth} in ${name.clientWidth}`)"""


def play(server: ServerProcess, scores: dict[str, int]) -> None:
    """Everyone joins; question n is answered right by those who score at least n."""
    teacher = Teacher(server)

    async def join_all() -> list[str]:
        return [await join(server, f"s{i + 1}", name) for i, name in enumerate(scores)]
    cookies = trio.run(join_all)

    for idx in range(QUESTIONS):
        teacher.command({"type": "open_question", "question_idx": idx}, state="question_open")
        phones_answer(server, cookies, idx,
                      ["A" if score > idx else "B" for score in scores.values()])
        teacher.command({"type": "close_question"}, state="question_closed")
    teacher.command({"type": "end_session"}, state="finished")


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "monday.json"
    path.write_text(json.dumps(QUIZ))
    return path


@pytest.mark.parametrize(("stage", "scores", "ranks"), [
    ("tied-second", TIED_SECOND, [1, 2, 2, 2]),
    ("plain", PLAIN, [1, 2, 3]),
    ("five-first", FIVE_FIRST, [1, 1, 1, 1, 1]),
])
def test_the_winners_stand_in_the_middle_and_each_place_further_out(
        server_process: ServerProcess, big_screen: BigScreen, stage: str,  # noqa: F811
        scores: dict[str, int], ranks: list[int]) -> None:
    screen, page = big_screen, big_screen.page
    play(server_process, scores)
    expect(page.locator("#final-view")).to_be_visible()
    expect(page.locator("#podium .podium-place")).to_have_count(len(ranks))
    screen.measure(f"podium-{stage}")  # both sizes: nothing cut off, nothing off the screen
    for viewport in (FULL_HD, LAPTOP_PROJECTOR):
        page.set_viewport_size(viewport)
        screen.settled()
        size = f"{viewport['width']}x{viewport['height']}"
        steps = page.evaluate(STEPS)
        assert sorted(step["rank"] for step in steps) == ranks, size
        podium = page.locator("#podium").bounding_box()
        assert podium is not None
        winners = [step for step in steps if step["rank"] == 1]
        middle = (winners[0]["left"] + winners[-1]["right"]) / 2
        assert abs(middle - (podium["x"] + podium["width"] / 2)) <= 3, (size, steps)
        first = steps.index(winners[0])
        assert all(step["rank"] == 1 for step in steps[first:first + len(winners)]), steps
        # Outward from the winners, each place is the same or lower, and stands no higher.
        for side in (steps[first + len(winners):], steps[:first][::-1]):
            assert [step["rank"] for step in side] == sorted(step["rank"] for step in side), \
                (size, steps)
            tops = [winners[0]["top"], *(step["top"] for step in side)]
            assert tops == sorted(tops), (size, steps)
        assert page.evaluate(OVERLAPS) == [], size
        assert page.evaluate(CUT_NAMES) == [], size
    assert not screen.problems, "\n".join(screen.problems)
