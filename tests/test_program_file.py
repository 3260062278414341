"""The server hands out its own trivia_trio.pyz, to the instructor only, with its SHA-256.

In process, with a stand-in file as the archive (the real archive is served in
test_pyz.py, started from the built file).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import trio

from trivia_trio.config import Settings
from trivia_trio.web.server import ServerInfo, serve

from .conftest import get, instructor_cookie, make_settings

PROGRAM = os.urandom(300_000)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "dist" / "trivia_trio.pyz"
    path.parent.mkdir()
    path.write_bytes(PROGRAM)
    return path


@pytest.fixture
def settings(tmp_path: Path, quiz_path: Path, archive: Path) -> Settings:
    return make_settings(tmp_path / "data", quiz_path, program_file=archive)


async def test_the_instructor_downloads_the_file_the_server_runs_from_and_its_fingerprint(
        server: ServerInfo, archive: Path) -> None:
    teacher = await instructor_cookie(server)
    described = await get(server, "/api/instructor/program", teacher)
    assert described.status == 200
    assert described.json() == {"file": "trivia_trio.pyz", "bytes": len(PROGRAM),
                                "sha256": hashlib.sha256(PROGRAM).hexdigest()}
    await trio.Path(archive).write_bytes(b"a newer build, written while the server ran")
    offered = await get(server, "/trivia_trio.pyz", teacher)
    assert offered.status == 200
    assert offered.body == PROGRAM  # the bytes the fingerprint is of
    assert offered.header("content-disposition") == 'attachment; filename="trivia_trio.pyz"'


async def test_nobody_else_gets_the_file(server: ServerInfo) -> None:
    for path in ("/trivia_trio.pyz", "/api/instructor/program"):
        refused = await get(server, path)
        assert refused.status == 403, path
        assert PROGRAM[:64] not in refused.body


async def test_from_source_the_dashboard_is_told_how_to_build_the_file(
        nursery: trio.Nursery, tmp_path: Path, quiz_path: Path) -> None:
    from_source = make_settings(tmp_path / "source", quiz_path)
    assert from_source.program_file is None
    info = await nursery.start(lambda task_status: serve(from_source, task_status=task_status))
    teacher = await instructor_cookie(info)
    for path in ("/trivia_trio.pyz", "/api/instructor/program"):
        missing = await get(info, path, teacher)
        assert missing.status == 404, path
        assert missing.json()["code"] == "no_program_file"
        assert "build_zipapp.py" in missing.json()["message"]
