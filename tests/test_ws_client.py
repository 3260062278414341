"""The load generator's own websocket client, against a real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio
import trio.testing

from trivia_trio.frames import unmask
from trivia_trio.server import ServerInfo
from trivia_trio.ws_client import HandshakeRefused, WebSocketClosed, client_frame, open_websocket

from .conftest import join, ws_url
from .test_hostile_input import running


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


async def test_it_answers_pings_so_a_quiet_socket_outlives_the_read_timeout(
        tmp_path: Path, quiz_path: Path) -> None:
    async with running(tmp_path, quiz_path, read_timeout_s=0.5, ws_ping_interval_s=0.1) \
            as server, open_websocket(ws_url(server, "/ws/projector"), wait_s=5) as ws:
        with trio.move_on_after(1.5):  # three read timeouts with nothing to say
            while True:
                await ws.get_message()
        await ws.send_message('{"type":"ping"}')
        with trio.fail_after(5):
            while json.loads(await ws.get_message())["type"] != "pong":
                pass


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
