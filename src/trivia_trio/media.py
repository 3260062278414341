"""Pictures: checked from their bytes, named by their content, kept in the data folder.

A question's picture is read when its quiz is loaded (from beside the quiz
file, or from inside a quiz bundle), checked to be a PNG, JPEG, GIF or WebP
by its first bytes (never its name: no SVG, which can carry script) and its
size, and named ``<sha256>.<ext>``. The name never changes for the same
bytes, so ``/media/<name>`` is served as immutable: each phone fetches a
picture once, and the server reads it from disk once (``MediaStore`` keeps
what it read in memory, within a bound).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

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


def check_picture(data: bytes, shown_as: str) -> tuple[str | None, str | None]:
    """(media name, None) for a usable picture, else (None, the problem in plain words)."""
    if len(data) > MAX_PICTURE_BYTES:
        return None, (f"the picture {shown_as} is {len(data) / 2**20:.1f} MB;"
                      f" at most {MAX_PICTURE_BYTES // 2**20} MB")
    ext = picture_type(data)
    if ext is None:
        return None, f"the picture {shown_as} is not a PNG, JPEG, GIF or WebP image"
    return media_name(data, ext), None


class MediaStore:
    """The data folder's ``media/``: pictures written once by name, read once into memory.

    ``disk_reads`` counts reads from disk, so a test (or a curious instructor)
    can see that a class fetching one picture costs one read.
    """

    def __init__(self, folder: Path, *, memory_bytes: int = 64 * 1024 * 1024) -> None:
        self.folder = folder
        self.memory_bytes = memory_bytes
        self.disk_reads = 0
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cached_bytes = 0
        # Reads run in worker threads: phones asking at once for a picture not yet in
        # memory wait for the first read instead of each reading the file again.
        self._memory = threading.Lock()

    def save(self, pictures: dict[str, bytes]) -> None:
        """Write each picture not yet kept; a crash mid-way never leaves half a file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, data in pictures.items():
            target = self.folder / name
            if target.exists():
                continue
            fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

    def cached(self, name: str) -> bytes | None:
        """The picture's bytes if already in memory (no disk access)."""
        with self._memory:
            data = self._cache.get(name)
            if data is not None:
                self._cache.move_to_end(name)
            return data

    def read(self, name: str) -> bytes | None:
        """The picture's bytes, or None if there is no such picture."""
        if not MEDIA_NAME.match(name):
            return None
        with self._memory:
            data = self._cache.get(name)
            if data is not None:
                self._cache.move_to_end(name)
                return data
            try:
                data = (self.folder / name).read_bytes()
            except OSError:
                return None
            self.disk_reads += 1
            self._cache[name] = data
            self._cached_bytes += len(data)
            while self._cached_bytes > self.memory_bytes and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= len(dropped)
            return data


# ---- where a quiz's pictures come from ------------------------------------------------------
class Pictures:
    """Reads the pictures a quiz names, checks each, and keeps the usable ones by name.

    ``fetch`` returns a picture's bytes or raises LookupError with the reason;
    subclasses say where pictures are looked for.
    """

    def __init__(self) -> None:
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


def relative_parts(path: str) -> tuple[str, ...] | None:
    """The path's parts if it stays inside its folder (no absolute path, no ``..``)."""
    parts = tuple(part for part in path.replace("\\", "/").split("/") if part not in ("", "."))
    if not parts or path.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        return None
    return parts


class PicturesBeside(Pictures):
    """Pictures in the quiz file's folder (or below it)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def fetch(self, path: str) -> bytes:
        parts = relative_parts(path)
        if parts is None:
            raise LookupError("name a file beside the quiz file, e.g. pictures/cell.png")
        target = self.folder.joinpath(*parts)
        try:
            with target.open("rb") as picture:
                return picture.read(MAX_PICTURE_BYTES + 1)
        except OSError:
            raise LookupError(f"no such file beside the quiz file ({target})") from None
