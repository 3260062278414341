"""Settings: everything the server is told at start, frozen."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SESSION_ID = "class"


def default_data_dir() -> Path:
    """The per-user data folder each OS expects (no third-party helper needed)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "trivia-trio"


@dataclass(frozen=True)
class Limits:
    """Bounds on what any one client can cost the server."""

    name_max_chars: int = 64
    ws_max_message_bytes: int = 16 * 1024
    quiz_max_bytes: int = 2 * 1024 * 1024
    bundle_max_bytes: int = 53 * 1024 * 1024  # an uploaded quiz bundle: 50 MB of pictures
    outbox_messages: int = 64
    sockets_per_student: int = 4
    max_connections: int = 10_000
    messages_per_second: float = 20.0
    message_burst: int = 40
    joins_per_address_per_minute: int = 60
    events_per_student_per_minute: int = 30  # blur / tab-hidden telemetry
    view_updates_per_second: float = 8.0  # live histogram, projector, lobby count
    table_updates_per_second: float = 2.0  # presence, lobby list, full leaderboard
    # A live client answers pings, so it is never silent for read_timeout_s; a phone
    # that vanished without closing is, and its socket is then closed.
    # A socket is pinged only after ws_ping_interval_s without a word from its client:
    # pages send their own keep-alive every 20 s, and a phone answering is heard from
    # anyway, so the pings only keep other clients honest.
    ws_ping_interval_s: float = 25.0
    read_timeout_s: float = 35.0
    # At stop, a request in flight has this long to finish, and websockets are then cut;
    # a connection with no request in flight is closed at once.
    stop_grace_s: float = 1.5


@dataclass(frozen=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 8000
    data_dir: Path = Path(".")
    quiz_path: Path | None = None
    instructor_key: str | None = None
    session_id: str = DEFAULT_SESSION_ID
    remote_control: bool = False
    open_browser: bool = True
    port_fallback: bool = True
    limits: Limits = Limits()
    # The trivia_trio.pyz this server was started from, offered for download; None from source.
    program_file: Path | None = None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "trivia_trio.sqlite3"
