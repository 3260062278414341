"""The Windows ``_cffi_backend`` bootstrap, proven on this machine with this machine's build.

``install_native`` picks a build by the interpreter's own extension suffixes
and does not look at the OS (only ``bootstrap`` does). So a test archive that
carries this interpreter's ``_cffi_backend`` in the archive's layout exercises
the same code a Windows start runs: pick, extract once, import from the cache.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

from trivia_trio import _winffi

SRC = Path(__file__).resolve().parents[1] / "src" / "trivia_trio"

# Runs in a fresh interpreter with the test archive first on sys.path. cffi's
# Python package is blocked: trio's Windows FFI tables must need only the backend.
PROBE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
sys.modules["cffi"] = None
from trivia_trio._winffi import install_native
folder = install_native(Path(sys.argv[2]))
import _cffi_backend
import trio._core._generated_windows_ffi
print(folder)
print(_cffi_backend.__file__)
"""


def make_archive(path: Path, native: dict[str, bytes]) -> Path:
    """A zip laid out like trivia_trio.pyz, as far as the bootstrap is concerned."""
    with zipfile.ZipFile(path, "w") as archive:
        for module in ("__init__.py", "config.py", "_winffi.py"):
            archive.write(SRC / module, f"trivia_trio/{module}")
        for name, data in native.items():
            archive.writestr(f"trivia_trio/_native/{name}", data)
    return path


def run_probe(archive: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-I", "-c", PROBE, str(archive), str(cache)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def local_backend() -> Path:
    spec = importlib.util.find_spec("_cffi_backend")
    assert spec is not None and spec.origin is not None, "cffi is a trio test dependency"
    return Path(spec.origin)


def test_backend_is_extracted_once_and_imported_from_the_cache(tmp_path: Path) -> None:
    backend = local_backend()
    archive = make_archive(tmp_path / "app.pyz", {backend.name: backend.read_bytes()})
    cache = tmp_path / "cache"

    first = run_probe(archive, cache)
    assert first.returncode == 0, first.stderr
    folder, imported = (Path(line) for line in first.stdout.split())
    assert folder.parent == cache
    assert sorted(p.name for p in folder.iterdir()) == [backend.name]
    assert imported == folder / backend.name
    extracted = imported.stat()

    second = run_probe(archive, cache)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    again = imported.stat()
    assert (again.st_ino, again.st_mtime_ns) == (extracted.st_ino, extracted.st_mtime_ns)


def test_an_archive_without_a_build_for_this_python_says_which_it_is(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "app.pyz", {"_cffi_backend.cp39-win_amd64.pyd": b"MZ"})
    result = run_probe(archive, tmp_path / "cache")
    assert result.returncode == 1
    assert "trivia-trio has no _cffi_backend module for this Python" in result.stderr
    assert not (tmp_path / "cache").exists()


def test_outside_the_archive_there_is_nothing_to_install(tmp_path: Path) -> None:
    path_before = list(sys.path)
    assert _winffi.install_native(tmp_path) is None
    _winffi.bootstrap()
    assert sys.path == path_before
    assert not any(tmp_path.iterdir())
