"""Starting the server as an instructor does: one server per data folder, and every way a
start can fail is one line saying what to do, with a non-zero exit."""

from __future__ import annotations

import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import trio

from trivia_trio.tools.http_client import request

from .conftest import ServerProcess, get

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and rlimits")


def start_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trivia_trio", "--no-browser", *args],
                          capture_output=True, text=True, timeout=30)


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("trivia_trio: cannot start: "), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# ---- one server per data folder ----------------------------------------------------------------
async def test_a_second_start_on_the_same_folder_refuses_and_names_the_running_server(
        server_process: ServerProcess) -> None:
    second = await trio.to_thread.run_sync(
        start_cli, "--host", "127.0.0.1", "--port", "0", "--data-dir",
        str(server_process.data_dir))
    assert_one_line_refusal(second, str(server_process.data_dir), server_process.url)
    assert (await get(server_process, "/healthz")).status == 200  # type: ignore[arg-type]


async def test_a_server_killed_with_sigkill_leaves_no_stale_lock(
        server_process: ServerProcess) -> None:
    server_process.stop(signal.SIGKILL)
    await trio.to_thread.run_sync(server_process.start)
    assert (await get(server_process, "/healthz")).status == 200  # type: ignore[arg-type]
    second = await trio.to_thread.run_sync(
        start_cli, "--host", "127.0.0.1", "--port", "0", "--data-dir",
        str(server_process.data_dir))
    assert_one_line_refusal(second, server_process.url)


# ---- start-up failures ---------------------------------------------------------------------
def test_a_data_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    for folder in (in_the_way, in_the_way / "data", Path("/proc/trivia-trio-data")):
        result = start_cli("--host", "127.0.0.1", "--port", "0", "--data-dir", str(folder))
        assert_one_line_refusal(result, str(folder), "--data-dir")


@pytest.mark.parametrize(("args", "words"), [
    (["--port", "70000"], ["port 70000", "--port"]),
    (["--port", "-1"], ["port -1", "--port"]),
    (["--host", "192.0.2.77", "--port", "0"], ["192.0.2.77", "--host"]),
    (["--host", "no-such-host.invalid", "--port", "0"], ["no-such-host.invalid", "--host"]),
])
def test_a_bad_port_or_an_address_this_machine_lacks_is_one_line(
        tmp_path: Path, args: list[str], words: list[str]) -> None:
    result = start_cli(*args, "--data-dir", str(tmp_path / "data"))
    assert_one_line_refusal(result, *words)


def test_a_taken_port_with_no_free_one_after_it_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 65535))
        squatter.listen()
        result = start_cli("--host", "127.0.0.1", "--port", "65535",
                           "--data-dir", str(tmp_path / "data"))
    assert_one_line_refusal(result, "65535", "--port")


# ---- IPv6 ----------------------------------------------------------------------------------
def free_port(family: socket.AddressFamily, host: str) -> int:
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("port", ["given", "0"])
async def test_listening_on_every_ipv6_address_serves_both_loopbacks(
        tmp_path: Path, port: str) -> None:
    wanted = str(free_port(socket.AF_INET6, "::")) if port == "given" else "0"
    proc = ServerProcess(tmp_path / "data", None, extra_args=["--host", "::"])
    proc.port = int(wanted)
    await trio.to_thread.run_sync(proc.start)
    banner = "".join(proc.output)
    assert ":::" not in banner
    assert f"http://[::1]:{proc.port}/instructor?key=" in banner
    if port == "given":
        assert proc.port == int(wanted)
    for host in ("[::1]", "127.0.0.1"):
        assert (await request("GET", f"http://{host}:{proc.port}/healthz")).status == 200


# ---- the open-files limit --------------------------------------------------------------------
def nofile_soft_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open-files line")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/limits")
def test_the_server_raises_its_open_files_limit_and_says_when_it_is_low(tmp_path: Path) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"the hard open-files limit here is {hard}")
    raisable = ServerProcess(tmp_path / "raisable", None, open_files=(256, 4096))
    raisable.start()
    assert nofile_soft_limit(raisable.process.pid) == 4096  # type: ignore[union-attr]
    assert "files at once" not in "".join(raisable.output)
    stuck = ServerProcess(tmp_path / "stuck", None, open_files=(256, 256))
    stuck.start()
    assert nofile_soft_limit(stuck.process.pid) == 256  # type: ignore[union-attr]
    assert ("lets the server open 256 files at once: enough for about 192 students"
            in "".join(stuck.output))
    assert os.sysconf("SC_OPEN_MAX") > 256  # the test's own limit was never touched


def test_a_data_file_from_a_newer_version_is_one_line_and_left_as_it_was(
        tmp_path: Path) -> None:
    """Its tables may mean something this version cannot read: refuse, and touch nothing."""
    data = tmp_path / "data"
    data.mkdir()
    newer = data / "trivia_trio.sqlite3"
    with sqlite3.connect(newer) as conn:
        conn.execute("CREATE TABLE submissions (kept_by_a_newer_version TEXT)")
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = newer.read_bytes()
    result = start_cli("--host", "127.0.0.1", "--port", "0", "--data-dir", str(data))
    assert_one_line_refusal(result, str(newer), "newer", "--data-dir")
    assert newer.read_bytes() == before


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_a_data_file_a_newer_version_left_mid_write_is_refused_and_left_as_it_was(
        tmp_path: Path) -> None:
    """A newer version stopped short leaves its last commits in the write-ahead log: the
    refusal must not move them into the file (the last writer's close does that)."""
    data = tmp_path / "data"
    data.mkdir()
    newer = data / "trivia_trio.sqlite3"
    conn = sqlite3.connect(newer, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE submissions (kept_by_a_newer_version TEXT)")
    conn.execute("PRAGMA user_version = 3")
    left = folder_bytes(data)  # the folder as a newer version stopped short left it
    conn.close()
    for name, raw in left.items():
        (data / name).write_bytes(raw)
    (data / "trivia_trio.sqlite3-shm").unlink()
    before = folder_bytes(data)
    assert set(before) == {"trivia_trio.sqlite3", "trivia_trio.sqlite3-wal"}
    result = start_cli("--host", "127.0.0.1", "--port", "0", "--data-dir", str(data))
    assert_one_line_refusal(result, str(newer), "data version 3", "--data-dir")
    after = folder_bytes(data)
    after.pop("server.lock")
    assert after == before


def not_sqlite(path: Path) -> None:
    path.write_bytes(b"class notes, not a database\n" * 100)


def no_version_we_write(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE submissions (kept_by_someone_else TEXT)")
        conn.execute("PRAGMA user_version = -1")
    conn.close()


@pytest.mark.parametrize(("make", "why"), [(not_sqlite, "file is not a database"),
                                           (no_version_we_write, "data version -1")])
def test_a_data_file_trivia_trio_did_not_write_is_one_line_and_left_as_it_was(
        tmp_path: Path, make: Any, why: str) -> None:
    """Opened as ours it got our tables, and the start then failed saying it could not
    write to the folder."""
    data = tmp_path / "data"
    data.mkdir()
    foreign = data / "trivia_trio.sqlite3"
    make(foreign)
    before = folder_bytes(data)
    result = start_cli("--host", "127.0.0.1", "--port", "0", "--data-dir", str(data))
    assert_one_line_refusal(result, str(foreign), "not a trivia-trio data file", why,
                            "--data-dir")
    after = folder_bytes(data)
    after.pop("server.lock")
    assert after == before
