"""The session's runs side by side: the archive list and the item analysis.

A reset or a new quiz after the end starts a new run and keeps the old one,
so a teacher who gives the same quiz to several classes can compare them
question by question. Both views are pure functions of a sqlite3 connection,
built on ``exports.load_run``; every count in them is the results model's
(``Run.results``), never recounted here.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median
from typing import Any

from ..core.answer_groups import AnswerGroups
from ..core.kinds import Kind
from ..core.results import Kept, RunResults, Tally, has_answer
from . import roster
from .exports import Run, load_run, session_run_ids
from .library import Version, fingerprint, versions


def _summary(run: Run, grid: RunResults, current_run_id: int, known: dict[str, Version]
             ) -> dict[str, Any]:
    """A run's line; ``version`` says which version of its library quiz it froze, so
    runs of a quiz edited in between are told apart."""
    totals = [grid.student(student_id).points for student_id in grid.students]
    version = known.get(fingerprint(run.quiz_data))
    scored = _pooled(grid.question(idx) for idx, asked in grid.asked.items()
                     if asked.kind.has_right_answer)
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "pace": run.pace,
        "title": run.quiz_data.get("title", ""),
        # Questions as the pages count them: answerable ones (polls included), no slides.
        "questions": sum(1 for n in run.numbers() if n is not None),
        "questions_asked": sum(1 for asked in grid.asked.values() if asked.kind.takes_answers),
        "students": len(totals),
        "average_score": round(sum(totals) / len(totals) / 20, 2) if totals else None,
        "share_right": scored.share_right,
        "current": run.run_id == current_run_id,
        "library_quiz_id": version.quiz_id if version else None,
        "version": version.number if version else None,
    }


def _pooled(tallies: Iterable[Tally]) -> Tally:
    return sum(tallies, Tally())


def run_list(conn: sqlite3.Connection, session_id: str, current_run_id: int
             ) -> list[dict[str, Any]]:
    """Every run of the session, oldest first, with its size and average total score."""
    known = versions(conn)
    summaries = []
    for run_id in session_run_ids(conn, session_id):
        run = load_run(conn, run_id)
        used = roster.class_of_run(conn, run_id)  # the class list it took its students from
        summaries.append({**_summary(run, run.results(), current_run_id, known),
                          "class_id": used[0] if used else None,
                          "class_name": used[1] if used else None})
    return summaries


@dataclass
class _Question:
    """One question of one quiz, over the runs that asked it."""

    idx: int
    number: int | None
    text: str
    kind: Kind
    by_run: dict[int, dict[str, Any]]
    tallies: list[Tally]
    # Not scored: the answers given, and the entries hidden from the big screen (their
    # ``entry_key``) in any of the runs.
    answers: list[str]
    hidden: set[str]

    @property
    def scored(self) -> bool:
        return self.kind.has_right_answer

    def votes(self) -> dict[str, int]:
        """A poll's answers by letter; a kind that groups its entries (a word cloud) as its
        ``top_answers`` rank them, a hidden entry marked as the exports mark it."""
        top = self.kind.top_answers(AnswerGroups.of(self.kind, self.answers), self.hidden)
        if top is None:
            return dict(sorted(Counter(self.answers).items()))
        return {self.kind.describe(row["answer"], self.hidden): row["count"] for row in top}

    def as_dict(self, run_ids: list[int]) -> dict[str, Any]:
        pooled = _pooled(self.tallies)
        shown = {
            "question_idx": self.idx,
            "question": self.number,
            "text": self.text,
            "kind": self.kind.name,
            "scored": self.scored,
            "responses": pooled.scored,
            "share_correct": pooled.share_right,
            "results": pooled.as_dict(),
            "runs": [self.by_run.get(run_id) for run_id in run_ids],
        }
        if not self.scored:
            shown["votes"] = self.votes()
        return shown


def _run_cell(run_id: int, kept: Iterable[Kept], tally: Tally) -> dict[str, Any]:
    """One run's column of a question; ``kept`` its answers as the results model read them."""
    times = [s.elapsed_ms for s in kept if has_answer(s) and s.elapsed_ms is not None]
    return {
        "run_id": run_id,
        "responses": tally.scored,
        "correct": tally.right,
        "share_correct": tally.share_right,
        "results": tally.as_dict(),
        "median_ms": round(median(times)) if times else None,
    }


def _group(runs: list[tuple[Run, RunResults]], current_run_id: int,
           known: dict[str, Version]) -> dict[str, Any]:
    """The item analysis of one quiz (one version of it) over its runs."""
    first = runs[0][0]
    numbers = first.numbers()
    questions = {
        idx: _Question(idx, numbers[idx], " ".join(q.text.split()), q.kind, {}, [], [], set())
        for idx, q in enumerate(first.quiz.questions) if q.kind.takes_answers
    }
    for run, grid in runs:
        for idx in grid.asked:
            question = questions.get(idx)
            if question is None:
                continue
            tally = grid.question(idx)
            question.tallies.append(tally)
            question.by_run[run.run_id] = _run_cell(run.run_id, grid.kept.get(idx, {}).values(),
                                                    tally)
            if not question.scored:
                question.answers += [submission.answer for submission in
                                     grid.kept.get(idx, {}).values()
                                     if has_answer(submission) and submission.answer is not None]
                question.hidden |= run.hidden.get(idx, set())
    run_ids = [run.run_id for run, _ in runs]
    asked = [q for q in questions.values() if q.tallies]
    # Most missed first among the scored; polls (not scored) after them, in quiz order.
    asked.sort(key=lambda q: (not q.scored, _pooled(q.tallies).share_right is None,
                              _pooled(q.tallies).share_right or 0))
    version = known.get(fingerprint(first.quiz_data))
    return {
        "title": first.quiz_data.get("title", ""),
        "library_quiz_id": version.quiz_id if version else None,
        "version": version.number if version else None,
        "runs": [_summary(run, grid, current_run_id, known) for run, grid in runs],
        "questions": [q.as_dict(run_ids) for q in asked],
    }


def item_analysis(conn: sqlite3.Connection, session_id: str, current_run_id: int
                  ) -> dict[str, Any]:
    """Per quiz (and version), per question, the share right and the median response
    time in each run of that quiz; the most-missed questions first.

    Runs of different quizzes are never merged: each quiz is a group of its own in
    ``quizzes``, the latest run's first; ``runs`` and ``questions`` at the top are that
    latest group's. Shares are of right over right + partial + wrong + no_answer; a
    student not present counts in none, and polls (not scored) come last with their
    vote split. Slides are left out: there is nothing to analyse.
    """
    loaded = (load_run(conn, run_id) for run_id in session_run_ids(conn, session_id))
    groups: dict[str, list[tuple[Run, RunResults]]] = {}
    for run in loaded:
        grid = run.results()
        if grid.asked:  # a live run's openings, or a student-paced run's questions reached
            groups.setdefault(fingerprint(run.quiz_data), []).append((run, grid))
    known = versions(conn)
    ordered = sorted(groups.values(), key=lambda runs: -runs[-1][0].run_id)
    quizzes = [_group(runs, current_run_id, known) for runs in ordered]
    latest = quizzes[0] if quizzes else {"runs": [], "questions": []}
    return {"runs": latest["runs"], "questions": latest["questions"], "quizzes": quizzes}
