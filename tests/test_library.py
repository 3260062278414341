"""The quiz library over HTTP on a real server: keep, check, run, export, delete and undo."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import trio

from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.store import library
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.tools.http_client import Response, request
from trivia_trio.web.server import ServerInfo

from .conftest import THREE_QUESTIONS, connect, get, instructor_cookie, join

LIB = "/api/instructor/library"


def no_pictures(name: str) -> bool:
    """A data folder holding no picture."""
    return False



async def call(info: ServerInfo, method: str, path: str, cookie: str, body: Any = None,
               raw: bytes | None = None, filename: str | None = None) -> Response:
    headers = {"Cookie": cookie}
    if filename:
        headers["X-Filename"] = filename
    if raw is not None:
        headers["Content-Length"] = str(len(raw))
        return await request(method, info.url + path, body=raw, headers=headers)
    return await request(method, info.url + path, json=body, headers=headers)


async def listing(info: ServerInfo, cookie: str) -> list[dict[str, Any]]:
    response = await get(info, LIB, cookie)
    assert response.status == 200, response.text
    return response.json()["quizzes"]


async def test_the_start_file_is_kept_in_the_library_and_found_again(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    [entry] = await listing(server, cookie)
    assert entry["title"] == "Three questions"
    assert entry["questions"] == 3
    assert entry["kinds"] == ["choice"]
    assert entry["draft"] is False
    assert entry["last_run"]["students"] == 0

    again = await call(server, "POST", f"{LIB}/import", cookie,
                       raw=json.dumps(THREE_QUESTIONS).encode(), filename="three.json")
    assert again.status == 200, again.text
    assert again.json()["found"] is True
    assert again.json()["quiz_id"] == entry["quiz_id"]
    assert len(await listing(server, cookie)) == 1


async def test_every_library_route_is_instructor_only(server: ServerInfo) -> None:
    student = await join(server, "s1", "Ada")
    for method, path in [("GET", LIB), ("POST", LIB), ("GET", f"{LIB}/1"), ("PUT", f"{LIB}/1"),
                         ("DELETE", f"{LIB}/1"), ("POST", f"{LIB}/1/duplicate"),
                         ("POST", f"{LIB}/1/undelete"), ("POST", f"{LIB}/import"),
                         ("GET", f"{LIB}/1/export?format=json"), ("POST", f"{LIB}/1/run")]:
        for cookie in (None, student):
            response = await request(method, server.url + path, json={"quiz": {}},
                                     headers={"Cookie": cookie} if cookie else None)
            assert response.status == 403, (method, path, cookie)


async def test_a_quiz_with_problems_is_a_draft_in_the_words_of_check(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    broken = {"title": "Draft", "questions": [
        {"text": "Pick one", "options": ["only one"], "correct": "C"}]}
    created = await call(server, "POST", LIB, cookie, {"quiz": broken})
    assert created.status == 200, created.text
    with pytest.raises(QuizError) as checked:
        load_quiz(json.dumps(broken).encode(), filename="draft.json")
    assert created.json()["problems"] == checked.value.problems
    quiz_id = created.json()["quiz_id"]

    refused = await call(server, "POST", f"{LIB}/{quiz_id}/run", cookie)
    assert refused.status == 409
    assert refused.json()["problems"] == checked.value.problems
    assert server.room.game.quiz.title == "Three questions"

    fixed = {"title": "Fixed", "questions": [
        {"text": "Pick one", "options": ["yes", "no"], "correct": "A"}]}
    saved = await call(server, "PUT", f"{LIB}/{quiz_id}", cookie, {"quiz": fixed})
    assert saved.json()["problems"] == []
    kept = (await get(server, f"{LIB}/{quiz_id}", cookie)).json()
    assert kept["quiz"] == fixed and kept["draft"] is False
    ran = await call(server, "POST", f"{LIB}/{quiz_id}/run", cookie)
    assert ran.status == 200, ran.text
    assert server.room.game.quiz.title == "Fixed"


async def test_a_bad_import_changes_nothing(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    before = await listing(server, cookie)
    bad = b"question,A,B,correct\nWhat?,yes,no,Z\n"
    response = await call(server, "POST", f"{LIB}/import", cookie, raw=bad,
                          filename="bad.csv")
    assert response.status == 400
    assert response.json()["problems"]
    assert await listing(server, cookie) == before


async def test_delete_hides_a_quiz_and_undo_brings_it_back(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    [entry] = await listing(server, cookie)
    copy = await call(server, "POST", f"{LIB}/{entry['quiz_id']}/duplicate", cookie)
    copy_id = copy.json()["quiz_id"]
    titles = sorted(q["title"] for q in await listing(server, cookie))
    assert titles == ["Three questions", "Three questions (copy)"]

    deleted = await call(server, "DELETE", f"{LIB}/{copy_id}", cookie)
    assert deleted.status == 200
    assert [q["quiz_id"] for q in await listing(server, cookie)] == [entry["quiz_id"]]
    assert (await get(server, f"{LIB}/{copy_id}", cookie)).status == 404
    undone = await call(server, "POST", f"{LIB}/{copy_id}/undelete", cookie)
    assert undone.status == 200
    assert len(await listing(server, cookie)) == 2


async def test_a_save_based_on_an_older_version_is_refused_and_changes_nothing(
        server: ServerInfo) -> None:
    """Two tabs on one quiz: the second tab's save must not overwrite the first's."""
    cookie = await instructor_cookie(server)
    [entry] = await listing(server, cookie)
    path = f"{LIB}/{entry['quiz_id']}"
    opened = (await get(server, path, cookie)).json()["edited_at"]  # both tabs open this
    first = await call(server, "PUT", path, cookie,
                       {"quiz": THREE_QUESTIONS | {"title": "Tab A"}, "edited_at": opened})
    assert first.status == 200, first.text
    version = first.json()["edited_at"]
    assert version > opened
    second = await call(server, "PUT", path, cookie,
                        {"quiz": THREE_QUESTIONS | {"title": "Tab B"}, "edited_at": opened})
    assert second.status == 409
    assert second.json() | {"message": ""} == {
        "code": "edited_elsewhere", "message": "", "quiz_id": entry["quiz_id"],
        "edited_at": version}
    kept = (await get(server, path, cookie)).json()
    assert (kept["title"], kept["edited_at"]) == ("Tab A", version)
    # Tab A goes on from its own version; each save is a new version, even in one ms.
    again = await call(server, "PUT", path, cookie,
                       {"quiz": THREE_QUESTIONS | {"title": "Tab A, again"},
                        "edited_at": version})
    assert again.status == 200 and again.json()["edited_at"] > version
    for bad in ("1", True, 1.5):
        refused = await call(server, "PUT", path, cookie,
                             {"quiz": THREE_QUESTIONS, "edited_at": bad})
        assert refused.status == 400, bad


def test_every_save_is_a_later_version_even_within_one_millisecond(tmp_path: Path) -> None:
    from trivia_trio.store.database import connect as open_db

    conn = open_db(tmp_path / "db.sqlite3")
    quiz_id = library.add(conn, library.check(THREE_QUESTIONS, held=no_pictures), now=5)
    versions = [library.save(conn, quiz_id, library.check(THREE_QUESTIONS, held=no_pictures), now=5)
                for _ in range(3)]
    assert versions == [6, 7, 8]
    with pytest.raises(library.EditedElsewhere):
        library.save(conn, quiz_id, library.check(THREE_QUESTIONS, held=no_pictures), now=5, base=7)


def test_undo_is_refused_after_its_window(tmp_path: Path) -> None:
    from trivia_trio.store.database import connect as open_db

    conn = open_db(tmp_path / "db.sqlite3")
    quiz_id = library.add(conn, library.check(THREE_QUESTIONS, held=no_pictures), now=0)
    library.delete(conn, quiz_id, now=1000)
    with pytest.raises(library.NotInLibrary):
        library.undelete(conn, quiz_id, now=1001 + library.UNDO_WINDOW_MS)
    # The next write forgets it for good.
    library.add(conn, library.check(THREE_QUESTIONS, held=no_pictures),
                now=2000 + library.UNDO_WINDOW_MS)
    assert conn.execute("SELECT count(*) FROM library_quizzes WHERE quiz_id = ?",
                        (quiz_id,)).fetchone()[0] == 0


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "gift"])
async def test_an_export_imports_back_as_the_same_quiz(server: ServerInfo, fmt: str) -> None:
    cookie = await instructor_cookie(server)
    [entry] = await listing(server, cookie)
    exported = await get(server, f"{LIB}/{entry['quiz_id']}/export?format={fmt}", cookie)
    assert exported.status == 200, exported.text
    disposition = exported.header("content-disposition") or ""
    assert "Three-questions" in disposition
    back = load_quiz(exported.body, filename=disposition.split('"')[1])
    original = quiz_from_dict(THREE_QUESTIONS)
    assert [q.text for q in back.questions] == [q.text for q in original.questions]
    if fmt == "json":
        assert back == original
        imported = await call(server, "POST", f"{LIB}/import", cookie, raw=exported.body,
                              filename="again.json")
        assert imported.json()["found"] is True
    if fmt == "gift":
        left_out = json.loads(exported.header("x-left-out") or "[]")
        assert "question 3: its time limit" in left_out


async def test_a_run_keeps_its_copy_when_the_quiz_is_edited(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    [entry] = await listing(server, cookie)
    student = await join(server, "s1", "Ada")
    async with connect(server, "/ws/instructor", cookie) as teacher:
        await teacher.until("state")
        async with connect(server, "/ws/student", student) as phone:
            await teacher.send({"type": "end_session"})
            await phone.until("session_ended")
    gradebook = await get(server, "/api/instructor/gradebook.csv", cookie)
    first_run = server.room.run_id

    edited = json.loads(json.dumps(THREE_QUESTIONS))
    edited["questions"][0]["text"] = "Two plus two?"
    saved = await call(server, "PUT", f"{LIB}/{entry['quiz_id']}", cookie, {"quiz": edited})
    assert saved.status == 200
    again = await get(server, f"/api/instructor/gradebook.csv?run={first_run}", cookie)
    assert again.body == gradebook.body
    [listed] = await listing(server, cookie)
    assert (listed["last_run"]["run_id"], listed["last_run"]["students"]) == (first_run, 1)

    ran = await call(server, "POST", f"{LIB}/{entry['quiz_id']}/run", cookie)
    assert ran.status == 200, ran.text
    assert ran.json()["run_id"] != first_run
    assert (await get(server, f"/api/instructor/gradebook.csv?run={first_run}",
                      cookie)).body == gradebook.body
    [listed] = await listing(server, cookie)
    assert listed["last_run"]["run_id"] == ran.json()["run_id"]
    assert listed["last_run"]["students"] == 0
    runs = (await get(server, "/api/instructor/runs", cookie)).json()["runs"]
    assert [(r["title"], r["library_quiz_id"], r["version"]) for r in runs] == [
        ("Three questions", entry["quiz_id"], 1), ("Three questions", entry["quiz_id"], 2)]


def test_importing_the_same_quiz_twice_keeps_it_once() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(library.SCHEMA)
    quiz = quiz_from_dict(THREE_QUESTIONS)
    first, found = library.import_quiz(conn, quiz, now=1)
    second, found_again = library.import_quiz(conn, quiz, now=2)
    assert (found, found_again, first) == (False, True, second)


async def test_uploading_a_quiz_keeps_it_in_the_library(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    other = dict(THREE_QUESTIONS, title="Uploaded")
    response = await request("POST", server.url + "/api/instructor/quiz",
                             body=json.dumps(other).encode(),
                             headers={"Cookie": cookie, "X-Filename": "up.json"})
    assert response.status == 200, response.text
    titles = {q["title"] for q in await listing(server, cookie)}
    assert titles == {"Three questions", "Uploaded"}
    assert server.room.game.quiz.title == "Uploaded"


async def test_run_from_the_library_as_student_paced_or_live(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    created = await call(server, "POST", LIB, cookie, {"quiz": THREE_QUESTIONS})
    quiz_id = created.json()["quiz_id"]
    refused = await call(server, "POST", f"{LIB}/{quiz_id}/run", cookie, {"pace": "fast"})
    assert (refused.status, refused.json()["code"]) == (400, "bad_message")
    assert server.room.paced is None
    ran = await call(server, "POST", f"{LIB}/{quiz_id}/run", cookie, {"pace": "student"})
    assert ran.status == 200, ran.text
    assert server.room.paced is not None
    again = await call(server, "POST", f"{LIB}/{quiz_id}/run", cookie, {"pace": "live"})
    assert again.status == 200, again.text
    assert server.room.paced is None


async def test_two_run_presses_at_once_each_run_their_own_quiz_at_the_pace_they_asked(
        server: ServerInfo) -> None:
    """A press's quiz and pace go in together, in one hold of the room. With two holds,
    a second press loaded its quiz between the first's quiz and pace: the first's pace
    landed on the second's quiz (and a student joining then made a press a 409)."""
    cookie = await instructor_cookie(server)
    ids = {}
    for title in ("Alone", "Together"):
        created = await call(server, "POST", LIB, cookie,
                             {"quiz": THREE_QUESTIONS | {"title": title}})
        ids[title] = created.json()["quiz_id"]
    room, ran = server.room, {}
    load_quiz, waiting = room.load_quiz, [trio.Event(), trio.Event()]

    async def load_in_turn(*args: Any) -> bool:  # says when a press waits for the room
        waiting[waiting[0].is_set()].set()
        return await load_quiz(*args)

    async def press(title: str, pace: str) -> None:
        ran[title] = await call(server, "POST", f"{LIB}/{ids[title]}/run", cookie,
                                {"pace": pace})

    room.load_quiz = load_in_turn  # type: ignore[method-assign]
    async with connect(server, "/ws/projector") as projector:
        await projector.request({"type": "ping"}, "pong")  # what connecting sends is read
        before = len(projector.seen)
        # Both presses wait for the room, in this order; it is theirs once the test lets go.
        async with trio.open_nursery() as nursery, room._lock:
            nursery.start_soon(press, "Alone", "student")
            await waiting[0].wait()
            nursery.start_soon(press, "Together", "live")
            await waiting[1].wait()
        assert [ran[title].status for title in ids] == [200, 200], ran
        await projector.request({"type": "ping"}, "pong")  # every state sent is read
        shown = [(m["title"], m.get("pace", "live")) for m in projector.seen[before:]
                 if m["type"] == "state"]
    assert shown == [("Alone", "student"), ("Together", "live")]
    assert room.game.quiz.title == "Together" and room.paced is None


async def test_a_large_save_is_checked_off_the_event_loop_so_phones_are_answered_meanwhile(
        server: ServerInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check of a saved quiz is held here until a student's ping has its pong: in a
    worker thread that takes no time from the phones; on the event loop the pong would
    wait for the check to give up (the order says which it was, no clock is read)."""
    cookie = await instructor_cookie(server)
    student = await join(server, "s1", "Ada")
    created = await call(server, "POST", LIB, cookie, {"quiz": THREE_QUESTIONS})
    quiz_id = created.json()["quiz_id"]
    order: list[str] = []
    checking, answered = threading.Event(), threading.Event()
    real_check = library.check

    def held_check(body: dict[str, Any], held: library.Held) -> library.Checked:
        order.append("check began")
        checking.set()
        answered.wait(timeout=20)  # only a server that kept serving lets this end early
        order.append("check ended")
        return real_check(body, held)

    monkeypatch.setattr(library, "check", held_check)
    big = THREE_QUESTIONS | {"questions": [  # 400 questions, about 1.2 MB
        {"text": f"Question {n}: " + "why? " * 380, "options": ["yes", "no"], "correct": "A",
         "explanation": "because " * 100} for n in range(400)]}
    async with connect(server, "/ws/student", student) as phone:

        async def save() -> None:
            saved = await call(server, "PUT", f"{LIB}/{quiz_id}", cookie, {"quiz": big})
            assert saved.status == 200, saved.text
            assert saved.json()["problems"] == []

        async with trio.open_nursery() as nursery:
            nursery.start_soon(save)
            await trio.to_thread.run_sync(checking.wait)
            await phone.request({"type": "ping"}, "pong")
            order.append("pong")
            answered.set()
    assert order == ["check began", "pong", "check ended"]
    assert len((await get(server, f"{LIB}/{quiz_id}", cookie)).json()["quiz"]["questions"]) == 400
