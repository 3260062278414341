"""Picture headers that declare a width and height, followed by whatever the test needs:
what the server reads of a picture is its type and its declared size, never its pixels."""

from __future__ import annotations

import struct


def png(width: int, height: int) -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
            + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0) + b"\x00" * 4)


def jpeg(width: int, height: int) -> bytes:
    """JFIF, a comment, then the frame header (SOF2, progressive) holding the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comment = b"\xff\xfe" + struct.pack(">H", 7) + b"hello"
    frame = b"\xff\xc2" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + comment + frame


def gif(width: int, height: int, frames: tuple[tuple[int, int, int, int], ...] = ()) -> bytes:
    """A logical screen of ``width`` x ``height`` and ``frames`` (left, top, width, height),
    each with one sub-block of pixels."""
    out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00" * 6
    out += b"\x21\xf9\x04\x00\x00\x00\x00\x00"  # graphic control extension
    for left, top, w, h in frames:
        out += b"\x2c" + struct.pack("<HHHHB", left, top, w, h, 0) + b"\x02\x02\x44\x01\x00"
    return out + b"\x3b"


def webp(width: int, height: int, chunk: str = "VP8X") -> bytes:
    if chunk == "VP8X":
        body = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (
            height - 1).to_bytes(3, "little")
    elif chunk == "VP8L":
        body = b"\x2f" + struct.pack("<I", (width - 1) | (height - 1) << 14)
    else:
        body = b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", width, height)
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(body)) + b"WEBP" + chunk.encode()
            + struct.pack("<I", len(body)) + body)
