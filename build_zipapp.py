"""Build ``dist/trivia_trio.pyz``: the whole server in one file, run as ``python trivia_trio.pyz``.

The archive holds our package (static pages and quizzes as real files), the
runtime dependencies as pure Python at the exact versions in constraints.txt,
for Windows trio's one compiled helper ``_cffi_backend`` built for each CPython
and architecture, and ``trivia_trio/BUILD_ID``, a hash of all the other entries.
At its first start the archive extracts itself once to a per-user cache folder
named by that id and runs from there, with its bytecode cached
(``trivia_trio/_bootstrap.py``). Running it needs only CPython >= 3.11: no pip,
no virtualenv, no compiler.

    python build_zipapp.py [--output dist/trivia_trio.pyz] [--no-windows]

Needs access to the package index (pip) and ``packaging`` (in the dev extras;
without it the build says in one line how to install it).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.parser import HeaderParser
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ModuleNotFoundError:  # the run command's venv has no packaging; the dev extras do
    sys.exit("build_zipapp.py needs `packaging`: python3 -m pip install packaging")

ROOT = Path(__file__).resolve().parent
PACKAGE = ROOT / "src" / "trivia_trio"
DEFAULT_OUTPUT = ROOT / "dist" / "trivia_trio.pyz"
CONSTRAINTS = ROOT / "constraints.txt"
BUILD_ID = "trivia_trio/BUILD_ID"
SHEBANG = b"#!/usr/bin/env python3\n"
# A fixed timestamp for every entry, so the same inputs give the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)

# trio 0.35 needs ``cffi>=1.14`` on Windows (os_name == "nt") and imports only
# its compiled ``_cffi_backend``: trio ships its FFI tables pre-generated, so
# neither cffi's Python package nor pycparser is needed at run time. Its version
# is cffi's pin in constraints.txt.
WINDOWS_PLATFORMS = ("win_amd64", "win_arm64", "win32")
NATIVE_DIR = "trivia_trio/_native"
PROVIDED_NATIVELY = {"cffi"}

# CPythons and systems the archive runs on: each Python gets its Windows
# binaries, and every dependency any of them selects through a marker is bundled.
PYTHONS = ("3.11", "3.12", "3.13", "3.14")
SYSTEMS = (
    {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"},
    {"os_name": "posix", "sys_platform": "darwin", "platform_system": "Darwin"},
    {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows"},
)

# Compiled speedups that have a pure-Python fallback: dropped, the fallback runs.
OPTIONAL_ACCELERATORS = {"markupsafe": ("markupsafe/_speedups*",)}
NATIVE_SUFFIXES = (".so", ".pyd", ".dll", ".dylib")
STRIP_DIRS = {"__pycache__", "tests", "_tests"}
STRIP_FILES = ("*.pyi", "py.typed", "*.pyc")
LICENSE_FILES = ("LICENSE*", "LICENCE*", "COPYING*", "NOTICE*", "AUTHORS*")


class BuildError(Exception):
    """A build input is not what the archive needs; the message says what."""


def pinned_requirements(pyproject: Path) -> list[str]:
    """[project].dependencies, each of which must pin one exact version."""
    dependencies: list[str] = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    for line in dependencies:
        specifiers = list(Requirement(line).specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            raise BuildError(f"dependency {line!r} is not pinned with ==")
    return dependencies


def read_constraints(path: Path) -> dict[str, str]:
    """constraints.txt as {normalised name: version}; each line must pin one exact version."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            raise BuildError(f"{path.name}: {line!r} is not pinned with ==")
        pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins


def ensure_pinned(site: Path, pins: dict[str, str]) -> None:
    """Fail unless every installed distribution is in constraints.txt at its pinned version."""
    for name, dist_info in dist_infos(site).items():
        metadata = HeaderParser().parsestr((dist_info / "METADATA").read_text())
        version = metadata["Version"].strip()
        if name not in pins:
            raise BuildError(f"{name} {version} is bundled but not pinned in constraints.txt")
        if version != pins[name]:
            raise BuildError(f"{name} {version} is bundled but constraints.txt pins {pins[name]}")


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--quiet"]
    subprocess.run(command, check=True)


def pip_install(requirements: list[str], target: Path, *, deps: bool = True) -> None:
    """Install wheels only, uncompiled (the archive must not carry one interpreter's bytecode),
    each at its version in constraints.txt."""
    options = ["--target", str(target), "--no-compile", "--only-binary", ":all:", "--upgrade"]
    options += ["--constraint", str(CONSTRAINTS)]
    pip("install", *options, *([] if deps else ["--no-deps"]), *requirements)


def dist_infos(site: Path) -> dict[str, Path]:
    return {canonicalize_name(p.name.split("-")[0]): p for p in site.glob("*.dist-info")}


def marker_environments() -> Iterator[dict[str, str]]:
    for system in SYSTEMS:
        for version in PYTHONS:
            yield {
                **system,
                "python_version": version,
                "python_full_version": f"{version}.0",
                "implementation_name": "cpython",
                "platform_python_implementation": "CPython",
                "extra": "",
            }


def missing_requirements(site: Path) -> set[str]:
    """Requirements of the installed distributions that some target system needs but lacks.

    pip evaluates environment markers for the building machine only, so a
    Windows-only dependency (colorama, cffi) is silently left out on Linux.
    """
    installed = dist_infos(site)
    missing: set[str] = set()
    for dist_info in installed.values():
        metadata = HeaderParser().parsestr((dist_info / "METADATA").read_text())
        for line in metadata.get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            if name in installed or name in PROVIDED_NATIVELY:
                continue
            marker = requirement.marker
            if marker is None or any(marker.evaluate(env) for env in marker_environments()):
                missing.add(f"{requirement.name}{requirement.specifier}")
    return missing


def install_dependencies(requirements: list[str], site: Path) -> None:
    """Install the pinned requirements, then what other systems need on top of them."""
    pip_install(requirements, site)
    missing = missing_requirements(site)
    while missing:
        pip_install(sorted(missing), site, deps=False)
        still_missing = missing_requirements(site)
        if still_missing & missing:
            raise BuildError(f"could not install {sorted(still_missing & missing)}")
        missing = still_missing


def ensure_pure_python(site: Path) -> None:
    """Fail unless every bundled distribution runs as pure Python on any system."""
    for name, dist_info in dist_infos(site).items():
        wheel = HeaderParser().parsestr((dist_info / "WHEEL").read_text())
        if wheel["Root-Is-Purelib"].strip().lower() == "true":
            continue
        if name not in OPTIONAL_ACCELERATORS:
            raise BuildError(f"{dist_info.name} is not pure Python (tags {wheel.get_all('Tag')})")
        for pattern in OPTIONAL_ACCELERATORS[name]:
            for path in site.glob(pattern):
                path.unlink()
    native = [p for p in site.rglob("*") if p.suffix in NATIVE_SUFFIXES]
    if native:
        raise BuildError(f"compiled files left in the bundle: {native}")


def strip_unneeded(site: Path) -> None:
    """Drop what is never imported at run time: tests, stubs, caches, scripts, install records."""
    shutil.rmtree(site / "bin", ignore_errors=True)
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_dir() and path.name in STRIP_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and any(fnmatch.fnmatch(path.name, p) for p in STRIP_FILES):
            path.unlink()
    for dist_info in site.glob("*.dist-info"):
        trim_dist_info(dist_info)


def trim_dist_info(dist_info: Path) -> None:
    """Keep METADATA's headers and the licence texts.

    ``importlib.metadata.version`` must keep working: Quart, Flask and click call it
    for ``--version``.
    """
    for path in sorted(dist_info.rglob("*"), reverse=True):
        relative = path.relative_to(dist_info)
        is_license = relative.parts[0] == "licenses" or any(
            fnmatch.fnmatch(path.name, p) for p in LICENSE_FILES
        )
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.name == "METADATA":
            headers, _, _description = path.read_text().partition("\n\n")
            path.write_text(headers + "\n")
        elif not is_license:
            path.unlink()


def copy_package(site: Path) -> None:
    """Our package with the ``static`` symlink resolved into real files, and the entry point.

    The archive's ``__main__.py`` is the package's own, so the Python version
    check runs before anything else of ours is imported.
    """
    shutil.copytree(PACKAGE, site / "trivia_trio", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(PACKAGE / "__main__.py", site / "__main__.py")


def download_cffi_wheel(cffi: str, platform: str, version: str, dest: Path) -> Path:
    """One cffi wheel for one Windows Python, asked for by tag (markers play no part)."""
    abi = "cp" + version.replace(".", "")
    folder = dest / f"{abi}-{platform}"
    pip(
        "download", f"cffi=={cffi}", "--no-deps", "--only-binary", ":all:",
        "--platform", platform, "--python-version", version, "--implementation", "cp",
        "--abi", abi, "--dest", str(folder),
    )  # fmt: skip
    (wheel,) = folder.glob("*.whl")
    return wheel


def add_windows_backend(site: Path, downloads: Path, cffi: str) -> None:
    """Put ``_cffi_backend.<tag>.pyd`` for every Windows CPython and architecture in the bundle."""
    jobs = [(cffi, p, v, downloads) for p in WINDOWS_PLATFORMS for v in PYTHONS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        wheels = list(pool.map(lambda job: download_cffi_wheel(*job), jobs))
    native = site / NATIVE_DIR
    native.mkdir(parents=True)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            (module,) = (n for n in archive.namelist() if fnmatch.fnmatch(n, "_cffi_backend.*.pyd"))
            (native / module).write_bytes(archive.read(module))
    with zipfile.ZipFile(wheels[0]) as archive:
        license_text = archive.read(f"cffi-{cffi}.dist-info/licenses/LICENSE")
    (native / "LICENSE.cffi").write_bytes(license_text)


def build_id(site: Path) -> str:
    """A hash of every entry's name and content: the archive's name for its extracted copy."""
    files = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
    files.pop(BUILD_ID, None)
    digest = hashlib.sha256()
    for name in sorted(files):  # by entry name, as anyone can recompute from the archive
        content = hashlib.sha256(files[name].read_bytes()).digest()
        digest.update(name.encode() + b"\0" + content)
    return digest.hexdigest()[:20]


def write_build_id(site: Path) -> str:
    identifier = build_id(site)
    (site / BUILD_ID).write_text(identifier + "\n")
    return identifier


def write_archive(site: Path, output: Path) -> None:
    """Zip *site* behind a shebang, entries sorted and timestamps fixed (reproducible)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as file:
        file.write(SHEBANG)
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(site.rglob("*")):
                info = zipfile.ZipInfo.from_file(path, path.relative_to(site).as_posix())
                info.date_time = ZIP_TIME
                if path.is_dir():
                    info.external_attr = (0o40755 << 16) | 0x10
                    archive.writestr(info, b"")
                else:
                    info.external_attr = 0o100644 << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes(), compresslevel=9)
    output.chmod(0o755)


def build(output: Path, *, windows: bool = True) -> None:
    requirements = pinned_requirements(ROOT / "pyproject.toml")
    pins = read_constraints(CONSTRAINTS)
    with tempfile.TemporaryDirectory(prefix="trivia-trio-build-") as temp:
        site = Path(temp) / "app"
        install_dependencies(requirements, site)
        ensure_pinned(site, pins)
        ensure_pure_python(site)
        strip_unneeded(site)
        copy_package(site)
        if windows:
            add_windows_backend(site, Path(temp) / "wheels", pins["cffi"])
        identifier = write_build_id(site)
        write_archive(site, output)
        bundled = sorted(p.name.removesuffix(".dist-info") for p in site.glob("*.dist-info"))
    print("bundled:", ", ".join(bundled))
    if windows:
        print(f"_cffi_backend {pins['cffi']} for CPython {PYTHONS} on {WINDOWS_PLATFORMS}")
    print(f"wrote {output} ({output.stat().st_size / 1024:.0f} KiB), build {identifier}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the .pyz to write")
    parser.add_argument(
        "--no-windows",
        action="store_true",
        help="leave out the Windows binaries (a faster build that will not start on Windows)",
    )
    args = parser.parse_args(argv)
    try:
        build(args.output, windows=not args.no_windows)
    except (BuildError, subprocess.CalledProcessError) as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
