"""Bad input to a student-paced run's own messages: a clear error, nothing changed (the
room on virtual time, a real sqlite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio
import trio.testing

from trivia_trio.room.room import Role

from .test_paced_room import errors, paced_room, send
from .test_room import drain, next_of


@pytest.mark.parametrize("pressed_at", [True, 1.0, "1", [1], {"question_idx": 1}])
async def test_a_next_whose_question_idx_is_not_a_whole_number_is_refused_and_passes_nothing(
        tmp_path: Path, autojump_clock: trio.testing.MockClock, pressed_at: object) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            drain(ana)
            await send(room, ana, type="next", question_idx=0)
            assert (await next_of(ana, "question_open"))["question_idx"] == 1
            drain(ana)
            await send(room, ana, type="next", question_idx=pressed_at)
            assert errors(ana) == ["bad_question"]
            turns = room.paced.run.progress["ana"].turns
            assert [t.question_idx for t in turns] == [0, 1] and turns[1].closed_at is None
