"""Stopping the server: a connection with no request in flight is closed at once, and a
request in flight still gets its answer, however long the grace for it is."""

from __future__ import annotations

import json
import signal
import socket
import sys
import time
from pathlib import Path

import h11
import pytest
import trio
from trio_websocket import open_websocket_url

from .conftest import ServerProcess

# The command line as a teacher runs it, with 30 s of grace at stop instead of 1.5 s: a
# connection the server waited out would hold the stop that long.
LONG_GRACE = ("import functools, sys; from trivia_trio import cli, config; "
              "cli.Settings = functools.partial(config.Settings, "
              "limits=config.Limits(stop_grace_s=30)); sys.exit(cli.main())")
WAIT_S = 10  # every wait here; a third of the grace


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of the one response ``sock`` gets next."""
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    client.send(h11.EndOfMessage())
    status, body = 0, b""
    while True:
        event = client.next_event()
        if event is h11.NEED_DATA:
            client.receive_data(sock.recv(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return status, body


def read_until(sock: socket.socket, end: bytes) -> bytes:
    """What ``sock`` receives up to and including ``end``, read a byte at a time so that
    nothing after it is taken."""
    got = b""
    while not got.endswith(end):
        byte = sock.recv(1)
        assert byte, f"closed after {got!r}"
        got += byte
    return got


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=WAIT_S).close()
    except ConnectionRefusedError:
        return True
    return False


def long_grace_server(tmp_path: Path, quiz_path: Path) -> ServerProcess:
    proc = ServerProcess(tmp_path / "data", quiz_path, program=["-c", LONG_GRACE])
    proc.start()
    return proc


def test_a_stop_closes_idle_connections_at_once_and_a_request_in_flight_gets_its_answer(
        tmp_path: Path, quiz_path: Path) -> None:
    proc = long_grace_server(tmp_path, quiz_path)
    assert proc.process is not None
    idle = socket.create_connection(("127.0.0.1", proc.port), timeout=WAIT_S)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert read_response(idle)[0] == 200  # kept alive, with no request in flight now

    body = json.dumps({"student_id": "s1", "name": "Ann"}).encode()
    busy = socket.create_connection(("127.0.0.1", proc.port), timeout=WAIT_S)
    busy.sendall(b"POST /api/join HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                 b"application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n"
                 % len(body))
    # The server's "go on" says it has the request: in flight from here, its body to come.
    assert read_until(busy, b"\r\n\r\n").startswith(b"HTTP/1.1 100 ")
    busy.sendall(body[:10])
    proc.process.terminate()
    deadline = time.monotonic() + WAIT_S
    while not refused(proc.port):  # the server stopped listening: it is stopping
        assert time.monotonic() < deadline, "the server still listens after SIGTERM"
        time.sleep(0.02)

    busy.sendall(body[10:])
    status, answer = read_response(busy)
    assert (status, json.loads(answer)["student_id"]) == (200, "s1")
    assert busy.recv(1) == b""  # closed after its answer
    assert idle.recv(1) == b""  # closed by the server, not waited out for 30 s
    assert proc.process.wait(timeout=WAIT_S) == 0
    proc.stop()  # reads what it printed to the end
    assert "Stopped. Your answers are kept in" in "".join(proc.output)


async def test_a_connection_the_client_closed_is_closed_at_once_and_holds_no_stop(
        tmp_path: Path, quiz_path: Path) -> None:
    proc = long_grace_server(tmp_path, quiz_path)
    assert proc.process is not None
    with trio.fail_after(WAIT_S):
        async with open_websocket_url(proc.url.replace("http", "ws") + "/ws/projector") as ws:
            assert '"type":"state"' in await ws.get_message()
        # closed with its handshake done: its connection is over, pings and all

    done = socket.create_connection(("127.0.0.1", proc.port), timeout=WAIT_S)
    done.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert read_response(done)[0] == 200
    done.shutdown(socket.SHUT_WR)  # the client is done: the server closes too, not when idle
    assert done.recv(1) == b""

    proc.process.terminate()
    assert proc.process.wait(timeout=WAIT_S) == 0  # nothing left to wait for


# The command line as a teacher runs it, with Ctrl+C (or SIGTERM) pressed again once the
# server has stopped and closed its sockets, on the rest of the way out.
PRESSED_AGAIN = ("import os, signal, sys; from trivia_trio import cli; run = cli._run\n"
                 "async def _run(*args):\n"
                 "    await run(*args)\n"
                 "    os.kill(os.getpid(), signal.SIG{0})\n"
                 "cli._run = _run; sys.exit(cli.main())")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("again", ["INT", "TERM"])
def test_a_second_stop_signal_on_the_way_out_is_ignored(
        tmp_path: Path, quiz_path: Path, again: str) -> None:
    """Pressed twice, Ctrl+C printed a KeyboardInterrupt traceback, and a second SIGTERM
    ended the process with its exit status, without its last line."""
    proc = ServerProcess(tmp_path / "data", quiz_path, program=["-c", PRESSED_AGAIN.format(again)])
    proc.start()
    assert proc.stop(signal.SIGINT) == 0
    assert "Stopped. Your answers are kept in" in "".join(proc.output)
