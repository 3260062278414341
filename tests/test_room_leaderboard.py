"""The leaderboard setting (core/standings.py) in what each audience is sent: the phones'
reveal, interlude and end (and what ``GET /api/stats`` tells a student), the projector's
state, and the dashboard's switch over the quiz's own setting (virtual time, a real
sqlite file, the room's own outboxes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from trivia_trio.core import views
from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.core.record import Step
from trivia_trio.room.room import Role

from .test_room import drain, next_of, room_at, submit


def two_questions(**settings: Any) -> dict[str, Any]:
    return {"title": "Standings", "score_fn": "binary", "time_limit_default": 30,
            "close_when_all_answered": False, **settings,
            "questions": [{"text": "One", "options": ["a", "b"], "correct": "A"},
                          {"text": "Two", "options": ["a", "b"], "correct": "A"}]}


STANDINGS = ("top5", "final_top5", "your_rank")


def standings_in(message: dict[str, Any]) -> set[str]:
    return {key for key in STANDINGS if key in message}


# (quiz settings, standings with a reveal and between questions, at the end, Next steps
# through the leaderboard)
MODES = [
    ({}, True, True, False),  # a quiz from before the setting: as it always was
    ({"leaderboard_between": True}, True, True, True),
    ({"leaderboard": "between"}, True, True, True),
    ({"leaderboard": "end", "leaderboard_between": True}, False, True, False),
    ({"leaderboard": "never"}, False, False, False),
]


@pytest.mark.parametrize(("settings", "during", "at_end", "steps"), MODES)
async def test_each_audience_is_sent_standings_only_when_the_setting_shows_them(
        tmp_path: Path, autojump_clock: trio.testing.MockClock, settings: dict[str, Any],
        during: bool, at_end: bool, steps: bool) -> None:
    async with room_at(tmp_path, two_questions(**settings)) as room, \
            room.connect(Role.INSTRUCTOR) as dashboard:
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as phone:
            await room.open_question(0)
            await submit(room, phone, 0, "A")
            await room.close_question()
            closed = await next_of(phone, "question_closed")
            assert standings_in(closed) == ({"top5", "your_rank"} if during else set())
            assert closed["your_total"] == 1.0  # their own score is always theirs
            projector = room.projector_state()
            assert (projector["leaderboard"] is not None) is during
            assert (projector["podium"] is not None) is during
            assert (room.game.next_step() is Step.LEADERBOARD) is steps
            stats = views.stats_payload(room.game, 0, "s1")  # GET /api/stats, the phone's
            assert (bool(stats["top5"]), stats["your_rank"] is not None) == (during, during)
            await room.show_leaderboard()
            between = await next_of(phone, "between_questions")
            assert standings_in(between) == ({"top5", "your_rank"} if during else set())
            await room.end_session()
            ended = await next_of(phone, "session_ended")
            assert standings_in(ended) == ({"final_top5", "your_rank"} if at_end else set())
            projector = room.projector_state()
            assert (projector["leaderboard"] is not None) is at_end
            assert (projector["score_distribution"] is not None) is at_end
            stats = views.stats_payload(room.game, 0, "s1")
            assert (bool(stats["top5"]), stats["your_rank"] is not None) == (at_end, at_end)
        # The teacher's dashboard ranks the class whatever the class is shown.
        teacher = {m["type"]: m for m in drain(dashboard)}
        assert teacher["question_closed"]["top5"][0]["name"] == "Ann"
        assert teacher["session_ended"]["final_top5"][0]["name"] == "Ann"


async def test_the_dashboard_switch_overrides_the_quiz_outlives_a_restart_and_a_new_quiz_drops_it(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, two_questions(leaderboard_between=True)) as room, \
            room.connect(Role.INSTRUCTOR) as dashboard:
        drain(dashboard)
        await room.handle(dashboard, json.dumps({"type": "leaderboard_mode", "mode": "never"}))
        info = await next_of(dashboard, "room_info")
        assert (info["leaderboard"], info["quiz_leaderboard"]) == ("never", None)
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as phone:
            await room.open_question(0)
            await submit(room, phone, 0, "A")
            await room.close_question()
            assert standings_in(await next_of(phone, "question_closed")) == set()
            assert room.game.next_step() is Step.OPEN  # no leaderboard step either
    async with room_at(tmp_path, two_questions(leaderboard_between=True)) as room:
        assert room.game.leaderboard == "never"
        await room.reset()  # a new run of the same quiz keeps the teacher's pick
        assert room.game.leaderboard == "never"
        await room.set_leaderboard(None)  # the quiz's own setting back
        assert room.game.leaderboard is None
        await room.set_leaderboard("end")
        await room.load_quiz(quiz_from_dict(two_questions(leaderboard="between")))
        assert room.game.leaderboard == "between"  # a new quiz brings its own


async def test_a_leaderboard_mode_that_is_not_one_of_the_three_changes_nothing(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, two_questions(leaderboard="end")) as room, \
            room.connect(Role.INSTRUCTOR) as dashboard:
        drain(dashboard)
        await room.handle(dashboard, json.dumps({"type": "leaderboard_mode", "mode": "always"}))
        assert (await next_of(dashboard, "error"))["code"] == "bad_message"
        assert room.game.leaderboard == "end"


def test_the_quiz_setting_is_checked_and_survives_json() -> None:
    with pytest.raises(QuizError) as refused:
        quiz_from_dict(two_questions(leaderboard="sometimes"))
    assert refused.value.problems == [
        'the leaderboard "sometimes" is not one of never, between, end']
    quiz = quiz_from_dict(two_questions(leaderboard="end"))
    assert quiz_from_dict(quiz.to_dict()) == quiz and quiz.to_dict()["leaderboard"] == "end"


@pytest.mark.parametrize(("mode", "shown"), [("never", True), ("between", False), ("end", False)])
async def test_with_no_standings_at_the_end_the_projector_gets_the_class_results_without_names(
        tmp_path: Path, autojump_clock: trio.testing.MockClock, mode: str, shown: bool) -> None:
    quiz = two_questions(leaderboard=mode)
    quiz["questions"].insert(1, {"kind": "poll", "text": "Fun?", "options": ["yes", "no"]})
    async with room_at(tmp_path, quiz) as room:
        for student_id in ("s1", "s2"):
            await room.join(student_id, student_id.upper())
        async with room.connect(Role.STUDENT, "s1") as ann, \
                room.connect(Role.STUDENT, "s2") as bob:
            for idx in range(3):
                await room.open_question(idx)
                if idx != 1:  # the poll is nobody's to get right
                    await submit(room, ann, idx, "A")
                    await submit(room, bob, idx, "B" if idx == 0 else "A")
                await room.close_question()
            assert "class_results" not in room.projector_state()  # only at the end
            await room.end_session()
        projector = room.projector_state()
        if not shown:
            assert "class_results" not in projector
            return
        assert projector["class_results"] == {
            "players": 2, "share_right": 0.75,
            "questions": [{"number": 1, "share_right": 0.5}, {"number": 3, "share_right": 1.0}]}
        assert "S1" not in json.dumps(projector) and "s1" not in json.dumps(projector)
