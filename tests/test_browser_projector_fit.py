"""The big screen fits its screen: every stage of the projector, at 1920x1080 and at
1366x768, for the questions that crowd it most, measured box by box.

A class of 13 plays through a real server (joins and answers over the real HTTP
and websocket endpoints, driven from here); the projector is a real chromium page.
At each stage the page is measured at both sizes: nothing outside the viewport,
nothing overflowing its box, nothing hidden by an ancestor's overflow, no
scrolling, and no text under 28 px at 1080 (the same share of the height at 768).
Every stage is photographed at both sizes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import trio
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from .conftest import ServerProcess, connect, instructor_cookie, join
from .test_browser_kinds import png

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
LAPTOP_PROJECTOR = {"width": 1366, "height": 768}
SMALLEST_TEXT_AT_1080 = 28  # px: read from the back of a hall

EXPLANATION_300 = (
    "Fourteen mountains rise above eight thousand metres, all of them in the Himalaya and "
    "the Karakoram. Everest is the highest at 8,849 metres; K2 is the hardest to climb. "
    "Mont Blanc, Kilimanjaro and Aconcagua are famous summits, but none of them comes "
    "close: Aconcagua, the highest outside Asia, stops at 6,961 metres.")
assert len(EXPLANATION_300) >= 300

LONG_OPTIONS = [
    "The mitochondria, which turn the energy stored in food into a form the cell can use",
    "The ribosomes, which read messenger RNA and join amino acids into long protein chains",
    "The Golgi apparatus, which sorts, packs and ships proteins to where they are needed",
    "The nucleus, which keeps the cell's DNA and controls which of its genes are read",
    "The cell membrane, a thin double layer of lipids that decides what may come in",
    "The endoplasmic reticulum, a folded network of membranes where proteins are made",
]
ORDER_ITEMS = [
    "The first cells appear in the oceans of the young Earth",
    "Photosynthesis begins to fill the air with oxygen",
    "Plants and fungi move from the water onto the land",
    "The first dinosaurs walk across the supercontinent Pangaea",
    "An asteroid ends the age of the dinosaurs for good",
    "The first members of our own species walk in Africa",
]
LONGEST_SLIDE = " ".join(
    ["Before the break, a reminder of what we covered today and what comes next week."] * 30
)[:2000]
assert len(LONGEST_SLIDE) == 2000

CROWDED = {
    "title": "Everything the big screen must fit",
    "time_limit_default": 300,
    "close_when_all_answered": False,
    "questions": [
        {"kind": "text",
         "text": "Name a mountain higher than 8,000 metres, in any spelling you know it by.",
         "accept": ["Mount Everest", "Everest", "K2", "Kangchenjunga", "Lhotse", "Makalu",
                    "Cho Oyu", "Dhaulagiri"],
         "explanation": EXPLANATION_300},
        {"kind": "choice", "text": "Which of these cells is a red blood cell?",
         "image": "tall.png", "options": ["The left one", "The middle one", "The right one",
                                         "None of them"], "correct": "B",
         "explanation": "Red blood cells have no nucleus: they look like a disc with a "
                        "pale centre, pressed in on both sides."},
        {"kind": "choice",
         "text": "Which part of a living cell does the job described in your textbook as "
                 "“the power station”, and why do biologists call it that?",
         "options": LONG_OPTIONS, "correct": "A",
         "explanation": "Mitochondria make most of the ATP a cell spends."},
        {"kind": "multi", "text": "Which of these parts are found in a plant cell?",
         "options": LONG_OPTIONS, "correct": "ABCDEF",
         "explanation": "A plant cell has all of them, and a wall and chloroplasts besides."},
        {"kind": "order", "text": "Put these moments of life on Earth in order, oldest first.",
         "items": ORDER_ITEMS,
         "explanation": "Life began in the sea some 3.7 billion years ago; we arrived "
                        "about 300,000 years ago."},
        {"kind": "number", "text": "How many bones are in an adult human body?",
         "correct": 206, "tolerance": 2,
         "explanation": "A newborn has about 300; some of them fuse as we grow."},
        {"kind": "truefalse", "text": "The heart of a blue whale is as big as a small car.",
         "correct": True},
        {"kind": "poll", "text": "Which topic should we go over again next week?",
         "options": LONG_OPTIONS},
        {"kind": "slide", "text": LONGEST_SLIDE, "image": "wide.png"},
    ],
}

# The rows of each crowded reveal (question index: rows): the ten most given of the
# typed answers' eleven groups, every option of the picture question and of the six
# long ones, the ten most given of the orders.
REVEALED_ROWS = {0: 10, 1: 4, 2: 6, 3: 6, 4: 10}

# 64 characters each, the longest names the join form takes.
NAMES = [f"{first} Alexandrina Konstantinopoulou-Vanderbilt de las Cruz"[:64]
         for first in ("Maximiliana", "Bartholomew", "Christabella", "Dorotheaaaa",
                       "Evangelinee", "Fitzwilliam", "Guinevereee", "Hildegardee",
                       "Isambardddd", "Jacquelinee", "Konstantinos", "Leopoldinaa",
                       "Millicentee")]

# What each student answers, question by question (None: silent).
ANSWERS: list[list[Any]] = [
    ["Everest", "everest", "K2", "Mount Everest", "Kangchenjunga", "Lhotse", "Makalu",
     "Mont Blanc", "Kilimanjaro", "Aconcagua, the highest outside Asia", "Cho Oyu",
     "Dhaulagiri", None],
    ["B", "B", "B", "A", "C", "D", "B", "A", "B", "C", "B", "B", None],
    ["A", "B", "C", "D", "E", "F", "A", "A", "B", "A", "C", "A", None],
    ["ABCDEF", "AB", "CDEF", "A", "F", "ACE", "BDF", "ABC", "DEF", "ABCDEF", "E", "B", None],
    ["ABCDEF", "BACDEF", "ABDCEF", "FEDCBA", "ABCDFE", "BADCFE", "CABDEF", "ABCEDF",
     "DABCEF", "ACBDEF", "EABCDF", "ABCDEF", None],
    [206, 205, 200, 212, 300, 198, 207, 250, 186, 206, 208, 270, None],
    ["A", "A", "B", "A", "B", "A", "A", "B", "A", "A", "B", "A", None],
    ["A", "B", "C", "D", "E", "F", "A", "B", "C", "A", "B", "A", None],
]

# ---- measuring ----------------------------------------------------------------------------

# Every element of the page that is drawn at all: inside the viewport, inside each
# ancestor that clips, and holding its own content (what scrolls inside a box is
# hidden on a screen nobody scrolls). A name cut on purpose, the whole of it in its
# title, is allowed: across by an ellipsis, or down by a line clamp.
MEASURE = """() => {
  const problems = [];
  const width = window.innerWidth, height = window.innerHeight;
  const page = document.documentElement;
  if (page.scrollWidth > width || page.scrollHeight > height) {
    problems.push(`the page scrolls: ${page.scrollWidth}x${page.scrollHeight}`);
  }
  const name = (node) => {
    const id = node.id ? "#" + node.id : "";
    const classes = typeof node.className === "string" && node.className
      ? "." + node.className.trim().split(/\\s+/).join(".") : "";
    const text = (node.textContent || "").trim().slice(0, 40);
    return `${node.tagName.toLowerCase()}${id}${classes} "${text}"`;
  };
  const across = (box, frame) => box.left < frame.left - 1 || box.right > frame.right + 1;
  const down = (box, frame) => box.top < frame.top - 1 || box.bottom > frame.bottom + 1;
  const outside = (box, frame) => across(box, frame) || down(box, frame);
  const cutOnPurpose = (node, sideways, downwards) => {
    const style = getComputedStyle(node);
    const titled = node.getAttribute("title") === node.textContent;
    return titled && (!sideways || style.textOverflow === "ellipsis")
      && (!downwards || style.webkitLineClamp !== "none");
  };
  const screen = { left: 0, top: 0, right: width, bottom: height };
  for (const node of document.body.querySelectorAll("*")) {
    if (node.closest(".visually-hidden, .katex-mathml, script, style")) continue;
    if (node instanceof SVGElement && node.tagName.toLowerCase() !== "svg") continue;
    if (!node.getClientRects().length) continue;
    const box = node.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    const style = getComputedStyle(node);
    if (style.visibility === "hidden") continue;
    const round = (n) => Math.round(n);
    if (outside(box, screen)) {
      problems.push(`${name(node)} is off the screen: ${round(box.left)},${round(box.top)}`
        + ` to ${round(box.right)},${round(box.bottom)}`);
      continue;
    }
    let clipped = null;
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      const upStyle = getComputedStyle(up);
      if (upStyle.overflowX === "visible" && upStyle.overflowY === "visible") continue;
      const frame = up.getBoundingClientRect();
      if (outside(box, frame) && !cutOnPurpose(up, across(box, frame), down(box, frame))) {
        clipped = up;
      }
    }
    if (clipped) {
      problems.push(`${name(node)} is hidden by the overflow of ${name(clipped)}`);
      continue;
    }
    const inline = style.display === "inline" || node.closest(".katex");
    const sideways = node.scrollWidth > node.clientWidth + 1;
    const downwards = node.scrollHeight > node.clientHeight + 1;
    const spills = (sideways || downwards) && !cutOnPurpose(node, sideways, downwards);
    if (!inline && spills && node.tagName.toLowerCase() !== "svg") {
      problems.push(`${name(node)} overflows its box: ${node.scrollWidth}x${node.scrollHeight}`
        + ` in ${node.clientWidth}x${node.clientHeight}`);
    }
  }
  return problems;
}"""

# The smallest text drawn (math included: KaTeX sizes its scripts in em of the text;
# a chart's SVG text as large as the chart is drawn).
SMALLEST_TEXT = """() => {
  let smallest = Infinity, where = "";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    const node = text.parentElement;
    if (!text.data.trim() || !node.getClientRects().length) continue;
    if (node.closest(".visually-hidden, .katex-mathml, script, style")) continue;
    const scale = node instanceof SVGGraphicsElement ? node.getScreenCTM().a : 1;
    const size = parseFloat(getComputedStyle(node).fontSize) * scale;
    if (size < smallest) {
      smallest = size;
      where = text.data.trim().slice(0, 30);
    }
  }
  return [smallest, where];
}"""


class BigScreen:
    """The projector page, measured and photographed at both sizes at every stage."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.problems: list[str] = []
        self.smallest: dict[int, float] = {}

    def measure(self, stage: str) -> None:
        for viewport in (FULL_HD, LAPTOP_PROJECTOR):
            self.page.set_viewport_size(viewport)
            self.settled()
            size = f"{viewport['width']}x{viewport['height']}"
            self.page.screenshot(path=self.folder / f"projector-fit-{stage}-{size}.png")
            self.problems += [f"{stage} at {size}: {problem}"
                              for problem in self.page.evaluate(MEASURE)]
            smallest, where = self.page.evaluate(SMALLEST_TEXT)
            least = SMALLEST_TEXT_AT_1080 * viewport["height"] / 1080
            if smallest < least - 0.5:
                self.problems.append(f"{stage} at {size}: text of {smallest:.1f} px: {where!r}")
            height = viewport["height"]
            self.smallest[height] = min(self.smallest.get(height, smallest), smallest)

    def settled(self) -> None:
        """Wait until pictures and fonts have loaded and the layout has stopped changing."""
        # Not wait_for_function: its polling evaluates a string, which the page's CSP
        # forbids, so it failed whenever a picture or a font was still loading.
        self.page.evaluate("""async () => {
            await document.fonts.ready;
            await Promise.all(Array.from(document.images, (img) => img.complete || new Promise(
                (done) => { img.addEventListener("load", done, { once: true });
                            img.addEventListener("error", done, { once: true }); })));
        }""")
        self.page.evaluate("""() => new Promise((done) =>
            requestAnimationFrame(() => requestAnimationFrame(done)))""")


# ---- the class, driven over the real endpoints -----------------------------------------


class Teacher:
    """Sends instructor commands and waits for the state each one leads to."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.cookie = trio.run(instructor_cookie, server)

    def command(self, *messages: dict[str, Any], state: str) -> None:
        """Send ``messages`` in order, then wait until the room is in ``state``."""
        async def send() -> None:
            async with connect(self.server, "/ws/instructor", self.cookie) as desk:
                await desk.until("state")
                for message in messages:
                    await desk.send(message)
                with trio.fail_after(10):
                    await desk.until("state", state=state)
        trio.run(send)


def students_join(server: ServerProcess) -> list[str]:
    async def all_join() -> list[str]:
        return [await join(server, f"s{i + 1}", name) for i, name in enumerate(NAMES)]
    return trio.run(all_join)


def phones_answer(server: ServerProcess, cookies: list[str], idx: int, answers: list[Any],
                  within_s: float = 30) -> None:
    """Each student's phone (by cookie) waits for question ``idx`` and sends its answer,
    all at once, each until it is acknowledged; ``None``: there while it was open, silent."""
    async def answer(cookie: str, given: Any) -> None:
        async with connect(server, "/ws/student", cookie) as phone:
            await phone.until("question_open", question_idx=idx)
            if given is None:
                return
            await phone.send({"type": "submit", "question_idx": idx, "answer": given})
            await phone.until("submit_ack", question_idx=idx)

    async def everyone() -> None:
        with trio.fail_after(within_s):
            async with trio.open_nursery() as nursery:
                for cookie, given in zip(cookies, answers, strict=True):
                    nursery.start_soon(answer, cookie, given)
    trio.run(everyone)


def students_answer(server: ServerProcess, cookies: list[str], idx: int) -> None:
    phones_answer(server, cookies, idx, ANSWERS[idx])


# ---- the test -----------------------------------------------------------------------------


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "crowded.json"
    path.write_text(json.dumps(CROWDED))
    (tmp_path / "tall.png").write_bytes(png(300, 600))
    (tmp_path / "wide.png").write_bytes(png(640, 360))
    return path


@contextmanager
def projector_page(browser: Browser, server: ServerProcess, screenshots: Path,
                   title: str) -> Iterator[BigScreen]:
    """The projector page of ``server`` at 1920x1080, once it shows the quiz ``title``;
    a script error on it fails the test."""
    context = browser.new_context(viewport=FULL_HD)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/projector")
    expect(page.locator("#quiz-title")).to_have_text(title)
    yield BigScreen(page, screenshots)
    context.close()
    assert errors == []


@pytest.fixture
def big_screen(browser: Browser, server_process: ServerProcess, screenshots: Path,
               quiz_path: Path) -> Iterator[BigScreen]:
    """The projector page of the module's quiz (its ``quiz_path`` fixture)."""
    title = json.loads(quiz_path.read_text())["title"]
    with projector_page(browser, server_process, screenshots, title) as screen:
        yield screen


def test_every_projector_stage_fits_1080p_and_768p_for_the_most_crowded_questions(
        server_process: ServerProcess, big_screen: BigScreen) -> None:
    screen, page = big_screen, big_screen.page
    teacher = Teacher(server_process)
    cookies = students_join(server_process)
    expect(page.locator("#joined-count")).to_have_text(str(len(NAMES)))
    screen.measure("lobby")

    for idx, question in enumerate(CROWDED["questions"]):
        kind = question["kind"]
        stage = f"q{idx + 1}-{kind}"
        teacher.command({"type": "projector_live_answers", "on": kind in ("choice", "multi")},
                        {"type": "open_question", "question_idx": idx}, state="question_open")
        expect(page.locator("#question-view")).to_be_visible()
        screen.measure(f"{stage}-open")
        if kind == "slide":
            teacher.command({"type": "close_question"}, state="question_closed")
            screen.measure(f"{stage}-shown")
            continue
        students_answer(server_process, cookies, idx)
        expect(page.locator("#question-answered")).to_contain_text(
            f"{sum(a is not None for a in ANSWERS[idx])} of {len(NAMES)}")
        screen.measure(f"{stage}-answered")
        teacher.command({"type": "close_question"}, state="question_closed")
        expect(page.locator("#reveal-view")).to_be_visible()
        if kind == "choice" and question.get("image"):
            expect(page.locator("#reveal-answers")).to_contain_text("No answer: 1")
        screen.measure(f"{stage}-reveal")
        # All of it fits: nothing was left out to make it fit.
        for viewport in (FULL_HD, LAPTOP_PROJECTOR):
            page.set_viewport_size(viewport)
            if idx in REVEALED_ROWS:
                expect(page.locator("#reveal-answers .answer-bar:visible")).to_have_count(
                    REVEALED_ROWS[idx])
            if "explanation" in question:
                expect(page.locator("#reveal-explanation")).to_be_visible()
                expect(page.locator("#reveal-explanation")).to_have_text(question["explanation"])
            if "image" in question:
                expect(page.locator("#reveal-view img")).to_be_visible()
        teacher.command({"type": "show_leaderboard"}, state="between_questions")
        expect(page.locator("#leaders-view")).to_be_visible()
        if idx == 0:
            screen.measure("leaderboard")

    teacher.command({"type": "end_session"}, state="finished")
    expect(page.locator("#final-view")).to_be_visible()
    assert page.locator("#podium li").count() >= 3  # everyone tied for a place stands on it
    screen.measure("podium")

    print(f"smallest text: {screen.smallest[1080]:.1f} px at 1080, "
          f"{screen.smallest[768]:.1f} px at 768")
    assert not screen.problems, "\n".join(screen.problems)


# ---- how much a fit costs -------------------------------------------------------------------

# Forced layouts one fit may take: each try of a size is one (static/fit.js). A fit is
# part of the task that draws a projector_state, so this bounds that task whatever the
# class size.
FIT_LAYOUTS = 10
# What a fit costs when only numbers changed (answers coming in): its size is checked.
REDRAW_LAYOUTS = 1

# The page's own fit, its cache dropped, as a new question is fitted; with the number of
# sizes it tried (holdsAt, static/fit.js: one write, then reads).
FIT_AFRESH = """(layouts) => {
  const stage = Array.from(document.querySelectorAll("body > main > section"))
    .find((view) => !view.hidden);
  document.body.getBoundingClientRect(); // the layout the page had, before counting
  let tries = 0;
  const tryIt = holdsAt;
  holdsAt = (...args) => {
    tries += 1;
    return tryIt(...args);
  };
  fitsFound.delete(stage);
  const fit = fitStage(document.body, stage, layouts, false);
  holdsAt = tryIt;
  return Object.assign(fit, { tries });
}"""
# Every size tried from now on, counted in window.fitTries.
COUNT_TRIES = """() => {
  window.fitTries = 0;
  const tryIt = holdsAt;
  holdsAt = (...args) => {
    window.fitTries += 1;
    return tryIt(...args);
  };
}"""


def layouts_during(page: Page, cdp: Any, script: str, *args: Any) -> tuple[int, Any]:
    """Chrome's own count of layouts over one call of ``script`` in the page."""
    def count() -> int:
        metrics = cdp.send("Performance.getMetrics")["metrics"]
        return int(next(m["value"] for m in metrics if m["name"] == "LayoutCount"))
    before = count()
    result = page.evaluate(script, *args)
    return count() - before, result


def test_a_fit_takes_a_bounded_number_of_layouts_and_a_redraw_one(
        server_process: ServerProcess, big_screen: BigScreen) -> None:
    """The fit of a long question and of its crowded reveal at 1366x768: at most
    FIT_LAYOUTS layouts each (counted by Chrome), and while answers come in, each
    redraw's fit tries one size; nothing is cut off at either size."""
    screen, page = big_screen, big_screen.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    teacher = Teacher(server_process)
    cookies = students_join(server_process)
    idx = 2  # the long question with six long options
    assert len(CROWDED["questions"][idx]["text"]) > 120
    teacher.command({"type": "open_question", "question_idx": idx}, state="question_open")
    expect(page.locator("#question-view")).to_be_visible()
    page.set_viewport_size(LAPTOP_PROJECTOR)
    screen.settled()
    layouts, fit = layouts_during(page, cdp, FIT_AFRESH, [])
    print(f"long question at 1366x768: {layouts} layouts, fit {fit}")
    assert fit["fits"] and fit["fit"] < 1  # it had to be shrunk: a search was made
    assert fit["tries"] <= FIT_LAYOUTS
    assert layouts <= fit["tries"] + 2  # and the layout it starts from, and the one it paints

    page.evaluate(COUNT_TRIES)
    students_answer(server_process, cookies, idx)
    expect(page.locator("#question-answered")).to_contain_text(
        f"{sum(a is not None for a in ANSWERS[idx])} of {len(NAMES)}")
    tries = page.evaluate("() => window.fitTries")
    print(f"while {len(NAMES)} students answered: {tries} tries of a size")
    assert tries <= REDRAW_LAYOUTS * (len(NAMES) + 2)  # a draw per answer, and the joins'
    screen.measure(f"q{idx + 1}-answered")

    teacher.command({"type": "close_question"}, state="question_closed")
    expect(page.locator("#reveal-view")).to_be_visible()
    page.set_viewport_size(LAPTOP_PROJECTOR)
    screen.settled()
    layouts, fit = layouts_during(page, cdp, FIT_AFRESH, ["is-crowded", "is-packed"])
    print(f"its reveal at 1366x768: {layouts} layouts, fit {fit}")
    assert fit["fits"] and fit["layout"]  # another layout was tried, and chosen
    assert fit["tries"] <= FIT_LAYOUTS
    assert layouts <= fit["tries"] + 2
    screen.measure(f"q{idx + 1}-reveal")
    assert not screen.problems, "\n".join(screen.problems)


# ---- a class of 3,000 -----------------------------------------------------------------------

# The class of 13 above, 250 times over: its 12 answers become 3,000.
CLASS_SCALE = 250
# The counts of students in a projector_state: the class, the tally, the charts.
COUNTED = {"count", "total", "n", "participant_count", "submitted_count", "total_count"}
# A chart's count drawn on more than one line ("3,00" over "0").
WRAPPED_COUNTS = """() => Array.from(document.querySelectorAll(".column-chart-value"))
  .filter((value) => value.getClientRects().length && value.firstChild)
  .filter((value) => {
    const text = document.createRange();
    text.selectNodeContents(value);
    return new Set(Array.from(text.getClientRects(), (line) => Math.round(line.top))).size > 1;
  })
  .map((value) => value.textContent)"""


def as_big_class(value: Any, key: str = "") -> Any:
    """``value`` with every count of students in it CLASS_SCALE times larger."""
    if isinstance(value, dict):
        return {name: as_big_class(item, "count" if key in ("counts", "results") else name)
                for name, item in value.items()}
    if isinstance(value, list):
        return [as_big_class(item, key) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and key in COUNTED:
        return value * CLASS_SCALE
    return value


def show_a_big_class(route: WebSocketRoute) -> None:
    """The projector's socket, its states rewritten as a class 250 times larger has them."""
    server = route.connect_to_server()

    def to_page(message: str | bytes) -> None:
        state = json.loads(message)
        route.send(json.dumps(as_big_class(state)) if state.get("type") == "projector_state"
                   else message)
    server.on_message(to_page)


# The labels of a chart drawn as SVG (the number question's), which MEASURE does not see:
# each pair of labels that overlap, and each label over another column's bar or off its chart.
TANGLED_LABELS = """() => {
  const problems = [];
  const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
    && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const chart of document.querySelectorAll("svg")) {
    if (!chart.getClientRects().length) continue;
    const frame = chart.getBoundingClientRect();
    const middle = (box) => (box.left + box.right) / 2;
    const bars = Array.from(chart.querySelectorAll("rect"), (bar, column) => ({
      box: bar.getBoundingClientRect(), column }));
    // A label's own column: the bar it is centred over (or nearest to).
    const own = (box) => bars.reduce((best, bar) => (best === null
      || Math.abs(middle(bar.box) - middle(box)) < Math.abs(middle(best.box) - middle(box))
      ? bar : best), null);
    const labels = Array.from(chart.querySelectorAll("text"), (text) => {
      const box = text.getBoundingClientRect();
      const bar = own(box);
      return { text: text.textContent, box, column: bar && bar.column };
    });
    labels.forEach((label, i) => {
      const box = label.box;
      if (box.left < frame.left - 1 || box.right > frame.right + 1
          || box.top < frame.top - 1 || box.bottom > frame.bottom + 1) {
        problems.push(`"${label.text}" is cut off its chart`);
      }
      labels.slice(i + 1).filter((other) => meets(box, other.box))
        .forEach((other) => problems.push(`"${label.text}" overlaps "${other.text}"`));
      bars.filter((bar) => bar.column !== label.column && meets(box, bar.box))
        .forEach((bar) => problems.push(`"${label.text}" is over the bar of column ${bar.column}`));
    });
  }
  return problems;
}"""


# A question with a picture (the narrowest charts), one with six long options (the
# most crowded tally, each count in the thousands or hundreds) and one with a number
# to type (its chart of the answers given, in SVG).
@pytest.mark.parametrize("idx", [1, 2, 5])
def test_a_reveal_to_a_class_of_3000_keeps_each_count_whole_and_in_its_column(
        server_process: ServerProcess, big_screen: BigScreen, idx: int) -> None:
    """Issue 26: the response-time chart's "3,000" wrapped to "3,00" over "0" on the
    projector; kept on one line, it ran past its column into the next. Each count stays
    whole and inside its column, and the stage fits, at both sizes: six long options
    counted in thousands spilled sideways out of every layout, and the number line's
    counts ran together ("250250250")."""
    screen, page = big_screen, big_screen.page
    page.route_web_socket(re.compile(r"/ws/projector"), show_a_big_class)
    page.reload()
    teacher = Teacher(server_process)
    cookies = students_join(server_process)
    expect(page.locator("#joined-count")).to_have_text("3,250")
    teacher.command({"type": "open_question", "question_idx": idx}, state="question_open")
    students_answer(server_process, cookies, idx)
    teacher.command({"type": "close_question"}, state="question_closed")
    expect(page.locator("#reveal-view")).to_be_visible()
    expect(page.locator("#reveal-times .column-chart-value").first).to_have_text("3,000")
    if idx == 2:
        expect(page.locator("#reveal-answers .answer-bar-count").first).to_have_text("1,250")
    if idx == 5:
        expect(page.locator("#reveal-answers svg text")).to_contain_text(["250", "500"])
    for viewport in (FULL_HD, LAPTOP_PROJECTOR):
        page.set_viewport_size(viewport)
        screen.settled()
        assert page.evaluate(WRAPPED_COUNTS) == [], viewport
        if idx in REVEALED_ROWS:
            expect(page.locator("#reveal-answers .answer-bar:visible")).to_have_count(
                REVEALED_ROWS[idx])
        tangled = page.evaluate(TANGLED_LABELS)
        assert tangled == [], f"{viewport}: " + "; ".join(tangled)
    screen.measure(f"q{idx + 1}-reveal-3000")
    assert not screen.problems, "\n".join(screen.problems)
