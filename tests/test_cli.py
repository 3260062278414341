"""The command line as an instructor meets it: ports, help, and bad quiz files."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

from trivia_trio.core.formats import csv_format
from trivia_trio.core.kinds import KINDS

from . import picture_headers
from .conftest import THREE_QUESTIONS, log_problems


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trivia_trio", *args], capture_output=True,
                          text=True, timeout=30, cwd=cwd)


def test_help_lists_every_option() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for option in ("QUIZ_FILE", "--host", "--port", "--data-dir", "--no-browser",
                   "--instructor-key", "--session-id", "--remote-control", "--version",
                   "--help", "check", "loadtest"):
        assert option.lower() in result.stdout.lower(), option


def test_a_taken_port_moves_to_the_next_free_one(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "trivia_trio", "--no-browser", "--host", "127.0.0.1",
             "--port", str(taken), "--data-dir", str(tmp_path / "data")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        banner = []
        for line in process.stdout:
            banner.append(line)
            if "/instructor?key=" in line:
                break
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=10)
    text = "".join(banner)
    assert f"Port {taken} is taken; using" in text, text
    used = int(re.search(r"127\.0\.0\.1:(\d+)/instructor", text).group(1))
    assert used > taken
    assert process.returncode == 0
    assert f"Your answers are kept in {tmp_path / 'data'}" in rest
    assert log_problems([], (text + rest).splitlines(), []) == []


def test_a_missing_quiz_file_is_one_line_and_starts_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run_cli(str(missing), "--no-browser", "--data-dir", str(tmp_path / "data"))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert str(missing) in result.stderr
    assert not (tmp_path / "data").exists()


def test_a_malformed_quiz_names_the_file_and_the_question_counted_from_one(
        tmp_path: Path) -> None:
    quiz = json.loads(json.dumps(THREE_QUESTIONS))
    quiz["questions"][1]["correct"] = "E"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(quiz))
    result = run_cli(str(path), "--no-browser", "--data-dir", str(tmp_path / "data"))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert str(path) in result.stderr
    assert 'question 2: the answer "E" is not one of A, B' in result.stderr
    assert not (tmp_path / "data").exists()


def test_check_summarises_a_good_file_and_lists_every_problem_of_a_bad_one(
        tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(THREE_QUESTIONS))
    result = run_cli("check", str(good))
    assert result.returncode == 0
    assert "questions: 3" in result.stdout and "Three questions" in result.stdout
    quiz = json.loads(json.dumps(THREE_QUESTIONS))
    quiz["questions"][0]["options"] = ["only one"]
    quiz["questions"][2]["time_limit"] = 9999
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(quiz))
    result = run_cli("check", str(bad))
    assert result.returncode != 0
    assert "question 1: needs 2 to 6 options (A to F), it has 1" in result.stderr
    assert "question 3: the time limit 9999 is outside 5..600 seconds" in result.stderr
    assert "questions[" not in result.stderr


def test_check_counts_every_kind_and_the_pictures_of_a_quiz(tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    path.write_text(csv_format.template(), encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.returncode == 0, result.stderr
    assert f"questions: {len(KINDS)} (" + ", ".join(f"1 {name}" for name in KINDS) + ")" \
        in result.stdout
    (tmp_path / "cell.png").write_bytes(picture_headers.png(4, 3))
    pictured = tmp_path / "pictured.json"
    pictured.write_text(json.dumps({"title": "P", "questions": [
        {"kind": "slide", "text": "Look", "image": "cell.png"}]}))
    result = run_cli("check", str(pictured))
    assert result.returncode == 0, result.stderr
    assert "pictures: 1" in result.stdout and "questions: 1 (1 slide)" in result.stdout
