"""Pictures as a quiz sees them: checked from their bytes, named by their content.

A question's picture is checked to be a PNG, JPEG, GIF or WebP by its first
bytes (never its name: no SVG, which can carry script), by its file size and by
the width and height its header declares (what a phone must decode), and named
``<sha256>.<ext>``, so the same bytes always get the same name. ``Pictures``
says how a quiz being loaded finds its pictures; where they are read from (a
folder, a bundle) is its subclasses' business.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from .picture_size import MAX_PIXELS, MAX_SIDE_PX, dimensions, too_large

MAX_PICTURE_BYTES = 5 * 1024 * 1024
MAX_QUIZ_PICTURE_BYTES = 50 * 1024 * 1024
MEDIA_NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|gif|webp)$")
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif",
                 "webp": "image/webp"}
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def picture_type(data: bytes) -> str | None:
    """``png``, ``jpg``, ``gif`` or ``webp`` from the bytes themselves; None otherwise."""
    for signature, ext in SIGNATURES:
        if data.startswith(signature):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def media_name(data: bytes, ext: str) -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{ext}"


def picture_problem(data: bytes, shown_as: str) -> str | None:
    """Why ``data`` cannot be a question's picture, in plain words; None if it can."""
    if len(data) > MAX_PICTURE_BYTES:
        return (f"the picture {shown_as} is {len(data) / 2**20:.1f} MB;"
                f" at most {MAX_PICTURE_BYTES // 2**20} MB")
    ext = picture_type(data)
    if ext is None:
        return f"the picture {shown_as} is not a PNG, JPEG, GIF or WebP image"
    size = dimensions(data, ext)
    if size is None:
        return f"the picture {shown_as} is a damaged {ext.upper()}: its size cannot be read"
    if too_large(*size):
        return (f"the picture {shown_as} is {size[0]:,} × {size[1]:,} pixels; at most"
                f" {MAX_SIDE_PX:,} pixels a side and {MAX_PIXELS // 10**6} megapixels")
    return None


def check_picture(data: bytes, shown_as: str) -> tuple[str | None, str | None]:
    """(media name, None) for a usable picture, else (None, the problem in plain words)."""
    problem = picture_problem(data, shown_as)
    if problem is not None:
        return None, problem
    ext = picture_type(data)
    assert ext is not None
    return media_name(data, ext), None


# ---- where a quiz's pictures come from ------------------------------------------------------
class Pictures:
    """Reads the pictures a quiz names, checks each, and keeps the usable ones by name.

    ``fetch`` returns a picture's bytes or raises LookupError with the reason;
    subclasses say where pictures are looked for. ``held`` says whether the library
    already holds a picture by its media name: such a name is taken as it is.
    """

    def __init__(self, held: Callable[[str], bool] | None = None) -> None:
        self.held = held
        self.loaded: dict[str, bytes] = {}
        self._by_path: dict[str, str] = {}
        self._total = 0
        self._over_total = False

    def fetch(self, path: str) -> bytes:
        raise LookupError("pictures come with their quiz: upload a .zip bundle holding"
                          " quiz.json and its pictures")

    def load(self, path: str, report: Callable[[str], None]) -> str | None:
        """The picture's media name, or None after reporting why it cannot be used."""
        if path in self._by_path:
            return self._by_path[path]
        if self.held is not None and MEDIA_NAME.match(path) and self.held(path):
            self._by_path[path] = path
            return path
        shown = json.dumps(path, ensure_ascii=False)
        try:
            data = self.fetch(path)
        except LookupError as exc:
            report(f"the picture {shown}: {exc.args[0]}")
            return None
        name, problem = check_picture(data, shown)
        if problem is not None:
            report(problem)
            return None
        assert name is not None
        if name not in self.loaded:
            self._total += len(data)
            if self._total > MAX_QUIZ_PICTURE_BYTES:
                if not self._over_total:
                    report(f"with the picture {shown} the pictures add up to more than"
                           f" {MAX_QUIZ_PICTURE_BYTES // 2**20} MB")
                self._over_total = True
                return None
            self.loaded[name] = data
        self._by_path[path] = name
        return name



class PicturesHeld(Pictures):
    """Only pictures the library holds, by media name: a quiz as the editor keeps it."""

    def __init__(self, held: Callable[[str], bool]) -> None:
        super().__init__(held)

    def fetch(self, path: str) -> bytes:
        raise LookupError("not a picture the library holds (add pictures in the editor)")

def relative_parts(path: str) -> tuple[str, ...] | None:
    """The path's parts if it stays inside its folder (no absolute path, no ``..``)."""
    parts = tuple(part for part in path.replace("\\", "/").split("/") if part not in ("", "."))
    if not parts or path.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        return None
    return parts
