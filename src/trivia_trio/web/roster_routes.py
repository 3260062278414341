"""Class lists on the dashboard (instructor only) and the phone's side of a run that uses
one: whether it does, and who an id on it is.

A run that uses a class lets in only the students on its list (unless the teacher
allows guests), each under the name the list gives: a phone asks for the id,
shows "Are you Ada Lovelace?", and joins with that name (``/api/join``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import PurePath
from typing import Any
from urllib.parse import unquote

import trio
from quart import request
from quart_trio import QuartTrio

from ..core import roster as class_list
from ..core.plain_text import clean_label
from ..room.throttle import SlidingWindow
from ..store import roster
from ..store.database import StorageError
from . import joining
from .doors import Doors
from .responses import error, json_object
from .uploads import filename


def register(app: QuartTrio, doors: Doors) -> None:
    """Add the class list routes. Asking who an id is, is throttled as joining is."""
    room, instructor_only, store = doors.room, doors.instructor_only, doors.room.store
    checks = SlidingWindow(doors.settings.limits.joins_per_address_per_minute, 60)
    prefix = "/api/instructor/classes"

    async def current() -> roster.RunClass | None:
        return await room.class_list.of_run(room.run_id)

    def no_class() -> Any:
        return error(404, "no_such_class", "no such class (deleted?)")

    async def change(write: Callable[[Any], Any]) -> tuple[Any, Any]:
        """(what ``write`` returned, None) once committed, or (None, the error reply) for
        a class that is gone or a disk that refused: then nothing changed. Either way
        the room reads its class list again at the next join."""
        try:
            return await store.write(write), None
        except roster.NoSuchClass:
            return None, no_class()
        except StorageError:
            return None, error(503, "storage", "could not save; try again")
        finally:
            room.class_list.forget()

    @app.get("/api/roster")
    async def roster_in_use() -> Any:
        used = await current()
        return {"roster": used is not None, "guests": bool(used and used.guests)}

    @app.post("/api/join/check")
    async def check_id() -> Any:
        if (flood := joining.too_many(checks)) is not None:
            return flood
        body = await json_object()
        try:
            student_id = clean_label((body or {}).get("student_id"), "student id",
                                     class_list.NAME_MAX_CHARS)
        except ValueError as exc:
            return error(400, "bad_join", str(exc))
        used = await current()
        student, not_listed = joining.on_the_list(used, student_id)
        if not_listed is not None:
            return not_listed
        if student_id not in room.game.participants and (
                closed := room.game.closed_to_new(open_to_new=not room.joining_locked)):
            return joining.refused(closed)
        return {"student_id": student_id, "name": student.name if student else None}

    @app.get(prefix)
    @instructor_only
    async def list_classes() -> Any:
        used = await current()
        return {"classes": await store.read(roster.listing),
                "run_class": None if used is None else
                {"class_id": used.class_id, "guests": used.guests}}

    @app.post(f"{prefix}/import")
    @instructor_only
    async def import_class() -> Any:
        raw = await request.get_data(cache=False)
        name = filename(request.headers)
        title = unquote(request.headers.get("X-Class-Name") or "") or PurePath(name).stem
        try:
            title = clean_label(title, "class name", class_list.NAME_MAX_CHARS)
            students, skipped = await trio.to_thread.run_sync(class_list.parse, raw, name)
        except (class_list.RosterError, ValueError) as exc:
            return error(400, "bad_roster", str(exc))
        if not students:
            return error(400, "bad_roster", "no student could be read", skipped=skipped)
        try:
            class_id = await store.write(partial(roster.add_class, name=title,
                                                 students=students, now=room.clock()))
        except ValueError as exc:
            return error(409, "too_many_classes", str(exc))
        except StorageError:
            return error(503, "storage", "could not save; try again")
        return {"class_id": class_id, "name": title, "students": len(students),
                "skipped": skipped}

    @app.put(f"{prefix}/<int:class_id>/students/<student_id>")
    @instructor_only
    async def put_student(class_id: int, student_id: str) -> Any:
        body = await json_object()
        try:
            student = class_list.student_from({**(body or {}), "student_id": student_id})
        except ValueError as exc:
            return error(400, "bad_student", str(exc))
        _, refused = await change(partial(roster.put_student, class_id=class_id,
                                          student=student))
        return refused or {"student": student.to_dict()}

    @app.delete(f"{prefix}/<int:class_id>/students/<student_id>")
    @instructor_only
    async def remove_student(class_id: int, student_id: str) -> Any:
        removed, refused = await change(partial(roster.remove_student, class_id=class_id,
                                                student_id=student_id))
        return refused or {"removed": removed}

    @app.delete(f"{prefix}/<int:class_id>")
    @instructor_only
    async def delete_class(class_id: int) -> Any:
        _, refused = await change(partial(roster.delete_class, class_id=class_id,
                                          now=room.clock()))
        return refused or {"class_id": class_id}

    @app.put("/api/instructor/run_class")
    @instructor_only
    async def use_class() -> Any:
        body = await json_object()
        class_id = (body or {}).get("class_id")
        guests = (body or {}).get("guests", False)
        if body is None or not (class_id is None or (isinstance(class_id, int)
                                                     and not isinstance(class_id, bool))) \
                or not isinstance(guests, bool):
            return error(400, "bad_request", 'send {"class_id": id or null, "guests": bool}')
        _, refused = await change(partial(roster.use_class, run_id=room.run_id,
                                          class_id=class_id, guests=guests))
        return refused or {"run_id": room.run_id, "class_id": class_id, "guests": guests}
