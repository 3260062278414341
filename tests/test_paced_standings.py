"""What a student-paced run tells the class of its standings, on every path a phone or a
big screen can read: none unless the quiz shows them (``paced.standings``), and with
feedback at the end none before the end (a score that moves tells a student whether
their answer was right). The room on virtual time, a real sqlite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from trivia_trio.core import paced_views, views
from trivia_trio.room.room import Role

from .test_paced_room import PACED, paced_room, send
from .test_room import next_of

PUBLIC_STANDINGS = ("leaderboard", "podium", "score_distribution")


def standings_shown(room: Any, student_id: str) -> dict[str, bool]:
    """Where the class's standings can be read now: the projector's state (its socket and
    ``GET /api/projector``) and a phone's ``GET /api/stats``."""
    projector = room.projector_state()
    stats = views.stats_payload(room.game, room.game.current_idx, student_id)
    return {"projector": any(projector[key] is not None for key in PUBLIC_STANDINGS),
            "top": "top" in projector["progress"],
            "stats": bool(stats["top5"]) or stats["your_rank"] is not None}


# (paced settings, standings during the run, at its end)
SETTINGS = [
    ({"standings": False}, False, False),
    ({"standings": False, "feedback": "end"}, False, False),
    ({"standings": True, "feedback": "end"}, False, True),
    ({"standings": True}, True, True),
]


@pytest.mark.parametrize(("paced", "during", "at_end"), SETTINGS)
async def test_standings_reach_phones_and_the_projector_only_when_the_paced_run_shows_them(
        tmp_path: Path, autojump_clock: trio.testing.MockClock, paced: dict[str, Any],
        during: bool, at_end: bool) -> None:
    async with paced_room(tmp_path, PACED | {"paced": paced}) as room:
        await room.join("ana", "Ana")
        await room.join("ben", "Ben")
        async with room.connect(Role.STUDENT, "ana") as ana:
            await send(room, ana, type="submit", question_idx=0, answer="B")
            await next_of(ana, "question_closed")
            expected = {"projector": during, "top": during, "stats": during}
            assert standings_shown(room, "ana") == expected
            await room.end_session()
            expected = {"projector": at_end, "top": at_end, "stats": at_end}
            assert standings_shown(room, "ana") == expected
            assert ("class_results" in room.projector_state()) is not at_end


async def test_an_end_without_standings_gives_the_projector_the_paced_runs_own_results(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        for sid in ("ana", "ben", "cy"):
            await room.join(sid, sid.title())
        async with room.connect(Role.STUDENT, "ana") as ana, \
                room.connect(Role.STUDENT, "ben") as ben:
            await send(room, ana, type="submit", question_idx=0, answer="B")
            await send(room, ben, type="submit", question_idx=0, answer="C")
            await next_of(ben, "question_closed")
            await send(room, ana, type="next", question_idx=0)
            await send(room, ana, type="submit", question_idx=1, answer="A")
            await next_of(ana, "question_closed")
            await room.end_session()
        # Q1: Ana right, Ben wrong, Cy (at it, no answer) no answer; Q2: Ana right, and
        # nobody else reached it. Q3 was reached by no one.
        grid = room.paced.run.run_results()
        assert room.projector_state()["class_results"] == {
            "players": 3, "share_right": 0.5,
            "questions": [{"number": 1, "share_right": grid.question(0).share_right},
                          {"number": 2, "share_right": 1.0}]}
        assert grid.question(0).share_right == 0.3333


async def test_without_the_review_no_right_answer_or_verdict_reaches_the_student_after_the_end(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    quiz = PACED | {"paced": {"feedback": "end", "review": False}}
    async with paced_room(tmp_path, quiz) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            await send(room, ana, type="submit", question_idx=0, answer="C")
            await next_of(ana, "question_closed")
            await room.end_session()
            ended = await next_of(ana, "session_ended")
            assert "review" not in ended and ended["questions_correct"] == 0
        # What a repeated answer gets back (one sent while the end is being saved).
        closed = paced_views.turn_closed(room.paced.run, "ana", 0)
        assert not {"correct", "explanation", "your_result"} & closed.keys()
        me = room.me("ana")
        assert me["total_score"] == 0.0
        assert all(s.keys() == {"question_idx", "status", "asking", "answer"}
                   for s in me["submissions"])


async def test_the_end_screens_count_of_questions_asked_is_the_results_models(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        async with room.connect(Role.STUDENT, "ana") as ana:
            await send(room, ana, type="submit", question_idx=0, answer="B")
            await send(room, ana, type="next", question_idx=0)
            await room.end_session()  # nobody reached the third question
            ended = await next_of(ana, "session_ended")
        totals = room.paced.run.run_results().student("ana")
        assert (ended["questions_answered"], ended["questions_asked"]) == \
            (totals.answered, totals.asked) == (1, 2)
