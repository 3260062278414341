"""What a request may send, decided before its body is read, and uploads parsed off the
event loop.

Every request's body is bounded by its path and what its headers declare: a
quiz file 2 MB, a quiz bundle (declared by a ``.zip`` name in ``X-Filename`` or
a zip ``Content-Type``) 53 MB, a picture 5 MB, anything else 2 MB. A request
that declares more (``Content-Length``) is refused with a JSON 413 at once,
before a byte of its body is read; one that sends more without declaring it is
cut off at the bound. An uploaded quiz is parsed in a worker thread, one
upload at a time, so a slow file costs the room a thread's time, never its
answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import unquote

import trio
from quart import Response, jsonify
from quart_trio.wrappers import TrioRequest

from ..config import Limits
from ..core.pictures import MAX_PICTURE_BYTES
from ..core.quiz import Quiz
from ..store.quiz_files import load_quiz

QUIZ_PATHS = ("/api/instructor/quiz", "/api/instructor/library/import")
PICTURE_PATH = "/api/instructor/library/media"
MB = 2**20


def filename(headers: Mapping[str, str]) -> str:
    """The uploaded file's name: browsers send only Latin-1 headers, so pages
    percent-encode it."""
    return unquote(headers.get("X-Filename") or "upload")


def declares_bundle(headers: Mapping[str, str]) -> bool:
    """Whether an upload says it is a quiz bundle: a .zip by name or by type."""
    return (filename(headers).lower().endswith(".zip")
            or "zip" in (headers.get("Content-Type") or "").lower())


def body_limit(path: str, headers: Mapping[str, str], limits: Limits) -> int:
    """The most bytes a request to ``path`` with these headers may send."""
    if path == PICTURE_PATH:
        return MAX_PICTURE_BYTES
    if path in QUIZ_PATHS and declares_bundle(headers):
        return limits.bundle_max_bytes
    return limits.quiz_max_bytes


def request_class(limits: Limits) -> type[TrioRequest]:
    """Requests bounded by ``body_limit``, known when the request line and headers are."""

    class BoundedRequest(TrioRequest):
        def __init__(self, method: str, scheme: str, path: str, query_string: bytes,
                     headers: Any, *args: Any, **kwargs: Any) -> None:
            kwargs["max_content_length"] = body_limit(path, headers, limits)
            super().__init__(method, scheme, path, query_string, headers, *args, **kwargs)

    return BoundedRequest


def megabytes(size: int) -> str:
    """``5 MB``, ``53 MB``; ``6.0 MB`` for a size that is not a whole limit."""
    return f"{size // MB} MB" if size % MB == 0 else f"{size / MB:.1f} MB"


def too_large_words(path: str, size: int | None, limit: int, limits: Limits) -> str:
    """Why a body was refused, with the limit, in a teacher's words."""
    sent = f"{size / MB:.1f} MB" if size is not None else f"more than {megabytes(limit)}"
    if path == PICTURE_PATH:
        return f"This picture is {sent}; pictures can be at most {megabytes(limit)}"
    if path in QUIZ_PATHS:
        return (f"This file is {sent}; a quiz file can be at most"
                f" {megabytes(limits.quiz_max_bytes)}, a .zip bundle with its pictures"
                f" {megabytes(limits.bundle_max_bytes)}")
    return f"This request is {sent}; at most {megabytes(limit)}"


def too_large(path: str, headers: Mapping[str, str], limits: Limits) -> tuple[Response, int]:
    """The JSON 413 for a body over its limit: ``{code: "too_large", message,
    limit_bytes, size_bytes}`` (``size_bytes`` null when the request did not say)."""
    limit = body_limit(path, headers, limits)
    declared = headers.get("Content-Length") or ""
    size = int(declared) if declared.isdigit() else None
    return jsonify({"code": "too_large", "message": too_large_words(path, size, limit, limits),
                    "limit_bytes": limit, "size_bytes": size}), 413


class Parser:
    """Parses uploaded quiz files in a worker thread, ``at_once`` at a time (each may hold
    a 53 MB bundle and what it unpacks). A quiz may name pictures the library ``held``
    already, by media name."""

    def __init__(self, held: Callable[[str], bool], at_once: int = 1) -> None:
        self._held = held
        self._threads = trio.CapacityLimiter(at_once)

    async def parse(self, raw: bytes, name: str) -> Quiz:
        """``load_quiz(raw, filename=name)``, off the event loop; raises QuizError."""
        load = partial(load_quiz, raw, filename=name, held=self._held)
        return await trio.to_thread.run_sync(load, limiter=self._threads)
