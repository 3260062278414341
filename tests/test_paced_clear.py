"""A student the teacher removes from a student-paced run: their clock stops with them,
and a join with the same id starts afresh, every answer of it durable (the room on
virtual time, a real sqlite file)."""

from __future__ import annotations

from pathlib import Path

import trio
import trio.testing

from trivia_trio.room.room import Role

from .test_paced_room import paced_room, send
from .test_room import drain, next_of


async def test_a_removed_students_clock_writes_nothing_and_their_new_start_is_kept(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        await room.join("ben", "Ben")
        async with room.connect(Role.INSTRUCTOR) as teacher:
            await trio.sleep(1)  # the grid has gone out whole, with her row
            drain(teacher)
            assert await room.clear_student("ana")
            await trio.sleep(31)  # past the deadline of the question she was at
            assert "ana" not in room.game.answers.get(0, {})
            changes = [m for m in drain(teacher) if m["type"] == "paced_grid_changes"]
            assert any("ana" in m["removed"] for m in changes)  # her row leaves the grid
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            opened = await next_of(ana, "question_open")
            assert (opened["question_idx"], opened["remaining_ms"]) == (0, 30_000)
            await send(room, ana, type="submit", question_idx=0, answer="B")
            assert (await next_of(ana, "submit_ack"))["score"] == 1.0
        await room.end_session()
    async with paced_room(tmp_path) as room:  # what the disk kept
        kept = room.game.submission("ana", 0)
        assert kept is not None and (kept.status, kept.correct) == ("submitted", True)
        assert room.game.submission("ben", 0).status == "missed"
