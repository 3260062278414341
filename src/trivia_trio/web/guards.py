"""Checks on every request and every answer: the host we answer to, the page a change
comes from, the size of an upload, and the security headers of every response."""

from __future__ import annotations

from typing import Any

from quart import Response, request, websocket
from quart_trio import QuartTrio
from werkzeug.exceptions import RequestEntityTooLarge

from ..config import Limits
from . import uploads
from .assets import IMMUTABLE, REVALIDATE, SUBRESOURCE_TYPES
from .auth import SAFE_METHODS, from_own_page
from .responses import error

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


def _host_name(host_header: str) -> str:
    """The host part of a Host header or netloc, without port or IPv6 brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def register(app: QuartTrio, allowed_hosts: frozenset[str], limits: Limits) -> None:
    """Check every request and websocket of ``app``. ``allowed_hosts`` are the names we
    answer to (anything else is a DNS-rebinding attempt)."""
    @app.before_request
    async def check_host_and_origin() -> Any:
        if _host_name(request.host) not in allowed_hosts:
            return error(421, "unknown_host", "this server does not answer to that name")
        if request.method not in SAFE_METHODS and not from_own_page(
                request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"),
                request.host):
            return error(403, "cross_origin", "refused: this request came from a page "
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
