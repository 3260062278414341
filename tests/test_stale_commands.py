"""A command pressed at a stage that has passed changes nothing (PROTOCOL v3, "Stale commands").

A clicker's double tap sends the same ``from`` twice: the first press acts, the
others arrive for a stage that is gone and get a quiet ``stale`` reply. A command
without ``from`` keeps v2's behaviour (scripts drive the protocol directly).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import trio
import trio.testing

from trivia_trio.core.record import State
from trivia_trio.room.room import Client, Role, Room
from trivia_trio.web.server import ServerInfo

from .conftest import connect, instructor_cookie
from .test_room import drain, room_at


async def press(room: Room, client: Client, message: dict[str, Any]) -> list[dict[str, Any]]:
    """Send ``message`` as the dashboard would; the errors it got back."""
    drain(client)
    await room.handle(client, json.dumps(message))
    return [m for m in drain(client) if m["type"] == "error"]


async def test_a_command_for_a_stage_that_has_passed_changes_nothing_and_says_stale(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as teacher:
        assert room.game.stage == "lobby:null"
        assert await press(room, teacher, {"type": "next", "from": "lobby:null"}) == []
        assert room.game.stage == "question_open:0"
        # Every command, not only next, is held to the stage it was pressed at.
        for stale in ({"type": "next", "from": "lobby:null"},
                      {"type": "close_question", "from": "lobby:null"},
                      {"type": "open_question", "question_idx": 2, "from": "lobby:null"},
                      {"type": "end_session", "from": "question_closed:0"},
                      {"type": "reset", "from": "finished:null"},
                      {"type": "projector_live_answers", "on": True, "from": "lobby:null"}):
            errors = await press(room, teacher, stale)
            assert [e["code"] for e in errors] == ["stale"], stale
            assert room.game.stage == "question_open:0"
            assert room.game.openings[0].closed_at is None
        assert room.live_answers is False
        assert await press(room, teacher, {"type": "next", "from": "question_open:0"}) == []
        assert room.game.stage == "question_closed:0"
        assert await press(room, teacher, {"type": "projector_live_answers", "on": True,
                                           "from": "question_closed:0"}) == []
        assert room.live_answers is True


async def test_a_command_without_from_acts_wherever_the_run_is(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as teacher:
        for _ in range(3):
            assert await press(room, teacher, {"type": "next"}) == []
        assert room.game.stage == "question_open:1"


async def test_a_from_that_is_not_a_stage_name_is_a_bad_message(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as teacher:
        for bad in (0, ["lobby", None], {"state": "lobby"}):
            errors = await press(room, teacher, {"type": "next", "from": bad})
            assert [e["code"] for e in errors] == ["bad_message"]
        assert room.game.state is State.LOBBY


async def test_two_presses_from_the_same_stage_in_flight_together_act_once(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Both wait for the room's lock; the check is made under it, so the second sees the
    stage the first left behind."""
    async with room_at(tmp_path) as room, room.connect(Role.INSTRUCTOR) as teacher:
        async with trio.open_nursery() as nursery:
            for _ in range(2):
                nursery.start_soon(room.handle, teacher,
                                   json.dumps({"type": "next", "from": "lobby:null"}))
        assert room.game.stage == "question_open:0"
        assert [m["code"] for m in drain(teacher) if m["type"] == "error"] == ["stale"]


async def test_three_nexts_within_half_a_second_over_a_real_socket_open_question_1_only(
        server: ServerInfo) -> None:
    """The clicker's triple press from the lobby: all three left the page before it
    heard of the first one's effect, so all three name the lobby."""
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        await teacher.until("state", state="lobby")
        with trio.fail_after(0.5):
            for _ in range(3):
                await teacher.send({"type": "next", "from": "lobby:null"})
            errors = [await teacher.until("error") for _ in range(2)]
        assert [e["code"] for e in errors] == ["stale", "stale"]
        states = [m for m in teacher.seen if m["type"] == "state"]
        assert [(m["state"], m["current_question_idx"]) for m in states] == [
            ("lobby", None), ("question_open", 0)]
        # The question stays open for the class: a ping's pong comes after anything the
        # presses could still have caused, and nothing closed it.
        await teacher.send({"type": "ping"})
        await teacher.until("pong")
        assert not [m for m in teacher.seen if m["type"] == "question_closed"]
        assert [m["type"] for m in teacher.seen if m["type"] == "question_open"] == [
            "question_open"]
