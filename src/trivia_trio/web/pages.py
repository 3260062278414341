"""The pages and the files they load, the join QR code, the blank quiz template and
the health check: what anyone may fetch (the dashboard asks for its key)."""

from __future__ import annotations

from typing import Any

from quart import Response, redirect, request
from quart_trio import QuartTrio

from ..core.formats import csv_format
from .assets import IMMUTABLE
from .auth import COOKIE_MAX_AGE
from .doors import Doors
from .guards import PROJECTOR_CSP
from .responses import download, error, send_asset


def register(app: QuartTrio, doors: Doors) -> None:
    room, keyring, assets, page = doors.room, doors.keyring, doors.assets, doors.page
    instructor_allowed, is_instructor = doors.instructor_allowed, doors.is_instructor

    @app.get("/")
    async def student_page() -> Response:
        return page("student.html")

    @app.get("/projector")
    async def projector_page() -> Any:
        key = request.args.get("pair")
        if key is not None:
            if not keyring.projector_key_matches(key):
                return error(403, "forbidden", "wrong projector key: open the projector link "
                             "the dashboard shows")
            # Trade the key for a cookie and drop it from the address bar (the big screen's).
            response = redirect("/projector", 303)
            response.set_cookie(keyring.projector_cookie_name, keyring.projector_cookie(),
                                max_age=COOKIE_MAX_AGE, httponly=True, samesite="Strict")
            return response
        response = page("projector.html")
        response.headers["Content-Security-Policy"] = PROJECTOR_CSP
        return response

    @app.get("/instructor")
    async def instructor_page() -> Any:
        if not instructor_allowed(request):
            return error(403, "forbidden", "the dashboard opens only on the instructor's "
                          "computer (start with --remote-control to allow others)")
        key = request.args.get("key")
        if key is not None:
            if not keyring.key_matches(key):
                return error(403, "forbidden", "wrong instructor key")
            # Trade the key for a cookie and drop it from the address bar.
            response = redirect("/instructor", 303)
            response.set_cookie(keyring.instructor_cookie_name, keyring.instructor_cookie(),
                                max_age=COOKIE_MAX_AGE, httponly=True, samesite="Strict")
            return response
        if not is_instructor(request):
            return error(403, "forbidden", "open the instructor link printed at start")
        return page("instructor.html")

    @app.get("/static/<path:name>")
    async def static_file(name: str) -> Any:
        asset = assets.file(name)
        if asset is None:
            return error(404, "not_found", "no such file")
        return send_asset(asset)

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

    @app.get("/quiz-template.csv")
    async def quiz_template() -> Response:
        # Public on purpose: a blank template gives nothing away.
        return download(csv_format.template(), "quiz-template.csv")
