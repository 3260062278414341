"""Responses that more than one audience's routes send."""

from __future__ import annotations

from typing import Any

from quart import Response, jsonify


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
