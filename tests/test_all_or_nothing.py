"""An instructor action is all or nothing, even when its socket or request is gone mid-way.

Each test holds the action's write inside the store's commit thread (``Gate``),
hangs up the dashboard that sent it, waits until the server has noticed, then
lets the write finish: memory, disk and every client must then agree.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
import trio
import trio.testing
from trio_websocket import connect_websocket_url

from trivia_trio.web.server import ServerInfo

from .conftest import THREE_QUESTIONS, connect, get, instructor_cookie, join, ws_url
from .test_review_findings import Gate


def disk(server: ServerInfo, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.data_dir / "trivia_trio.sqlite3") as conn:
        return conn.execute(sql).fetchall()


async def send_and_hang_up(server: ServerInfo, gate: Gate, message: dict[str, Any]) -> None:
    """Send ``message`` from a dashboard, hang up while its write is held, then let it go."""
    teacher = await instructor_cookie(server)
    connected = server.room.connection_count
    async with trio.open_nursery() as nursery:
        ws = await connect_websocket_url(nursery, ws_url(server, "/ws/instructor"),
                                         extra_headers=[("Cookie", teacher)])
        await ws.send_message(json.dumps(message))
        await gate.wait_entered()
        await ws._close_stream()  # the laptop's browser tab is closed: no close handshake
        nursery.cancel_scope.cancel()
    with trio.fail_after(5):
        while server.room.connection_count > connected:
            await trio.testing.wait_all_tasks_blocked(0.01)
    gate.release()


async def test_opening_a_question_from_a_dashboard_that_hangs_up_completes(
        server: ServerInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/student", cookie) as student:
        gate = Gate(monkeypatch, "save_opening")
        await send_and_hang_up(server, gate, {"type": "open_question", "question_idx": 0})
        opened = await student.until("question_open", question_idx=0)
    assert opened["remaining_ms"] > 0
    assert server.room.timer.running, "the question would never close"
    assert disk(server, "SELECT state, current_question_idx FROM sessions") == \
        [("question_open", 0)]


async def test_a_reset_from_a_dashboard_that_hangs_up_completes(
        server: ServerInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/student", cookie) as student:
        gate = Gate(monkeypatch, "new_run")
        await send_and_hang_up(server, gate, {"type": "reset"})
        await student.until("session_reset")
    assert disk(server, "SELECT run_id FROM sessions") == [(server.room.run_id,)]
    assert server.room.game.participants == {}
    assert (await get(server, "/api/me", cookie)).status == 401


async def test_an_upload_whose_request_is_aborted_either_loads_everywhere_or_nowhere(
        server: ServerInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    teacher = await instructor_cookie(server)
    quiz = json.dumps(dict(THREE_QUESTIONS, title="Uploaded")).encode()
    head = (f"POST /api/instructor/quiz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Cookie: {teacher}\r\nX-Filename: up.json\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(quiz)}\r\n\r\n").encode()
    gate = Gate(monkeypatch, "set_run_quiz")
    async with connect(server, "/ws/projector") as projector:
        await projector.until("state")  # the snapshot, before the upload
        stream = await trio.open_tcp_stream("127.0.0.1", server.port)
        await stream.send_all(head + quiz)
        await gate.wait_entered()
        await stream.aclose()
        await trio.testing.wait_all_tasks_blocked(0.05)  # the server notices the hang-up
        gate.release()
        await projector.until("state", title="Uploaded")
    assert server.room.game.quiz.title == "Uploaded"
    stored = disk(server, "SELECT quiz_json FROM runs JOIN sessions USING (run_id)")
    assert json.loads(stored[0][0])["title"] == "Uploaded"
