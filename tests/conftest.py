"""Shared test harness: a real server on an ephemeral port, real sockets, a real sqlite file.

Rules for every test here: loopback only, port 0, a ``fail_after`` budget
around anything that waits, and no sleeps standing in for an event.
"""

from __future__ import annotations

import compileall
import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import trio
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe as AxeLibrary
from hypothesis import settings as hypothesis_settings
from trio_websocket import WebSocketConnection, open_websocket_url

import trivia_trio
from trivia_trio.config import Settings
from trivia_trio.tools.http_client import Response, request
from trivia_trio.web.server import ServerInfo, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# CI explores the same examples every run (a failure there is reproducible);
# local runs keep exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package once, before the workers start. The tests start hundreds of
    server processes; where ``PYTHONDONTWRITEBYTECODE`` is set (CI's machines set it),
    each of them compiled the whole package again: about 0.1 s of CPU a start."""
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        compileall.compile_dir(Path(trivia_trio.__file__).parent, quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first: ``slow``, then ``browser``, then the rest, each in its own
    order. xdist (``--dist loadgroup``) hands the tests out in this order (its groups
    do not hold under pytest 9.2, pytest-xdist#1386: see test_pyz's ``pyz``); so the
    run ends on short tests, instead of one worker finishing a long one while the
    other idles."""
    def length(item: pytest.Item) -> int:
        return 0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker(
            "browser") else 2

    items.sort(key=length)


INSTRUCTOR_KEY = "test-instructor-key"
THREE_QUESTIONS = {
    "title": "Three questions",
    "time_limit_default": 30,
    "score_fn": "speed",
    # Most tests answer with every student and then look at the open question; the
    # early close has tests of its own.
    "close_when_all_answered": False,
    "questions": [
        {"text": "2 + 2?", "options": ["3", "4", "5", "22"], "correct": "B",
         "explanation": "Two pairs make four."},
        {"text": "The sky is blue.", "options": ["True", "False"], "correct": "A"},
        {"text": "Largest planet?", "options": ["Mars", "Jupiter", "Venus"], "correct": "B",
         "time_limit": 20},
    ],
}


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "three.json"
    path.write_text(json.dumps(THREE_QUESTIONS))
    return path


def make_settings(data_dir: Path, quiz_path: Path | None, **overrides: Any) -> Settings:
    return Settings(host="127.0.0.1", port=0, data_dir=data_dir, quiz_path=quiz_path,
                    instructor_key=INSTRUCTOR_KEY, open_browser=False, **overrides)


@pytest.fixture
def settings(tmp_path: Path, quiz_path: Path) -> Settings:
    return make_settings(tmp_path / "data", quiz_path)


@pytest.fixture
async def server(nursery: trio.Nursery, settings: Settings) -> ServerInfo:
    """A real Hypercorn server in this test's nursery, stopped when the test ends."""
    return await nursery.start(lambda task_status: serve(settings, task_status=task_status))


# ---- clients ------------------------------------------------------------------------------
def ws_url(info: ServerInfo, path: str) -> str:
    return info.url.replace("http://", "ws://") + path


class Peer:
    """A websocket client that reads in order and can wait for a message type.

    As a dashboard it keeps the presence table and the scores the way the page
    does: whole from ``presence_update`` and ``full_leaderboard``, then changed by
    ``presence_changes`` and ``leaderboard_changes``."""

    def __init__(self, ws: WebSocketConnection) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []
        self.presence: dict[str, dict[str, Any]] = {}
        self.orphans: list[dict[str, Any]] = []
        self.scores: dict[str, dict[str, Any]] = {}
        self.joined: int | None = None
        self._question: int | None = None

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.ws.send_message(message if isinstance(message, str) else json.dumps(message))

    async def next(self) -> dict[str, Any]:
        with trio.fail_after(5):
            message = json.loads(await self.ws.get_message())
        self.seen.append(message)
        self.keep_tables(message)
        return message

    def keep_tables(self, message: dict[str, Any]) -> None:
        """Fold ``message`` into the tables, as the dashboard does."""
        kind = message["type"]
        if kind == "presence_update":
            self.presence = {row["student_id"]: row for row in message["rows"]}
        elif kind == "presence_changes":
            if message["current_question_idx"] != self._question:
                for row in self.presence.values():
                    row["answered_current"] = False
            merge(self.presence, message["rows"], message["removed"])
        elif kind == "full_leaderboard":
            self.scores = {row["student_id"]: {k: row[k] for k in ("student_id", "name", "score")}
                           for row in message["leaderboard"]}
        elif kind == "leaderboard_changes":
            merge(self.scores, message["rows"], message["removed"])
        elif kind in ("lobby_update", "lobby_count"):
            self.joined = message["count"]
        if kind in ("presence_update", "presence_changes"):
            self._question = message["current_question_idx"]
            self.orphans = message["orphan_duplicate_joins"]

    def leaderboard(self) -> list[dict[str, Any]]:
        """The scores ranked as the dashboard ranks them: score, then name, then id;
        equal scores share a rank (1, 2, 2, 4)."""
        ordered = sorted(self.scores.values(),
                         key=lambda row: (-row["score"], row["name"], row["student_id"]))
        ranked: list[dict[str, Any]] = []
        for place, row in enumerate(ordered, start=1):
            tied = ranked and ranked[-1]["score"] == row["score"]
            ranked.append(row | {"rank": ranked[-1]["rank"] if tied else place})
        return ranked

    async def until_tables(self, check: Callable[[Peer], bool]) -> None:
        """Read until the dashboard's tables pass ``check``."""
        while not check(self):
            await self.next()

    async def until(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Read until a message of ``kind`` (with these field values) arrives."""
        while True:
            message = await self.next()
            if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
                return message

    async def request(self, message: dict[str, Any], reply: str) -> dict[str, Any]:
        await self.send(message)
        return await self.until(reply)


def merge(table: dict[str, dict[str, Any]], rows: list[dict[str, Any]],
          removed: list[str]) -> None:
    for row in rows:
        table.setdefault(row["student_id"], {}).update(row)
    for student_id in removed:
        table.pop(student_id, None)


@asynccontextmanager
async def connect(info: ServerInfo, path: str, cookie: str | None = None,
                  headers: list[tuple[str, str]] | None = None) -> AsyncIterator[Peer]:
    extra = list(headers or [])
    if cookie:
        extra.append(("Cookie", cookie))
    async with open_websocket_url(ws_url(info, path), extra_headers=extra) as ws:
        yield Peer(ws)


async def join(info: ServerInfo, student_id: str, name: str) -> str:
    """Join over HTTP; returns the cookie header value for later requests."""
    response = await request("POST", info.url + "/api/join",
                             json={"student_id": student_id, "name": name})
    assert response.status == 200, response.text
    pair = response.cookie_pair("tt_student_")
    assert pair is not None, response.headers
    return pair


async def instructor_cookie(info: ServerInfo) -> str:
    response = await request("GET", f"{info.url}/instructor?key={info.instructor_key}")
    assert response.status == 303
    pair = response.cookie_pair("tt_instructor_")
    assert pair is not None, response.headers
    return pair


async def get(info: ServerInfo, path: str, cookie: str | None = None) -> Response:
    return await request("GET", info.url + path, headers={"Cookie": cookie} if cookie else None)


async def post(info: ServerInfo, path: str, body: Any, cookie: str | None = None) -> Response:
    return await request("POST", info.url + path, json=body,
                         headers={"Cookie": cookie} if cookie else None)


# ---- a server in its own process (restarts, kills, browsers) ---------------------------------
@dataclass
class ServerProcess:
    """``python -m trivia_trio`` as an instructor would run it, on a port the OS picked.

    Everything it prints is kept in ``output`` (a thread reads it, so a chatty
    server never blocks on a full pipe), and checked when the test ends.
    """

    data_dir: Path
    quiz: Path | None
    port: int = 0
    process: subprocess.Popen[str] | None = None
    extra_args: list[str] = field(default_factory=list)
    # What python runs: the package, or a script that starts it some other way.
    program: list[str] = field(default_factory=lambda: ["-m", "trivia_trio"])
    open_files: tuple[int, int] | None = None  # the (soft, hard) open-files limit it starts with
    output: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def __post_init__(self) -> None:
        _STARTED.append(self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def instructor_key(self) -> str:
        return INSTRUCTOR_KEY

    def start(self) -> None:
        """Start and wait for the banner; reuses the previous port after a restart."""
        args = [sys.executable, *self.program, "--no-browser", "--host", "127.0.0.1",
                "--port", str(self.port), "--data-dir", str(self.data_dir),
                "--instructor-key", INSTRUCTOR_KEY, *self.extra_args]
        if self.quiz:
            args.append(str(self.quiz))
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            preexec_fn=self._limit_open_files if self.open_files else None)
        started = len(self.output)
        banner = threading.Event()
        self._reader = threading.Thread(target=self._read, args=(self.process, banner),
                                        daemon=True)
        self._reader.start()
        banner.wait(timeout=30)
        for line in self.output[started:]:
            found = re.search(r"http://(?:127\.0\.0\.1|\[::1\]):(\d+)/instructor\?key=", line)
            if found:
                self.port = int(found.group(1))
                return
        raise RuntimeError("server did not start:\n" + "".join(self.output[started:]))

    def _limit_open_files(self) -> None:
        if self.open_files is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_NOFILE, self.open_files)

    def _read(self, process: subprocess.Popen[str], banner: threading.Event) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.output.append(line)
            if "/instructor?key=" in line:
                banner.set()
        process.stdout.close()
        banner.set()  # it ended without a banner: start() reports what it printed

    def stop(self, sig: int | None = None) -> int:
        assert self.process is not None and self._reader is not None
        if sig is None:
            self.process.terminate()
        else:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        return code

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def server_process(tmp_path: Path, quiz_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "data", quiz_path)
    proc.start()
    yield proc
    if proc.process and proc.process.poll() is None:
        proc.stop()


# ---- one chromium per test process -----------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
# What axe_playwright_python asks axe-core for by default: the violations only.
AXE_OPTIONS = {"resultTypes": ["violations"]}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, started once per test process (once per xdist worker) by the first
    test that asks for it. Tests share nothing else: each opens its own contexts (cookies,
    storage, viewport) and closes them."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Axe:
    """axe-core on a page, put into each document once.

    ``axe_playwright_python``'s ``Axe.run`` sends its 570 KB script before every run;
    a stage audits every page, so the same document got it again at each stage. Here
    a document that has axe already (``window.axe``) is only asked to run it; a page
    that navigated is a new document and gets it again. The rules and options are the
    library's own."""

    def __init__(self) -> None:
        self._library = AxeLibrary()

    def run(self, page: Page, context: str | list[str] | dict[str, Any] | None = None
            ) -> AxeResults:
        if not page.evaluate("typeof window.axe === 'object' && 'run' in window.axe"):
            page.evaluate(self._library.axe_script)
        arguments = self._library._format_script_args(context=context, options=AXE_OPTIONS)
        return AxeResults(page.evaluate(f"axe.run({arguments})"))


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """``screenshots/`` under pytest's temporary folder; one folder for every xdist worker
    (their temporary folders are ``popen-gwN`` inside the run's)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / "screenshots"
    folder.mkdir(exist_ok=True)
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(f"\nbrowser screenshots: {folder}")
    return folder


# ---- every server's log: no traceback, no ERROR line -----------------------------------------
# What the server logs, rightly, while the disk refuses writes.
DISK_REFUSED = pytest.mark.server_log_allows(
    r"trivia_trio\.store\.committer: commit of \d+ writes failed",
    r"trivia_trio\.room\.persist: storage: ")
_STARTED: list[ServerProcess] = []  # server processes started by the running test


class _Records(logging.Handler):
    """Keeps what in-process servers (and their libraries) log at WARNING or above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def log_problems(records: Iterable[logging.LogRecord], lines: Iterable[str],
                 allowed: list[re.Pattern[str]]) -> list[str]:
    """Tracebacks, and ERROR lines no ``allowed`` pattern expects, from logs and output."""
    problems = []
    for record in records:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info or record.stack_info:
            problems.append(f"{text} (with a traceback)")
        elif record.levelno >= logging.ERROR and not any(p.search(text) for p in allowed):
            problems.append(text)
    for line in lines:
        traceback = "Traceback (most recent call last)" in line
        error = re.match(r"(ERROR|CRITICAL)\b", line) and not any(p.search(line) for p in allowed)
        if traceback or error:
            problems.append(line.rstrip())
    return problems


@pytest.fixture(autouse=True)
def server_log_is_clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test whose servers logged a traceback or an ERROR line.

    In-process servers log through ``logging``; server processes print to
    their output. A test that provokes an error on purpose names the lines it
    expects: ``@pytest.mark.server_log_allows(r"storage: ")`` (a traceback is
    never expected).
    """
    allowed = [re.compile(pattern) for marker in request.node.iter_markers("server_log_allows")
               for pattern in marker.args]
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    _STARTED.clear()
    try:
        yield
    finally:
        root.removeHandler(handler)
    for proc in _STARTED:
        if proc.process is not None and proc.process.poll() is None:
            proc.stop()
    lines = [line for proc in _STARTED for line in proc.output]
    _STARTED.clear()
    problems = log_problems(handler.records, lines, allowed)
    assert not problems, "the server logged:\n" + "\n".join(problems)
