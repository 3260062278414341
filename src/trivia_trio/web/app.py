"""HTTP and websocket routes (QuartTrio): identities, checks, and the room's doors.

Every route is thin: it checks who is asking and what they sent, then asks
the room. Pages and their files come from ``assets`` (joined, content-hashed,
gzipped; read through ``importlib.resources`` so they are served the same from a
source tree and from inside the .pyz).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial, wraps
from importlib.resources import files
from typing import Any

import trio
from quart import Response, jsonify, redirect, request, websocket
from quart_trio import QuartTrio
from werkzeug.exceptions import RequestEntityTooLarge

from ..config import Settings
from ..core import views
from ..core.game import DuplicateStudentId, Rejected
from ..core.pictures import CONTENT_TYPES
from ..core.quiz import QuizError
from ..core.spreadsheet import XLSX_TYPE
from ..room import connection
from ..room.clients import FLUSH
from ..room.room import TELEMETRY_KINDS, Role, Room
from ..room.throttle import SlidingWindow
from ..store import exports, library, runs, term_gradebook
from ..store.database import StorageError
from ..store.media import MediaStore
from . import library_routes, program, uploads
from .assets import IMMUTABLE, REVALIDATE, SUBRESOURCE_TYPES, Asset, package_assets
from .auth import (
    COOKIE_MAX_AGE,
    SAFE_METHODS,
    Keyring,
    StudentIdentity,
    clean_label,
    from_own_page,
    is_loopback,
)
from .responses import download
from .responses import error as _error

CLOSE_NO_IDENTITY = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_TRY_LATER = 1013
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": REVALIDATE,
}
# A document's own policies. A stylesheet, script, catalog or font under a hashed name
# is never opened as a page (nosniff keeps it the type it says), so it goes without
# them: 220 bytes on each of the files a phone fetches.
DOCUMENT_HEADERS = ("Content-Security-Policy", "Referrer-Policy")
# The projector page alone may be framed, and only by this server's own pages: the
# editor shows it, scaled, as the preview of a question's reveal. It is public and
# read-only, so a frame can make it do nothing.
PROJECTOR_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace(
    "frame-ancestors 'none'", "frame-ancestors 'self'")


def _send(asset: Asset) -> Response:
    """``asset`` as this request wants it: a 304 when the browser holds it already, else
    gzipped when the browser accepts that and it helps."""
    headers = {"ETag": f'W/"{asset.tag}"', "Cache-Control": IMMUTABLE if asset.immutable
               else REVALIDATE}
    if asset.compressible:
        headers["Vary"] = "Accept-Encoding"
    if request.if_none_match.contains_weak(asset.tag):
        return Response(b"", 304, headers)
    body = asset.body
    if asset.compressible and request.accept_encodings["gzip"] and asset.gzipped is not None:
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, content_type=asset.mimetype, headers=headers)


async def _json_object() -> dict[str, Any] | None:
    """The request body as a JSON object; None for anything else.

    JSON on the wire is UTF-8: a Latin-1 or UTF-16 body is refused rather than
    guessed at, and a document nested too deep is refused like a malformed one.
    """
    raw = await request.get_data(cache=False)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return body if isinstance(body, dict) else None


def _host_name(host_header: str) -> str:
    """The host part of a Host header or netloc, without port or IPv6 brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


UPLOAD_PATH = uploads.QUIZ_PATHS[0]


def create_app(room: Room, keyring: Keyring, settings: Settings,
               allowed_hosts: frozenset[str], *, media: MediaStore | None = None) -> QuartTrio:
    """The web app in front of ``room``. ``allowed_hosts`` are the names we answer to
    (anything else is a DNS-rebinding attempt); ``media`` keeps the quizzes' pictures
    (by default the data folder's ``media/``)."""
    app = QuartTrio(__name__, static_folder=None)
    assets = package_assets()
    limits = settings.limits
    app.request_class = uploads.request_class(limits)
    media = media or MediaStore(settings.data_dir / "media")
    parser = uploads.Parser(media.holds)
    joins = SlidingWindow(limits.joins_per_address_per_minute, 60)
    telemetry_events = SlidingWindow(limits.events_per_student_per_minute, 60)

    def student(source: Any) -> StudentIdentity | None:
        """The caller's identity if their cookie names a current participant."""
        identity = keyring.read_student_cookie(source.cookies.get(keyring.student_cookie_name))
        if identity and room.is_current(identity.student_id, identity.cookie_id,
                                        identity.run_id):
            return identity
        return None

    def instructor_allowed(source: Any) -> bool:
        return settings.remote_control or is_loopback(source.remote_addr)

    def is_instructor(source: Any) -> bool:
        return instructor_allowed(source) and keyring.is_instructor_cookie(
            source.cookies.get(keyring.instructor_cookie_name))

    def instructor_only(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @wraps(handler)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            if not is_instructor(request):
                return _error(403, "forbidden", "instructor only")
            return await handler(*args, **kwargs)
        return guarded

    def page(name: str) -> Response:
        asset = assets.page(name)
        if asset is None:
            return Response("missing page", 500)
        return _send(asset)

    # ---- checks on every request ---------------------------------------------------------
    @app.before_request
    async def check_host_and_origin() -> Any:
        if _host_name(request.host) not in allowed_hosts:
            return _error(421, "unknown_host", "this server does not answer to that name")
        if request.method not in SAFE_METHODS and not from_own_page(
                request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"),
                request.host):
            return _error(403, "cross_origin", "refused: this request came from a page "
                          "that is not this quiz server's own")
        return None

    @app.before_websocket
    async def check_origin() -> Any:
        if _host_name(websocket.host) not in allowed_hosts:
            return Response("unknown host", 403)
        origin = websocket.headers.get("Origin")
        # Browsers always send Origin; other clients (the load tester) may not.
        if origin is not None and not from_own_page(origin, None, websocket.host):
            return Response("cross-origin websocket refused", 403)
        return None

    @app.errorhandler(RequestEntityTooLarge)
    async def too_large(_: RequestEntityTooLarge) -> Any:
        return uploads.too_large(request.path, request.headers, limits)

    @app.after_request
    async def security_headers(response: Response) -> Response:
        subresource = (response.headers.get("Cache-Control") == IMMUTABLE
                       and response.mimetype in SUBRESOURCE_TYPES)
        for header, value in SECURITY_HEADERS.items():
            if not (subresource and header in DOCUMENT_HEADERS):
                response.headers.setdefault(header, value)
        return response

    # ---- pages ------------------------------------------------------------------------------
    @app.get("/")
    async def student_page() -> Response:
        return page("student.html")

    @app.get("/projector")
    async def projector_page() -> Response:
        response = page("projector.html")
        response.headers["Content-Security-Policy"] = PROJECTOR_CSP
        return response

    @app.get("/instructor")
    async def instructor_page() -> Any:
        if not instructor_allowed(request):
            return _error(403, "forbidden", "the dashboard opens only on the instructor's "
                          "computer (start with --remote-control to allow others)")
        key = request.args.get("key")
        if key is not None:
            if not keyring.key_matches(key):
                return _error(403, "forbidden", "wrong instructor key")
            # Trade the key for a cookie and drop it from the address bar.
            response = redirect("/instructor", 303)
            response.set_cookie(keyring.instructor_cookie_name, keyring.instructor_cookie(),
                                max_age=COOKIE_MAX_AGE, httponly=True, samesite="Strict")
            return response
        if not is_instructor(request):
            return _error(403, "forbidden", "open the instructor link printed at start")
        return page("instructor.html")

    @app.get("/static/<path:name>")
    async def static_file(name: str) -> Any:
        asset = assets.file(name)
        if asset is None:
            return _error(404, "not_found", "no such file")
        return _send(asset)

    @app.get("/join-qr.svg")
    async def join_qr() -> Response:
        # The address carries the picture's hash: a browser asks once per join address.
        return Response(room.join_qr_svg, mimetype="image/svg+xml",
                        headers={"Cache-Control": IMMUTABLE})

    @app.get("/healthz")
    async def healthz() -> Any:
        return {"status": "ok",
                "sessions_active": int(room.game.state.value != "finished"),
                "ws_clients": room.connection_count}

    # ---- students -----------------------------------------------------------------------------
    @app.post("/api/join")
    async def join() -> Any:
        # The instructor's own machine (a rehearsal with `loadtest`) is not throttled. The
        # throttle comes first: a flood must not cost a parse per request.
        address = request.remote_addr or ""
        if not is_loopback(address) and not joins.allow(address):
            return _error(429, "rate_limited", "too many joins from this device; wait a minute")
        body = await _json_object()
        if body is None:
            return _error(400, "bad_join", "send JSON with student_id and name")
        try:
            student_id = clean_label(body.get("student_id"), "student id", limits.name_max_chars)
            name = clean_label(body.get("name"), "name", limits.name_max_chars)
        except ValueError as exc:
            return _error(400, "bad_join", str(exc))
        current = student(request)
        if current is not None and current.student_id == student_id:
            participant = room.game.participants[student_id]
            return {"sid": room.session_id, "student_id": student_id, "name": participant.name}
        try:
            participant = await room.join(student_id, name)
        except DuplicateStudentId:
            return _error(409, "duplicate_student_id",
                          "that student id is already taken: ask your instructor")
        except StorageError:
            return _error(503, "storage", "could not save your join; try again")
        except Rejected as rejected:  # the quiz has ended, or was reset while joining
            return _error(409 if rejected.code == "quiz_finished" else 503, rejected.code,
                          rejected.message)
        response = jsonify({"sid": room.session_id, "student_id": student_id,
                            "name": participant.name})
        response.set_cookie(
            keyring.student_cookie_name,
            keyring.student_cookie(student_id, participant.cookie_id, room.run_id),
            max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax")
        return response

    def not_joined() -> Any:
        response, status = _error(401, "not_joined", "join the quiz first")
        response.delete_cookie(keyring.student_cookie_name)
        return response, status

    @app.get("/api/me")
    async def me() -> Any:
        identity = student(request)
        if identity is None:
            return not_joined()
        return views.me_payload(room.game, identity.student_id, room.uncommitted)

    @app.post("/api/events")
    async def telemetry() -> Any:
        identity = student(request)
        if identity is None:
            return not_joined()
        if not telemetry_events.allow(identity.student_id):
            return _error(429, "rate_limited", "too many events")
        body = await _json_object() or {}
        kind = body.get("kind")
        if kind not in TELEMETRY_KINDS:
            return _error(400, "bad_event", f"kind must be one of {', '.join(TELEMETRY_KINDS)}")
        idx = body.get("question_idx")
        if not isinstance(idx, int) or isinstance(idx, bool):
            idx = None
        try:
            await room.record_event(identity.student_id, kind, idx)
        except StorageError:
            return _error(503, "storage", "not saved")
        # An empty bytes body: with none at all, Quart iterates an empty list through
        # asyncio, which fails under trio with a traceback and a dropped connection.
        return Response(b"", status=204)

    @app.get("/api/stats")
    async def stats() -> Any:
        identity = student(request)
        if identity is None and not is_instructor(request):
            return not_joined()
        raw = request.args.get("question_idx")
        if raw is None or raw == "":
            idx = room.game.current_idx
        elif raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) in room.game.openings:
            idx = int(raw)
        else:
            return _error(400, "bad_question", "no such question has been asked")
        return views.stats_payload(room.game, idx, identity.student_id if identity else None)

    @app.get("/api/projector")
    async def projector_state() -> Any:
        return room.projector_state()

    # ---- instructor ---------------------------------------------------------------------------
    @app.post("/api/instructor/clear")
    @instructor_only
    async def clear() -> Any:
        student_id = (await _json_object() or {}).get("student_id")
        if not isinstance(student_id, str):
            return _error(400, "bad_request", "send JSON with student_id")
        try:
            removed = await room.run_to_completion(room.clear_student, student_id)
        except StorageError:
            return _error(503, "storage", "not removed: the disk refused; try again")
        return {"removed": removed}

    @app.post(UPLOAD_PATH)
    @instructor_only
    async def upload_quiz() -> Any:
        raw = await request.get_data(cache=False)
        try:
            quiz = await parser.parse(raw, uploads.filename(request.headers))
        except QuizError as exc:
            return _error(400, "bad_quiz", str(exc), problems=exc.problems)
        # Pictures are kept by content, so keeping those of a quiz refused below is harmless.
        await trio.to_thread.run_sync(media.save, quiz.media)
        try:
            quiz_id, _found = await room.store.write(
                partial(library.import_quiz, quiz=quiz, now=room.clock()))
            pending = await library_routes.run_from_library(room, quiz_id, quiz)
        except Rejected as rejected:
            return _error(409, rejected.code, rejected.message)
        except StorageError:
            return _error(503, "storage", "not loaded: the disk refused; try again")
        return {"title": quiz.title, "questions": len(quiz), "skipped": list(quiz.skipped),
                "quiz_id": quiz_id, "pending": pending}

    async def export_run(build: Callable[[Any, int], str | bytes], name: str,
                         mimetype: str = "text/csv") -> Any:
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
            return _error(404, "unknown_run", "this session has no such run")
        return download(text, f"{session_id}-run{run_id}-{name}", mimetype)

    @app.get("/media/<name>")
    async def picture(name: str) -> Any:
        """A question's picture: immutable (its name is its content's hash), so a phone
        asks for it once and the server reads it from disk once."""
        data = media.cached(name) or await trio.to_thread.run_sync(media.read, name)
        if data is None:
            return _error(404, "no_such_picture", "no such picture")
        etag = f'"{name.partition(".")[0]}"'
        headers = {"Cache-Control": IMMUTABLE, "ETag": etag,
                   "X-Content-Type-Options": "nosniff"}
        if etag in request.headers.get("If-None-Match", ""):
            return Response(b"", 304, headers=headers)
        return Response(data, 200, headers=headers,
                        content_type=CONTENT_TYPES[name.rpartition(".")[2]])

    @app.get("/api/instructor/export.csv")
    @instructor_only
    async def export_results() -> Any:
        return await export_run(exports.results_csv, "results.csv")

    @app.get("/api/instructor/gradebook.csv")
    @instructor_only
    async def export_gradebook() -> Any:
        return await export_run(exports.gradebook_csv, "gradebook.csv")

    @app.get("/api/instructor/export.xlsx")
    @instructor_only
    async def export_results_xlsx() -> Any:
        return await export_run(exports.results_xlsx, "results.xlsx", XLSX_TYPE)

    @app.get("/api/instructor/gradebook.xlsx")
    @instructor_only
    async def export_gradebook_xlsx() -> Any:
        return await export_run(exports.gradebook_xlsx, "gradebook.xlsx", XLSX_TYPE)

    async def export_term(build: Callable[[Any, list[int], str], str | bytes], suffix: str,
                          mimetype: str) -> Any:
        """The gradebook across the runs in ``?runs=1,3,4`` (of this session)."""
        raw = request.args.get("runs", "").split(",")
        if not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in raw) \
                or not 1 <= len(raw) <= term_gradebook.MAX_RUNS:
            return _error(400, "bad_runs", "runs must be 1 to "
                          f"{term_gradebook.MAX_RUNS} run ids separated by commas")
        run_ids, session_id = [int(p) for p in raw], room.session_id
        try:
            body = await room.store.read(lambda conn: build(conn, run_ids, session_id))
        except exports.UnknownRun:
            return _error(404, "unknown_run", "this session has no such run")
        return download(body, f"{session_id}-gradebook-{len(set(run_ids))}-runs.{suffix}",
                        mimetype)

    @app.get("/api/instructor/runs/gradebook.csv")
    @instructor_only
    async def export_term_csv() -> Any:
        return await export_term(term_gradebook.term_csv, "csv", "text/csv")

    @app.get("/api/instructor/runs/gradebook.xlsx")
    @instructor_only
    async def export_term_xlsx() -> Any:
        return await export_term(term_gradebook.term_xlsx, "xlsx", XLSX_TYPE)

    @app.get("/api/instructor/export.json")
    @instructor_only
    async def export_json() -> Any:
        return await export_run(exports.run_json, "run.json", "application/json")

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

    @app.get("/quiz-template.csv")
    async def quiz_template() -> Response:
        # Public on purpose: a blank template gives nothing away.
        raw = (files("trivia_trio") / "quizzes" / "template.csv").read_bytes()
        return download(raw.decode("utf-8-sig"), "quiz-template.csv")

    library_routes.register(app, room, instructor_only, page, media, parser)
    program.register(app, instructor_only, settings.program_file)

    # ---- sockets ------------------------------------------------------------------------------
    async def serve_socket(role: Role) -> None:
        """Check who is asking, then pump the room's outbox to the socket while reading
        what the client sends.

        The identity is checked after the handshake, with no await between the check and
        joining the room, so a clear or reset cannot slip in and leave a dead identity
        connected. A failed check closes with 4001/4003, which pages can see (an HTTP
        refusal of the upgrade they could not).
        """
        ws = websocket._get_current_object()  # type: ignore[attr-defined]
        own_connection = connection.find(ws.scope)
        if own_connection is None:  # a test client's: hypercorn's machinery reads it all
            await serve_accepted(ws, role, None, None)
            return
        # Asked before the handshake, so the first message is read here too.
        with own_connection.read_messages(limits.ws_max_message_bytes) as read_here:
            await serve_accepted(ws, role, own_connection, read_here)

    async def serve_accepted(ws: Any, role: Role, own_connection: connection.Connection | None,
                             read_here: trio.MemoryReceiveChannel[str] | None) -> None:
        await ws.accept()
        student_id = None
        if role is Role.STUDENT:
            identity = student(ws)
            if identity is None:
                await ws.close(CLOSE_NO_IDENTITY, "join first")
                return
            student_id = identity.student_id
        elif role is Role.INSTRUCTOR and not is_instructor(ws):
            await ws.close(CLOSE_FORBIDDEN, "instructor only")
            return
        if room.connection_count >= limits.max_connections:
            await ws.close(CLOSE_TRY_LATER, "server full")
            return
        async with room.connect(role, student_id, own_connection) as client:
            with client.cancel_scope:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(_send_outbox, ws, client, nursery.cancel_scope)
                    if read_here is not None and own_connection is not None:
                        async for message in read_here:
                            await room.handle(client, message)
                        if not own_connection.handed_over:
                            # The connection is gone. Hypercorn may never say so: after
                            # it refused the handshake (400), nothing reaches the app.
                            nursery.cancel_scope.cancel()
                            return
                    while True:  # what hypercorn reads (see Connection.read_messages)
                        await room.handle(client, await ws.receive())

    @app.websocket("/ws/student")
    async def student_socket() -> None:
        await serve_socket(Role.STUDENT)

    @app.websocket("/ws/instructor")
    async def instructor_socket() -> None:
        await serve_socket(Role.INSTRUCTOR)

    @app.websocket("/ws/projector")
    async def projector_socket() -> None:
        await serve_socket(Role.PROJECTOR)

    return app


async def _send_outbox(ws: Any, client: Any, done: trio.CancelScope) -> None:
    """Send what the room queued, in order; a queued Close ends the socket.

    Awaiting the outbox is this loop's checkpoint each turn: hypercorn turns
    sends on a closed socket into no-ops that never yield.
    """
    async for item in client.outgoing():
        if item is FLUSH:
            await client.connection.flush()
        elif isinstance(item, str):
            await ws.send(item)
        else:
            if client.connection is not None:
                await client.connection.flush()
            await ws.close(item.code, item.reason)
            break
    done.cancel()
