"""A small websocket client (RFC 6455) for the load generator: one task reads and writes.

The load generator runs thousands of sockets in one process on the machine it
measures, and every microsecond it spends on a message is a microsecond late
on the clock it reads. Through trio-websocket each message went through a
reader task, wsproto and a channel to the task that wanted it; here the task
that asks for the next message parses the frames itself. It speaks what the
server sends (whole text frames, pings, a close) and answers pings; it never
compresses.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from urllib.parse import urlsplit

import trio

from ..room.frames import unmask

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
ABNORMAL_CLOSURE = 1006
MAX_HEAD_BYTES = 16 * 1024


class HandshakeRefused(Exception):
    """The server did not switch to websocket; ``status`` is its HTTP status (0: no
    answer in time, or none at all)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"websocket handshake refused (HTTP {status})")
        self.status = status


class WebSocketClosed(Exception):
    """The socket is closed; ``code`` is the close code (1006 when it just went away)."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"websocket closed ({code} {reason})".strip())
        self.code = code
        self.reason = reason


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One final frame, masked as a client must."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    mask = os.urandom(4)
    return header + mask + unmask(payload, mask)


def _close_payload(code: int) -> bytes:
    """A close frame's body: 1005 and 1006 only say what happened, and are never sent."""
    return b"" if code in (1005, ABNORMAL_CLOSURE) else struct.pack("!H", code)


class WebSocket:
    """Frames go out whole: a send is shielded from cancellation, so a message or a pong
    is never cut in half on the wire, and bounded by ``send_wait_s`` (past it the
    connection is given up) so a server that stopped reading cannot hold it for ever."""

    def __init__(self, stream: trio.SocketStream, buffered: bytes, max_message_bytes: int,
                 send_wait_s: float) -> None:
        self._stream = stream
        self._buffer = bytearray(buffered)
        self._max = max_message_bytes
        self._send_wait_s = send_wait_s
        self._send_lock = trio.Lock()  # a pong from the reader may meet a sender's message
        self._fragments: list[bytes] = []
        self.closed: WebSocketClosed | None = None
        self._close_sent = False

    async def get_message(self) -> str:
        """The next text message; raises WebSocketClosed once the socket is closed (after
        the messages that came before the close)."""
        while True:
            frame = self._next_frame() if self.closed is None else None
            if frame is None:
                if self.closed is not None:
                    await self._send(CLOSE, _close_payload(self.closed.code))
                    raise self.closed
                await self._receive()
                continue
            fin, opcode, payload = frame
            if opcode == TEXT or opcode == 0:
                self._fragments.append(payload)
                if fin:
                    data = b"".join(self._fragments)
                    self._fragments.clear()
                    try:
                        return data.decode()
                    except UnicodeDecodeError:
                        self.closed = WebSocketClosed(1007, "a text message that is not UTF-8")
            elif opcode == PING:
                await self._send(PONG, payload)
            elif opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.closed = WebSocketClosed(code, payload[2:].decode(errors="replace"))
            elif opcode != PONG:
                self.closed = WebSocketClosed(1003, f"unexpected opcode {opcode}")

    async def send_message(self, text: str) -> None:
        if self.closed is not None:
            raise self.closed
        await self._send(TEXT, text.encode())

    async def aclose(self, code: int = 1000, close_wait_s: float = 5.0) -> None:
        """Close: say so, wait (up to ``close_wait_s``) for the server's close or its
        hang-up, then hang up."""
        if self.closed is None:
            self.closed = WebSocketClosed(code)
            await self._send(CLOSE, _close_payload(code))
            with trio.move_on_after(close_wait_s):
                with suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                    while await self._stream.receive_some(65536):
                        pass
        await self._stream.aclose()

    def _next_frame(self) -> tuple[bool, int, bytes] | None:
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        first, size = buffer[0], buffer[1] & 0x7F
        start = 2
        if size == 126:
            if len(buffer) < 4:
                return None
            size, start = struct.unpack_from("!H", buffer, 2)[0], 4
        elif size == 127:
            if len(buffer) < 10:
                return None
            size, start = struct.unpack_from("!Q", buffer, 2)[0], 10
        if size > self._max:
            self.closed = WebSocketClosed(1009, f"a message of {size} bytes")
            return None
        if len(buffer) < start + size:
            return None
        payload = bytes(buffer[start:start + size])
        del buffer[:start + size]
        return bool(first & 0x80), first & 0x0F, payload

    async def _receive(self) -> None:
        try:
            data = await self._stream.receive_some(65536)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            data = b""
        if not data:
            self.closed = WebSocketClosed(ABNORMAL_CLOSURE, "connection lost")
        self._buffer += data

    async def _send(self, opcode: int, payload: bytes) -> None:
        """Send one frame whole, or give the connection up. Nothing follows a close; a
        failed send is not an error here: the next read finds the connection gone."""
        if self._close_sent:
            return
        self._close_sent = opcode == CLOSE
        frame = client_frame(opcode, payload)
        with trio.CancelScope(shield=True), trio.move_on_after(self._send_wait_s) as waited:
            async with self._send_lock:
                with suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                    await self._stream.send_all(frame)
        if waited.cancelled_caught:
            await trio.aclose_forcefully(self._stream)


@asynccontextmanager
async def open_websocket(url: str, *, headers: Iterable[tuple[str, str]] = (),
                         max_message_bytes: int = 1 << 20, wait_s: float = 30.0
                         ) -> AsyncIterator[WebSocket]:
    """Connect to ``url`` (``ws://host:port/path?query``); closed on exit. The opening and
    the closing handshake may each take up to ``wait_s``."""
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}",
             "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key.decode()}",
             "Sec-WebSocket-Version: 13", *(f"{name}: {value}" for name, value in headers)]
    stream: trio.SocketStream | None = None
    with trio.move_on_after(wait_s):
        stream = await trio.open_tcp_stream(parts.hostname or "127.0.0.1", parts.port or 80)
    if stream is None:
        raise HandshakeRefused(0)
    try:
        with trio.fail_after(wait_s):
            await stream.send_all(("\r\n".join(lines) + "\r\n\r\n").encode())
            head = b""
            while b"\r\n\r\n" not in head:
                data = await stream.receive_some(65536)
                if not data or len(head) > MAX_HEAD_BYTES:
                    raise HandshakeRefused(0)
                head += data
        head, _, rest = head.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        fields = status_line.split(" ", 2)
        status = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        received = {name.strip().lower(): value.strip() for name, _, value in
                    (line.partition(":") for line in header_lines)}
        if status != 101 or received.get("sec-websocket-accept") != accept:
            raise HandshakeRefused(status)
    except trio.TooSlowError:
        await trio.aclose_forcefully(stream)
        raise HandshakeRefused(0) from None
    except BaseException:
        await trio.aclose_forcefully(stream)
        raise
    ws = WebSocket(stream, rest, max_message_bytes, send_wait_s=wait_s)
    try:
        yield ws
    finally:
        with trio.CancelScope(shield=True):
            await ws.aclose(close_wait_s=wait_s)
