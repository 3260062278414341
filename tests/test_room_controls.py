"""The teacher's room controls, each rule on the room itself (virtual time, a real sqlite
file, the room's own outboxes): Lock joining, Hide for a word cloud's entries, and points
per question."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
import trio
import trio.testing

from trivia_trio.core.formats import csv_format, xlsx_format
from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.core.record import DuplicateStudentId, Rejected, as_score
from trivia_trio.room.room import Client, Role, Room
from trivia_trio.store import exports, runs, term_gradebook

from .test_room import drain, next_of, room_at, submit


async def test_a_locked_room_refuses_a_new_id_and_the_joined_keep_answering(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await room.join("s1", "Ann")
        drain(instructor)
        await room.handle(instructor, json.dumps({"type": "lock_joining", "on": True}))
        assert (await next_of(instructor, "room_info"))["joining_locked"] is True
        with pytest.raises(Rejected) as refused:
            await room.join("s2", "Bob")
        assert refused.value.code == "joining_locked"
        assert "s2" not in room.game.participants
        with pytest.raises(DuplicateStudentId):  # a joined id is still taken, not refused
            await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as ann:  # Ann's phone comes back
            await room.open_question(0)
            await submit(room, ann, 0, "B")
        await room.handle(instructor, json.dumps({"type": "lock_joining", "on": False}))
        await room.join("s2", "Bob")
        assert set(room.game.participants) == {"s1", "s2"}


async def test_the_lock_outlives_a_restart_and_a_new_run(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room:
        await room.join("s1", "Ann")
        await room.set_joining_locked(True)
    async with room_at(tmp_path) as room:
        assert room.joining_locked is True
        assert "s1" in room.game.participants
        await room.reset()
        with pytest.raises(Rejected):
            await room.join("s3", "Cy")
        async with room.connect(Role.INSTRUCTOR) as dashboard:
            assert (await next_of(dashboard, "room_info"))["joining_locked"] is True


async def test_a_lock_switch_that_is_not_true_or_false_changes_nothing(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await room.handle(instructor, json.dumps({"type": "lock_joining", "on": "yes"}))
        assert (await next_of(instructor, "error"))["code"] == "bad_message"
        assert room.joining_locked is False
        with trio.fail_after(1):
            await room.join("s1", "Ann")


def sheet(body: bytes) -> list[dict[str, object]]:
    """The first sheet of a workbook, a dict per row under its header."""
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(
        values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


CLOUD = {"title": "Cloud", "time_limit_default": 60, "close_when_all_answered": False,
         "questions": [{"kind": "cloud", "text": "One word?"}]}


async def answer(room: Room, phone: Client, word: str) -> None:
    await room.handle(phone, json.dumps({"type": "submit", "question_idx": 0, "answer": word}))
    assert (await next_of(phone, "submit_ack"))["answer"] == [word]


async def test_a_hidden_word_leaves_the_projector_at_once_and_stays_marked_for_the_teacher(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, CLOUD) as room, room.connect(Role.INSTRUCTOR) as instructor:
        for sid in ("s1", "s2", "s3"):
            await room.join(sid, sid.upper())
        async with room.connect(Role.STUDENT, "s1") as s1, \
                room.connect(Role.STUDENT, "s2") as s2, room.connect(Role.STUDENT, "s3") as s3:
            await room.open_question(0)
            for phone, word in ((s1, "sunny"), (s2, "Rude"), (s3, "rude")):
                await answer(room, phone, word)
            words = [row["answer"] for row in
                     room.projector_state()["live_histogram"]["top_answers"]]
            assert sorted(words) == ["Rude", "sunny"]
            drain(instructor)
            await room.handle(instructor, json.dumps(
                {"type": "hide_answer", "question_idx": 0, "answer": "RUDE"}))
            hidden = await next_of(instructor, "entries_hidden")
            assert {"answer": "Rude", "count": 2, "hidden": True} in hidden["top_answers"]
            assert [row["answer"] for row in
                    room.projector_state()["live_histogram"]["top_answers"]] == ["sunny"]
            await room.close_question()
            closed = await next_of(s1, "question_closed")
            assert [row["answer"] for row in closed["top_answers"]] == ["sunny"]
            teacher = await next_of(instructor, "question_closed")
            assert {"answer": "Rude", "count": 2, "hidden": True} in teacher["top_answers"]
    async with room_at(tmp_path, CLOUD) as room:  # a restart keeps it hidden
        assert [row["answer"] for row in room.projector_state()["reveal"]["top_answers"]] \
            == ["sunny"]
        conn, run_id = room.store.conn, room.run_id
        csv_text = exports.results_csv(conn, run_id)
        in_json = json.loads(exports.run_json(conn, run_id))["submissions"]
        in_xlsx = sheet(exports.results_xlsx(conn, run_id))
        analysis = runs.item_analysis(conn, room.session_id, run_id)["questions"]
    assert "rude (hidden)" in csv_text and "sunny" in csv_text
    marked = {"s1": "sunny", "s2": "Rude (hidden)", "s3": "rude (hidden)"}
    assert {s["student_id"]: s["answer_text"] for s in in_json} == marked
    assert {r["student_id"]: r["answer_text"] for r in in_xlsx
            if r["question_idx"] != "total"} == marked
    # The item analysis counts the words as the cloud groups them, the hidden one marked.
    assert [q["votes"] for q in analysis] == [{"Rude (hidden)": 2, "sunny": 1}]


async def test_hiding_on_a_question_without_entries_is_refused_and_changes_nothing(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        drain(instructor)
        await room.handle(instructor, json.dumps(
            {"type": "hide_answer", "question_idx": 0, "answer": "B"}))
        assert (await next_of(instructor, "error"))["code"] == "bad_question"
        assert room.game.hidden == {}


WEIGHTED = {"title": "Weighted", "score_fn": "binary", "time_limit_default": 30,
            "close_when_all_answered": False,
            "questions": [{"text": "Warm-up", "options": ["a", "b"], "correct": "A", "points": 0},
                          {"text": "Standard", "options": ["a", "b"], "correct": "A"},
                          {"text": "Double", "options": ["a", "b"], "correct": "A", "points": 2}]}


async def test_points_0_1_2_weigh_scores_ranks_and_every_export(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    # s1 all right; s2 the warm-up only; s3 the double only; s4 the warm-up and the standard.
    # Unweighted they would be 3, 1, 1, 2 (an average of 1.75), weighted 3, 0, 2, 1 (1.5).
    picks = {"s1": "AAA", "s2": "ABB", "s3": "BBA", "s4": "AAB"}
    async with room_at(tmp_path, WEIGHTED) as room:
        for sid in picks:
            await room.join(sid, sid.upper())
        async with room.connect(Role.STUDENT, "s1") as s1, \
                room.connect(Role.STUDENT, "s2") as s2, \
                room.connect(Role.STUDENT, "s3") as s3, room.connect(Role.STUDENT, "s4") as s4:
            phones = {"s1": s1, "s2": s2, "s3": s3, "s4": s4}
            for idx in range(3):
                await room.open_question(idx)
                for sid, phone in phones.items():
                    await submit(room, phone, idx, picks[sid][idx])
                await room.close_question()
        standings = [(s.student_id, s.rank, as_score(s.points)) for s in room.game.standings()]
        assert standings == [("s1", 1, 3.0), ("s3", 2, 2.0), ("s4", 3, 1.0), ("s2", 4, 0.0)]
        conn, run_id = room.store.conn, room.run_id
        totals = {"s1": 3.0, "s2": 0.0, "s3": 2.0, "s4": 1.0}
        answers = list(csv.DictReader(io.StringIO(exports.results_csv(conn, run_id))))
        scores = {(r["student_id"], r["question_idx"]): r["score"] for r in answers
                  if r["question_idx"] != "total"}
        assert (scores["s1", "0"], scores["s1", "1"], scores["s1", "2"]) == ("0.00", "1.00",
                                                                               "2.00")
        assert scores["s3", "2"] == "2.00" and scores["s2", "0"] == "0.00"
        assert {r["student_id"]: float(r["score"]) for r in answers
                if r["question_idx"] == "total"} == totals
        in_xlsx = sheet(exports.results_xlsx(conn, run_id))
        assert {(r["student_id"], str(r["question_idx"])): r["score"] for r in in_xlsx} == {
            key: float(value) for key, value in scores.items()} | {
            (sid, "total"): total for sid, total in totals.items()}
        book = {r["student_id"]: r for r in csv.DictReader(io.StringIO(
            exports.gradebook_csv(conn, run_id)))}
        assert {sid: float(row["total_score"]) for sid, row in book.items()} == totals
        assert {r["student_id"]: r["total_score"] for r in
                sheet(exports.gradebook_xlsx(conn, run_id))} == totals
        archived = json.loads(exports.run_json(conn, run_id))
        assert {p["student_id"]: p["total_score"] for p in archived["participants"]} == totals
        assert [q.get("points", 1) for q in archived["quiz"]["questions"]] == [0, 1, 2]
        term = list(csv.DictReader(io.StringIO(term_gradebook.term_csv(
            conn, [run_id], room.session_id))))
        assert {r["student_id"]: float(r["total_score"]) for r in term} == totals
        assert {r["student_id"]: r["total_score"] for r in sheet(term_gradebook.term_xlsx(
            conn, [run_id], room.session_id))} == totals
        # The item analysis: the run's average total is weighted; each question's share
        # right is not (a warm-up's right answer is right, and counts in it).
        analysis = runs.item_analysis(conn, room.session_id, run_id)
        assert [r["average_score"] for r in analysis["runs"]] == [1.5]
        assert [r["average_score"] for r in runs.run_list(conn, room.session_id, run_id)] \
            == [1.5]
        assert {q["question_idx"]: q["share_correct"] for q in analysis["questions"]} == {
            0: 0.75, 1: 0.5, 2: 0.5}
    async with room_at(tmp_path, WEIGHTED) as room:  # a restart rebuilds the same totals
        assert [as_score(s.points) for s in room.game.standings()] == [3.0, 2.0, 1.0, 0.0]


WARM_UP_MULTI = {"title": "Warm-up multi", "score_fn": "binary", "time_limit_default": 30,
                 "close_when_all_answered": False,
                 "questions": [{"kind": "multi", "text": "Mammals?", "points": 0,
                                "options": ["Whale", "Shark", "Bat", "Trout"], "correct": "AC",
                                "scoring": "partial"}]}


async def test_a_warm_up_grades_right_partial_and_wrong_by_the_answer_not_its_weight(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Points 0 weigh the score to nothing, but the answer still earned what it earned: a
    half-right pick is ``partial`` (score 0), and the warm-up counts in the share right."""
    picks = {"s1": "AC", "s2": "A", "s3": "B"}
    async with room_at(tmp_path, WARM_UP_MULTI) as room:
        for sid in picks:
            await room.join(sid, sid.upper())
        async with room.connect(Role.STUDENT, "s1") as s1, \
                room.connect(Role.STUDENT, "s2") as s2, room.connect(Role.STUDENT, "s3") as s3:
            await room.open_question(0)
            for sid, phone in {"s1": s1, "s2": s2, "s3": s3}.items():
                await room.handle(phone, json.dumps({"type": "submit", "question_idx": 0,
                                                     "answer": picks[sid]}))
                await next_of(phone, "submit_ack")
            await room.close_question()
        assert [room.game.result_of(sid, 0) for sid in picks] == ["right", "partial", "wrong"]
        tally = room.game.question_tally(0)
        assert (tally.right, tally.partial, tally.wrong, tally.share_right) == (1, 1, 1, 0.3333)
        rows = list(csv.DictReader(io.StringIO(exports.results_csv(room.store.conn,
                                                                   room.run_id))))
        graded = {r["student_id"]: (r["result"], r["score"]) for r in rows
                  if r["question_idx"] == "0"}
        assert graded == {"s1": ("right", "0.00"), "s2": ("partial", "0.00"),
                          "s3": ("wrong", "0.00")}


def test_points_other_than_0_1_2_are_refused_in_the_teachers_words() -> None:
    with pytest.raises(QuizError) as caught:
        quiz_from_dict({"title": "t", "questions": [
            {"text": "q", "options": ["a", "b"], "correct": "A", "points": 3},
            {"text": "q", "options": ["a", "b"], "correct": "A", "points": True}]})
    assert caught.value.problems == [
        "question 1: points must be 0 (a warm-up), 1 (standard) or 2 (double)",
        "question 2: points must be 0 (a warm-up), 1 (standard) or 2 (double)"]


def test_points_survive_json_csv_and_xlsx_in_a_last_column() -> None:
    quiz = quiz_from_dict(WEIGHTED)
    assert quiz_from_dict(quiz.to_dict()) == quiz
    written = csv_format.dump(quiz)
    assert written.splitlines()[0].endswith(",points")
    assert csv_format.parse(written, title="Weighted").quiz().questions == quiz.questions
    workbook = xlsx_format.dump(quiz)
    cells = list(openpyxl.load_workbook(io.BytesIO(workbook)).worksheets[0].iter_rows(
        values_only=True))
    assert cells[0][-1] == "points" and [row[-1] for row in cells[1:]] == [0, None, 2]
    assert xlsx_format.parse(workbook, title="Weighted").quiz().questions == quiz.questions
