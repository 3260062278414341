"""The archive's start: extract once to a per-user cache, then import from there.

A test archive laid out like trivia_trio.pyz, as far as the bootstrap is
concerned: our package's first modules, a BUILD_ID, and in ``_native/`` this
machine's own build of ``_cffi_backend``. ``use_cache`` picks a native build by
the interpreter's extension suffixes and looks at the OS only through
*native_required*, so forcing that on runs the code a Windows start runs, with
a Linux build of the same module. Each start is a fresh interpreter; no test
waits on a clock.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from trivia_trio import _bootstrap

SRC = Path(__file__).resolve().parents[1] / "src" / "trivia_trio"
BUILD = "0123456789abcdef0123"

# Runs in a fresh interpreter with the test archive first on sys.path, as the
# archive's __main__ does. cffi's Python package is blocked: trio's Windows FFI
# tables must need only the backend.
PROBE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
sys.modules["cffi"] = None
from trivia_trio._bootstrap import use_cache
folder = use_cache(Path(sys.argv[2]), native_required=sys.argv[3] == "native")
import trivia_trio
print(folder)
print(trivia_trio.__file__)
if folder is not None:
    import _cffi_backend
    import trio._core._generated_windows_ffi
    print(_cffi_backend.__file__)
"""


def make_archive(path: Path, native: dict[str, bytes], build: str = BUILD) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for module in ("__init__.py", "config.py", "_bootstrap.py"):
            archive.write(SRC / module, f"trivia_trio/{module}")
        archive.writestr("trivia_trio/BUILD_ID", build + "\n")
        for name, data in native.items():
            archive.writestr(f"trivia_trio/_native/{name}", data)
    return path


def local_backend() -> Path:
    spec = importlib.util.find_spec("_cffi_backend")
    assert spec is not None and spec.origin is not None, "cffi is a trio test dependency"
    return Path(spec.origin)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    backend = local_backend()
    return make_archive(tmp_path / "app.pyz", {backend.name: backend.read_bytes()})


def start(archive: Path, cache: Path, *, native: bool = True) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-I",
        "-c",
        PROBE,
        str(archive),
        str(cache),
        str(native and "native"),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(archive: Path, cache: Path, *, native: bool = True) -> list[Path]:
    """Start once; the folder it imports from, where trivia_trio and _cffi_backend came from."""
    stdout, stderr = start(archive, cache, native=native).communicate(timeout=60)
    assert not stderr, stderr
    return [Path(line) for line in stdout.split()]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


def test_first_start_extracts_and_later_starts_import_the_compiled_copy(
    archive: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    folder, package, backend = run(archive, cache)
    assert folder == cache / BUILD
    assert package == folder / "trivia_trio" / "__init__.py"
    assert backend == folder / "trivia_trio" / "_native" / local_backend().name
    assert (folder / ".complete").read_text() == BUILD
    assert list((folder / "trivia_trio" / "__pycache__").glob("__init__.*.pyc"))
    first = snapshot(folder)

    assert run(archive, cache) == [folder, package, backend]
    assert snapshot(folder) == first  # nothing written again, bytecode reused
    assert [p.name for p in cache.iterdir()] == [BUILD]


def test_only_this_interpreters_native_build_is_extracted(tmp_path: Path) -> None:
    backend = local_backend()
    others = {"_cffi_backend.cp312-win_amd64.pyd": b"MZ", "LICENSE.cffi": b"MIT"}
    archive = make_archive(tmp_path / "app.pyz", {backend.name: backend.read_bytes(), **others})
    folder, _, _ = run(archive, tmp_path / "cache")
    assert [p.name for p in (folder / "trivia_trio" / "_native").iterdir()] == [backend.name]


def test_an_archive_without_a_build_for_this_python_says_which_it_is(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "app.pyz", {"_cffi_backend.cp39-win_amd64.pyd": b"MZ"})
    process = start(archive, tmp_path / "cache")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "trivia-trio has no _cffi_backend module for this Python" in stderr


@pytest.mark.parametrize("mark", [None, "another-build"], ids=["unfinished", "another build"])
def test_a_half_written_cache_is_never_used(
    archive: Path, tmp_path: Path, mark: str | None
) -> None:
    folder = tmp_path / "cache" / BUILD
    (folder / "trivia_trio").mkdir(parents=True)
    (folder / "trivia_trio" / "__init__.py").write_text("raise SystemExit('half-written')\n")
    if mark is not None:
        (folder / ".complete").write_text(mark)

    assert run(archive, tmp_path / "cache")[1] == folder / "trivia_trio" / "__init__.py"
    assert (folder / "trivia_trio" / "__init__.py").read_bytes() == (
        SRC / "__init__.py"
    ).read_bytes()
    assert (folder / ".complete").read_text() == BUILD
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [BUILD]


def test_starts_at_the_same_moment_share_one_extraction(archive: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    starts = [start(archive, cache) for _ in range(6)]
    outputs = [process.communicate(timeout=60) for process in starts]
    assert all(process.returncode == 0 for process in starts), outputs
    assert {stdout for stdout, _ in outputs} == {outputs[0][0]}
    assert [p.name for p in cache.iterdir()] == [BUILD]


def test_an_unwritable_cache_runs_from_the_zip(archive: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    folder, package = run(archive, blocked / "cache", native=False)
    assert folder == Path("None")
    assert package == archive / "trivia_trio" / "__init__.py"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_a_read_only_cache_runs_from_the_zip(archive: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o555)
    folder, package = run(archive, cache, native=False)
    assert (folder, package) == (Path("None"), archive / "trivia_trio" / "__init__.py")
    assert not any(cache.iterdir())


def test_on_windows_an_unwritable_cache_is_named_in_one_message(
    archive: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    process = start(archive, blocked / "cache")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert f"trivia-trio cannot write its files to {blocked / 'cache'}" in stderr


def test_a_full_disk_leaves_nothing_behind(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(self: zipfile.ZipFile, path: str, members: list[str]) -> None:
        zipfile.ZipFile.extract(self, members[0], path)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", disk_full)
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="No space left"):
        _bootstrap.extract(str(archive), BUILD, cache)
    assert not any(cache.iterdir())


def test_old_builds_and_crashed_extractions_are_removed(archive: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    day = 24 * 3600
    now = time.time()
    ages = {"build-a": 5, "build-b": 1, "build-c": 3, "build-d": 2, ".tmp-crashed": 2 * day,
            ".tmp-in-progress": 10, ".old-moved-aside": 10}  # fmt: skip
    for name, age in ages.items():
        (cache / name).mkdir(parents=True)
        os.utime(cache / name, (now - age, now - age))

    _bootstrap.extract(str(archive), BUILD, cache)
    kept = sorted(p.name for p in cache.iterdir())
    assert kept == [".tmp-in-progress", BUILD, "build-b", "build-d"]


def test_outside_the_archive_nothing_happens(tmp_path: Path) -> None:
    path_before = list(sys.path)
    assert _bootstrap.running_archive() is None
    assert _bootstrap.use_cache(tmp_path, native_required=True) is None
    _bootstrap.bootstrap()
    assert sys.path == path_before
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("args, expected", [
    (["--data-dir", "/class/data"], "/class/data"),
    (["quiz.csv", "--data-dir=/class/data", "--no-browser"], "/class/data"),
    (["--port", "8001", "--data-dir", "rel"], "rel"),
])
def test_the_cache_goes_in_the_data_folder_the_command_line_names(
        args: list[str], expected: str) -> None:
    assert _bootstrap.data_dir_named(args) == Path(expected)


@pytest.mark.parametrize("args", [[], ["quiz.csv"], ["--", "--data-dir", "x"], ["--data-dir"]])
def test_without_a_data_folder_the_cache_goes_in_the_per_user_one(
        args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    from trivia_trio.config import default_data_dir
    assert _bootstrap.data_dir_named(args) == default_data_dir()
