"""A change the disk refused is never reported as saved, and every write path replays the
changes it refused earlier, in order, before its own."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import trio

from trivia_trio.config import Settings
from trivia_trio.web.server import ServerInfo, serve

from .conftest import DISK_REFUSED, connect, get, instructor_cookie, join, post


def disk(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(settings.db_path) as conn:
        return conn.execute(sql).fetchall()


def refuse_writes(server: ServerInfo, refused: bool) -> None:
    server.room.store.conn.execute(f"PRAGMA query_only = {int(refused)}")


@DISK_REFUSED
async def test_a_clear_the_disk_refused_is_not_reported_and_changes_nothing(
        server: ServerInfo, settings: Settings) -> None:
    impostor = await join(server, "s1", "Impostor")
    teacher = await instructor_cookie(server)
    refuse_writes(server, True)
    response = await post(server, "/api/instructor/clear", {"student_id": "s1"}, teacher)
    assert response.status == 503 and response.json()["code"] == "storage"
    assert "s1" in server.room.game.participants
    assert (await get(server, "/api/me", impostor)).status == 200
    refuse_writes(server, False)
    response = await post(server, "/api/instructor/clear", {"student_id": "s1"}, teacher)
    assert response.json() == {"removed": True}
    assert disk(settings, "SELECT student_id FROM participants") == []


async def test_a_clear_survives_a_restart(tmp_path: Any, settings: Settings) -> None:
    async with trio.open_nursery() as nursery:
        first = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        impostor = await join(first, "s1", "Impostor")
        teacher = await instructor_cookie(first)
        assert (await post(first, "/api/instructor/clear", {"student_id": "s1"}, teacher)
                ).json() == {"removed": True}
        nursery.cancel_scope.cancel()
    async with trio.open_nursery() as nursery:
        second = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        assert (await get(second, "/api/me", impostor)).status == 401
        await join(second, "s1", "The real s1")
        nursery.cancel_scope.cancel()


async def refused_transitions(server: ServerInfo, teacher: Any) -> None:
    """Question 0 opened; then, while the disk refuses, closed and question 1 opened."""
    await teacher.send({"type": "next"})
    await teacher.until("question_open", question_idx=0)
    refuse_writes(server, True)
    await teacher.send({"type": "open_question", "question_idx": 1})
    assert (await teacher.until("warning"))["code"] == "storage"
    await teacher.until("question_open", question_idx=1)  # the class goes on from memory
    refuse_writes(server, False)


@DISK_REFUSED
@pytest.mark.parametrize("path", ["submit", "join", "event"])
async def test_every_write_path_replays_what_the_disk_refused_before_saying_it_is_saved(
        server: ServerInfo, settings: Settings, path: str) -> None:
    student = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher, \
            connect(server, "/ws/student", student) as phone:
        await refused_transitions(server, teacher)
        if path == "submit":
            await phone.until("question_open", question_idx=1)
            await phone.request({"type": "submit", "question_idx": 1, "answer": "A"},
                                "submit_ack")
        elif path == "join":
            await join(server, "s2", "Bob")
        else:
            assert (await post(server, "/api/events", {"kind": "blur"}, student)).status == 204
        assert (await teacher.until("warning"))["code"] == "storage_ok"
        # By the time the instructor reads "Saving works again", the disk has it all.
        assert disk(settings, "SELECT question_idx, closed_at IS NOT NULL FROM question_events "
                              "ORDER BY question_idx") == [(0, 1), (1, 0)]
        assert disk(settings, "SELECT state, current_question_idx FROM sessions") == \
            [("question_open", 1)]


@DISK_REFUSED
async def test_what_the_disk_refused_is_written_at_shutdown(
        tmp_path: Any, settings: Settings) -> None:
    async with trio.open_nursery() as nursery:
        server = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
            await refused_transitions(server, teacher)
        nursery.cancel_scope.cancel()
    assert disk(settings, "SELECT question_idx, closed_at IS NOT NULL FROM question_events "
                          "ORDER BY question_idx") == [(0, 1), (1, 0)]
