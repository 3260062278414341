"""A simulated class: N students join, answer Q questions, and every step is timed.

With ``--paced`` the run is student-paced: each student goes through the whole quiz on
their own clock (``class_run.PacedClassRun``, ``paced_students.py``).

``python -m trivia_trio loadtest`` answers the instructor's question "can my
laptop hold this class?" It either targets a server already running on this
machine (``--url``, loopback only) or starts a throwaway one in this process.
This module is the command and its report; the class itself is ``class_run.py``
(the instructor's side) and ``students.py``, on the data of ``class_model.py``,
with the quiz and answers of ``class_quiz.py`` and the figures of ``measure.py``.

The load generator is itself a Python process holding thousands of sockets,
so it is kept lean: timestamps from ``trio.current_time()``, and messages it
does not need (the instructor's presence rows for every student, lobby counts)
are skipped by their type without being parsed.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import trio

from ..config import Limits, Settings
from ..gc_tuning import collect_garbage_for_a_big_class
from .class_model import ClassResult, LoadtestRefused, Plan, ServerTarget
from .class_quiz import loadtest_quiz
from .class_run import simulate_class
from .measure import process_cpu_seconds, raise_fd_limit, summarize


@asynccontextmanager
async def open_own_server(plan: Plan) -> AsyncIterator[ServerTarget]:
    """Serve a temporary Q-question quiz from a temp data dir on 127.0.0.1:0 in this process.

    The per-address join limit is lifted to the class size: real students come
    from many addresses, the simulated ones all from 127.0.0.1. The server and
    its data are gone when the block exits.
    """
    # Quart and hypercorn are heavy imports that a --url run never needs.
    from ..web.server import serve

    with tempfile.TemporaryDirectory(prefix="trivia-trio-loadtest-") as tmp:
        data_dir = Path(tmp)
        quiz_path = data_dir / "loadtest-quiz.json"
        quiz = loadtest_quiz(plan.questions, mixed_kinds=plan.mixed_kinds)
        quiz_path.write_text(json.dumps(quiz), encoding="utf-8")
        limits = Limits()
        limits = replace(
            limits,
            joins_per_address_per_minute=max(limits.joins_per_address_per_minute, plan.students),
        )
        settings = Settings(
            host="127.0.0.1",
            port=0,
            data_dir=data_dir,
            quiz_path=quiz_path,
            instructor_key=secrets.token_urlsafe(16),
            open_browser=False,
            limits=limits,
        )
        async with trio.open_nursery() as nursery:
            info = await nursery.start(serve, settings)
            yield ServerTarget(info.url, info.instructor_key, pid=os.getpid(), in_process=True)
            nursery.cancel_scope.cancel()


# --- the command ------------------------------------------------------------------


@dataclass
class LoadtestReport:
    plan: Plan
    target: ServerTarget
    result: ClassResult
    elapsed_s: float
    client_cpu_s: float

    def to_json(self) -> dict[str, Any]:
        result = self.result
        answers = result.answers_acked
        cpu_ms_per_answer = (
            round(result.server_cpu_s * 1000.0 / answers, 3)
            if result.server_cpu_s is not None and answers
            else None
        )
        joined = len(result.students)
        cpu_ms_per_join = (
            round(result.server_join_cpu_s * 1000.0 / joined, 3)
            if result.server_join_cpu_s is not None and joined
            else None
        )
        questions = len(result.rounds)
        cpu_s_with_joins = (
            result.server_cpu_s + (result.server_join_cpu_s or 0.0)
            if result.server_cpu_s is not None
            else None
        )
        per_minute = result.dashboard_bytes_per_minute
        return {
            "students": self.plan.students,
            "pace": "student" if self.plan.paced else "live",
            "questions": result.total_questions if self.plan.paced else questions,
            "answer_window_ms": self.plan.answer_window_ms,
            "ramp_per_second": self.plan.ramp_per_second,
            "url": self.target.url,
            "metrics_ms": {key: summarize(result.samples[key]) for key in self.plan.metrics},
            "errors": dict(result.errors),
            "error_count": sum(result.errors.values()),
            "answers_acked": answers,
            "server": {
                "pid": self.target.pid,
                "in_process": self.target.in_process,
                "cpu_s_answer_phases": (
                    round(result.server_cpu_s, 3) if result.server_cpu_s is not None else None
                ),
                "cpu_ms_per_answer": cpu_ms_per_answer,
                "cpu_ms_per_join": cpu_ms_per_join,
                # A student-paced run's answers come while others join: to compare, the
                # joins counted in, over the answers.
                "cpu_ms_per_answer_with_joins": (
                    round(cpu_s_with_joins * 1000.0 / answers, 3)
                    if cpu_s_with_joins is not None and answers
                    else None
                ),
                "peak_rss_mib": (
                    round(result.server_peak_rss_kib / 1024, 1)
                    if result.server_peak_rss_kib is not None
                    else None
                ),
            },
            "bytes_per_question": {
                "instructor": result.instructor_question_bytes // questions if questions else None,
                "projector": result.projector_question_bytes // questions if questions else None,
            },
            "dashboard": {
                "kib_per_minute": round(per_minute / 1024, 1) if per_minute is not None else None,
                "kib_by_type": {kind: round(size / 1024, 1)
                                for kind, size in sorted(result.dashboard_bytes_by_type.items(),
                                                         key=lambda item: -item[1])},
            },
            "join_phase_s": round(result.join_phase_s, 2),
            "session_ended_at_unix_s": result.instructor_ended_at_unix_s,
            "elapsed_s": round(self.elapsed_s, 2),
            "client_cpu_s": round(self.client_cpu_s, 2),
            "notes": list(result.notes),
        }


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def run_loadtest(
    plan: Plan,
    *,
    url: str | None = None,
    instructor_key: str | None = None,
    server_pid: int | None = None,
) -> LoadtestReport:
    """Run the load test against ``url``, or against a throwaway in-process server when None."""
    started, cpu_started = trio.current_time(), _own_cpu_seconds()
    if url is None:
        async with open_own_server(plan) as target:
            result = await simulate_class(target, plan)
        result.notes.append(
            "the server ran in this process: its CPU and memory include the load generator's"
        )
    else:
        if not instructor_key:
            raise LoadtestRefused("--instructor-key is needed with --url")
        target = ServerTarget(check_loopback_url(url), instructor_key, pid=server_pid)
        result = await simulate_class(target, plan)
    if target.pid is not None and process_cpu_seconds(os.getpid()) is None:
        result.notes.append("server CPU and memory: unavailable (needs Linux /proc)")
    return LoadtestReport(
        plan, target, result, trio.current_time() - started, _own_cpu_seconds() - cpu_started
    )


def check_loopback_url(url: str) -> str:
    """Return the URL without a trailing slash, or refuse anything not on this machine."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise LoadtestRefused(f"--url must look like http://127.0.0.1:8000, not {url!r}")
    host = parts.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise LoadtestRefused(
            f"refusing to load-test {host}: the load tester only targets a server on this "
            "machine (127.0.0.1, ::1 or localhost), never someone else's"
        )
    return url.rstrip("/")


def format_report(report: LoadtestReport) -> str:
    data = report.to_json()
    plan = report.plan
    pacing = (f"student-paced, the slowest through in about {plan.paced_s:g} s" if plan.paced
              else f"answer window {plan.answer_window_ms} ms")
    lines = [
        f"trivia-trio loadtest: {plan.students} students, {data['questions']} questions, "
        f"{pacing}, {report.target.url}",
        "",
        f"{'latency (ms)':<40} {'n':>6} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9}",
    ]
    for key, label in plan.metrics.items():
        figures = data["metrics_ms"][key]
        cells = [
            "-" if figures[name] is None else f"{figures[name]:.1f}"
            for name in ("p50", "p95", "p99", "max")
        ]
        lines.append(f"{label:<40} {figures['n']:>6} " + " ".join(f"{c:>9}" for c in cells))
    lines.append("")
    server = data["server"]
    if server["cpu_ms_per_answer"] is not None:
        lines.append(
            f"server CPU: {server['cpu_s_answer_phases']:.2f} s over {data['answers_acked']} "
            f"answers = {server['cpu_ms_per_answer']:.3f} ms per answer (pid {server['pid']})"
        )
    if server["cpu_ms_per_join"] is not None:
        lines.append(f"server CPU per join: {server['cpu_ms_per_join']:.3f} ms")
    if server["cpu_ms_per_answer_with_joins"] is not None:
        lines.append("server CPU per answer, joins counted in: "
                     f"{server['cpu_ms_per_answer_with_joins']:.3f} ms")
    if server["pid"] is None:
        lines.append("server CPU and memory: not measured (pass --server-pid)")
    per_question = data["bytes_per_question"]
    if per_question["instructor"] is not None:
        lines.append(f"sent per question: instructor {per_question['instructor'] / 1024:,.1f} KiB, "
                     f"projector {per_question['projector'] / 1024:,.1f} KiB")
    dashboard = data["dashboard"]
    if dashboard["kib_per_minute"] is not None:
        biggest = ", ".join(f"{kind} {size:,.0f}" for kind, size
                            in list(dashboard["kib_by_type"].items())[:3])
        lines.append(f"dashboard received {dashboard['kib_per_minute']:,.1f} KiB per minute "
                     f"(KiB in all: {biggest})")
    if server["peak_rss_mib"] is not None:
        lines.append(f"server peak RSS: {server['peak_rss_mib']:.1f} MiB")
    lines.append(
        f"joins took {data['join_phase_s']:.1f} s; whole run {data['elapsed_s']:.1f} s; "
        f"load generator CPU {data['client_cpu_s']:.1f} s"
    )
    lines.extend(f"note: {note}" for note in data["notes"])
    if data["errors"]:
        lines.append(f"ERRORS ({data['error_count']}):")
        for kind, count in sorted(data["errors"].items(), key=lambda item: -item[1]):
            lines.append(f"  {count:>6}  {kind}")
    else:
        lines.append("errors: none")
    return "\n".join(lines)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trivia_trio loadtest",
        description=(
            "Simulate a class: N students join, answer Q questions, and every step is "
            "timed. Without --url it starts its own throwaway server in this process."
        ),
    )
    parser.add_argument(
        "--url", help="a running server on this machine, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("--instructor-key", help="the key from the server's banner (with --url)")
    parser.add_argument(
        "--students", type=_positive_int, default=100, metavar="N", help="class size (default 100)"
    )
    parser.add_argument(
        "--questions",
        type=_positive_int,
        default=3,
        metavar="Q",
        help="questions to run (default 3; fewer if the server's quiz is shorter)",
    )
    parser.add_argument(
        "--answer-window-ms",
        type=_positive_int,
        default=3000,
        metavar="W",
        help="each student answers at a random moment within W ms of the question opening",
    )
    parser.add_argument(
        "--ramp-per-second",
        type=_positive_float,
        default=100.0,
        metavar="R",
        help="joins started per second (default 100)",
    )
    parser.add_argument(
        "--server-pid",
        type=_positive_int,
        metavar="PID",
        help="measure this server process's CPU per answer and peak memory (Linux)",
    )
    parser.add_argument(
        "--timeout-s",
        type=_positive_float,
        default=30.0,
        help="how long to wait for the server at each step (default 30)",
    )
    parser.add_argument("--seed", type=int, help="make the students' answers and timing repeatable")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="reset the session first when it is not in the lobby (wipes its participants)",
    )
    parser.add_argument(
        "--mixed-kinds",
        action="store_true",
        help="without --url: ask one question of each kind in turn (choice, true/false,"
        " multi, text, number, order, poll, six options, slide)",
    )
    parser.add_argument(
        "--paced",
        action="store_true",
        help="a student-paced run: each student goes through the whole quiz at their own"
        " speed, pressing Next after each answer (--answer-window-ms does not apply)",
    )
    parser.add_argument(
        "--paced-minutes",
        type=_positive_float,
        default=3.0,
        metavar="M",
        help="with --paced: the slowest students take about M minutes for the quiz, the"
        " fastest half that (default 3; keep each question under its time limit)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``trivia_trio loadtest``: 0 when the class ran without a single error, 1 otherwise."""
    args = build_parser().parse_args(argv)
    plan = Plan(
        students=args.students,
        questions=args.questions,
        answer_window_ms=args.answer_window_ms,
        ramp_per_second=args.ramp_per_second,
        timeout_s=args.timeout_s,
        seed=args.seed,
        reset_first=args.reset,
        mixed_kinds=args.mixed_kinds,
        paced=args.paced,
        paced_s=args.paced_minutes * 60,
    )
    sockets_per_student = 2 if args.url is None else 1
    for note in raise_fd_limit(plan.students * sockets_per_student + 64):
        print(note, file=sys.stderr)
    collect_garbage_for_a_big_class()  # the load generator holds thousands of sockets too
    refusals: list[BaseException] = []
    try:
        report = trio.run(
            lambda: run_loadtest(
                plan, url=args.url, instructor_key=args.instructor_key, server_pid=args.server_pid
            )
        )
    except* LoadtestRefused as group:
        # With its own server the refusal comes out of the server's nursery, grouped.
        refusals.extend(group.exceptions)
    if refusals:
        for exc in refusals:
            print(f"loadtest: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return 1 if report.result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
