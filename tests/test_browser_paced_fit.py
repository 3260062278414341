"""The big screen of a student-paced run fits its screen, as every stage of a live one
does (test_browser_projector_fit): the join code, how many finished, a bar per question
and the top 10, for a quiz of 16 questions and a class of 12 with the longest names, at
1920x1080 and 1366x768, measured the same way. It ran a third of a screen too tall: the
join heading off the top, the top 10 cut after its fifth row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import ServerProcess
from .test_browser_projector_fit import (
    NAMES,
    BigScreen,
    big_screen,  # noqa: F401 (the fixture, of this module's quiz_path)
    phones_answer,
    students_join,
)

pytestmark = pytest.mark.browser

HOMEWORK = {
    "title": "Homework: the periodic table, sixteen questions at your own pace",
    "pace": "student",
    "paced": {"standings": True},
    "questions": [{"text": f"Question {number}?", "options": ["Yes", "No"], "correct": "A"}
                  for number in range(1, 17)],
}


def first_answers(server: ServerProcess, cookies: list[str]) -> None:
    """Each student opens the quiz and answers its first question (half of them rightly),
    so the projector's top 10 has its places."""
    phones_answer(server, cookies, 0, ["AB"[number % 2] for number in range(len(cookies))])


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "homework.json"
    path.write_text(json.dumps(HOMEWORK))
    return path


def test_a_paced_runs_big_screen_fits_with_a_bar_per_question_and_the_top_10(
        server_process: ServerProcess, big_screen: BigScreen) -> None:  # noqa: F811
    page = big_screen.page
    first_answers(server_process, students_join(server_process))
    expect(page.locator("#joined-count")).to_have_text(str(len(NAMES)))
    expect(page.get_by_role("listitem").filter(has_text="Maximiliana")).to_be_visible()
    expect(page.locator("#paced-bars li")).to_have_count(16)
    big_screen.measure("paced")
    assert big_screen.problems == []
