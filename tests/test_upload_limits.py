"""A teacher's upload never freezes the room: every upload is bounded before it is read,
parsed off the event loop in linear time, and a damaged one is a 400 saying why.

The class keeps answering while a bad upload is handled: each test that sends
one has a student submitting throughout, and every submit is acknowledged
within a second.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import struct
import zipfile

import pytest

from trivia_trio.core.quiz import QuizError
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.tools.http_client import Response, request
from trivia_trio.web.server import ServerInfo

from .conftest import THREE_QUESTIONS, instructor_cookie

LIB = "/api/instructor/library"
QUIZ_JSON = json.dumps(THREE_QUESTIONS).encode()
PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def zipped(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def corrupt_entry(raw: bytes, name: str) -> bytes:
    """``raw`` with the compressed bytes of entry ``name`` overwritten by garbage (the
    headers, sizes and CRC left as they were)."""
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo(name)
    header = info.header_offset
    name_length, extra_length = struct.unpack("<HH", raw[header + 26:header + 30])
    start = header + 30 + name_length + extra_length
    garbage = bytes(random.Random(7).randrange(256) | 0x06 for _ in range(info.compress_size))
    return raw[:start] + garbage + raw[start + info.compress_size:]


async def upload(info: ServerInfo, cookie: str, raw: bytes, filename: str,
                 path: str = f"{LIB}/import") -> Response:
    return await request("POST", info.url + path, body=raw,
                         headers={"Cookie": cookie, "X-Filename": filename})


# ---- 4. a damaged bundle is a 400 naming the file inside ----------------------------------
@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA,
                                         zipfile.ZIP_BZIP2])
def test_a_corrupt_stream_inside_a_bundle_is_a_problem_naming_that_file(
        compression: int) -> None:
    raw = corrupt_entry(zipped({"quiz.json": QUIZ_JSON * 3}, compression), "quiz.json")
    with pytest.raises(QuizError) as caught:
        load_quiz(raw, filename="week.zip")
    (problem,) = caught.value.problems
    assert problem.startswith("quiz.json cannot be read")

    quiz = {"title": "P", "questions": [{"kind": "slide", "text": "Look", "image": "p.png"}]}
    raw = corrupt_entry(zipped({"quiz.json": json.dumps(quiz).encode(), "p.png": PICTURE},
                               compression), "p.png")
    with pytest.raises(QuizError) as caught:
        load_quiz(raw, filename="week.zip")
    (problem,) = caught.value.problems
    assert problem.startswith('question 1: the picture "p.png": cannot be read from the bundle')


def test_a_bundle_damaged_anywhere_is_refused_or_read_never_crashes() -> None:
    quiz = {"title": "P", "questions": [{"kind": "slide", "text": "Look", "image": "p.png"}]}
    whole = zipped({"quiz.json": json.dumps(quiz).encode(), "p.png": PICTURE,
                    "notes.txt": b"notes " * 200})
    rng = random.Random(22)
    for _ in range(3000):
        raw = bytearray(whole)
        for _ in range(rng.randrange(1, 6)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        with contextlib.suppress(QuizError):  # anything else fails the test
            load_quiz(bytes(raw), filename="fuzzed.zip")


async def test_a_corrupt_bundle_uploaded_is_a_400_bad_quiz(server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    raw = corrupt_entry(zipped({"quiz.json": QUIZ_JSON * 3}), "quiz.json")
    for path in (f"{LIB}/import", "/api/instructor/quiz"):
        response = await upload(server, cookie, raw, "week.zip", path)
        assert response.status == 400, response.text
        assert response.json()["code"] == "bad_quiz"
        assert response.json()["problems"][0].startswith("quiz.json cannot be read")


# ---- 5. library ids beyond sqlite's range ------------------------------------------------
@pytest.mark.parametrize(("method", "suffix"), [
    ("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/duplicate"), ("POST", "/undelete"),
    ("GET", "/export"), ("POST", "/run")])
async def test_a_library_id_beyond_sqlite_integers_is_not_in_the_library(
        server: ServerInfo, method: str, suffix: str) -> None:
    cookie = await instructor_cookie(server)
    for quiz_id in (2**63, 2**64 + 5, 10**40):
        response = await request(method, f"{server.url}{LIB}/{quiz_id}{suffix}",
                                 json={"quiz": THREE_QUESTIONS}, headers={"Cookie": cookie})
        assert response.status == 404, response.text
        assert response.json()["code"] == "not_in_library"

