"""Only the room's own projector makes buttons-only phones show only buttons.

A buttons-only run (core/phones.py) sends the phones the whole question while no
projector is open. Any socket to the public projector page used to count as one, so a
student who opened /projector on their phone switched every phone to buttons only.
Now the big screen is the one opened by the instructor's browser (their cookie) or
paired through the dashboard's projector link (a key traded for a projector cookie);
any other copy of the page still shows the public view. A real server, real
websockets and HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trivia_trio.web.server import ServerInfo

from .conftest import THREE_QUESTIONS, Peer, connect, get, instructor_cookie, join

BUTTONS_ONLY = THREE_QUESTIONS | {"phones": "buttons"}


@pytest.fixture
def quiz_path(tmp_path: Path) -> Path:
    path = tmp_path / "buttons.json"
    path.write_text(json.dumps(BUTTONS_ONLY))
    return path


async def phone_snapshot(server: ServerInfo, cookie: str) -> dict[str, Any]:
    """The open question as a phone that connects now is sent it."""
    async with connect(server, "/ws/student", cookie) as phone:
        return await phone.until("question_open")


async def pair(server: ServerInfo, link: str) -> str:
    """Open the dashboard's projector link as a browser would: its key is traded for a
    projector cookie and dropped from the address bar."""
    response = await get(server, link)
    assert (response.status, response.header("location")) == (303, "/projector")
    cookie = response.cookie_pair("tt_projector_")
    assert cookie is not None, response.headers
    assert "httponly" in response.header("set-cookie").lower()
    return cookie


async def the_room_projector_makes_the_phone_show_buttons_only(
        server: ServerInfo, phone: Peer, ann: str, cookie: str) -> None:
    async with connect(server, "/ws/projector", cookie) as screen:
        assert (await screen.until("projector_state"))["question"]["text"] == "2 + 2?"
        again = await phone.until("question_open")
        assert again["buttons_only"] is True and "text" not in again
        assert (await phone_snapshot(server, ann))["buttons_only"] is True
    back = await phone.until("question_open")  # the big screen closed: the whole question
    assert back["text"] == "2 + 2?" and "buttons_only" not in back


async def test_a_students_copy_of_the_projector_page_leaves_the_phones_whole(
        server: ServerInfo) -> None:
    teacher = await instructor_cookie(server)
    ann = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", teacher) as dashboard, \
            connect(server, "/ws/student", ann) as phone:
        link = (await dashboard.until("room_info"))["projector_url"]
        await dashboard.send({"type": "next"})
        opened = await phone.until("question_open")
        assert opened["text"] == "2 + 2?" and "buttons_only" not in opened  # no projector

        # Ann opens /projector on her phone (her own cookie, or none): the public view,
        # and every phone still gets the whole question.
        for cookie in (ann, None):
            async with connect(server, "/ws/projector", cookie) as copy:
                state = await copy.until("projector_state")
                assert state["question"]["text"] == "2 + 2?"  # the public view, as before
                snapshot = await phone_snapshot(server, ann)
                assert snapshot["text"] == "2 + 2?" and "buttons_only" not in snapshot

        # The dashboard's projector link carries the key; a wrong key is refused.
        assert link.startswith("/projector?pair=")
        refused = await get(server, "/projector?pair=0123456789abcdef")
        assert refused.status == 403 and refused.json()["code"] == "forbidden"
        assert refused.cookie_pair("tt_projector_") is None

        # A second machine opens the link the dashboard shows.
        await the_room_projector_makes_the_phone_show_buttons_only(
            server, phone, ann, await pair(server, link))
        # The projector window opened from the dashboard on the teacher's own laptop.
        await the_room_projector_makes_the_phone_show_buttons_only(server, phone, ann, teacher)


async def test_the_paired_projector_page_is_the_public_page(server: ServerInfo) -> None:
    """Pairing changes who counts, not what the page is."""
    teacher = await instructor_cookie(server)
    async with connect(server, "/ws/instructor", teacher) as dashboard:
        link = (await dashboard.until("room_info"))["projector_url"]
    cookie = await pair(server, link)
    paired, public = await get(server, "/projector", cookie), await get(server, "/projector")
    assert paired.status == public.status == 200 and paired.text == public.text
