"""The library's Run reads its optional body as every other route does: a body that is
not a UTF-8 JSON object is a clear 400 that starts nothing, never a 500 (a real server
on an ephemeral port, its log checked for tracebacks when the test ends)."""

from __future__ import annotations

import pytest

from trivia_trio.web.server import ServerInfo

from .conftest import get, instructor_cookie
from .test_library import LIB, call

NOT_AN_OBJECT = [
    "\ufeff{}".encode("utf-16"),  # not UTF-8
    b'{"pace": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # nested too deep
    b"not json",
    b'"student"',
]


@pytest.mark.parametrize("raw", NOT_AN_OBJECT)
async def test_a_run_body_that_is_not_a_json_object_is_refused_and_runs_nothing(
        server: ServerInfo, raw: bytes) -> None:
    cookie = await instructor_cookie(server)
    quiz_id = (await get(server, LIB, cookie)).json()["quizzes"][0]["quiz_id"]
    run_before = (await get(server, "/api/instructor/runs", cookie)).json()["runs"]
    refused = await call(server, "POST", f"{LIB}/{quiz_id}/run", cookie, raw=raw)
    assert refused.status == 400 and refused.json()["code"] == "bad_message"
    assert (await get(server, "/api/instructor/runs", cookie)).json()["runs"] == run_before
    ran = await call(server, "POST", f"{LIB}/{quiz_id}/run", cookie)  # no body: the file's pace
    assert ran.status == 200
