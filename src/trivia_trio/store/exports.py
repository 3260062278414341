"""Results out of the durable record, for any run: CSV and .xlsx a gradebook can take,
JSON to archive.

Every export is a function of a sqlite3 connection and a run id, built on
``load_run``: one read of the run's rows, shared by all of them. Each table is
made once as typed rows (``*_rows``): the CSV writes them as text, the .xlsx as
real cells, so the two always hold the same values. Every cell a person typed
(names, ids, question text) goes through ``_cell``, so a spreadsheet never runs
it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core import results, spreadsheet
from ..core.kinds import Kind
from ..core.pace import settings_from
from ..core.paced import Turn, asked_questions
from ..core.quiz import Quiz, quiz_from_dict
from ..core.record import Opening, Submission, as_points, latest_openings, run_seed
from . import paced as paced_record
from . import roster
from .database import load_hidden_entries, presence_key

# v1's columns first, in v1's order; every later one at the end (docs/PROTOCOL.md).
RESULT_COLUMNS = ("student_id", "name", "question_idx", "answer", "correct", "elapsed_ms",
                  "score", "status", "answer_text", "result", "question", "question_text",
                  "asking", "order_position", "opened_at", "earlier_answers")
GRADEBOOK_COLUMNS = ("student_id", "name", "total_score", "correct", "answered")
# After the question columns: the questions whose score comes from an answer given when
# the question was asked again (results.counting_submission).
GRADEBOOK_LAST_COLUMNS = ("kept_from_asked_again",)
# A gradebook cell besides a score: see the README's "What the gradebook says".
NO_ANSWER_CELL = ""
NOT_PRESENT_CELL = "-"  # and not reached, in a student-paced run
HEADER_TEXT_CHARS = 40
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
JSON_FORMAT = "trivia-trio-run"
JSON_VERSION = 1

Row = dict[str, Any]
Table = list[list[Any]]


class Score(float):
    """A score on its 0.05 grid: ``1.50`` in a CSV, the number 1.5 in a spreadsheet."""


class UnknownRun(LookupError):
    """No such run (in this session)."""


@dataclass(frozen=True)
class Run:
    """One run's rows as stored: participants in join order, answers by student."""

    run_id: int
    session_id: str
    quiz_data: dict[str, Any]
    started_at: int
    finished_at: int | None
    participants: list[Row]  # student_id, name, joined_at
    openings: list[Row]  # each question's latest: question_idx, opened_at, time_limit, ...
    earlier_openings: list[Row]  # the openings of a question asked again before its latest
    answers: dict[str, dict[int, Row]]  # student_id -> question_idx -> the counting row
    # student_id -> question_idx -> the rows of its other askings, which do not count
    others: dict[str, dict[int, list[Row]]]
    events: list[Row]
    # question_idx -> who had a socket open while it was open, at any of its askings
    present: dict[int, set[str]]
    presence_kept: bool  # False for a run begun before presence was recorded
    pace: str = "live"  # or "student" (core/pace.py)
    # A student-paced run's turns: (student_id, question_idx) -> when they had it.
    turns: dict[tuple[str, int], Turn] | None = None
    # question_idx -> entries the teacher hid from the big screen (a word cloud's)
    hidden: dict[int, set[str]] = field(default_factory=dict)

    @property
    def quiz(self) -> Quiz:
        return quiz_from_dict(self.quiz_data)

    def kinds(self) -> list[Kind]:
        """Each question as this run asked it (an order question's shuffle included)."""
        return [q.kind.for_run(f"{run_seed(self.session_id, self.run_id)}/{idx}")
                for idx, q in enumerate(self.quiz.questions)]

    def answer_text(self, kinds: list[Kind], row: Row) -> str:
        """A stored answer as a teacher reads it: option letters with their text."""
        if row["answer"] is None or row["question_idx"] >= len(kinds):
            return ""
        return kinds[row["question_idx"]].describe(
            row["answer"], self.hidden.get(row["question_idx"], set()))

    def answer_cells(self, kinds: list[Kind], row: Row) -> tuple[object, object]:
        """``answer`` and ``answer_text`` for a CSV row. A number the server validated is
        written as that number (a spreadsheet adds it up); anything else may have been
        typed, so it is guarded against running as a formula."""
        if row["answer"] is not None and row["question_idx"] < len(kinds):
            value = kinds[row["question_idx"]].wire_answer(row["answer"])
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value, value
        return _cell(_blank(row["answer"])), _cell(self.answer_text(kinds, row))

    def numbers(self) -> list[int | None]:
        """Each question's number as the pages say it (slides have none)."""
        return results.question_numbers([q.kind for q in self.quiz.questions])

    def results(self) -> results.RunResults:
        """The run's words and counts (results.py), read from its record.

        A run begun before presence was recorded counts a student as present for a
        question if they had joined before it closed: the best its record can say.
        """
        kinds = self.kinds()
        students = [p["student_id"] for p in self.participants]
        if self.turns is not None:
            turns = ((student_id, turn) for (student_id, _), turn in self.turns.items())
            return results.RunResults(students, asked_questions(
                kinds, turns, ended=self.finished_at is not None), self._kept())
        kept = self._kept()
        asked = {}
        for opening in self.openings:
            idx, closed_at = opening["question_idx"], opening["closed_at"]
            if idx >= len(kinds):
                continue
            present: set[str] = self.present.get(idx, set())
            if not self.presence_kept:
                present = {p["student_id"] for p in self.participants
                           if closed_at is None or p["joined_at"] <= closed_at}
            asked[idx] = results.Asked(kinds[idx], closed_at is not None, present)
        return results.RunResults(students, asked, kept)

    def _kept(self) -> dict[int, dict[str, Submission]]:
        kept: dict[int, dict[str, Submission]] = {}
        for student_id, rows in self.answers.items():
            for idx, row in rows.items():
                kept.setdefault(idx, {})[student_id] = _submission(row)
        return kept

    def earlier_answers(self, kinds: list[Kind], student_id: str, idx: int) -> str:
        """export.csv's ``earlier_answers``: the answers the student gave at the question's
        other askings, which do not count (``2: A: Paris``), one after another."""
        return " | ".join(f"{row['asking']}: {self.answer_text(kinds, row)}"
                          for row in self.others.get(student_id, {}).get(idx, [])
                          if results.has_answer(_submission(row)))

    def turn_cells(self, student_id: str, idx: int) -> list[object]:
        """export.csv's last two cells: where in their own order the student saw the
        question (1-based) and when their clock for it started; empty in a live run."""
        turn = self.turns.get((student_id, idx)) if self.turns is not None else None
        return ["", ""] if turn is None else [turn.position + 1, turn.opened_at]




def _rows(conn: sqlite3.Connection, sql: str, *args: Any) -> list[Row]:
    """Rows as dicts, whatever the connection's row factory."""
    cursor = conn.execute(sql, args)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _submission(row: Row) -> Submission:
    return Submission(row["student_id"], row["question_idx"], row["answer"],
                      row["submitted_at"], row["elapsed_ms"], as_points(row["score"]),
                      bool(row["correct"]), row["status"], row["asking"])


def _opening(row: Row) -> Opening:
    return Opening(row["question_idx"], row["opened_at"], row["time_limit"] or None,
                   row["closed_at"], row["asking"])


def check_run(conn: sqlite3.Connection, run_id: int, session_id: str) -> None:
    """Raise UnknownRun unless ``run_id`` is a run of ``session_id``."""
    if not _rows(conn, "SELECT 1 FROM runs WHERE run_id = ? AND sid = ?", run_id, session_id):
        raise UnknownRun(run_id)


def session_run_ids(conn: sqlite3.Connection, session_id: str) -> list[int]:
    return [r["run_id"] for r in _rows(
        conn, "SELECT run_id FROM runs WHERE sid = ? ORDER BY run_id", session_id)]


def load_run(conn: sqlite3.Connection, run_id: int) -> Run:
    """Everything stored about one run; raises UnknownRun when there is no such run."""
    found = _rows(conn, "SELECT * FROM runs WHERE run_id = ?", run_id)
    if not found:
        raise UnknownRun(run_id)
    run = found[0]
    quiz_data = json.loads(run["quiz_json"])
    settings = settings_from(quiz_data.get("paced"))
    pace = paced_record.run_pace(conn, run_id, quiz_data.get("pace", "live"), settings).pace
    every_opening = _rows(conn, "SELECT question_idx, opened_at, time_limit, closed_at, "
                          "asking FROM question_events WHERE run_id = ? "
                          "ORDER BY question_idx, asking", run_id)
    latest = latest_openings(map(_opening, every_opening))
    openings = [o for o in every_opening if latest[o["question_idx"]].asking == o["asking"]]
    recorded = _rows(conn, "SELECT student_id, question_idx, answer, submitted_at, "
                     "elapsed_ms, score, correct, status, asking FROM submissions "
                     "WHERE run_id = ? ORDER BY student_id, question_idx, asking", run_id)
    counting = results.counting_submissions(
        map(_submission, recorded), {o["question_idx"]: o["asking"] for o in openings})
    answers: dict[str, dict[int, Row]] = {}
    others: dict[str, dict[int, list[Row]]] = {}
    for row in recorded:
        student_id, idx = row["student_id"], row["question_idx"]
        kept = counting.get(idx, {}).get(student_id)
        if kept is not None and kept.asking == row["asking"]:
            answers.setdefault(student_id, {})[idx] = row
        else:
            others.setdefault(student_id, {}).setdefault(idx, []).append(row)
    present = results.present_at_any_asking(
        (row["student_id"], row["question_idx"], row["asking"]) for row in _rows(
            conn, "SELECT student_id, question_idx, asking FROM presence WHERE run_id = ?",
            run_id))
    return Run(
        run_id=run_id,
        session_id=run["sid"],
        quiz_data=quiz_data,
        started_at=run["started_at"],
        finished_at=run["finished_at"],
        participants=_rows(conn, "SELECT student_id, name, joined_at FROM participants "
                           "WHERE run_id = ? ORDER BY joined_at, rowid", run_id),
        openings=openings,
        earlier_openings=[o for o in every_opening if o not in openings],
        answers=answers,
        others=others,
        events=_rows(conn, "SELECT student_id, question_idx, kind, ts, detail "
                     "FROM student_events WHERE run_id = ? ORDER BY id", run_id),
        present=present,
        presence_kept=bool(_rows(conn, "SELECT 1 FROM meta WHERE key = ?",
                                 presence_key(run_id))),
        pace=pace,
        turns=paced_record.turns_of_run(conn, run_id) if pace == "student" else None,
        hidden=load_hidden_entries(conn, run_id),
    )


# ---- CSV ---------------------------------------------------------------------------------
def _cell(value: object) -> object:
    """Keep spreadsheet programs from running typed text as a formula."""
    if isinstance(value, str) and value.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _csv(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [f"{value:.2f}" if isinstance(value, Score) else value for value in row] for row in rows)
    return out.getvalue()


def _score(value: float) -> Score:
    return Score(value)


def _blank(value: object) -> object:
    return "" if value is None else value


def results_rows(conn: sqlite3.Connection, run_id: int) -> Table:
    """One row per student × question asked, then one ``total`` row per student.

    ``result`` is the results model's word; ``question`` the number the pages say
    (1-based, slides uncounted), ``question_idx`` the file's place (0-based)."""
    run = load_run(conn, run_id)
    grid = run.results()
    rows: list[list[object]] = [list(RESULT_COLUMNS)]
    totals = []
    kinds, numbers, questions = run.kinds(), run.numbers(), run.quiz.questions
    for p in run.participants:
        student_id = p["student_id"]
        who = [_cell(student_id), _cell(p["name"])]
        for idx, a in run.answers.get(student_id, {}).items():
            result = grid.result(student_id, idx) if idx in grid.asked else None
            answer, answer_text = run.answer_cells(kinds, a)
            rows.append([*who, idx, answer, a["correct"],
                         _blank(a["elapsed_ms"]), _score(a["score"]), a["status"],
                         answer_text, _blank(result),
                         _blank(numbers[idx] if idx < len(numbers) else None),
                         _cell(questions[idx].text if idx < len(questions) else ""),
                         a["asking"], *run.turn_cells(student_id, idx),
                         _cell(run.earlier_answers(kinds, student_id, idx))])
        t = grid.student(student_id)
        totals.append([*who, "total", "", t.right, "", _score(t.score), "total",
                       "", "", "", "", "", "", "", ""])
    return rows + totals


def question_header(number: int | None, text: str, kind: Kind) -> str:
    """``Q3: The first words of the question…`` on one line; a poll's says it is not
    scored, a slide's is ``Slide:``."""
    words = " ".join(text.split())
    if len(words) > HEADER_TEXT_CHARS:
        words = words[:HEADER_TEXT_CHARS - 1].rstrip() + "…"
    if number is None:
        return f"Slide: {words}"
    return f"Q{number}{'' if kind.has_right_answer else ' (not scored)'}: {words}"


def gradebook_cell(result: results.Result | None, kept: Submission | None) -> Score | str:
    """A question's cell: the score of an answer (0.00 for a wrong one), empty for no
    answer, ``-`` for not present; empty for a poll or slide and a question not asked."""
    if result in (results.Result.RIGHT, results.Result.PARTIAL, results.Result.WRONG):
        assert kept is not None
        return _score(kept.score)
    return NOT_PRESENT_CELL if result in (results.Result.NOT_PRESENT,
                                          results.Result.NOT_REACHED) else NO_ANSWER_CELL


def gradebook_rows(conn: sqlite3.Connection, run_id: int) -> Table:
    """One row per student: totals, then a cell per question (``gradebook_cell``)."""
    run = load_run(conn, run_id)
    grid = run.results()
    questions, numbers, kinds = run.quiz.questions, run.numbers(), run.kinds()
    rows: list[list[object]] = [
        [*GRADEBOOK_COLUMNS, *(_cell(question_header(numbers[i], q.text, kinds[i]))
                               for i, q in enumerate(questions)), *GRADEBOOK_LAST_COLUMNS]
    ]
    # The class list's students who never joined get a row too: the model says not
    # present for each question they missed (they had no socket), and they have no totals.
    listed = roster.run_class(conn, run_id)
    joined = {p["student_id"]: p["name"] for p in run.participants}
    never = {s.student_id: s.name for s in (listed.students.values() if listed else ())
             if s.student_id not in joined}
    for student_id, name in [*joined.items(), *never.items()]:
        t = grid.student(student_id)
        totals: list[object] = [_score(t.score), t.right, t.answered]
        if student_id in never:
            totals = [NOT_PRESENT_CELL] * len(totals)
        rows.append([_cell(student_id), _cell(name), *totals,
                     *(gradebook_cell(grid.result(student_id, i),
                                      grid.kept.get(i, {}).get(student_id))
                       if i in grid.asked else "" for i in range(len(questions))),
                     kept_from_asked_again(grid, student_id, numbers)])
    return rows


def results_csv(conn: sqlite3.Connection, run_id: int) -> str:
    return _csv(results_rows(conn, run_id))


def results_xlsx(conn: sqlite3.Connection, run_id: int) -> bytes:
    return spreadsheet.workbook([("Answers", results_rows(conn, run_id))])


def gradebook_csv(conn: sqlite3.Connection, run_id: int) -> str:
    return _csv(gradebook_rows(conn, run_id))


def gradebook_xlsx(conn: sqlite3.Connection, run_id: int) -> bytes:
    return spreadsheet.workbook([("Gradebook", gradebook_rows(conn, run_id))])


def kept_from_asked_again(grid: results.RunResults, student_id: str,
                          numbers: list[int | None]) -> str:
    """``Q2, Q5``: the questions whose kept answer the student gave when it was asked again."""
    return ", ".join(
        f"Q{numbers[idx]}" for idx in sorted(grid.kept)
        if idx < len(numbers) and numbers[idx] is not None
        and (kept := grid.kept[idx].get(student_id)) is not None
        and results.has_answer(kept) and kept.asking > 1)


def _turn_fields(run: Run, answer: Row) -> dict[str, Any]:
    """A student-paced run's submission: ``order_position`` and ``opened_at``."""
    if run.turns is None:
        return {}
    turn = run.turns.get((answer["student_id"], answer["question_idx"]))
    return {"order_position": turn.position + 1 if turn else None,
            "opened_at": turn.opened_at if turn else None}


# ---- JSON --------------------------------------------------------------------------------
def run_json(conn: sqlite3.Connection, run_id: int) -> str:
    """The whole run for archiving: quiz, timing, participants, answers and events."""
    run = load_run(conn, run_id)
    kinds, numbers, grid = run.kinds(), run.numbers(), run.results()
    participants = []
    for p in run.participants:
        t = grid.student(p["student_id"])
        participants.append({**p, "total_score": t.score, "correct": t.right,
                             "answered": t.answered, "results": t.as_dict()})
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "run": {"run_id": run.run_id, "session_id": run.session_id,
                "started_at": run.started_at, "finished_at": run.finished_at,
                "pace": run.pace},
        "quiz": run.quiz_data,
        "openings": run.openings,
        "questions": [{"question_idx": idx, "question": numbers[idx],
                       "text": run.quiz.questions[idx].text,
                       "kind": run.quiz.questions[idx].kind.name,
                       "results": grid.question(idx).as_dict()} for idx in grid.asked],
        "participants": participants,
        "submissions": [{**a, "answer_text": run.answer_text(kinds, a),
                         "correct": bool(a["correct"]),
                         "result": grid.result(a["student_id"], a["question_idx"])
                         if a["question_idx"] in grid.asked else None}
                        | _turn_fields(run, a)
                        for answers in run.answers.values() for a in answers.values()],
        # The rows of a question's other askings: recorded, not counted (the submission
        # above is the one that counts).
        "earlier_submissions": [{**a, "answer_text": run.answer_text(kinds, a),
                                 "correct": bool(a["correct"])}
                                for by_question in run.others.values()
                                for rows in by_question.values() for a in rows],
        "events": [{**e, "detail": json.loads(e["detail"]) if e["detail"] else None}
                   for e in run.events],
        # The openings of a question asked again before its latest (in "openings").
        "earlier_openings": run.earlier_openings,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
