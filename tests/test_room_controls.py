"""The teacher's room controls, each rule on the room itself (virtual time, a real sqlite
file, the room's own outboxes): Lock joining."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio
import trio.testing

from trivia_trio.core.game import DuplicateStudentId, Rejected
from trivia_trio.room.room import Role

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

