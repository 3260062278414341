"""Serve one quiz room: the store contains the room, which contains the web server."""

from __future__ import annotations

import errno
import logging
import secrets
import socket
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import hypercorn.trio
import trio
from hypercorn.config import Config

from .. import openfiles
from ..config import Settings
from ..core.quiz import Quiz
from ..room import connection
from ..room.room import Room, open_room, wall_clock_ms
from ..store import database as db
from ..store import folder_lock, library
from ..store.committer import Store, open_store
from ..store.database import NewerDataFile, NotADataFile, StorageError
from ..store.folder_lock import FolderInUse, FolderLock
from ..store.media import MediaStore
from ..store.quiz_files import load_quiz
from .app import create_app
from .auth import Keyring

log = logging.getLogger(__name__)
PORT_ATTEMPTS = 20


@dataclass(frozen=True)
class ServerInfo:
    """What a running server tells whoever started it."""

    url: str  # loopback, for this machine
    port: int
    join_urls: tuple[str, ...]  # one per LAN address students may reach
    instructor_key: str
    data_dir: Path
    port_moved_from: int | None
    storage: str  # the durability settings sqlite reports, e.g. "WAL, synchronous=FULL"
    open_files: int | None  # the open-files limit in force (None: no such limit, Windows)
    room: Room
    media: MediaStore | None = None  # the pictures this server serves

    @property
    def instructor_url(self) -> str:
        return f"{self.url}/instructor?key={self.instructor_key}"

    @property
    def projector_url(self) -> str:
        """The room's projector link, its pairing key included (web/doors.is_room_projector)."""
        return f"{self.url}{self.room.projector_url}"


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that others on the network may reach, best first.

    Found without sending a packet: connecting a UDP socket only asks the
    routing table which interface it would use.
    """
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            found.append(probe.getsockname()[0])
        except OSError:
            pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        found.extend(str(info[4][0]) for info in infos)
    except OSError:
        pass
    usable = [a for a in dict.fromkeys(found) if not a.startswith(("127.", "0.", "169.254."))]
    return usable


def allowed_host_names(settings: Settings, lan: list[str]) -> frozenset[str]:
    hostname = socket.gethostname().lower()
    names = {"localhost", "127.0.0.1", "::1", hostname, f"{hostname}.local", *lan}
    if settings.host not in ("0.0.0.0", "::"):
        names.add(settings.host.lower())
    return frozenset(names)


class StartupError(Exception):
    """The server cannot start; the message says why and what to do, in one line."""


def url_host(host: str) -> str:
    """``host`` as it goes in a URL: IPv6 literals in brackets."""
    return f"[{host}]" if ":" in host else host


def _address_family(host: str) -> socket.AddressFamily:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        raise StartupError(f"{host!r} is not an address of this computer: leave out --host "
                           "to listen on every network") from None
    return infos[0][0]


def listen_port(host: str, wanted: int, *, fallback: bool) -> int:
    """A port we can listen on at ``host``: ``wanted`` (0 lets the OS pick), or with
    ``fallback`` the next free one after it. Raises StartupError saying what to do."""
    if not 0 <= wanted <= 65535:
        raise StartupError(f"port {wanted} does not exist: use one from 1024 to 65535, or "
                           "leave out --port")
    family = _address_family(host)
    attempts = range(wanted, min(wanted + PORT_ATTEMPTS, 65536)) if fallback and wanted \
        else range(wanted, wanted + 1)
    last: OSError | None = None
    for port in attempts:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno not in _TAKEN:
                    raise StartupError(f"cannot listen on {host} port {port} ({exc.strerror}): "
                                       "leave out --host to listen on every network") from None
                last = exc
                continue
            return port
    assert last is not None
    ports = f"port {wanted}" if len(attempts) == 1 else f"ports {wanted}-{attempts[-1]}"
    reason = "already in use" if last.errno in _IN_USE else "not allowed"
    raise StartupError(f"{ports} on {host}: {reason}; choose another with --port")


_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)}
# Windows refuses ports in its excluded ranges with "access denied": taken, as far as we care.
_TAKEN = _IN_USE | {errno.EACCES, getattr(errno, "WSAEACCES", -1)}


def hypercorn_config(settings: Settings, port: int) -> Config:
    config = Config()
    config.bind = [f"{url_host(settings.host)}:{port}"]
    config.backlog = 1024
    config.websocket_max_message_size = settings.limits.ws_max_message_bytes
    config.websocket_ping_interval = settings.limits.ws_ping_interval_s
    config.read_timeout = settings.limits.read_timeout_s
    # An idle keep-alive connection lives as long as a silent socket (see room.connection.IdleTask).
    config.keep_alive_timeout = settings.limits.read_timeout_s
    config.graceful_timeout = settings.limits.stop_grace_s
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    return config


def _keys(conn: db.sqlite3.Connection, settings: Settings) -> tuple[str, str]:
    """The cookie secret and the instructor key, made once and kept in the database."""
    secret = db.get_meta(conn, "cookie_secret")
    key = db.get_meta(conn, "instructor_key")
    if secret is None or key is None:
        secret = secret or secrets.token_urlsafe(32)
        key = key or secrets.token_urlsafe(9)
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            db.set_meta(conn, "cookie_secret", secret)
            db.set_meta(conn, "instructor_key", key)
    return secret, settings.instructor_key or key


def _storage_summary(conn: db.sqlite3.Connection) -> str:
    found = db.durability_settings(conn)
    synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(found["synchronous"], "?")
    summary = f"{found['journal_mode'].upper()}, synchronous={synchronous}"
    return summary + (", fullfsync" if found["fullfsync"] else "")


async def _keep_in_library(store: Store, quiz: Quiz) -> None:
    """A quiz file named at start goes into the library (or is found there), as the
    version its first run uses."""
    now = wall_clock_ms()

    def keep(conn: db.sqlite3.Connection) -> None:
        quiz_id, _found = library.import_quiz(conn, quiz, now)
        library.note_run(conn, quiz_id, quiz, now)

    await store.write(keep)


def quiz_for(settings: Settings) -> Quiz | None:
    """The quiz file named at start, if any. Raises QuizError for a bad file."""
    return load_quiz(settings.quiz_path) if settings.quiz_path else None


async def serve(settings: Settings, *, quiz: Quiz | None = None,
                shutdown_trigger: Callable[[], Awaitable[None]] | None = None,
                task_status: trio.TaskStatus[ServerInfo] = trio.TASK_STATUS_IGNORED) -> None:
    """Run the quiz server until ``shutdown_trigger`` returns or the caller cancels.

    Reports a ServerInfo through ``task_status`` once the port is bound. Owns
    the data folder (one server each), the database (opened, then closed after
    the last write) and every socket; on shutdown, open sockets get a moment to
    close, then are cut. ``quiz`` (else the file ``settings`` names, else none)
    is offered to the session: a run that has begun keeps its own (see
    ``store.open_session``). A quiz file that does not validate raises QuizError,
    and a folder, port or address it cannot use raises StartupError, before
    anything starts.
    """
    quiz = quiz or quiz_for(settings)
    connection.install()
    session_id = (quiz.session_id if quiz else None) or settings.session_id
    port = listen_port(settings.host, settings.port, fallback=settings.port_fallback)
    open_files = openfiles.raise_soft_limit(settings.limits.max_connections + openfiles.RESERVED)
    async with _data_folder(settings) as (lock, store):
        secret, instructor_key = _keys(store.conn, settings)
        if settings.quiz_path:
            await _keep_in_library(store, quiz)
        async with open_room(store, quiz, session_id=session_id, limits=settings.limits) as room:
            lan = lan_addresses()
            media = MediaStore(settings.data_dir / "media")
            if quiz:  # the run may keep its own quiz: this one's pictures wait with it
                await trio.to_thread.run_sync(media.save, quiz.media)
            app = create_app(room, Keyring(secret, instructor_key, session_id), settings,
                             allowed_host_names(settings, lan), media=media)
            config = hypercorn_config(settings, port)
            async with trio.open_nursery() as nursery:
                bound = await nursery.start(partial(
                    hypercorn.trio.serve, app, config,
                    shutdown_trigger=shutdown_trigger or trio.sleep_forever))
                port = int(bound[0].rsplit(":", 1)[1])
                if settings.host in ("0.0.0.0", "::"):
                    hosts = lan or ["127.0.0.1"]
                else:
                    hosts = [settings.host]
                join_urls = tuple(f"http://{url_host(host)}:{port}/" for host in hosts)
                room.set_join_url(join_urls[0])
                loopback = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(settings.host, settings.host)
                url = f"http://{url_host(loopback)}:{port}"
                lock.announce(url)
                task_status.started(ServerInfo(
                    url=url, port=port, join_urls=join_urls,
                    instructor_key=instructor_key, data_dir=settings.data_dir,
                    port_moved_from=settings.port if settings.port not in (0, port) else None,
                    storage=_storage_summary(store.conn),
                    open_files=open_files[1] if open_files else None,
                    room=room, media=media))


@asynccontextmanager
async def _data_folder(settings: Settings) -> AsyncIterator[tuple[FolderLock, Store]]:
    """The data folder, held by this server alone, and its database.

    Raises StartupError when another server holds the folder or it cannot be
    written (read-only, or a path that cannot be created).
    """
    folder = settings.data_dir
    async with AsyncExitStack() as stack:
        try:
            lock = stack.enter_context(folder_lock.hold(folder))
            store = await stack.enter_async_context(open_store(settings.db_path))
        except (FolderInUse, NewerDataFile, NotADataFile) as exc:
            raise StartupError(str(exc)) from None
        except (OSError, sqlite3.Error, StorageError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise StartupError(f"cannot write to the data folder {folder} ({reason}): "
                               "choose another with --data-dir") from None
        yield lock, store
