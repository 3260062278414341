"""The pages in the browser's language: German, Japanese and Arabic (right to left).

Each browser context gets a locale, as a phone set to that language would;
the texts expected are read from the catalogs, so the test checks that the
page shows the catalog's words (and never a raw key), with <html lang> and
dir set, and nothing wider than its box on a 390x844 phone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from trivia_trio.core.kinds import catalog_words

from .conftest import Axe, ServerProcess

pytestmark = pytest.mark.browser

CATALOGS = Path(__file__).resolve().parents[1] / "static" / "i18n"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
# browser locale → (catalog, <html lang>, dir)
LOCALES = {
    "en-US": ("en", "ltr"),
    "de-DE": ("de", "ltr"),
    "ja-JP": ("ja", "ltr"),
    "ar": ("ar", "rtl"),
}
# What must fit its box on the phone: the page's containers and every line of text in them.
CONTAINERS = ("header, main, section:not([hidden]), form, h1, h2, h3, p, label, button, "
              "dl, dd, dt, li")

expect.set_options(timeout=10_000)


def words(language: str, key: str, **params: object) -> str:
    """A catalog text, {placeholders} filled (keys with plural forms are not asked for here)."""
    text = (json.loads((CATALOGS / f"{language}.json").read_text(encoding="utf-8"))
            | catalog_words(language))[key]
    assert isinstance(text, str), key
    return re.sub(r"\{(\w+)\}", lambda found: str(params[found.group(1)]), text)


def heading(page: Page, language: str, key: str) -> Locator:
    return page.get_by_role("heading", name=words(language, key))


class Pages:
    """Browser contexts of one test, each with its own locale, closed at the end."""

    def __init__(self, chromium: Browser, server: ServerProcess, folder: Path, name: str):
        self.browser = chromium
        self.server = server
        self.screenshots = folder
        self.name = name
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []
        self.axe = Axe()

    def open(self, path: str, locale: str, viewport: dict[str, int]) -> Page:
        context = self.browser.new_context(locale=locale, viewport=viewport)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{path}: {error}"))
        page.goto(self.server.url + path)
        return page

    def check(self, page: Page, stage: str, language: str, direction: str) -> None:
        """Screenshot; hold the page to its language, to axe, and to no overflowing text."""
        page.screenshot(path=self.screenshots / f"{self.name}-{stage}.png", full_page=True)
        assert page.evaluate("document.documentElement.lang") == language
        assert page.evaluate("document.documentElement.dir") == direction
        assert page.evaluate("i18n.missing") == [], "keys missing from the catalog"
        overflowing = page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector))
                .filter((node) => node.offsetParent !== null
                                  && node.scrollWidth > node.clientWidth + 1)
                .map((node) => node.tagName + "#" + node.id + "." + node.className)""",
            CONTAINERS)
        assert overflowing == [], f"{stage}: text wider than its box"
        violations = self.axe.run(page).response["violations"]
        assert [f"{v['id']} ({v['impact']})" for v in violations] == [], stage
        assert self.errors == []


@pytest.fixture
def pages(request: pytest.FixtureRequest, browser: Browser,
          server_process: ServerProcess, screenshots: Path) -> Iterator[Pages]:
    opened = Pages(browser, server_process, screenshots, request.node.name)
    yield opened
    for context in opened.contexts:
        context.close()


@pytest.mark.parametrize("locale", list(LOCALES))
def test_a_student_and_the_projector_in_the_browsers_language(pages: Pages, locale: str) -> None:
    language, direction = LOCALES[locale]
    teacher = pages.open(f"/instructor?key={pages.server.instructor_key}", "en-US", LAPTOP)
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    screen = pages.open("/projector", locale, PROJECTOR)
    expect(heading(screen, language, "projector.join.heading")).to_be_visible()
    student = pages.open("/", locale, PHONE)

    expect(heading(student, language, "student.join.heading")).to_be_visible()
    assert student.title() == words(language, "app.name")
    pages.check(student, "1-join", language, direction)
    pages.check(screen, "1-projector-lobby", language, direction)
    student.get_by_label(words(language, "student.join.student_id")).fill("s1")
    student.get_by_label(words(language, "student.join.name")).fill("Ada Lovelace-Byron")
    student.get_by_role("button", name=words(language, "student.join.button")).click()
    expect(heading(student, language, "student.lobby.heading")).to_be_visible()
    expect(student.locator("#who-am-i")).to_have_text(
        words(language, "student.playing_as", name="Ada Lovelace-Byron", student_id="s1"))
    pages.check(student, "2-lobby", language, direction)

    teacher.get_by_role("button", name="Next").click()
    expect(student.locator("#question-text")).to_have_text("2 + 2?")
    expect(student.locator("#question-number")).to_have_text(
        words(language, "question.number_of", number=1, total=3))
    expect(screen.locator("#progress")).to_have_text(
        words(language, "question.number_of", number=1, total=3))
    expect(screen.locator("#question-countdown-unit")).to_have_text(
        words(language, "countdown.unit_long"))
    pages.check(student, "3-question", language, direction)
    pages.check(screen, "3-projector-question", language, direction)

    student.get_by_role("button", name=re.compile(r"^B\b")).click()
    expect(student.locator("#answer-status")).to_have_text(
        words(language, "student.answer.received", letter="B"))
    teacher.get_by_role("button", name="Close now").click()
    expect(student.locator("#reveal-verdict")).to_have_text(
        words(language, "student.verdict.right"))
    expect(student.locator("#reveal-correct")).to_contain_text(
        words(language, "student.reveal.answer_label"))
    expect(screen.locator("#reveal-answers .answer-bar-correct .answer-bar-mark")).to_have_text(
        words(language, "chart.correct_mark"))
    expect(screen.locator("#reveal-times .chart-title")).to_have_text(
        words(language, "chart.response_times"))
    expect(heading(screen, language, "leaderboard.top10")).to_be_visible()
    # A range reads from its low end in every direction: "0–5", never "5–0".
    expect(screen.locator("#reveal-times .column-chart-label").first).to_have_css(
        "direction", "ltr")
    pages.check(student, "4-reveal", language, direction)
    pages.check(screen, "4-projector-reveal", language, direction)


def test_the_students_picker_switches_the_language_and_is_remembered(pages: Pages) -> None:
    student = pages.open("/", "en-US", PHONE)
    expect(student.get_by_role("heading", name="Join the quiz")).to_be_visible()
    student.get_by_label("Language").select_option(label="العربية")
    expect(heading(student, "ar", "student.join.heading")).to_be_visible()
    assert student.evaluate("document.documentElement.dir") == "rtl"
    student.reload()
    expect(heading(student, "ar", "student.join.heading")).to_be_visible()
    expect(student.get_by_label(words("ar", "language.label"))).to_have_value("ar")


def test_a_phone_language_the_quiz_lacks_gets_the_closest_one_or_english(pages: Pages) -> None:
    brazil = pages.open("/", "pt-PT", PHONE)
    expect(heading(brazil, "pt-BR", "student.join.heading")).to_be_visible()
    assert brazil.evaluate("document.documentElement.lang") == "pt-BR"
    unknown = pages.open("/", "sw-KE", PHONE)
    expect(unknown.get_by_role("heading", name="Join the quiz")).to_be_visible()
    assert unknown.evaluate("document.documentElement.lang") == "en"


def test_the_teacher_picks_the_projectors_language_on_the_dashboard(pages: Pages) -> None:
    teacher = pages.open(f"/instructor?key={pages.server.instructor_key}", "en-US", LAPTOP)
    expect(teacher.locator("#state-label")).to_have_text("lobby")
    screen = pages.open("/projector", "en-US", PROJECTOR)
    expect(heading(screen, "en", "projector.join.heading")).to_be_visible()

    teacher.get_by_label("Projector language").select_option(label="日本語")
    expect(heading(screen, "ja", "projector.join.heading")).to_be_visible()
    assert screen.evaluate("document.documentElement.lang") == "ja"
    teacher.get_by_role("button", name="Next").click()
    expect(screen.locator("#progress")).to_have_text(
        words("ja", "question.number_of", number=1, total=3))
    pages.check(screen, "projector-in-japanese", "ja", "ltr")

    teacher.get_by_label("Projector language").select_option(label="Automatic")
    expect(screen.locator("#progress")).to_have_text("Question 1 of 3")
    assert screen.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
def test_the_dashboard_follows_the_teachers_browser(pages: Pages, locale: str) -> None:
    language, direction = LOCALES[locale]
    teacher = pages.open(f"/instructor?key={pages.server.instructor_key}", locale, LAPTOP)
    expect(heading(teacher, language, "dashboard.controls.heading")).to_be_visible()
    expect(teacher.get_by_role("button", name=words(language, "dashboard.controls.next"))) \
        .to_be_visible()
    expect(teacher.locator("#next-hint")).to_have_text(
        words(language, "dashboard.hint.opens", number=1, total=3))
    expect(heading(teacher, language, "library.heading")).to_be_visible()
    pages.check(teacher, "dashboard", language, direction)
