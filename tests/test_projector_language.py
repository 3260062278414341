"""The big screen's language: the quiz's setting, or the teacher's pick on the dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio
import trio.testing

from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.room.room import Client, Role, Room

from .conftest import THREE_QUESTIONS
from .test_room import drain, next_of, room_at


async def pick(room: Room, instructor: Client, language: object) -> None:
    await room.handle(instructor, json.dumps({"type": "projector_language", "language": language}))


async def test_the_teachers_pick_reaches_the_projector_and_the_dashboard(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor, \
            room.connect(Role.PROJECTOR) as projector:
        assert (await next_of(projector, "projector_state"))["language"] is None
        drain(projector), drain(instructor)
        await pick(room, instructor, "pt-BR")
        assert (await next_of(projector, "projector_state"))["language"] == "pt-BR"
        assert (await next_of(instructor, "room_info"))["projector_language"] == "pt-BR"

        drain(projector)
        await pick(room, instructor, None)
        assert (await next_of(projector, "projector_state"))["language"] is None


async def test_the_teachers_pick_outlives_a_restart_until_set_back_to_automatic(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await pick(room, instructor, "ar")
    async with room_at(tmp_path) as room, room.connect(Role.PROJECTOR) as projector, \
            room.connect(Role.INSTRUCTOR) as instructor:
        assert (await next_of(projector, "projector_state"))["language"] == "ar"
        await pick(room, instructor, None)
    async with room_at(tmp_path) as room, room.connect(Role.PROJECTOR) as projector:
        assert (await next_of(projector, "projector_state"))["language"] is None


async def test_a_language_that_is_not_a_tag_is_refused_and_changes_nothing(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        await pick(room, instructor, "ar")
        for bad in ["", "x", "<script>", "de_DE", 42, ["de"], "a" * 40]:
            drain(instructor)
            await pick(room, instructor, bad)
            error = await next_of(instructor, "error")
            assert error["code"] == "bad_message", bad
            assert room.projector_language == "ar"
            with trio.move_on_after(1):
                assert await next_of(instructor, "room_info") is None, "nothing to redraw"


async def test_the_quizs_language_is_the_screens_until_the_teacher_picks_another(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    german = THREE_QUESTIONS | {"language": "de"}
    async with room_at(tmp_path, german) as room, room.connect(Role.INSTRUCTOR) as instructor, \
            room.connect(Role.PROJECTOR) as projector:
        assert (await next_of(projector, "projector_state"))["language"] == "de"
        assert (await next_of(instructor, "room_info"))["quiz_language"] == "de"
        drain(projector)
        await pick(room, instructor, "ja")
        assert (await next_of(projector, "projector_state"))["language"] == "ja"
        drain(projector)
        await pick(room, instructor, None)
        assert (await next_of(projector, "projector_state"))["language"] == "de"


def test_a_quiz_file_names_its_language_as_a_tag_and_keeps_it() -> None:
    quiz = quiz_from_dict(THREE_QUESTIONS | {"language": "pt-BR"})
    assert quiz.language == "pt-BR"
    assert quiz_from_dict(quiz.to_dict()) == quiz
    assert "language" not in quiz_from_dict(THREE_QUESTIONS).to_dict()
    for bad in ["Deutsch", "", 7, "de DE"]:
        with pytest.raises(QuizError) as refused:
            quiz_from_dict(THREE_QUESTIONS | {"language": bad})
        assert [problem for problem in refused.value.problems if "language" in problem] == [
            f"the language {json.dumps(bad)} is not a language tag such as \"de\" or \"pt-BR\""]
