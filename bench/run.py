"""Benchmark: the packaged server under 100, 1,000, 3,000 and 5,000 simulated students.

Usage: ``python bench/run.py [--students 100,1000,3000,5000] [--runs 3] [--questions 3]
[--answer-window-ms 3000] [--ramp-per-second 100] [--server-command CMD] [--pages]
[--paced [--paced-minutes 3]]``

For each class size it starts a fresh server as its own process (the zipapp,
built first when missing or older than the sources; ``python -m trivia_trio``
when there is no build script yet), runs ``trivia_trio loadtest`` against it
as another process with ``--server-pid`` so the server's CPU and memory are
measured apart from the load generator's, then stops the server. Results go
to ``bench/results/`` (one JSON per run and ``latest.md``) and the markdown
table is printed, then the page-weight line (``bench/page_weight.py``: what each
page costs a browser on the wire, first load and reload). Exit status 1 when any
run had errors.

``--pages`` also opens the dashboard and the projector in chromium for each run
(``bench/pages.py``: clicks answered, long tasks, DOM size, heap, how late each
page shows the end). The browser shares the cores with the server and the load
generator, as on a teacher's laptop, so the server figures of such a run are
not comparable with a run without it.

``--paced`` is the student-paced benchmark: at each size a live run, then a
student-paced one (each student through the whole quiz at their own speed,
``loadtest --paced``), ``--runs`` times in turn so that both see the same load on
a shared machine; ``bench/results/latest-paced.md`` has the medians side by side,
with the load average before and after each run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
from contextlib import nullcontext
from pathlib import Path
from typing import IO, Any

from pages import PageWatch

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
ZIPAPP = REPO / "dist" / "trivia_trio.pyz"
BUILD_SCRIPT = REPO / "build_zipapp.py"
BANNER_PATTERN = re.compile(r"(http://\S+?)/instructor\?key=(\S+)")
QUESTION_TIME_LIMIT_S = 120
SERVER_START_TIMEOUT_S = 60
SERVER_STOP_TIMEOUT_S = 15
METRIC_LABELS = {
    "join": "join (HTTP + ws + state)",
    "question_open_fanout": "question_open fan-out",
    "submit_ack": "submit → ack",
    "all_answers_visible": "all answers visible",
    "question_closed_fanout": "question_closed fan-out",
}


def newest_source_mtime() -> float:
    sources = [*(REPO / "src").rglob("*"), *(REPO / "static").rglob("*"), BUILD_SCRIPT]
    return max(path.stat().st_mtime for path in sources if path.is_file())


def trivia_trio_command(from_source: bool) -> tuple[list[str], str]:
    """The command that runs trivia_trio: the zipapp (rebuilt when stale) or the source tree."""
    source = ([sys.executable, "-m", "trivia_trio"], "python -m trivia_trio (source tree)")
    if from_source:
        return source
    if not BUILD_SCRIPT.exists():
        print("no build_zipapp.py yet: running from the source tree", flush=True)
        return source
    if not ZIPAPP.exists() or ZIPAPP.stat().st_mtime < newest_source_mtime():
        print("building the zipapp …", flush=True)
        build = subprocess.run([sys.executable, str(BUILD_SCRIPT)], cwd=REPO)
        if build.returncode != 0 or not ZIPAPP.exists():
            print("WARNING: the zipapp build failed: running from the source tree", flush=True)
            return source
    return [sys.executable, str(ZIPAPP)], str(ZIPAPP.relative_to(REPO))


def source_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return env


def bench_quiz(questions: int) -> dict[str, Any]:
    return {
        "title": "Benchmark",
        "time_limit_default": QUESTION_TIME_LIMIT_S,
        # The load generator closes each question itself, to time the close's fan-out.
        "close_when_all_answered": False,
        "questions": [
            {
                "text": f"Benchmark question {idx + 1}",
                "options": ["Alpha", "Bravo", "Charlie", "Delta"],
                "correct": "ABCD"[idx % 4],
            }
            for idx in range(questions)
        ],
    }


class RunningServer:
    """A server process whose output is drained to a log by a thread that spots the banner."""

    def __init__(self, command: list[str], log_path: Path) -> None:
        self.log_path = log_path
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=source_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.banner = threading.Event()
        self.url: str | None = None
        self.instructor_key: str | None = None
        self._drain = threading.Thread(target=self._read_output, daemon=True)
        self._drain.start()

    def _read_output(self) -> None:
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        with self.log_path.open("w", encoding="utf-8") as log:
            for line in stdout:
                log.write(line)
                log.flush()
                match = BANNER_PATTERN.search(line)
                if match and not self.banner.is_set():
                    self.url, self.instructor_key = match.group(1), match.group(2)
                    self.banner.set()
        self.banner.set()  # the process ended: stop waiting either way

    def wait_until_ready(self) -> None:
        if not self.banner.wait(SERVER_START_TIMEOUT_S) or self.url is None:
            self.stop()
            raise RuntimeError(f"the server did not start; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM first (the server stops cleanly on it), a kill only if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._drain.join(SERVER_STOP_TIMEOUT_S)


def run_one(
    command: list[str], students: int, questions: int, window_ms: int, stamp: str,
    server_command: list[str] | None = None, pages: bool = False, ramp_per_second: float = 100.0,
    paced_minutes: float | None = None,
) -> dict[str, Any]:
    """Start a fresh server (``server_command``, else ``command``), load-test it with
    ``students`` (``command``'s load test; a student-paced run over about
    ``paced_minutes`` when given), stop it; return the loadtest JSON, with the pages'
    figures under ``"pages"`` when ``pages``."""
    pace = [] if paced_minutes is None else ["--paced", "--paced-minutes", str(paced_minutes)]
    json_path = RESULTS / f"{stamp}-n{students}{'-paced' if pace else ''}.json"
    # Other work on the machine skews every figure: record how busy it was.
    load_before = os.getloadavg()[0]
    page_figures: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="trivia-trio-bench-") as tmp:
        data_dir = Path(tmp)
        quiz_path = data_dir / "bench-quiz.json"
        quiz_path.write_text(json.dumps(bench_quiz(questions)), encoding="utf-8")
        server = RunningServer(
            [
                *(server_command or command),
                "--no-browser",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--data-dir",
                str(data_dir),
                "--instructor-key",
                "bench-key",
                str(quiz_path),
            ],
            RESULTS / f"{stamp}-n{students}{'-paced' if pace else ''}-server.log",
        )
        try:
            server.wait_until_ready()
            assert server.url is not None and server.instructor_key is not None
            print(f"\n== {students} students against {server.url} (pid {server.process.pid})")
            watch = (PageWatch(server.url, server.instructor_key, questions,
                               RESULTS / f"{stamp}-n{students}-dashboard.png")
                     if pages else None)
            with watch or nullcontext():
                loadtest = subprocess.Popen(
                    [
                        *command,
                        "loadtest",
                        "--url",
                        server.url,
                        "--instructor-key",
                        server.instructor_key,
                        "--server-pid",
                        str(server.process.pid),
                        "--students",
                        str(students),
                        "--questions",
                        str(questions),
                        "--answer-window-ms",
                        str(window_ms),
                        "--ramp-per-second",
                        str(ramp_per_second),
                        "--json",
                        str(json_path),
                        *pace,
                    ],
                    cwd=REPO,
                    env=source_env(),
                )
                if watch is not None:
                    watch.follow(loadtest)
                loadtest.wait()
                if watch is not None and json_path.exists():
                    ended = json.loads(json_path.read_text(encoding="utf-8"))
                    page_figures = watch.results(ended.get("session_ended_at_unix_s"))
        finally:
            server.stop()
    if not json_path.exists():
        return {"students": students, "failed": f"loadtest exited {loadtest.returncode}"}
    result = json.loads(json_path.read_text(encoding="utf-8"))
    result["load_average_before"] = load_before
    result["load_average_after"] = os.getloadavg()[0]
    if page_figures is not None:
        result["pages"] = page_figures
    json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def median_run(results: list[dict[str, Any]], figure: str = "cpu_ms_per_answer"
               ) -> dict[str, Any]:
    """The run with the median server CPU per answer (``figure``: with or without the
    joins; a failed run counts as the worst), noting the range over all runs."""
    def cpu(result: dict[str, Any]) -> float:
        value = None if "failed" in result else result["server"][figure]
        return float("inf") if value is None else value

    ranked = sorted(results, key=cpu)
    chosen = ranked[(len(ranked) - 1) // 2]
    if len(results) > 1 and "failed" not in chosen:
        figures = ", ".join(f"{cpu(result):.2f}" for result in results)
        pace = "student-paced, " if chosen.get("pace") == "student" else ""
        chosen.setdefault("notes", []).append(
            f"{chosen['students']:,} students, {pace}median of {len(results)} runs; "
            f"server CPU per answer in each run: {figures} ms")
    return chosen


def machine_description() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _cell(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"


def _kib(size: int | None) -> float | None:
    return None if size is None else size / 1024


def markdown(results: list[dict[str, Any]], launcher: str, args: argparse.Namespace) -> str:
    lines = [
        "# trivia-trio benchmark",
        "",
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- machine: {machine_description()}",
        f"- server: `{launcher}`, its own process; load generator: another process",
        f"- each run: {args.questions} questions, answers spread over {args.answer_window_ms} ms, "
        f"{args.ramp_per_second:g} joins started a second; "
        "latencies in ms, measured by the load generator (its own scheduling delay included)",
        "",
        "| students | latency (ms) | n | p50 | p95 | p99 | max |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        if "failed" in result:
            lines.append(f"| {result['students']:,} | {result['failed']} | | | | | |")
            continue
        for key, label in METRIC_LABELS.items():
            figures = result["metrics_ms"][key]
            lines.append(
                f"| {result['students']:,} | {label} | {figures['n']:,} | "
                + " | ".join(_cell(figures[name]) for name in ("p50", "p95", "p99", "max"))
                + " |"
            )
    lines += [
        "",
        "| students | errors | server CPU per answer (ms) | server CPU per join (ms) "
        "| to the instructor per question (KiB) | to the projector per question (KiB) "
        "| server peak RSS (MiB) | join phase (s) | load generator CPU (s) | load average before |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        if "failed" in result:
            continue
        errors = ", ".join(f"{kind}: {count}" for kind, count in result["errors"].items())
        server = result["server"]
        sent = result["bytes_per_question"]
        lines.append(
            f"| {result['students']:,} | {errors or 'none'} | "
            f"{_cell(server['cpu_ms_per_answer'], 2)} | {_cell(server['cpu_ms_per_join'], 2)} | "
            f"{_cell(_kib(sent['instructor']))} | {_cell(_kib(sent['projector']))} | "
            f"{_cell(server['peak_rss_mib'])} | "
            f"{result['join_phase_s']:.1f} | {result['client_cpu_s']:.1f} | "
            f"{result['load_average_before']:.2f} |"
        )
    lines += pages_table(results)
    notes = sorted({note for result in results for note in result.get("notes", [])})
    if notes:
        lines += ["", *(f"- note: {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def _p99(result: dict[str, Any], metric: str) -> float | None:
    return result["metrics_ms"][metric]["p99"] if metric in result["metrics_ms"] else None


def paced_rows(students: int, live: list[dict[str, Any]], paced: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """Live and student-paced at one class size, each figure the median over its runs
    (interleaved, so both saw the same load); paced CPU per answer also as a ratio."""
    rows = []
    for pace, runs in (("live", live), ("student", paced)):
        done = [result for result in runs if "failed" not in result]
        rows.append({
            "students": students, "pace": pace, "runs": len(runs), "failed": len(runs) - len(done),
            "errors": sum(result["error_count"] for result in done),
            "join_p99": _median([_p99(result, "join") for result in done]),
            "ack_p99": _median([_p99(result, "submit_ack") for result in done]),
            "next_p99": _median([_p99(result, "next_open") for result in done]),
            "cpu": _median([result["server"]["cpu_ms_per_answer_with_joins"] for result in done]),
            "cpu_runs": [result["server"]["cpu_ms_per_answer_with_joins"] for result in done],
            "dashboard": _median([result["dashboard"]["kib_per_minute"] for result in done]),
            "load": [(result["load_average_before"], result["load_average_after"])
                     for result in done],
        })
    live_row, paced_row = rows
    if live_row["cpu"] and paced_row["cpu"] is not None:
        paced_row["ratio"] = paced_row["cpu"] / live_row["cpu"]
    return rows


def paced_markdown(rows: list[dict[str, Any]], launcher: str, args: argparse.Namespace) -> str:
    lines = [
        "# trivia-trio benchmark: live and student-paced",
        "",
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- machine: {machine_description()}",
        f"- server: `{launcher}`, its own process; load generator: another process",
        f"- {args.questions} questions; live: answers spread over {args.answer_window_ms} ms "
        f"per question; student-paced: each student through the quiz in "
        f"{args.paced_minutes / 2:g} to {args.paced_minutes:g} minutes; "
        f"{args.ramp_per_second:g} joins started a second; live and paced runs interleaved; "
        "each figure the median of the runs",
        "- server CPU per answer counts the joins in (a paced student answers while others "
        "join); the dashboard's KiB per minute from the first join to the end",
        "",
        "| students | pace | runs | errors | join p99 (ms) | submit → ack p99 (ms) "
        "| next → question_open p99 (ms) | server CPU per answer (ms) | paced ÷ live "
        "| dashboard (KiB/min) | load average (before → after each run) |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        errors = f"{row['errors']:,}" + (f", {row['failed']} failed" if row["failed"] else "")
        cpu_runs = ", ".join(_cell(cpu, 2) for cpu in row["cpu_runs"])
        load = ", ".join(f"{before:.1f} → {after:.1f}" for before, after in row["load"])
        lines.append(
            f"| {row['students']:,} | {row['pace']} | {row['runs']} | {errors} "
            f"| {_cell(row['join_p99'], 0)} | {_cell(row['ack_p99'], 0)} "
            f"| {_cell(row['next_p99'], 0)} | {_cell(row['cpu'], 2)} ({cpu_runs}) "
            f"| {_cell(row.get('ratio'), 2)} | {_cell(row['dashboard'], 0)} | {load} |")
    return "\n".join(lines) + "\n"


def run_paced(command: list[str], sizes: list[int], args: argparse.Namespace, stamp: str,
              server_command: list[str] | None, launcher: str) -> int:
    """``--paced``: at each size, a live run then a student-paced one, ``--runs`` times."""
    rows = []
    for size in sizes:
        live, paced = [], []
        for run in range(args.runs):
            for minutes, results in ((None, live), (args.paced_minutes, paced)):
                results.append(run_one(command, size, args.questions, args.answer_window_ms,
                                       f"{stamp}-{run}", server_command,
                                       ramp_per_second=args.ramp_per_second,
                                       paced_minutes=minutes))
        rows += paced_rows(size, live, paced)
    table = paced_markdown(rows, launcher, args)
    (RESULTS / "latest-paced.md").write_text(table, encoding="utf-8")
    print("\n" + table)
    return 1 if any(row["errors"] or row["failed"] for row in rows) else 0


def page_weight(command: list[str], log_path: Path) -> str:
    """The page-weight line: bytes on the wire for each page in headless chromium, first
    load and reload, against a fresh server run by ``command`` (bench/page_weight.py)."""
    import page_weight as weight  # this folder is on sys.path

    print("\n== page weight (bench/page_weight.py)", flush=True)
    figures = weight.run(command, log_path)
    print(weight.report(figures), flush=True)
    return weight.page_weight_line(figures)


def pages_table(results: list[dict[str, Any]]) -> list[str]:
    """The pages' figures (``--pages``), one row per class size."""
    measured = [result for result in results if "pages" in result]
    if not measured:
        return []
    lines = [
        "",
        "Dashboard (1366×768) and projector (1920×1080) in chromium, the same run:",
        "",
        "| students | dashboard: a click answered, p99 (ms) | … during questions (ms) | clicks "
        "| longest task (ms) | tasks over 200 ms | main thread busy (its CPU, s) "
        "| script / layout / style (s) "
        "| DOM elements | JS heap (MiB) | end shown late by (s) | projector: longest task (ms) "
        "| projector: DOM elements | projector: end shown late by (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in measured:
        dash, screen = result["pages"]["dashboard"], result["pages"]["projector"]
        lines.append(
            f"| {result['students']:,} | {_cell(dash['click_p99_ms'], 0)} "
            f"| {_cell(dash['click_p99_in_questions_ms'], 0)} | {dash['clicks']} "
            f"| {_cell(dash['longest_task_ms'], 0)} | {dash['tasks_over_200_ms']} "
            f"| {dash['busy_share']:.0%} ({dash['cpu_s']:.1f}) "
            f"| {dash['script_s']:.1f} / {dash['layout_s']:.1f} / {dash['style_s']:.1f} "
            f"| {dash['dom_elements_max']:,} | {_cell(dash['heap_mib_max'])} "
            f"| {_cell(dash['end_late_s'], 2)} | {_cell(screen['longest_task_ms'], 0)} "
            f"| {screen['dom_elements_max']:,} | {_cell(screen['end_late_s'], 2)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="100,1000,3000,5000",
                        help="comma-separated class sizes")
    parser.add_argument("--questions", type=int,
                        help="questions in the quiz (default 3; 10 with --paced)")
    parser.add_argument("--answer-window-ms", type=int, default=3000)
    parser.add_argument("--ramp-per-second", type=float, default=100.0,
                        help="joins started per second (lower it on a crowded machine, where "
                        "a fast ramp times joins out)")
    parser.add_argument(
        "--from-source", action="store_true", help="run python -m trivia_trio, not the zipapp"
    )
    parser.add_argument(
        "--command",
        help="run trivia_trio with this command instead, e.g. another Python with the zipapp",
    )
    parser.add_argument(
        "--server-command",
        help="run the server (only) with this command, e.g. an older build to compare with; "
        "the load test stays this tree's",
    )
    parser.add_argument("--pages", action="store_true",
                        help="also open the dashboard and the projector in chromium and "
                        "measure them (bench/pages.py)")
    parser.add_argument("--paced", action="store_true",
                        help="live and student-paced runs in turn at each size (the "
                        "student-paced benchmark): bench/results/latest-paced.md")
    parser.add_argument("--paced-minutes", type=float, default=3.0,
                        help="with --paced: the slowest student's time for the quiz")
    parser.add_argument("--runs", type=int, default=1,
                        help="runs per class size; the tables show the run with the median "
                        "server CPU per answer")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.students.split(",")]
    if args.questions is None:
        args.questions = 10 if args.paced else 3
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.command:
        command, launcher = shlex.split(args.command), args.command
    else:
        command, launcher = trivia_trio_command(args.from_source)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    server_command = shlex.split(args.server_command) if args.server_command else None
    if server_command:
        launcher = f"{args.server_command} (server), {launcher} (load test)"
    if args.paced:
        return run_paced(command, sizes, args, stamp, server_command, launcher)
    results = [
        median_run([run_one(command, size, args.questions, args.answer_window_ms,
                            f"{stamp}-{run}", server_command, args.pages,
                            args.ramp_per_second)
                    for run in range(args.runs)])
        for size in sizes
    ]
    table = markdown(results, launcher, args) + "\n" + page_weight(
        server_command or command, RESULTS / f"{stamp}-page-weight-server.log") + "\n"
    (RESULTS / "latest.md").write_text(table, encoding="utf-8")
    print("\n" + table)
    failed = any("failed" in result or result["errors"] for result in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
