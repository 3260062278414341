"""The server's own reading of client frames, checked against wsproto's client framing."""

from __future__ import annotations

import json

import pytest
import trio
from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage

from trivia_trio.room.frames import FrameReader
from trivia_trio.web.server import ServerInfo

from .conftest import join
from .test_hostile_input import raw_socket

LIMIT = 16 * 1024


def client_frames(*events: object) -> bytes:
    """The bytes a real (masking) client sends for ``events``."""
    client = Connection(ConnectionType.CLIENT)
    return b"".join(client.send(event) for event in events)  # type: ignore[arg-type]


def read_in_pieces(data: bytes, cut: int) -> tuple[list[str], bytes]:
    """Feed ``data`` cut every ``cut`` bytes, as a socket may deliver it."""
    reader, messages, handed = FrameReader(LIMIT), [], b""
    for at in range(0, len(data), cut):
        got, rest = reader.feed(data[at:at + cut])
        messages += got
        handed += rest
    return messages, handed


TEXTS = ["{}", "é" * 70, "x" * 125, "y" * 126, "z" * LIMIT]


@pytest.mark.parametrize("cut", [1, 2, 3, 7, 100, 1 << 20])
def test_text_and_pongs_are_read_however_the_bytes_arrive(cut: int) -> None:
    data = client_frames(*(event for text in TEXTS
                           for event in (TextMessage(text), Pong(b"pp"))))
    assert read_in_pieces(data, cut) == (TEXTS, b"")


NOT_READ_HERE = {
    "close": CloseConnection(1000, "bye"),
    "ping": Ping(b"p"),
    "binary": BytesMessage(b"{}"),
    "a fragment": TextMessage("part", message_finished=False),
    "too big": TextMessage("x" * (LIMIT + 1)),
    "64 KiB": TextMessage("x" * 70_000),
}


@pytest.mark.parametrize("name", NOT_READ_HERE)
@pytest.mark.parametrize("cut", [1, 5, 1 << 20])
def test_from_a_frame_it_does_not_read_every_byte_goes_on_unread(name: str, cut: int) -> None:
    before = client_frames(TextMessage("a"), TextMessage("b"))
    odd = client_frames(NOT_READ_HERE[name])
    after = client_frames(TextMessage("c"))
    messages, handed = read_in_pieces(before + odd + after, cut)
    assert messages == ["a", "b"]
    assert handed == odd + after


def test_bytes_that_are_not_utf8_go_on_unread() -> None:
    frame = bytearray(client_frames(TextMessage("ab")))
    mask = frame[2:6]
    frame[6:8] = bytes(b ^ m for b, m in zip(b"\xff\xfe", mask, strict=False))
    assert FrameReader(LIMIT).feed(bytes(frame)) == ([], bytes(frame))


@pytest.mark.parametrize("mangle", ["unmasked", "reserved bit", "long length for a short text"])
def test_frames_a_client_may_not_send_go_on_unread(mangle: str) -> None:
    if mangle == "unmasked":
        frame = b"\x81\x02{}"
    elif mangle == "reserved bit":
        frame = bytes([0xC1]) + client_frames(TextMessage("{}"))[1:]
    else:
        frame = b"\x81\xfe\x00\x02" + b"\x00" * 4 + b"{}"
    assert FrameReader(LIMIT).feed(frame) == ([], frame)


async def test_messages_after_a_frame_left_to_hypercorn_still_arrive_in_order(
        server: ServerInfo) -> None:
    stream = await raw_socket(server, "/ws/student", await join(server, "s1", "Ann"))
    client = Connection(ConnectionType.CLIENT)
    ping = '{"type":"ping"}'
    # One write: a message read here, a ping left to hypercorn, then two more messages.
    await stream.send_all(client_frames(TextMessage(ping), Ping(b"are you there"),
                                        TextMessage(ping), TextMessage('{"type":"nonsense"}')))
    replies: list[str] = []
    pongs: list[bytes] = []
    with trio.fail_after(5):
        while not replies or replies[-1] != "error":
            client.receive_data(await stream.receive_some(65536))
            for event in client.events():
                if isinstance(event, Pong):
                    pongs.append(event.payload)
                elif isinstance(event, TextMessage):
                    kind = json.loads(event.data)["type"]
                    if kind in ("pong", "error"):
                        replies.append(kind)
    assert replies == ["pong", "pong", "error"]
    assert pongs == [b"are you there"]
    await stream.aclose()
