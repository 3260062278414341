"""QR codes without Pillow: SVG for pages, block characters for the terminal."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def svg(text: str) -> bytes:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def terminal_art(text: str) -> str:
    """Half-block art: two QR rows per text line, readable by a phone off a terminal."""
    code = qrcode.QRCode(border=2)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    glyphs = {(False, False): "\u2588", (True, False): "\u2584", (False, True): "\u2580",
              (True, True): " "}
    return "\n".join(
        "".join(glyphs[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(matrix[::2], matrix[1::2], strict=True)
    )
