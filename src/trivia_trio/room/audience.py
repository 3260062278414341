"""Who is connected: every student's sockets, the dashboards and the big screens, and
the fan-out to each group.

A student may have a few sockets at once (a reload, a second tab): the oldest
beyond ``sockets_per_student`` is closed. Messages are encoded once by the caller
and the same text goes into every socket's bounded outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..core import views
from .clients import Client, Role

CLOSE_RESET = 4002
CLOSE_REPLACED = 4000


@dataclass
class Live:
    """One student's open sockets, and when the room last heard from them."""
    sockets: list[Client] = field(default_factory=list)
    last_seen_ms: int = 0


class Audience:
    def __init__(self, sockets_per_student: int, clock: Callable[[], int]) -> None:
        self.sockets_per_student = sockets_per_student
        self.clock = clock
        self.students: dict[str, Live] = {}
        self.instructors: set[Client] = set()
        self.projectors: set[Client] = set()  # every projector page: each is sent the view
        # The room's own among them (Client.big_screen): while one is open the question
        # is on a big screen, and buttons-only phones show only buttons (core/phones.py).
        self.big_screens: set[Client] = set()

    def add(self, client: Client) -> None:
        if client.role is Role.STUDENT:
            assert client.student_id is not None
            live = self.students.setdefault(client.student_id, Live())
            # Sockets already closing still count until their handler ends: skip them,
            # or a burst of opens would evict the same socket again and keep them all.
            open_ = [other for other in live.sockets if not other.closing]
            for oldest in open_[:max(0, len(open_) + 1 - self.sockets_per_student)]:
                oldest.close(CLOSE_REPLACED, "opened elsewhere")
            live.sockets.append(client)
            live.last_seen_ms = self.clock()
        elif client.role is Role.INSTRUCTOR:
            self.instructors.add(client)
        else:
            self.projectors.add(client)
            if client.big_screen:
                self.big_screens.add(client)

    def remove(self, client: Client) -> bool:
        """Forget ``client``; True if it was a student's socket (their row changed)."""
        if client.role is not Role.STUDENT:
            self.instructors.discard(client)
            self.projectors.discard(client)
            self.big_screens.discard(client)
            return False
        live = self.students.get(client.student_id or "")
        if live is None or client not in live.sockets:
            return False
        live.sockets.remove(client)
        live.last_seen_ms = self.clock()
        return True

    def seen(self, student_id: str | None) -> None:
        live = self.students.get(student_id or "")
        if live is not None:
            live.last_seen_ms = self.clock()

    def connected_students(self) -> Iterator[tuple[str, Live]]:
        return ((s, live) for s, live in self.students.items() if live.sockets)

    def to_students(self, text_for: Callable[[str], str], joined: Container[str]) -> None:
        """``text_for(student_id)`` to every socket of every connected student who has
        ``joined`` (a socket of someone cleared or of another run hears nothing)."""
        for student_id, live in self.connected_students():
            if student_id in joined:
                text = text_for(student_id)
                for client in live.sockets:
                    client.send(text)

    def to_instructors(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else views.encode(message)
        for client in self.instructors:
            client.send(text)

    def to_projectors(self, text: str) -> None:
        for client in self.projectors:
            client.send(text)

    def kick(self, which: Callable[[str], bool], goodbye: str) -> None:
        """Send ``goodbye`` to these students' sockets and close them."""
        for student_id in [s for s in self.students if which(s)]:
            for client in self.students.pop(student_id).sockets:
                client.send(goodbye)
                client.close(CLOSE_RESET, "session reset")
