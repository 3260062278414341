"""Run the archive from a per-user folder of real files instead of from inside the zip.

Python never caches bytecode for modules imported from a zip, so a start from
``trivia_trio.pyz`` compiles every module again. Instead, the first start of a
build extracts the archive's tree once to ``<data dir>/cache/<build id>/`` (the
folder ``--data-dir`` names, else the per-user one), and
every start imports from there, where Python writes and reuses its compiled
``__pycache__`` as for any installed package. The build id is a hash of all the
archive's entries (``trivia_trio/BUILD_ID``, written by the build), so a new
download never runs an older one's code, wherever the file was moved to.

The same extraction makes trio's compiled ``_cffi_backend`` loadable on Windows,
which Python cannot import from a zip: the archive carries one build per CPython
and Windows architecture in ``trivia_trio/_native/``, only the one this
interpreter loads is extracted, and its folder goes on ``sys.path`` too.

When the cache cannot be written (read-only home, full disk) the archive runs
from the zip as before, only slower; on Windows, which cannot, the start stops
with a message naming the folder. From a source tree or an installed package
nothing happens.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import zipimport
from importlib import machinery
from pathlib import Path

PACKAGE = "trivia_trio"
BUILD_ID = "BUILD_ID"  # in the package, written by build_zipapp.py
COMPLETE = ".complete"  # written last into a finished extraction, holds the build id
NATIVE_PREFIX = PACKAGE + "/_native/"
NATIVE_MODULE = "_cffi_backend"
TEMP_PREFIX = ".tmp-"
DISCARD_PREFIX = ".old-"
KEEP_BUILDS = 3
# A temporary folder this old is a crashed extraction's leftover, not one in progress.
STALE_TEMP_SECONDS = 24 * 3600
# Windows refuses to rename a folder while a virus scanner reads a file just written in it.
RENAME_RETRY_DELAYS = (0.05, 0.1, 0.25, 0.5, 1.0) if sys.platform == "win32" else ()


def bootstrap() -> str | None:
    """From the archive, import from the per-user cache (see the module doc) and return the
    archive's path (the server offers that file for download); else do nothing, return None.

    Call it before anything else of ours is imported: it makes Python forget
    the package modules it imported from the zip so that they come from the cache.
    """
    found = running_archive()
    if found is None:
        return None
    use_cache(data_dir_named(sys.argv[1:]) / "cache", native_required=sys.platform == "win32")
    return found[0]


def data_dir_named(args: list[str]) -> Path:
    """The data folder ``--data-dir`` names on this command line, else the per-user one.

    Read before the command line is parsed (parsing imports the code the cache
    holds), so that with ``--data-dir`` everything, the unpacked program
    included, stays in that folder.
    """
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--data-dir" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--data-dir="):
            return Path(arg.removeprefix("--data-dir="))
    from trivia_trio.config import default_data_dir

    return default_data_dir()


def running_archive() -> tuple[str, str] | None:
    """(archive path, build id) when our package is imported from a built archive, else None."""
    import trivia_trio

    loader = trivia_trio.__spec__.loader
    if not isinstance(loader, zipimport.zipimporter) or loader.prefix:
        return None
    try:
        build_id = loader.get_data(os.path.join(PACKAGE, BUILD_ID)).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not (build_id.isascii() and build_id.isalnum()):
        return None
    return loader.archive, build_id


def use_cache(cache_root: Path, *, native_required: bool) -> Path | None:
    """Import our package (and the native module) from ``cache_root/<build id>/``.

    Extracts the archive there first unless a complete extraction of this build
    is already there. Puts the folder first on ``sys.path`` and drops the zip's
    copies of our modules from ``sys.modules``. Returns the folder, or None when
    not running from an archive or when the cache cannot be written (the zip is
    then used). Raises SystemExit with a plain message when *native_required*
    and the native module cannot be provided.
    """
    found = running_archive()
    if found is None:
        return None
    archive, build_id = found
    folder = cache_root / build_id
    if is_complete(folder, build_id):
        with contextlib.suppress(OSError):  # read-only: still usable
            os.utime(folder)  # last used: pruning keeps the recently used builds
    else:
        try:
            extract(archive, build_id, cache_root)
        except OSError as error:
            if native_required:
                raise SystemExit(
                    f"trivia-trio cannot write its files to {cache_root} ({error}); "
                    "make that folder writable and start again."
                ) from None
            return None
    native = native_folder(folder)
    if native_required and native is None:
        raise SystemExit(
            f"trivia-trio has no {NATIVE_MODULE} module for this Python "
            f"({sys.version.split()[0]}, {machinery.EXTENSION_SUFFIXES[0]}); "
            "use CPython 3.11 to 3.14 from python.org."
        )
    sys.path[0:0] = [str(folder)] + ([str(native)] if native else [])
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    return folder


def is_complete(folder: Path, build_id: str) -> bool:
    """Whether *folder* holds a finished extraction of this build (its last file was written)."""
    try:
        return (folder / COMPLETE).read_text(encoding="ascii") == build_id
    except (OSError, UnicodeDecodeError):
        return False


def native_folder(folder: Path) -> Path | None:
    """The extracted ``_native`` folder if it has a build this interpreter can load."""
    native = folder / NATIVE_PREFIX
    for name in native_names():
        if (folder / name).is_file():
            return native
    return None


def native_names() -> list[str]:
    return [NATIVE_PREFIX + NATIVE_MODULE + suffix for suffix in machinery.EXTENSION_SUFFIXES]


def extract(archive: str, build_id: str, cache_root: Path) -> Path:
    """Extract *archive* to ``cache_root/<build_id>/`` and return that folder.

    Everything but the other interpreters' native builds is written to a new
    temporary folder beside it, the ``.complete`` mark last, and the folder
    then takes its name in one rename: a crash leaves only a temporary folder,
    never a half-written build. When another start renamed its copy first,
    that one is used. Older builds beyond the few most recently used are then
    removed. Raises OSError when the cache cannot be written; nothing is left.
    """
    import shutil
    import tempfile
    import zipfile

    folder = cache_root / build_id
    cache_root.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{build_id}-", dir=cache_root))
    try:
        wanted = set(native_names())
        with zipfile.ZipFile(archive) as zipped:
            members = [
                name
                for name in zipped.namelist()
                if not name.startswith(NATIVE_PREFIX) or name in wanted
            ]
            zipped.extractall(temp, members)
        (temp / COMPLETE).write_text(build_id, encoding="ascii")
        if hasattr(os, "sync"):
            os.sync()  # the files' data on disk before their folder's new name
        publish(temp, folder, build_id)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    prune(cache_root, folder)
    return folder


def publish(temp: Path, folder: Path, build_id: str) -> None:
    """Rename the finished *temp* to *folder*; a broken folder of that name is moved away."""
    import shutil

    retries = list(RENAME_RETRY_DELAYS)
    moved_aside = False
    while True:
        try:
            os.rename(temp, folder)
            return
        except OSError:
            if is_complete(folder, build_id):
                return  # another start got there first: use its copy
            if folder.exists() and not moved_aside:
                # An unfinished or damaged copy: never used, moved aside and removed.
                moved_aside = True
                aside = folder.with_name(f"{DISCARD_PREFIX}{build_id}-{os.getpid()}")
                with contextlib.suppress(FileNotFoundError):  # another start moved it
                    os.rename(folder, aside)
                shutil.rmtree(aside, ignore_errors=True)
                continue
            if not retries:
                raise
            time.sleep(retries.pop(0))


def prune(cache_root: Path, current: Path) -> None:
    """Remove all but the most recently used builds, and leftovers of interrupted extractions.

    Best effort: what cannot be removed now (a file in use on Windows) is tried at the next
    extraction.
    """
    import shutil

    now = time.time()
    builds: list[tuple[float, str]] = []
    with os.scandir(cache_root) as entries:
        for entry in entries:
            try:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                modified = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if entry.name.startswith(DISCARD_PREFIX):
                shutil.rmtree(entry.path, ignore_errors=True)
            elif entry.name.startswith(TEMP_PREFIX):
                if now - modified > STALE_TEMP_SECONDS:
                    shutil.rmtree(entry.path, ignore_errors=True)
            elif entry.path != str(current):
                builds.append((modified, entry.path))
    for _, path in sorted(builds, reverse=True)[KEEP_BUILDS - 1 :]:
        shutil.rmtree(path, ignore_errors=True)
