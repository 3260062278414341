"""Frames written straight to a socket: framed right, in order, never past a close, and
only on a connection that is one websocket."""

from __future__ import annotations

import socket

import pytest
import trio
import trio.testing
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import DataReceived, RemoteSettingsChanged
from hypercorn.config import Config
from hypercorn.events import Closed, RawData
from wsproto.connection import Connection as WsConnection
from wsproto.connection import ConnectionType
from wsproto.events import CloseConnection, Ping, TextMessage

from trivia_trio.room import connection as connection_module
from trivia_trio.room.connection import (
    WRITES_DIRECTLY,
    Connection,
    _ping_after_a_while,
    text_frame,
)
from trivia_trio.web.server import ServerInfo


def received_texts(data: bytes) -> list[str]:
    """What a websocket client makes of ``data`` from the server."""
    client = WsConnection(ConnectionType.CLIENT)
    client.receive_data(data)
    return [event.data for event in client.events() if isinstance(event, TextMessage)]


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_a_frame_of_any_size_reads_back_as_the_same_text(size: int) -> None:
    text = ("é" if size % 2 else "a") * (size // 2) + "z" * (size - size // 2 * 2)
    assert received_texts(text_frame(text)) == [text]


async def connection_pair() -> tuple[Connection, trio.SocketStream]:
    """A server-side Connection on one end of a socket pair with small buffers, so it
    backs up quickly; the other end reads like a client."""
    ours, theirs = trio.socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    config = Config()
    config.read_timeout = 5
    connection = Connection(None, config, None, None, trio.SocketStream(ours))
    connection._websocket = True  # as after a handshake
    return connection, trio.SocketStream(theirs)


async def read_all(stream: trio.SocketStream, size: int) -> bytes:
    data = b""
    with trio.fail_after(5):
        while len(data) < size:
            data += await stream.receive_some(65536)
    return data


async def test_frames_a_socket_cannot_take_wait_and_go_out_in_order_on_flush() -> None:
    connection, client = await connection_pair()
    texts = [f"message {n:04d} " + "x" * 500 for n in range(400)]  # ~200 KB, far past buffers
    waiting = [connection.write(text_frame(text)) for text in texts]
    if WRITES_DIRECTLY:
        assert waiting[0] == 0  # the first went straight out
    assert waiting[-1] > 0  # the socket filled up; the rest wait, nothing was dropped
    expected = b"".join(text_frame(text) for text in texts)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(connection.flush)
        data = await read_all(client, len(expected))
    assert connection.waiting == 0
    assert received_texts(data) == texts


async def test_hypercorns_own_sends_go_out_behind_the_frames_waiting() -> None:
    connection, client = await connection_pair()
    texts = [f"m{n} " + "y" * 800 for n in range(100)]
    for text in texts:
        connection.write(text_frame(text))
    close = WsConnection(ConnectionType.SERVER)
    close_frame = close.send(CloseConnection(code=1000))
    async with trio.open_nursery() as nursery:
        nursery.start_soon(connection.protocol_send, RawData(close_frame))
        size = sum(len(text_frame(text)) for text in texts) + len(close_frame)
        data = await read_all(client, size)
    assert received_texts(data) == texts
    assert data.endswith(close_frame)
    # After the close frame nothing more may be written.
    assert connection.write(text_frame("too late")) == 0
    assert connection.waiting == 0
    await connection.stream.aclose()
    with trio.fail_after(5):
        assert await client.receive_some(100) == b""  # the end, with nothing after the close


async def test_a_closed_socket_is_never_written_to() -> None:
    connection, client = await connection_pair()
    await connection.stream.aclose()
    # Its descriptor may belong to someone else by now.
    assert connection.write(text_frame("hello")) == 0
    await client.aclose()


@pytest.mark.skipif(not WRITES_DIRECTLY, reason="sockets are written directly on POSIX only")
async def test_hypercorns_own_sends_go_straight_out_when_nothing_waits() -> None:
    connection, client = await connection_pair()
    connection._websocket = False
    response = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
    with trio.testing.assert_no_checkpoints():  # no lock, no cancel scope, no task switch
        await connection.protocol_send(RawData(response))
    assert await read_all(client, len(response)) == response


async def test_a_websocket_over_http2_gets_its_messages_inside_http2_frames(
        server: ServerInfo) -> None:
    """RFC 8441: hypercorn accepts a websocket as one HTTP/2 stream. Its frames must go
    inside that stream's DATA frames: written raw to the connection, they broke it."""
    stream = await trio.open_tcp_stream("127.0.0.1", server.port)
    h2 = H2Connection(H2Configuration(client_side=True))
    h2.initiate_connection()
    await stream.send_all(h2.data_to_send())
    opened, data = False, b""
    with trio.fail_after(5):
        while "projector_state" not in "".join(received_texts(data)):
            for event in h2.receive_data(await stream.receive_some(65536)):
                if isinstance(event, RemoteSettingsChanged) and not opened:
                    opened = True  # the server allows websockets over HTTP/2: open one
                    h2.send_headers(1, [
                        (":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                        (":path", "/ws/projector"), (":authority", f"127.0.0.1:{server.port}"),
                        ("sec-websocket-version", "13")])
                elif isinstance(event, DataReceived):
                    data += event.data
            await stream.send_all(h2.data_to_send())
    await stream.aclose()


class RecordingProtocol:
    """Stands in for hypercorn's protocol: notes when each event reached it."""

    def __init__(self) -> None:
        self.events: list[tuple[float, object]] = []

    async def handle(self, event: object) -> None:
        self.events.append((trio.current_time(), event))


async def test_a_client_is_dropped_after_read_timeout_of_silence_and_never_sooner(
        autojump_clock: trio.testing.MockClock) -> None:
    """A client sending a little now and then stays, however long; a silent one goes
    once read_timeout has passed, not before."""
    connection, client = await connection_pair()
    protocol = connection.protocol = RecordingProtocol()  # type: ignore[assignment]
    timeout = connection.config.read_timeout
    async with trio.open_nursery() as nursery:
        nursery.start_soon(connection._read_data)
        for _ in range(20):  # 20 × 0.9 read timeouts: far past one deadline unmoved
            await trio.sleep(timeout * 0.9)
            await client.send_all(b"x")
        last_bytes = trio.current_time()
    closed_at, closed = protocol.events[-1]
    assert isinstance(closed, Closed)
    assert len(protocol.events) == 21  # every byte read, then the end
    assert last_bytes + timeout <= closed_at <= last_bytes + timeout * 1.01
    await client.aclose()


class PingedStream:
    """Stands in for hypercorn's websocket stream of one connection: notes each ping."""

    def __init__(self, connection: Connection, interval: float) -> None:
        self.client, self.server = ("client", 1), ("server", 2)
        self.config = Config()
        self.config.websocket_ping_interval = interval
        self.closed = False
        self.pings: list[float] = []
        self.ping_sent, self.ping_received = trio.open_memory_channel[float](100)
        connection_module._open[(self.client, self.server)] = connection

    async def _send_wsproto_event(self, event: object) -> None:
        assert isinstance(event, Ping)
        self.pings.append(trio.current_time())
        self.ping_sent.send_nowait(self.pings[-1])


async def pinged(talk_every: float | None, talk_until: float, pong: bool
                 ) -> tuple[list[float], float, float]:
    """A connection (read timeout 5 s, pings every 2 s) whose client sends a byte every
    ``talk_every`` seconds until ``talk_until``, then answers each ping at once if
    ``pong``, else nothing. Its pings, when it last sent and when it was dropped."""
    connection, client = await connection_pair()
    protocol = connection.protocol = RecordingProtocol()  # type: ignore[assignment]
    stream = PingedStream(connection, interval=2.0)
    start = trio.current_time()
    last = start
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(connection._read_data)
            nursery.start_soon(_ping_after_a_while, stream)
            while talk_every is not None and trio.current_time() - start + talk_every <= talk_until:
                await trio.sleep(talk_every)
                await client.send_all(b"x")
                last = trio.current_time()
            if pong:
                with trio.move_on_at(start + 60):
                    async for _ in stream.ping_received:  # answered at once
                        await client.send_all(b"x")
                        last = trio.current_time()
                nursery.cancel_scope.cancel()
    finally:
        connection_module._open.pop((stream.client, stream.server), None)
        await client.aclose()
    dropped = protocol.events[-1][0] if isinstance(protocol.events[-1][1], Closed) \
        else float("inf")
    return [p - start for p in stream.pings], last - start, dropped - start


async def test_a_client_that_talks_within_the_ping_interval_is_never_pinged(
        autojump_clock: trio.testing.MockClock) -> None:
    """Then it falls silent: pinged an interval later, and every interval, until dropped."""
    pings, last, dropped = await pinged(talk_every=1.5, talk_until=30, pong=False)
    assert last == pytest.approx(30)
    assert pings == [pytest.approx(last + 2), pytest.approx(last + 4)]
    assert dropped == pytest.approx(last + 5)  # the read timeout, from its last bytes


async def test_a_silent_client_is_pinged_an_interval_after_it_last_spoke_and_dropped_on_time(
        autojump_clock: trio.testing.MockClock) -> None:
    pings, last, dropped = await pinged(talk_every=1.9, talk_until=3.8, pong=False)
    assert last == pytest.approx(3.8)
    assert pings == [pytest.approx(5.8), pytest.approx(7.8)]  # from when it last spoke
    assert dropped == pytest.approx(last + 5)  # found dead when it always was


async def test_a_quiet_client_answering_its_pings_is_pinged_every_interval_and_stays(
        autojump_clock: trio.testing.MockClock) -> None:
    pings, last, dropped = await pinged(talk_every=None, talk_until=0, pong=True)
    assert dropped == float("inf")
    assert len(pings) >= 25
    assert pings[0] == pytest.approx(2.0)  # no sooner than an interval after the handshake
    assert all(b - a == pytest.approx(2.0, abs=0.05)
               for a, b in zip(pings, pings[1:], strict=False))
