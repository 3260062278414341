"""Who may join: the same rules for a join (``/api/join``) and for the phone's check of
its id before it (``/api/join/check``), so the two can never disagree."""

from __future__ import annotations

from quart import Response, request

from ..core.record import Rejected
from ..core.roster import Student
from ..room.throttle import SlidingWindow
from ..store.roster import RunClass
from .auth import is_loopback
from .responses import error


def too_many(window: SlidingWindow) -> Response | None:
    """429 when this device has asked too often this minute, else None. The instructor's
    own machine (a rehearsal with `loadtest`) is never throttled. Called before the body
    is read: a flood must not cost a parse per request."""
    address = request.remote_addr or ""
    if is_loopback(address) or window.allow(address):
        return None
    return error(429, "rate_limited", "too many joins from this device; wait a minute")


def on_the_list(used: RunClass | None, student_id: str) -> tuple[Student | None, Response | None]:
    """The class list's student with this id (None when the run has no list, or lets
    guests in), or the 403 a run that uses a list answers to an id not on it."""
    listed = used.students.get(student_id) if used else None
    if used is not None and listed is None and not used.guests:
        return None, error(403, "not_on_roster", "this student id is not on the class list: "
                           "check it, or ask your teacher")
    return listed, None


def refused(rejected: Rejected) -> Response:
    """A join the rules refuse (ended, locked, or reset while joining), as its status."""
    status = {"quiz_finished": 409, "joining_locked": 403}.get(rejected.code, 503)
    return error(status, rejected.code, rejected.message)
