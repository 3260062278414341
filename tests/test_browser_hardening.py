"""What a page on another port, a second tab and a keyboard cannot break, in a real browser.

Rules as in ``test_browser``: Debian's chromium, the server in its own process,
elements found by role and label, every wait on a page condition.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trio
from playwright.sync_api import Browser, Page, expect

from trivia_trio.tools.http_client import request

from .conftest import INSTRUCTOR_KEY, ServerProcess, connect, join
from .test_browser import DASHBOARD, PROJECTOR
from .test_browser_library import (  # noqa: F401 (fixtures)
    Desk,
    desk,
    empty_library,
    library_json,
    new_quiz,
    wait_saved,
    write_choice,
)

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

PLANTED = {"title": "Planted", "questions": [
    {"text": "Yes?", "options": ["Yes", "No"], "correct": "A"}]}
# What a student's page, a notebook or a dev server on another port could send.
ATTACK = """<!doctype html><title>elsewhere</title><script>
(async () => {
  const quiz = %(quiz)s;
  const send = (method, path, body) => fetch("%(target)s" + path, {
    method, mode: "no-cors", credentials: "include",
    headers: {"Content-Type": "text/plain"}, body: JSON.stringify(body)}).catch(() => null);
  await send("POST", "/api/instructor/library", {quiz});
  await send("POST", "/api/instructor/library/1/run", {});
  await send("POST", "/api/instructor/quiz", quiz);
  document.title = "sent";
})();
</script>"""


@pytest.fixture
def other_port(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A plain static file server on another port of 127.0.0.1: (its folder, its URL)."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                partial(SimpleHTTPRequestHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(timeout=10)


def library_titles(server: ServerProcess, cookie: str) -> list[str]:
    async def read() -> list[str]:
        response = await request("GET", server.url + "/api/instructor/library",
                                 headers={"Cookie": cookie})
        return [entry["title"] for entry in response.json()["quizzes"]]
    return trio.run(read)


def test_a_page_on_another_port_cannot_use_the_instructors_cookie(
        browser: Browser, server_process: ServerProcess,
        other_port: tuple[Path, str]) -> None:
    folder, elsewhere = other_port
    (folder / "attack.html").write_text(ATTACK % {"quiz": json.dumps(PLANTED),
                                                  "target": server_process.url})
    context = browser.new_context(viewport=DASHBOARD)
    dashboard = context.new_page()
    dashboard.goto(f"{server_process.url}/instructor?key={INSTRUCTOR_KEY}")
    expect(dashboard.locator("#state-label")).not_to_have_text("connecting…")
    cookie = next(f"{c['name']}={c['value']}" for c in context.cookies()
                  if c["name"].startswith("tt_instructor"))
    before = library_titles(server_process, cookie)
    attack = context.new_page()
    refused = []
    attack.on("response", lambda response: refused.append(response.status)
              if response.url.startswith(server_process.url) else None)
    with attack.expect_response(f"{server_process.url}/api/instructor/quiz"):
        attack.goto(f"{elsewhere}/attack.html")
    expect(attack).to_have_title("sent")
    assert refused == [403, 403, 403]
    assert library_titles(server_process, cookie) == before
    expect(dashboard.locator("#quiz-title")).to_have_text("Three questions")
    # The same request from the dashboard itself goes through: the cookie was there.
    status = dashboard.evaluate("""async quiz => (await fetch("/api/instructor/library", {
        method: "POST", body: JSON.stringify({quiz})})).status""", PLANTED)
    assert status == 200
    assert sorted(library_titles(server_process, cookie)) == sorted([*before, "Planted"])
    context.close()


def test_answers_that_look_like_paris_are_one_row_on_the_projector_and_dashboard(
        browser: Browser, tmp_path: Path, screenshots: Path) -> None:
    quiz = tmp_path / "capital.json"
    quiz.write_text(json.dumps({"title": "Capitals", "questions": [
        {"kind": "text", "text": "Capital of France?", "accept": ["Paris"]}]}))
    server = ServerProcess(tmp_path / "data", quiz)
    server.start()
    typed = {"s1": "Paris", "s2": "Par\u200bis", "s3": "Paris\u00ad", "s4": "Pa\u200eris",
             "s5": "\u202eLyon"}
    screen = browser.new_context(viewport=PROJECTOR).new_page()
    screen.goto(server.url + "/projector")
    dashboard = browser.new_context(viewport=DASHBOARD).new_page()
    dashboard.goto(f"{server.url}/instructor?key={INSTRUCTOR_KEY}")
    cookies = trio.run(lambda: join_all(server, list(typed)))
    dashboard.get_by_role("button", name="Next", exact=True).click()
    expect(screen.locator("#question-text")).to_have_text("Capital of France?")
    acked = trio.run(lambda: answer_all(server, cookies, typed))
    assert acked == {"s1": "Paris", "s2": "Paris", "s3": "Paris", "s4": "Paris", "s5": "Lyon"}
    # Everyone answered: the question closes by itself and shows the answers.
    expect(dashboard.locator("#state-label")).to_have_text("answer revealed")
    for page, bars in ((screen, "#reveal-answers"), (dashboard, "#current-histogram")):
        rows = page.locator(f"{bars} .top-answers li")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("“Paris”")
        expect(rows.nth(0).locator(".answer-bar-count")).to_have_text("4")
        expect(rows.nth(1).locator(".answer-bar-text")).to_have_text("“Lyon”")
        assert page.locator(f"{bars} .answer-bar-text").evaluate_all(
            "spans => spans.map(s => getComputedStyle(s).unicodeBidi)") == ["isolate"] * 2
    dashboard.screenshot(path=screenshots / "typed-answers-dashboard-1366.png", full_page=True)
    for size in (PROJECTOR, DASHBOARD):  # 1920x1080 and 1366x768
        screen.set_viewport_size(size)
        screen.screenshot(path=screenshots / f"typed-answers-projector-{size['width']}.png")
        assert screen.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for page in (screen, dashboard):
        page.context.close()


async def join_all(server: ServerProcess, student_ids: list[str]) -> dict[str, str]:
    return {student_id: await join(server, student_id, student_id.upper())
            for student_id in student_ids}


async def answer_all(server: ServerProcess, cookies: dict[str, str],
                     typed: dict[str, str]) -> dict[str, str]:
    """Every student connected (so the question waits for them all), each answers; the
    answers the server acknowledged."""
    async with AsyncExitStack() as stack:
        phones = {student_id: await stack.enter_async_context(
            connect(server, "/ws/student", cookie)) for student_id, cookie in cookies.items()}
        acked = {}
        for student_id, phone in phones.items():
            await phone.until("question_open", question_idx=0)
            ack = await phone.request({"type": "submit", "question_idx": 0,
                                       "answer": typed[student_id]}, "submit_ack")
            acked[student_id] = ack["answer"]
    return acked


# ---- the editor ------------------------------------------------------------------------------
def test_two_tabs_on_one_quiz_never_overwrite_each_other_and_lose_nothing(
        desk: Desk) -> None:  # noqa: F811
    first = new_quiz(desk.page())
    quiz_id = first.url.rsplit("=", 1)[1]
    write_choice(first, "Shared question?", ["yes", "no"], "A")
    wait_saved(first)
    second = desk.page(f"/instructor/editor?quiz={quiz_id}")
    expect(second.get_by_label("Question text")).to_have_value("Shared question?")

    first.get_by_label("Title").fill("Title from the first tab")
    wait_saved(first)
    second.get_by_label("Title").fill("Title from the second tab")
    conflict = second.get_by_role("alert").filter(has_text="saved from another tab")
    expect(conflict).to_be_visible()
    expect(second.locator("#save-status")).to_have_text("Not saved: changed elsewhere")
    desk.check(second, "conflict")
    assert library_json(first, quiz_id)["title"] == "Title from the first tab"
    # Typing goes on in the second tab, kept, and is never saved over the first's; even
    # closed without a choice and opened again after the first tab saved once more.
    second.get_by_label("Question text").fill("Typed after the conflict")
    second.close()
    first.get_by_label("Explanation (shown at the reveal)").fill("Saved later by the first")
    wait_saved(first)
    second = desk.page(f"/instructor/editor?quiz={quiz_id}")
    expect(second.get_by_role("alert").filter(has_text="saved from another tab")).to_be_visible()
    expect(second.get_by_label("Title")).to_have_value("Title from the second tab")
    expect(second.get_by_label("Question text")).to_have_value("Typed after the conflict")
    second.get_by_role("button", name="Keep mine as a new quiz").click()
    second.wait_for_url(re.compile(rf"/instructor/editor\?quiz=(?!{quiz_id}$)\d+$"))
    expect(second.get_by_label("Title")).to_have_value("Title from the second tab (copy)")
    expect(second.get_by_label("Question text")).to_have_value("Typed after the conflict")
    wait_saved(second)
    kept = library_json(first, quiz_id)
    assert kept["title"] == "Title from the first tab"
    assert kept["quiz"]["questions"][0]["text"] == "Shared question?"

    # A third tab behind the first one takes the saved version when asked.
    third = desk.page(f"/instructor/editor?quiz={quiz_id}")
    expect(third.get_by_label("Title")).to_have_value("Title from the first tab")
    first.get_by_label("Title").fill("Title, second edit")
    wait_saved(first)
    third.get_by_label("Question text").fill("Stale typing")
    expect(third.get_by_role("alert").filter(has_text="saved from another tab")).to_be_visible()
    third.get_by_role("button", name="Load the saved version (drop my changes)").click()
    expect(third.get_by_label("Title")).to_have_value("Title, second edit")
    expect(third.get_by_label("Question text")).to_have_value("Shared question?")
    wait_saved(third)
    assert library_json(first, quiz_id)["title"] == "Title, second edit"


def open_in_editor(desk: Desk, quiz: dict[str, object]) -> Page:  # noqa: F811
    """Keep ``quiz`` in the library and open it in the editor."""
    page = desk.page()
    reply = page.request.post(f"{desk.server.url}/api/instructor/library", data={"quiz": quiz})
    assert reply.ok, reply.text()
    page.goto(f"{desk.server.url}/instructor/editor?quiz={reply.json()['quiz_id']}")
    expect(page.get_by_role("heading", name="Quiz editor")).to_be_visible()
    return page


THREE = {"title": "Order", "questions": [
    {"text": text, "options": ["yes", "no"], "correct": "A"}
    for text in ("First", "Second", "Third")]}


def test_focus_stays_on_the_moved_question_across_autosaves(desk: Desk) -> None:  # noqa: F811
    editor = open_in_editor(desk, THREE)
    picks = editor.locator(".question-pick-text")
    expect(picks).to_have_text(["1. First", "2. Second", "3. Third"])
    editor.get_by_role("button", name="3. Third").focus()
    editor.keyboard.press("Alt+ArrowUp")
    expect(picks).to_have_text(["1. First", "2. Third", "3. Second"])
    wait_saved(editor)  # the save's reply redraws the list
    editor.keyboard.press("Alt+ArrowUp")
    expect(picks).to_have_text(["1. Third", "2. First", "3. Second"])
    expect(editor.get_by_role("button", name="1. Third")).to_be_focused()
    wait_saved(editor)

    # The ↓ button from the keyboard: focus stays on it as the question goes down.
    editor.get_by_role("button", name="Move down question 1").focus()
    editor.keyboard.press("Enter")
    expect(picks).to_have_text(["1. First", "2. Third", "3. Second"])
    wait_saved(editor)
    expect(editor.get_by_role("button", name="Move down question 2")).to_be_focused()
    editor.keyboard.press("Enter")
    expect(picks).to_have_text(["1. First", "2. Second", "3. Third"])
    # At the bottom its ↓ is disabled: focus is on the question itself.
    expect(editor.get_by_role("button", name="3. Third")).to_be_focused()
    wait_saved(editor)
    expect(editor.get_by_role("button", name="3. Third")).to_be_focused()

    # The caret in a text field stays where it was through a save and its redraw.
    text = editor.get_by_label("Question text")
    text.focus()
    editor.keyboard.press("End")
    editor.keyboard.press("ArrowLeft")
    editor.keyboard.type("x")
    wait_saved(editor)
    editor.keyboard.type("y")
    expect(text).to_have_value("Thirxyd")
    wait_saved(editor)
    assert [q["text"] for q in library_json(editor, editor.url.rsplit("=", 1)[1])["quiz"][
        "questions"]] == ["First", "Second", "Thirxyd"]


def test_no_right_answer_ticked_is_said_beside_the_ticks_and_run_goes_there(
        desk: Desk) -> None:  # noqa: F811
    editor = open_in_editor(desk, {"title": "Ticks", "questions": [
        {"text": "Fine", "options": ["yes", "no"], "correct": "A"},
        {"text": "Unticked", "options": ["one", "two", "three", "four", "five"],
         "correct": "B"}]})
    editor.get_by_role("button", name="2. Unticked").click()
    options = editor.get_by_role("group", name="Options")
    tick = options.get_by_label("B is right")
    tick.uncheck()
    note = options.get_by_text("Tick at least one right answer")
    expect(note).to_be_visible()
    expect(tick).to_have_accessible_description("Tick at least one right answer")
    wait_saved(editor)
    expect(editor.get_by_text("is not one of")).to_have_count(0)
    desk.check(editor, "no-tick")

    editor.get_by_role("button", name="1. Fine").click()
    editor.get_by_role("button", name="Run this quiz").click()
    expect(editor.get_by_text("Not run: fix the problems first.")).to_be_visible()
    expect(editor.get_by_label("Question text")).to_have_value("Unticked")
    expect(options.get_by_label("A is right")).to_be_focused()
    expect(options.get_by_label("A is right")).to_have_accessible_description(
        "Tick at least one right answer")
    editor.keyboard.press("Space")
    expect(note).to_be_hidden()
    editor.get_by_role("button", name="Run this quiz").click()
    editor.wait_for_url(f"{desk.server.url}/instructor")
    expect(editor.locator("#quiz-title")).to_have_text("Ticks")


def test_at_1366x768_the_library_starts_above_the_fold_and_reads_right(
        desk: Desk) -> None:  # noqa: F811
    dashboard = desk.page()
    reply = dashboard.request.post(f"{desk.server.url}/api/instructor/library", data={"quiz": {
        "title": "All eight kinds", "questions": [
            {"text": "Unfinished", "options": ["a", "b"], "correct": ""}]}})
    assert reply.ok and reply.json()["draft"]
    dashboard.reload()
    new = dashboard.get_by_role("button", name="New quiz")
    expect(new).to_be_visible()
    box = new.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768, box
    assert dashboard.evaluate("window.scrollY") == 0
    expect(dashboard.get_by_role("rowheader", name="All eight kinds draft", exact=True)) \
        .to_be_visible()
    bundle = dashboard.get_by_role("link", name="Export All eight kinds as .zip with pictures")
    expect(bundle).to_have_text(".zip with pictures")
    desk.check(dashboard, "library-fold")


def test_run_from_the_editor_asks_first_when_a_class_is_in_the_room(
        desk: Desk) -> None:  # noqa: F811
    trio.run(lambda: join(desk.server, "s1", "Ada"))
    editor = open_in_editor(desk, THREE)
    editor.get_by_role("button", name="Run this quiz").click()
    dialog = editor.get_by_role("dialog")
    expect(dialog).to_contain_text("Students have joined")
    desk.check(editor, "run-asks")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert "/instructor/editor" in editor.url  # nothing ran
    editor.get_by_role("button", name="Run this quiz").click()
    dialog.get_by_role("button", name="Run it").click()
    editor.wait_for_url(f"{desk.server.url}/instructor")
