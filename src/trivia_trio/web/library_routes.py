"""The library's HTTP routes, all instructor-only: list, get, save, duplicate, delete and
undo, import, export, and run.

Each route checks what it was sent, then does its change in one store write:
a refused import or save changes nothing. Running a quiz goes through the
room's own ``load_quiz``, so the run keeps a frozen copy exactly as a quiz
loaded any other way.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import trio
from quart import Response, request
from quart_trio import QuartTrio

from ..core.formats import csv_format, gift, json_format, xlsx_format
from ..core.pace import PACES
from ..core.pictures import MAX_PICTURE_BYTES, check_picture
from ..core.quiz import Quiz, QuizError
from ..core.record import Rejected
from ..core.spreadsheet import XLSX_TYPE
from ..room.room import Room
from ..store import library
from ..store.database import StorageError
from ..store.media import MediaStore
from .responses import download, json_object
from .responses import error as _error
from .uploads import PICTURE_PATH, QUIZ_PATHS, Parser, filename

Guard = Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]
EXPORTS = {  # format -> (writer, file suffix, mimetype)
    "json": (json_format.dump, "json", "application/json"),
    "csv": (csv_format.dump, "csv", "text/csv"),
    "xlsx": (xlsx_format.dump, "xlsx", XLSX_TYPE),
    "gift": (gift.dump, "gift.txt", "text/plain"),
}


def file_stem(title: str) -> str:
    """A file name from a title, safe in a Content-Disposition header."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")
    return stem[:60] or "quiz"


class MissingPicture(LookupError):
    """A picture the quiz names is not in the data folder's media store."""


def bundle(quiz: Quiz, read: Callable[[str], bytes | None]) -> bytes:
    """A quiz bundle: ``quiz.json`` at the root, each picture under ``pictures/``.

    ``read`` gives a picture's bytes by media name (None: missing, MissingPicture).
    Import reads it back to the same quiz: pictures are named by their content.
    """
    data = quiz.to_dict()
    pictures: dict[str, bytes] = {}
    for question in data["questions"]:
        name = question.get("image")
        if not name:
            continue
        picture = pictures.get(name) or read(name)
        if picture is None:
            raise MissingPicture(name)
        pictures[name] = picture
        question["image"] = f"pictures/{name}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("quiz.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        for name, picture in pictures.items():
            # Pictures are compressed already: stored as they are.
            archive.writestr(f"pictures/{name}", picture, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


async def run_from_library(room: Room, quiz_id: int, quiz: Quiz, pace: str | None = None
                           ) -> bool:
    """Run ``quiz`` (version of library quiz ``quiz_id``) through the room's load path,
    all or nothing even if the request is cancelled; True if it waits for the next run
    (``Room.load_quiz``). ``pace`` (``live`` or ``student``), if given, is the teacher's
    pick for the run it starts, loaded with the quiz in one hold of the room: a second
    Run pressed meanwhile waits, then replaces this one (a quiz that waits keeps its
    file's pace).

    The version is noted first: if the room then refuses (a question is open),
    the note names a version no run used, which lists nothing.
    """
    async def note_and_load() -> bool:
        await room.store.write(partial(library.note_run, quiz_id=quiz_id, quiz=quiz,
                                       now=room.clock()))
        return await room.load_quiz(quiz, pace)

    return await room.run_to_completion(note_and_load)


IMPORT_PATH = QUIZ_PATHS[1]


def register(app: QuartTrio, room: Room, instructor_only: Guard,
             page: Callable[[str], Response], media: MediaStore, parser: Parser) -> None:
    """Add the library routes and the editor page to ``app``; ``instructor_only`` guards
    every one. An imported quiz's pictures (from a quiz bundle) and the editor's are kept
    in ``media``; bundles are made from it. ``parser`` reads imported files."""
    store = room.store
    prefix = "/api/instructor/library"

    @app.get("/instructor/editor")
    @instructor_only
    async def editor_page() -> Response:
        return page("editor.html")

    async def quiz_body() -> tuple[dict[str, Any] | None, Any]:
        """The request's ``quiz`` object (None if there is none) and its ``edited_at``.

        A body may be 2 MB: it is decoded in a worker thread, as the quiz is checked
        (``check``), so every phone's ack goes out meanwhile."""
        raw = await request.get_data(cache=False)
        try:
            body = await trio.to_thread.run_sync(json.loads, raw.decode("utf-8"))
        except (ValueError, RecursionError):
            return None, None
        if not isinstance(body, dict):
            return None, None
        quiz = body.get("quiz")
        return quiz if isinstance(quiz, dict) else None, body.get("edited_at")

    async def check(body: dict[str, Any]) -> library.Checked:
        """``library.check`` in a worker thread: a big quiz takes a while to check."""
        return await trio.to_thread.run_sync(library.check, body, media.holds)

    def not_found() -> tuple[Response, int]:
        return _error(404, "not_in_library", "no such quiz in the library (deleted?)")

    @app.get(prefix)
    @instructor_only
    async def list_quizzes() -> Any:
        return {"quizzes": await store.read(library.listing),
                "undo_window_ms": library.UNDO_WINDOW_MS}

    @app.post(prefix)
    @instructor_only
    async def new_quiz() -> Any:
        body, _base = await quiz_body()
        if body is None:
            return _error(400, "bad_request", 'send JSON {"quiz": {...}}')
        checked = await check(body)
        try:
            quiz_id = await store.write(partial(library.add, checked=checked, now=room.clock()))
        except StorageError:
            return _error(503, "storage", "could not save; try again")
        except ValueError as exc:
            return _error(409, "library_full", str(exc))
        return {"quiz_id": quiz_id, "problems": checked.problems, "draft": bool(checked.problems)}

    @app.get(f"{prefix}/<int:quiz_id>")
    @instructor_only
    async def get_quiz(quiz_id: int) -> Any:
        try:
            entry = await store.read(partial(library.get, quiz_id=quiz_id))
        except library.NotInLibrary:
            return not_found()
        # The editor checks a picture's size before it sends it.
        return entry | {"picture_max_bytes": MAX_PICTURE_BYTES}

    @app.put(f"{prefix}/<int:quiz_id>")
    @instructor_only
    async def save_quiz(quiz_id: int) -> Any:
        body, base = await quiz_body()
        if body is None:
            return _error(400, "bad_request", 'send JSON {"quiz": {...}}')
        if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
            return _error(400, "bad_request", "edited_at must be the version you edited")
        checked = await check(body)
        try:
            version = await store.write(partial(library.save, quiz_id=quiz_id, checked=checked,
                                                now=room.clock(), base=base))
        except library.NotInLibrary:
            return not_found()
        except library.EditedElsewhere as newer:
            return _error(409, "edited_elsewhere", "this quiz was saved from another tab or "
                          "window since you opened it", quiz_id=quiz_id,
                          edited_at=newer.edited_at)
        except StorageError:
            return _error(503, "storage", "could not save; try again")
        return {"quiz_id": quiz_id, "problems": checked.problems,
                "draft": bool(checked.problems), "edited_at": version}

    @app.post(f"{prefix}/<int:quiz_id>/duplicate")
    @instructor_only
    async def duplicate_quiz(quiz_id: int) -> Any:
        try:
            new_id = await store.write(partial(library.duplicate, quiz_id=quiz_id,
                                               now=room.clock(), held=media.holds))
        except library.NotInLibrary:
            return not_found()
        except ValueError as exc:
            return _error(409, "library_full", str(exc))
        return {"quiz_id": new_id}

    @app.delete(f"{prefix}/<int:quiz_id>")
    @instructor_only
    async def delete_quiz(quiz_id: int) -> Any:
        try:
            await store.write(partial(library.delete, quiz_id=quiz_id, now=room.clock()))
        except library.NotInLibrary:
            return not_found()
        return {"quiz_id": quiz_id, "undo_window_ms": library.UNDO_WINDOW_MS}

    @app.post(f"{prefix}/<int:quiz_id>/undelete")
    @instructor_only
    async def undelete_quiz(quiz_id: int) -> Any:
        try:
            await store.write(partial(library.undelete, quiz_id=quiz_id, now=room.clock()))
        except library.NotInLibrary:
            return _error(404, "not_in_library", "too late to bring this quiz back")
        return {"quiz_id": quiz_id}

    @app.post(PICTURE_PATH)
    @instructor_only
    async def add_picture() -> Any:
        raw = await request.get_data(cache=False)
        name, problem = await trio.to_thread.run_sync(check_picture, raw, "you added")
        if problem is not None or name is None:
            return _error(400, "bad_picture", problem or "not a picture")
        await trio.to_thread.run_sync(media.save, {name: raw})
        return {"image": name, "url": f"/media/{name}"}

    @app.post(IMPORT_PATH)
    @instructor_only
    async def import_quiz() -> Any:
        raw = await request.get_data(cache=False)
        try:
            quiz = await parser.parse(raw, filename(request.headers))
        except QuizError as exc:
            return _error(400, "bad_quiz", str(exc), problems=exc.problems)
        await trio.to_thread.run_sync(media.save, quiz.media)
        try:
            quiz_id, found = await store.write(partial(library.import_quiz, quiz=quiz,
                                                       now=room.clock()))
        except StorageError:
            return _error(503, "storage", "could not save; try again")
        return {"quiz_id": quiz_id, "found": found, "title": quiz.title,
                "questions": len(quiz), "skipped": list(quiz.skipped), "pace": quiz.pace}

    @app.get(f"{prefix}/<int:quiz_id>/export")
    @instructor_only
    async def export_quiz(quiz_id: int) -> Any:
        chosen = request.args.get("format", "json")
        if chosen not in (*EXPORTS, "zip"):
            return _error(400, "bad_format", "format must be one of json, zip, csv, xlsx, gift")
        try:
            entry = await store.read(partial(library.get, quiz_id=quiz_id))
            quiz = await store.read(partial(library.runnable, quiz_id=quiz_id, held=media.holds))
        except library.NotInLibrary:
            return not_found()
        except library.NotRunnable as exc:
            return _error(409, "draft", "fix the problems before exporting",
                          problems=exc.problems)
        if chosen == "zip":
            try:
                raw = await trio.to_thread.run_sync(bundle, quiz, media.read)
            except MissingPicture as exc:
                return _error(409, "missing_picture",
                              f"the picture {exc.args[0]} is no longer in the data folder")
            response = Response(raw, content_type="application/zip")
            response.headers["Content-Disposition"] = \
                f'attachment; filename="{file_stem(entry["title"])}.zip"'
            return response
        write, suffix, mimetype = EXPORTS[chosen]
        body = await trio.to_thread.run_sync(write, quiz)
        response = download(body, f"{file_stem(entry['title'])}.{suffix}", mimetype)
        if chosen == "gift":
            response.headers["X-Left-Out"] = json.dumps(gift.left_out(quiz))
        return response

    @app.post(f"{prefix}/<int:quiz_id>/run")
    @instructor_only
    async def run_quiz(quiz_id: int) -> Any:
        try:
            quiz = await store.read(partial(library.runnable, quiz_id=quiz_id, held=media.holds))
        except library.NotInLibrary:
            return not_found()
        except library.NotRunnable as exc:
            return _error(409, "draft", "fix the problems before running this quiz",
                          problems=exc.problems)
        body = await json_object(empty={})
        if body is None:
            return _error(400, "bad_message", 'send nothing, or a JSON object such as '
                          '{"pace": "student"}')
        pace = body.get("pace")
        if pace is not None and pace not in PACES:
            return _error(400, "bad_message", f"pace must be one of {', '.join(PACES)}")
        try:
            pending = await run_from_library(room, quiz_id, quiz, pace)
        except Rejected as rejected:
            return _error(409, rejected.code, rejected.message)
        except StorageError:
            return _error(503, "storage", "could not save; try again")
        return {"quiz_id": quiz_id, "title": quiz.title, "questions": len(quiz),
                "run_id": room.run_id, "pending": pending}
