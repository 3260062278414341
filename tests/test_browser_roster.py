"""A run that uses a class list, in a real browser: the teacher imports the list and picks
it for the run; a phone whose id is not on it is refused, one on it confirms "Are you
Ada Lovelace?" and joins under that name; the teacher edits, adds and removes a row.
Same rules as test_browser.py (Debian's chromium, the real server in its own process,
every stage screenshotted and checked with axe-core)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from .test_browser import DASHBOARD, PHONE_390, Classroom, classroom  # noqa: F401
from .test_roster import CLASS_CSV

pytestmark = pytest.mark.browser


def dashboard_with_class_7b(classroom: Classroom, tmp_path: Path) -> Page:  # noqa: F811
    """The dashboard, once the class list 7B is imported on it."""
    teacher = classroom.open("instructor", f"/instructor?key={classroom.server.instructor_key}",
                             DASHBOARD)
    class_file = tmp_path / "7B.csv"
    class_file.write_bytes(CLASS_CSV)
    teacher.get_by_label("Import a class list").set_input_files(class_file)
    expect(teacher.get_by_text("The class 7B is imported.")).to_be_visible()
    return teacher


def test_a_roster_run_refuses_an_id_not_on_the_list_and_one_on_it_confirms_their_name(
        classroom: Classroom, tmp_path: Path) -> None:  # noqa: F811
    teacher = dashboard_with_class_7b(classroom, tmp_path)
    expect(teacher.get_by_role("listitem").filter(has_text="line 5: name is empty")).to_be_visible()
    teacher.get_by_label("This run's class").select_option(label="7B")
    expect(teacher.get_by_label("Also let in students not on the list")).to_be_enabled()

    stranger = classroom.open("student-s7", "/", PHONE_390)
    expect(stranger.get_by_label("Your name")).to_be_hidden()
    stranger.get_by_label("Student ID").fill("s7")
    stranger.get_by_role("button", name="Join").click()
    expect(stranger.get_by_role("alert")).to_have_text(
        "That student ID is not on the class list. Check it, or ask your teacher.")

    ada = classroom.open("student-s1", "/", PHONE_390)
    ada.get_by_label("Student ID").fill("s1")
    ada.get_by_role("button", name="Join").click()
    confirm = ada.get_by_role("group", name="Are you Ada Lovelace?")
    expect(confirm).to_be_visible()
    classroom.stage("confirm")
    confirm.get_by_role("button", name="Yes, that's me").click()
    expect(ada.locator("#lobby-view")).to_be_visible()
    students = teacher.get_by_role("region", name="Students table")
    expect(students.get_by_role("cell", name="Ada Lovelace", exact=True)).to_be_visible()

    # Edit a row, add a student, remove one. The table's refresh after the save is held
    # until the new student is typed in: what the teacher typed must outlive it.
    held: list[Route] = []
    teacher.route("**/api/instructor/classes",
                  lambda route: held.append(route) if route.request.method == "GET"
                  else route.continue_())
    teacher.get_by_label("Name of Dee Dijkstra (s5)").fill("Dee D.")
    with teacher.expect_request(lambda request: request.method == "GET"
                                and request.url.endswith("/api/instructor/classes")):
        teacher.get_by_role("button", name="Save Dee Dijkstra (s5)").click()
    expect(teacher.get_by_text("Dee D. (s5) is saved.")).to_be_visible()
    teacher.get_by_label("New student's ID").fill("s9")
    teacher.get_by_label("New student's name").fill("Eve")
    assert held, "the refresh after the save was not held"
    for route in held:
        route.continue_()
    teacher.unroute("**/api/instructor/classes")
    expect(teacher.get_by_label("Name of Dee D. (s5)")).to_have_value("Dee D.")
    expect(teacher.get_by_label("New student's name")).to_have_value("Eve")
    teacher.get_by_role("button", name="Add", exact=True).click()
    expect(teacher.get_by_label("Name of Eve (s9)")).to_have_value("Eve")
    teacher.get_by_role("button", name="Remove Bob Babbage (s2)").click()
    expect(teacher.get_by_text("Bob Babbage (s2) is removed.")).to_be_visible()
    table = teacher.get_by_role("region", name="Students of the class 7B")
    expect(table.get_by_role("rowheader")).to_have_text(["s1", "s5", "s9"])
    classroom.stage("edited")

    # A student not on the list who says "No" goes back to the id.
    late = classroom.open("student-s5", "/", PHONE_390)
    late.get_by_label("Student ID").fill("s5")
    late.get_by_role("button", name="Join").click()
    late.get_by_role("button", name="No, change the ID").click()
    expect(late.get_by_label("Student ID")).to_be_focused()
    expect(late.get_by_label("Student ID")).to_have_value("")

    # Deleting the class asks first: Cancel keeps it, confirming deletes it.
    teacher.get_by_role("button", name="Delete the class 7B").click()
    dialog = teacher.get_by_role("dialog")
    expect(dialog).to_contain_text("Ended runs that used it keep their results and their list.")
    classroom.stage("delete-class")
    dialog.get_by_role("button", name="Cancel").click()
    expect(table).to_be_visible()
    teacher.get_by_role("button", name="Delete the class 7B").click()
    dialog.get_by_role("button", name="Delete the class 7B").click()
    expect(teacher.get_by_text("The class 7B is deleted.")).to_be_visible()
    expect(table).to_be_hidden()


def test_the_guests_box_keeps_an_ended_runs_list_once_its_class_is_deleted(
        classroom: Classroom, tmp_path: Path) -> None:  # noqa: F811
    """The run has ended and its class was deleted since: the run keeps its copy of the
    list, for its gradebook. The guests box sent the class picker's value, which lists no
    deleted class: a tick took the ended run's list away. It speaks for the class the
    run uses, whatever the picker lists."""
    teacher = dashboard_with_class_7b(classroom, tmp_path)
    teacher.get_by_label("This run's class").select_option(label="7B")
    guests = teacher.get_by_label("Also let in students not on the list")
    expect(guests).to_be_enabled()
    teacher.get_by_role("button", name="End quiz…").click()
    teacher.get_by_role("dialog").get_by_role("button", name="End quiz").click()
    expect(teacher.get_by_role("button", name="End quiz…")).to_be_disabled()
    teacher.get_by_role("button", name="Delete the class 7B").click()
    teacher.get_by_role("dialog").get_by_role("button", name="Delete the class 7B").click()
    expect(teacher.get_by_text("The class 7B is deleted.")).to_be_visible()
    classes = classroom.server.url + "/api/instructor/classes"
    class_id = teacher.request.get(classes).json()["run_class"]["class_id"]
    with teacher.expect_response(lambda response: response.url.endswith("/run_class")):
        guests.check()
    assert teacher.request.get(classes).json()["run_class"] == {"class_id": class_id,
                                                                "guests": True}
    expect(guests).to_be_checked()
