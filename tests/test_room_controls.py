"""The teacher's room controls, each rule on the room itself (virtual time, a real sqlite
file, the room's own outboxes): Lock joining, and Hide for a word cloud's entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio
import trio.testing

from trivia_trio.core.game import DuplicateStudentId, Rejected
from trivia_trio.room.room import Client, Role, Room
from trivia_trio.store import exports

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
        run_id = room.run_id
        csv_text = exports.results_csv(room.store.conn, run_id)
    assert "rude (hidden)" in csv_text and "sunny" in csv_text


async def test_hiding_on_a_question_without_entries_is_refused_and_changes_nothing(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        drain(instructor)
        await room.handle(instructor, json.dumps(
            {"type": "hide_answer", "question_idx": 0, "answer": "B"}))
        assert (await next_of(instructor, "error"))["code"] == "bad_question"
        assert room.game.hidden == {}
