"""A student-paced run in the room, on virtual time: each student's clock, their Next, the
end time, a restart with time left, and the answer never sent early."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from contextlib import AbstractAsyncContextManager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from trivia_trio.core import paced_views
from trivia_trio.core.paced import Accommodation
from trivia_trio.core.quiz import quiz_from_dict
from trivia_trio.core.record import State
from trivia_trio.room.paced import choose_pace
from trivia_trio.room.persist import GATHER_WINDOW_S
from trivia_trio.room.room import Client, Role, Room, open_room
from trivia_trio.store import database as db
from trivia_trio.store import exports, runs
from trivia_trio.store import paced as paced_record
from trivia_trio.store.committer import open_store
from trivia_trio.store.database import StorageError

from .conftest import DISK_REFUSED, THREE_QUESTIONS
from .test_room import Dashboard, drain, next_of, room_at, virtual_ms

# A Next's question opens when its save, gathered with the others', goes to the disk.
GATHER_MS = round(GATHER_WINDOW_S * 1000)

PACED = THREE_QUESTIONS | {"pace": "student"}


def paced_room(path: Path, quiz: dict[str, Any] = PACED) -> AbstractAsyncContextManager[Room]:
    return room_at(path, quiz)


async def send(room: Room, client: Client, **message: Any) -> None:
    await room.handle(client, json.dumps(message))


def errors(client: Client) -> list[str]:
    return [m["code"] for m in drain(client) if m["type"] == "error"]


async def test_each_student_gets_their_first_question_at_once_and_their_own_deadline(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        assert room.paced is not None
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            opened = await next_of(ana, "question_open")
            assert (opened["question_idx"], opened["position"], opened["of"],
                    opened["remaining_ms"], opened["pace"]) == (0, 1, 3, 30_000, "student")
            assert "correct" not in opened
            await trio.sleep(10)
            await room.join("ben", "Ben")  # Ben's clock starts now, not at Ana's
            async with room.connect(Role.STUDENT, "ben") as ben:
                assert (await next_of(ben, "question_open"))["remaining_ms"] == 30_000
                start = trio.current_time()
                closed = await next_of(ana, "question_closed")
                assert trio.current_time() - start == 20  # Ana's 30 s are up
                assert closed["question_idx"] == 0 and "correct" not in closed
                assert room.game.submission("ana", 0).status == "missed"
                await send(room, ben, type="submit", question_idx=0, answer="B")
                ack = await next_of(ben, "submit_ack")
                # 20 s of 30: speed runs from Ben's own opening
                assert (ack["elapsed_ms"], ack["score"]) == (20_000, 0.65)


async def test_out_of_order_passed_and_late_answers_are_refused(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            await send(room, ana, type="submit", question_idx=1, answer="A")
            assert errors(ana) == ["not_reached"]
            await trio.sleep(31)
            await send(room, ana, type="submit", question_idx=0, answer="B")
            assert errors(ana) == ["too_late"]
            await send(room, ana, type="next", question_idx=0)
            await send(room, ana, type="submit", question_idx=0, answer="B")
            assert errors(ana) == ["already_passed"]
            await send(room, ana, type="open_question", question_idx=0)
            assert errors(ana) == ["bad_message"]
            assert room.game.submission("ana", 0).status == "missed"


async def test_the_answer_is_sent_only_after_the_students_own_answer(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        await room.join("ben", "Ben")
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.STUDENT, "ben") as ben:
            await send(room, ana, type="submit", question_idx=0, answer="C")
            closed = await next_of(ana, "question_closed")
            assert (closed["correct"], closed["your_result"], closed["explanation"]) == \
                ("B", "wrong", "Two pairs make four.")
            assert not any("correct" in m or "explanation" in m for m in drain(ben))


async def test_with_feedback_at_the_end_a_student_sees_saved_and_the_review_after_the_end(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    quiz = PACED | {"paced": {"feedback": "end", "standings": True}}
    async with paced_room(tmp_path, quiz) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.INSTRUCTOR) as teacher:
            await send(room, ana, type="submit", question_idx=0, answer="B")
            ack = await next_of(ana, "submit_ack")
            closed = await next_of(ana, "question_closed")
            assert "score" not in ack and closed["saved"] is True
            assert "correct" not in closed and "your_result" not in closed
            await send(room, ana, type="next", question_idx=0)
            await send(room, ana, type="next", question_idx=0)  # a double tap
            assert (await next_of(ana, "question_open"))["position"] == 2
            assert (await next_of(ana, "question_open"))["position"] == 2
            await send(room, teacher, type="end_session")
            ended = await next_of(ana, "session_ended")
            assert ended["your_rank"] == 1 and ended["your_total"] > 0
            # Asked: the questions anyone reached (results.py); nobody reached the third.
            assert (ended["questions_answered"], ended["questions_correct"],
                    ended["questions_asked"]) == (1, 1, 2)
            assert [(r["question_idx"], r["result"]) for r in ended["review"]] == \
                [(0, "right"), (1, "no_answer"), (2, "not_reached")]
            assert ended["review"][0]["correct"] == "B"


async def test_extra_time_applies_from_the_students_next_question(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.INSTRUCTOR) as teacher:
            await send(room, teacher, type="accommodate", student_id="ana", extra_time=2.0,
                       no_speed_penalty=True)
            assert errors(teacher) == []
            drain(ana)
            await send(room, ana, type="next", question_idx=0)
            opened = await next_of(ana, "question_open")
            assert (opened["question_idx"], opened["remaining_ms"]) == (1, 60_000)
            await trio.sleep(50)  # past everyone else's 30 s
            await send(room, ana, type="submit", question_idx=1, answer="A")
            assert (await next_of(ana, "submit_ack"))["score"] == 1.0  # no speed penalty


async def test_the_end_time_closes_every_open_question_at_once(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    quiz = PACED | {"time_limit_default": 600, "paced": {"end_minutes": 2}}
    async with paced_room(tmp_path, quiz) as room:
        await room.join("ana", "Ana")
        await room.join("ben", "Ben")
        async with room.connect(Role.STUDENT, "ana") as ana:
            start = trio.current_time()  # the run's end time counts from here (the start)
            await send(room, ana, type="submit", question_idx=0, answer="B")
            await send(room, ana, type="next", question_idx=0)
            ended = await next_of(ana, "session_ended")
            assert trio.current_time() - start == 120
            assert room.game.state is State.FINISHED
            assert room.game.submission("ben", 0).status == "missed"
            grid = room.paced.run.run_results()
            assert [grid.result("ana", i) for i in range(2)] == ["right", "no_answer"]
            assert grid.result("ben", 1) == "not_reached"
            assert room.paced.run.cell("ana", 2) == "not_reached"
            assert ended["review"][0]["result"] == "right"
            await send(room, ana, type="submit", question_idx=1, answer="A")
            assert errors(ana) == ["quiz_finished"]


async def test_a_restart_resumes_each_student_with_the_time_they_had_left(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    quiz = PACED | {"paced": {"shuffle_questions": True, "shuffle_options": True}}
    async with paced_room(tmp_path, quiz) as room:
        await room.join("ana", "Ana")
        order = room.paced.run.progress["ana"].order
        await trio.sleep(12)
    await trio.sleep(100)  # no server runs
    async with paced_room(tmp_path, quiz) as room:
        assert room.paced.run.progress["ana"].order == order  # read back, never redrawn
        async with room.connect(Role.STUDENT, "ana") as ana:
            opened = await next_of(ana, "question_open")
            assert opened["remaining_ms"] == 18_000
            start = trio.current_time()
            await next_of(ana, "question_closed")
            assert trio.current_time() - start == 18


async def test_a_reload_puts_the_student_back_on_their_question_with_its_feedback(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            await send(room, ana, type="submit", question_idx=0, answer="B")
        async with room.connect(Role.STUDENT, "ana") as again:
            kinds = [m["type"] for m in drain(again)]
            assert kinds == ["state", "question_open", "question_closed"]


async def test_the_grid_goes_whole_on_connect_then_by_changed_rows_and_the_projector_counts(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        for sid in ("ana", "ben", "cem"):
            await room.join(sid, sid.title())
        async with room.connect(Role.INSTRUCTOR) as teacher, \
                room.connect(Role.PROJECTOR) as screen, \
                room.connect(Role.STUDENT, "ana") as ana:
            whole = await next_of(teacher, "paced_grid")
            assert [r["cells"] for r in whole["rows"]] == [["working", "not_reached",
                                                            "not_reached"]] * 3
            assert whole["summary"] == {"finished": 0, "working": 0, "not_started": 3}
            await next_of(teacher, "paced_grid")  # the refresh after a dashboard connects
            await send(room, ana, type="submit", question_idx=0, answer="B")
            changes = await next_of(teacher, "paced_grid_changes")
            assert [r["student_id"] for r in changes["rows"]] == ["ana"]
            assert changes["rows"][0]["cells_changed"] == {"0": "right"}
            assert changes["questions"][0]["share_right"] == 1.0
            await trio.sleep(1)
            progress = [m for m in drain(screen) if m["type"] == "projector_state"][-1]
            assert progress["progress"]["questions"][0]["answered"] == 1
            assert "top" not in progress["progress"]
            assert all("name" not in q for q in progress["progress"]["questions"])


async def test_an_acknowledged_answer_and_the_next_question_survive_a_crash(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    with trio.CancelScope() as crash:
        async with paced_room(tmp_path) as room:
            await room.join("ana", "Ana")
            async with room.connect(Role.STUDENT, "ana") as ana:
                await send(room, ana, type="submit", question_idx=0, answer="B")
                assert (await next_of(ana, "submit_ack"))["score"] == 1.0
                await send(room, ana, type="next", question_idx=0)
                room.heartbeat.note_alive = trio.lowlevel.checkpoint  # killed: no more writes
                crash.cancel()
    async with paced_room(tmp_path) as room:
        assert room.game.submission("ana", 0).correct
        async with room.connect(Role.STUDENT, "ana") as ana:
            opened = await next_of(ana, "question_open")
            assert (opened["question_idx"], opened["position"]) == (1, 2)


async def test_the_exports_and_runs_list_say_student_paced_and_where_each_student_was(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    quiz = PACED | {"paced": {"shuffle_options": True}}
    async with paced_room(tmp_path, quiz) as room:
        await room.join("ana", "Ana")
        await room.join("ben", "Ben")
        async with room.connect(Role.STUDENT, "ana") as ana:
            opened = await next_of(ana, "question_open")
            shown = opened["options"].index("4")  # the right option, wherever it was shown
            await send(room, ana, type="submit", question_idx=0, answer="ABCD"[shown])
            assert (await next_of(ana, "question_closed"))["your_result"] == "right"
            await trio.sleep(5)
            pressed = virtual_ms()
            await send(room, ana, type="next", question_idx=0)
        await room.end_session()
        conn, run_id = room.store.conn, room.run_id
        rows = list(csv.reader(io.StringIO(exports.results_csv(conn, run_id))))
        header, body = rows[0], rows[1:]
        assert header[-3:] == ["order_position", "opened_at", "earlier_answers"]
        by = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in body}
        assert by[("ana", "0")]["answer"] == "B" and by[("ana", "0")]["result"] == "right"
        assert (by[("ana", "1")]["order_position"], by[("ana", "1")]["opened_at"],
                by[("ana", "1")]["result"]) == ("2", str(pressed + GATHER_MS), "no_answer")
        assert by[("ben", "0")]["result"] == "no_answer"
        gradebook = list(csv.reader(io.StringIO(exports.gradebook_csv(conn, run_id))))
        assert gradebook[2][5:7] == ["", "-"]  # Ben: no answer, then not reached
        document = json.loads(exports.run_json(conn, run_id))
        assert document["run"]["pace"] == "student"
        assert runs.run_list(conn, "t", run_id)[-1]["pace"] == "student"
        # The item analysis as a live run's: a question is asked once anyone reached it.
        analysis = {q["question_idx"]: q for q in runs.item_analysis(conn, "t", run_id)
                    ["questions"]}
        assert sorted(analysis) == [0, 1]
        assert (analysis[0]["share_correct"], analysis[0]["responses"]) == (0.5, 2)
        assert analysis[1]["results"]["no_answer"] == 1


async def test_while_the_run_goes_on_the_exports_say_no_answer_where_the_grid_does(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A question a student passed with Next or ran out of time on is closed for them
    before the run ends: export.csv, run.json and the item analysis say no answer there,
    as the dashboard's grid does, and pending only where the grid says working."""
    async with paced_room(tmp_path) as room:
        assert room.paced is not None
        await room.join("ben", "Ben")
        async with room.connect(Role.STUDENT, "ben") as ben:
            await next_of(ben, "question_open")
            closed = await next_of(ben, "question_closed")  # his 30 s ran out
            assert closed["question_idx"] == 0
        await room.join("ana", "Ana")
        await room.join("cem", "Cem")  # still at the first question
        async with room.connect(Role.STUDENT, "ana") as ana:
            await send(room, ana, type="next", question_idx=0)  # passed
            assert errors(ana) == []
        run = room.paced.run
        assert not run.ended
        assert [run.cell(sid, 0) for sid in ("ana", "ben", "cem")] == \
            ["no_answer", "no_answer", "working"]
        live = run.run_results()
        conn, run_id = room.store.conn, room.run_id
        rows = list(csv.reader(io.StringIO(exports.results_csv(conn, run_id))))
        by = {(r[0], r[2]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
        assert (by[("ana", "0")]["result"], by[("ben", "0")]["result"]) == \
            ("no_answer", "no_answer")
        document = json.loads(exports.run_json(conn, run_id))
        assert {(s["student_id"], s["question_idx"]): s["result"]
                for s in document["submissions"]} == \
            {("ana", 0): "no_answer", ("ben", 0): "no_answer"}
        assert {q["question_idx"]: q["results"] for q in document["questions"]} == \
            {idx: live.question(idx).as_dict() for idx in live.asked}
        assert (live.question(0).no_answer, live.question(0).pending) == (2, 1)
        assert {p["student_id"]: p["results"] for p in document["participants"]} == \
            {sid: live.student(sid).as_dict() for sid in ("ana", "ben", "cem")}
        analysis = runs.item_analysis(conn, "t", run_id)["questions"]
        assert analysis[0]["results"]["no_answer"] == 2


async def test_a_dashboard_that_connects_between_refreshes_hides_no_change_from_the_others(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async def next_grid(client: Client) -> dict[str, Any]:
        with trio.fail_after(600):
            async for text in client.outgoing():
                message = json.loads(text)
                if message["type"] in ("paced_grid", "paced_grid_changes"):
                    return message
        raise AssertionError("outbox closed")

    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.INSTRUCTOR) as first, \
                room.connect(Role.STUDENT, "ana") as ana:
            await next_grid(first)
            drain(first)
            await send(room, ana, type="submit", question_idx=0, answer="B")
            async with room.connect(Role.INSTRUCTOR):  # before the refresh that shows Ana's
                seen = await next_grid(first)
            assert [r["cells"][0] for r in seen["rows"] if r["student_id"] == "ana"] == ["right"]


async def test_a_class_list_accommodation_applies_from_the_students_first_question(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A class list's extra time reaches a student-paced run at the join: their very
    first question runs twice as long, and so after a restart."""
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana", accommodation=Accommodation(2.0, False))
        async with room.connect(Role.STUDENT, "ana") as ana:
            assert (await next_of(ana, "question_open"))["remaining_ms"] == 60_000
    async with paced_room(tmp_path) as room:
        assert room.paced is not None
        assert room.paced.run.progress["ana"].accommodation == Accommodation(2.0, False)


async def test_phones_in_a_paced_run_get_no_lobby_count(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Each phone is on its own question from the join: the lobby's count, sent to every
    waiting phone, would be a thousand messages a second for nothing."""
    async with paced_room(tmp_path) as room, room.connect(Role.INSTRUCTOR) as teacher:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            for sid in ("ben", "cem"):
                await room.join(sid, sid.title())
            while (await next_of(teacher, "lobby_count"))["count"] < 3:
                pass  # the dashboard's count follows the joins
            await trio.sleep(5)  # several of the lobby count's intervals
            assert [m["type"] for m in drain(ana) if m["type"] == "lobby_count"] == []


async def test_leaving_the_page_counts_on_the_students_own_open_question(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """As in a live run, a phone that leaves the page while answering is noted (and shown
    in the students table); in a paced run "while answering" is the student's own open
    question, whatever question the page named, and nothing once they finished."""
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.INSTRUCTOR) as teacher:
            await room.record_event("ana", "blur", 2)
            await send(room, ana, type="next", question_idx=0)
            await room.record_event("ana", "visibility_hidden", None)
            audit = room.game.audits["ana"]
            assert (audit.blur_count, audit.hidden_count) == (1, 1)
            await trio.sleep(1)  # the students table's refresh
            dashboard = Dashboard(teacher)
            dashboard.read()
            assert (dashboard.presence["ana"]["blur_count"],
                    dashboard.presence["ana"]["hidden_count"]) == (1, 1)
            for _ in range(2):
                await send(room, ana, type="next")
            assert room.paced.run.progress["ana"].finished
            await room.record_event("ana", "blur", 2)  # done: nothing open to leave
            assert room.game.audits["ana"].blur_count == 1
        events = room.store.conn.execute(
            "SELECT question_idx, kind FROM student_events WHERE run_id = ? ORDER BY id",
            (room.run_id,)).fetchall()
        assert [tuple(e) for e in events] == [(0, "blur"), (1, "visibility_hidden")]


async def test_a_passed_question_counts_as_no_answer_in_the_share_right_at_once(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """The grid's right % per question while the run goes on: a student who passed a
    question (or ran out of time) has no answer there, as the grid's cell says, never
    one who may still answer."""
    async with paced_room(tmp_path) as room:
        for sid in ("ana", "ben", "cem"):
            await room.join(sid, sid.title())
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.STUDENT, "ben") as ben:
            await send(room, ana, type="submit", question_idx=0, answer="B")
            await send(room, ben, type="next", question_idx=0)
            assert room.paced.run.cell("ben", 0) == "no_answer"
            column = paced_views.question_columns(room.paced.run)[0]
            assert (column["reached"], column["answered"], column["right"],
                    column["share_right"]) == (3, 1, 1, 0.5)
            tally = room.paced.run.run_results().question(0)
            assert (tally.no_answer, tally.pending) == (1, 1)  # Ben passed; Cem still may
            assert paced_views.question_columns(room.paced.run)[1]["reached"] == 1  # Ben


async def test_the_end_redraws_the_grid_rows_whose_open_question_it_closed(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """The end (End for everyone, or the end time) closes every open question: the
    dashboard's grid says no answer there, not working on it."""
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.INSTRUCTOR) as teacher:
            await next_of(teacher, "paced_grid")
            await trio.sleep(1)  # the refreshes after a dashboard connects
            drain(teacher)
            await room.end_session()
            changes = await next_of(teacher, "paced_grid_changes")
            assert changes["ended"] is True
            assert [(r["student_id"], r["cells_changed"]) for r in changes["rows"]] == \
                [("ana", {"0": "no_answer"})]


async def test_after_the_end_the_summary_says_who_the_end_stopped_not_who_is_working(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        await room.join("ben", "Ben")  # never answers: not started, and so after the end
        async with room.connect(Role.STUDENT, "ana") as ana:
            await send(room, ana, type="submit", question_idx=0, answer="B")
            await send(room, ana, type="next", question_idx=0)
            assert room.paced.run.summary() == {"finished": 0, "working": 1, "not_started": 1}
        await room.end_session()
        assert room.paced.run.summary() == {"finished": 0, "working": 0, "not_started": 1,
                                            "stopped": 1}


async def test_a_student_paced_phone_numbers_the_questions_as_a_live_one_does(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """"Question 2 of 2" after a slide, as in a live run, not "Question 3 of 3": a slide has
    no number, and the count is of the questions that take answers."""
    quiz = PACED | {"questions": [{"kind": "slide", "text": "Read this"},
                                  *THREE_QUESTIONS["questions"][:2]]}
    async with paced_room(tmp_path, quiz) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.INSTRUCTOR) as teacher:
            slide = await next_of(ana, "question_open")
            assert (slide["question_number"], slide["question_count"]) == (None, 2)
            await send(room, ana, type="next", question_idx=0)
            first = await next_of(ana, "question_open")
            assert (first["question_idx"], first["position"], first["of"]) == (1, 2, 3)
            assert (first["question_number"], first["question_count"]) == (1, 2)
            await send(room, teacher, type="end_session")
            review = (await next_of(ana, "session_ended"))["review"]
            assert [(r["question_number"], r["question_count"]) for r in review] == [
                (None, 2), (1, 2), (2, 2)]


@pytest.mark.server_log_allows(r"storage: disk full")
async def test_a_repeated_answer_whose_first_save_the_disk_refused_is_not_acknowledged(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A second socket of the student resends the answer while its first save commits; the
    disk refuses that save. The resend must not be told "saved": nothing is."""
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as one, \
                room.connect(Role.STUDENT, "ana") as two:
            write, committing, refuse = room.store.write, trio.Event(), trio.Event()
            refused = trio.Event()

            async def after_the_first(apply: Any) -> Any:  # the next group, as the store's
                await refused.wait()
                return await write(apply)

            async def refuse_the_first(apply: Any) -> Any:
                room.store.write = after_the_first  # type: ignore[method-assign]
                committing.set()
                await refuse.wait()
                refused.set()
                raise StorageError("disk full")

            room.store.write = refuse_the_first  # type: ignore[method-assign]
            drain(one)
            drain(two)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(partial(send, room, one, type="submit", question_idx=0,
                                           answer="B"))
                await committing.wait()
                nursery.start_soon(partial(send, room, two, type="submit", question_idx=0,
                                           answer="B"))
                await trio.sleep(1)
                refuse.set()
            assert room.game.submission("ana", 0) is None
            assert [m["code"] for m in drain(one) if m["type"] == "error"] == ["storage"]
            assert [(m["type"], m.get("code")) for m in drain(two)
                    if m["type"] in ("submit_ack", "error")] == [("error", "storage")]
            # Nothing stands: the question is still hers to answer.
            await send(room, one, type="submit", question_idx=0, answer="B")
            assert (await next_of(one, "submit_ack"))["answer"] == "B"


class OffTheEventLoop:
    """The store's connection, refusing to be used from the event loop's thread: sqlite
    waits for the disk, and the event loop serves the class meanwhile."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._loop_thread = threading.get_ident()

    def __getattr__(self, name: str) -> Any:
        assert threading.get_ident() != self._loop_thread, f"store.conn.{name} on the loop"
        return getattr(self._conn, name)


async def test_choosing_the_pace_a_new_run_and_a_new_quiz_read_the_disk_off_the_event_loop(
        tmp_path: Path) -> None:
    """A student-paced side is built from the run's record (its pace, each student's
    progress, the last heartbeat): read in a thread, as every read while the class runs."""
    async with open_store(tmp_path / "room.sqlite3") as store, \
            open_room(store, quiz_from_dict(THREE_QUESTIONS), session_id="t") as room:
        store.conn = OffTheEventLoop(store.conn)  # type: ignore[assignment]
        assert room.paced is None
        await room.run_to_completion(choose_pace, room, "student", None)
        assert room.paced is not None and room.paced.run.game is room.game
        await room.join("ana", "Ana")
        assert "ana" in room.paced.run.progress
        await room.reset()
        assert room.paced is None  # the quiz's own pace again: live
        assert await room.load_quiz(quiz_from_dict(PACED)) is False
        assert room.paced is not None and room.paced.run.game is room.game


def finished_at(room: Room) -> int | None:
    return room.store.conn.execute("SELECT finished_at FROM runs WHERE run_id = ?",
                                   (room.run_id,)).fetchone()[0]


@pytest.mark.parametrize("chosen", [False, True], ids=["the file's pace", "the teacher's"])
async def test_a_student_paced_end_is_one_commit_with_one_time_the_run_keeps(
        tmp_path: Path, autojump_clock: trio.testing.MockClock, chosen: bool) -> None:
    """The end closes the open questions and ends the run in one commit, at one time: the
    run's ``finished_at``, which a restart reads back as the student-paced end."""
    quiz = THREE_QUESTIONS if chosen else PACED
    async with paced_room(tmp_path, quiz) as room:
        if chosen:
            await room.run_to_completion(choose_pace, room, "student", None)
        await room.join("ana", "Ana")
        await trio.sleep(5)
        commits = room.store.commits
        await room.end_session()
        assert room.store.commits == commits + 1
        ended = finished_at(room)
        assert room.paced.run.progress["ana"].current.closed_at == ended
        assert room.paced.run.ended_at == ended
        kept = db.get_meta(room.store.conn, paced_record.pace_key(room.run_id))
        assert "ended_at" not in json.loads(kept or "{}")
    await trio.sleep(60)
    async with paced_room(tmp_path, quiz) as room:
        assert room.paced.run.ended_at == ended


async def test_a_student_paced_end_kept_by_an_earlier_version_is_read_back(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Earlier versions kept the end in the run's pace, and finished the run in a second
    commit that a crash could leave unwritten."""
    async with paced_room(tmp_path) as room:
        run_id, started_at = room.run_id, room.paced.run.started_at
        await room.join("ana", "Ana")
        await trio.sleep(5)

        def as_an_earlier_version(conn: Any) -> None:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (
                paced_record.pace_key(run_id),
                json.dumps({"pace": "student", "paced": {}, "started_at": started_at,
                            "ended_at": 5_000})))
        await room.store.write(as_an_earlier_version)
    async with paced_room(tmp_path) as room:
        assert finished_at(room) is None
        assert room.paced.run.ended_at == 5_000


@pytest.mark.parametrize("change", ["pick a pace", "load a quiz"])
async def test_a_student_who_joins_while_the_run_turns_student_paced_starts_on_it(
        tmp_path: Path, change: str) -> None:
    """The teacher picks Student-paced, or runs a student-paced quiz from the library, in a
    run nobody joined, and a phone joins while that is being saved: the student waits
    for it and gets their first question, not a live lobby no one opens (or one about to
    be replaced by a student-paced side without them)."""
    async with open_store(tmp_path / "room.sqlite3") as store, \
            open_room(store, quiz_from_dict(THREE_QUESTIONS), session_id="t") as room:
        reached, release = trio.Event(), trio.Event()
        write = store.write

        async def hold_the_first(apply: Any) -> Any:  # the change's save; others go on
            if not reached.is_set():
                reached.set()
                await release.wait()
            return await write(apply)

        joined = trio.Event()

        async def join() -> None:
            await room.join("ana", "Ana")
            joined.set()

        store.write = hold_the_first  # type: ignore[method-assign]
        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                if change == "pick a pace":
                    nursery.start_soon(choose_pace, room, "student", None)
                else:
                    nursery.start_soon(room.load_quiz, quiz_from_dict(PACED))
                await reached.wait()  # the change is being saved
                nursery.start_soon(join)
                await trio.testing.wait_all_tasks_blocked()
                if "ana" in room.game.participants:  # a join let through: it ends first
                    await joined.wait()
                release.set()
        store.write = write  # type: ignore[method-assign]
        assert room.paced is not None and "ana" in room.paced.run.progress
        async with room.connect(Role.STUDENT, "ana") as ana:
            assert (await next_of(ana, "question_open"))["question_idx"] is not None


def run_on_disk(room: Room) -> tuple[int, str, str]:
    """The session's run as the disk has it: its id, its quiz's title, its pace."""
    conn = room.store.conn
    (run_id,) = conn.execute("SELECT run_id FROM sessions WHERE sid = ?",
                             (room.session_id,)).fetchone()
    (kept,) = conn.execute("SELECT quiz_json FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    quiz = quiz_from_dict(json.loads(kept))
    return run_id, quiz.title, paced_record.run_pace(conn, run_id, quiz.pace, quiz.paced).pace


def run_in_memory(room: Room) -> tuple[int, str, str]:
    return room.run_id, room.game.quiz.title, "live" if room.paced is None else "student"


@pytest.mark.server_log_allows(r"storage: disk full")
async def test_an_answer_refused_after_its_deadline_passed_still_closes_the_question(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Ana answers a moment before her time is up; the disk refuses the answer only after
    her deadline has passed (the deadline task found her turn closed by the answer). The
    answer is taken back, and the question still closes for her, as her time says: it
    must not stay open with no clock, her grid cell "working" for good."""
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            await next_of(ana, "question_open")
            await trio.sleep(29.9)
            write = room.store.write

            async def refuse_after_the_deadline(apply: Any) -> Any:
                room.store.write = write  # type: ignore[method-assign]
                await trio.sleep(1)  # past her 30 s
                raise StorageError("disk full")

            room.store.write = refuse_after_the_deadline  # type: ignore[method-assign]
            await send(room, ana, type="submit", question_idx=0, answer="B")
            assert errors(ana) == ["storage"]
            with trio.move_on_after(60):
                await next_of(ana, "question_closed")
            assert room.game.submission("ana", 0) is not None
            assert room.game.submission("ana", 0).status == "missed"
            assert room.paced.run.cell("ana", 0) == "no_answer"


@DISK_REFUSED
@pytest.mark.parametrize("change", ["pick a pace", "load a quiz", "reset"])
async def test_a_new_pace_quiz_or_run_whose_read_back_fails_is_not_kept_on_the_disk_either(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    """What the room holds after such a change is read back from the disk once it is
    saved. A read that failed (an I/O error) left the change on the disk and the room as
    it was, with a traceback: a class going on live in a run the disk kept student-paced,
    or answering in a run the disk had archived."""
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as teacher:
        before = run_on_disk(room)

        def unreadable(*args: Any, **kwargs: Any) -> Any:
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(paced_record, "run_pace", unreadable)
        drain(teacher)
        if change == "load a quiz":
            with pytest.raises(StorageError):
                await room.load_quiz(quiz_from_dict(PACED | {"title": "Another"}))
        else:
            await send(room, teacher, type="set_pace" if change == "pick a pace" else "reset",
                       pace="student")
            assert errors(teacher) == ["storage"]
        monkeypatch.undo()
        assert run_on_disk(room) == run_in_memory(room) == before
        await send(room, teacher, type="set_pace", pace="student")  # and it can be made again
        assert run_on_disk(room) == run_in_memory(room) == (before[0], before[1], "student")
