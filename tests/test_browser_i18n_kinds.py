"""The question kinds in the phone's language: their hints, buttons, problems and
tallies are the catalog's words and numbers are written the language's way.

Same rules as test_browser_i18n: contexts with a locale, texts read from the
catalogs, nothing wider than its box on a 390x844 phone, axe on every stage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_browser_i18n import (  # noqa: F401 (fixtures)
    LAPTOP,
    LOCALES,
    PHONE,
    PROJECTOR,
    Pages,
    pages,
    words,
)

pytestmark = pytest.mark.browser

KINDS_QUIZ = {
    "title": "Kinds",
    "time_limit_default": 60,
    "close_when_all_answered": False,
    "questions": [
        {"kind": "number", "text": "2 × 4?", "correct": 8, "tolerance": 0.5},
        {"kind": "multi", "text": "Mammals?", "options": ["Whale", "Shark", "Bat"],
         "correct": "AC"},
    ],
}
# The decimal mark as Chromium's Intl writes it (its Arabic keeps Western digits and a point).
DECIMAL_MARK = {"de": ",", "ar": "."}


def written(language: str, number: str) -> str:
    return number.replace(".", DECIMAL_MARK[language])


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "kinds.json"
    path.write_text(json.dumps(KINDS_QUIZ), encoding="utf-8")
    return path


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
def test_a_number_and_a_multiple_select_question_in_the_phones_language(
        pages: Pages, locale: str) -> None:  # noqa: F811
    language, direction = LOCALES[locale]
    teacher = pages.open(f"/instructor?key={pages.server.instructor_key}", "en-US", LAPTOP)
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    screen = pages.open("/projector", locale, PROJECTOR)
    phone = pages.open("/", locale, PHONE)
    phone.get_by_label(words(language, "student.join.student_id")).fill("s1")
    phone.get_by_label(words(language, "student.join.name")).fill("Ada")
    phone.get_by_role("button", name=words(language, "student.join.button")).click()
    lobby = words(language, "student.lobby.heading")
    expect(phone.get_by_role("heading", name=lobby)).to_be_visible()

    next_button = teacher.get_by_role("button", name="Next")
    next_button.click()
    expect(screen.locator(".projector-hint")).to_have_text(words(language, "kind.number.board"))
    submit = phone.get_by_role("button", name=words(language, "kind.submit_answer"))
    submit.click()
    expect(phone.get_by_role("alert")).to_have_text(words(
        language, "kind.number.invalid", whole=42, decimal=written(language, "3.5")))
    pages.check(phone, "number-problem", language, direction)
    # By role: the hidden end-of-quiz review ("Deine Antworten") also carries a label.
    phone.get_by_role("textbox", name=words(language, "kind.your_answer"), exact=True).fill("8")
    submit.click()
    expect(phone.locator("#answer-status")).to_have_text(
        words(language, "student.answer.received", letter="8"))
    next_button.click()  # the reveal
    range_words = words(language, "kind.number.range", low=written(language, "7.5"),
                        high=written(language, "8.5"))
    expect(screen.locator(".tally-accepted")).to_have_text(
        words(language, "kind.accepted", answers=range_words))
    expect(screen.locator(".tally-right")).to_have_text(
        words(language, "kind.tally.right", count=1))
    pages.check(screen, "number-reveal", language, direction)

    next_button.click()
    expect(screen.locator(".projector-hint")).to_have_text(words(language, "kind.multi.board"))
    expect(phone.locator("legend")).to_have_text(words(language, "kind.multi.hint"))
    submit = phone.get_by_role("button", name=words(language, "kind.submit_answer"))
    submit.click()
    expect(phone.get_by_role("alert")).to_have_text(words(language, "kind.multi.none_ticked"))
    phone.get_by_role("checkbox", name="A Whale").check()
    phone.get_by_role("checkbox", name="C Bat").check()
    pages.check(phone, "multi", language, direction)
    submit.click()
    expect(phone.locator("#answer-status")).to_have_text(
        words(language, "student.answer.received", letter="A, C"))
    next_button.click()
    expect(phone.locator("#reveal-verdict")).to_have_text(words(language, "student.verdict.right"))
    pages.check(phone, "multi-reveal", language, direction)
