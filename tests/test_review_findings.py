"""Races and bounds found in review, each pinned by the test that first showed it.

Races are made deterministic by holding one write inside the store's commit
thread (a monkeypatched store function waits on a threading.Event) while the
racing call runs on the trio side.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from trivia_trio.core.quiz import quiz_from_dict
from trivia_trio.core.record import Rejected, State
from trivia_trio.room.room import Role, Room, open_room
from trivia_trio.room.throttle import SlidingWindow
from trivia_trio.store import database as db
from trivia_trio.store.committer import open_store
from trivia_trio.store.database import StorageError
from trivia_trio.web.assets import package_assets
from trivia_trio.web.server import ServerInfo

from .conftest import DISK_REFUSED, THREE_QUESTIONS, get, join
from .test_room import drain
from .test_room import room_at as inline_room


@asynccontextmanager
async def threaded_room(path: Path) -> AsyncIterator[Room]:
    """A room over a store that commits in a thread (as in production), wall clock."""
    async with open_store(path / "room.sqlite3") as store, \
            open_room(store, quiz_from_dict(THREE_QUESTIONS), session_id="t") as room:
        yield room


class Gate:
    """Wraps a store function so its call blocks the commit thread until ``release``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        self.entered = threading.Event()
        self._open = threading.Event()
        real: Callable[..., Any] = getattr(db, name)

        def gated(*args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            self._open.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(db, name, gated)

    async def wait_entered(self) -> None:
        with trio.fail_after(5):
            await trio.to_thread.run_sync(self.entered.wait, 5)

    def release(self) -> None:
        self._open.set()


def rows(room: Room, sql: str, *args: Any) -> list[sqlite3.Row]:
    return room.store.conn.execute(sql, args).fetchall()


# ---- 1. a join racing a reset is saved into the NEW run ------------------------------------
async def test_a_join_racing_a_reset_does_not_land_in_the_new_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The join waits for the new run and joins it whole. Let through while the reset
    commits, it joined the run being archived: its row was written into that run after
    its end (its gradebook gained a student), and the phone was told to join again."""
    async with threaded_room(tmp_path) as room:
        archived = room.run_id
        gate = Gate(monkeypatch, "new_run")
        told: list[str] = []

        async def join_during_reset() -> None:
            try:
                await room.join("s1", "Ann")
            except Rejected as rejected:  # joined the run that just ended: told to retry
                told.append(rejected.code)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(room.reset)
            await gate.wait_entered()          # reset's transaction is committing
            nursery.start_soon(join_during_reset)
            await trio.testing.wait_all_tasks_blocked()
            gate.release()
        problems = []
        in_memory = "s1" in room.game.participants
        in_db = bool(rows(room, "SELECT 1 FROM participants WHERE run_id = ? AND "
                                "student_id = 's1'", room.run_id))
        if in_memory != in_db:
            problems.append(f"new run: s1 in memory={in_memory}, in sqlite={in_db}")
        if not in_memory:
            try:  # the id must stay joinable in the new run
                await room.join("s1", "Ann")
            except StorageError as exc:
                problems.append(f"s1 can no longer join this run: {exc}")
        assert not problems, problems
        assert not rows(room, "SELECT 1 FROM participants WHERE run_id = ?", archived)
        assert (told, in_memory) == ([], True)


# ---- 2. clear while a submit is in flight leaves an orphan answer -------------------------
async def test_clear_while_a_submit_commits_leaves_no_orphan_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with threaded_room(tmp_path) as room:
        await room.join("s1", "Ann")
        await room.open_question(0)
        async with room.connect(Role.STUDENT, "s1") as phone:
            gate = Gate(monkeypatch, "delete_participant")
            async with trio.open_nursery() as nursery:
                nursery.start_soon(room.clear_student, "s1")
                await gate.wait_entered()      # the clear's delete is committing
                nursery.start_soon(room.handle, phone,
                                   json.dumps({"type": "submit", "question_idx": 0,
                                               "answer": "B"}))
                await trio.testing.wait_all_tasks_blocked()
                gate.release()
        assert "s1" not in room.game.participants
        assert rows(room, "SELECT * FROM submissions WHERE student_id = 's1'") == []


# ---- 3. a kicked socket keeps acting for whoever re-claims the id -------------------------
async def test_a_cleared_students_old_socket_cannot_answer_for_the_rejoined_student(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with inline_room(tmp_path) as room:
        await room.join("s1", "Hijacker")
        async with room.connect(Role.STUDENT, "s1") as hijacker:
            await room.open_question(0)
            await room.clear_student("s1")     # kicked: session_reset + Close queued
            await room.join("s1", "Real student")
            # Frames the hijacker sent (or keeps sending while not reading) are still handled.
            await room.handle(hijacker, json.dumps({"type": "submit", "question_idx": 0,
                                                    "answer": "A"}))
            assert room.game.submission("s1", 0) is None


# ---- 4. a reconnect snapshot acknowledges an answer that is not yet committed -------------
async def test_a_reconnect_snapshot_never_acks_an_uncommitted_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with threaded_room(tmp_path) as room:
        await room.join("s1", "Ann")
        await room.open_question(0)
        async with room.connect(Role.STUDENT, "s1") as first:
            gate = Gate(monkeypatch, "insert_submissions")
            async with trio.open_nursery() as nursery:
                nursery.start_soon(room.handle, first,
                                   json.dumps({"type": "submit", "question_idx": 0,
                                               "answer": "B"}))
                await gate.wait_entered()      # the answer is committing, not durable yet
                async with room.connect(Role.STUDENT, "s1") as second:
                    acked = [m for m in drain(second) if m["type"] == "submit_ack"]
                gate.release()
            assert acked == [], "acknowledged before the commit"


# ---- 5. a reset whose write fails kills the question timer (and the socket) ---------------
@DISK_REFUSED
async def test_a_failed_reset_leaves_the_open_question_timer_running(
        tmp_path: Path, autojump_clock: trio.testing.MockClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with inline_room(tmp_path) as room:
        await room.open_question(0)

        def disk_full(*args: Any, **kwargs: Any) -> Any:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(db, "new_run", disk_full)
        with contextlib.suppress(Exception):
            await room.reset()
        assert room.game.state is State.QUESTION_OPEN
        await trio.sleep(31)
        assert room.game.state is State.QUESTION_CLOSED, "the timer was cancelled for good"


@DISK_REFUSED
async def test_a_failed_reset_is_an_error_message_not_an_exception_out_of_handle(
        tmp_path: Path, autojump_clock: trio.testing.MockClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with inline_room(tmp_path) as room, room.connect(Role.INSTRUCTOR) as instructor:
        def disk_full(*args: Any, **kwargs: Any) -> Any:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(db, "new_run", disk_full)
        drain(instructor)
        try:
            await room.handle(instructor, json.dumps({"type": "reset"}))
        except StorageError:
            pytest.fail("StorageError escaped Room.handle: the websocket handler dies")
        assert [m["code"] for m in drain(instructor) if m["type"] == "error"] == ["storage"]


# ---- 6. per-address and per-path caches that never shrink ----------------------------------
async def test_the_join_throttle_forgets_addresses_it_no_longer_needs(
        autojump_clock: trio.testing.MockClock) -> None:
    window = SlidingWindow(5, 60)
    for n in range(1000):
        assert window.allow(f"10.0.{n // 250}.{n % 250}")
    await trio.sleep(120)
    window.allow("10.9.9.9")
    assert len(window._events) <= 1


async def test_unknown_static_paths_do_not_grow_the_asset_cache(server: ServerInfo) -> None:
    before = len(package_assets()._plain)
    for n in range(50):
        assert (await get(server, f"/static/nope-{n}.js")).status == 404
    assert len(package_assets()._plain) == before


# ---- 7. /api/stats with a non-ASCII digit is a 500 ----------------------------------------
async def test_stats_with_a_unicode_digit_is_a_400_not_a_500(server: ServerInfo) -> None:
    cookie = await join(server, "s1", "Ann")
    response = await get(server, "/api/stats?question_idx=%C2%B2", cookie)  # "²"
    assert response.status == 400, response.status
