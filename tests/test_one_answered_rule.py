"""Whether a student answered a question is decided in one place: ``results.has_answer``.

Every count of answers (the dashboard's "Answered 12 of 30", the students table's
answered column, the early close, the item analysis's times, the phones' snapshot,
the student-paced rules) asks it; none reads a submission's status word itself. A
second reading of ``status == "submitted"`` is how two surfaces come to count the
same class differently, so this test finds any, in the server and in the pages."""

from __future__ import annotations

import re
from pathlib import Path

from trivia_trio.core import results
from trivia_trio.core.record import Submission

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "src" / "trivia_trio" / "core" / "results.py"
# A status compared to one of its words: .status == "submitted", ["status"] != 'missed',
# status === "submitted" in a page's script.
STATUS_WORD = re.compile(r"""status["'\]]*\s*[!=]==?\s*["'](submitted|missed)["']""")


def status_readings(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if STATUS_WORD.search(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_only_the_results_model_reads_a_submissions_status() -> None:
    sources = [p for p in (ROOT / "src").rglob("*.py") if p != RESULTS]
    pages = list((ROOT / "static").glob("*.js"))
    assert status_readings(sources + pages) == []


def test_the_rule_finds_a_status_read_elsewhere(tmp_path: Path) -> None:
    own = tmp_path / "view.py"
    own.write_text('ok = row["status"] == "submitted"\nalso = s.status != "missed"\n'
                   'fine = results.has_answer(s)\n')
    assert len(status_readings([own])) == 2


def test_has_answer_is_an_answer_kept_not_a_missed_row() -> None:
    answered = Submission("ana", 0, "B", 10, 10, 20, True, "submitted")
    missed = Submission("ana", 0, None, None, None, 0, False, "missed")
    assert [results.has_answer(s) for s in (answered, missed, None)] == [True, False, False]
