"""An accommodation applies from the student's next question, the speed penalty as the
extra time: the question they are at keeps the rules it opened with, across a restart
(the room on virtual time, a real sqlite file)."""

from __future__ import annotations

from pathlib import Path

import trio
import trio.testing

from trivia_trio.room.room import Role

from .test_paced_room import errors, paced_room, send
from .test_room import drain, next_of


async def test_no_speed_penalty_granted_or_taken_back_mid_question_waits_for_the_next(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.INSTRUCTOR) as teacher:
            await trio.sleep(10)
            await send(room, teacher, type="accommodate", student_id="ana",
                       no_speed_penalty=True)
            assert errors(teacher) == []
            await trio.sleep(10)
            drain(ana)
            await send(room, ana, type="submit", question_idx=0, answer="B")
            # 20 s of 30, scored with the speed penalty the question opened with
            assert (await next_of(ana, "submit_ack"))["score"] == 0.65
            await send(room, ana, type="next", question_idx=0)
            assert (await next_of(ana, "question_open"))["question_idx"] == 1
            await send(room, teacher, type="accommodate", student_id="ana",
                       no_speed_penalty=False)  # taken back: from her next question
    # A restart: the open question keeps the rules it opened with.
    async with paced_room(tmp_path) as room, room.connect(Role.STUDENT, "ana") as ana:
        drain(ana)
        await trio.sleep(10)
        await send(room, ana, type="submit", question_idx=1, answer="A")
        assert (await next_of(ana, "submit_ack"))["score"] == 1.0
