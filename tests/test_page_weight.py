"""What a page costs the room's Wi-Fi: one stylesheet and one script per page, named by
their content and kept by browsers for good, gzipped for those that accept it, the pages
themselves revalidated to a 304; counted in requests and bytes, never timed."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from typing import Any

import pytest

from trivia_trio.tools.http_client import Response, request
from trivia_trio.web.server import ServerInfo

from .conftest import get, instructor_cookie

KB = 1024
STUDENT_PAGE_LIMIT = 40 * KB  # first load, gzipped, headers included (issue 26)
IMMUTABLE = "public, max-age=31536000, immutable"
HASHED = re.compile(r"/static/[\w./-]+\.([0-9a-f]{12})\.\w+$")
LINKS = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
SCRIPTS = re.compile(r'<script src="([^"]+)"></script>')
GZIP = {"Accept-Encoding": "gzip, deflate"}


def wire_bytes(response: Response) -> int:
    """The response as sent: status line, headers and body."""
    return len("HTTP/1.1 200 \r\n\r\n") + len(response.body) + sum(
        len(name) + len(value) + 4 for name, value in response.headers)


def body(response: Response) -> bytes:
    encoded = response.header("content-encoding")
    assert encoded in (None, "gzip"), encoded
    return gzip.decompress(response.body) if encoded == "gzip" else response.body


async def fetch(server: ServerInfo, path: str, headers: dict[str, str]) -> Response:
    response = await request("GET", server.url + path, headers=headers)
    assert response.status == 200, (path, response.status, response.text)
    return response


async def load_page(server: ServerInfo, path: str,
                    headers: dict[str, str]) -> dict[str, Response]:
    """A page and every static file it asks for before anyone does anything: its
    stylesheet, its script, and the catalog of the language it shows (English here)."""
    page = await fetch(server, path, headers)
    html = body(page).decode()
    (stylesheet,), (script,) = LINKS.findall(html), SCRIPTS.findall(html)
    loaded = {path: page, stylesheet: await fetch(server, stylesheet, headers),
              script: await fetch(server, script, headers)}
    catalog = static_urls(body(loaded[script]))["catalogs"]["en"]
    loaded[catalog] = await fetch(server, catalog, headers)
    return loaded


def static_urls(script: bytes) -> dict[str, Any]:
    """What a page's script loads later, by hashed name (set at the top of the script)."""
    urls = re.match(rb'"use strict";\nconst STATIC_URLS = (.*);\n', script)
    assert urls is not None
    return json.loads(urls.group(1))  # type: ignore[no-any-return]


async def student_page_urls(server: ServerInfo) -> dict[str, Any]:
    page = await load_page(server, "/", {})
    return static_urls(next(r.body for path, r in page.items() if path.endswith(".js")))


async def test_the_student_page_is_four_requests_and_under_40_kb_gzipped(
        server: ServerInfo) -> None:
    plain = await load_page(server, "/", {})
    packed = await load_page(server, "/", GZIP)
    assert len(plain) == len(packed) == 4  # the page, one stylesheet, one script, one catalog
    for path, response in packed.items():
        assert response.header("content-encoding") == "gzip", path
        assert response.header("vary") == "Accept-Encoding", path
        assert body(response) == plain[path].body, path
        assert plain[path].header("content-encoding") is None, path
    plain_total = sum(map(wire_bytes, plain.values()))
    packed_total = sum(map(wire_bytes, packed.values()))
    print(f"student page: {len(packed)} requests, {plain_total / KB:.1f} KB plain, "
          f"{packed_total / KB:.1f} KB gzipped")
    assert packed_total <= STUDENT_PAGE_LIMIT - 1 * KB  # and /api/me, under 1 KB, fits too
    assert plain_total > 3 * packed_total


@pytest.mark.parametrize("refused", ["identity", "gzip;q=0", "br"])
async def test_a_browser_that_does_not_take_gzip_gets_plain_bytes(
        server: ServerInfo, refused: str) -> None:
    page = await fetch(server, "/", {"Accept-Encoding": refused})
    assert page.header("content-encoding") is None
    assert page.body.startswith(b"<!doctype html>")


async def test_each_page_has_one_stylesheet_and_one_script_named_by_content_kept_for_good(
        server: ServerInfo) -> None:
    cookie = await instructor_cookie(server)
    headers = {"Cookie": cookie, **GZIP}
    quizzes = (await get(server, "/api/instructor/library", cookie)).json()["quizzes"]
    for path in ("/", "/projector", "/instructor",
                 f"/instructor/editor?quiz={quizzes[0]['quiz_id']}"):
        page = await fetch(server, path, headers)
        assert page.header("cache-control") == "no-cache", path
        html = body(page).decode()
        files = LINKS.findall(html) + SCRIPTS.findall(html)
        assert len(files) == 2, (path, files)
        for url in files:
            named = HASHED.search(url)
            assert named is not None, url
            asset = await fetch(server, url, headers)
            assert hashlib.sha256(body(asset)).hexdigest()[:12] == named.group(1), url
            assert asset.header("cache-control") == IMMUTABLE, url
            # Never a page: nosniff, and none of a document's policies.
            assert asset.header("x-content-type-options") == "nosniff", url
            assert asset.header("content-security-policy") is None, url
        assert "script-src 'self'" in (page.header("content-security-policy") or ""), path


async def test_a_page_the_browser_holds_is_revalidated_with_a_304(server: ServerInfo) -> None:
    for headers in ({}, GZIP):
        page = await fetch(server, "/", headers)
        etag = page.header("etag")
        assert etag and etag.startswith('W/"')
        again = await request("GET", server.url + "/", headers={**headers, "If-None-Match": etag})
        assert again.status == 304 and again.body == b""
        assert again.header("etag") == etag
        stale = await request("GET", server.url + "/", headers={**headers,
                                                                  "If-None-Match": 'W/"old"'})
        assert stale.status == 200


async def test_plain_file_names_still_work_and_are_revalidated(server: ServerInfo) -> None:
    for name in ("i18n.js", "question-kinds.js", "i18n/fr.json", "katex/katex.min.css"):
        response = await fetch(server, f"/static/{name}", GZIP)
        assert response.header("cache-control") == "no-cache", name
        assert response.header("etag"), name


@pytest.mark.parametrize("path", ["/", "/projector"])
async def test_a_page_gets_the_texts_it_names_in_the_language_it_shows_and_no_others(
        server: ServerInfo, path: str) -> None:
    loaded = await load_page(server, path, {})
    html = loaded[path].text
    script = next(response.text for url, response in loaded.items() if url.endswith(".js"))
    english = json.loads((await fetch(server, "/static/i18n/en.json", {})).body)
    named = set(re.findall(r'data-i18n[\w-]*="([^"]+)"', html)) | {
        key for key in re.findall(r'"([a-z_]+(?:\.[a-z_0-9]+)+)"', script) if key in english}
    assert len(named) > 20
    quoted = set(re.findall(r"[\"']([\w.-]+)[\"']", html + script))
    urls = static_urls(loaded[next(url for url in loaded if url.endswith(".js"))].body)
    assert set(urls["catalogs"]) >= {"en", "fr", "ar", "zh-CN"}
    for code, url in urls["catalogs"].items():
        served = json.loads((await fetch(server, url, {})).body)
        own = json.loads((await fetch(server, f"/static/i18n/{code}.json", {})).body)
        assert served["catalog"].items() <= own.items(), code
        assert named <= served["catalog"].keys() | served["fallback"].keys(), code
        assert served["fallback"] == {key: english[key] for key in english
                                      if key not in own and key in served["fallback"]}, code
        # Only the texts the page quotes the key of (or, for a server's codes, its
        # first part): not the dashboard's.
        assert all(key in quoted or key.partition(".")[0] in quoted
                   for key in served["catalog"]), code
        assert not [key for key in served["catalog"] if key.startswith("dashboard.")], code


async def test_katex_asks_for_woff2_fonts_only_each_by_its_hashed_name(
        server: ServerInfo) -> None:
    urls = await student_page_urls(server)
    style = (await fetch(server, urls["katexStyle"], {})).body.decode()
    fonts = re.findall(r"url\(([^)]+)\)", style)
    assert len(fonts) == style.count("@font-face") >= 20
    for font in fonts:
        assert HASHED.search(font) and font.endswith(".woff2"), font
        response = await fetch(server, font, GZIP)
        assert response.header("content-encoding") is None  # woff2 is compressed already
        assert response.header("content-type") == "font/woff2"
