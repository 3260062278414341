"""Hypercorn's TCP connection, made fit for a class of thousands.

Two changes to it:

- Every send has a deadline. Hypercorn shields each send, so a client that
  stays connected but never reads fills the socket's buffers and holds the
  send, and with it the connection and its handler, for ever: not even the
  close frame that the read timeout asks for can go out. A send still blocked
  after ``read_timeout`` seconds closes the connection instead.
- A websocket frame can be written straight to the socket by whichever task
  has it. Through Quart, each message to each socket woke that socket's
  sender task and went down through the ASGI layer and wsproto: about 130 µs
  of CPU per socket per broadcast, against some 10 µs to frame a message once
  and write it. What a socket cannot take at once waits, in order, for its
  own sender task (``flush``), so a slow phone never holds up the class.

And one to reading: once a socket's handler asks (``read_messages``), its
client's text messages are cut out of the bytes here (``frames.FrameReader``)
and handed to the handler, instead of going through hypercorn's parser, the
ASGI queue and Quart: about a tenth of the server's CPU in a question.

The websocket handshake, the checks before it, pings, the close and every
frame the reader leaves alone stay Quart's and hypercorn's; their sends run
through ``protocol_send``, which sends whatever frames are waiting first, so
the order on the wire is the order sent. ``install`` also makes hypercorn
decline compression, ping only after a while, and fail the connection of a
client that breaks the protocol (``fail``) instead of waiting for its reply.

And its closing works under Quart: a connection with no request in flight is
closed when it has been idle too long or the server stops (``IdleTask``), and one
that is to close after its response is closed then (``_close``).
"""

from __future__ import annotations

import math
import os
import socket
import struct
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

import trio
from hypercorn.events import Closed, Event, RawData
from hypercorn.protocol import ws_stream
from hypercorn.protocol.events import StreamClosed
from hypercorn.trio import run as hypercorn_run
from hypercorn.trio import tcp_server
from hypercorn.trio.task_group import TaskGroup
from hypercorn.utils import parse_socket_addr
from wsproto.connection import ConnectionState
from wsproto.events import CloseConnection, Message, Ping
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason

from .frames import FrameReader

# Windows sockets are not file descriptors: there every frame goes through the sender.
WRITES_DIRECTLY = os.name == "posix"
_open: dict[tuple[Any, Any], Connection] = {}
CLOSE_FRAME_START = b"\x88"
SWITCHING_PROTOCOLS = b"HTTP/1.1 101 "
# After failing a connection, how long and how much of what the client still sends is
# read and dropped before the socket closes (see ``Connection.fail``).
DRAIN_SECONDS = 2.0
DRAIN_BYTES = 1 << 20


@lru_cache(maxsize=32)
def text_frame(text: str) -> bytes:
    """``text`` as one unmasked websocket text frame (RFC 6455 §5.2), as a server sends
    it: the same bytes for every socket, so a broadcast is framed once."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


def find(scope: dict[str, Any]) -> Connection | None:
    """The connection an ASGI websocket ``scope`` arrived on (None: not one of ours,
    e.g. a test client, or a websocket over HTTP/2, one stream among others on its
    connection, whose frames only hypercorn may write and read)."""
    client, server = scope.get("client"), scope.get("server")
    if not client or not server or scope.get("http_version") != "1.1":
        return None
    return _open.get((tuple(client), tuple(server)))


class IdleTask:
    """A connection's idle task, that hypercorn restarts whenever a response ends.

    The task closes a connection with no request in flight once it has been idle
    for ``keep_alive_timeout``, or at once when the server stops. Hypercorn's own
    (``TrioSingleTask``) starts it with ``nursery.start`` from the task that ends
    the response, which Quart cancels right after: trio keeps a task started under
    a cancelled scope in that scope, so the idle task died at once. A keep-alive
    connection then stayed open after its first response, and a server stopping
    waited out ``graceful_timeout`` for it. This one is started with
    ``start_soon`` in a cancel scope of its own, and belongs to the connection.
    """

    def __init__(self) -> None:
        self._scope: trio.CancelScope | None = None

    async def restart(self, task_group: TaskGroup, action: Callable[[], Awaitable[None]]
                      ) -> None:
        await self.stop()
        self._scope = trio.CancelScope()
        task_group.spawn(self._run, self._scope, action)

    async def stop(self) -> None:
        if self._scope is not None:
            self._scope.cancel()
            self._scope = None

    @staticmethod
    async def _run(scope: trio.CancelScope, action: Callable[[], Awaitable[None]]) -> None:
        with scope:
            await action()


class Connection(tcp_server.TCPServer):
    """One client's TCP connection. ``write`` never waits; ``flush`` sends what waits."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.idle_task = IdleTask()  # type: ignore[assignment]
        self._waiting: list[bytes] = []  # frames written but not yet on the wire, in order
        self._websocket = False  # upgraded: frames from here on
        self._closing = False  # a close frame went out: nothing may follow it
        self._frames: FrameReader | None = None  # reads the client's messages once upgraded
        self._messages: trio.MemorySendChannel[str] | None = None
        self._failed = False  # the client broke the protocol: end the connection
        self.read_to_the_end = trio.Event()  # nothing more can come in: the socket is done
        # When the client last sent anything (trio's clock): its pings wait for silence.
        self.heard_at = -math.inf

    async def run(self) -> None:
        sock = self.stream.socket
        try:
            key = (parse_socket_addr(sock.family, sock.getpeername()),
                   parse_socket_addr(sock.family, sock.getsockname()))
        except OSError:  # gone before we looked
            key = None
        if key is not None:
            _open[key] = self
        try:
            await super().run()
        finally:
            if key is not None:
                _open.pop(key, None)

    def read_messages(self, max_message_bytes: int) -> trio.MemoryReceiveChannel[str]:
        """Read the client's text messages here once the handshake is done, and give
        them to the caller in order. Call it before accepting the websocket.

        The channel ends where a frame that ``FrameReader`` does not read begins: from
        there on, hypercorn reads everything, and the messages come through the ASGI
        app as before. A full channel stops reading, as hypercorn's own queue does."""
        self._frames = FrameReader(max_message_bytes)
        self._messages, received = trio.open_memory_channel[str](16)
        return received

    @property
    def handed_over(self) -> bool:
        """Whether hypercorn reads this socket's messages now (see ``read_messages``)."""
        return self._frames is not None and self._frames.handed_over

    async def _read_data(self) -> None:
        """Hypercorn's read loop, with the messages taken out once the socket is upgraded."""
        while True:
            try:
                with trio.fail_after(self.config.read_timeout or math.inf):
                    data = await self.stream.receive_some(tcp_server.MAX_RECV)
            except (trio.ClosedResourceError, trio.BrokenResourceError, trio.TooSlowError):
                break
            if data:
                self.heard_at = trio.current_time()
            if data and self._frames is not None and self._websocket:
                data = await self._take_messages(bytes(data))
                if not data:
                    continue
            await self.protocol.handle(RawData(bytes(data)))
            if data == b"" or self._failed:
                break
        if self._failed:
            await self._drop()
        # Nothing more can come in: nor any idleness to watch, nor pings to send (see
        # _ping_after_a_while). Left to their timers, those held the connection open
        # after the client had gone, and a server stopping waited for them.
        self.read_to_the_end.set()
        await self.idle_task.stop()
        await self._end_messages()
        await self.protocol.handle(Closed())

    def fail(self) -> None:
        """Fail the websocket (RFC 6455 §7.1.7): its close frame, saying why, has gone out;
        the connection ends now, from the read loop that led here, without waiting for
        the client's reply, which may never be read (it can sit behind the rest of the
        oversize message that was not worth reading)."""
        self._failed = True

    async def _drop(self) -> None:
        """Send EOF, then read and drop what the client still sends, for a moment at most,
        and close. Closing with bytes unread would reset the connection, and a reset can
        destroy the close frame before the client reads it."""
        try:
            self.stream.socket.shutdown(socket.SHUT_WR)  # not send_eof: a flush may be sending
            with trio.move_on_after(DRAIN_SECONDS):
                drained = 0
                while drained < DRAIN_BYTES:
                    data = await self.stream.receive_some(tcp_server.MAX_RECV)
                    if not data:
                        break
                    drained += len(data)
        except (OSError, trio.BrokenResourceError, trio.ClosedResourceError):
            pass  # gone already
        await self.stream.aclose()

    async def _take_messages(self, data: bytes) -> bytes:
        """Pass on the messages ``data`` completes; what is left for hypercorn."""
        assert self._frames is not None and self._messages is not None
        messages, rest = self._frames.feed(data)
        for message in messages:
            try:
                await self._messages.send(message)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                break  # nobody listens any more
        if self._frames.handed_over:
            await self._end_messages()
        return rest

    async def _close(self) -> None:
        """Hypercorn's close, shielded: it runs in the task that ends a response, which
        Quart cancels as the response ends, and its first checkpoint then gave up. A
        connection that was to close after its response (at the client's asking, or
        because the server stops) stayed open until the client left, or until the end
        of ``graceful_timeout``."""
        with trio.CancelScope(shield=True):
            await super()._close()

    async def _end_messages(self) -> None:
        if self._messages is not None:
            await self._messages.aclose()

    @property
    def waiting(self) -> int:
        """Frames waiting for ``flush``."""
        return len(self._waiting)

    def write(self, frame: bytes) -> int:
        """Send ``frame`` now if the socket takes it, else keep it for ``flush``, behind
        the others waiting. Returns how many frames wait now (0 after a close frame:
        nothing may follow it, nor anything a closed socket)."""
        if self._closing or self.stream.socket.fileno() < 0:
            return 0
        rest = self._write_now(frame)
        if rest:
            self._waiting.append(rest)
        return len(self._waiting)

    def _write_now(self, data: bytes) -> bytes:
        """Write as much of ``data`` as the socket takes at once, unless something is
        waiting or being sent; what is left to send (all of it for a closed or broken
        socket, whose send then fails and ends the connection)."""
        if self._waiting or self.send_lock.locked() or not WRITES_DIRECTLY:
            return data
        fd = self.stream.socket.fileno()  # -1 once the socket is closed: never reuse it
        if fd < 0:
            return data
        try:
            return data[os.write(fd, data):]
        except OSError:  # full (BlockingIOError), or gone
            return data

    async def flush(self) -> None:
        """Send every frame waiting, under the deadline every send has."""
        async with self.send_lock:
            while self._waiting:
                data = b"".join(self._waiting)
                self._waiting.clear()
                if not await self._send_all(data):
                    self._waiting.clear()
                    return

    async def protocol_send(self, event: Event) -> None:
        if not isinstance(event, RawData):
            await super().protocol_send(event)
            return
        # Hypercorn sends each websocket frame on its own; 0x88 starts a server's close.
        if self._websocket:
            self._closing = self._closing or event.data[:1] == CLOSE_FRAME_START
        else:
            self._websocket = event.data.startswith(SWITCHING_PROTOCOLS)
        # Most sends fit in the socket at once: no lock, cancel scope or task switch.
        rest = self._write_now(event.data)
        if rest:
            async with self.send_lock:
                data = b"".join([*self._waiting, rest])
                self._waiting.clear()
                await self._send_all(data)

    async def _send_all(self, data: bytes) -> bool:
        """Send under ``read_timeout``; on failure or timeout close, and return False."""
        gone = False
        with trio.move_on_after(self.config.read_timeout or math.inf, shield=True) as sending:
            try:
                await self.stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                gone = True
        if sending.cancelled_caught:
            await self.stream.aclose()
        if gone or sending.cancelled_caught:
            await self.protocol.handle(Closed())
            return False
        return True


class _DeclinedDeflate(PerMessageDeflate):
    """permessage-deflate, always declined.

    Hypercorn accepts compression whenever a browser offers it, which every
    browser does: a zlib pair per socket (~300 KB) is about 1 GB for 3,000
    phones, and CPU spent squeezing messages of a few hundred bytes.
    """

    def accept(self, offer: str) -> None:
        return None


async def _ping_after_a_while(self: ws_stream.WSStream) -> None:
    """Ping once the client has been silent for an interval, the first time no sooner
    than an interval after the handshake.

    Hypercorn's own first ping goes out at once, where it tells nothing and lands
    among a socket's first messages, now written before its ping task runs: a
    client that reads its snapshot and hangs up then gets a ping while closing,
    which trio-websocket clients fail on.

    A client that sent something within the interval is known to be there: a phone
    answering or pressing Next every few seconds, or a page's own keep-alive, gets
    no ping and sends no pong. A dead socket is found as before, by the read timeout
    (``Connection._read_data``), which counts from the last bytes read whatever the
    pings; a live but quiet client still gets its ping an interval after it last
    spoke, and its pong lands before the read timeout (longer than the interval).

    It ends as soon as its connection is read to the end (closed by either side),
    not at its next ping: a closed websocket's connection waited for it, up to an
    interval, and a server stopping waited out its grace for it."""
    connection = _open.get((self.client, self.server))
    ended = connection.read_to_the_end if connection is not None else trio.Event()
    interval = self.config.websocket_ping_interval
    pinged_at = trio.current_time()
    while True:
        heard_at = connection.heard_at if connection is not None else -math.inf
        with trio.move_on_at(max(heard_at, pinged_at) + interval):
            await ended.wait()
            return
        if self.closed:
            return
        if connection is not None and connection.heard_at > heard_at:
            continue  # heard from meanwhile: wait for an interval of silence from then
        await self._send_wsproto_event(Ping())
        pinged_at = trio.current_time()


async def _handle_events(self: ws_stream.WSStream) -> None:
    """Hypercorn's, except for a client that breaks the protocol: its connection is failed
    (``_fail``). Hypercorn sent a too-big message's 1009 and then waited for the client's
    reply, which it never saw when the reply came in the same read as the rest of that
    message (it stopped reading events there): the connection stayed until the read
    timeout. And for a frame wsproto cannot parse it sent no close frame at all."""
    for event in self.connection.events():
        if isinstance(event, Message):
            try:
                self.buffer.extend(event)
            except ws_stream.FrameTooLargeError:
                await _fail(self, CloseConnection(code=CloseReason.MESSAGE_TOO_BIG))
                return
            if event.message_finished:
                await self.app_put(self.buffer.to_message())
                self.buffer.clear()
        elif isinstance(event, Ping):
            await self._send_wsproto_event(event.response())
        elif isinstance(event, CloseConnection):
            if self.connection.state is ConnectionState.OPEN:
                # Not the client's close (that makes the state REMOTE_CLOSING or CLOSED):
                # wsproto's own for a broken frame (1002) or text that is not UTF-8 (1007).
                await _fail(self, event)
                return
            if self.connection.state is ConnectionState.REMOTE_CLOSING:
                await self._send_wsproto_event(event.response())
            await self.send(StreamClosed(stream_id=self.stream_id))


async def _fail(stream: ws_stream.WSStream, close: CloseConnection) -> None:
    """Send ``close``, then end the connection without waiting for the client's reply."""
    await stream._send_wsproto_event(close)
    own = find(stream.scope)
    if own is not None:
        own.fail()
    else:  # a stream of an HTTP/2 connection: hypercorn's own ending
        await stream.send(StreamClosed(stream_id=stream.stream_id))


def install() -> None:
    """Make hypercorn's trio worker use ``Connection`` for every connection it accepts,
    decline compression, ping only after a while and fail a client's broken websocket."""
    hypercorn_run.TCPServer = Connection  # type: ignore[misc]
    ws_stream.PerMessageDeflate = _DeclinedDeflate  # type: ignore[misc]
    ws_stream.WSStream._send_pings = _ping_after_a_while  # type: ignore[method-assign]
    ws_stream.WSStream._handle_events = _handle_events  # type: ignore[method-assign]
