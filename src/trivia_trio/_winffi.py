"""Make trio's ``_cffi_backend`` importable on Windows when running from the archive.

On Windows trio calls the kernel through cffi's compiled ``_cffi_backend``
module (nothing else of cffi: trio ships its FFI tables pre-generated). Python
cannot import a compiled module from inside a zip, so the archive carries one
build per CPython version and Windows architecture in ``trivia_trio/_native/``;
at start the one this interpreter can load is copied once to a per-user folder,
which goes first on ``sys.path`` before trio is imported.

Run from a source tree or an installed package there is no ``_native`` folder
and nothing happens: cffi was installed by pip as usual.
"""

from __future__ import annotations

import hashlib
import os
import sys
from importlib import machinery, resources
from pathlib import Path

MODULE = "_cffi_backend"


def bootstrap() -> None:
    """On Windows, run :func:`install_native` with the per-user cache; elsewhere do nothing."""
    if sys.platform == "win32":
        from trivia_trio.config import default_data_dir

        install_native(default_data_dir() / "native")


def install_native(cache_root: Path) -> Path | None:
    """Copy this interpreter's build of ``_cffi_backend`` out of the archive and import from there.

    The build is chosen by the interpreter's own extension suffixes (e.g.
    ``.cp312-win_amd64.pyd``: version, free-threading, architecture). It goes to
    ``cache_root/<content hash>/``, written once through a rename so that a
    half-written file is never loaded, and that folder is put first on
    ``sys.path``. Returns the folder, or None when there is no ``_native``
    folder (not running from the archive). Raises SystemExit with a plain
    message when the archive has no build for this interpreter.
    """
    native = resources.files("trivia_trio") / "_native"
    if not native.is_dir():
        return None
    candidates = (native / (MODULE + suffix) for suffix in machinery.EXTENSION_SUFFIXES)
    source = next((c for c in candidates if c.is_file()), None)
    if source is None:
        raise SystemExit(
            f"trivia-trio has no {MODULE} module for this Python "
            f"({sys.version.split()[0]}, {machinery.EXTENSION_SUFFIXES[0]}); "
            "use CPython 3.11 to 3.14 from python.org."
        )
    data = source.read_bytes()
    folder = cache_root / hashlib.sha256(data).hexdigest()[:16]
    target = folder / source.name
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{source.name}.{os.getpid()}.partial"
        partial.write_bytes(data)
        try:
            os.replace(partial, target)
        except PermissionError:
            # Another instance won the race and has the file loaded (locked on Windows).
            partial.unlink()
            if not target.is_file():
                raise
    sys.path.insert(0, str(folder))
    return folder
