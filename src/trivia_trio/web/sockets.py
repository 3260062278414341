"""The websockets of the three audiences: who is asking is checked after the handshake,
then the room's outbox is pumped to the socket while what the client sends is read."""

from __future__ import annotations

from typing import Any

import trio
from quart import websocket
from quart_trio import QuartTrio

from ..room import connection
from ..room.clients import FLUSH
from ..room.room import Role
from .doors import Doors

CLOSE_NO_IDENTITY = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_TRY_LATER = 1013


def register(app: QuartTrio, doors: Doors) -> None:
    room, limits = doors.room, doors.settings.limits
    student, is_instructor = doors.student, doors.is_instructor

    async def serve_socket(role: Role) -> None:
        """Check who is asking, then pump the room's outbox to the socket while reading
        what the client sends.

        The identity is checked after the handshake, with no await between the check and
        joining the room, so a clear or reset cannot slip in and leave a dead identity
        connected. A failed check closes with 4001/4003, which pages can see (an HTTP
        refusal of the upgrade they could not).
        """
        ws = websocket._get_current_object()  # type: ignore[attr-defined]
        own_connection = connection.find(ws.scope)
        if own_connection is None:  # a test client's: hypercorn's machinery reads it all
            await serve_accepted(ws, role, None, None)
            return
        # Asked before the handshake, so the first message is read here too.
        with own_connection.read_messages(limits.ws_max_message_bytes) as read_here:
            await serve_accepted(ws, role, own_connection, read_here)

    async def serve_accepted(ws: Any, role: Role, own_connection: connection.Connection | None,
                             read_here: trio.MemoryReceiveChannel[str] | None) -> None:
        await ws.accept()
        student_id = None
        if role is Role.STUDENT:
            identity = student(ws)
            if identity is None:
                await ws.close(CLOSE_NO_IDENTITY, "join first")
                return
            student_id = identity.student_id
        elif role is Role.INSTRUCTOR and not is_instructor(ws):
            await ws.close(CLOSE_FORBIDDEN, "instructor only")
            return
        if room.connection_count >= limits.max_connections:
            await ws.close(CLOSE_TRY_LATER, "server full")
            return
        big_screen = role is Role.PROJECTOR and doors.is_room_projector(ws)
        # ``?accept=a,b``: the newer forms of messages the page takes (docs/PROTOCOL.md).
        accepts = frozenset(filter(None, ws.args.get("accept", "").split(",")))
        async with room.connect(role, student_id, own_connection, big_screen=big_screen,
                                accepts=accepts) as client:
            with client.cancel_scope:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(_send_outbox, ws, client, nursery.cancel_scope)
                    if read_here is not None and own_connection is not None:
                        async for message in read_here:
                            await room.handle(client, message)
                        if not own_connection.handed_over:
                            # The connection is gone. Hypercorn may never say so: after
                            # it refused the handshake (400), nothing reaches the app.
                            nursery.cancel_scope.cancel()
                            return
                    while True:  # what hypercorn reads (see Connection.read_messages)
                        await room.handle(client, await ws.receive())

    @app.websocket("/ws/student")
    async def student_socket() -> None:
        await serve_socket(Role.STUDENT)

    @app.websocket("/ws/instructor")
    async def instructor_socket() -> None:
        await serve_socket(Role.INSTRUCTOR)

    @app.websocket("/ws/projector")
    async def projector_socket() -> None:
        await serve_socket(Role.PROJECTOR)


async def _send_outbox(ws: Any, client: Any, done: trio.CancelScope) -> None:
    """Send what the room queued, in order; a queued Close ends the socket.

    Awaiting the outbox is this loop's checkpoint each turn: hypercorn turns
    sends on a closed socket into no-ops that never yield.
    """
    async for item in client.outgoing():
        if item is FLUSH:
            await client.connection.flush()
        elif isinstance(item, str):
            await ws.send(item)
        else:
            if client.connection is not None:
                await client.connection.flush()
            await ws.close(item.code, item.reason)
            break
    done.cancel()
