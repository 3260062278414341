"""Asking a closed question again ("Open this question") is a real second chance.

While it is open again a phone is shown the answer it gave before, which stands
unless the student answers again; a new answer replaces the old one in the score,
on disk and in the exports (which say the kept answer came from the re-ask). Next
then goes on from where the teacher was, not from the question asked again.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import trio
import trio.testing

from trivia_trio.core.record import State
from trivia_trio.room.room import Client, Role, Room
from trivia_trio.store import database, exports

from .conftest import THREE_QUESTIONS
from .test_room import drain, next_of, room_at

CLOSES_WHEN_ALL_ANSWERED = THREE_QUESTIONS | {"close_when_all_answered": True}


async def submit(room: Room, phone: Client, idx: int, answer: str) -> dict[str, Any]:
    drain(phone)
    await room.handle(phone, json.dumps({"type": "submit", "question_idx": idx,
                                         "answer": answer}))
    (reply,) = [m for m in drain(phone) if m["type"] in ("submit_ack", "error")]
    return reply


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_question_asked_again_shows_each_phone_its_answer_and_a_new_one_replaces_it(
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

        stored = room.store.conn.execute(
            "SELECT student_id, answer, score, asking FROM submissions "
            "WHERE run_id = ? AND question_idx = 0 ORDER BY student_id", (room.run_id,))
        assert [tuple(row) for row in stored] == [("s1", "B", 1.0, 2), ("s2", "B", 1.0, 1)]
        answers = csv_rows(exports.results_csv(room.store.conn, room.run_id))
        assert [(r["student_id"], r["answer"], r["asking"]) for r in answers
                if r["question_idx"] == "0"] == [("s1", "B", "2"), ("s2", "B", "1")]
        gradebook = csv_rows(exports.gradebook_csv(room.store.conn, room.run_id))
        assert [(r["student_id"], r["total_score"], r["kept_from_asked_again"])
                for r in gradebook] == [("s1", "1.00", "Q1"), ("s2", "1.00", "")]
        run_id = room.run_id

    async with room_at(tmp_path, CLOSES_WHEN_ALL_ANSWERED) as room:  # a restart
        assert room.run_id == run_id
        assert room.game.submission("s1", 0).asking == 2
        assert room.game.total_of("s1") == 1.0
        assert room.game.openings[0].asking == 2
        await room.advance()
        await room.advance()  # after question 3's reveal: the end, not question 2 again
        assert room.game.state is State.FINISHED


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
