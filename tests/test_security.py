"""Who may do what: origins and hosts, the instructor's powers, cookies, ids and names,
and what the projector may show. Each test runs against a real server on loopback."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import string
from importlib.resources import files
from typing import Any

import pytest
import trio
from quart.testing.connections import WebsocketDisconnectError, WebsocketResponseError
from trio_websocket import ConnectionClosed, ConnectionRejected, connect_websocket_url

from trivia_trio.store import database as db
from trivia_trio.tools.http_client import request
from trivia_trio.web.app import create_app
from trivia_trio.web.auth import Keyring
from trivia_trio.web.server import ServerInfo

from .conftest import (
    INSTRUCTOR_KEY,
    Peer,
    ServerProcess,
    connect,
    get,
    instructor_cookie,
    join,
    make_settings,
    post,
    ws_url,
)

WS_HANDSHAKE = (
    "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
)


async def raw_status(info: ServerInfo, head: str) -> int:
    """Send a hand-written request head; return the status code of the reply."""
    stream = await trio.open_tcp_stream("127.0.0.1", info.port)
    async with stream:
        await stream.send_all(head.encode("latin-1"))
        reply = b""
        with trio.fail_after(5):
            while b"\r\n" not in reply:
                chunk = await stream.receive_some(4096)
                assert chunk, "connection closed without a reply"
                reply += chunk
    return int(reply.split(b" ", 2)[1])


def upgrade(path: str, host: str, **headers: str) -> str:
    extra = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return WS_HANDSHAKE.format(path=path, host=host, extra=extra)


async def closed_code(info: ServerInfo, path: str, cookie: str | None = None) -> int:
    """Open a socket and read until the server closes it; the close code."""
    async with connect(info, path, cookie) as peer:
        try:
            while True:
                await peer.next()
        except ConnectionClosed as closed:
            return closed.reason.code
    raise AssertionError("unreachable")


async def keyring_of(info: ServerInfo) -> Keyring:
    secret = await info.room.store.read(lambda conn: db.get_meta(conn, "cookie_secret"))
    assert secret is not None
    return Keyring(secret, info.instructor_key, info.room.session_id)


# ---- 11: origins and hosts -----------------------------------------------------------------
@pytest.mark.parametrize("origin", ["null", "http://evil.example", "http://127.0.0.1:1",
                                    "http://localhost.evil.example"])
async def test_a_websocket_from_a_foreign_or_null_origin_is_refused_before_accept(
        server: ServerInfo, origin: str) -> None:
    cookie = await join(server, "s1", "Ann")
    for path, who in (("/ws/student", cookie), ("/ws/projector", None),
                      ("/ws/instructor", await instructor_cookie(server))):
        with pytest.raises(ConnectionRejected) as refused:
            async with connect(server, path, who, headers=[("Origin", origin)]):
                raise AssertionError("a cross-site socket was accepted")
        assert refused.value.status_code == 403
    assert server.room.connection_count == 0


async def test_a_websocket_from_our_own_origin_or_with_no_origin_is_accepted(
        server: ServerInfo) -> None:
    for headers in ([("Origin", server.url)], []):
        async with connect(server, "/ws/projector", headers=headers) as projector:
            assert (await projector.next())["type"] == "state"


async def test_a_host_we_do_not_serve_is_refused_on_http_and_websocket(
        server: ServerInfo) -> None:
    """DNS rebinding: a page on evil.example re-pointed at us still says Host: evil.example."""
    good, evil = f"127.0.0.1:{server.port}", f"evil.example:{server.port}"
    close = "Connection: close\r\n"
    assert await raw_status(server, f"GET /healthz HTTP/1.1\r\nHost: {good}\r\n{close}\r\n") \
        == 200
    for path in ("/healthz", "/api/projector", "/", f"/instructor?key={INSTRUCTOR_KEY}"):
        status = await raw_status(server, f"GET {path} HTTP/1.1\r\nHost: {evil}\r\n{close}\r\n")
        assert status in (403, 421), path
    assert await raw_status(server, upgrade("/ws/projector", good)) == 101
    for host, origin in ((evil, f"http://{evil}"), (evil, None)):
        extra = {"Origin": origin} if origin else {}
        assert await raw_status(server, upgrade("/ws/projector", host, **extra)) == 403


# ---- 12: the instructor's powers -----------------------------------------------------------
def _instructor_routes(app: Any) -> list[tuple[str, str, bool]]:
    """(path, method, is_websocket) for every route that belongs to the instructor."""
    found = []
    for rule in app.url_map.iter_rules():
        if "instructor" not in rule.rule:
            continue
        path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", rule.rule)
        if rule.websocket:
            found.append((path, "GET", True))
        else:
            found += [(path, method, False) for method in sorted(rule.methods or ())
                      if method not in ("HEAD", "OPTIONS")]
    return found


async def _status_as(client: Any, path: str, method: str, websocket: bool, address: str,
                     cookie: str | None) -> int:
    """What a client at ``address`` gets: an HTTP status, or 101 / the close code for a socket."""
    headers = {"Cookie": cookie} if cookie else {}
    scope = {"client": (address, 5555)}
    if websocket:
        status = 0
        try:
            async with client.websocket(path, headers=headers, scope_base=scope) as ws:
                json.loads(await ws.receive())
                status = 101
        except* WebsocketResponseError as refused:
            status = refused.exceptions[0].response.status_code  # type: ignore[attr-defined]
        except* WebsocketDisconnectError as closed:
            status = int(str(closed.exceptions[0]))
        return status
    body = b"{}" if method == "POST" else None
    response = await client.open(path, method=method, headers=headers, data=body,
                                 scope_base=scope)
    return response.status_code


@pytest.mark.parametrize("remote_control", [False, True])
async def test_every_instructor_route_needs_the_key_and_loopback_unless_remote_control(
        tmp_path: Any, server: ServerInfo, remote_control: bool) -> None:
    keyring = await keyring_of(server)
    settings = make_settings(tmp_path / "unused", None, remote_control=remote_control)
    app = create_app(server.room, keyring, settings, frozenset({"localhost", "127.0.0.1"}))
    routes = _instructor_routes(app)
    paths = {path for path, _, _ in routes}
    assert {"/instructor", "/ws/instructor", "/api/instructor/clear",
            "/api/instructor/export.csv"} <= paths
    name = keyring.instructor_cookie_name
    good = f"{name}={keyring.instructor_cookie()}"
    forged = f"{name}={Keyring('other', INSTRUCTOR_KEY, 'x').instructor_cookie()}"
    async with app.test_app() as test_app:
        client = test_app.test_client()
        for path, method, websocket in routes:
            for address in ("127.0.0.1", "10.1.2.3", "::1", "192.168.0.7"):
                loopback = address in ("127.0.0.1", "::1")
                for cookie in (None, forged, f"{name}=", f"{name}=garbage"):
                    status = await _status_as(client, path, method, websocket, address, cookie)
                    assert status in (403, 4003), (path, method, address, cookie)
                status = await _status_as(client, path, method, websocket, address, good)
                if loopback or remote_control:
                    assert status not in (401, 403, 4003), (path, method, address)
                else:
                    assert status in (403, 4003), (path, method, address)
        for address in ("127.0.0.1", "10.1.2.3"):
            response = await client.get(f"/instructor?key={INSTRUCTOR_KEY}",
                                        scope_base={"client": (address, 5555)})
            if address == "127.0.0.1" or remote_control:
                assert response.status_code == 303
                assert "HttpOnly" in response.headers["Set-Cookie"]
                assert "SameSite=Strict" in response.headers["Set-Cookie"]
            else:
                assert response.status_code == 403
                assert "Set-Cookie" not in response.headers
            wrong = await client.get("/instructor?key=" + INSTRUCTOR_KEY[:-1],
                                     scope_base={"client": (address, 5555)})
            assert wrong.status_code == 403 and "Set-Cookie" not in wrong.headers


async def test_the_instructor_routes_refuse_a_guessing_student_over_http(
        server: ServerInfo) -> None:
    cookie = await join(server, "s1", "Ann")
    keyring = await keyring_of(server)
    app = create_app(server.room, keyring, make_settings(server.data_dir, None), frozenset())
    for path, method, websocket in _instructor_routes(app):
        if websocket:
            assert await closed_code(server, path, cookie) == 4003
        elif method == "GET":
            assert (await get(server, path, cookie)).status == 403, path
        else:
            response = await request(method, server.url + path, json={"student_id": "s1"},
                                     headers={"Cookie": cookie})
            assert response.status == 403, (method, path)
    assert (await get(server, "/api/me", cookie)).status == 200  # nothing was cleared


# ---- 13: cookies ---------------------------------------------------------------------------
COOKIE_CHARS = string.ascii_letters + string.digits + "-_.=~!*%"


def mutate(cookie: str, rng: random.Random) -> str:
    """Flip, insert or delete one to three characters."""
    text = cookie
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text))
        op = rng.randrange(3)
        if op == 0:
            text = text[:i] + rng.choice(COOKIE_CHARS.replace(text[i], "")) + text[i + 1:]
        elif op == 1:
            text = text[:i] + rng.choice(COOKIE_CHARS) + text[i:]
        elif len(text) > 1:
            text = text[:i] + text[i + 1:]
    return text


@pytest.mark.slow
async def test_ten_thousand_mutated_cookies_are_all_refused(server: ServerInfo) -> None:
    keyring = await keyring_of(server)
    student_cookie = (await join(server, "s1", "Ann")).split("=", 1)[1]
    teacher_cookie = (await instructor_cookie(server)).split("=", 1)[1]
    assert keyring.read_student_cookie(student_cookie) is not None
    assert keyring.is_instructor_cookie(teacher_cookie)
    rng = random.Random(1309)
    students, teachers = set(), set()
    while len(students) < 10_000:
        students.add(mutate(student_cookie, rng))
    while len(teachers) < 10_000:
        teachers.add(mutate(teacher_cookie, rng))
    students.discard(student_cookie)
    teachers.discard(teacher_cookie)
    accepted = [c for c in students if keyring.read_student_cookie(c) is not None]
    assert accepted == []
    assert [c for c in teachers if keyring.is_instructor_cookie(c)] == []
    # A sample over HTTP and websocket, through the whole stack.
    student, teacher = keyring.student_cookie_name, keyring.instructor_cookie_name
    for value in rng.sample(sorted(students), 150):
        assert (await get(server, "/api/me", f"{student}={value}")).status == 401
    for value in rng.sample(sorted(teachers), 150):
        response = await get(server, "/api/instructor/export.csv", f"{teacher}={value}")
        assert response.status == 403
    for value in rng.sample(sorted(students), 5):
        assert await closed_code(server, "/ws/student", f"{student}={value}") == 4001
    for value in rng.sample(sorted(teachers), 5):
        assert await closed_code(server, "/ws/instructor", f"{teacher}={value}") == 4003


async def test_a_cleared_students_and_a_pre_reset_cookie_are_refused(
        server: ServerInfo) -> None:
    teacher = await instructor_cookie(server)
    cleared = await join(server, "s1", "Mallory")
    before_reset = await join(server, "s2", "Bob")
    await post(server, "/api/instructor/clear", {"student_id": "s1"}, teacher)
    async with connect(server, "/ws/instructor", teacher) as instructor:
        await instructor.send({"type": "reset"})
        await instructor.until_tables(lambda dash: dash.joined == 0)
    await join(server, "s2", "Bob")  # the same id in the new run: a new cookie_id
    for cookie in (cleared, before_reset):
        assert (await get(server, "/api/me", cookie)).status == 401
        assert (await post(server, "/api/events", {"kind": "blur"}, cookie)).status == 401
        assert await closed_code(server, "/ws/student", cookie) == 4001


# ---- 14: one id, fifty claims --------------------------------------------------------------
async def test_fifty_concurrent_claims_on_one_id_have_one_winner_and_are_audited(
        server: ServerInfo, settings: Any) -> None:
    statuses: list[int] = []

    async def claim(n: int) -> None:
        response = await post(server, "/api/join", {"student_id": "s42", "name": f"Claim {n}"})
        statuses.append(response.status)
        if response.status == 409:
            assert response.json()["code"] == "duplicate_student_id"

    with trio.fail_after(20):
        async with trio.open_nursery() as nursery:
            for n in range(50):
                nursery.start_soon(claim, n)
    assert sorted(statuses) == [200] + [409] * 49
    with sqlite3.connect(settings.db_path) as conn:
        rows = conn.execute("SELECT count(*) FROM student_events WHERE student_id = 's42' "
                            "AND kind = 'duplicate_join'").fetchone()[0]
        holders = conn.execute("SELECT count(*) FROM participants WHERE student_id = 's42'"
                               ).fetchone()[0]
    assert (rows, holders) == (49, 1)
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        presence = await teacher.until("presence_update")
        assert [row["duplicate_join_attempts"]["count"] for row in presence["rows"]] == [49]


# ---- 9: names and ids ----------------------------------------------------------------------
async def test_ids_and_names_are_normalised_and_hidden_characters_refused(
        server: ServerInfo) -> None:
    cookie = await join(server, "Jose\u0301", "Rene\u0301e")
    me = (await get(server, "/api/me", cookie)).json()
    assert (me["student_id"], me["name"]) == ("Jos\u00e9", "Ren\u00e9e")
    taken = await post(server, "/api/join", {"student_id": "Jos\u00e9", "name": "Other"})
    assert taken.status == 409  # the same id, typed the other way
    longest = "\U0001f600" * 64
    assert (await post(server, "/api/join", {"student_id": "emoji", "name": longest})
            ).status == 200
    assert (await post(server, "/api/join", {"student_id": "heart", "name": "\u2764\ufe0f"})
            ).status == 200  # an emoji with its variation selector shows
    combining = "e\u0301" * 64  # 128 code points, 64 once composed
    assert (await post(server, "/api/join", {"student_id": "long", "name": combining})
            ).status == 200
    refused = ["", "   ", "\t", "a" * 65, "x" * 1000, "bell\x07", "nul\x00", "new\nline",
               "\u202eevil", "a\u200bb", "\u2066iso\u2069", "\ufeffbom", "\ud800", "\ufdd0",
               "\U000e0001tag", "a\u0085b", "a\u2028b", 7, None, ["a"], {"a": 1},
               # drawn as nothing: Hangul fillers, the blank Braille cell, lone marks
               "\u3164", "Ann\u3164", "\u2800", "\u115f", "\u1160", "\uffa0", "\u034f",
               "\u17b4", "\u180e", "\u0301", "\u2003\u0301", "\ufe0f"]
    for bad in refused:
        for body in ({"student_id": bad, "name": "Ok"}, {"student_id": "ok", "name": bad}):
            response = await post(server, "/api/join", body)
            assert response.status == 400, body
            assert response.json()["code"] == "bad_join"
    raw = b'{"student_id": "ok", "name": "\\udc80"}'  # a lone surrogate, escaped
    response = await request("POST", server.url + "/api/join", body=raw,
                             headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "ok" not in server.room.game.participants


XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "{{7*7}}",
       "'; DROP TABLE participants;--", "</script><svg onload=alert(1)>", "&lt;b&gt;"]


async def test_markup_in_names_is_stored_and_returned_as_plain_data(
        server: ServerInfo, settings: Any) -> None:
    cookies = {}
    for n, name in enumerate(XSS):
        response = await post(server, "/api/join", {"student_id": f"x{n}<b>", "name": name})
        assert response.status == 200
        assert response.header("content-type") == "application/json"
        assert response.json()["name"] == name
        cookies[n] = response.cookie_pair("tt_student_")
    for n, name in enumerate(XSS):
        me = await get(server, "/api/me", cookies[n])
        assert me.json()["name"] == name and me.json()["student_id"] == f"x{n}<b>"
        assert me.header("x-content-type-options") == "nosniff"
    with sqlite3.connect(settings.db_path) as conn:
        stored = {row[0] for row in conn.execute("SELECT name FROM participants")}
    assert stored == set(XSS)
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        lobby = await teacher.until("lobby_update")
        assert {p["name"] for p in lobby["participants"]} == set(XSS)
    page = await get(server, "/")
    assert all(name not in page.text for name in XSS)
    assert "script-src 'self'" in (page.header("content-security-policy") or "")


def test_pages_never_turn_data_into_markup() -> None:
    """Everything a user typed is drawn with textContent: no HTML sinks in our scripts."""
    static = files("trivia_trio").joinpath("static")
    scripts = [entry for entry in static.iterdir() if entry.name.endswith(".js")]
    assert scripts
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                     "eval(", "new Function"):
            assert sink not in text, (script.name, sink)


# ---- 15: the projector -----------------------------------------------------------------------
async def test_the_projector_never_shows_a_student_id_or_live_counts_unless_asked(
        server: ServerInfo, nursery: trio.Nursery) -> None:
    ids = ["ID-7731-alpha", "ID-7732-beta", "ID-7733-gamma"]
    cookies = [await join(server, sid, f"Student {n}") for n, sid in enumerate(ids)]
    seen: list[str] = []

    async def over_http() -> dict[str, Any]:
        response = await get(server, "/api/projector")
        seen.append(response.text)
        return response.json()

    def open_without_counts(state: dict[str, Any]) -> None:
        if state.get("state") == "question_open" and state.get("live_histogram"):
            assert "counts" not in state["live_histogram"], state

    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher, \
            connect(server, "/ws/projector") as projector:
        students = [Peer(await connect_websocket_url(
            nursery, ws_url(server, "/ws/student"), extra_headers=[("Cookie", cookie)]))
            for cookie in cookies]
        for idx in range(2):
            await teacher.send({"type": "next"})
            for n, student in enumerate(students):
                await student.until("question_open", question_idx=idx)
                await student.request({"type": "submit", "question_idx": idx,
                                       "answer": "AB"[n % 2]}, "submit_ack")
            state = await projector.until("projector_state", state="question_open")
            while state["live_histogram"]["submitted_count"] < 3:
                open_without_counts(state)
                state = await projector.until("projector_state", state="question_open")
            open_without_counts(state)
            open_without_counts(await over_http())
            await teacher.send({"type": "close_question"})
            closed = await projector.until("projector_state", state="question_closed")
            assert sum(closed["live_histogram"]["counts"].values()) == 3
            await over_http()
        await teacher.send({"type": "projector_live_answers", "on": True})
        await teacher.send({"type": "next"})
        live = await projector.until("projector_state", state="question_open")
        while "counts" not in live["live_histogram"]:
            live = await projector.until("projector_state", state="question_open")
        assert "counts" in (await over_http())["live_histogram"]
        await teacher.send({"type": "end_session"})
        await projector.until("projector_state", state="finished")
        await over_http()
        for student in students:
            await student.ws.aclose()
    seen += [json.dumps(message) for message in projector.seen]
    for text in seen:
        assert not any(sid in text for sid in ids), text
        assert "student_id" not in text and "is_you" not in text


# ---- pages on another port, and two servers on one laptop ----------------------------------
def _state_changing_routes(info: ServerInfo) -> list[tuple[str, str]]:
    """(method, path) of every route that changes something, the student's own included."""
    app = create_app(info.room, Keyring("x", INSTRUCTOR_KEY, "x"),
                     make_settings(info.data_dir, None), frozenset())
    found = []
    for rule in app.url_map.iter_rules():
        if rule.websocket:
            continue
        path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", rule.rule)
        found += [(method, path) for method in sorted(rule.methods or ())
                  if method not in ("GET", "HEAD", "OPTIONS")]
    return found


async def test_a_change_sent_from_a_page_on_another_port_is_refused_and_changes_nothing(
        server: ServerInfo) -> None:
    """SameSite cookies ignore ports: a page on 127.0.0.1:other carries the instructor's
    cookie, so only the request's Origin (or Sec-Fetch-Site) tells it apart."""
    teacher = await instructor_cookie(server)
    student = await join(server, "s1", "Ann")
    cookies = f"{teacher}; {student}"
    routes = _state_changing_routes(server)
    assert ("POST", "/api/instructor/library") in routes and ("POST", "/api/join") in routes
    assert ("PUT", "/api/instructor/library/1") in routes
    quiz = {"title": "Planted", "questions": [
        {"text": "Yes?", "options": ["Yes", "No"], "correct": "A"}]}
    other_port = f"http://127.0.0.1:{server.port + 1}"
    foreign = [{"Origin": other_port}, {"Origin": "null"}, {"Origin": "http://evil.example"},
               {"Origin": other_port, "Sec-Fetch-Site": "same-origin"},
               {"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "cross-site"}]
    library_before = (await get(server, "/api/instructor/library", teacher)).json()
    for method, path in routes:
        for headers in foreign:
            response = await request(method, server.url + path,
                                     json={"quiz": quiz, "student_id": "s1", "name": "Eve",
                                           "kind": "blur"},
                                     headers={"Cookie": cookies, **headers})
            assert response.status == 403, (method, path, headers)
            assert response.json()["code"] == "cross_origin"
    assert (await get(server, "/api/instructor/library", teacher)).json() == library_before
    assert (await get(server, "/api/me", student)).status == 200  # not cleared
    # Our own pages, and clients that are no browser page, still work.
    for headers in ({"Origin": server.url}, {"Sec-Fetch-Site": "same-origin"}, {}):
        response = await request("POST", server.url + "/api/instructor/library",
                                 json={"quiz": quiz}, headers={"Cookie": teacher, **headers})
        assert response.status == 200, headers
    # Downloads stay as they are: a link from elsewhere may open them.
    response = await request("GET", server.url + "/api/instructor/export.csv",
                             headers={"Cookie": teacher, "Origin": other_port,
                                      "Sec-Fetch-Site": "same-site"})
    assert response.status == 200


async def test_two_servers_on_one_laptop_name_their_cookies_apart_and_keep_joins_on_restart(
        tmp_path: Any, quiz_path: Any) -> None:
    """A browser keeps one cookie per name and host, whatever the port: two servers'
    cookies must have different names, so opening one does not log the other out."""
    first = ServerProcess(tmp_path / "first", quiz_path)
    second = ServerProcess(tmp_path / "second", quiz_path)
    first.start()
    second.start()
    jar: dict[str, str] = {}  # what a browser on this laptop holds for 127.0.0.1
    for proc in (first, second):
        for pair in (await instructor_cookie(proc), await join(proc, "s1", "Ann")):
            name, _, value = pair.partition("=")
            jar[name] = value
    assert len(jar) == 4, jar  # nothing overwritten
    browser_cookies = "; ".join(f"{name}={value}" for name, value in jar.items())
    for proc in (first, second):
        assert (await get(proc, "/api/me", browser_cookies)).status == 200
        assert (await get(proc, "/api/instructor/runs", browser_cookies)).status == 200
    first.restart()
    assert (await get(first, "/api/me", browser_cookies)).json()["student_id"] == "s1"
    assert (await get(first, "/api/instructor/runs", browser_cookies)).status == 200


async def test_only_the_projector_page_may_be_framed_and_only_by_our_own_pages(
        server: ServerInfo) -> None:
    """The editor shows the projector page in a frame as its preview; every other page
    refuses to be framed at all."""
    projector = (await get(server, "/projector")).header("content-security-policy") or ""
    assert "frame-ancestors 'self'" in projector and "script-src 'self'" in projector
    for path in ("/", f"/instructor?key={server.instructor_key}"):
        policy = (await get(server, path)).header("content-security-policy") or ""
        assert "frame-ancestors 'none'" in policy, path
