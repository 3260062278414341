"""What the pages say about results, in a real browser: the words the results model gives.

Same rules as test_browser.py (Debian's chromium, the real server in its own
process, waits on page conditions, every stage screenshotted and checked with
axe-core).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_browser import (  # noqa: F401
    DASHBOARD,
    PHONE_390,
    Classroom,
    assert_readable_from_the_back,
    classroom,
    join,
)

pytestmark = pytest.mark.browser
SMALL_PROJECTOR = {"width": 1366, "height": 768}
NAMES = {"s1": "Ada", "s2": "Bo", "s3": "Cy", "s4": "Dee", "s5": "Eve"}


def test_everyone_tied_for_first_stands_on_the_podium_and_no_answer_is_told_from_not_present(
        classroom: Classroom) -> None:  # noqa: F811
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    screen = classroom.projector()
    small = classroom.projector(SMALL_PROJECTOR)
    classroom.pages["projector-1366"] = classroom.pages.pop("projector")
    classroom.pages["projector"] = screen
    phones = {s: classroom.student(s, name, PHONE_390) for s, name in NAMES.items() if s != "s5"}
    teacher.get_by_role("button", name="Next").click()
    for phone in phones.values():
        expect(phone.locator("#question-number")).to_have_text("Question 1 of 3")
    expect(teacher.locator("#current-histogram")).to_contain_text("Not answered yet: 4")
    expect(teacher.locator("#current-histogram")).not_to_contain_text("No answer")
    classroom.stage("open")
    teacher.get_by_role("button", name="Close now").click()
    # Everyone was there and nobody answered: four "no answer", none "not present".
    expect(teacher.locator("#current-histogram")).to_contain_text("No answer: 4")
    expect(screen.locator("#reveal-answers")).to_contain_text("No answer: 4")
    expect(teacher.locator("#current-answered")).to_have_text("Answered 0 of 4")
    late = classroom.open("student-s5", "/", PHONE_390)  # late: not present for question 1
    join(late, "s5", NAMES["s5"])
    expect(late.get_by_role("heading", name="You joined after this question")).to_be_visible()
    classroom.stage("reveal")
    teacher.get_by_role("button", name="End quiz…").click()
    teacher.get_by_role("dialog").get_by_role("button", name="End quiz").click()
    # Five tied at 0 for first: all five stand on the top step, on either screen.
    for projector in (screen, small):
        expect(projector.locator("#podium li")).to_have_count(5)
        expect(projector.locator("#podium .podium-step-first")).to_have_count(5)
    assert_readable_from_the_back(screen)  # the 28 px floor is the 1080p screen's
    for phone in (*phones.values(), late):
        expect(phone.locator("#end-answered")).to_have_text("0 of 1")
    classroom.stage("podium")
