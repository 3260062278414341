"""What a student's phone asks over HTTP: to join, who it is, what it reports, the
statistics of a question; and the projector's state for a screen without a socket."""

from __future__ import annotations

from typing import Any

from quart import Response, jsonify, request
from quart_trio import QuartTrio

from ..core import views
from ..core.paced import NO_ACCOMMODATION
from ..core.plain_text import clean_label
from ..core.record import DuplicateStudentId, Rejected
from ..room.room import TELEMETRY_KINDS
from ..room.throttle import SlidingWindow
from ..store.database import StorageError
from . import joining
from .auth import COOKIE_MAX_AGE
from .doors import Doors
from .responses import error, json_object


def register(app: QuartTrio, doors: Doors) -> None:
    room, keyring, limits = doors.room, doors.keyring, doors.settings.limits
    student, is_instructor, not_joined = doors.student, doors.is_instructor, doors.not_joined
    joins = SlidingWindow(limits.joins_per_address_per_minute, 60)
    telemetry_events = SlidingWindow(limits.events_per_student_per_minute, 60)

    @app.post("/api/join")
    async def join() -> Any:
        if (flood := joining.too_many(joins)) is not None:
            return flood
        body = await json_object()
        if body is None:
            return error(400, "bad_join", "send JSON with student_id and name")
        try:
            student_id = clean_label(body.get("student_id"), "student id", limits.name_max_chars)
            used = await room.class_list.of_run(room.run_id)
            listed, not_listed = joining.on_the_list(used, student_id)
            if not_listed is not None:
                return not_listed
            # A student on the class list joins under the list's name.
            name = listed.name if listed else clean_label(body.get("name"), "name",
                                                          limits.name_max_chars)
        except ValueError as exc:
            return error(400, "bad_join", str(exc))
        current = student(request)
        if current is not None and current.student_id == student_id:
            participant = room.game.participants[student_id]
            return {"sid": room.session_id, "student_id": student_id, "name": participant.name}
        try:
            participant = await room.join(
                student_id, name,
                accommodation=listed.accommodation if listed else NO_ACCOMMODATION)
        except DuplicateStudentId:
            return error(409, "duplicate_student_id",
                          "that student id is already taken: ask your instructor")
        except StorageError:
            return error(503, "storage", "could not save your join; try again")
        except Rejected as rejected:
            return joining.refused(rejected)
        response = jsonify({"sid": room.session_id, "student_id": student_id,
                            "name": participant.name})
        response.set_cookie(
            keyring.student_cookie_name,
            keyring.student_cookie(student_id, participant.cookie_id, room.run_id),
            max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax")
        return response

    @app.get("/api/me")
    async def me() -> Any:
        identity = student(request)
        if identity is None:
            return not_joined()
        return room.me(identity.student_id)

    @app.post("/api/events")
    async def telemetry() -> Any:
        identity = student(request)
        if identity is None:
            return not_joined()
        if not telemetry_events.allow(identity.student_id):
            return error(429, "rate_limited", "too many events")
        body = await json_object() or {}
        kind = body.get("kind")
        if kind not in TELEMETRY_KINDS:
            return error(400, "bad_event", f"kind must be one of {', '.join(TELEMETRY_KINDS)}")
        idx = body.get("question_idx")
        if not isinstance(idx, int) or isinstance(idx, bool):
            idx = None
        try:
            await room.record_event(identity.student_id, kind, idx)
        except StorageError:
            return error(503, "storage", "not saved")
        # An empty bytes body: with none at all, Quart iterates an empty list through
        # asyncio, which fails under trio with a traceback and a dropped connection.
        return Response(b"", status=204)

    @app.get("/api/stats")
    async def stats() -> Any:
        identity, instructor = student(request), is_instructor(request)
        if identity is None and not instructor:
            return not_joined()
        raw = request.args.get("question_idx")
        if raw is None or raw == "":
            idx = room.game.current_idx
        elif raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) in room.game.openings:
            idx = int(raw)
        else:
            return error(400, "bad_question", "no such question has been asked")
        return views.stats_payload(room.game, idx, identity.student_id if identity else None,
                                   instructor=instructor)

    @app.get("/api/projector")
    async def projector_state() -> Any:
        return room.projector_state()
