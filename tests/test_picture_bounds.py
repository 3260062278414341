"""A quiz never crashes the phones: a picture is bounded by the pixels it declares, not
only by its bytes, and one over the bounds is refused with its size, never served."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from trivia_trio.core.picture_size import dimensions
from trivia_trio.core.pictures import check_picture, media_name
from trivia_trio.core.quiz import QuizError
from trivia_trio.store.media import MediaStore
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.tools.http_client import request
from trivia_trio.web.server import ServerInfo

from . import picture_headers as headers
from .conftest import instructor_cookie
from .test_upload_limits import raw_upload

MEDIA = "/api/instructor/library/media"
BOMB = headers.png(20_000, 20_000) + b"\x00" * 1024  # 1.6 GB once a phone decodes it


@pytest.mark.parametrize(("data", "ext", "size"), [
    (headers.png(640, 480), "png", (640, 480)),
    (headers.jpeg(1024, 768), "jpg", (1024, 768)),
    (headers.gif(300, 200), "gif", (300, 200)),
    (headers.gif(10, 10, ((0, 0, 20_000, 20_000),)), "gif", (20_000, 20_000)),
    (headers.gif(10, 10, ((5, 5, 2, 2), (100, 50, 10, 10))), "gif", (110, 60)),
    (headers.webp(800, 600, "VP8 "), "webp", (800, 600)),
    (headers.webp(800, 600, "VP8L"), "webp", (800, 600)),
    (headers.webp(100_000, 100_000, "VP8X"), "webp", (100_000, 100_000)),
])
def test_the_size_is_read_from_the_header_of_every_type(
        data: bytes, ext: str, size: tuple[int, int]) -> None:
    assert dimensions(data, ext) == size


@pytest.mark.parametrize(("width", "height", "usable"), [
    (16_384, 2_000, True), (6_000, 6_000, True), (16_385, 10, False), (10, 16_385, False),
    (8_000, 6_000, False), (20_000, 20_000, False)])
def test_a_picture_is_bounded_by_its_pixels_and_told_its_size(
        width: int, height: int, usable: bool) -> None:
    for data in (headers.png(width, height), headers.jpeg(width, height),
                 headers.webp(width, height)):
        name, problem = check_picture(data, "you added")
        assert (name is not None) is usable, (data[:4], problem)
        if not usable:
            assert problem == (f"the picture you added is {width:,} × {height:,} pixels;"
                               " at most 16,384 pixels a side and 40 megapixels")


def test_a_header_that_cannot_be_read_is_refused() -> None:
    for damaged, kind in ((b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
                          (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 16, "JPG"),
                          (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x03" * 64, "WEBP"),
                          (headers.png(0, 10), "PNG")):
        assert check_picture(damaged, "x") == (
            None, f"the picture x is a damaged {kind}: its size cannot be read")


async def test_a_picture_bomb_added_in_the_editor_is_refused_with_its_size(
        server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    response = await request("POST", server.url + MEDIA, body=BOMB,
                             headers={"Cookie": cookie})
    assert response.status == 400, response.text
    assert response.json() == {
        "code": "bad_picture", "message": "the picture you added is 20,000 × 20,000 pixels;"
        " at most 16,384 pixels a side and 40 megapixels"}


def test_a_picture_bomb_in_a_bundle_is_a_problem_of_its_question() -> None:
    quiz = {"title": "P", "questions": [{"kind": "slide", "text": "Look", "image": "big.png"}]}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("quiz.json", json.dumps(quiz))
        archive.writestr("big.png", BOMB)
    with pytest.raises(QuizError) as caught:
        load_quiz(out.getvalue(), filename="week.zip")
    assert caught.value.problems == [
        'question 1: the picture "big.png" is 20,000 × 20,000 pixels; at most 16,384 pixels'
        " a side and 40 megapixels"]


async def test_a_picture_bomb_kept_before_the_bounds_is_never_served(
        server: ServerInfo, tmp_path: Path) -> None:
    name = media_name(BOMB, "png")
    folder = tmp_path / "data" / "media"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(BOMB)
    assert MediaStore(folder).read(name) is None
    response = await request("GET", f"{server.url}/media/{name}")
    assert response.status == 404


# ---- 8. a picture over 5 MB: the editor learns the limit, the server says it in JSON ---------
async def test_a_picture_over_5_mb_is_a_json_413_in_the_editors_words(
        server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    six_mb = headers.png(64, 64) + b"\x00" * (6 * 2**20 - 64)
    # Sent as a browser sends it: the answer is read while the body goes out.
    response = await raw_upload(server, MEDIA, {"Cookie": cookie}, six_mb)
    assert response.status == 413
    assert response.json()["message"] == "This picture is 6.0 MB; pictures can be at most 5 MB"
    entry = await request("GET", server.url + "/api/instructor/library", headers={
        "Cookie": cookie})
    quiz_id = entry.json()["quizzes"][0]["quiz_id"]
    kept = await request("GET", f"{server.url}/api/instructor/library/{quiz_id}",
                         headers={"Cookie": cookie})
    assert kept.json()["picture_max_bytes"] == 5 * 2**20


# ---- 9. a question's image names a picture the library holds --------------------------------
async def test_a_saved_image_must_be_a_picture_the_library_holds(server: ServerInfo) -> None:
    cookie = {"Cookie": await instructor_cookie(server)}
    lib = server.url + "/api/instructor/library"
    picture = headers.png(64, 48) + b"held"
    added = await request("POST", server.url + MEDIA, body=picture, headers=cookie)
    held = added.json()["image"]
    strangers = ["nope.png", "../../trivia_trio.sqlite3", "javascript:alert(1)",
                 media_name(headers.png(1, 1), "png")]
    quiz = {"title": "Pictures", "questions": [
        {"kind": "slide", "text": f"Look {n}", "image": image}
        for n, image in enumerate([held, *strangers], 1)]}
    saved = await request("POST", lib, json={"quiz": quiz}, headers=cookie)
    assert saved.status == 200
    assert saved.json()["draft"] is True
    assert saved.json()["problems"] == [
        f"question {n}: the picture {json.dumps(image)}: not a picture the library holds"
        " (add pictures in the editor)" for n, image in enumerate(strangers, 2)]
    quiz_id = saved.json()["quiz_id"]
    run = await request("POST", f"{lib}/{quiz_id}/run", headers=cookie)
    assert run.status == 409 and run.json()["code"] == "draft"

    quiz["questions"] = quiz["questions"][:1]
    saved = await request("PUT", f"{lib}/{quiz_id}", json={"quiz": quiz}, headers=cookie)
    assert saved.json()["draft"] is False
    # A quiz file uploaded alone may name the pictures the library holds by their names.
    imported = await request("POST", f"{lib}/import", body=json.dumps(quiz | {
        "title": "Again"}).encode(), headers=cookie | {"X-Filename": "again.json"})
    assert imported.status == 200, imported.text
