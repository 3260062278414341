"""Pictures: checked from their bytes, from beside a quiz file or inside a quiz bundle,
kept by content hash and served as immutable files a class fetches once.

The pictures here are real file headers followed by filler: only the first
bytes decide a picture's type, and their hash decides its name.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import trio

from trivia_trio.core.pictures import MAX_PICTURE_BYTES, media_name, picture_type
from trivia_trio.core.quiz import QuizError
from trivia_trio.store.media import MediaStore
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.tools.http_client import request
from trivia_trio.web.server import ServerInfo

from . import picture_headers
from .conftest import connect, instructor_cookie, join, make_settings

BUDGET_S = 60
PNG = picture_headers.png(40, 30) + b"\x00" * 64
JPEG = picture_headers.jpeg(40, 30) + b"\x01" * 64
GIF = picture_headers.gif(40, 30) + b"\x02" * 64
WEBP = picture_headers.webp(40, 30, "VP8 ") + b"\x03" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def quiz_naming(*images: str, **extra: object) -> dict:
    return {"title": "Pictures", "questions": [
        {"kind": "slide", "text": f"Look {i}", "image": image, **extra}
        for i, image in enumerate(images, 1)]}


def bundle(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def problems_of(source: Path | bytes, filename: str | None = None) -> list[str]:
    with pytest.raises(QuizError) as caught:
        load_quiz(source, filename=filename)
    return caught.value.problems


# ---- what a picture is ---------------------------------------------------------------------
def test_the_type_comes_from_the_bytes_never_the_name() -> None:
    assert [picture_type(data) for data in (PNG, JPEG, GIF, WEBP)] == ["png", "jpg", "gif",
                                                                        "webp"]
    assert picture_type(SVG) is None
    assert picture_type(b"GIF88a") is None and picture_type(b"") is None


def test_pictures_beside_the_quiz_file_load_by_content_hash(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "cell.png").write_bytes(PNG)
    (tmp_path / "photo.jpeg").write_bytes(JPEG)
    (tmp_path / "quiz.json").write_text(json.dumps(quiz_naming("pics/cell.png", "photo.jpeg",
                                                               "pics/cell.png")))
    quiz = load_quiz(tmp_path / "quiz.json")
    names = [q.image for q in quiz.questions]
    assert names == [media_name(PNG, "png"), media_name(JPEG, "jpg"), media_name(PNG, "png")]
    assert dict(quiz.media) == {media_name(PNG, "png"): PNG, media_name(JPEG, "jpg"): JPEG}
    assert quiz.to_dict()["questions"][0]["image"] == names[0]


def test_every_picture_problem_is_listed_at_once_with_its_question(tmp_path: Path) -> None:
    (tmp_path / "drawing.svg.png").write_bytes(SVG)
    (tmp_path / "huge.png").write_bytes(PNG + b"\x00" * MAX_PICTURE_BYTES)
    (tmp_path / "quiz.json").write_text(json.dumps(quiz_naming(
        "missing.png", "drawing.svg.png", "huge.png", "../outside.png", "/etc/passwd")))
    problems = problems_of(tmp_path / "quiz.json")
    assert [p.split(":")[0] for p in problems] == [f"question {n}" for n in range(1, 6)]
    assert "no such file beside the quiz file" in problems[0]
    assert problems[1] == ('question 2: the picture "drawing.svg.png" is not a PNG, JPEG, GIF'
                           " or WebP image")
    assert problems[2] == 'question 3: the picture "huge.png" is 5.0 MB; at most 5 MB'
    assert "name a file beside the quiz file" in problems[3] and \
        "name a file beside the quiz file" in problems[4]


def test_a_quiz_holds_at_most_50_mb_of_pictures(tmp_path: Path) -> None:
    names = []
    for n in range(11):  # 11 different pictures of 4.9 MB each
        name = f"p{n}.png"
        (tmp_path / name).write_bytes(PNG + bytes([n]) * (MAX_PICTURE_BYTES - 200_000))
        names.append(name)
    (tmp_path / "quiz.json").write_text(json.dumps(quiz_naming(*names)))
    assert problems_of(tmp_path / "quiz.json") == [
        'question 11: with the picture "p10.png" the pictures add up to more than 50 MB']


def test_an_uploaded_file_that_is_not_a_bundle_cannot_bring_pictures() -> None:
    raw = json.dumps(quiz_naming("cell.png")).encode()
    assert problems_of(raw, "quiz.json") == [
        'question 1: the picture "cell.png": pictures come with their quiz: upload a .zip'
        " bundle holding quiz.json and its pictures"]


# ---- quiz bundles ---------------------------------------------------------------------------
def test_a_bundle_brings_its_quiz_and_pictures_and_its_name_is_the_title() -> None:
    quiz_json = quiz_naming("img/a.webp", "b.gif")
    del quiz_json["title"]
    raw = bundle({"quiz.json": json.dumps(quiz_json).encode(), "img/a.webp": WEBP,
                  "b.gif": GIF, "notes.txt": b"unused"})
    quiz = load_quiz(raw, filename="Week 3.zip")
    assert quiz.title == "Week 3"
    assert [q.image for q in quiz.questions] == [media_name(WEBP, "webp"), media_name(GIF, "gif")]


@pytest.mark.slow
def test_a_bundle_never_reads_outside_itself_nor_past_its_bounds() -> None:
    bomb = PNG + b"\x00" * (200 * 2**20)  # 200 MB of zeros: about 200 KB compressed
    raw = bundle({"quiz.json": json.dumps(quiz_naming("../../etc/passwd", "bomb.png",
                                                      "/quiz.json")).encode(),
                  "bomb.png": bomb, "../../etc/passwd": PNG})
    assert len(raw) < 2**20
    assert problems_of(raw, "evil.zip") == [
        'question 1: the picture "../../etc/passwd": no such file in the bundle',
        'question 2: the picture "bomb.png": it is larger than 5 MB',
        'question 3: the picture "/quiz.json": no such file in the bundle',
    ]


@pytest.mark.parametrize(("raw", "problem"), [
    (bundle({"questions.json": b"{}"}), "no quiz.json at the root of the bundle"),
    (bundle({"sub/quiz.json": b"{}"}), "no quiz.json at the root of the bundle"),
    (b"PK\x03\x04 not really a zip", "not a readable .zip file"),
    (bundle({"quiz.json": b"{" * 10 + b"\x00" * (3 * 2**20)}),
     "quiz.json cannot be read: it is larger than 2 MB"),
])
def test_a_broken_bundle_is_refused_saying_why(raw: bytes, problem: str) -> None:
    (found,) = problems_of(raw, "b.zip")
    assert found.startswith(problem)


# ---- the data folder and the route ----------------------------------------------------------
def test_the_media_store_writes_each_picture_once_and_reads_it_once(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    name = media_name(PNG, "png")
    store.save({name: PNG})
    store.save({name: b"never written: the name is taken"})
    assert (tmp_path / "media" / name).read_bytes() == PNG
    assert [store.read(name) for _ in range(5)] == [PNG] * 5
    assert store.disk_reads == 1
    assert store.read("../trivia_trio.sqlite3") is None
    assert store.read("0" * 64 + ".svg") is None
    assert list((tmp_path / "media").iterdir()) == [tmp_path / "media" / name]


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    """A quiz bundle: a slide and a question, each with a picture of 1 MB."""
    big = PNG + b"\x07" * (2**20 - len(PNG))
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle({
        "quiz.json": json.dumps({"title": "Pictured", "questions": [
            {"kind": "choice", "text": "Which cell?", "options": ["a", "b"], "correct": "A",
             "image": "big.png"},
            {"kind": "slide", "text": "Look", "image": "small.jpg"},
        ]}).encode(),
        "big.png": big, "small.jpg": JPEG}))
    return path


@pytest.mark.slow
async def test_300_phones_fetching_a_1_mb_picture_cost_one_read_and_it_is_immutable(
        server: ServerInfo) -> None:
    assert server.media is not None
    with trio.fail_after(BUDGET_S):
        sid = await join(server, "s1", "Ada")
        teacher = await instructor_cookie(server)
        async with connect(server, "/ws/student", sid) as student, \
                connect(server, "/ws/instructor", teacher) as instructor:
            await instructor.send({"type": "open_question", "question_idx": 0})
            opened = await student.until("question_open")
        url = opened["image"]
        assert url.startswith("/media/") and url.endswith(".png")
        bodies: list[bytes] = []
        limiter = trio.CapacityLimiter(50)

        async def phone() -> None:
            async with limiter:
                response = await request("GET", server.url + url)
            assert response.status == 200
            assert response.header("cache-control") == "public, max-age=31536000, immutable"
            assert response.header("content-type") == "image/png"
            bodies.append(response.body)

        started = trio.current_time()
        async with trio.open_nursery() as nursery:
            for _ in range(300):
                nursery.start_soon(phone)
        print(f"\n300 fetches of a 1 MiB picture: {trio.current_time() - started:.2f} s,"
              f" disk reads: {server.media.disk_reads}")
        again = await request("GET", server.url + url,
                              headers={"If-None-Match": response_etag(server, url)})
    assert len(bodies) == 300 and len(set(bodies)) == 1 and len(bodies[0]) == 2**20
    assert server.media.disk_reads == 1
    assert again.status == 304 and again.body == b""
    missing = await request("GET", server.url + "/media/" + "0" * 64 + ".png")
    assert missing.status == 404


def response_etag(server: ServerInfo, url: str) -> str:
    return '"' + url.removeprefix("/media/").partition(".")[0] + '"'


async def test_a_bundle_uploaded_from_the_dashboard_serves_its_pictures(
        nursery: trio.Nursery, tmp_path: Path) -> None:
    from trivia_trio.web.server import serve

    settings = make_settings(tmp_path / "data2", None)
    info = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
    raw = bundle({"quiz.json": json.dumps(quiz_naming("p.gif")).encode(), "p.gif": GIF})
    assert len(raw) < settings.limits.quiz_max_bytes * 30
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(info)
        big_bundle = bundle({"quiz.json": json.dumps(quiz_naming("p.gif")).encode(),
                             "p.gif": GIF, "filler.bin": b"\x00" * (3 * 2**20)},
                            zipfile.ZIP_STORED)
        accepted = await request("POST", info.url + "/api/instructor/quiz", body=big_bundle,
                                 headers={"Cookie": teacher, "X-Filename": "week.zip"})
        assert accepted.status == 200, accepted.body
        assert accepted.json()["title"] == "Pictures"
        picture = await request("GET", info.url + "/media/" + media_name(GIF, "gif"))
        # The quiz library's import takes a bundle too, and keeps its pictures.
        imported = await request(
            "POST", info.url + "/api/instructor/library/import",
            body=bundle({"quiz.json": json.dumps(quiz_naming("p.jpg")).encode(), "p.jpg": JPEG,
                         "filler.bin": b"\x01" * (3 * 2**20)}, zipfile.ZIP_STORED),
            headers={"Cookie": teacher, "X-Filename": "other.zip"})
        assert imported.status == 200, imported.body
        jpeg = await request("GET", info.url + "/media/" + media_name(JPEG, "jpg"))
    assert (jpeg.status, jpeg.body) == (200, JPEG)
    assert (picture.status, picture.body) == (200, GIF)
    assert (tmp_path / "data2" / "media" / media_name(GIF, "gif")).read_bytes() == GIF
    # Only the uploads take a bundle's size; every other body keeps the quiz file's bound:
    # refused with 413, or cut off while it is still being sent.
    try:
        too_big = await request("POST", info.url + "/api/join", body=b"\x00" * (3 * 2**20))
    except (trio.BrokenResourceError, OSError):
        pass
    else:
        assert too_big.status == 413
