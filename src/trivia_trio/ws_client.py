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
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import trio

from .frames import unmask

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
ABNORMAL_CLOSURE = 1006
MAX_HEAD_BYTES = 16 * 1024


class HandshakeRefused(Exception):
    """The server did not switch to websocket; ``status`` is its HTTP status (0: none)."""

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


class WebSocket:
    def __init__(self, stream: trio.SocketStream, buffered: bytes,
                 max_message_bytes: int) -> None:
        self._stream = stream
        self._buffer = bytearray(buffered)
        self._max = max_message_bytes
        self._send_lock = trio.Lock()  # a pong from the reader may meet a sender's message
        self._fragments: list[bytes] = []
        self.closed: WebSocketClosed | None = None
        self._close_sent = False

    async def get_message(self) -> str:
        """The next text message; raises WebSocketClosed once the socket is closed."""
        while True:
            frame = self._next_frame() if self.closed is None else None
            if frame is None:
                if self.closed is not None:
                    raise self.closed
                await self._receive()
                continue
            fin, opcode, payload = frame
            if opcode == TEXT or opcode == 0:
                self._fragments.append(payload)
                if fin:
                    text = b"".join(self._fragments).decode()
                    self._fragments.clear()
                    return text
            elif opcode == PING:
                await self._send(PONG, payload)
            elif opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.closed = WebSocketClosed(code, payload[2:].decode(errors="replace"))
                await self._send(CLOSE, payload[:2])
            elif opcode != PONG:
                await self._fail(1003, f"unexpected opcode {opcode}")

    async def send_message(self, text: str) -> None:
        if self.closed is not None:
            raise self.closed
        await self._send(TEXT, text.encode())

    async def aclose(self, code: int = 1000, close_wait_s: float = 5.0) -> None:
        """Close: say so, wait (up to ``close_wait_s``) for the server's close or its
        hang-up, then hang up."""
        if self.closed is None:
            self.closed = WebSocketClosed(code)
            await self._send(CLOSE, struct.pack("!H", code))
            with trio.move_on_after(close_wait_s):
                try:
                    while await self._stream.receive_some(65536):
                        pass
                except (trio.BrokenResourceError, trio.ClosedResourceError):
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
        if self._close_sent:
            return
        self._close_sent = opcode == CLOSE
        async with self._send_lock:
            try:
                await self._stream.send_all(client_frame(opcode, payload))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                self.closed = self.closed or WebSocketClosed(ABNORMAL_CLOSURE, "connection lost")

    async def _fail(self, code: int, reason: str) -> None:
        self.closed = WebSocketClosed(code, reason)
        await self._send(CLOSE, struct.pack("!H", code))


@asynccontextmanager
async def open_websocket(url: str, *, headers: Iterable[tuple[str, str]] = (),
                         max_message_bytes: int = 1 << 20, wait_s: float = 30.0
                         ) -> AsyncIterator[WebSocket]:
    """Connect to ``url`` (``ws://host:port/path``); closed on exit. The opening and
    the closing handshake may each take up to ``wait_s``."""
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16))
    lines = [f"GET {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}",
             "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key.decode()}",
             "Sec-WebSocket-Version: 13", *(f"{name}: {value}" for name, value in headers)]
    with trio.fail_after(wait_s):
        stream = await trio.open_tcp_stream(parts.hostname or "127.0.0.1", parts.port or 80)
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
    except BaseException:
        await trio.aclose_forcefully(stream)
        raise
    ws = WebSocket(stream, rest, max_message_bytes)
    try:
        yield ws
    finally:
        with trio.CancelScope(shield=True):
            await ws.aclose(close_wait_s=wait_s)
