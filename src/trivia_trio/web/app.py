"""The web app (QuartTrio): each audience's routes in a module of their own, behind one
set of checks.

Every route is thin: it checks who is asking (``doors``) and what they sent, then
asks the room. Pages and their files come from ``assets`` (joined, content-hashed,
gzipped; read through ``importlib.resources`` so they are served the same from a
source tree and from inside the .pyz).
"""

from __future__ import annotations

from quart_trio import QuartTrio

from ..config import Settings
from ..room.room import Room
from ..store.media import MediaStore
from . import (
    guards,
    instructor_routes,
    library_routes,
    pages,
    program,
    roster_routes,
    sockets,
    student_routes,
    uploads,
)
from .assets import package_assets
from .auth import Keyring
from .doors import Doors


def create_app(room: Room, keyring: Keyring, settings: Settings,
               allowed_hosts: frozenset[str], *, media: MediaStore | None = None) -> QuartTrio:
    """The web app in front of ``room``. ``allowed_hosts`` are the names we answer to
    (anything else is a DNS-rebinding attempt); ``media`` keeps the quizzes' pictures
    (by default the data folder's ``media/``)."""
    app = QuartTrio(__name__, static_folder=None)
    app.request_class = uploads.request_class(settings.limits)
    media = media or MediaStore(settings.data_dir / "media")
    doors = Doors(room, keyring, settings, media, uploads.Parser(media.holds), package_assets())
    # The dashboard's projector link pairs the big screen it opens (doors.is_room_projector).
    room.projector_url = f"/projector?pair={keyring.projector_key}"
    guards.register(app, allowed_hosts, settings.limits)
    pages.register(app, doors)
    student_routes.register(app, doors)
    instructor_routes.register(app, doors)
    library_routes.register(app, room, doors.instructor_only, doors.page, media, doors.parser)
    program.register(app, doors.instructor_only, settings.program_file)
    roster_routes.register(app, doors)
    sockets.register(app, doors)
    return app
