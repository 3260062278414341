"""The teacher's room controls in real browsers: Lock joining.

Same rules as test_browser.py: Debian's chromium, the real server in its own process,
waits on page conditions only; every stage passes axe with no violation.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_browser import join
from .test_browser_kinds import PHONE, KindsClassroom, student, teacher
from .test_browser_kinds import room as room  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


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
