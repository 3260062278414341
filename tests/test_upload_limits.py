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
import time
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import h11
import pytest
import trio

from trivia_trio.core.quiz import QuizError
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.tools.http_client import Response, request
from trivia_trio.web.server import ServerInfo

from . import picture_headers
from .conftest import THREE_QUESTIONS, ServerProcess, connect, instructor_cookie, join

LIB = "/api/instructor/library"
QUIZ_JSON = json.dumps(THREE_QUESTIONS).encode()
PICTURE = picture_headers.png(40, 30) + bytes(range(256)) * 40


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



# ---- the class keeps answering ----------------------------------------------------------------
PACE_S = 0.1  # a keen student: 10 submits a second, under the 20-a-second message limit


@asynccontextmanager
async def answering(info: Any) -> AsyncIterator[Callable[[], Awaitable[float]]]:
    """A student with question 1 open, answered; yields a function that submits the
    answer again and returns the seconds until its ``submit_ack``."""
    cookie = await join(info, "s1", "Sam")
    async with connect(info, "/ws/instructor", await instructor_cookie(info)) as teacher:
        await teacher.send({"type": "next"})
        await teacher.until("question_open")
    async with connect(info, "/ws/student", cookie) as student:
        await student.until("question_open")
        submit = {"type": "submit", "question_idx": 0, "answer": "B"}

        async def ack_time() -> float:
            start = trio.current_time()
            await student.request(submit, "submit_ack")  # 5 s at most: see Peer.next
            return trio.current_time() - start

        await ack_time()
        yield ack_time


async def acks_while(ack_time: Callable[[], Awaitable[float]],
                     bad: Callable[[], Awaitable[Response]]) -> tuple[Response, list[float]]:
    """``bad()``'s response, and the time to each ack of a student who keeps submitting
    from just before it is sent until its answer is back."""
    answered: list[Response] = []
    times: list[float] = []
    async with trio.open_nursery() as nursery:
        async def send() -> None:
            answered.append(await bad())

        nursery.start_soon(send)
        while not answered or len(times) < 3:
            times.append(await ack_time())
            await trio.sleep(PACE_S)
    return answered[0], times


async def raw_upload(info: Any, path: str, headers: dict[str, str], body: bytes = b"", *,
                     declared: int | None = None, chunked: bool = False) -> Response:
    """POST ``body`` while reading the answer, as a browser does: the answer may come
    before the body is sent (and then the rest is not sent). ``declared`` is the
    Content-Length sent (``len(body)`` by default)."""
    parts = urlsplit(info.url)
    framing = ({"Transfer-Encoding": "chunked"} if chunked
               else {"Content-Length": str(len(body) if declared is None else declared)})
    head = {"Host": parts.netloc, "Connection": "close", **framing, **headers}
    client = h11.Connection(h11.CLIENT)
    stream = await trio.open_tcp_stream(parts.hostname or "127.0.0.1", parts.port or 80)
    async with stream, trio.open_nursery() as nursery:
        await stream.send_all(client.send(h11.Request(method="POST", target=path,
                                                      headers=list(head.items()))))

        async def send_body() -> None:
            with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                for start in range(0, len(body), 2**16):
                    piece = body[start:start + 2**16]
                    await stream.send_all(f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                                          if chunked else piece)

        nursery.start_soon(send_body)
        status, chunks = 0, []
        with trio.fail_after(30):
            while True:
                event = client.next_event()
                if event is h11.NEED_DATA:
                    client.receive_data(await stream.receive_some(2**16))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                    break
        nursery.cancel_scope.cancel()
    return Response(status, [], b"".join(chunks))


# ---- 1. sniffing is linear and parsing is off the event loop ---------------------------------
@pytest.mark.parametrize("name", ["blank.txt", "no name"])
def test_a_file_of_blank_lines_is_sniffed_in_linear_time(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(QuizError):
        load_quiz(b"\n" * 60_000, filename=name)  # about 35 s when sniffing was quadratic
    assert time.perf_counter() - started < 1


@pytest.mark.slow  # seconds of parsing, on purpose
async def test_answers_are_acknowledged_while_slow_files_are_imported(
        server_process: ServerProcess) -> None:
    cookie = await instructor_cookie(server_process)
    blank = b"\n" * 60_000
    # 130,000 GIFT questions: seconds of parsing, done in a worker thread.
    many = b"::q::Which? {=a ~b}\n\n" * 95_000
    async with answering(server_process) as ack_time:
        for raw, name in ((blank, "blank.txt"), (blank, ""), (many, "many.gift")):
            response, times = await acks_while(ack_time, lambda raw=raw, name=name: upload(
                server_process, cookie, raw, name))
            assert response.status == 400, response.text
            assert response.json()["code"] == "bad_quiz"
            assert max(times) < 1, (name, times)


# ---- 2. size limits, before the body is read -------------------------------------------------
async def test_an_upload_over_its_limit_is_refused_before_its_body_is_read(
        server_process: ServerProcess) -> None:
    cookie = {"Cookie": await instructor_cookie(server_process)}
    cases = [  # (path, headers, declared size, what the 413 says)
        (f"{LIB}/import", {"X-Filename": "big.csv"}, 50 * 2**20,
         "This file is 50.0 MB; a quiz file can be at most 2 MB, a .zip bundle with its"
         " pictures 53 MB"),
        ("/api/instructor/quiz", {}, 3 * 2**20,
         "This file is 3.0 MB; a quiz file can be at most 2 MB, a .zip bundle with its"
         " pictures 53 MB"),
        (f"{LIB}/import", {"X-Filename": "week%203.zip"}, 60 * 2**20,
         "This file is 60.0 MB; a quiz file can be at most 2 MB, a .zip bundle with its"
         " pictures 53 MB"),
        (f"{LIB}/media", {}, 6 * 2**20,
         "This picture is 6.0 MB; pictures can be at most 5 MB"),
        (LIB, {"Content-Type": "application/json"}, 3 * 2**20,
         "This request is 3.0 MB; at most 2 MB"),
    ]
    for path, headers, size, words in cases:
        # Only the headers are sent: the answer cannot wait for the body.
        response = await raw_upload(server_process, path, cookie | headers, declared=size)
        assert response.status == 413, (path, response.body)
        limit = 5 * 2**20 if path.endswith("media") else 53 * 2**20 if ".zip" in str(
            headers) else 2 * 2**20
        assert response.json() == {"code": "too_large", "message": words,
                                   "limit_bytes": limit, "size_bytes": size}


async def test_a_body_that_does_not_say_its_size_is_cut_off_at_the_limit(
        server_process: ServerProcess) -> None:
    cookie = {"Cookie": await instructor_cookie(server_process)}
    response = await raw_upload(server_process, f"{LIB}/import",
                                cookie | {"X-Filename": "big.csv"}, b"x" * (3 * 2**20),
                                chunked=True)
    assert response.status == 413
    assert response.json()["message"].startswith("This file is more than 2 MB; a quiz file")
    # A file sent as a bundle that is not one is held to a quiz file's limit.
    response = await upload(server_process, cookie["Cookie"], b"x" * (3 * 2**20), "fake.zip")
    assert response.status == 400
    assert response.json()["problems"] == [
        "the file is 3.0 MB; a quiz file can be at most 2 MB (pictures come in a .zip bundle)"]


async def test_answers_are_acknowledged_while_a_50_mb_csv_is_refused(
        server_process: ServerProcess) -> None:
    cookie = {"Cookie": await instructor_cookie(server_process)}
    big = b"question,correct\n" + b"What?,A\n" * (50 * 2**20 // 8)
    async with answering(server_process) as ack_time:
        response, times = await acks_while(ack_time, lambda: raw_upload(
            server_process, f"{LIB}/import", cookie | {"X-Filename": "big.csv"}, big))
    assert response.status == 413
    assert max(times) < 1, times


# ---- 3. a zip's number of files, before it is parsed ------------------------------------------
def directory_bomb(count: int, *, claimed: int | None = None, decoy: bool = False) -> bytes:
    """A zip of one empty file whose central directory lists it ``count`` times (47 bytes
    each), with a zip64 end record saying so (or a plain one claiming ``claimed``). With
    ``decoy``, the zip64 locator points at a second zip64 record, before the directory,
    claiming one file: ``zipfile`` reads the record just before the locator, wherever it
    points.
    """
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 1, 0) + b"a"
    entry = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
                        0, 0, 0, 0) + b"a"
    directory = entry * count
    decoy_record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1,
                               len(entry), len(local)) if decoy else b""
    start = len(local) + len(decoy_record)
    end = start + len(directory)
    if claimed is not None:
        return local + directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, claimed,
                                               claimed, len(directory), start, 0)
    zip64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count,
                        len(directory), start)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(local) if decoy else end, 1)
    last = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                       0xFFFFFFFF, 0)
    return local + decoy_record + directory + zip64 + locator + last


def test_a_zip_that_lists_too_many_files_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(QuizError) as caught:
        load_quiz(directory_bomb(100_000), filename="bomb.zip")
    assert caught.value.problems == ["the bundle holds 100,000 files; at most 2,000"]
    # Its last record may lie about the count, not about the size of the list.
    with pytest.raises(QuizError) as caught:
        load_quiz(directory_bomb(100_000, claimed=1), filename="bomb.zip")
    assert caught.value.problems == ["the bundle's list of files takes 4.5 MB; at most 2.0 MB"]
    # A locator pointing at a decoy record claiming one file does not hide the real count.
    with pytest.raises(QuizError) as caught:
        load_quiz(directory_bomb(100_000, decoy=True), filename="bomb.zip")
    assert caught.value.problems == ["the bundle holds 100,000 files; at most 2,000"]


async def test_answers_are_acknowledged_while_a_zip_of_a_million_files_is_refused(
        server_process: ServerProcess) -> None:
    cookie = await instructor_cookie(server_process)
    bomb = directory_bomb(1_100_000)
    assert len(bomb) < 53 * 2**20
    async with answering(server_process) as ack_time:
        response, times = await acks_while(
            ack_time, lambda: upload(server_process, cookie, bomb, "bomb.zip"))
    assert response.status == 400, response.text
    assert response.json()["problems"] == ["the bundle holds 1,100,000 files; at most 2,000"]
    assert max(times) < 1, times
