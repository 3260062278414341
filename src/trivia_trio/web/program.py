"""The server's own program file, for a colleague in the room who has no internet.

A server started from ``trivia_trio.pyz`` offers that file at ``/trivia_trio.pyz`` and
its size and SHA-256 at ``/api/instructor/program``, both to the instructor only (the
dashboard links the file and shows its fingerprint, so the colleague can check what they
received). The file is read once, on first use, and the bytes sent are the bytes hashed,
even if the file on disk is replaced meanwhile. A server started from a source tree has
no such file: both answer 404 ``no_program_file``, and the dashboard says how to build one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trio
from quart import Response
from quart_trio import QuartTrio

from .responses import error

FILE_NAME = "trivia_trio.pyz"


@dataclass(frozen=True)
class ProgramFile:
    body: bytes
    sha256: str


class Program:
    """The archive this server runs from, read and hashed once (``None``: from source)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._read: ProgramFile | None = None
        self._lock = trio.Lock()

    async def file(self) -> ProgramFile | None:
        """The file's bytes and hash; None from source or when the file cannot be read."""
        if self.path is None:
            return None
        async with self._lock:
            if self._read is None:
                try:
                    body = await trio.to_thread.run_sync(self.path.read_bytes)
                except OSError:
                    return None
                self._read = ProgramFile(body, hashlib.sha256(body).hexdigest())
        return self._read


def register(app: QuartTrio, instructor_only: Callable[..., Any], path: Path | None) -> None:
    program = Program(path)

    def not_there() -> tuple[Response, int]:
        if path is None:
            return error(404, "no_program_file", f"this server runs from source: build {FILE_NAME}"
                         " with `python3 build_zipapp.py`")
        return error(404, "no_program_file", f"{path} cannot be read any more")

    @app.get(f"/{FILE_NAME}")
    @instructor_only
    async def program_download() -> Any:
        found = await program.file()
        if found is None:
            return not_there()
        return Response(found.body, content_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{FILE_NAME}"',
            "Cache-Control": "no-store"})

    @app.get("/api/instructor/program")
    @instructor_only
    async def program_fingerprint() -> Any:
        found = await program.file()
        if found is None:
            return not_there()
        return {"file": FILE_NAME, "bytes": len(found.body), "sha256": found.sha256}
