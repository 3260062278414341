"""Class lists: read from CSV and .xlsx, kept in the data file, edited on the dashboard's
routes; a run that uses one lets in only its students, under the list's names, and its
gradebook has a "not present" row for each who never joined."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import trio

from trivia_trio.config import Settings
from trivia_trio.core import roster
from trivia_trio.core.paced import Accommodation
from trivia_trio.room.paced import choose_pace
from trivia_trio.store import database, exports
from trivia_trio.store import roster as rosters
from trivia_trio.tools.http_client import request
from trivia_trio.web.server import ServerInfo

from .conftest import DISK_REFUSED, THREE_QUESTIONS, get, instructor_cookie, join
from .test_exports import BUDGET_S, download, play
from .test_spreadsheets import csv_rows

CLASS_CSV = ("\ufeffstudent_id;name;extra_time;no_speed_penalty\r\n"
             "s1;Ada Lovelace;;\r\n"
             "s2;Bob Babbage;1,5;yes\r\n"
             "\r\n"
             "s3;;2;\r\n"             # no name
             "s4;Cy;3;\r\n"           # no such extra time
             "s2;Bob again;;\r\n"     # listed already
             "s5;Dee Dijkstra;x2;no\r\n").encode()


def test_a_class_list_csv_reads_its_students_and_says_which_rows_it_skipped() -> None:
    students, skipped = roster.parse(CLASS_CSV, "7B.csv")
    assert students == [
        roster.Student("s1", "Ada Lovelace"),
        roster.Student("s2", "Bob Babbage", Accommodation(1.5, True)),
        roster.Student("s5", "Dee Dijkstra", Accommodation(2.0, False))]
    assert skipped == ["line 5: name is empty", "line 6: extra_time must be one of 1, 1.5, 2",
                       "line 7: student id 's2' is listed already"]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_class_list_in_a_spreadsheet_reads_the_same_with_numbers_as_numbers() -> None:
    raw = xlsx([["Student ID", "Name", "Extra time", "No speed penalty"],
                [101, "Ada Lovelace", None, None], [102, "Bob Babbage", 1.5, True],
                [103, None, 2, None]])
    students, skipped = roster.parse(raw, "7B.xlsx")
    assert students == [roster.Student("101", "Ada Lovelace"),
                        roster.Student("102", "Bob Babbage", Accommodation(1.5, True))]
    assert skipped == ["row 4: name is empty"]


@pytest.mark.parametrize(("raw", "name", "words"), [
    (b"id,who\ns1,Ada\n", "x.csv", "the header lacks student_id, name"),
    (b"\xff\xfe", "x.csv", "not UTF-8"),
    (b"student_id,name\n", "x.xlsx", "not an .xlsx"),
])
def test_a_class_list_that_cannot_be_read_says_why(raw: bytes, name: str, words: str) -> None:
    with pytest.raises(roster.RosterError, match=words):
        roster.parse(raw, name)


# ---- over a real server ------------------------------------------------------------------
async def call(server: ServerInfo, method: str, path: str, cookie: str, **kwargs: Any) -> Any:
    return await request(method, server.url + path, headers={"Cookie": cookie,
                                                             **kwargs.pop("headers", {})},
                         **kwargs)


async def import_class(server: ServerInfo, teacher: str, raw: bytes = CLASS_CSV) -> int:
    reply = await call(server, "POST", "/api/instructor/classes/import", teacher, body=raw,
                       headers={"X-Filename": "7B.csv", "X-Class-Name": "Class%207B"})
    assert reply.status == 200, reply.text
    assert reply.json()["name"] == "Class 7B" and reply.json()["students"] == 3
    assert len(reply.json()["skipped"]) == 3
    return int(reply.json()["class_id"])


async def run_with_class(server: ServerInfo, teacher: str, guests: bool = False) -> int:
    """Import the class list and make it the run's; its id."""
    class_id = await import_class(server, teacher)
    await call(server, "PUT", "/api/instructor/run_class", teacher,
               json={"class_id": class_id, "guests": guests})
    return class_id


async def test_a_class_is_kept_edited_and_a_run_that_uses_it_lets_in_only_its_students(
        server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        class_id = await import_class(server, teacher)
        base = f"/api/instructor/classes/{class_id}/students"
        # Edit a row, add one, remove one.
        assert (await call(server, "PUT", f"{base}/s5", teacher,
                           json={"name": "Dee D.", "extra_time": 1.5})).status == 200
        assert (await call(server, "PUT", f"{base}/s9", teacher,
                           json={"name": "Eve", "no_speed_penalty": True})).status == 200
        assert (await call(server, "PUT", f"{base}/s9", teacher,
                           json={"name": "Eve", "extra_time": 3})).status == 400
        assert (await call(server, "DELETE", f"{base}/s2", teacher)).json() == {"removed": True}
        listed = (await get(server, "/api/instructor/classes", teacher)).json()
        assert listed["run_class"] is None
        assert [(s["student_id"], s["name"], s["extra_time"], s["no_speed_penalty"])
                for s in listed["classes"][0]["students"]] == [
            ("s1", "Ada Lovelace", 1.0, False), ("s5", "Dee D.", 1.5, False),
            ("s9", "Eve", 1.0, True)]

        # Before the class is used anyone may join; then only the list's students.
        assert (await get(server, "/api/roster")).json() == {"roster": False, "guests": False}
        assert (await call(server, "PUT", "/api/instructor/run_class", teacher,
                           json={"class_id": class_id, "guests": False})).status == 200
        assert (await get(server, "/api/roster")).json() == {"roster": True, "guests": False}
        check = await request("POST", server.url + "/api/join/check",
                              json={"student_id": "s1"})
        assert check.json() == {"student_id": "s1", "name": "Ada Lovelace"}
        for path in ("/api/join/check", "/api/join"):
            refused = await request("POST", server.url + path,
                                    json={"student_id": "s7", "name": "Mallory"})
            assert refused.status == 403 and refused.json()["code"] == "not_on_roster"
        # On the list: the list's name, whatever was typed.
        await join(server, "s1", "Someone Else")
        assert server.room.game.participants["s1"].name == "Ada Lovelace"
        assert "s7" not in server.room.game.participants

        # Guests allowed: an id not on the list joins under the name typed.
        await call(server, "PUT", "/api/instructor/run_class", teacher,
                   json={"class_id": class_id, "guests": True})
        guest = await request("POST", server.url + "/api/join/check", json={"student_id": "g1"})
        assert guest.json() == {"student_id": "g1", "name": None}
        await join(server, "g1", "Guest")


async def test_several_classes_are_kept_in_the_data_file_and_one_is_deleted_alone(
        server: ServerInfo, settings: Settings) -> None:
    """A class from a CSV and one from a spreadsheet, both kept in the data file with
    their accommodations; deleting one leaves the other as it was."""
    sheet = xlsx([["student_id", "name", "extra_time", "no_speed_penalty"],
                  [201, "Eve Euler", 2, True], [202, "Fay Fermat", 1.5, "no"],
                  [203, "Gus", 3, None]])
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        first = await import_class(server, teacher)
        reply = await call(server, "POST", "/api/instructor/classes/import", teacher,
                           body=sheet, headers={"X-Filename": "8C.xlsx"})
        assert reply.status == 200, reply.text
        assert reply.json() | {"class_id": 0} == {
            "class_id": 0, "name": "8C", "students": 2,
            "skipped": ["row 4: extra_time must be one of 1, 1.5, 2"]}
        second = int(reply.json()["class_id"])
        listed = (await get(server, "/api/instructor/classes", teacher)).json()["classes"]
        with sqlite3.connect(settings.db_path) as db:
            kept = db.execute("SELECT class_id, student_id, name, extra_time, no_speed_penalty"
                              " FROM class_students ORDER BY class_id, position").fetchall()
        assert (await call(server, "DELETE", f"/api/instructor/classes/{first}",
                           teacher)).json() == {"class_id": first}
        left = (await get(server, "/api/instructor/classes", teacher)).json()["classes"]
    assert [(c["class_id"], c["name"], len(c["students"])) for c in listed] == [
        (first, "Class 7B", 3), (second, "8C", 2)]
    assert kept == [(first, "s1", "Ada Lovelace", 1.0, 0), (first, "s2", "Bob Babbage", 1.5, 1),
                    (first, "s5", "Dee Dijkstra", 2.0, 0),
                    (second, "201", "Eve Euler", 2.0, 1), (second, "202", "Fay Fermat", 1.5, 0)]
    assert left == listed[1:]


async def test_a_class_edit_during_a_run_is_seen_by_the_next_join_and_joins_read_no_list(
        server: ServerInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The room keeps its run's class list: joins, checks and ``/api/roster`` read it
    from the database once, and again only after the teacher edits the class."""
    reads: list[int] = []
    read = rosters.run_class

    def counted(conn: Any, run_id: int) -> Any:
        reads.append(run_id)
        return read(conn, run_id)

    monkeypatch.setattr(rosters, "run_class", counted)
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        class_id = await run_with_class(server, teacher)

        async def ask(path: str, student_id: str) -> tuple[int, str | None]:
            reply = await request("POST", server.url + path,
                                  json={"student_id": student_id, "name": "Typed"})
            return reply.status, reply.json().get("code")

        await join(server, "s1", "Ada")
        assert (await ask("/api/join/check", "s5"))[0] == 200
        assert (await get(server, "/api/roster")).json() == {"roster": True, "guests": False}
        assert await ask("/api/join/check", "s9") == (403, "not_on_roster")
        await server.room.run_to_completion(server.room.advance)  # question 1 is open
        assert reads == [server.room.run_id]  # once for the run, whoever asked

        base = f"/api/instructor/classes/{class_id}/students"
        assert (await call(server, "PUT", f"{base}/s9", teacher,
                           json={"name": "Eve"})).status == 200
        assert (await call(server, "DELETE", f"{base}/s2", teacher)).json() == {"removed": True}
        assert await ask("/api/join/check", "s9") == (200, None)
        await join(server, "s9", "Typed")
        assert server.room.game.participants["s9"].name == "Eve"  # the list's name
        for path in ("/api/join/check", "/api/join"):
            assert await ask(path, "s2") == (403, "not_on_roster")
        await join(server, "s5", "Dee")
        assert reads == [server.room.run_id] * 2  # read again once, after the edit
    assert list(server.room.game.participants) == ["s1", "s9", "s5"]


async def test_the_gradebook_has_a_not_present_row_for_each_listed_student_who_never_joined(
        server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        await run_with_class(server, teacher)
        await play(server, [("s1", "Ada", ["B", "A", "B"])])
        table = csv_rows(await download(server, "/api/instructor/gradebook.csv", teacher))
        term = csv_rows(await download(
            server, f"/api/instructor/runs/gradebook.csv?runs={server.room.run_id}", teacher))
    assert [row[:2] for row in table[1:]] == [["s1", "Ada Lovelace"], ["s2", "Bob Babbage"],
                                               ["s5", "Dee Dijkstra"]]
    assert table[2][2:] == ["-"] * (len(table[0]) - 3) + [""]
    assert [row[:2] for row in term[1:]] == [row[:2] for row in table[1:]]
    assert term[3][2:4] == ["-", "-"]


async def an_ended_runs_gradebooks(server: ServerInfo, teacher: str
                                   ) -> tuple[int, tuple[str, str], list[list[list[str]]]]:
    """A run of the class list that Ada alone joined, played to its end: (the class id,
    the paths of the run's gradebook and of the gradebook across runs, their tables)."""
    class_id = await run_with_class(server, teacher)
    await play(server, [("s1", "Ada", ["B", "A", "B"])])
    run_id = server.room.run_id
    paths = (f"/api/instructor/gradebook.csv?run={run_id}",
             f"/api/instructor/runs/gradebook.csv?runs={run_id}")
    return class_id, paths, [csv_rows(await download(server, path, teacher)) for path in paths]


async def test_an_ended_runs_gradebooks_keep_its_class_list_when_the_class_is_edited(
        server: ServerInfo) -> None:
    """The run keeps its own copy of the list: editing the class afterwards (a student
    removed, one added, one renamed) changes neither the run's gradebook nor the term's."""
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        class_id, paths, before = await an_ended_runs_gradebooks(server, teacher)
        base = f"/api/instructor/classes/{class_id}/students"
        assert (await call(server, "DELETE", f"{base}/s2", teacher)).json() == {"removed": True}
        assert (await call(server, "PUT", f"{base}/s9", teacher,
                           json={"name": "Eve"})).status == 200
        assert (await call(server, "PUT", f"{base}/s5", teacher,
                           json={"name": "Dee D."})).status == 200
        after = [csv_rows(await download(server, path, teacher)) for path in paths]
        listed = (await get(server, "/api/instructor/classes", teacher)).json()
    assert [s["student_id"] for s in listed["classes"][0]["students"]] == ["s1", "s5", "s9"]
    assert after == before
    assert [[row[:2] for row in table[1:]] for table in after] == [
        [["s1", "Ada Lovelace"], ["s2", "Bob Babbage"], ["s5", "Dee Dijkstra"]]] * 2


async def test_the_id_check_refuses_a_new_id_as_the_join_would_before_naming_anyone(
        server: ServerInfo) -> None:
    """With joining locked, or the quiz ended, the phone's id check said "Are you Gia
    Goldberg?" and only the join after "Yes, that's me" was refused: the check gives the
    join's refusal first, and never names the student."""
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        await run_with_class(server, teacher, guests=True)
        await join(server, "s1", "Ada")

        async def both(student_id: str) -> list[tuple[int, Any]]:
            replies = [await request("POST", server.url + path,
                                     json={"student_id": student_id, "name": "Typed"})
                       for path in ("/api/join/check", "/api/join")]
            return [(r.status, r.json().get("code", r.json().get("name"))) for r in replies]

        await server.room.run_to_completion(server.room.set_joining_locked, True)
        locked = [await both(sid) for sid in ("s2", "g1")]
        joined_check = (await request("POST", server.url + "/api/join/check",
                                      json={"student_id": "s1"})).json()
        await server.room.run_to_completion(server.room.set_joining_locked, False)
        await server.room.run_to_completion(server.room.end_session)
        ended = [await both(sid) for sid in ("s2", "g1")]
    assert locked == [[(403, "joining_locked")] * 2] * 2
    assert joined_check == {"student_id": "s1", "name": "Ada Lovelace"}
    assert ended == [[(409, "quiz_finished")] * 2] * 2


async def test_deleting_a_class_leaves_the_gradebooks_of_its_ended_runs_as_they_were(
        server: ServerInfo) -> None:
    """An ended run's gradebooks say the same forever, even once its class is deleted
    (they lost their "not present" rows); the class is gone from the list, its edits are
    refused, and the run going on then lets anyone in."""
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        class_id, paths, before = await an_ended_runs_gradebooks(server, teacher)
        ended = server.room.run_id
        await server.room.reset()  # a new run, of the same class
        await call(server, "PUT", "/api/instructor/run_class", teacher,
                   json={"class_id": class_id, "guests": False})
        assert (await call(server, "DELETE", f"/api/instructor/classes/{class_id}",
                           teacher)).json() == {"class_id": class_id}
        after = [csv_rows(await download(server, path, teacher)) for path in paths]
        runs = (await get(server, "/api/instructor/runs", teacher)).json()["runs"]
        listed = (await get(server, "/api/instructor/classes", teacher)).json()
        edit = await call(server, "PUT", f"/api/instructor/classes/{class_id}/students/s9",
                          teacher, json={"name": "Eve"})
        use = await call(server, "PUT", "/api/instructor/run_class", teacher,
                         json={"class_id": class_id, "guests": False})
        await join(server, "g1", "Guest")  # the run going on has no list any more
    assert after == before
    assert [row[:2] for row in after[0][1:]] == [["s1", "Ada Lovelace"], ["s2", "Bob Babbage"],
                                                 ["s5", "Dee Dijkstra"]]
    assert [(run["run_id"], run["class_name"]) for run in runs] == [
        (ended, "Class 7B"), (server.room.run_id, None)]
    assert listed["classes"] == [] and listed["run_class"] is None
    assert (edit.status, use.status) == (404, 404)


async def test_the_guests_box_after_the_end_leaves_the_ended_runs_list_as_it_was(
        server: ServerInfo) -> None:
    """The dashboard's guests box sends the class in use again: that took a new copy of
    the class's list, so an ended run's gradebook lost a student removed from the class
    since. Only picking another class takes a new copy."""
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        class_id = await run_with_class(server, teacher)
        await play(server, [("s1", "Ada", ["B", "A", "B"])])
        path = f"/api/instructor/gradebook.csv?run={server.room.run_id}"
        before = csv_rows(await download(server, path, teacher))
        base = f"/api/instructor/classes/{class_id}/students"
        assert (await call(server, "DELETE", f"{base}/s2", teacher)).json() == {"removed": True}
        for guests in (True, False):  # the box ticked, then unticked
            assert (await call(server, "PUT", "/api/instructor/run_class", teacher,
                               json={"class_id": class_id, "guests": guests})).status == 200
            assert csv_rows(await download(server, path, teacher)) == before
        used = (await get(server, "/api/instructor/classes", teacher)).json()["run_class"]
    assert [row[0] for row in before[1:]] == ["s1", "s2", "s5"]
    assert used["class_id"] == class_id and used["guests"] is False


def test_the_runs_of_a_data_file_from_before_runs_kept_their_list_get_one_at_start(
        tmp_path: Path) -> None:
    """Such a run's list is its class as the file is opened (the best its record can say);
    from then on, an ended run's list no longer follows the class."""
    path = tmp_path / "old.sqlite3"
    conn = database.connect(path)
    run_id = database.new_run(conn, "t", json.dumps(THREE_QUESTIONS), 1000)
    students, _ = roster.parse(CLASS_CSV, "7B.csv")
    class_id = rosters.add_class(conn, name="7B", students=students, now=1000)
    rosters.use_class(conn, run_id=run_id, class_id=class_id, guests=False)
    database.finish_run(conn, run_id, 2000)
    conn.execute("DROP TABLE run_roster")  # as a file from before it was kept
    conn.close()

    conn = database.connect(path)
    used = rosters.run_class(conn, run_id)
    assert used is not None and list(used.students) == ["s1", "s2", "s5"]
    before = exports.gradebook_rows(conn, run_id)
    rosters.remove_student(conn, class_id=class_id, student_id="s2")
    rosters.put_student(conn, class_id=class_id, student=roster.Student("s9", "Eve"))
    assert exports.gradebook_rows(conn, run_id) == before
    assert [row[0] for row in before[1:]] == ["s1", "s2", "s5"]
    conn.close()


async def test_a_listed_student_who_never_joined_is_not_present_only_where_the_model_says(
        server: ServerInfo) -> None:
    """Their cells are the results model's, as for a student who joined: ``-`` for a
    question asked and closed, empty for one never asked (README's gradebook words)."""
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        await run_with_class(server, teacher)
        await play(server, [("s1", "Ada", ["B", "A"])])  # the third is never asked
        table = csv_rows(await download(server, "/api/instructor/gradebook.csv", teacher))
    bob = next(row for row in table if row[0] == "s2")
    assert dict(zip(table[0], bob, strict=True)) | {"name": ""} == dict(zip(table[0], [
        "s2", "", "-", "-", "-", "-", "-", "", ""], strict=True))


async def test_class_routes_are_the_instructors_and_refuse_bad_input_changing_nothing(
        server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        for method, path in (("GET", "/api/instructor/classes"),
                             ("POST", "/api/instructor/classes/import"),
                             ("PUT", "/api/instructor/run_class"),
                             ("DELETE", "/api/instructor/classes/1")):
            assert (await request(method, server.url + path)).status == 403
        bad = await call(server, "POST", "/api/instructor/classes/import", teacher,
                         body=b"id,who\n1,2\n", headers={"X-Filename": "x.csv"})
        assert bad.status == 400 and bad.json()["code"] == "bad_roster"
        assert (await call(server, "PUT", "/api/instructor/run_class", teacher,
                           json={"class_id": 99, "guests": False})).status == 404
        assert (await call(server, "DELETE", "/api/instructor/classes/99", teacher)).status \
            == 404
        assert (await get(server, "/api/instructor/classes", teacher)).json() == {
            "classes": [], "run_class": None}


@DISK_REFUSED
async def test_a_class_change_the_disk_refuses_is_a_503_and_changes_nothing(
        server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        class_id = await import_class(server, teacher)
        before = (await get(server, "/api/instructor/classes", teacher)).json()
        server.room.store.conn.execute("PRAGMA query_only = 1")
        base = f"/api/instructor/classes/{class_id}"
        for method, path, body in (("PUT", f"{base}/students/s9", {"name": "Eve"}),
                                   ("DELETE", f"{base}/students/s1", None),
                                   ("DELETE", base, None),
                                   ("PUT", "/api/instructor/run_class",
                                    {"class_id": class_id, "guests": False})):
            reply = await call(server, method, path, teacher, json=body)
            assert (reply.status, reply.json()["code"]) == (503, "storage"), (method, path)
        server.room.store.conn.execute("PRAGMA query_only = 0")
        assert (await get(server, "/api/instructor/classes", teacher)).json() == before


async def test_a_listed_students_extra_time_applies_in_a_student_paced_run(
        server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        await run_with_class(server, teacher, guests=True)
        await server.room.run_to_completion(choose_pace, server.room, "student", None)
        await join(server, "s2", "Bob")  # 1.5 and no speed penalty on the list
        await join(server, "g1", "Guest")
        progress = server.room.paced.run.progress
        assert progress["s2"].accommodation == Accommodation(1.5, True)
        assert progress["g1"].accommodation == Accommodation()
        assert progress["s2"].current.limit_ms == 1.5 * progress["g1"].current.limit_ms
