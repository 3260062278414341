"""The teacher's room controls in real browsers: Lock joining, a double-points
question on the podium, and a leaderboard switched to never.

Same rules as test_browser.py: Debian's chromium, the real server in its own process,
waits on page conditions only; every stage passes axe with no violation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import WebSocketRoute, expect

from .test_browser import PROJECTOR, confirm, join
from .test_browser_kinds import PHONE, KindsClassroom, option, student, teacher
from .test_browser_kinds import room as room  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

WEIGHTED = {
    "title": "Weighted", "score_fn": "binary", "time_limit_default": 60,
    "close_when_all_answered": False,
    "questions": [{"text": "Standard: pick A", "options": ["a", "b"], "correct": "A"},
                  {"text": "Double: pick A", "options": ["a", "b"], "correct": "A",
                   "points": 2}],
}


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(WEIGHTED))
    return path


def test_a_locked_room_turns_a_new_phone_away_and_admits_it_once_unlocked(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    ada = student(room, "s1", "Ada")
    lock = desk.get_by_role("checkbox", name="Lock joining (nobody new can join)")
    lock.check()
    expect(lock).to_be_checked()
    late = room.open("student-s2", "/", PHONE)
    join(late, "s2", "Bob")
    expect(late.get_by_role("alert").filter(has_text="closed joining")).to_have_text(
        "The teacher has closed joining.")
    ada.reload()  # a joined phone comes back as before
    expect(ada.get_by_role("heading", name="You're in!")).to_be_visible()
    room.stage("locked")
    lock.uncheck()
    expect(lock).not_to_be_checked()
    late.click("#join-button")
    expect(late.get_by_role("heading", name="You're in!")).to_be_visible()
    expect(desk.locator("#joined-line")).to_contain_text("2")
    room.stage("unlocked")


def test_a_double_points_question_puts_its_winner_on_top_of_the_podium(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    screen = room.open("projector", "/projector", PROJECTOR)
    ada, bob = student(room, "s1", "Ada"), student(room, "s2", "Bob")
    for title, right, wrong in (("Standard: pick A", bob, ada), ("Double: pick A", ada, bob)):
        desk.get_by_role("button", name="Next").click()
        expect(right.get_by_role("heading", name=title)).to_be_visible()
        option(right, "A").click()
        option(wrong, "B").click()
        desk.get_by_role("button", name="Close now").click()
        expect(screen.locator("#reveal-view")).to_be_visible()
    confirm(desk, "#end-button")
    expect(screen.locator("#podium .podium-first")).to_contain_text("Ada")
    expect(screen.locator("#podium .podium-first .podium-score")).to_have_text("2.00")
    expect(screen.locator("#podium .podium-second")).to_contain_text("Bob")
    expect(screen.locator("#podium .podium-second .podium-score")).to_have_text("1.00")
    expect(ada.locator("#end-correct")).to_have_text("1")
    room.stage("podium")


def test_with_the_leaderboard_switched_to_never_no_screen_shows_a_standing(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    screen = room.open("projector", "/projector", PROJECTOR)
    ada, bob = student(room, "s1", "Ada"), student(room, "s2", "Bob")
    switch = desk.get_by_role("combobox", name="Leaderboard")
    switch.select_option(label="Never")
    expect(switch).to_have_value("never")
    desk.get_by_role("button", name="Next").click()
    expect(ada.get_by_role("heading", name="Standard: pick A")).to_be_visible()
    option(ada, "A").click()
    option(bob, "B").click()
    desk.get_by_role("button", name="Close now").click()
    expect(screen.locator("#reveal-view")).to_be_visible()
    expect(ada.locator("#reveal-total")).to_have_text("1.00")
    expect(ada.locator("#reveal-rank")).to_be_hidden()
    # A screen reader hears the total, and no place it was never given.
    expect(ada.locator("#announcer-polite")).to_have_text(
        "Correct! The answer is A a. Your total is 1.00.")
    expect(screen.locator("#reveal-top10")).to_be_hidden()
    room.stage("never-reveal")
    confirm(desk, "#end-button")
    expect(screen.locator("#final-view")).to_be_visible()
    expect(ada.locator("#end-correct")).to_have_text("1")
    for phone in (ada, bob):
        expect(phone.locator("#end-rank")).to_be_hidden()
        expect(phone.locator("#end-top5 li")).to_have_count(0)
    expect(screen.locator("#podium li")).to_have_count(0)
    expect(screen.locator("#final-top10 li")).to_have_count(0)
    # The end screen shows the class's results, no name: thanks, players, % right.
    expect(screen.get_by_text("Thanks for playing!")).to_be_visible()
    expect(screen.locator("#final-summary")).to_have_text("2 players · 50% right")
    expect(screen.get_by_role("img", name=re.compile("% right, question by question"))) \
        .to_have_accessible_name("% right, question by question: 1: 50")
    for phone in (ada, bob):
        expect(phone.locator("#announcer-polite")).not_to_contain_text("rank")
    screen.set_viewport_size({"width": 1366, "height": 768})
    screen.screenshot(path=room.screenshots / f"{room.name}-never-end-projector-1366.png")
    screen.set_viewport_size(PROJECTOR)
    expect(desk.get_by_role("cell", name="Ada").first).to_be_visible()  # the teacher ranks
    room.stage("never-end")


NOT_SENT = "Not sent: reconnecting… Press it again once connected."


def test_a_command_pressed_while_the_dashboard_reconnects_is_refused_on_screen_not_queued(
        room: KindsClassroom) -> None:
    desk = teacher(room)
    ada = student(room, "s1", "Ada")
    status = desk.locator("#control-status")
    lock = desk.get_by_role("checkbox", name="Lock joining (nobody new can join)")
    room.server.stop()
    expect(desk.get_by_text("Connection lost — reconnecting…")).to_be_visible()
    desk.get_by_role("button", name="Next").click()
    expect(status).to_have_text(NOT_SENT)
    lock.click()
    expect(lock).not_to_be_checked()  # the room's setting, not one that was never sent
    expect(status).to_have_text(NOT_SENT)
    desk.screenshot(path=room.screenshots / f"{room.name}-refused-instructor.png", full_page=True)
    room.server.start()
    expect(desk.get_by_text("Connection lost — reconnecting…")).to_be_hidden(timeout=20_000)
    expect(status).to_have_text("Connected again. Press it again if you still want it.")
    expect(desk.locator("#state-label")).to_have_text("lobby")  # nothing was queued
    expect(lock).not_to_be_checked()
    desk.get_by_role("button", name="Next").click()  # usable again: one press, one step
    expect(ada.get_by_role("heading", name="Standard: pick A")).to_be_visible()
    expect(desk.locator("#state-label")).to_have_text("question open")
    expect(status).to_have_text("")
    room.stage("reconnected")


def test_a_command_a_dying_socket_swallowed_is_reported_and_pressed_again_once_back(
        room: KindsClassroom) -> None:
    ada = student(room, "s1", "Ada")
    links: list[dict[str, Any]] = []  # each socket the page opens, through a link we can cut

    def half_open(page_side: WebSocketRoute) -> None:
        link = {"dead": False, "page": page_side}
        server_side = page_side.connect_to_server()
        page_side.on_message(lambda message: None if link["dead"] else server_side.send(message))
        server_side.on_message(lambda message: None if link["dead"] else page_side.send(message))
        links.append(link)

    context = room.browser.new_context(viewport={"width": 1366, "height": 768})
    desk = context.new_page()
    desk.route_web_socket(re.compile(r"/ws/instructor(\?[^/]*)?$"), half_open)
    desk.goto(f"{room.server.url}/instructor?key={room.server.instructor_key}")
    room.pages["instructor"] = desk
    expect(desk.locator("#state-label")).to_have_text("lobby")
    links[0]["dead"] = True  # the link dies without a word (Wi-Fi gone), then the page sees it
    desk.get_by_role("button", name="Next").click()
    links[0]["page"].close(code=4000, reason="gone")
    expect(desk.locator("#control-status")).to_have_text(
        "The connection dropped just after that: check the screen and press it again if "
        "nothing happened.")
    expect(desk.get_by_text("Connection lost — reconnecting…")).to_be_hidden(timeout=20_000)
    expect(desk.locator("#state-label")).to_have_text("lobby")  # the swallowed Next did nothing
    expect(ada.get_by_role("heading", name="You're in!")).to_be_visible()
    desk.get_by_role("button", name="Next").click()
    expect(ada.get_by_role("heading", name="Standard: pick A")).to_be_visible()
