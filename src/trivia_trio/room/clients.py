"""One open socket as the room sees it: a role, an identity and a bounded outbox.

On a server's own connections (``connection.Connection``) a message is
written straight to the socket by the task that has it; only what the socket
cannot take at once waits, and the socket's sender task sends it. Elsewhere
(a test client) messages queue for the sender task. Events (a question
opening, an ack) go in order. Views (presence, the projector's picture) are
snapshots: a newer one replaces a queued older one of the same kind, so a busy
dashboard gets the latest picture instead of a backlog.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import trio

from ..config import Limits
from ..core import views
from .connection import Connection, text_frame
from .throttle import TokenBucket

log = logging.getLogger(__name__)


class Role(StrEnum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"
    PROJECTOR = "projector"


@dataclass(frozen=True)
class Close:
    """Close the socket with this code, after what was queued before it."""

    code: int
    reason: str = ""


@dataclass(frozen=True)
class _ViewSlot:
    kind: str


class _Flush:
    """Frames wait on the connection: send them."""


FLUSH = _Flush()


class Client:
    """``send`` never blocks: a client whose outbox is full is too far behind to
    help and is dropped; it reconnects and gets a fresh snapshot."""

    def __init__(self, role: Role, student_id: str | None, limits: Limits,
                 connection: Connection | None = None, *, big_screen: bool = False,
                 accepts: frozenset[str] = frozenset()) -> None:
        self.role = role
        # A projector that is the room's big screen, not a copy of the public page.
        self.big_screen = big_screen
        self.student_id = student_id
        # The newer forms of messages this client takes, as its socket's ``accept`` named
        # them (docs/PROTOCOL.md): the others get the older ones, unchanged.
        self.accepts = accepts
        self.connection = connection
        self._most_waiting = limits.outbox_messages
        self._flush_asked = False
        self._outbox, self._queued = trio.open_memory_channel[str | Close | _ViewSlot | _Flush](
            limits.outbox_messages)
        self._latest_views: dict[str, str] = {}
        self.cancel_scope = trio.CancelScope()
        self.bucket = TokenBucket(limits.messages_per_second, limits.message_burst)
        self.rate_strikes = 0
        self.closing = False

    def send(self, text: str) -> None:
        self.send_all((text,))

    def send_all(self, texts: Sequence[str]) -> None:
        """``texts`` in order; on a server's own connection in one write to the socket
        (a student-paced answer's ack and close are one system call, not two)."""
        if self.connection is None:
            for text in texts:
                self._put(text)
        elif not self.closing:
            waiting = self.connection.write(b"".join(text_frame(text) for text in texts))
            if waiting > self._most_waiting:
                log.info("dropping a %s socket that stopped reading", self.role)
                self.drop()
            elif waiting and not self._flush_asked:
                self._flush_asked = True
                self._put(FLUSH)

    def send_message(self, message: dict[str, Any]) -> None:
        self.send(views.encode(message))

    def send_view(self, kind: str, text: str) -> None:
        """Queue a snapshot of ``kind``, replacing one still waiting to go out."""
        if self.connection is not None:
            self.send(text)
            return
        waiting = kind in self._latest_views
        self._latest_views[kind] = text
        if not waiting:
            self._put(_ViewSlot(kind))

    def close(self, code: int, reason: str = "") -> None:
        """Close after whatever is already queued has been sent."""
        self._put(Close(code, reason))
        self.closing = True

    def drop(self) -> None:
        self.closing = True
        self.cancel_scope.cancel()

    def _put(self, item: str | Close | _ViewSlot | _Flush) -> None:
        if self.closing:
            return
        try:
            self._outbox.send_nowait(item)
        except trio.WouldBlock:
            log.info("dropping a %s socket that stopped reading", self.role)
            self.drop()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self.closing = True

    async def outgoing(self) -> AsyncIterator[str | Close | _Flush]:
        """What to send, in order: each text (or FLUSH: the frames waiting on the
        connection), then a Close if one was queued."""
        async for item in self._queued:
            yield self._resolve(item)

    def receive_nowait(self) -> str | Close | _Flush:
        """The next thing to send if one is queued; raises trio.WouldBlock otherwise."""
        return self._resolve(self._queued.receive_nowait())

    def _resolve(self, item: str | Close | _ViewSlot | _Flush) -> str | Close | _Flush:
        if item is FLUSH:
            self._flush_asked = False  # frames written from now on need another flush
        return self._latest_views.pop(item.kind) if isinstance(item, _ViewSlot) else item
