"""The room on virtual time: timers, coalesced views, and fan-out, with no sockets or threads.

The store commits inline (``use_thread=False``) so ``autojump_clock`` never
jumps while a write is in flight; clients are the room's own outboxes.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from trivia_trio.core.quiz import quiz_from_dict
from trivia_trio.core.record import DuplicateStudentId, State, as_score
from trivia_trio.room.room import Client, Role, Room, open_room
from trivia_trio.store.committer import open_store
from trivia_trio.store.database import StorageError

from .conftest import THREE_QUESTIONS, Peer


def virtual_ms() -> int:
    return int(trio.current_time() * 1000)


@asynccontextmanager
async def room_at(path: Path, quiz: dict[str, Any] = THREE_QUESTIONS) -> AsyncIterator[Room]:
    async with open_store(path / "room.sqlite3", use_thread=False) as store, \
            open_room(store, quiz_from_dict(quiz), session_id="t", clock=virtual_ms) as room:
        yield room


def drain(client: Client) -> list[dict[str, Any]]:
    """Everything queued for ``client`` so far."""
    messages = []
    while True:
        try:
            messages.append(json.loads(client.receive_nowait()))
        except trio.WouldBlock:
            return messages


class Dashboard(Peer):
    """An instructor's outbox folded into tables, as the page folds them."""

    def __init__(self, client: Client) -> None:
        super().__init__(None)  # type: ignore[arg-type]  # reads the room's outbox instead
        self.client = client

    def read(self) -> None:
        for message in drain(self.client):
            self.keep_tables(message)


async def next_of(client: Client, kind: str) -> dict[str, Any]:
    with trio.fail_after(600):
        async for text in client.outgoing():
            message = json.loads(text)
            if message["type"] == kind:
                return message
    raise AssertionError("outbox closed")


async def test_an_open_question_closes_exactly_at_its_time_limit(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        start = trio.current_time()
        await room.open_question(0)
        closed = await next_of(instructor, "question_closed")
        assert closed["question_idx"] == 0
        assert trio.current_time() - start == 30
        assert room.game.state is State.QUESTION_CLOSED
        await trio.sleep(100)
        assert not [m for m in drain(instructor) if m["type"] == "question_closed"]


async def test_a_time_limit_given_when_opening_overrides_the_quiz(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        start = trio.current_time()
        await room.open_question(2, time_limit=7)
        assert (await next_of(instructor, "question_open"))["time_limit"] == 7
        await next_of(instructor, "question_closed")
        assert trio.current_time() - start == 7


async def test_a_manual_close_cancels_the_timer_so_it_never_closes_twice(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await room.open_question(0)
        await trio.sleep(10)
        await room.close_question()
        await room.close_question()  # the button pressed twice
        await trio.sleep(60)  # long past the old deadline
        closes = [m for m in drain(instructor) if m["type"] == "question_closed"]
        assert len(closes) == 1
        assert room.game.openings[0].closed_at == 10_000


async def test_reopening_a_question_restarts_its_clock(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await room.open_question(1)  # 30 s
        await trio.sleep(20)
        await room.close_question()
        await trio.sleep(5)
        reopened_at = trio.current_time()
        await room.open_question(1)
        drain(instructor)
        await next_of(instructor, "question_closed")
        assert trio.current_time() - reopened_at == 30


async def test_next_while_open_closes_and_stays_on_the_reveal_then_opens_the_following(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await room.advance()
        await room.advance()
        kinds = [(m["type"], m.get("question_idx")) for m in drain(instructor)
                 if m["type"] in ("question_open", "question_closed")]
        assert kinds == [("question_open", 0), ("question_closed", 0)]
        assert room.game.state is State.QUESTION_CLOSED
        await room.advance()
        assert [m.get("question_idx") for m in drain(instructor)
                if m["type"] == "question_open"] == [1]
        for _ in range(3):  # close 1, open 2, close 2
            await room.advance()
        assert room.game.state is State.QUESTION_CLOSED
        await room.advance()  # after the last reveal: the end
        assert room.game.state is State.FINISHED
        await room.advance()  # nothing after the end
        assert room.game.state is State.FINISHED


async def test_with_leaderboard_between_next_shows_it_and_after_the_last_has_no_next_idx(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    quiz = THREE_QUESTIONS | {"leaderboard_between": True}
    async with room_at(tmp_path, quiz) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await room.open_question(0)
        await room.advance()  # close: the reveal
        await room.advance()  # the leaderboard
        assert room.game.state is State.BETWEEN_QUESTIONS
        assert (await next_of(instructor, "between_questions"))["next_idx"] == 1
        await room.open_question(2)
        await room.advance()
        await room.advance()
        assert (await next_of(instructor, "between_questions"))["next_idx"] is None
        await room.advance()
        assert room.game.state is State.FINISHED


async def test_a_burst_of_answers_is_a_handful_of_instructor_and_projector_updates(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor, \
            room.connect(Role.PROJECTOR) as projector:
        students = [f"s{i}" for i in range(200)]
        for student_id in students:
            await room.join(student_id, f"Student {student_id}")
        await room.open_question(0)
        drain(instructor), drain(projector)
        commits_before = room.store.commits
        async with trio.open_nursery() as nursery:
            for student_id in students:
                async def answer(student_id: str = student_id) -> None:
                    async with room.connect(Role.STUDENT, student_id) as client:
                        await room.handle(client, json.dumps(
                            {"type": "submit", "question_idx": 0, "answer": "B"}))
                        assert (await next_of(client, "submit_ack"))["answer"] == "B"
                nursery.start_soon(answer)
        await trio.sleep(1)
        histograms = [m for m in drain(instructor) if m["type"] == "live_histogram"]
        assert histograms[-1]["submitted_count"] == 200
        assert len(histograms) <= 3
        assert len([m for m in drain(projector) if m["type"] == "projector_state"]) <= 3
        assert room.store.commits - commits_before <= 5  # 200 answers, grouped


async def test_a_client_that_stops_reading_is_dropped_and_the_others_still_get_everything(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room:
        await room.join("slow", "Slow")
        await room.join("fast", "Fast")
        async with room.connect(Role.STUDENT, "slow") as slow, \
                room.connect(Role.STUDENT, "fast") as fast:
            for _ in range(room.limits.outbox_messages):
                await room.open_question(0)
                await room.close_question()
                drain(fast)
            assert slow.cancel_scope.cancel_called
            assert not fast.cancel_scope.cancel_called


# ---- closing once everyone has answered ----------------------------------------------------
EARLY_CLOSE = THREE_QUESTIONS | {"close_when_all_answered": True}


async def submit(room: Room, phone: Client, idx: int, letter: str) -> None:
    await room.handle(phone, json.dumps({"type": "submit", "question_idx": idx, "answer": letter}))
    assert (await next_of(phone, "submit_ack"))["answer"] == letter


async def test_the_question_closes_once_every_connected_student_has_an_acknowledged_answer(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, EARLY_CLOSE) as room, \
            room.connect(Role.INSTRUCTOR) as instructor:
        for student_id in ("s1", "s2", "gone"):
            await room.join(student_id, student_id)
        async with room.connect(Role.STUDENT, "s1") as ann, \
                room.connect(Role.STUDENT, "s2") as bob:
            start = trio.current_time()
            await room.open_question(0)
            await submit(room, ann, 0, "B")
            await trio.sleep(5)
            assert room.game.state is State.QUESTION_OPEN  # Bob is still thinking
            await submit(room, bob, 0, "A")
            closed = await next_of(instructor, "question_closed")
            assert trio.current_time() - start == 5  # not the 30 s limit
            # "gone" never connected: missed, as if the time had run out.
            assert closed["histogram"]["missed"] == 1
            assert (await next_of(bob, "question_closed"))["your_answer"] == "A"
        await trio.sleep(100)
        assert [m for m in drain(instructor) if m["type"] == "question_closed"] == []


async def test_with_the_setting_off_the_question_waits_for_its_time_and_the_switch_turns_it_on(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, EARLY_CLOSE | {"close_when_all_answered": False}) as room, \
            room.connect(Role.INSTRUCTOR) as instructor:
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as ann:
            start = trio.current_time()
            await room.open_question(0)
            await submit(room, ann, 0, "B")
            await trio.sleep(10)
            assert room.game.state is State.QUESTION_OPEN
            await room.handle(instructor, json.dumps({"type": "close_when_all_answered",
                                                      "on": True}))
            await next_of(instructor, "question_closed")
            assert trio.current_time() - start == 10
        async with room.connect(Role.INSTRUCTOR) as dashboard:
            assert (await next_of(dashboard, "room_info"))["close_when_all_answered"] is True


async def test_the_switch_outlives_a_restart_and_a_new_quiz_brings_its_own_setting(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, EARLY_CLOSE) as room:
        await room.set_close_when_all_answered(False)
    async with room_at(tmp_path, EARLY_CLOSE) as room:
        assert room.close_when_all_answered is False
        await room.load_quiz(quiz_from_dict(EARLY_CLOSE))
        assert room.close_when_all_answered is True
    async with room_at(tmp_path, EARLY_CLOSE) as room:
        assert room.close_when_all_answered is True


async def test_everyone_answering_as_the_timer_fires_and_a_close_button_close_it_once(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, EARLY_CLOSE) as room, \
            room.connect(Role.INSTRUCTOR) as instructor:
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as ann:
            await room.open_question(1)
            await trio.sleep(30 - 0.001)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(submit, room, ann, 1, "A")
                nursery.start_soon(room.close_question)
            await trio.sleep(100)
            closes = [m for m in drain(instructor) if m["type"] == "question_closed"]
            assert len(closes) == 1
            assert room.game.state is State.QUESTION_CLOSED


# ---- a restart ------------------------------------------------------------------------------
async def test_a_restart_resumes_an_open_question_with_the_time_it_had_left_at_the_stop(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room:
        await room.join("s1", "Ann")
        await room.open_question(0)  # 30 s
        await trio.sleep(12)
    await trio.sleep(100)  # no server runs
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        assert room.game.state is State.QUESTION_OPEN
        opened = await next_of(instructor, "question_open")
        assert opened["remaining_ms"] == 18_000
        resumed_at = trio.current_time()
        await next_of(instructor, "question_closed")
        assert trio.current_time() - resumed_at == 18
        assert room.game.submission("s1", 0).status == "missed"  # closed once, by one clock


async def test_after_a_crash_the_open_question_loses_at_most_a_second(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    with trio.CancelScope() as crash:
        async with room_at(tmp_path) as room:
            await room.open_question(0)
            await trio.sleep(12.5)
            # A killed process writes nothing more.
            room.heartbeat.note_alive = trio.lowlevel.checkpoint
            crash.cancel()
    await trio.sleep(100)
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        remaining = (await next_of(instructor, "question_open"))["remaining_ms"]
        assert 17_000 <= remaining <= 18_000  # 17.5 s were left: the last beat was at 12 s


async def test_phones_sent_back_by_a_new_quiz_or_a_clear_are_told_why_and_the_new_title(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room:
        await room.join("s1", "Ann")
        await room.join("s2", "Bob")
        async with room.connect(Role.STUDENT, "s1") as ann, \
                room.connect(Role.STUDENT, "s2") as bob:
            await room.clear_student("s2")
            assert (await next_of(bob, "session_reset")) == {
                "type": "session_reset", "reason": "removed", "title": "Three questions"}
            await room.end_session()
            await room.load_quiz(quiz_from_dict(THREE_QUESTIONS | {"title": "Fresh"}))
            assert (await next_of(ann, "session_reset")) == {
                "type": "session_reset", "reason": "new_quiz", "title": "Fresh"}


async def test_the_dashboards_tables_stay_the_rooms_whatever_happens(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Refreshes redraw only the rows named by the hot paths: after any mix of joins,
    sockets, answers, telemetry, claims, clears and questions, the presence table and
    the scores the dashboard folds together must still be the room's."""
    rng = random.Random(7)
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor, \
            AsyncExitStack() as sockets:
        dashboard = Dashboard(instructor)
        phones: dict[str, list[Client]] = {}
        idx = 0
        for step in range(300):
            ids = sorted(room.game.participants)
            student_id = rng.choice(ids) if ids and rng.random() < 0.9 else f"s{step}"
            action = rng.choice(["join", "connect", "disconnect", "answer", "telemetry",
                                 "claim", "clear", "question"])
            if action == "join" and student_id not in room.game.participants:
                await room.join(student_id, f"Student {step}")
            elif action == "connect" and student_id in room.game.participants:
                phone = await sockets.enter_async_context(room.connect(Role.STUDENT, student_id))
                phones.setdefault(student_id, []).append(phone)
            elif action == "disconnect" and phones.get(student_id):
                room._disconnect(phones[student_id].pop())  # what a socket's end does
            elif action == "answer" and phones.get(student_id) and \
                    room.game.state is State.QUESTION_OPEN:
                await room.handle(phones[student_id][-1], json.dumps(
                    {"type": "submit", "question_idx": idx, "answer": rng.choice("AB")}))
            elif action == "telemetry" and student_id in room.game.participants:
                await room.record_event(student_id, "blur", idx)
            elif action == "claim":
                with contextlib.suppress(DuplicateStudentId):
                    await room.join(student_id, "Someone else")
            elif action == "clear" and rng.random() < 0.3:
                await room.clear_student(student_id)
                phones.pop(student_id, None)
            elif action == "question":
                if room.game.state is State.QUESTION_OPEN:
                    await room.close_question()
                else:
                    idx = rng.randrange(len(room.game.quiz))
                    await room.open_question(idx)
            await trio.sleep(1)  # past the next refresh
            if step % 3:
                continue  # a dashboard behind by a few refreshes must miss nothing either
            dashboard.read()
            whole = {row["student_id"]: row for row in room.pacing.presence_rows()}
            assert dashboard.presence == whole, (step, action, student_id)
            scores = {p.student_id: {"student_id": p.student_id, "name": p.name,
                                     "score": as_score(p.points)}
                      for p in room.game.participants.values()}
            assert dashboard.scores == scores, (step, action, student_id)


@pytest.mark.server_log_allows(r"storage: disk full")
async def test_a_join_the_disk_refused_leaves_no_row_on_the_dashboard(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """While the join commits, a dashboard connects and every dashboard gets the whole
    tables, the newcomer in them; the disk then refuses the join: the row must go."""
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        dashboard = Dashboard(instructor)
        await room.join("a", "Ann")
        write = room.store.write

        async def refuse_after_a_whole_table(apply: Any) -> Any:
            async with room.connect(Role.INSTRUCTOR):
                await trio.sleep(1)  # the refresh: whole tables, Bob in them
            raise StorageError("disk full")

        room.store.write = refuse_after_a_whole_table  # type: ignore[method-assign]
        with pytest.raises(StorageError):
            await room.join("b", "Bob")
        room.store.write = write  # type: ignore[method-assign]
        await trio.sleep(1)
        dashboard.read()
        assert sorted(dashboard.presence) == sorted(dashboard.scores) == ["a"]
