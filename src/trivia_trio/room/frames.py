"""Reading a client's websocket frames, the common ones only (RFC 6455 §5.2).

What a phone sends is almost always a whole masked text frame of a few
hundred bytes, or a pong. Read here, such a message costs a few microseconds;
through hypercorn and wsproto it went through a parser, an event, an ASGI
queue and a task switch. Anything else (a close, a ping, a fragment, binary,
a frame too big, bytes that are not UTF-8, a broken frame) is not read here:
from that frame on, the bytes go to wsproto, which answers it exactly as it
always did (1009 for too big, 1007 for bad text, 1002 for broken framing).
"""

from __future__ import annotations

FIN_TEXT = 0x81  # the last (and only) frame of a text message, no extensions
FIN_PONG = 0x8A
MASKED = 0x80


def unmask(payload: bytes, mask: bytes) -> bytes:
    """``payload`` XOR the repeated 4-byte ``mask``, as one big-integer operation."""
    size = len(payload)
    if not size:
        return payload
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(
        size, "little")


class FrameReader:
    """Cuts the text messages out of what a client sends, until a frame it does not read.

    ``feed`` takes the bytes just received and returns the text messages they
    completed and, once a frame this reader does not read has begun, the bytes
    from that frame on (and ``handed_over`` is true: every later byte goes on
    as it arrives). Bytes of an incomplete frame wait for the rest.
    """

    def __init__(self, max_message_bytes: int) -> None:
        self.max_message_bytes = max_message_bytes
        self.handed_over = False
        self._pending = b""

    def feed(self, data: bytes) -> tuple[list[str], bytes]:
        if self.handed_over:
            return [], data
        buffer = self._pending + data if self._pending else data
        messages: list[str] = []
        start = 0
        end = len(buffer)
        while end - start >= 2:
            first, second = buffer[start], buffer[start + 1]
            if first not in (FIN_TEXT, FIN_PONG) or not second & MASKED:
                break
            size = second & 0x7F
            header = 6
            if size == 126:
                header = 8
                if end - start < header:
                    return messages, self._wait(buffer, start)
                size = int.from_bytes(buffer[start + 2:start + 4], "big")
                if size < 126:
                    break  # not the shortest length: wsproto refuses it
            elif size == 127:
                break  # 64 KiB or more: never a message we take
            if size > self.max_message_bytes or (first == FIN_PONG and size > 125):
                break
            if end - start < header + size:
                return messages, self._wait(buffer, start)
            mask = buffer[start + header - 4:start + header]
            if first == FIN_TEXT:
                try:
                    text = unmask(buffer[start + header:start + header + size], mask).decode()
                except UnicodeDecodeError:
                    break
                messages.append(text)
            start += header + size
        else:
            return messages, self._wait(buffer, start)
        self.handed_over = True
        self._pending = b""
        return messages, buffer[start:]

    def _wait(self, buffer: bytes, start: int) -> bytes:
        self._pending = buffer[start:]
        return b""
