"""A minimal HTTP/1.1 client on trio + h11, for the load tester and the tests.

One request per connection (``Connection: close``): simple, and what a phone
joining a classroom does anyway. h11 is already a dependency of hypercorn.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import h11
import trio


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    cookies: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    def cookie_pair(self, prefix: str) -> str | None:
        """``name=value`` of the cookie set whose name starts with ``prefix``, for a
        ``Cookie`` header: the server names its cookies per data folder."""
        return next((f"{name}={value}" for name, value in self.cookies.items()
                     if name.startswith(prefix)), None)

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


async def request(
    method: str,
    url: str,
    *,
    json: Any = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> Response:
    """Send one request and read the whole response. Raises OSError/h11 errors on failure."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    all_headers = {"Host": parts.netloc, "Connection": "close", "User-Agent": "trivia-trio"}
    if json is not None:
        body = jsonlib.dumps(json).encode()
        all_headers["Content-Type"] = "application/json"
    if body is not None:
        all_headers["Content-Length"] = str(len(body))
    if cookies:
        all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    all_headers.update(headers or {})
    conn = h11.Connection(our_role=h11.CLIENT)
    stream = await trio.open_tcp_stream(host, port)
    async with stream:
        request_line = h11.Request(method=method, target=target, headers=list(all_headers.items()))
        out = conn.send(request_line)
        if body:
            out += conn.send(h11.Data(data=body))
        out += conn.send(h11.EndOfMessage())
        await stream.send_all(out)
        response: h11.Response | None = None
        chunks: list[bytes] = []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await stream.receive_some(65536))
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
    assert response is not None
    decoded = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers]
    jar: dict[str, str] = {}
    for key, value in decoded:
        if key == "set-cookie":
            for name, morsel in SimpleCookie(value).items():
                jar[name] = morsel.value
    return Response(response.status_code, decoded, b"".join(chunks), jar)
