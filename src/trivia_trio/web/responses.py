"""Responses that more than one audience's routes send."""

from __future__ import annotations

import json
from typing import Any

from quart import Response, jsonify, request

from .assets import IMMUTABLE, REVALIDATE, Asset


def download(body: str | bytes, filename: str, mimetype: str = "text/csv") -> Response:
    """A download: text as UTF-8 (CSV gets a BOM, so Excel reads names with accents
    correctly; JSON must not have one), bytes (a spreadsheet) as they are."""
    if isinstance(body, bytes):
        response = Response(body, content_type=mimetype)
    else:
        prefix = "\ufeff" if mimetype == "text/csv" else ""
        response = Response((prefix + body).encode("utf-8"),
                            content_type=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def error(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    """A refusal as the pages read it: a ``code`` they have words for, and a message for
    people reading the raw response."""
    return jsonify({"code": code, "message": message, **extra}), status


def send_asset(asset: Asset) -> Response:
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


async def json_object(*, empty: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The request body as a JSON object; None for anything else (``empty``, if given,
    for no body at all: a route whose body is optional).

    JSON on the wire is UTF-8: a Latin-1 or UTF-16 body is refused rather than
    guessed at, and a document nested too deep is refused like a malformed one.
    """
    raw = await request.get_data(cache=False)
    if not raw and empty is not None:
        return empty
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return body if isinstance(body, dict) else None
