"""The command line: start a quiz (the default), check a quiz file, or rehearse a class."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import DEFAULT_SESSION_ID, Settings, default_data_dir
from .core.quiz import Quiz, QuizError
from .gc_tuning import collect_garbage_for_a_big_class
from .store.quiz_files import load_quiz

if TYPE_CHECKING:
    from .web.server import ServerInfo

# The server, trio and qrcode are imported only by the paths that serve, so that
# --version and `check` answer at once.

SUBCOMMANDS = ("loadtest", "check")
FEW_STUDENTS = 2000  # the banner warns when the open-files limit allows fewer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trivia_trio",
        description="Run a live classroom quiz from this computer. Students join from their "
                    "phones on the same Wi-Fi. Other commands: 'trivia_trio check QUIZ_FILE' "
                    "validates a quiz file; 'trivia_trio loadtest --help' rehearses a class.",
    )
    parser.add_argument("quiz_file", nargs="?", type=Path,
                        help="quiz file (JSON, CSV, GIFT or Aiken); default: the built-in demo")
    parser.add_argument("--host", default="0.0.0.0",
                        help="address to listen on (default: 0.0.0.0, every network)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port (default: 8000; if taken, the next free one)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=f"where answers are kept (default: {default_data_dir()})")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open the instructor dashboard in a browser")
    parser.add_argument("--instructor-key", default=None,
                        help="key for the instructor dashboard (default: one made at first "
                             "start and kept in the data folder)")
    parser.add_argument("--session-id", default=DEFAULT_SESSION_ID,
                        help="session name when the quiz file gives none "
                             f"(default: {DEFAULT_SESSION_ID})")
    parser.add_argument("--remote-control", action="store_true",
                        help="let the instructor key work from other computers too "
                             "(by default only this computer can drive the quiz)")
    parser.add_argument("--version", action="version", version=f"trivia_trio {__version__}")
    return parser


def main(argv: list[str] | None = None, *, archive: str | None = None) -> int:
    """Run the command line; *archive* is the ``.pyz`` this process was started from, if any."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "loadtest":
        from .tools.loadtest import main as loadtest_main

        return loadtest_main(argv[1:])
    if argv and argv[0] == "check":
        return check(argv[1:])
    args = build_parser().parse_args(argv)
    import logging

    import trio

    from .web.server import StartupError, quiz_for

    settings = Settings(
        host=args.host, port=args.port, data_dir=args.data_dir or default_data_dir(),
        quiz_path=args.quiz_file, instructor_key=args.instructor_key,
        session_id=args.session_id, remote_control=args.remote_control,
        open_browser=not args.no_browser,
        program_file=Path(archive).absolute() if archive else None,
    )
    try:
        quiz = quiz_for(settings)
    except QuizError as exc:
        print(f"trivia_trio: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _ignore_stop_signals()
    try:
        trio.run(_run, settings, quiz)
    except (StartupError, OSError, BaseExceptionGroup) as exc:
        reason = _why_it_could_not_start(exc)
        if reason is None:
            raise
        print(f"trivia_trio: cannot start: {reason}", file=sys.stderr)
        return 1
    print(f"\nStopped. Your answers are kept in {settings.data_dir}", flush=True)
    return 0


def _ignore_stop_signals() -> None:
    """Ctrl+C and SIGTERM do nothing unless ``_run`` listens for them, which it does from
    before the server starts until it has stopped: one pressed again on the rest of the
    way out (tens of milliseconds, more with a class connected) had the defaults, and a
    second Ctrl+C printed a KeyboardInterrupt traceback, a second SIGTERM ended the
    process without its last line. A function, not SIG_IGN: a browser started from here
    must not inherit it."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _ignored)


def _ignored(number: int, frame: object) -> None:
    return None


def _why_it_could_not_start(exc: BaseException) -> BaseException | None:
    """The StartupError (or else the OSError) behind a failed start, out of trio's
    exception groups; None if something else went wrong."""
    from .web.server import StartupError

    for kind in (StartupError, OSError):
        if isinstance(exc, kind):
            return exc
        if isinstance(exc, BaseExceptionGroup):
            matched, _ = exc.split(kind)
            while isinstance(matched, BaseExceptionGroup):
                matched = matched.exceptions[0]
            if matched is not None:
                return matched
    return None


async def _run(settings: Settings, quiz: Quiz | None) -> None:
    import webbrowser

    import trio

    from .web.server import serve

    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async def until_signal() -> None:
            async for _ in signals:
                return

        async with trio.open_nursery() as nursery:
            info = await nursery.start(
                lambda task_status: serve(settings, quiz=quiz, shutdown_trigger=until_signal,
                                          task_status=task_status))
            print(banner(info, settings.quiz_path), flush=True)
            collect_garbage_for_a_big_class()
            if settings.open_browser and _has_display():
                await trio.to_thread.run_sync(webbrowser.open, info.instructor_url)


def banner(info: ServerInfo, quiz_path: Path | None) -> str:
    from .core.qr import terminal_art
    from .openfiles import students_allowed
    from .store.database import Opened

    room = info.room
    quiz = room.game.quiz
    lines = [f"trivia_trio {__version__}: {quiz.title} ({len(quiz)} questions)"]
    if room.opened is Opened.PENDING and room.pending is not None:
        lines.append(f"Resuming the run in progress, which keeps its quiz; {quiz_path} "
                     f"({room.pending.title}) starts with the next run (Reset on the dashboard).")
    if info.port_moved_from:
        lines.append(f"Port {info.port_moved_from} is taken; using {info.port} instead.")
    lines += ["", "Students join at:"]
    lines += [f"    {url}" for url in info.join_urls]
    lines += ["", terminal_art(info.join_urls[0]), ""]
    lines.append(f"Instructor dashboard (keep this link to yourself): {info.instructor_url}")
    lines.append(f"Projector view (put it on the big screen): {info.projector_url}")
    lines.append(f"Data folder: {info.data_dir} (sqlite: {info.storage})")
    if info.open_files is not None and students_allowed(info.open_files) < FEW_STUDENTS:
        lines.append(f"This computer lets the server open {info.open_files} files at once: "
                     f"enough for about {students_allowed(info.open_files)} students. For "
                     "more, run `ulimit -n 10240` in this terminal before starting.")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check(argv: list[str]) -> int:
    """``trivia_trio check QUIZ_FILE``: validate a file and summarise it, or list every problem."""
    parser = argparse.ArgumentParser(prog="trivia_trio check",
                                     description="Check a quiz file without starting a quiz.")
    parser.add_argument("quiz_file", type=Path)
    args = parser.parse_args(argv)
    try:
        quiz = load_quiz(args.quiz_file)
    except QuizError as exc:
        print(f"{exc.source}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    seconds = sum(quiz.time_limit(i) or 0 for i in range(len(quiz)))
    kinds = Counter(q.kind.name for q in quiz.questions)
    print(f"{args.quiz_file}: OK")
    print(f"  title: {quiz.title}")
    print(f"  questions: {len(quiz)} ("
          + ", ".join(f"{count} {name}" for name, count in kinds.items()) + ")")
    pictures = sum(q.image is not None for q in quiz.questions)
    if pictures:
        print(f"  pictures: {pictures}")
    print(f"  scoring: {quiz.score_fn}")
    print(f"  answering time: {seconds // 60} min {seconds % 60} s in all")
    for note in quiz.skipped:
        print(f"  skipped: {note}")
    return 0
