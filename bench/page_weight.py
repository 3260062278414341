"""What the pages cost the room's Wi-Fi: bytes on the wire per page, first load and reload.

Usage: ``python bench/page_weight.py [--server-command CMD] [--json PATH]``

Starts a server (``python -m trivia_trio`` from this tree unless ``--server-command``
says otherwise) with a one-question math quiz, and opens each page in Debian's
headless chromium (``/usr/bin/chromium``), each in a fresh profile: the student
page, the projector, the dashboard and the quiz editor, then a phone that joins
and gets the math question (KaTeX and its fonts). Each is loaded, then reloaded
in the same profile. A page counts as loaded once its words are in and the
network is quiet (and, for the math phone, once the question is typeset and its
fonts are in).

Bytes are what Chrome's network log says it received per response, headers
included (``encodedDataLength``), plus every websocket frame's payload; a
response served from the browser's cache costs nothing and still counts as a
request. A KB is 1,024 bytes. Prints one line per page and the page-weight line; measures, asserts
nothing (the tests hold the limits).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
TIMEOUT_MS = 30_000
# Half a second without a request, which a machine busy with other work can take a while
# to see while the dashboard polls.
QUIET_TIMEOUT_MS = 90_000
KB = 1024  # as the issue that set the limits counts
MATH_QUIZ = {
    "title": "Math",
    "time_limit_default": 600,
    "questions": [{"text": "Solve $x^2 = 4$ for $x > 0$:",
                   "options": ["$x = 2$", "$$\\frac{4}{2} + 1$$", "$x = -2$", "$\\sqrt{2}$"],
                   "correct": "A", "explanation": "Because $\\sqrt{4} = 2$."}],
}
# Words in: the page has replaced its first data-i18n text.
WORDED = "document.querySelector('[data-i18n]') === null || " \
         "document.querySelector('[data-i18n]').textContent !== ''"
TYPESET = "document.querySelector('#question-text .katex') !== null"


@dataclass
class Fetch:
    """One request as the page made it, and how it was answered."""

    url: str
    kind: str = "Other"
    status: int = 0
    from_cache: bool = False
    bytes: int = 0


@dataclass
class Wire:
    """One page's traffic as Chrome's network log tells it (a CDP session on the page)."""

    fetches: dict[str, Fetch] = field(default_factory=dict)  # by CDP request id
    frame_bytes: int = 0  # websocket frames received

    def listen(self, session: Any) -> None:
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.requestServedFromCache", self._cached)
        session.on("Network.responseReceived", self._response)
        # The status on the wire (a revalidated response shows as 200 above, 304 here).
        session.on("Network.responseReceivedExtraInfo", self._status)
        session.on("Network.loadingFinished", self._finished)
        session.on("Network.webSocketFrameReceived", self._frame)
        session.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        if event["request"]["url"].startswith("data:"):
            return
        redirect = event.get("redirectResponse")
        if redirect:  # the same id goes on: the redirect itself costs its headers
            self.fetches[event["requestId"] + "-redirect"] = Fetch(
                redirect["url"], "Redirect", redirect["status"],
                bytes=int(redirect.get("encodedDataLength") or 0))
        self.fetches[event["requestId"]] = Fetch(event["request"]["url"])

    def _fetch(self, event: dict[str, Any]) -> Fetch:
        return self.fetches.setdefault(event["requestId"], Fetch(""))

    def _cached(self, event: dict[str, Any]) -> None:
        self._fetch(event).from_cache = True

    def _response(self, event: dict[str, Any]) -> None:
        fetch = self._fetch(event)
        fetch.kind = event.get("type", "Other")
        fetch.status = fetch.status or event["response"]["status"]
        fetch.from_cache |= bool(event["response"].get("fromDiskCache"))

    def _status(self, event: dict[str, Any]) -> None:
        self._fetch(event).status = event["statusCode"]

    def _finished(self, event: dict[str, Any]) -> None:
        self._fetch(event).bytes = int(event["encodedDataLength"])

    def _frame(self, event: dict[str, Any]) -> None:
        self.frame_bytes += len(event["response"]["payloadData"].encode()) + 2  # and its header

    def take(self) -> dict[str, Any]:
        """The figures since the last take, and start counting afresh."""
        fetches = [fetch for fetch in self.fetches.values() if fetch.kind != "Redirect"]
        by_type: dict[str, int] = {}
        for fetch in self.fetches.values():
            by_type[fetch.kind] = by_type.get(fetch.kind, 0) + fetch.bytes
        if self.frame_bytes:
            by_type["WebSocket frames"] = self.frame_bytes
        figures = {"requests": len(fetches),
                   "from_cache": sum(fetch.from_cache for fetch in fetches),
                   "not_modified": sum(fetch.status == 304 for fetch in fetches),
                   "bytes": sum(by_type.values()),
                   "by_type": dict(sorted(by_type.items())),
                   "fetches": [vars(fetch) for fetch in self.fetches.values()]}
        self.fetches, self.frame_bytes = {}, 0
        return figures


def open_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, Wire]:
    """A page in a fresh profile, its network log listened to from the start."""
    return listen(browser.new_context(viewport=viewport).new_page())


def listen(page: Any) -> tuple[Any, Wire]:
    page.set_default_timeout(TIMEOUT_MS)
    wire = Wire()
    wire.listen(page.context.new_cdp_session(page))
    return page, wire


def settle(page: Any, *conditions: str) -> None:
    for condition in (WORDED, *conditions):
        page.wait_for_function(f"() => {condition}")  # a function: the CSP forbids eval
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle", timeout=QUIET_TIMEOUT_MS)


def load_and_reload(page: Any, wire: Wire, url: str, *conditions: str) -> dict[str, Any]:
    page.goto(url)
    settle(page, *conditions)
    cold = wire.take()
    page.reload()
    settle(page, *conditions)
    return {"cold": cold, "reload": wire.take()}


def measure(browser: Any, url: str, instructor_key: str) -> dict[str, dict[str, Any]]:
    """Every page's figures, cold and reloaded, against a server already running a math quiz."""
    figures: dict[str, dict[str, Any]] = {}
    phone, wire = open_page(browser, PHONE)
    figures["student"] = load_and_reload(phone, wire, url + "/", "!document.querySelector("
                                         "'#join-view').hidden")
    screen, wire = open_page(browser, PROJECTOR)
    figures["projector"] = load_and_reload(screen, wire, url + "/projector")
    desk, wire = open_page(browser, LAPTOP)
    figures["dashboard"] = load_and_reload(desk, wire, f"{url}/instructor?key={instructor_key}",
                                           "document.querySelector('#library-rows tr')")
    quizzes = desk.request.get(url + "/api/instructor/library").json()["quizzes"]
    # The dashboard's profile: its cookie, and what it already has in its cache.
    editor, wire = listen(desk.context.new_page())
    figures["editor (after the dashboard)"] = load_and_reload(
        editor, wire, f"{url}/instructor/editor?quiz={quizzes[0]['quiz_id']}",
        "document.querySelector('#question-list li')")

    math_phone, wire = open_page(browser, PHONE)
    math_phone.goto(url + "/")
    settle(math_phone, "!document.querySelector('#join-view').hidden")
    math_phone.fill("#student-id", "s1")
    math_phone.fill("#student-name", "Ada")
    math_phone.click("#join-button")
    math_phone.wait_for_function("() => !document.querySelector('#lobby-view').hidden")
    desk.get_by_role("button", name="Next").click()
    settle(math_phone, TYPESET)
    cold = wire.take()
    math_phone.reload()
    settle(math_phone, TYPESET)
    figures["math phone"] = {"cold": cold, "reload": wire.take()}
    for page in (phone, screen, desk, math_phone):
        page.context.close()
    return figures


def kb(size: int) -> str:
    return f"{size / KB:.1f} KB"


def page_weight_line(figures: dict[str, dict[str, Any]]) -> str:
    student, math = figures["student"], figures["math phone"]
    return (f"page weight: student page {kb(student['cold']['bytes'])} in "
            f"{student['cold']['requests']} requests, reload {kb(student['reload']['bytes'])}; "
            f"math phone {kb(math['cold']['bytes'])}, reload {kb(math['reload']['bytes'])}; "
            + "; ".join(f"{name} {kb(page['cold']['bytes'])}, reload "
                        f"{kb(page['reload']['bytes'])}"
                        for name, page in figures.items() if name not in ("student", "math phone")))


def report(figures: dict[str, dict[str, Any]]) -> str:
    lines = []
    for name, page in figures.items():
        for load in ("cold", "reload"):
            f = page[load]
            lines.append(f"{name:30} {load:6} {kb(f['bytes']):>10} {f['requests']:3} requests "
                         f"({f['from_cache']} from cache, {f['not_modified']} not modified) "
                         f"{f['by_type']}")
    return "\n".join([*lines, page_weight_line(figures)])


def run(server_command: list[str], log_path: Path) -> dict[str, dict[str, Any]]:
    """Start a server with the math quiz, measure every page, stop it."""
    from playwright.sync_api import sync_playwright
    from run import RunningServer  # bench/run.py: this folder is on sys.path

    with tempfile.TemporaryDirectory(prefix="trivia-trio-weight-") as tmp:
        quiz = Path(tmp) / "math.json"
        quiz.write_text(json.dumps(MATH_QUIZ), encoding="utf-8")
        server = RunningServer([*server_command, "--no-browser", "--host", "127.0.0.1",
                                "--port", "0", "--data-dir", str(Path(tmp) / "data"),
                                "--instructor-key", "bench-key", str(quiz)], log_path)
        try:
            server.wait_until_ready()
            assert server.url is not None and server.instructor_key is not None
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS)
                try:
                    return measure(browser, server.url, server.instructor_key)
                finally:
                    browser.close()
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-command", default=f"{shlex.quote(sys.executable)} -m "
                        "trivia_trio", help="how to start the server (default: this tree)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.NamedTemporaryFile(prefix="trivia-trio-weight-", suffix=".log") as log:
        figures = run(shlex.split(args.server_command), Path(log.name))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
