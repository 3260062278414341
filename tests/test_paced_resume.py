"""A student-paced run after a crash: each open turn gets back the time it had when the
server stopped, counted from its own opening when it opened after the last heartbeat
(the room on virtual time, a real sqlite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio
import trio.testing

from trivia_trio.room.room import Role

from .test_paced_room import paced_room, send
from .test_room import next_of


# Seconds at the first question before answering it: none (the heartbeat never noted
# anything) or long enough for a beat that the idle minutes then leave stale.
@pytest.mark.parametrize("thinking", [0, 1.5])
async def test_a_turn_opened_after_the_last_heartbeat_gets_no_more_than_its_own_time(
        tmp_path: Path, autojump_clock: trio.testing.MockClock, thinking: float) -> None:
    with trio.CancelScope() as crash:
        async with paced_room(tmp_path) as room:
            await room.join("ana", "Ana")
            async with room.connect(Role.STUDENT, "ana") as ana:
                await trio.sleep(thinking)
                await send(room, ana, type="submit", question_idx=0, answer="B")
                await next_of(ana, "question_closed")
                # No clock runs for ten minutes: the heartbeat (each whole second while
                # a clock runs) notes nothing, nor between this Next and the kill.
                await trio.sleep(600.1 - thinking)
                await send(room, ana, type="next", question_idx=0)
                assert (await next_of(ana, "question_open"))["remaining_ms"] == 30_000
                await trio.sleep(0.5)  # killed before the next beat
                room.heartbeat.note_alive = trio.lowlevel.checkpoint
                crash.cancel()
    await trio.sleep(100)  # no server runs
    async with paced_room(tmp_path) as room, room.connect(Role.STUDENT, "ana") as ana:
        opened = await next_of(ana, "question_open")
        assert opened["question_idx"] == 1
        assert 29_500 <= opened["remaining_ms"] <= 30_000  # not the ten idle minutes too
