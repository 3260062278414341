"""The instructor's HTTP routes outside the library: remove a student, upload a quiz
to run, download a run's results, list past runs and their item analysis; and the
quizzes' pictures, which every page shows."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import trio
from quart import Response, request
from quart_trio import QuartTrio

from ..core.pictures import CONTENT_TYPES
from ..core.quiz import QuizError
from ..core.record import Rejected
from ..core.spreadsheet import XLSX_TYPE
from ..store import exports, library, runs, term_gradebook
from ..store.database import StorageError
from . import library_routes, uploads
from .assets import IMMUTABLE
from .doors import Doors
from .responses import download, error, json_object

UPLOAD_PATH = uploads.QUIZ_PATHS[0]
# A run's files, for ``?run=`` or else the current run: (path, endpoint, what builds
# it from the connection and the run id, the file's name after "<session>-run<id>-",
# its type).
RUN_EXPORTS = (
    ("/api/instructor/export.csv", "export_results", exports.results_csv, "results.csv",
     "text/csv"),
    ("/api/instructor/gradebook.csv", "export_gradebook", exports.gradebook_csv,
     "gradebook.csv", "text/csv"),
    ("/api/instructor/export.xlsx", "export_results_xlsx", exports.results_xlsx,
     "results.xlsx", XLSX_TYPE),
    ("/api/instructor/gradebook.xlsx", "export_gradebook_xlsx", exports.gradebook_xlsx,
     "gradebook.xlsx", XLSX_TYPE),
    ("/api/instructor/export.json", "export_json", exports.run_json, "run.json",
     "application/json"),
)
# The gradebook across runs, for ``?runs=1,3,4``: (path, endpoint, builder, the file's
# suffix, its type).
TERM_EXPORTS = (
    ("/api/instructor/runs/gradebook.csv", "export_term_csv", term_gradebook.term_csv, "csv",
     "text/csv"),
    ("/api/instructor/runs/gradebook.xlsx", "export_term_xlsx", term_gradebook.term_xlsx,
     "xlsx", XLSX_TYPE),
)


def register(app: QuartTrio, doors: Doors) -> None:
    room, media, parser = doors.room, doors.media, doors.parser
    instructor_only = doors.instructor_only

    @app.post("/api/instructor/clear")
    @instructor_only
    async def clear() -> Any:
        student_id = (await json_object() or {}).get("student_id")
        if not isinstance(student_id, str):
            return error(400, "bad_request", "send JSON with student_id")
        try:
            removed = await room.run_to_completion(room.clear_student, student_id)
        except StorageError:
            return error(503, "storage", "not removed: the disk refused; try again")
        return {"removed": removed}

    @app.post(UPLOAD_PATH)
    @instructor_only
    async def upload_quiz() -> Any:
        raw = await request.get_data(cache=False)
        try:
            quiz = await parser.parse(raw, uploads.filename(request.headers))
        except QuizError as exc:
            return error(400, "bad_quiz", str(exc), problems=exc.problems)
        # Pictures are kept by content, so keeping those of a quiz refused below is harmless.
        await trio.to_thread.run_sync(media.save, quiz.media)
        try:
            quiz_id, _found = await room.store.write(
                partial(library.import_quiz, quiz=quiz, now=room.clock()))
            pending = await library_routes.run_from_library(room, quiz_id, quiz)
        except Rejected as rejected:
            return error(409, rejected.code, rejected.message)
        except StorageError:
            return error(503, "storage", "not loaded: the disk refused; try again")
        return {"title": quiz.title, "questions": len(quiz), "skipped": list(quiz.skipped),
                "quiz_id": quiz_id, "pending": pending}

    async def export_run(build: Callable[[Any, int], str | bytes], name: str,
                         mimetype: str) -> Any:
        """``build(conn, run_id)`` as a download, for ``?run=`` or else the current run."""
        raw = request.args.get("run", "")
        session_id, run_id = room.session_id, room.run_id
        if raw:
            run_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else -1

        def read(conn: Any) -> str | bytes:
            exports.check_run(conn, run_id, session_id)
            return build(conn, run_id)

        try:
            text = await room.store.read(read)
        except exports.UnknownRun:
            return error(404, "unknown_run", "this session has no such run")
        return download(text, f"{session_id}-run{run_id}-{name}", mimetype)

    @app.get("/media/<name>")
    async def picture(name: str) -> Any:
        """A question's picture: immutable (its name is its content's hash), so a phone
        asks for it once and the server reads it from disk once."""
        data = media.cached(name) or await trio.to_thread.run_sync(media.read, name)
        if data is None:
            return error(404, "no_such_picture", "no such picture")
        etag = f'"{name.partition(".")[0]}"'
        headers = {"Cache-Control": IMMUTABLE, "ETag": etag,
                   "X-Content-Type-Options": "nosniff"}
        if etag in request.headers.get("If-None-Match", ""):
            return Response(b"", 304, headers=headers)
        return Response(data, 200, headers=headers,
                        content_type=CONTENT_TYPES[name.rpartition(".")[2]])

    async def export_term(build: Callable[[Any, list[int], str], str | bytes], suffix: str,
                          mimetype: str) -> Any:
        """The gradebook across the runs in ``?runs=1,3,4`` (of this session)."""
        raw = request.args.get("runs", "").split(",")
        if not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in raw) \
                or not 1 <= len(raw) <= term_gradebook.MAX_RUNS:
            return error(400, "bad_runs", "runs must be 1 to "
                         f"{term_gradebook.MAX_RUNS} run ids separated by commas")
        run_ids, session_id = [int(p) for p in raw], room.session_id
        try:
            body = await room.store.read(lambda conn: build(conn, run_ids, session_id))
        except exports.UnknownRun:
            return error(404, "unknown_run", "this session has no such run")
        return download(body, f"{session_id}-gradebook-{len(set(run_ids))}-runs.{suffix}",
                        mimetype)

    for path, endpoint, build, name, mimetype in RUN_EXPORTS:
        app.add_url_rule(path, endpoint, instructor_only(partial(export_run, build, name,
                                                                 mimetype)), methods=["GET"])
    for path, endpoint, build, suffix, mimetype in TERM_EXPORTS:
        app.add_url_rule(path, endpoint, instructor_only(partial(export_term, build, suffix,
                                                                 mimetype)), methods=["GET"])

    @app.get("/api/instructor/runs")
    @instructor_only
    async def list_runs() -> Any:
        session_id, run_id = room.session_id, room.run_id
        return {"runs": await room.store.read(
            lambda conn: runs.run_list(conn, session_id, run_id))}

    @app.get("/api/instructor/item_analysis")
    @instructor_only
    async def item_analysis() -> Any:
        session_id, run_id = room.session_id, room.run_id
        return await room.store.read(lambda conn: runs.item_analysis(conn, session_id, run_id))
