"""One open socket as the room sees it: a role, an identity and a bounded outbox.

Events (a question opening, an ack) queue in order. Views (presence, the
leaderboard, the projector's picture) are snapshots: a newer one replaces a
queued older one of the same kind, so a busy dashboard gets the latest
picture instead of a backlog, and its outbox never fills with stale ones.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import trio

from . import views
from .config import Limits
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


class Client:
    """``send`` never blocks: a client whose outbox is full is too far behind to
    help and is dropped; it reconnects and gets a fresh snapshot."""

    def __init__(self, role: Role, student_id: str | None, limits: Limits) -> None:
        self.role = role
        self.student_id = student_id
        self._outbox, self._queued = trio.open_memory_channel[str | Close | _ViewSlot](
            limits.outbox_messages)
        self._latest_views: dict[str, str] = {}
        self.cancel_scope = trio.CancelScope()
        self.bucket = TokenBucket(limits.messages_per_second, limits.message_burst)
        self.rate_strikes = 0
        self.closing = False

    def send(self, text: str) -> None:
        self._put(text)

    def send_message(self, message: dict[str, Any]) -> None:
        self._put(views.encode(message))

    def send_view(self, kind: str, text: str) -> None:
        """Queue a snapshot of ``kind``, replacing one still waiting to go out."""
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

    def _put(self, item: str | Close | _ViewSlot) -> None:
        if self.closing:
            return
        try:
            self._outbox.send_nowait(item)
        except trio.WouldBlock:
            log.info("dropping a %s socket that stopped reading", self.role)
            self.drop()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self.closing = True

    async def outgoing(self) -> AsyncIterator[str | Close]:
        """What to send, in order: each text, then a Close if one was queued."""
        async for item in self._queued:
            yield self._resolve(item)

    def receive_nowait(self) -> str | Close:
        """The next thing to send if one is queued; raises trio.WouldBlock otherwise."""
        return self._resolve(self._queued.receive_nowait())

    def _resolve(self, item: str | Close | _ViewSlot) -> str | Close:
        return self._latest_views.pop(item.kind) if isinstance(item, _ViewSlot) else item
