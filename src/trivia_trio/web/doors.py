"""Who is asking: what every route of every audience needs before it asks the room."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from quart import Response, request

from ..config import Settings
from ..room.room import Room
from ..store.media import MediaStore
from . import uploads
from .assets import Assets
from .auth import Keyring, StudentIdentity, is_loopback
from .responses import error, send_asset


@dataclass
class Doors:
    """The room and what tells its visitors apart: the keys, the settings, the pages."""

    room: Room
    keyring: Keyring
    settings: Settings
    media: MediaStore
    parser: uploads.Parser
    assets: Assets

    def student(self, source: Any) -> StudentIdentity | None:
        """The caller's identity if their cookie names a current participant."""
        keyring = self.keyring
        identity = keyring.read_student_cookie(source.cookies.get(keyring.student_cookie_name))
        if identity and self.room.is_current(identity.student_id, identity.cookie_id,
                                             identity.run_id):
            return identity
        return None

    def instructor_allowed(self, source: Any) -> bool:
        return self.settings.remote_control or is_loopback(source.remote_addr)

    def is_instructor(self, source: Any) -> bool:
        return self.instructor_allowed(source) and self.keyring.is_instructor_cookie(
            source.cookies.get(self.keyring.instructor_cookie_name))

    def is_room_projector(self, source: Any) -> bool:
        """Whether a projector page is the room's big screen: opened by the instructor's
        own browser (their cookie), or paired through the dashboard's projector link
        (its key traded for a projector cookie). Only that one makes phones show
        buttons only; anyone else's copy of the page is a public view."""
        return self.is_instructor(source) or self.keyring.is_projector_cookie(
            source.cookies.get(self.keyring.projector_cookie_name))

    def instructor_only(self, handler: Callable[..., Awaitable[Any]]
                        ) -> Callable[..., Awaitable[Any]]:
        @wraps(handler)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            if not self.is_instructor(request):
                return error(403, "forbidden", "instructor only")
            return await handler(*args, **kwargs)
        return guarded

    def page(self, name: str) -> Response:
        asset = self.assets.page(name)
        if asset is None:
            return Response("missing page", 500)
        return send_asset(asset)

    def not_joined(self) -> Any:
        response, status = error(401, "not_joined", "join the quiz first")
        response.delete_cookie(self.keyring.student_cookie_name)
        return response, status
