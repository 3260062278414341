"""A picture's width and height in pixels, read from its header (PNG, JPEG, GIF, WebP).

A phone decodes a picture into width x height x 4 bytes whatever its file
size: 1.5 MB of PNG can hold 20,000 x 20,000 pixels, 1.6 GB once decoded,
enough to kill the tab. So the size a picture declares is what is bounded,
read without decoding it. Every reader here is linear in the bytes it walks
and returns None for a header it cannot make sense of.
"""

from __future__ import annotations

import struct

MAX_SIDE_PX = 16_384
MAX_PIXELS = 40_000_000
# JPEG start-of-frame markers (C4, C8 and CC are tables and a reserved code, not frames).
JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})  # markers with no length


def dimensions(data: bytes, ext: str) -> tuple[int, int] | None:
    """(width, height) as the picture of type ``ext`` declares them; None if unreadable."""
    try:
        found = {"png": _png, "jpg": _jpeg, "gif": _gif, "webp": _webp}[ext](data)
    except (struct.error, IndexError):
        return None
    if found is None or min(found) <= 0:
        return None
    return found


def too_large(width: int, height: int) -> bool:
    return width > MAX_SIDE_PX or height > MAX_SIDE_PX or width * height > MAX_PIXELS


def _png(data: bytes) -> tuple[int, int] | None:
    # The header chunk comes first; an animated PNG's frames fit inside it.
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def _jpeg(data: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
        elif marker in JPEG_STANDALONE:
            position += 2
        elif marker in JPEG_FRAMES:
            height, width = struct.unpack_from(">HH", data, position + 5)
            return width, height
        elif marker in (0xDA, 0xD9):  # the scan or the end came before any frame
            return None
        else:
            (length,) = struct.unpack_from(">H", data, position + 2)
            position += 2 + length
    return None


def _gif_blocks(data: bytes, position: int) -> int:
    """The position after a run of sub-blocks (each a length byte and its bytes, then 0)."""
    while data[position] != 0:
        position += data[position] + 1
    return position + 1


def _gif(data: bytes) -> tuple[int, int] | None:
    """The logical screen, grown to hold every frame (a browser grows it for a frame that
    does not fit)."""
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    try:
        while position < len(data):
            block = data[position]
            if block == 0x3B:  # trailer
                break
            if block == 0x21:  # extension: label, then sub-blocks
                position = _gif_blocks(data, position + 2)
            elif block == 0x2C:  # a frame: where it sits, its size, its colours, its pixels
                left, top, frame_width, frame_height, flags = struct.unpack_from(
                    "<HHHHB", data, position + 1)
                width = max(width, left + frame_width)
                height = max(height, top + frame_height)
                position += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
                position = _gif_blocks(data, position + 1)
            else:
                return None
    except (struct.error, IndexError):
        pass  # a truncated file shows what it holds: the frames read so far
    return width, height


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: the canvas every frame is drawn on
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        (bits,) = struct.unpack_from("<I", data, 21)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
