"""What the phones show (core/phones.py) in what each audience is sent: in a buttons-only
run a phone gets a choice's option count, never its text, options or picture, while the
projector gets the whole question; kinds that buttons cannot answer keep what a student
needs; with no projector open the phones get everything (virtual time, a real sqlite
file, the room's own outboxes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.room.room import Role

from .test_room import drain, next_of, room_at, submit

QUESTIONS = [
    {"text": "Capital of France?", "options": ["Paris", "Rome", "Oslo"], "correct": "A",
     "image": "map.png"},
    {"kind": "multi", "text": "Primes?", "options": ["2", "4", "5", "9"], "correct": "AC"},
    {"kind": "truefalse", "text": "Water is wet", "correct": True},
    {"kind": "poll", "text": "Tea or coffee?", "options": ["Tea", "Coffee"]},
    {"kind": "slide", "text": "Look at this map", "image": "map.png"},
    {"kind": "text", "text": "Spell the capital of Italy", "accept": ["Rome"]},
    {"kind": "number", "text": "How many legs has a spider?", "correct": 8,
     "min": 0, "max": 10},
    {"kind": "order", "text": "Smallest first", "items": ["1", "2", "3"]},
    {"kind": "cloud", "text": "One word for today"},
]
BUTTONS_ANSWER = {0, 1, 2, 3}  # choice-like: lettered buttons
SLIDE = 4
CONTENT = ("text", "options", "image", "items")


def quiz(**settings: Any) -> dict[str, Any]:
    return {"title": "Phones", "time_limit_default": 30, "close_when_all_answered": False,
            **settings, "questions": QUESTIONS}


async def opened(room: Any, phone: Any, idx: int) -> dict[str, Any]:
    await room.open_question(idx)
    return await next_of(phone, "question_open")


async def test_buttons_only_phones_get_the_option_count_and_the_projector_the_question(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, quiz(phones="buttons")) as room, \
            room.connect(Role.PROJECTOR) as screen:
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as phone:
            for idx, question in enumerate(QUESTIONS):
                message = await opened(room, phone, idx)
                projector = room.projector_state()["question"]
                assert projector["text"] == question["text"]  # the big screen shows it all
                if idx in BUTTONS_ANSWER:
                    assert [key for key in CONTENT if key in message] == []
                    assert message["buttons_only"] is True
                    assert message["kind"] == question.get("kind", "choice")
                    assert message["option_count"] == len(projector["options"])
                elif idx == SLIDE:  # nothing to answer: "look at the screen"
                    assert [key for key in CONTENT if key in message] == []
                    assert message["buttons_only"] is True
                else:  # typed, number, order, cloud: what a student needs to answer
                    assert message["text"] == question["text"]
                    assert "buttons_only" not in message
                    assert {k: v for k, v in message.items() if k in projector} == \
                        {k: v for k, v in projector.items() if k in message}
                if idx == 0:
                    await submit(room, phone, 0, "B")  # a button's letter is an answer
                    await room.close_question()
                    closed = await next_of(phone, "question_closed")
                    assert (closed["correct"], closed["your_correct"]) == ("A", False)
            # A reconnecting phone's snapshot is stripped too.
            await room.open_question(0)
            async with room.connect(Role.STUDENT, "s1") as again:
                snapshot = await next_of(again, "question_open")
                assert "text" not in snapshot and snapshot["option_count"] == 3
        assert screen is not None


async def test_without_a_projector_open_the_phones_get_the_whole_question(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, quiz(phones="buttons")) as room:
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as phone:
            message = await opened(room, phone, SLIDE)
            assert (message["text"], message["image"]) == ("Look at this map", "/media/map.png")
            assert "buttons_only" not in message
            # A projector opens: the open slide leaves the phones; it closes: it is back.
            async with room.connect(Role.PROJECTOR):
                again = await next_of(phone, "question_open")
                assert "text" not in again and again["buttons_only"] is True
            back = await next_of(phone, "question_open")
            assert back["text"] == "Look at this map"
            # An answered choice: the snapshot that brings the text back keeps the answer.
            message = await opened(room, phone, 0)
            assert message["options"] == ["Paris", "Rome", "Oslo"]
            assert message["image"] == "/media/map.png"  # a picture question shows it too
            await submit(room, phone, 0, "A")
            async with room.connect(Role.PROJECTOR):
                assert "options" not in await next_of(phone, "question_open")
                assert (await next_of(phone, "submit_ack"))["answer"] == "A"


async def test_the_dashboard_switch_overrides_the_quiz_and_a_new_quiz_drops_it(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path, quiz()) as room, \
            room.connect(Role.INSTRUCTOR) as dashboard, room.connect(Role.PROJECTOR):
        drain(dashboard)
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as phone:
            assert "text" in await opened(room, phone, 0)  # the default: question and options
            drain(dashboard)
            await room.handle(dashboard, json.dumps({"type": "phones_mode", "mode": "buttons"}))
            info = await next_of(dashboard, "room_info")
            assert (info["phones"], info["quiz_phones"]) == ("buttons", "question")
            # The open question is sent again without its text.
            assert "text" not in await next_of(phone, "question_open")
            await room.handle(dashboard, json.dumps({"type": "phones_mode", "mode": "always"}))
            assert (await next_of(dashboard, "error"))["code"] == "bad_message"
            assert room.game.phones == "buttons"
    async with room_at(tmp_path, quiz()) as room:
        assert room.game.phones == "buttons"  # kept across a restart
        await room.end_session()
        await room.load_quiz(quiz_from_dict(quiz()))
        assert room.game.phones == "question"  # a new quiz brings its own


def test_the_quiz_setting_is_checked_and_survives_json() -> None:
    with pytest.raises(QuizError) as refused:
        quiz_from_dict(quiz(phones="projector"))
    assert refused.value.problems == ['the phones setting "projector" is not one of '
                                      'question, buttons']
    kept = quiz_from_dict(quiz(phones="buttons"))
    assert quiz_from_dict(kept.to_dict()) == kept and kept.to_dict()["phones"] == "buttons"
    assert "phones" not in quiz_from_dict(quiz()).to_dict()
