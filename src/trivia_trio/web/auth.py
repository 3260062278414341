"""Who is who: signed student cookies, the instructor key, the room's projector, and where
a request comes from.

Student cookies are signed with a secret kept in the database, so they stay
valid across restarts; each carries the run and the participant's
``cookie_id``, so a reset or a clear kills every older cookie. The instructor
cookie carries a digest of the key, so a new key logs out every old session.
The projector key (in the dashboard's projector link) is traded for a projector
cookie the same way: it tells the room's big screen from anyone's copy of the
public projector page, and gives no control over anything.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

# Cookie names start with these and end with the data folder's id (``Keyring``).
STUDENT_COOKIE = "tt_student"
INSTRUCTOR_COOKIE = "tt_instructor"
PROJECTOR_COOKIE = "tt_projector"
COOKIE_MAX_AGE = 7 * 24 * 3600



@dataclass(frozen=True)
class StudentIdentity:
    student_id: str
    cookie_id: str
    run_id: int


class Keyring:
    def __init__(self, secret: str, instructor_key: str, session_id: str) -> None:
        self._students = URLSafeSerializer(secret, salt="student")
        self._instructors = URLSafeSerializer(secret, salt="instructor")
        self._projectors = URLSafeSerializer(secret, salt="projector")
        self.instructor_key = instructor_key
        self.session_id = session_id
        self._key_digest = hashlib.sha256(instructor_key.encode()).hexdigest()[:32]
        # Browsers keep cookies per host, not per port: two servers on one laptop must
        # not overwrite each other's. The id comes from the data folder's secret, so a
        # restart of the same server keeps every join.
        folder_id = hmac.new(secret.encode(), b"cookie names", hashlib.sha256).hexdigest()[:8]
        self.student_cookie_name = f"{STUDENT_COOKIE}_{folder_id}"
        self.instructor_cookie_name = f"{INSTRUCTOR_COOKIE}_{folder_id}"
        self.projector_cookie_name = f"{PROJECTOR_COOKIE}_{folder_id}"
        # Made from the instructor key (a new key unpairs every projector), and no way
        # back to it: a student who reads it off a screen can pair a projector, no more.
        self.projector_key = hmac.new(secret.encode(), b"projector:" + instructor_key.encode(),
                                      hashlib.sha256).hexdigest()[:16]

    def student_cookie(self, student_id: str, cookie_id: str, run_id: int) -> str:
        return self._students.dumps([self.session_id, run_id, student_id, cookie_id])

    def read_student_cookie(self, value: str | None) -> StudentIdentity | None:
        """The identity a cookie claims, if we signed it for this session; None otherwise."""
        if not value:
            return None
        try:
            sid, run_id, student_id, cookie_id = self._students.loads(value)
        except (BadSignature, ValueError, TypeError):
            return None
        # base64 decoding forgives stray characters and spare bits: accept only the
        # exact text we signed, so no altered cookie is ever taken.
        signed = self._students.dumps([sid, run_id, student_id, cookie_id])
        if not hmac.compare_digest(value.encode("utf-8", "surrogatepass"), signed.encode()):
            return None
        if sid != self.session_id or not isinstance(run_id, int) or not isinstance(
                student_id, str) or not isinstance(cookie_id, str):
            return None
        return StudentIdentity(student_id, cookie_id, run_id)

    def key_matches(self, key: str | None) -> bool:
        return bool(key) and hmac.compare_digest(key.encode(), self.instructor_key.encode())

    def instructor_cookie(self) -> str:
        return self._instructors.dumps(self._key_digest)

    def projector_key_matches(self, key: str | None) -> bool:
        return bool(key) and hmac.compare_digest(key.encode("utf-8", "surrogatepass"),
                                                 self.projector_key.encode())

    def projector_cookie(self) -> str:
        return self._projectors.dumps(self._key_digest)

    def is_projector_cookie(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode("utf-8", "surrogatepass"),
                                                   self.projector_cookie().encode())

    def is_instructor_cookie(self, value: str | None) -> bool:
        if not value:
            return False
        # The cookie is deterministic: compare the whole text, not what it decodes to.
        return hmac.compare_digest(value.encode("utf-8", "surrogatepass"),
                                   self.instructor_cookie().encode())


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def from_own_page(origin: str | None, fetch_site: str | None, host: str) -> bool:
    """Whether a browser sent this request from one of our own pages (``host`` is the
    Host header). ``SameSite`` cookies ignore ports: a page on another port of the same
    address is "same site" and would carry the instructor's cookie, so a state-changing
    request must name our own origin. A request with neither header did not come from a
    browser page, so it carries nobody's cookies but its sender's.
    """
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == host.lower()
    return fetch_site in (None, "same-origin", "none")


def is_loopback(address: str | None) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False
