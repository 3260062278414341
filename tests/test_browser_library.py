"""The quiz library and the editor in a real browser, on the dashboard at 1366x768.

Found by role and label as a teacher would; every stage is screenshotted and
held to axe (no violation at all, moderate included).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from trivia_trio.core.quiz import quiz_from_dict

from .conftest import INSTRUCTOR_KEY, Axe, ServerProcess
from .test_browser import BIG_PHONE, PHONE_390, answer, join
from .test_browser_i18n import words

pytestmark = pytest.mark.browser
DASHBOARD = {"width": 1366, "height": 768}
expect.set_options(timeout=10_000)


@pytest.fixture
def empty_library(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server started with no quiz file: the demo runs and the library is empty."""
    proc = ServerProcess(tmp_path / "data", None)
    proc.start()
    yield proc
    if proc.process and proc.process.poll() is None:
        proc.stop()


class Desk:
    """The teacher's browser: one context (cookies and localStorage shared by its tabs)."""

    def __init__(self, chromium: Browser, server: ServerProcess, shots: Path, name: str):
        self.server = server
        self.shots = shots
        self.name = name
        self.context: BrowserContext = chromium.new_context(viewport=DASHBOARD)
        self.errors: list[str] = []
        self.axe = Axe()

    def page(self, path: str = f"/instructor?key={INSTRUCTOR_KEY}") -> Page:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(self.server.url + path)
        return page

    def check(self, page: Page, stage: str, docs_name: str | None = None,
              within: str | None = None) -> None:
        """Screenshot, axe with every impact (on ``within``, else the whole page), no
        sideways scrolling, no script error."""
        shot = self.shots / f"{self.name}-{stage}.png"
        page.screenshot(path=shot, full_page=True)
        if docs_name:  # the README's picture, beside the others: a test never writes docs/
            (page.locator(within) if within else page).screenshot(path=self.shots / docs_name)
        violations = self.axe.run(page, within).response["violations"]
        found = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
                 for v in violations]
        assert found == [], stage
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), stage
        assert self.errors == []


@pytest.fixture
def desk(request: pytest.FixtureRequest, browser: Browser,
         empty_library: ServerProcess, screenshots: Path) -> Iterator[Desk]:
    found = Desk(browser, empty_library, screenshots, request.node.name)
    yield found
    found.context.close()


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour, so the screenshots show a picture, not a broken icon."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def add_picture(editor: Page, path: Path) -> None:
    editor.get_by_label(re.compile("a picture")).set_input_files(path)
    expect(editor.get_by_role("img", name="The question's picture")).to_be_visible()


def wait_saved(editor: Page) -> None:
    expect(editor.get_by_role("status").filter(has_text=re.compile("^Saved"))).to_be_visible()


def new_quiz(dashboard: Page) -> Page:
    dashboard.get_by_role("button", name="New quiz").click()
    dashboard.wait_for_url(re.compile(r"/instructor/editor\?quiz=\d+"))
    expect(dashboard.get_by_role("heading", name="Quiz editor")).to_be_visible()
    return dashboard


def write_choice(editor: Page, text: str, options: list[str], right: str) -> None:
    editor.get_by_role("button", name="Add a question").click()
    editor.get_by_label("Question text").fill(text)
    for i, option in enumerate(options):
        letter = "ABCDEF"[i]
        if i >= 2:
            editor.get_by_role("button", name="Add option").click()
        editor.get_by_label(f"Option {letter}", exact=True).fill(option)
    editor.get_by_label(f"{right} is right").check()


def library_row(dashboard: Page, title: str) -> Locator:
    return dashboard.get_by_role("region", name="Quizzes in the library").get_by_role(
        "row", name=re.compile(re.escape(title)))


def library_json(page: Page, quiz_id: str) -> dict[str, object]:
    origin = re.match(r"https?://[^/]+", page.url).group(0)  # type: ignore[union-attr]
    reply = page.request.get(f"{origin}/api/instructor/library/{quiz_id}")
    assert reply.ok
    return reply.json()


def test_write_a_quiz_from_an_empty_library_and_run_it_with_two_phones(
        desk: Desk, browser: Browser) -> None:
    dashboard = desk.page()
    expect(dashboard.get_by_text("The library is empty")).to_be_visible()
    editor = new_quiz(dashboard)
    quiz_id = editor.url.rsplit("=", 1)[1]
    editor.get_by_label("Title").fill("Planets")
    write_choice(editor, "Largest planet?", ["Mars", "Jupiter", "Venus"], "B")
    wait_saved(editor)
    write_choice(editor, "Closest to the sun?", ["Mercury", "Earth"], "A")
    wait_saved(editor)
    expect(editor.get_by_text("No problems: this quiz is ready to run.")).to_be_visible()
    desk.check(editor, "editor", "editor.png")
    kept = library_json(editor, quiz_id)
    assert kept["problems"] == []
    assert kept["quiz"]["questions"][0]["options"] == ["Mars", "Jupiter", "Venus"]

    editor.get_by_role("link", name="Back to the dashboard").click()
    expect(library_row(dashboard, "Planets")).to_contain_text("not run yet")
    desk.check(dashboard, "library", "library.png", within=".panel-library")
    dashboard.get_by_role("button", name="Run Planets").click()
    expect(dashboard.locator("#quiz-title")).to_have_text("Planets")
    # The runs table says at once which quiz the run holds now (it said the demo's
    # title, "0 of 10", until a question closed).
    current = dashboard.get_by_role("region", name="Runs of this session").get_by_role(
        "row", name=re.compile(r"\(current\)"))
    expect(current).to_contain_text("Planets")
    expect(current).to_contain_text("0 of 2")
    ready = dashboard.get_by_text("Ready to run “Planets”: press Next to start.")
    expect(ready).to_be_visible()

    phones = []
    for student_id, name in (("s1", "Ada"), ("s2", "Bo")):
        phone = browser.new_context(viewport=BIG_PHONE).new_page()
        phone.goto(desk.server.url + "/")
        join(phone, student_id, name)
        phones.append(phone)
    next_button = dashboard.get_by_role("button", name="Next")
    state = dashboard.locator("#state-label")
    for number, answers in ((1, ("B", "A")), (2, ("A", "A"))):
        next_button.click()
        expect(state).to_have_text("question open")
        expect(ready).to_have_count(0)  # it has started: "press Next to start" is over
        for phone, letter in zip(phones, answers, strict=True):
            expect(phone.get_by_text(f"Question {number} of 2")).to_be_visible()
            answer(phone, letter)
        expect(dashboard.locator("#current-answered")).to_contain_text("2")
        expect(state).to_have_text("answer revealed")  # everyone answered: it closed itself
    next_button.click()
    expect(state).to_have_text("finished")
    expect(phones[0].get_by_role("heading", name="Quiz over — thanks for playing!")).to_be_visible()
    dashboard.reload()
    expect(library_row(dashboard, "Planets")).to_contain_text("2 students")
    for phone in phones:
        phone.context.close()

    # Edit the quiz after its run: the run's gradebook does not change.
    origin = desk.server.url
    [run] = [r for r in dashboard.request.get(f"{origin}/api/instructor/runs").json()["runs"]
             if r["title"] == "Planets"]
    gradebook = f"{origin}/api/instructor/gradebook.csv?run={run['run_id']}"
    before = dashboard.request.get(gradebook).body()
    assert b"Ada" in before and b"Largest planet?" in before
    library_row(dashboard, "Planets").get_by_role("link", name="Edit Planets").click()
    dashboard.get_by_role("button", name=re.compile("Largest planet")).click()
    dashboard.get_by_label("Question text").fill("Which planet is the largest?")
    wait_saved(dashboard)
    assert dashboard.request.get(gradebook).body() == before


def test_the_editor_takes_no_typing_before_the_quiz_has_loaded(desk: Desk) -> None:
    """Typing into a field the load then fills would be lost: the title typed before the
    quiz arrived came back as "Untitled quiz". The fields wait for the load."""
    dashboard = desk.page()
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    dashboard.route("**/api/projector", hold)  # the editor's load waits on it
    with dashboard.expect_request(lambda request: "/api/projector" in request.url):
        editor = new_quiz(dashboard)
    expect(editor.get_by_role("status").filter(has_text="Loading")).to_be_visible()
    for name in ("Title", "Scoring", "Default time (seconds)"):
        expect(editor.get_by_label(name, exact=True)).to_be_disabled()
    for name in ("Add a question", "Run this quiz"):
        expect(editor.get_by_role("button", name=name)).to_be_disabled()
    for route in held:
        route.continue_()
    editor.unroute("**/api/projector")
    editor.get_by_label("Title").fill("Planets")
    wait_saved(editor)
    quiz_id = editor.url.rsplit("=", 1)[1]
    expect(editor.get_by_label("Title")).to_have_value("Planets")
    assert library_json(editor, quiz_id)["quiz"]["title"] == "Planets"


def test_a_closed_tab_keeps_what_was_typed(desk: Desk) -> None:
    editor = new_quiz(desk.page())
    quiz_id = editor.url.rsplit("=", 1)[1]
    write_choice(editor, "Kept?", ["yes", "no"], "A")
    wait_saved(editor)
    editor.get_by_label("Question text").fill("Kept even when the tab closes at once?")
    editor.close()  # no time for the one-second autosave

    again = desk.page(f"/instructor/editor?quiz={quiz_id}")
    expect(again.get_by_label("Question text")).to_have_value(
        "Kept even when the tab closes at once?")
    wait_saved(again)
    kept = library_json(again, quiz_id)
    assert kept["quiz"]["questions"][0]["text"] == "Kept even when the tab closes at once?"


def test_problems_show_as_the_teacher_types_in_the_words_of_check(desk: Desk) -> None:
    editor = new_quiz(desk.page())
    editor.get_by_role("button", name="Add a question").click()
    editor.get_by_label("Question text").fill("Which?")
    editor.get_by_label("Option A", exact=True).fill("one")
    problems = editor.get_by_role("list", name="Problems to fix before this quiz can run")
    expect(problems).to_be_visible()
    expect(editor.locator("#question-problems")).not_to_be_empty()
    desk.check(editor, "problems")
    # A draft cannot be exported: the dashboard says why, and saves no file.
    wait_saved(editor)
    editor.get_by_role("link", name="Back to the dashboard").click()
    editor.get_by_role("link", name="Export Untitled quiz as JSON").click()
    refusal = editor.get_by_role("status").filter(has_text="was not exported")
    expect(refusal.get_by_role("listitem").first).to_be_visible()
    editor.go_back()
    editor.get_by_label("Option B", exact=True).fill("two")
    editor.get_by_label("A is right").check()
    expect(editor.get_by_text("No problems: this quiz is ready to run.")).to_be_visible()


def test_write_reorder_delete_and_undo_by_keyboard_only(desk: Desk) -> None:
    page = desk.page()
    tab_to(page, "New quiz")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/instructor/editor\?quiz=\d+"))
    for text in ("First", "Second"):
        tab_to(page, "Add a question")
        page.keyboard.press("Enter")
        expect(page.get_by_label("Question text")).to_be_focused()
        page.keyboard.type(text)
        for option in ("yes", "no"):
            page.keyboard.press("Tab")  # to the picture picker, then on to the options
            while page.evaluate("document.activeElement.type") != "text":
                page.keyboard.press("Tab")
            page.keyboard.type(option)
            page.keyboard.press("Tab")
            if option == "yes":
                page.keyboard.press("Space")  # "A is right"
    wait_saved(page)
    expect(page.get_by_text("No problems: this quiz is ready to run.")).to_be_visible()
    picks = page.locator(".question-pick-text")
    expect(picks).to_have_text(["1. First", "2. Second"])

    tab_to(page, "2. Second")
    page.keyboard.press("Alt+ArrowUp")
    expect(picks).to_have_text(["1. Second", "2. First"])
    tab_to(page, "Delete question 1")
    page.keyboard.press("Enter")
    expect(picks).to_have_text(["1. First"])
    expect(page.get_by_role("button", name="Undo delete")).to_be_focused()
    page.keyboard.press("Enter")
    expect(picks).to_have_text(["1. Second", "2. First"])
    tab_to(page, "Duplicate question 2")
    page.keyboard.press("Enter")
    expect(picks).to_have_text(["1. Second", "2. First", "3. First"])
    wait_saved(page)
    desk.check(page, "keyboard")


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused control is called ``name``, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')"
                                " || document.activeElement.textContent")
        if focused.strip().startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_export_a_bundle_delete_and_import_it_again_finds_it_equal(
        desk: Desk, tmp_path: Path) -> None:
    dashboard = desk.page()
    editor = new_quiz(dashboard)
    quiz_id = editor.url.rsplit("=", 1)[1]
    editor.get_by_label("Title").fill("Round trip")
    write_choice(editor, "Kept equal?", ["yes", "no", "maybe"], "C")
    picture = tmp_path / "picture.png"
    picture.write_bytes(png(64, 48, (179, 38, 30)))
    add_picture(editor, picture)
    wait_saved(editor)
    before = library_json(editor, quiz_id)["quiz"]
    editor.get_by_role("link", name="Back to the dashboard").click()

    with dashboard.expect_download() as download:
        dashboard.get_by_role("link", name="Export Round trip as .zip with pictures").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    # GIFT holds no picture: the file comes, and the dashboard says what it left out.
    with dashboard.expect_download() as gift:
        dashboard.get_by_role("link", name="Export Round trip as GIFT").click()
    assert gift.value.suggested_filename == "Round-trip.gift.txt"
    left_out = dashboard.get_by_role("status").filter(has_text="which has no place for")
    expect(left_out.get_by_role("listitem")).to_contain_text(["question 1: its picture"])
    desk.check(dashboard, "gift-left-out")

    dashboard.get_by_role("button", name="Delete Round trip").click()
    dashboard.get_by_role("button", name="Delete quiz").click()
    expect(dashboard.get_by_text("The library is empty")).to_be_visible()
    expect(dashboard.get_by_role("button", name="Undo deleting Round trip")).to_be_focused()

    dashboard.get_by_label(re.compile("Import a quiz file")).set_input_files(exported)
    expect(dashboard.get_by_role("status").filter(has_text="Imported")).to_contain_text(
        "Imported “Round trip” (1 question).")
    row = library_row(dashboard, "Round trip")
    expect(row).to_be_visible()
    new_id = row.get_by_role("link", name="Edit Round trip").get_attribute("href").rsplit("=")[1]
    after = library_json(dashboard, new_id)["quiz"]
    assert quiz_from_dict(after) == quiz_from_dict(before)
    assert exported.suffix == ".zip"
    assert after["questions"][0]["image"] == before["questions"][0]["image"]


def test_write_one_question_of_every_kind(desk: Desk) -> None:
    editor = new_quiz(desk.page())
    quiz_id = editor.url.rsplit("=", 1)[1]
    editor.get_by_label("Title").fill("Every kind")

    def add(kind: str, text: str) -> None:
        editor.get_by_role("button", name="Add a question").click()
        editor.get_by_label("Kind").select_option(label=kind)
        editor.get_by_label("Question text").fill(text)

    def fill_rows(name: str, values: list[str], add_name: str) -> None:
        for i, value in enumerate(values):
            field = editor.get_by_label(f"{name} {i + 1}", exact=True)
            if not field.count():
                editor.get_by_role("button", name=add_name).click()
            field.fill(value)

    write_choice(editor, "Largest planet?", ["Mars", "Jupiter", "Venus", "Earth", "Pluto"], "B")
    add("True or false", "The sun is a star.")
    editor.get_by_label("True", exact=True).check()
    add("Multiple select (tick all that apply)", "Which are prime?")
    for letter, option in zip("ABC", ["2", "4", "5"], strict=True):
        if letter == "C":
            editor.get_by_role("button", name="Add option").click()
        editor.get_by_label(f"Option {letter}", exact=True).fill(option)
    editor.get_by_label("A is right").check()
    editor.get_by_label("C is right").check()
    editor.get_by_label("How ticks score").select_option(label="Partial credit")
    add("Typed answer", "Capital of France?")
    fill_rows("Accepted answer", ["Paris", "Paname"], "Add accepted answer")
    add("Number", "Value of $\\pi$ to two places?")
    editor.get_by_label("Right number").fill("3.14")
    editor.get_by_label("Tolerance (±)").fill("0.01")
    editor.get_by_label("Slider minimum").fill("0")
    editor.get_by_label("Slider maximum").fill("10")
    add("Put in order", "Smallest to largest")
    fill_rows("Item", ["Moon", "Earth", "Sun"], "Add item")
    add("Poll (no right answer)", "Favourite planet?")
    editor.get_by_label("Option A", exact=True).fill("Saturn")
    editor.get_by_label("Option B", exact=True).fill("Neptune")
    add("Slide (nothing to answer)", "Now, the outer planets.")
    picture = desk.shots / "outer-planets.png"
    picture.write_bytes(png(320, 180, (29, 78, 216)))
    add_picture(editor, picture)
    wait_saved(editor)
    expect(editor.get_by_text("No problems: this quiz is ready to run.")).to_be_visible()
    desk.check(editor, "every-kind")

    kept = library_json(editor, quiz_id)
    quiz = quiz_from_dict(kept["quiz"])
    assert [q.kind.name for q in quiz.questions] == [  # type: ignore[attr-defined]
        "choice", "truefalse", "multi", "text", "number", "order", "poll", "slide"]
    assert kept["quiz"]["questions"][2] == {
        "text": "Which are prime?", "kind": "multi", "options": ["2", "4", "5"],
        "correct": "AC", "scoring": "partial"}
    assert kept["quiz"]["questions"][4]["correct"] == 3.14
    image = kept["quiz"]["questions"][7]["image"]
    assert re.fullmatch(r"[0-9a-f]{64}\.png", image)
    assert editor.request.get(desk.server.url + "/media/" + image).body() == picture.read_bytes()


def test_the_editor_sets_the_language_the_projector_speaks_for_the_quiz(desk: Desk) -> None:
    editor = new_quiz(desk.page())
    quiz_id = editor.url.rsplit("=", 1)[1]
    editor.get_by_label("Title").fill("Planeten")
    write_choice(editor, "Größter Planet?", ["Mars", "Jupiter"], "B")
    editor.get_by_label("Language on the projector").select_option(label="Deutsch")
    wait_saved(editor)
    assert library_json(editor, quiz_id)["quiz"]["language"] == "de"

    editor.get_by_role("link", name="Back to the dashboard").click()
    editor.get_by_role("button", name="Run Planeten").click()
    expect(editor.locator("#quiz-title")).to_have_text("Planeten")
    screen = desk.page("/projector")
    german_heading = words("de", "projector.join.heading")
    expect(screen.get_by_role("heading", name=german_heading)).to_be_visible()
    assert screen.evaluate("document.documentElement.lang") == "de"

    editor.goto(f"{desk.server.url}/instructor/editor?quiz={quiz_id}")
    expect(editor.get_by_label("Language on the projector")).to_have_value("de")
    editor.get_by_label("Language on the projector").select_option(value="")
    wait_saved(editor)
    assert "language" not in library_json(editor, quiz_id)["quiz"]


def test_the_editors_projector_preview_is_the_projector_scaled_into_its_box(
        desk: Desk) -> None:
    from .test_browser_projector_fit import LONG_OPTIONS, MEASURE

    editor = new_quiz(desk.page())
    write_choice(editor, "Which part of a cell makes most of the energy it spends?",
                 LONG_OPTIONS[:4], "A")
    editor.get_by_label("Explanation (shown at the reveal)").fill(
        "Mitochondria make most of the ATP a cell spends: about 90% of it.")
    box = editor.locator("#projector-preview-box")
    screen = editor.frame_locator("#projector-preview-frame")
    bars = screen.locator("#reveal-answers .answer-bar")
    expect(bars).to_have_count(4)
    expect(bars.nth(3)).to_contain_text(LONG_OPTIONS[3])
    expect(screen.locator("#reveal-explanation")).to_contain_text("about 90% of it")
    expect(screen.locator("#quiz-title")).to_have_text("Untitled quiz")

    # The whole 1920x1080 screen, scaled into the 16:9 box: C and D are inside it.
    outer = box.bounding_box()
    frame = editor.locator("#projector-preview-frame").bounding_box()
    assert outer and frame
    assert abs(frame["width"] - outer["width"]) < 5 and abs(frame["height"] - outer["height"]) < 5
    for bar in bars.all():
        inner = bar.bounding_box()
        assert inner and inner["x"] >= outer["x"] and inner["y"] >= outer["y"], inner
        assert inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1, inner
        assert inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1, inner
    projector = next(f for f in editor.frames if "/projector?preview" in f.url)
    assert projector.evaluate(MEASURE) == []

    # Typing shows at once; the preview never joins the room as a projector would.
    editor.get_by_label("Option D", exact=True).fill("The nucleus")
    expect(bars.nth(3)).to_contain_text("The nucleus")
    expect(screen.locator("#reveal-view")).to_be_visible()
    desk.check(editor, "projector-preview")


def test_the_projector_preview_numbers_questions_as_the_projector_does(desk: Desk) -> None:
    """A slide is not a question: the projector says "Question 1 of 1" of the choice after
    a slide (views.question_number), and so must its preview, which said "2 of 2"."""
    editor = new_quiz(desk.page())
    editor.get_by_role("button", name="Add a question").click()
    editor.get_by_label("Kind").select_option(label="Slide (nothing to answer)")
    editor.get_by_label("Question text").fill("Welcome back")
    screen = editor.frame_locator("#projector-preview-frame")
    expect(screen.get_by_text("Slide", exact=True)).to_be_visible()
    write_choice(editor, "Largest planet?", ["Mars", "Jupiter"], "B")
    expect(screen.get_by_text("Largest planet?")).to_be_visible()
    expect(screen.get_by_text("Question 1 of 1", exact=True)).to_be_visible()
    desk.check(editor, "preview-numbers")


# Each select of the editor and the widest text of its options, in the select's own font;
# a closed select shows its choice between its padding and its arrow.
SELECT_WIDTHS = """() => Array.from(document.querySelectorAll('main select'), (select) => {
    const style = getComputedStyle(select);
    const pen = document.createElement('canvas').getContext('2d');
    pen.font = style.font;
    const widest = Math.max(...Array.from(select.options, (o) => pen.measureText(o.text).width));
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    return [document.querySelector(`label[for="${select.id}"]`).textContent, widest, room];
})"""
ARROW = 24  # px: the arrow of a closed select, beside its text


def test_every_choice_of_the_editors_menus_shows_whole_at_1366(desk: Desk) -> None:
    """The editor on the dashboard's laptop screen: whatever a menu is set to shows whole
    (the Leaderboard menu said "Not set: places with every revea")."""
    editor = new_quiz(desk.page())
    editor.get_by_role("button", name="Add a question").click()
    expect(editor.get_by_label("Points", exact=True)).to_be_visible()
    cut = [(label, round(widest), round(room)) for label, widest, room
           in editor.evaluate(SELECT_WIDTHS) if widest + ARROW > room]
    assert cut == []
    desk.check(editor, "menus")


def test_the_editor_sets_what_the_phones_show(desk: Desk, browser: Browser) -> None:
    editor = new_quiz(desk.page())
    quiz_id = editor.url.rsplit("=", 1)[1]
    editor.get_by_label("Title").fill("Eyes up")
    write_choice(editor, "Largest planet?", ["Mars", "Jupiter"], "B")
    phone = editor.locator(".preview-phone")
    expect(phone.get_by_text("Largest planet?")).to_be_visible()
    expect(phone.get_by_role("button")).to_have_count(2)
    expect(phone.get_by_role("button").nth(1)).to_contain_text("Jupiter")
    editor.get_by_label("Phones show").select_option(label="Only the answer buttons")
    wait_saved(editor)
    assert library_json(editor, quiz_id)["quiz"]["phones"] == "buttons"
    # The phone preview shows what a phone will: the note and the lettered buttons only.
    expect(editor.get_by_text("(buttons only)")).to_be_visible()
    expect(phone.get_by_text("The question is on the big screen.")).to_be_visible()
    expect(phone.get_by_text("Largest planet?")).to_have_count(0)
    expect(phone.get_by_role("button")).to_have_count(2)
    expect(phone.get_by_text("Jupiter")).to_have_count(0)
    expect(phone.get_by_role("button").nth(1)).to_have_accessible_name("B")
    desk.check(editor, "phones-buttons")
    phone.screenshot(path=desk.shots / f"{desk.name}-preview-phone.png")
    # A kind the buttons cannot answer is shown whole, as a phone is sent it.
    editor.get_by_role("button", name="Add a question").click()
    editor.get_by_label("Kind").select_option(label="Typed answer")
    editor.get_by_label("Question text").fill("Name a gas giant")
    editor.get_by_role("textbox", name="Accepted answer 1").fill("Saturn")
    expect(phone.get_by_text("Name a gas giant")).to_be_visible()
    expect(editor.get_by_text("(buttons only)")).to_have_count(0)
    wait_saved(editor)
    editor.reload()
    expect(editor.get_by_label("Phones show")).to_have_value("buttons")
    editor.get_by_label("Phones show").select_option(label="The question and its options")
    wait_saved(editor)
    assert "phones" not in library_json(editor, quiz_id)["quiz"]
    editor.get_by_label("Phones show").select_option(label="Only the answer buttons")
    wait_saved(editor)

    # Run it: with the room's projector open, a real phone shows what the preview showed.
    editor.get_by_role("link", name="Back to the dashboard").click()
    editor.get_by_role("button", name="Run Eyes up").click()
    expect(editor.locator("#quiz-title")).to_have_text("Eyes up")
    screen = desk.page("/projector")  # the teacher's own browser: the room's projector
    expect(screen.locator("#lobby-view")).to_be_visible()
    student = browser.new_context(viewport=PHONE_390).new_page()
    student.goto(desk.server.url + "/")
    join(student, "s1", "Ada")
    editor.get_by_role("button", name="Next").click()
    expect(student.get_by_role("heading", name="The question is on the big screen.")) \
        .to_be_visible()
    expect(student.locator("#answer-buttons").get_by_role("button")).to_have_count(2)
    expect(student.get_by_text("Largest planet?")).to_have_count(0)
    student.screenshot(path=desk.shots / f"{desk.name}-phone-390.png")
    student.context.close()


def test_the_editor_sets_when_the_class_sees_the_leaderboard_and_keeps_it(desk: Desk) -> None:
    editor = new_quiz(desk.page())
    quiz_id = editor.url.rsplit("=", 1)[1]
    write_choice(editor, "Largest planet?", ["Mars", "Jupiter"], "B")
    stop = editor.get_by_label("Show the leaderboard between questions")
    expect(stop).to_be_visible()  # no mode set: the checkbox decides the stop
    editor.get_by_label("Leaderboard", exact=True).select_option(label="At the end only")
    expect(stop).to_be_hidden()
    wait_saved(editor)
    assert library_json(editor, quiz_id)["quiz"]["leaderboard"] == "end"
    desk.check(editor, "leaderboard-end")
    editor.reload()
    expect(editor.get_by_label("Leaderboard", exact=True)).to_have_value("end")
    editor.get_by_label("Title").fill("Planets")  # another edit keeps the setting
    wait_saved(editor)
    assert library_json(editor, quiz_id)["quiz"]["leaderboard"] == "end"
    editor.get_by_label("Leaderboard", exact=True).select_option(value="")
    wait_saved(editor)
    assert "leaderboard" not in library_json(editor, quiz_id)["quiz"]


def test_the_editor_sets_a_questions_points_and_a_word_clouds_words_per_student(
        desk: Desk) -> None:
    editor = new_quiz(desk.page())
    quiz_id = editor.url.rsplit("=", 1)[1]
    write_choice(editor, "Largest planet?", ["Mars", "Jupiter"], "B")
    points = editor.get_by_label("Points", exact=True)
    expect(points).to_have_value("1")  # standard unless chosen
    points.select_option(label="2 (double points)")
    editor.get_by_role("button", name="Add a question").click()
    editor.get_by_label("Kind").select_option(label="Word cloud (not scored)")
    editor.get_by_label("Question text").fill("One word for the planets?")
    editor.get_by_label("Words per student (1 to 3; empty: 1)").fill("3")
    editor.get_by_label("Points", exact=True).select_option(label="0 (warm-up: not counted)")
    wait_saved(editor)
    expect(editor.get_by_text("No problems: this quiz is ready to run.")).to_be_visible()
    desk.check(editor, "points-and-cloud")
    questions = library_json(editor, quiz_id)["quiz"]["questions"]  # type: ignore[index]
    assert questions[0]["points"] == 2
    assert questions[1] == {"text": "One word for the planets?", "kind": "cloud",
                            "max_answers": 3, "points": 0}
    editor.reload()
    editor.get_by_role("button", name=re.compile("Largest planet")).click()
    expect(editor.get_by_label("Points", exact=True)).to_have_value("2")
