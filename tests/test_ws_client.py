"""The load generator's own websocket client, against a real server."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
import trio
import trio.testing

from trivia_trio.core.paced_grid_rows import GRID_ROWS
from trivia_trio.room.connection import text_frame
from trivia_trio.room.frames import unmask
from trivia_trio.tools.ws_client import (
    GUID,
    HandshakeRefused,
    WebSocketClosed,
    client_frame,
    open_websocket,
)
from trivia_trio.web.server import ServerInfo

from .conftest import instructor_cookie, join, ws_url


async def test_it_talks_closes_cleanly_and_sees_the_servers_close_code(
        server: ServerInfo) -> None:
    cookie = await join(server, "s1", "Ann")
    async with open_websocket(ws_url(server, "/ws/student"), headers=[("Cookie", cookie)],
                              wait_s=5) as ws:
        with trio.fail_after(5):
            assert json.loads(await ws.get_message())["type"] == "state"
            await ws.send_message('{"type":"ping"}')
            while json.loads(await ws.get_message())["type"] != "pong":
                pass
    async with open_websocket(ws_url(server, "/ws/student"), wait_s=5) as ws:
        with pytest.raises(WebSocketClosed) as closed, trio.fail_after(5):
            await ws.get_message()
        assert closed.value.code == 4001  # no identity: the server says so, and we hear it
        with pytest.raises(WebSocketClosed):
            await ws.send_message("{}")


async def test_a_refused_handshake_tells_its_status(server: ServerInfo) -> None:
    with pytest.raises(HandshakeRefused) as refused:
        async with open_websocket(ws_url(server, "/ws/projector"),
                                  headers=[("Origin", "http://elsewhere.example")], wait_s=5):
            pass
    assert refused.value.status == 403


async def test_it_answers_a_ping_with_its_payload_between_two_messages(
        nursery: trio.Nursery) -> None:
    pongs: list[bytes] = []

    async def pinging_server(stream: trio.SocketStream) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            head += await stream.receive_some(4096)
        key = re.search(rb"Sec-WebSocket-Key: (\S+)", head).group(1)  # type: ignore[union-attr]
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        await stream.send_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
                              b"\r\n\r\n" + text_frame("one") + b"\x89\x04beat" + text_frame("two"))
        pong = b""
        while len(pong) < 2 + 4 + 4:
            pong += await stream.receive_some(4096)
        assert pong[:2] == bytes([0x8A, 0x80 | 4])
        pongs.append(unmask(pong[6:10], pong[2:6]))
        await stream.send_all(text_frame("three"))
        await stream.receive_some(4096)  # the client's close
        await stream.aclose()

    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    nursery.start_soon(trio.serve_listeners, pinging_server, listeners)
    port = listeners[0].socket.getsockname()[1]
    async with open_websocket(f"ws://127.0.0.1:{port}/", wait_s=5) as ws:
        with trio.fail_after(5):
            assert [await ws.get_message() for _ in range(3)] == ["one", "two", "three"]
    assert pongs == [b"beat"]


def test_client_frames_are_masked_and_sized_as_rfc_6455_says() -> None:
    short, medium, long = (client_frame(0x1, b"x" * size) for size in (125, 126, 70_000))
    assert short[:2] == bytes([0x81, 0x80 | 125]) and len(short) == 2 + 4 + 125
    assert medium[:4] == bytes([0x81, 0x80 | 126, 0, 126]) and len(medium) == 4 + 4 + 126
    assert long[1] == 0x80 | 127 and len(long) == 10 + 4 + 70_000
    assert unmask(short[6:], short[2:6]) == b"x" * 125


async def test_a_server_that_never_answers_is_a_refused_handshake(
        autojump_clock: trio.testing.MockClock, nursery: trio.Nursery) -> None:
    async def silent(stream: trio.SocketStream) -> None:
        await trio.sleep_forever()

    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    nursery.start_soon(trio.serve_listeners, silent, listeners)
    with pytest.raises(HandshakeRefused) as refused:
        async with open_websocket(f"ws://127.0.0.1:{port}/ws/projector", wait_s=30):
            pass
    assert refused.value.status == 0


async def test_a_query_reaches_the_server_so_a_dashboard_gets_the_forms_it_accepts(
        server: ServerInfo) -> None:
    """The load test's dashboard asks, as the page does, for the grid by position: a
    query the client dropped measured the older messages instead."""
    teacher_cookie = await instructor_cookie(server)
    async with open_websocket(ws_url(server, f"/ws/instructor?accept={GRID_ROWS}"),
                              headers=[("Cookie", teacher_cookie)], wait_s=5) as teacher:
        await teacher.send_message(json.dumps({"type": "set_pace", "pace": "student"}))
        with trio.fail_after(10):  # a join before the pick is held would make it refused
            while (message := json.loads(await teacher.get_message())).get("pace") != "student":
                assert message["type"] != "error", message
        cookie = await join(server, "s1", "Ann")
        async with open_websocket(ws_url(server, "/ws/student"),
                                  headers=[("Cookie", cookie)], wait_s=5) as phone:
            with trio.fail_after(10):
                while json.loads(await phone.get_message())["type"] != "question_open":
                    pass
                await phone.send_message(json.dumps({"type": "submit", "question_idx": 0,
                                                     "answer": "B"}))
                while json.loads(await teacher.get_message())["type"] != "paced_grid_rows":
                    pass
