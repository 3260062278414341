"""Hostile and broken clients: fuzzed messages, floods, clients that stop reading or vanish.

Each runs a real server on loopback; the class beside the attacker must not notice.
"""

from __future__ import annotations

import copy
import json
import os
import random
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from trio_websocket import ConnectionClosed, connect_websocket_url
from wsproto.connection import Connection, ConnectionType
from wsproto.events import CloseConnection

from trivia_trio.config import Limits
from trivia_trio.room.room import Client, Role, Room
from trivia_trio.tools.http_client import request
from trivia_trio.tools.ws_client import client_frame
from trivia_trio.web.app import create_app
from trivia_trio.web.server import ServerInfo, serve

from .conftest import Peer, connect, get, instructor_cookie, join, make_settings, ws_url
from .test_security import keyring_of

HANDSHAKE = (
    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n{cookie}\r\n"
)


@asynccontextmanager
async def running(tmp_path: Path, quiz_path: Path, **limits: Any) -> AsyncIterator[ServerInfo]:
    """A real server with these limits, stopped when the block ends."""
    settings = make_settings(tmp_path / "data", quiz_path, limits=Limits(**limits))
    async with trio.open_nursery() as nursery:
        yield await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        nursery.cancel_scope.cancel()


async def raw_socket(info: ServerInfo, path: str, cookie: str | None = None) -> trio.SocketStream:
    """A websocket opened by hand on a socket with a tiny receive buffer, then left alone:
    it never reads, never answers a ping, never closes."""
    sock = trio.socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    await sock.connect(("127.0.0.1", info.port))
    stream = trio.SocketStream(sock)
    head = HANDSHAKE.format(path=path, port=info.port,
                            cookie=f"Cookie: {cookie}\r\n" if cookie else "")
    await stream.send_all(head.encode())
    reply = b""
    with trio.fail_after(5):
        while b"\r\n\r\n" not in reply:
            reply += await stream.receive_some(1)
    assert reply.startswith(b"HTTP/1.1 101"), reply
    return stream


async def wait_for_eof(stream: trio.SocketStream) -> None:
    """Drain until the server closes the connection (reading sends the server nothing)."""
    while True:
        try:
            if not await stream.receive_some(65536):
                return
        except trio.BrokenResourceError:
            return


def snapshot(room: Room) -> Any:
    game = room.game
    return copy.deepcopy((game.state, game.current_idx, game.participants, game.answers,
                          game.openings, game.audits, room.live_answers, room.run_id))


async def open_peer(nursery: trio.Nursery, info: ServerInfo, path: str,
                    cookie: str | None = None) -> Peer:
    """A socket whose messages queue up unread (each client here reads only what it needs);
    the queue is deep enough that it still reads the network and answers pings."""
    extra = [("Cookie", cookie)] if cookie else []
    return Peer(await connect_websocket_url(nursery, ws_url(info, path), extra_headers=extra,
                                            message_queue_size=1000))


# ---- 8: fuzzed messages --------------------------------------------------------------------
DEEP = "[" * 8000 + "]" * 8000  # 16,000 bytes: under the size limit, far over the depth limit
FIXED_JUNK: list[str | bytes] = [
    "", " ", "null", "true", "1e309", "[]", '"submit"', "{}", '{"type": null}',
    '{"type": 1e309}', '{"type": ["submit"]}', '{"type": {"a": 1}}', '{"type": "SUBMIT"}',
    '{"type": "submit", "question_idx": 1e309, "answer": "A"}',
    '{"type": "submit", "question_idx": -1e309, "answer": "A"}',
    '{"type": "submit", "question_idx": NaN, "answer": "A"}',
    '{"type": "submit", "question_idx": 1' + "0" * 400 + ', "answer": "A"}',
    '{"type": "submit", "question_idx": 1' + "0" * 5000 + ', "answer": "A"}',
    '{"type": "submit", "question_idx": 0.0, "answer": "A"}',
    '{"type": "submit", "question_idx": true, "answer": "A"}',
    '{"type": "submit", "question_idx": 0, "answer": ' + "[" * 10000,
    '{"type": "submit", "question_idx": 0, "answer": ' + "[" * 3000 + "]" * 3000 + "}",
    '{"type": "submit", "question_idx": "0", "answer": "A"}',
    '{"type": "submit", "question_idx": 0, "answer": "a"}',
    '{"type": "submit", "question_idx": 0, "answer": "A "}',
    '{"type": "submit", "question_idx": 0, "answer": "\\uff21"}',
    '{"type": "submit", "question_idx": 0, "answer": "A\\u0000"}',
    '{"type": "submit", "question_idx": 0, "answer": "\\ud800"}',
    '{"type": "submit", "question_idx": 0, "answer": ["A"]}',
    '{"type": "submit", "question_idx": 0, "answer": {"A": 1}}',
    '{"type": "submit", "question_idx": 0, "answer": ' + '"A' * 1 + "x" * 15000 + '"}',
    '{"type": "submit", "question_idx": 0}', '{"type": "submit", "answer": "A"}',
    '{"type": "submit", "type": "submit", "question_idx": 7, "answer": "A"}',
    "[" * 10000, DEEP, "{" * 10000, '{"a":' * 3000,
    b"\xff\xfe\xfd", b'{"type": "submit", "question_idx": 0, "answer": "\xff"}',
    b"\xc0\xaf", b"\xed\xa0\x80", b"\x00" * 100,
]
JUNK_VALUES: list[Any] = [None, True, False, -1, 99, 10**400, 1.5, -0.0, 1e308, "", "0", "A" * 5000,
                          [], {}, [[[[]]]], {"$ne": 1}, "\u202e", "<script>"]


def random_junk(rng: random.Random, kinds: list[str], letter_ok: bool) -> str:
    """A message of a real type whose fields are junk (never a valid submit)."""
    message: dict[str, Any] = {"type": rng.choice(kinds)}
    for field in ("question_idx", "answer", "time_limit", "on"):
        if rng.random() < 0.7:
            message[field] = rng.choice(JUNK_VALUES)
    if letter_ok and message["type"] == "submit" and rng.random() < 0.5:
        message["answer"] = "A"  # a good answer, but only with a bad question_idx
        message["question_idx"] = rng.choice([None, -1, 99, 10**400, 1.5, "0", True])
    if message["type"] == "projector_live_answers" and isinstance(message.get("on"), bool):
        message["on"] = "yes"
    return json.dumps(message)


@pytest.mark.slow
async def test_fuzzed_messages_get_errors_and_change_nothing(
        tmp_path: Path, quiz_path: Path) -> None:
    rng = random.Random(8)
    async with running(tmp_path, quiz_path, messages_per_second=1e6, message_burst=10**6) \
            as server:
        cookie = await join(server, "s1", "Ann")
        async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
            await teacher.send({"type": "next"})
            await teacher.until("question_open", question_idx=0)
            before = snapshot(server.room)
            instructor_kinds = ["open_question", "projector_live_answers", "nope", "submit"]
            instructor_junk = [random_junk(rng, instructor_kinds, False) for _ in range(300)]
            instructor_junk = [m for m in instructor_junk if '"open_question"' not in m or
                               not _valid_open(json.loads(m))]
            for message in FIXED_JUNK + instructor_junk:
                await teacher.ws.send_message(message)
                error = await teacher.until("error")
                assert error["code"] in ("bad_message", "bad_question"), message
            assert snapshot(server.room) == before
            async with connect(server, "/ws/student", cookie) as student, \
                    connect(server, "/ws/projector") as projector:
                student_junk = [random_junk(rng, ["submit", "ping2", "next", "reset"], True)
                                for _ in range(700)]
                for peer in (student, projector):
                    for message in FIXED_JUNK + student_junk:
                        await peer.ws.send_message(message)
                        error = await peer.until("error")
                        assert error["code"] in ("bad_message", "bad_question", "bad_answer"), \
                            message
                assert snapshot(server.room) == before
                assert (await student.request({"type": "ping"}, "pong")) == {"type": "pong"}
                ack = await student.request({"type": "submit", "question_idx": 0,
                                             "answer": "B"}, "submit_ack")
                assert ack["answer"] == "B"
        assert (await get(server, "/healthz")).status == 200


def _valid_open(message: dict[str, Any]) -> bool:
    idx, limit = message.get("question_idx"), message.get("time_limit")
    return (type(idx) is int and 0 <= idx < 3
            and (limit is None or (type(limit) is int and 5 <= limit <= 600)))


async def test_an_oversize_frame_closes_that_socket_with_1009_and_nothing_else(
        server: ServerInfo) -> None:
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/projector") as bystander:
        await bystander.until("projector_state")
        before = snapshot(server.room)
        for payload in ("x" * (16 * 1024 + 1), "[" * 20_000, b"\xff" * 100_000,
                        json.dumps({"type": "submit", "question_idx": 0, "answer": "A" * 20000})):
            async with connect(server, "/ws/student", cookie) as student:
                await student.until("state")
                await student.ws.send_message(payload)
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await student.next()
                assert closed.value.reason.code == 1009
        assert snapshot(server.room) == before
        assert (await bystander.request({"type": "ping"}, "pong")) == {"type": "pong"}


PROTOCOL_VIOLATIONS = {
    "a 100 KB binary frame": (client_frame(0x2, b"\xff" * 100_000), 1009),
    "text that is not UTF-8": (client_frame(0x1, b'{"type": "\xff"}'), 1007),
    "an unmasked frame": (b"\x81\x0f" + b'{"type":"ping"}', 1002),
}


@pytest.mark.parametrize("name", PROTOCOL_VIOLATIONS)
async def test_a_client_that_breaks_the_protocol_is_told_why_and_its_connection_ends(
        server: ServerInfo, name: str) -> None:
    """RFC 6455 §7.1.7, failing the connection: a close frame with the code, then EOF, with
    no close frame from the client (the server no longer waits for one: a reply behind
    the rest of a too-big message held the connection until the read timeout, 35 s)."""
    frame, code = PROTOCOL_VIOLATIONS[name]
    cookie = await join(server, "s1", "Ann")
    await trio.testing.wait_all_tasks_blocked()
    before = server.room.connection_count
    stream = await raw_socket(server, "/ws/student", cookie)
    received = bytearray()
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(stream.send_all, frame)
            while chunk := await stream.receive_some(65536):
                received += chunk
    reader = Connection(ConnectionType.CLIENT)
    reader.receive_data(bytes(received))
    events = list(reader.events())
    assert isinstance(events[-1], CloseConnection), events[-1]
    assert events[-1].code == code
    await stream.aclose()
    await trio.testing.wait_all_tasks_blocked()
    assert server.room.connection_count == before


# ---- hostile HTTP bodies -------------------------------------------------------------------
HOSTILE_BODIES = {
    "latin-1": '{"student_id": "Andr\xe9", "name": "Andr\xe9", "kind": "blur"}'.encode("latin-1"),
    "utf-16": '{"student_id": "s9", "name": "Ann", "kind": "blur"}'.encode("utf-16"),
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nested objects": b'{"a":' * 100_000,
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
async def test_a_body_that_is_not_utf8_json_is_a_400_with_a_code_and_changes_nothing(
        server: ServerInfo, name: str) -> None:
    student = await join(server, "s1", "Ann")
    teacher = await instructor_cookie(server)
    before = snapshot(server.room)
    for path, cookie in (("/api/join", None), ("/api/events", student),
                         ("/api/instructor/clear", teacher)):
        headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
        response = await request("POST", server.url + path, body=HOSTILE_BODIES[name],
                                 headers=headers)
        assert response.status == 400, (path, response.status, response.body[:200])
        assert response.json()["code"] in ("bad_join", "bad_event", "bad_request"), path
    assert snapshot(server.room) == before


async def test_the_join_throttle_comes_before_the_body_is_read(server: ServerInfo) -> None:
    app = create_app(server.room, await keyring_of(server),
                     make_settings(server.data_dir, None), frozenset({"localhost"}))
    allowed = Limits().joins_per_address_per_minute
    phone = {"client": ("10.1.2.3", 5555)}
    async with app.test_app() as test_app:
        client = test_app.test_client()
        for n in range(allowed):
            response = await client.post("/api/join", json={"student_id": f"p{n}", "name": "P"},
                                         scope_base=phone)
            assert response.status_code == 200
        for body in HOSTILE_BODIES.values():
            response = await client.post("/api/join", data=body, scope_base=phone)
            assert response.status_code == 429
            assert (await response.get_json())["code"] == "rate_limited"


# ---- 10: flooding --------------------------------------------------------------------------
# Well above a normal ack (a few ms) and far below a starved one (seconds), so a
# machine busy with other tests does not turn a pass into a failure.
STILL_FAST_S = 0.5


class Victims:
    """Students answering the open question again and again: each repeat goes through the
    store, so its latency is a real ack's."""

    def __init__(self, peers: list[Peer]) -> None:
        self.peers = peers
        self.latencies: list[float] = []

    async def answer(self, rounds: int = 30) -> None:
        async def one(peer: Peer) -> None:
            for _ in range(rounds):
                start = trio.current_time()
                await peer.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                   "submit_ack")
                self.latencies.append(trio.current_time() - start)

        async with trio.open_nursery() as nursery:
            for peer in self.peers:
                nursery.start_soon(one, peer)

    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[int(len(ordered) * 0.99) - 1]


async def class_in_session(nursery: trio.Nursery, server: ServerInfo, count: int = 5
                           ) -> Victims:
    """``count`` students with question 0 open and answered once."""
    cookies = [await join(server, f"v{n}", f"Victim {n}") for n in range(count)]
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        await teacher.send({"type": "next"})
        await teacher.until("question_open")
    peers = [await open_peer(nursery, server, "/ws/student", cookie) for cookie in cookies]
    for peer in peers:
        await peer.until("question_open")
        await peer.request({"type": "submit", "question_idx": 0, "answer": "B"}, "submit_ack")
    return Victims(peers)


async def test_a_socket_that_floods_messages_is_rate_limited_then_closed(
        server: ServerInfo, nursery: trio.Nursery) -> None:
    victims = await class_in_session(nursery, server)
    flooders = [await join(server, f"f{n}", "Flood") for n in range(3)]
    codes: list[int] = []
    limited: list[int] = []

    async def flood(cookie: str) -> None:
        async with connect(server, "/ws/student", cookie) as peer:
            async def send_all() -> None:
                with pytest.raises(ConnectionClosed):  # the server hangs up mid-flood
                    for _ in range(100_000):
                        await peer.send({"type": "ping"})

            async with trio.open_nursery() as inner:
                inner.start_soon(send_all)
                count = 0
                try:
                    while True:
                        count += (await peer.next()).get("code") == "rate_limited"
                except ConnectionClosed as closed:
                    codes.append(closed.reason.code)
                    limited.append(count)
                inner.cancel_scope.cancel()

    with trio.fail_after(20):
        async with trio.open_nursery() as attack:
            for cookie in flooders:
                attack.start_soon(flood, cookie)
            await victims.answer()
    # The server closes each flooder with 1008. A client still sending when the server
    # hangs up may instead see its connection reset (1006) before it reads that frame:
    # the server's kernel answers unread data on a closed socket with a reset.
    assert len(codes) == 3 and set(codes) <= {1008, 1006}, codes
    assert all(count > 0 for count in limited)
    assert victims.p99() < STILL_FAST_S, victims.p99()


async def test_joins_from_one_address_are_limited_per_minute(
        server: ServerInfo, nursery: trio.Nursery) -> None:
    """A phone on the LAN flooding joins is throttled; the laptop itself (a rehearsal
    with the load tester) is not."""
    victims = await class_in_session(nursery, server)
    app = create_app(server.room, await keyring_of(server),
                     make_settings(server.data_dir, None), frozenset({"localhost"}))
    statuses: dict[str, list[int]] = {"10.1.2.3": [], "127.0.0.1": []}
    async with app.test_app() as test_app:
        client = test_app.test_client()

        async def flood(address: str, first: int) -> None:
            for n in range(first, first + 50):
                response = await client.post(
                    "/api/join", json={"student_id": f"{address}-{n}", "name": "J"},
                    scope_base={"client": (address, 5555)})
                statuses[address].append(response.status_code)

        with trio.fail_after(20):
            async with trio.open_nursery() as attack:
                for address in statuses:
                    attack.start_soon(flood, address, 0)
                    attack.start_soon(flood, address, 50)
                await victims.answer()
    allowed = Limits().joins_per_address_per_minute
    assert sorted(statuses["10.1.2.3"]) == [200] * allowed + [429] * (100 - allowed)
    assert statuses["127.0.0.1"] == [200] * 100
    assert victims.p99() < STILL_FAST_S, victims.p99()


async def test_one_student_id_keeps_at_most_its_allowance_of_sockets(
        server: ServerInfo, nursery: trio.Nursery) -> None:
    victims = await class_in_session(nursery, server)
    cookie = await join(server, "many", "Many Tabs")
    allowance = Limits().sockets_per_student
    outcome: dict[int, int] = {}
    opened: list[Peer] = []

    async def tab(n: int) -> None:
        async with connect(server, "/ws/student", cookie) as peer:
            try:
                await peer.until("state")
                opened.append(peer)
                await peer.until("never")
            except ConnectionClosed as closed:
                outcome[n] = closed.reason.code

    with trio.fail_after(20):
        async with trio.open_nursery() as tabs:
            for n in range(16):
                tabs.start_soon(tab, n)
            await victims.answer()
            while len(outcome) < 16 - allowance:
                await trio.testing.wait_all_tasks_blocked()
            assert sorted(outcome.values()) == [4000] * (16 - allowance)
            live = server.room.audience.students["many"].sockets
            assert len(live) == allowance
            tabs.cancel_scope.cancel()
    assert victims.p99() < STILL_FAST_S, victims.p99()


async def test_the_total_number_of_sockets_is_capped(
        tmp_path: Path, quiz_path: Path) -> None:
    async with running(tmp_path, quiz_path, max_connections=30) as server, \
            trio.open_nursery() as nursery:
        victims = await class_in_session(nursery, server)
        refused: list[int] = []
        opened: list[Peer] = []

        async def projector(task_status: trio.TaskStatus[None]) -> None:
            async with connect(server, "/ws/projector") as peer:
                try:
                    await peer.until("projector_state")
                    opened.append(peer)
                    task_status.started()
                    await peer.until("never")
                except ConnectionClosed as closed:
                    refused.append(closed.reason.code)
                    task_status.started()

        async def flood() -> None:  # one socket after another, as fast as it can
            for _ in range(30):
                await crowd.start(projector)

        with trio.fail_after(20):
            async with trio.open_nursery() as crowd:
                crowd.start_soon(flood)
                crowd.start_soon(flood)
                await victims.answer()
                while len(refused) < 60 - (30 - 5):
                    await trio.testing.wait_all_tasks_blocked()
                assert len(opened) == 25 and set(refused) == {1013}
                assert server.room.connection_count == 30
                crowd.cancel_scope.cancel()
        assert victims.p99() < STILL_FAST_S, victims.p99()
        nursery.cancel_scope.cancel()


# ---- 5: slow and vanished clients ----------------------------------------------------------
async def test_a_handshake_sent_with_a_frame_behind_it_leaves_nothing_in_the_room(
        server: ServerInfo) -> None:
    """Hypercorn refuses such a handshake (400) and never tells the app; the socket must
    still leave the room when its client hangs up, or it holds a place for ever."""
    await trio.testing.wait_all_tasks_blocked()
    before = server.room.connection_count
    stream = await trio.open_tcp_stream("127.0.0.1", server.port)
    head = HANDSHAKE.format(path="/ws/projector", port=server.port, cookie="")
    await stream.send_all(head.encode() + client_frame(0x1, b'{"type":"ping"}'))
    with trio.fail_after(5):
        assert (await stream.receive_some(12)).startswith(b"HTTP/1.1 400")
    await stream.aclose()
    await trio.testing.wait_all_tasks_blocked()
    assert server.room.connection_count == before


@pytest.mark.slow
async def test_a_client_that_never_reads_does_not_delay_the_class(
        tmp_path: Path, quiz_path: Path) -> None:
    async with running(tmp_path, quiz_path, joins_per_address_per_minute=1000) as server, \
            trio.open_nursery() as nursery:
        cookies = [await join(server, f"s{n:03}", f"Student {n}") for n in range(101)]
        teacher = await instructor_cookie(server)
        stuck = [await raw_socket(server, "/ws/student", cookies[100]),
                 await raw_socket(server, "/ws/instructor", teacher),
                 await raw_socket(server, "/ws/projector")]
        peers = [await open_peer(nursery, server, "/ws/student", c) for c in cookies[:100]]
        delays: list[float] = []
        async with connect(server, "/ws/instructor", teacher) as instructor:
            for idx in range(3):
                async def receive(peer: Peer, sent: float, idx: int = idx) -> None:
                    await peer.until("question_open", question_idx=idx)
                    delays.append(trio.current_time() - sent)

                if idx:
                    await instructor.send({"type": "close_question"})
                sent = trio.current_time()
                await instructor.send({"type": "next"})
                with trio.fail_after(5):
                    async with trio.open_nursery() as readers:
                        for peer in peers:
                            readers.start_soon(receive, peer, sent)
        assert len(delays) == 300 and max(delays) < 0.5, max(delays)
        for stream in stuck:
            await stream.aclose()
        nursery.cancel_scope.cancel()


async def test_a_client_that_stays_connected_but_never_reads_is_dropped_in_time(
        tmp_path: Path, quiz_path: Path) -> None:
    """Its buffers fill, and the server's send to it would block for ever: it must be
    dropped within the read timeout and a few seconds, like a vanished one."""
    read_timeout = 1.0
    async with running(tmp_path, quiz_path, read_timeout_s=read_timeout,
                       ws_ping_interval_s=0.2, messages_per_second=1000,
                       message_burst=1000) as server:
        teacher = await instructor_cookie(server)
        stuck = await raw_socket(server, "/ws/instructor", teacher)
        async with connect(server, "/ws/instructor", teacher) as dashboard:
            with trio.fail_after(read_timeout + 5):
                on = False
                while server.room.connection_count > 1:
                    on = not on
                    await dashboard.request({"type": "projector_live_answers", "on": on},
                                            "room_info")
            assert (await dashboard.request({"type": "ping"}, "pong")) == {"type": "pong"}
        await stuck.aclose()


async def test_a_full_outbox_drops_that_client_only() -> None:
    limits = Limits(outbox_messages=4)
    slow, fine = Client(Role.STUDENT, "slow", limits), Client(Role.STUDENT, "fine", limits)
    for n in range(5):
        slow.send(f"message {n}")
        fine.send(f"message {n}")
        fine.receive_nowait()
    assert slow.closing and slow.cancel_scope.cancel_called
    assert not fine.closing and not fine.cancel_scope.cancel_called


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/fd")
async def test_vanished_clients_are_found_and_everything_returns_to_the_baseline(
        tmp_path: Path, quiz_path: Path) -> None:
    async with running(tmp_path, quiz_path, ws_ping_interval_s=0.2, read_timeout_s=2.0) \
            as server:
        cookies = [await join(server, f"s{n}", f"Student {n}") for n in range(10)]
        teacher = await instructor_cookie(server)
        await get(server, "/healthz")
        await trio.testing.wait_all_tasks_blocked()
        tasks, fds = trio.lowlevel.current_statistics().tasks_living, _open_fds()
        async with trio.open_nursery() as nursery:
            alive = [await open_peer(nursery, server, "/ws/student", c) for c in cookies]
            alive.append(await open_peer(nursery, server, "/ws/instructor", teacher))
            # Opened last: a socket that never reads is cut off once a send to it has
            # waited for read_timeout, so these must all be counted before that.
            vanished = [await raw_socket(server, "/ws/student", cookie) for cookie in cookies]
            vanished += [await raw_socket(server, "/ws/projector") for _ in range(5)]
            assert server.room.connection_count == len(vanished) + len(alive)
            with trio.fail_after(5):
                async with trio.open_nursery() as waiting:
                    for stream in vanished:
                        waiting.start_soon(wait_for_eof, stream)
            for stream in vanished:
                await stream.aclose()
            # Silent for longer than read_timeout, yet alive: they answered the pings.
            for peer in alive:
                assert (await peer.request({"type": "ping"}, "pong")) == {"type": "pong"}
            assert server.room.connection_count == len(alive)
            for peer in alive:
                # Hang up without the close handshake (a tab killed): trio-websocket's
                # handshake can race with our fast pings and fail on its own side.
                await peer.ws._close_stream()
        with trio.fail_after(5):
            while (server.room.connection_count, _open_fds(),
                   trio.lowlevel.current_statistics().tasks_living) != (0, fds, tasks):
                await trio.testing.wait_all_tasks_blocked(0.05)
