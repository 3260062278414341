"""The single file: its build rules, then the real build run the way an instructor runs it.

The archive is built once per run, by the first test process that needs it,
copied to a folder that has nothing else in it and started from there with
``-I -S`` (no site-packages, no PYTHONPATH), so every import must come from
inside it or from the cache it extracts itself to. Each start gets its own
home folder (HOME, XDG_DATA_HOME, LOCALAPPDATA), so that cache is the test's.
Each CPython found under ~/.pyenv/versions is tried; missing ones are skipped
by name. Loopback only, port 0, a time budget around every wait.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import build_zipapp
import openpyxl
import pytest
import trio
from trio_websocket import open_websocket_url

import trivia_trio
from trivia_trio.tools.http_client import request
from trivia_trio.web.assets import Assets

from .conftest import log_problems

# The build takes a while: every test here asks for one xdist worker (``--dist loadgroup``).
# Under pytest 9.2 xdist no longer keeps a group together (pytest-xdist#1386), so the
# ``pyz`` fixture also shares one build between the workers.
pytestmark = pytest.mark.xdist_group("pyz")

ROOT = Path(__file__).resolve().parents[1]
SUPPORTED = ("3.11", "3.12", "3.13")
TOO_OLD = ("2.7", "3.6", "3.7", "3.8", "3.9", "3.10")
WINDOWS_BUILDS = {
    f"_cffi_backend.{abi}-{platform}.pyd"
    for abi in ("cp311", "cp312", "cp313", "cp314")
    for platform in ("win_amd64", "win_arm64", "win32")
}
NATIVE_SUFFIXES = (".so", ".pyd", ".dll", ".dylib")
INSTRUCTOR_LINK = re.compile(rb"http://127\.0\.0\.1:(\d+)/instructor\?key=testkey")
# pip's words when the package index cannot be reached.
OFFLINE = ("NewConnectionError", "Could not fetch URL", "Temporary failure in name resolution")


def find_python(version: str) -> Path:
    """The newest ~/.pyenv CPython of this minor version, or skip."""
    found = Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}")
    pythons = sorted(found, key=lambda p: [int(n) for n in p.parents[1].name.split(".")])
    if not pythons:
        pytest.skip(f"no Python {version} under ~/.pyenv/versions")
    return pythons[-1]


@pytest.fixture(scope="session")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real build (Windows binaries included), copied to a folder of its own.

    Built once per run: the first test process to need it builds it in the run's
    temporary folder, under a lock the others wait on, then use it."""
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent  # the workers' temporary folders are popen-gwN in it
    built = run_folder / "pyz-build" / "trivia_trio.pyz"
    with open(run_folder / "pyz-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists():
            built.parent.mkdir(exist_ok=True)
            command = [sys.executable, str(ROOT / "build_zipapp.py"), "--output", str(built)]
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
            if result.returncode != 0:
                built.unlink(missing_ok=True)
                if any(word in result.stderr for word in OFFLINE):
                    pytest.skip("cannot reach the package index to build the archive:\n"
                                f"{result.stderr}")
                pytest.fail(f"build failed:\n{result.stdout}\n{result.stderr}")
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "trivia_trio.pyz"
    shutil.copy2(built, elsewhere)
    return elsewhere


@pytest.fixture(scope="session")
def names(pyz: Path) -> list[str]:
    with zipfile.ZipFile(pyz) as archive:
        return archive.namelist()


# ---- build rules ---------------------------------------------------------------------------
def home(folder: Path) -> dict[str, str]:
    """The environment with the per-user folders, and so the archive's cache, in *folder*."""
    local = folder / "local"
    return {
        **os.environ,
        "HOME": str(folder),
        "XDG_DATA_HOME": str(local),
        "LOCALAPPDATA": str(local),
    }


def cache_of(folder: Path) -> Path:
    return folder / "local" / "trivia-trio" / "cache"


def write_dist(site: Path, name: str, *, requires: tuple[str, ...] = (), pure: bool = True) -> Path:
    """A fake installed distribution, as pip --target leaves it."""
    dist_info = site / f"{name}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    lines = [f"Name: {name}", "Version: 1.0", *(f"Requires-Dist: {r}" for r in requires)]
    (dist_info / "METADATA").write_text("\n".join(lines) + "\n\nA long description.\n")
    (dist_info / "WHEEL").write_text(f"Root-Is-Purelib: {str(pure).lower()}\n")
    return dist_info


def test_a_dependency_not_pinned_exactly_stops_the_build(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["trio==0.35.0", "quart>=0.22"]\n')
    with pytest.raises(build_zipapp.BuildError, match="quart>=0.22"):
        build_zipapp.pinned_requirements(pyproject)


def test_a_constraint_not_pinned_exactly_stops_the_build(tmp_path: Path) -> None:
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# runtime\ntrio==0.35.0  # the core\nidna>=3\n")
    with pytest.raises(build_zipapp.BuildError, match="'idna>=3' is not pinned with =="):
        build_zipapp.read_constraints(constraints)


def test_bundling_anything_not_pinned_in_the_constraints_stops_the_build(tmp_path: Path) -> None:
    write_dist(tmp_path, "Trio_Websocket")
    write_dist(tmp_path, "idna")
    build_zipapp.ensure_pinned(tmp_path, {"trio-websocket": "1.0", "idna": "1.0"})
    with pytest.raises(
        build_zipapp.BuildError, match="idna 1.0 is bundled but constraints.txt pins 3.13"
    ):
        build_zipapp.ensure_pinned(tmp_path, {"trio-websocket": "1.0", "idna": "3.13"})
    with pytest.raises(build_zipapp.BuildError, match="idna 1.0 is bundled but not pinned"):
        build_zipapp.ensure_pinned(tmp_path, {"trio-websocket": "1.0"})


def test_without_packaging_the_build_says_in_one_line_what_to_install() -> None:
    # -S: no site-packages, as in the run command's venv, which has no packaging.
    result = subprocess.run([sys.executable, "-S", str(ROOT / "build_zipapp.py")],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "build_zipapp.py needs `packaging`: python3 -m pip install packaging\n"


def test_the_readmes_commands_install_the_versions_the_archive_ships() -> None:
    """CI runs the README's first two sh blocks as written (.ci/run)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run, test = re.findall(r"^```sh\n(.*)\n", readme, re.MULTILINE)[:2]
    assert "pip install -e . -c constraints.txt " in run
    assert 'pip install -e ".[dev]" -c constraints.txt ' in test


def test_the_readmes_size_and_start_times_are_written_by_the_benchmark(tmp_path: Path) -> None:
    from bench import startup

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(startup.BEGIN + "\n", 1)[1].split(startup.END, 1)[0]
    size = re.search(r"^`dist/trivia_trio\.pyz` is [\d.]+ MiB \(([\d,]+) bytes\)\.$", block, re.M)
    runs = re.search(r"^Start to first answer, median of (\d+) runs of ", block, re.M)
    where = re.search(r"^on (.+):$", block, re.M)
    assert size and runs and where, f"the README's figures are not bench/startup.py's:\n{block}"
    rows = re.findall(r"^\| (\S+) \| ([\d.]+) s \| ([\d.]+) s \| ([\d.]+) s \|$", block, re.M)
    assert rows, block
    medians = {label: dict(zip(startup.WAYS, map(float, cells), strict=True))
               for label, *cells in rows}
    assert block == startup.readme_figures(int(size[1].replace(",", "")), medians,
                                           int(runs[1]), where[1])
    copy = tmp_path / "README.md"  # the benchmark rewrites its own block and nothing else
    copy.write_text(readme, encoding="utf-8")
    startup.write_readme(copy, "figures\n")
    assert copy.read_text(encoding="utf-8") == readme.replace(block, "figures\n")


def test_the_constraints_agree_with_the_pins_in_pyproject() -> None:
    pins = build_zipapp.read_constraints(ROOT / "constraints.txt")
    for line in build_zipapp.pinned_requirements(ROOT / "pyproject.toml"):
        name, version = line.split("==")
        assert pins[name] == version, line


def test_dependencies_only_windows_or_an_older_python_needs_are_found(tmp_path: Path) -> None:
    write_dist(tmp_path, "click", requires=("colorama; platform_system == 'Windows'",))
    trio_requires = (
        "sniffio>=1.3.0",
        "cffi>=1.14; os_name == 'nt' and implementation_name != 'pypy'",
        "exceptiongroup; python_version < '3.11'",
        "pytest; extra == 'test'",
    )
    write_dist(tmp_path, "trio", requires=trio_requires)
    write_dist(tmp_path, "sniffio")
    # cffi comes as the per-Windows-Python backend; Python 3.10 is below our floor.
    assert build_zipapp.missing_requirements(tmp_path) == {"colorama"}


def test_a_compiled_dependency_stops_the_build_unless_it_has_a_pure_fallback(
    tmp_path: Path,
) -> None:
    write_dist(tmp_path, "markupsafe", pure=False)
    (tmp_path / "markupsafe").mkdir()
    (tmp_path / "markupsafe" / "_speedups.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    build_zipapp.ensure_pure_python(tmp_path)
    assert not list((tmp_path / "markupsafe").iterdir())

    write_dist(tmp_path, "fastjson", pure=False)
    with pytest.raises(build_zipapp.BuildError, match="fastjson-1.0.dist-info is not pure Python"):
        build_zipapp.ensure_pure_python(tmp_path)


def test_metadata_keeps_its_headers_and_licences_for_importlib_metadata(tmp_path: Path) -> None:
    dist_info = write_dist(tmp_path, "trio")
    (dist_info / "RECORD").write_text("trio/__init__.py,,\n")
    (dist_info / "licenses").mkdir()
    (dist_info / "licenses" / "LICENSE.MIT").write_text("MIT")
    build_zipapp.trim_dist_info(dist_info)
    kept = sorted(p.relative_to(dist_info).as_posix() for p in dist_info.rglob("*"))
    assert kept == ["METADATA", "licenses", "licenses/LICENSE.MIT"]
    assert (dist_info / "METADATA").read_text() == "Name: trio\nVersion: 1.0\n"


# ---- what is inside -------------------------------------------------------------------------
@pytest.mark.slow
def test_archive_is_an_executable_with_a_shebang(pyz: Path) -> None:
    assert pyz.read_bytes().startswith(b"#!/usr/bin/env python3\n")
    assert pyz.stat().st_mode & 0o111


@pytest.mark.slow
def test_archive_holds_our_pages_and_quizzes_as_real_files(pyz: Path, names: list[str]) -> None:
    static = sorted(p for p in (ROOT / "static").iterdir() if p.is_file())
    assert static, "the repo has pages in static/"
    with zipfile.ZipFile(pyz) as archive:
        for page in static:
            assert archive.read(f"trivia_trio/static/{page.name}") == page.read_bytes()
        main = (ROOT / "src" / "trivia_trio" / "__main__.py").read_bytes()
        assert archive.read("__main__.py") == main
    assert "trivia_trio/quizzes/demo.json" in names


@pytest.mark.slow
def test_archive_carries_trios_windows_backend_for_every_python_and_architecture(
    names: list[str],
) -> None:
    native = {n.removeprefix("trivia_trio/_native/") for n in names if n.endswith(".pyd")}
    assert native == WINDOWS_BUILDS
    assert "trivia_trio/_native/LICENSE.cffi" in names


@pytest.mark.slow
def test_archive_is_pure_python_without_tests_caches_or_stubs(names: list[str]) -> None:
    native = [n for n in names if n.endswith(NATIVE_SUFFIXES)]
    assert all(n.startswith("trivia_trio/_native/") for n in native)
    parts = {part for n in names for part in n.split("/")}
    assert not parts & {"__pycache__", "tests", "_tests", "RECORD", "py.typed"}
    assert not [n for n in names if n.endswith((".pyi", ".pyc"))]


@pytest.mark.slow
def test_archive_is_named_by_a_hash_of_all_its_entries(pyz: Path) -> None:
    digest = hashlib.sha256()
    with zipfile.ZipFile(pyz) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith("/") and name != "trivia_trio/BUILD_ID":
                digest.update(name.encode() + b"\0" + hashlib.sha256(archive.read(name)).digest())
        build = archive.read("trivia_trio/BUILD_ID").decode().strip()
    assert build == digest.hexdigest()[:20]


@pytest.mark.slow
def test_archive_bundles_only_what_the_constraints_pin(names: list[str]) -> None:
    pins = build_zipapp.read_constraints(ROOT / "constraints.txt")
    dist_infos = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
    named = (d.removesuffix(".dist-info").split("-") for d in dist_infos)
    bundled = {build_zipapp.canonicalize_name(name): version for name, version in named}
    assert bundled == {name: pins[name] for name in bundled}
    assert set(pins) - set(bundled) == {"cffi"}  # only its Windows backend is bundled


@pytest.mark.slow
def test_archive_bundles_the_pinned_versions_each_with_its_licence(names: list[str]) -> None:
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for pin in pins:
        name, version = pin.split("==")
        assert f"{name.replace('-', '_')}-{version}.dist-info/METADATA" in names
    dist_infos = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
    for dist_info in dist_infos:
        files = [n.removeprefix(dist_info + "/") for n in names if n.startswith(dist_info + "/")]
        # openpyxl and et_xmlfile spell it LICENCE.
        assert any(word in f.upper() for f in files for word in ("LICENSE", "LICENCE")), \
            (dist_info, files)


# ---- how it runs ----------------------------------------------------------------------------
CLI_PROBE = """
import sys
from trivia_trio.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(sorted(m for m in ("trio", "qrcode", "quart", "hypercorn", "trivia_trio.web.server")
             if m in sys.modules))
"""


@pytest.mark.parametrize("args", [["--version"], ["check", "quizzes/demo.json"]])
def test_version_and_check_import_neither_trio_nor_the_server(args: list[str]) -> None:
    command = [sys.executable, "-c", CLI_PROBE, *args]
    cwd = ROOT / "src" / "trivia_trio"
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] == "[]", result.stdout + result.stderr


def version(pyz: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-I", "-S", pyz.name, "--version"]
    return subprocess.run(
        command, cwd=pyz.parent, env=home(folder), capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_version_needs_nothing_outside_the_archive(pyz: Path, tmp_path: Path) -> None:
    result = version(pyz, tmp_path)
    assert result.returncode == 0, result.stderr
    assert trivia_trio.__version__ in result.stdout


@pytest.mark.slow
def test_a_second_start_reuses_the_extracted_copy_without_rewriting_it(
    pyz: Path, tmp_path: Path
) -> None:
    assert version(pyz, tmp_path).returncode == 0
    (folder,) = cache_of(tmp_path).iterdir()
    compiled = f"cli.{sys.implementation.cache_tag}.pyc"
    assert (folder / "trivia_trio" / "__pycache__" / compiled).is_file()
    files = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}

    again = version(pyz, tmp_path)
    assert again.returncode == 0, again.stderr
    assert trivia_trio.__version__ in again.stdout
    assert list(cache_of(tmp_path).iterdir()) == [folder]
    assert {
        p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    } == files


@pytest.mark.slow
@pytest.mark.parametrize("version", TOO_OLD)
def test_an_old_python_gets_one_line_naming_the_python_it_needs(version: str, pyz: Path) -> None:
    python = find_python(version)
    result = subprocess.run([python, pyz.name], cwd=pyz.parent, capture_output=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == b""
    line = result.stderr.decode()
    assert re.fullmatch(
        rf"trivia-trio needs Python 3\.11 or newer; this is Python {re.escape(version)}\.\d+\. "
        r"Install a newer Python from python\.org\.\n",
        line,
    ), line


@asynccontextmanager
async def serving(
    python: Path, pyz: Path, output: bytearray, env: dict[str, str]
) -> AsyncIterator[trio.Process]:
    """Start the archive, wait for its banner, yield the process; kill it if still running."""
    data = Path(env["HOME"]) / "data"  # --data-dir: the cache goes there too
    command = [
        python, "-I", "-S", pyz.name, "--no-browser", "--host", "127.0.0.1", "--port", "0",
        "--data-dir", data, "--instructor-key", "testkey",
    ]  # fmt: skip
    run = partial(
        trio.run_process,
        command,
        cwd=pyz.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    async with trio.open_nursery() as nursery:
        process: trio.Process = await nursery.start(run)
        assert process.stdout is not None
        with trio.move_on_after(30):  # the caller's assertion then shows the output
            async for chunk in process.stdout:
                output.extend(chunk)
                if INSTRUCTOR_LINK.search(output):
                    break
        nursery.start_soon(drain, process.stdout, output)
        yield process
        nursery.cancel_scope.cancel()


async def drain(stream: trio.abc.ReceiveStream, output: bytearray) -> None:
    async for chunk in stream:
        output.extend(chunk)


async def serve_a_class(python: Path, pyz: Path, env: dict[str, str]) -> None:
    """Start, check a page, the health endpoint, a websocket and a spreadsheet download,
    then stop with Ctrl+C."""
    output = bytearray()
    async with serving(python, pyz, output, env) as process:
        found = INSTRUCTOR_LINK.search(output)
        assert found, output.decode()
        base = f"127.0.0.1:{int(found[1])}"

        with trio.fail_after(10):
            health = await request("GET", f"http://{base}/healthz")
            assert health.status == 200
            assert set(health.json()) == {"status", "sessions_active", "ws_clients"}

            page = await request("GET", f"http://{base}/")
            assert page.status == 200
            assert (page.header("content-type") or "").startswith("text/html")
            # The same page, bundles and hashed names as the source tree's.
            student = Assets(ROOT / "static").page("student.html")
            assert student is not None and page.body == student.body
            (script,) = re.findall(r'<script src="([^"]+)"></script>', page.text)
            bundle = await request("GET", f"http://{base}{script}")
            assert bundle.status == 200 and b"const STATIC_URLS" in bundle.body
            # As light on the wire as from the source tree: gzipped, and kept for good.
            packed = await request("GET", f"http://{base}{script}",
                                   headers={"Accept-Encoding": "gzip"})
            assert packed.header("content-encoding") == "gzip"
            assert "immutable" in (packed.header("cache-control") or "")
            assert gzip.decompress(packed.body) == bundle.body
            assert len(packed.body) * 3 < len(bundle.body)

            # The instructor can hand this very file to a colleague, with its fingerprint.
            login = await request("GET", f"http://{base}/instructor?key=testkey")
            teacher = {"Cookie": login.cookie_pair("tt_instructor_") or ""}
            offered = await request("GET", f"http://{base}/trivia_trio.pyz", headers=teacher)
            assert offered.status == 200 and offered.body == await trio.Path(pyz).read_bytes()
            described = await request("GET", f"http://{base}/api/instructor/program",
                                      headers=teacher)
            assert described.json() == {"file": "trivia_trio.pyz", "bytes": len(offered.body),
                                        "sha256": hashlib.sha256(offered.body).hexdigest()}

            # openpyxl comes from the archive too, the first time a spreadsheet is written.
            sheet = await request("GET", f"http://{base}/api/instructor/gradebook.xlsx",
                                  headers=teacher)
            assert sheet.status == 200, sheet.text
            assert openpyxl.load_workbook(io.BytesIO(sheet.body)).sheetnames == ["Gradebook"]

            async with open_websocket_url(f"ws://{base}/ws/projector") as ws:
                await ws.send_message(json.dumps({"type": "ping"}))
                kinds = [json.loads(await ws.get_message())["type"]]
                while not {"pong", "projector_state"} <= set(kinds):
                    kinds.append(json.loads(await ws.get_message())["type"])
            assert kinds[0] == "state", kinds

        process.send_signal(signal.SIGINT)
        with trio.fail_after(10):
            code = await process.wait()
        assert code == 0, output.decode()
    assert log_problems([], output.decode().splitlines(), []) == []


def compiled_in_cache(folder: Path, version: str) -> list[str]:
    """The modules of ours and Quart's that the cache in *folder*'s data folder holds
    bytecode for."""
    (build,) = (folder / "data" / "cache").iterdir()
    tag = f"cpython-{version.replace('.', '')}"
    wanted = [build / "trivia_trio" / "web" / f"server.{tag}.pyc",
              build / "quart" / f"app.{tag}.pyc"]
    return [p.stem for p in wanted if (p.parent / "__pycache__" / p.name).is_file()]


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("version", SUPPORTED)
async def test_archive_serves_a_class_from_its_compiled_copy_on(
    version: str, pyz: Path, tmp_path: Path
) -> None:
    python = find_python(version)
    await serve_a_class(python, pyz, home(tmp_path))
    assert not (tmp_path / "local").exists()  # --data-dir keeps everything in that folder
    assert compiled_in_cache(tmp_path, version) == [
        f"server.cpython-{version.replace('.', '')}",
        f"app.cpython-{version.replace('.', '')}",
    ]


@pytest.mark.slow
async def test_archive_serves_from_the_zip_when_its_cache_cannot_be_written(
    pyz: Path, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "cache").write_text("")  # a file where the cache should be
    await serve_a_class(Path(sys.executable), pyz, home(tmp_path))
    assert entries(tmp_path) == ["data"]
