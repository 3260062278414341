"""Asking a closed question again ("Open this question") is a real second chance.

While it is open again a phone is shown the answer it gave before, which stands
unless the student answers again; a new answer counts in the old one's place in the
score and the exports (which say the kept answer came from the re-ask), and both stay
on disk, each under its asking. Next
then goes on from where the teacher was, not from the question asked again.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import trio
import trio.testing

from trivia_trio.core import results
from trivia_trio.core.record import State, Submission
from trivia_trio.room.room import Client, Role, Room
from trivia_trio.store import database, exports, runs, term_gradebook

from .conftest import THREE_QUESTIONS
from .test_room import drain, next_of, room_at
from .test_spreadsheets import assert_same_table, sheet_rows

CLOSES_WHEN_ALL_ANSWERED = THREE_QUESTIONS | {"close_when_all_answered": True}


async def submit(room: Room, phone: Client, idx: int, answer: str) -> dict[str, Any]:
    drain(phone)
    await room.handle(phone, json.dumps({"type": "submit", "question_idx": idx,
                                         "answer": answer}))
    (reply,) = [m for m in drain(phone) if m["type"] in ("submit_ack", "error")]
    return reply


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_question_asked_again_shows_each_phone_its_answer_and_a_new_one_counts_instead(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, CLOSES_WHEN_ALL_ANSWERED) as room:
        await room.join("s1", "Ann")
        await room.join("s2", "Bob")
        async with room.connect(Role.STUDENT, "s1") as ann, \
                room.connect(Role.STUDENT, "s2") as bob, \
                room.connect(Role.INSTRUCTOR) as teacher:
            await room.advance()  # question 1
            assert (await submit(room, ann, 0, "C"))["answer"] == "C"  # wrong
            assert (await submit(room, bob, 0, "B"))["answer"] == "B"  # right
            await next_of(teacher, "question_closed")  # everyone answered
            await room.advance()  # question 2
            await room.advance()  # its reveal
            assert room.game.total_of("s1") == 0
            for client in (ann, bob, teacher):
                drain(client)

            await room.open_question(0)  # "Open this question" on question 1
            again = await next_of(ann, "question_open")
            assert (again["question_idx"], again["asking"], again["your_earlier_answer"]) == (
                0, 2, "C")
            assert (await next_of(bob, "question_open"))["your_earlier_answer"] == "B"
            assert "your_earlier_answer" not in await next_of(teacher, "question_open")
            # A phone that reconnects sees the same: no ack, the earlier answer shown.
            async with room.connect(Role.STUDENT, "s1") as reloaded:
                snapshot = drain(reloaded)
                assert [m["type"] for m in snapshot] == ["state", "question_open"]
                assert snapshot[1]["your_earlier_answer"] == "C"

            ack = await submit(room, ann, 0, "B")
            assert (ack["answer"], ack["score"]) == ("B", 1.0)
            assert room.game.total_of("s1") == 1.0  # the new answer counts, the old is gone
            # Bob has not answered again: the question stays open for him.
            assert room.game.state is State.QUESTION_OPEN
            await room.close_question()
            assert (await next_of(ann, "question_closed"))["your_answer"] == "B"
            bobs = await next_of(bob, "question_closed")
            assert (bobs["your_answer"], bobs["your_score"]) == ("B", 1.0)  # his first stands

            await room.advance()  # on from question 2, where the teacher was
            assert (room.game.state, room.game.current_idx) == (State.QUESTION_OPEN, 2)

        # Both of Ann's answers stay recorded; the later one counts everywhere.
        stored = room.store.conn.execute(
            "SELECT student_id, answer, score, asking FROM submissions "
            "WHERE run_id = ? AND question_idx = 0 ORDER BY student_id, asking", (room.run_id,))
        assert [tuple(row) for row in stored] == [
            ("s1", "C", 0.0, 1), ("s1", "B", 1.0, 2), ("s2", "B", 1.0, 1)]
        counted = counted_everywhere(room.store.conn, room.session_id, room.run_id)
        assert counted["answers"] == [("s1", "B", "2", "right", "1: C: 5"),
                                      ("s2", "B", "1", "right", "")]
        assert counted["gradebook"] == [("s1", "1.00", "1.00", "Q1"), ("s2", "1.00", "1.00", "")]
        assert counted["json"] == {"submissions": [("s1", "B", 1.0, 2), ("s2", "B", 1.0, 1)],
                                   "earlier": [("s1", "C", 0.0, 1)],
                                   "totals": [("s1", 1.0), ("s2", 1.0)], "right": 2}
        assert counted["runs"] == (1.0, 0.5) and counted["item"] == (1.0, 2)
        assert counted["term"] == [("s1", "1.00"), ("s2", "1.00")]
        run_id = room.run_id

    async with room_at(tmp_path, CLOSES_WHEN_ALL_ANSWERED) as room:  # a restart
        assert room.run_id == run_id
        assert room.game.submission("s1", 0).asking == 2
        assert room.game.total_of("s1") == 1.0
        assert [(s["question_idx"], s["answer"], s["asking"])
                for s in room.me("s1")["submissions"]][:1] == [(0, "B", 2)]
        assert counted_everywhere(room.store.conn, room.session_id, run_id) == counted
        assert room.game.openings[0].asking == 2
        await room.advance()
        await room.advance()  # after question 3's reveal: the end, not question 2 again
        assert room.game.state is State.FINISHED


def counted_everywhere(conn: sqlite3.Connection, session_id: str, run_id: int
                      ) -> dict[str, Any]:
    """What each export and the runs panel count for question 1 and the totals."""
    answers = csv_rows(exports.results_csv(conn, run_id))
    # The .xlsx holds the same table as the CSV, cell for cell.
    assert_same_table(list(csv.reader(io.StringIO(exports.results_csv(conn, run_id)))),
                      sheet_rows(exports.results_xlsx(conn, run_id))[1])
    document = json.loads(exports.run_json(conn, run_id))
    (summary,) = runs.run_list(conn, session_id, run_id)
    (question,) = [q for q in runs.item_analysis(conn, session_id, run_id)["questions"]
                   if q["question_idx"] == 0]
    term = csv_rows(term_gradebook.term_csv(conn, [run_id], session_id))
    return {
        "answers": [(r["student_id"], r["answer"], r["asking"], r["result"],
                     r["earlier_answers"]) for r in answers if r["question_idx"] == "0"],
        "gradebook": [(r["student_id"], r["total_score"], r["Q1: 2 + 2?"],
                       r["kept_from_asked_again"])
                      for r in csv_rows(exports.gradebook_csv(conn, run_id))],
        "json": {"submissions": [(s["student_id"], s["answer"], s["score"], s["asking"])
                                 for s in document["submissions"] if s["question_idx"] == 0],
                 "earlier": [(s["student_id"], s["answer"], s["score"], s["asking"])
                             for s in document["earlier_submissions"]],
                 "totals": [(p["student_id"], p["total_score"])
                            for p in document["participants"]],
                 "right": document["questions"][0]["results"]["right"]},
        "runs": (summary["average_score"], summary["share_right"]),
        "item": (question["share_correct"], question["responses"]),
        "term": [(r["student_id"], r[next(k for k in r if k.endswith(": score"))])
                 for r in term],
    }


def test_a_data_folder_from_before_re_asks_were_recorded_gets_the_new_columns(
        tmp_path: Path) -> None:
    """Its rows read as asked once; nothing else changes."""
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE question_events (run_id INTEGER NOT NULL, question_idx INTEGER NOT NULL,
            opened_at INTEGER NOT NULL, time_limit INTEGER NOT NULL, closed_at INTEGER,
            PRIMARY KEY (run_id, question_idx));
        CREATE TABLE submissions (run_id INTEGER NOT NULL, student_id TEXT NOT NULL,
            question_idx INTEGER NOT NULL, answer TEXT, submitted_at INTEGER,
            elapsed_ms INTEGER, score REAL NOT NULL, correct INTEGER NOT NULL,
            status TEXT NOT NULL, PRIMARY KEY (run_id, student_id, question_idx));
        INSERT INTO question_events VALUES (1, 0, 1000, 30, 2000);
        INSERT INTO submissions VALUES (1, 's1', 0, 'B', 1500, 500, 1.0, 1, 'submitted');
    """)
    old.close()
    conn = database.connect(path)
    opening = conn.execute("SELECT asking, first_order FROM question_events").fetchone()
    assert tuple(opening) == (1, None)
    assert tuple(conn.execute("SELECT answer, asking FROM submissions").fetchone()) == ("B", 1)
    conn.close()


def test_the_counting_submission_is_the_same_whatever_order_the_rows_are_read_in() -> None:
    """An answer beats a missed row of any asking, a later answer an earlier one, a later
    missed row an earlier one; a missed row before the latest asking is no word."""
    rows = [Submission("s1", 0, "C", 10, 5, 0, False, "submitted", 1),
            Submission("s1", 0, None, None, None, 0, False, "missed", 2),
            Submission("s1", 0, "B", 30, 5, 20, True, "submitted", 3),
            Submission("s2", 0, "B", 10, 5, 20, True, "submitted", 1),
            Submission("s2", 0, None, None, None, 0, False, "missed", 2),
            Submission("s3", 0, None, None, None, 0, False, "missed", 1),
            Submission("s3", 0, None, None, None, 0, False, "missed", 2),
            Submission("s4", 0, None, None, None, 0, False, "missed", 1)]
    for order in itertools.permutations(rows):
        kept = results.counting_submissions(order, {0: 2})[0]
        assert {s: (k.answer, k.status, k.asking) for s, k in kept.items()} == {
            "s1": ("B", "submitted", 3), "s2": ("B", "submitted", 1),
            "s3": (None, "missed", 2)}


def key_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in sorted(conn.execute(f"PRAGMA table_info({table})"),
                                     key=lambda row: row[5]) if row[5]]


@asynccontextmanager
async def ann_answered_and_bob_missed_the_first(room: Room) -> AsyncIterator[None]:
    """Two students; Ann answers the first question (C) from her phone, which stays
    connected inside the block, and Bob misses it."""
    await room.join("s1", "Ann")
    await room.join("s2", "Bob")
    async with room.connect(Role.STUDENT, "s1") as ann:
        await room.advance()
        assert (await submit(room, ann, 0, "C"))["answer"] == "C"
        await room.close_question()
        yield


async def test_a_data_folder_whose_submissions_are_keyed_without_the_asking_keeps_working(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A file from before every asking's answer was kept: its rows are copied under the new
    key, its run goes on, and a re-ask then adds a row instead of rewriting the old one."""
    async with room_at(tmp_path) as room:
        async with ann_answered_and_bob_missed_the_first(room):
            await room.advance()  # the reveal
        run_id = room.run_id
    path = tmp_path / "room.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        BEGIN;
        CREATE TABLE before (run_id INTEGER NOT NULL, student_id TEXT NOT NULL,
            question_idx INTEGER NOT NULL, answer TEXT, submitted_at INTEGER,
            elapsed_ms INTEGER, score REAL NOT NULL, correct INTEGER NOT NULL,
            status TEXT NOT NULL, asking INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (run_id, student_id, question_idx));
        INSERT INTO before SELECT * FROM submissions;
        DROP TABLE submissions;
        ALTER TABLE before RENAME TO submissions;
        COMMIT;
    """)
    rows = old.execute("SELECT * FROM submissions ORDER BY student_id").fetchall()
    assert key_columns(old, "submissions") == ["run_id", "student_id", "question_idx"]
    old.close()

    async with room_at(tmp_path) as room:
        conn = room.store.conn
        assert key_columns(conn, "submissions") == [
            "run_id", "student_id", "question_idx", "asking"]
        assert [tuple(r) for r in conn.execute(
            "SELECT * FROM submissions ORDER BY student_id")] == rows
        assert room.run_id == run_id and room.game.submission("s1", 0).answer == "C"
        async with room.connect(Role.STUDENT, "s1") as ann, \
                room.connect(Role.STUDENT, "s2") as bob:
            await room.open_question(0)
            assert (await submit(room, ann, 0, "B"))["score"] == 1.0
            assert (await submit(room, bob, 0, "B"))["score"] == 1.0
        assert [tuple(r) for r in conn.execute(
            "SELECT student_id, answer, status, asking FROM submissions "
            "WHERE question_idx = 0 ORDER BY student_id, asking")] == [
            ("s1", "C", "submitted", 1), ("s1", "B", "submitted", 2),
            ("s2", None, "missed", 1), ("s2", "B", "submitted", 2)]
        assert room.game.total_of("s1") == room.game.total_of("s2") == 1.0


async def test_a_restart_while_a_question_is_asked_again_leaves_who_missed_it_free_to_answer(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """The earlier asking's missed row stays recorded but is no word once the question is
    asked again: after a restart the student may still answer, and if they do not, the
    close records a missed row of this asking."""
    async with room_at(tmp_path) as room:
        await room.join("s1", "Ann")
        await room.join("s2", "Bob")
        await room.advance()
        await room.close_question()  # both missed it
        await room.open_question(0)  # asked again: open
    async with room_at(tmp_path) as room:  # a restart
        assert room.game.state is State.QUESTION_OPEN and room.game.submission("s1", 0) is None
        assert room.game.run_results().question(0).pending == 2
        async with room.connect(Role.STUDENT, "s1") as ann:
            assert (await submit(room, ann, 0, "B"))["score"] > 0
        await room.close_question()
        conn = room.store.conn
        assert [tuple(r) for r in conn.execute(
            "SELECT student_id, status, asking FROM submissions "
            "ORDER BY student_id, asking")] == [
            ("s1", "missed", 1), ("s1", "submitted", 2), ("s2", "missed", 1),
            ("s2", "missed", 2)]
        words = [(r["student_id"], r["result"], r["asking"])
                 for r in csv_rows(exports.results_csv(conn, room.run_id))
                 if r["question_idx"] == "0"]
        assert words == [("s1", "right", "2"), ("s2", "not_present", "2")]  # Bob had no phone


WITH_A_SLIDE = {"title": "Slides", "questions": [
    {"text": "Read this", "kind": "slide"},
    {"text": "2 + 2?", "options": ["3", "4"], "correct": "B"},
    {"text": "3 + 3?", "options": ["6", "7"], "correct": "A"},
]}


async def test_a_slide_shown_again_tells_the_dashboard_next_goes_on_from_where_it_was(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A slide has no reveal, so the dashboard's hint while it is up can only come from the
    opening: it named the question after the slide instead of where the teacher was."""
    async with room_at(tmp_path, WITH_A_SLIDE) as room, \
            room.connect(Role.INSTRUCTOR) as teacher:
        await room.advance()  # the slide
        assert (await next_of(teacher, "question_open"))["next_idx"] == 1
        await room.advance()  # question 2
        await room.advance()  # its reveal
        drain(teacher)
        await room.open_question(0)  # the slide again
        shown = await next_of(teacher, "question_open")
        assert (shown["question_idx"], shown["next_idx"]) == (0, 2)
        async with room.connect(Role.INSTRUCTOR) as reloaded:
            (opened,) = [m for m in drain(reloaded) if m["type"] == "question_open"]
            assert opened["next_idx"] == 2


async def test_a_question_asked_again_keeps_each_askings_opening_and_who_was_present(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Asking a question again recorded its opening over the earlier one's (and who was
    present merged into one row per student): both askings stay on disk now, the room
    replays the latest, and a student with a phone open at an earlier asking only is
    ``no_answer``, one with none at any ``not_present`` (results.present_at_any_asking)."""
    async with room_at(tmp_path) as room:
        for student_id, name in (("s1", "Ann"), ("s2", "Bob"), ("s3", "Cy"), ("s4", "Di")):
            await room.join(student_id, name)
        async with room.connect(Role.STUDENT, "s1") as ann:
            async with room.connect(Role.STUDENT, "s2"):
                await room.advance()  # asked the first time: Ann and Bob have phones open
                assert (await submit(room, ann, 0, "C"))["answer"] == "C"
                autojump_clock.jump(3)
                await room.close_question()
            first = replace(room.game.openings[0])
            autojump_clock.jump(5)
            await room.open_question(0)  # asked again: Ann still there, Bob gone
            async with room.connect(Role.STUDENT, "s3") as cy:
                assert (await submit(room, cy, 0, "B"))["answer"] == "B"
            autojump_clock.jump(2)
            await room.close_question()
        second = room.game.openings[0]
        assert (first.asking, second.asking) == (1, 2) and first.opened_at < second.opened_at
        conn = room.store.conn
        assert [tuple(r) for r in conn.execute(
            "SELECT asking, opened_at, closed_at, time_limit FROM question_events "
            "WHERE question_idx = 0 ORDER BY asking")] == [
            (1, first.opened_at, first.closed_at, first.time_limit),
            (2, second.opened_at, second.closed_at, second.time_limit)]
        assert [tuple(r) for r in conn.execute(
            "SELECT asking, student_id FROM presence WHERE question_idx = 0 "
            "ORDER BY asking, student_id")] == [(1, "s1"), (1, "s2"), (2, "s1"), (2, "s3")]
        before = opening_everywhere(conn, room.run_id)
        assert before["words"] == [("s1", "wrong"), ("s2", "no_answer"), ("s3", "right"),
                                   ("s4", "not_present")]
        assert before["openings"] == [(0, 2, second.opened_at, second.closed_at)]
        assert before["earlier_openings"] == [(0, 1, first.opened_at, first.closed_at)]
        counted = counted_everywhere(conn, room.session_id, room.run_id)
        replayed = (room.game.openings[0], room.game.present, room.game.run_results())
        run_id = room.run_id

    async with room_at(tmp_path) as room:  # a restart replays the latest asking
        assert room.run_id == run_id
        assert (room.game.openings[0], room.game.present, room.game.run_results()) == replayed
        assert opening_everywhere(room.store.conn, run_id) == before
        assert counted_everywhere(room.store.conn, room.session_id, run_id) == counted


def opening_everywhere(conn: sqlite3.Connection, run_id: int) -> dict[str, Any]:
    """Question 1's words in export.csv and its openings in export.json."""
    document = json.loads(exports.run_json(conn, run_id))
    return {
        "words": [(r["student_id"], r["result"])
                  for r in csv_rows(exports.results_csv(conn, run_id))
                  if r["question_idx"] == "0"],
        "openings": [(o["question_idx"], o["asking"], o["opened_at"], o["closed_at"])
                     for o in document["openings"] if o["question_idx"] == 0],
        "earlier_openings": [(o["question_idx"], o["asking"], o["opened_at"], o["closed_at"])
                             for o in document.get("earlier_openings", [])],
        "gradebook": exports.gradebook_csv(conn, run_id),
        "json_questions": document["questions"],
    }


async def test_a_restart_while_a_question_is_asked_again_records_who_is_present_at_it(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """After a restart in the middle of an asking, a phone noted present at it before the
    restart is not written twice, and one present only at the earlier asking is written
    for this one when it connects."""
    async with room_at(tmp_path) as room:
        await room.join("s1", "Ann")
        await room.join("s2", "Bob")
        async with room.connect(Role.STUDENT, "s1"), room.connect(Role.STUDENT, "s2"):
            await room.advance()
            await room.close_question()
        async with room.connect(Role.STUDENT, "s1"):
            await room.open_question(0)  # only Ann's phone is open at the second asking
    async with room_at(tmp_path) as room:
        assert room.game.present_now == {"s1"}
        async with room.connect(Role.STUDENT, "s1"), room.connect(Role.STUDENT, "s2"):
            pass
        assert [tuple(r) for r in room.store.conn.execute(
            "SELECT asking, student_id FROM presence ORDER BY asking, student_id")] == [
            (1, "s1"), (1, "s2"), (2, "s1"), (2, "s2")]


async def test_a_data_folder_whose_openings_and_presence_are_keyed_without_the_asking(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A file from before each asking's opening and presence were kept: its rows are
    copied under the new key in one go (presence as asking 0: some asking, which one was
    not recorded), its exports say what they said, and asking again adds rows."""
    async with room_at(tmp_path) as room:
        async with ann_answered_and_bob_missed_the_first(room):
            await room.open_question(0)
            await room.close_question()
        run_id = room.run_id
        exported = opening_everywhere(room.store.conn, run_id)
    path = tmp_path / "room.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        BEGIN;
        CREATE TABLE openings_before (run_id INTEGER NOT NULL, question_idx INTEGER NOT NULL,
            opened_at INTEGER NOT NULL, time_limit INTEGER NOT NULL, closed_at INTEGER,
            asking INTEGER NOT NULL DEFAULT 1, first_order INTEGER,
            PRIMARY KEY (run_id, question_idx));
        INSERT INTO openings_before SELECT * FROM question_events WHERE asking = 2;
        DROP TABLE question_events;
        ALTER TABLE openings_before RENAME TO question_events;
        CREATE TABLE presence_before (run_id INTEGER NOT NULL, question_idx INTEGER NOT NULL,
            student_id TEXT NOT NULL, PRIMARY KEY (run_id, question_idx, student_id))
            WITHOUT ROWID;
        INSERT OR IGNORE INTO presence_before
            SELECT run_id, question_idx, student_id FROM presence;
        DROP TABLE presence;
        ALTER TABLE presence_before RENAME TO presence;
        COMMIT;
    """)
    openings = old.execute("SELECT * FROM question_events").fetchall()
    old.close()
    async with room_at(tmp_path) as room:
        conn = room.store.conn
        assert key_columns(conn, "question_events") == ["run_id", "question_idx", "asking"]
        assert key_columns(conn, "presence") == ["run_id", "question_idx", "asking",
                                                  "student_id"]
        assert [tuple(r) for r in conn.execute("SELECT * FROM question_events")] == openings
        assert [tuple(r) for r in conn.execute(
            "SELECT question_idx, student_id, asking FROM presence")] == [(0, "s1", 0)]
        # The same words and counts; the first asking's opening was never kept.
        assert opening_everywhere(conn, run_id) == exported | {"earlier_openings": []}
        assert room.game.openings[0].asking == 2
        async with room.connect(Role.STUDENT, "s2"):
            await room.open_question(0)
        await room.close_question()
        assert [tuple(r) for r in conn.execute(
            "SELECT asking, student_id FROM presence ORDER BY asking")] == [
            (0, "s1"), (3, "s2")]
        assert [r[0] for r in conn.execute(
            "SELECT asking FROM question_events ORDER BY asking")] == [2, 3]
        words = opening_everywhere(conn, run_id)["words"]
        assert words == [("s1", "wrong"), ("s2", "no_answer")]
