"""The session's runs side by side: the archive list and the item analysis.

A reset or a new quiz after the end starts a new run and keeps the old one,
so a teacher who gives the same quiz to several classes can compare them
question by question. Both views are pure functions of a sqlite3 connection,
built on ``exports.load_run``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from .exports import Run, load_run, session_run_ids
from .library import Version, fingerprint, versions


def _summary(run: Run, current_run_id: int, known: dict[str, Version]) -> dict[str, Any]:
    """A run's line; ``version`` says which version of its library quiz it froze, so
    runs of a quiz edited in between are told apart."""
    totals = [run.totals(p["student_id"]).points for p in run.participants]
    version = known.get(fingerprint(run.quiz_data))
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "title": run.quiz_data.get("title", ""),
        "questions": len(run.quiz_data.get("questions", [])),
        "questions_asked": len(run.openings),
        "students": len(totals),
        "average_score": round(sum(totals) / len(totals) / 20, 2) if totals else None,
        "current": run.run_id == current_run_id,
        "library_quiz_id": version.quiz_id if version else None,
        "version": version.number if version else None,
    }


def run_list(conn: sqlite3.Connection, session_id: str, current_run_id: int
             ) -> list[dict[str, Any]]:
    """Every run of the session, oldest first, with its size and average total score."""
    known = versions(conn)
    return [_summary(load_run(conn, run_id), current_run_id, known)
            for run_id in session_run_ids(conn, session_id)]


@dataclass
class _Tally:
    """One question in one run: everyone asked, and how fast those who answered were."""

    asked: int = 0
    correct: int = 0
    elapsed_ms: list[int] = field(default_factory=list)

    def as_dict(self, run_id: int) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "responses": self.asked,
            "correct": self.correct,
            "share_correct": round(self.correct / self.asked, 4) if self.asked else None,
            "median_ms": round(median(self.elapsed_ms)) if self.elapsed_ms else None,
        }


def item_analysis(conn: sqlite3.Connection, session_id: str, current_run_id: int
                  ) -> dict[str, Any]:
    """Per question (grouped by its text), the share correct and the median response
    time in each run that asked it; the most-missed questions first.

    A student who let the time run out counts as not correct; the median is over
    the answers given. A run's entry is null when its quiz did not ask the question.
    """
    loaded = (load_run(conn, run_id) for run_id in session_run_ids(conn, session_id))
    runs = [run for run in loaded if run.openings]
    tallies: dict[str, dict[int, _Tally]] = {}  # question text -> run_id -> tally
    for run in runs:
        texts = [" ".join(q["text"].split()) for q in run.quiz_data["questions"]]
        tally_of: dict[int, _Tally] = {}  # question_idx -> this run's tally
        for opening in run.openings:
            idx = opening["question_idx"]
            if idx < len(texts):
                tally_of[idx] = tallies.setdefault(texts[idx], {}).setdefault(run.run_id,
                                                                              _Tally())
        for answers in run.answers.values():
            for idx, answer in answers.items():
                tally = tally_of.get(idx)
                if tally is None:
                    continue
                tally.asked += 1
                tally.correct += answer["correct"]
                if answer["status"] == "submitted" and answer["elapsed_ms"] is not None:
                    tally.elapsed_ms.append(answer["elapsed_ms"])
    questions = []
    for text, by_run in tallies.items():
        asked = sum(t.asked for t in by_run.values())
        correct = sum(t.correct for t in by_run.values())
        questions.append({
            "text": text,
            "responses": asked,
            "share_correct": round(correct / asked, 4) if asked else None,
            "runs": [by_run[run.run_id].as_dict(run.run_id) if run.run_id in by_run else None
                     for run in runs],
        })
    # Most missed first; questions nobody has answered yet go last. The sort is stable:
    # ties keep the order the questions were first asked in.
    questions.sort(key=lambda q: (q["share_correct"] is None, q["share_correct"] or 0))
    known = versions(conn)
    return {"runs": [_summary(run, current_run_id, known) for run in runs],
            "questions": questions}
