"""What a student-paced run sends (``paced.py``): each student's question, feedback and end,
the dashboard's progress grid and the projector's progress. Pure builders, like
``views.py``; the answer goes out only where ``PacedRun.may_reveal`` allows it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from . import results, views
from .paced import PacedRun, Progress
from .paced_grid_rows import open_for_ms
from .record import Submission

TOP = 10


def _shown_answer(run: PacedRun, student_id: str, idx: int, wire: Any) -> Any:
    """An answer or a reveal in the letters this student was shown."""
    order = run.progress[student_id].order
    return order.to_shown_letters(idx, wire) if idx in order.options and \
        isinstance(wire, str) else wire


def question_open(run: PacedRun, student_id: str, now: int) -> dict[str, Any] | None:
    """The student's current question: content only once they reached it, their own
    clock (``remaining_ms``), and "Question ``position`` of ``of``"."""
    progress = run.progress.get(student_id)
    turn = progress.current if progress else None
    if progress is None or turn is None:
        return None
    idx = turn.question_idx
    shown = views.public_question(run.game, idx)
    if "options" in shown:
        shown["options"] = progress.order.shown_options(idx, shown["options"])
    return {"type": "question_open", "question_idx": idx} | shown | {
        "time_limit": None if turn.limit_ms is None else turn.limit_ms / 1000,
        "total_questions": len(run.game.quiz),
        "opened_at_server_ts": turn.opened_at,
        "remaining_ms": turn.remaining_ms(run.ended_at or now),
        "pace": "student", "position": turn.position + 1, "of": len(progress.order.questions),
    } | _numbers(run, progress.order.questions)[turn.position]


def ack(run: PacedRun, submission: Submission) -> dict[str, Any]:
    """The answer was saved; its score only where feedback may be shown."""
    sid, idx = submission.student_id, submission.question_idx
    message = {"type": "submit_ack", "question_idx": idx,
               "answer": _shown_answer(run, sid, idx, views.answer_on_wire(run.game, submission))}
    if run.may_reveal(sid, idx):
        message |= {"score": submission.score, "elapsed_ms": submission.elapsed_ms}
    return message


def turn_closed(run: PacedRun, student_id: str, idx: int) -> dict[str, Any]:
    """The student's own close of ``idx`` (answered, passed, time up): the right answer,
    the explanation and their word only where they may be shown; else ``saved``."""
    submission = run.game.submission(student_id, idx)
    message: dict[str, Any] = {
        "type": "question_closed", "question_idx": idx, "pace": "student",
        "your_answer": _shown_answer(run, student_id, idx,
                                     views.answer_on_wire(run.game, submission)),
        "saved": results.has_answer(submission)}
    if run.may_reveal(student_id, idx):
        shown = views.right_answer(run.game, idx)
        message |= {"correct": _shown_answer(run, student_id, idx, shown["correct"]),
                    "explanation": shown["explanation"],
                    "your_result": run.cell(student_id, idx),
                    "your_score": submission.score if submission else 0.0,
                    "your_total": run.game.total_of(student_id)}
        if run.settings.standings:
            message["your_rank"] = run.game.rank_of(student_id)
    return message


def finished(run: PacedRun, student_id: str) -> dict[str, Any]:
    """Past the last question; the run may still go on for the others."""
    progress = run.progress[student_id]
    message = {"type": "paced_finished", "of": len(progress.order.questions)}
    if run.settings.feedback == "each":
        message["your_total"] = run.game.total_of(student_id)
    return message


def ended(run: PacedRun, student_id: str, grid: results.RunResults | None = None
          ) -> dict[str, Any]:
    """The run is over: the student's score, place (if the quiz shows standings), and
    their review (if allowed): each question in the order they saw it. ``grid``: the
    run's results, built once for a whole class's ends."""
    totals = (grid or run.run_results()).student(student_id)
    message = {"type": "session_ended", "pace": "student",
               "questions_answered": totals.answered, "questions_correct": totals.right,
               "questions_asked": totals.asked,
               "your_total": run.game.total_of(student_id)}
    if run.settings.standings:
        message["your_rank"] = run.game.rank_of(student_id)
    if run.may_review() and student_id in run.progress:
        order = run.progress[student_id].order.questions
        numbers = _numbers(run, order)
        message["review"] = [review_item(run, student_id, idx) | numbers[place]
                             for place, idx in enumerate(order)]
    return message


def _numbers(run: PacedRun, order: Sequence[int]) -> list[dict[str, int | None]]:
    """``question_number`` and ``question_count`` of each place in a student's order, as a
    live run numbers its questions: only those that take answers; a slide's is None."""
    kinds = [run.game.kind(idx) for idx in order]
    count = results.answerable_count(kinds)
    return [{"question_number": number, "question_count": count}
            for number in results.question_numbers(kinds)]


def review_item(run: PacedRun, student_id: str, idx: int) -> dict[str, Any]:
    shown = views.public_question(run.game, idx)
    order = run.progress[student_id].order
    if "options" in shown:
        shown["options"] = order.shown_options(idx, shown["options"])
    submission = run.game.submission(student_id, idx)
    reveal = views.right_answer(run.game, idx)
    return {"question_idx": idx, "question": shown,
            "your_answer": _shown_answer(run, student_id, idx,
                                         views.answer_on_wire(run.game, submission)),
            "correct": _shown_answer(run, student_id, idx, reveal["correct"]),
            "explanation": reveal["explanation"], "result": run.cell(student_id, idx)}


# ---- the dashboard's grid and the projector's progress ------------------------------------
def grid_row(run: PacedRun, student_id: str) -> dict[str, Any]:
    """One student's row. It changes only when they act (an answer, Next, time up), never
    with the clock: ``time_used_ms`` counts closed turns, ``open_since`` the open one's
    start, and the page adds the two as the seconds go by."""
    participant = run.game.participants[student_id]
    progress: Progress | None = run.progress.get(student_id)
    turn = progress.current if progress else None
    open_since = turn.opened_at if turn is not None and turn.closed_at is None else None
    accommodation = progress.accommodation if progress else None
    return {"student_id": student_id, "name": participant.name,
            "cells": run.cells(student_id),
            "reached": len(progress.turns) if progress else 0,
            "finished": bool(progress and progress.finished),
            "score": run.game.total_of(student_id),
            "time_used_ms": progress.closed_time_ms() if progress else 0,
            "open_since": open_since,
            "extra_time": accommodation.extra_time if accommodation else 1.0,
            "no_speed_penalty": bool(accommodation and accommodation.no_speed_penalty)}


def grid_rows(run: PacedRun, student_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    chosen = run.game.participants if student_ids is None else \
        [s for s in student_ids if s in run.game.participants]
    return [grid_row(run, sid) for sid in chosen]


def question_columns(run: PacedRun) -> list[dict[str, Any]]:
    """Per question: how many reached and answered it, and the share right so far (a
    question passed or out of time counts as no answer at once, as its cell says)."""
    grid = run.run_results()
    numbers = results.question_numbers([q.kind for q in run.game.quiz.questions])
    columns = []
    for idx in range(len(run.game.quiz)):
        asked = grid.asked.get(idx)
        tally = grid.question(idx) if asked else results.Tally()
        columns.append({"question_idx": idx, "number": numbers[idx],
                        "reached": sum(1 for sid in grid.students if sid in asked.present)
                        if asked else 0,
                        "answered": tally.answered, "right": tally.right,
                        "share_right": tally.share_right})
    return columns


def grid_header(run: PacedRun) -> dict[str, Any]:
    """The grid's counts per question, its summary and the end: one scan of the class,
    which the projector's progress shares."""
    return {"questions": question_columns(run), "summary": run.summary(),
            "ends_at": run.ends_at, "ended": run.ended,
            "settings": run.settings.to_dict()}


def grid_message(header: dict[str, Any], rows: list[dict[str, Any]], now: int
                 ) -> dict[str, Any]:
    """The whole grid under ``header`` (``grid_header``'s); each row adds ``open_for_ms``,
    how long its open question has run (``open_since`` is the server's clock, not the
    page's)."""
    shown = [row | {"open_for_ms": open_for_ms(row, now)} for row in rows]
    return {"type": "paced_grid"} | header | {"rows": shown}


def grid_changes_message(header: dict[str, Any], rows: list[dict[str, Any]],
                         removed: list[str]) -> dict[str, Any]:
    return {"type": "paced_grid_changes"} | header | {"rows": rows, "removed": removed}


def progress(run: PacedRun, header: dict[str, Any]) -> dict[str, Any]:
    """The projector's: counts and a bar per question, never a name; the top 10 only
    while the run shows standings (``paced.standings_mode``). ``header``:
    ``grid_header``'s (its counts and summary are the grid's)."""
    shown = {"students": len(run.game.participants), **header["summary"],
             "questions": [{"question_idx": c["question_idx"], "number": c["number"],
                            "answered": c["answered"]}
                           for c in header["questions"]],
             "ends_at": header["ends_at"], "ended": header["ended"]}
    if run.game.standings_shown():
        shown["top"] = views.leaderboard_rows(run.game.top(TOP))
    return shown


def me(run: PacedRun, student_id: str, uncommitted: Collection[Submission] = ()
       ) -> dict[str, Any]:
    """``GET /api/me`` in a student-paced run: what the student has on record, with a
    score and word only where feedback may be shown (never an answer's rightness early)."""
    participant = run.game.participants[student_id]
    kept = [s for s in run.game.submissions_of(student_id) if s not in uncommitted]
    submissions = []
    for s in kept:
        shown: dict[str, Any] = {
            "question_idx": s.question_idx, "status": s.status, "asking": s.asking,
            "answer": _shown_answer(run, student_id, s.question_idx,
                                    views.answer_on_wire(run.game, s))}
        if run.may_reveal(student_id, s.question_idx):
            shown |= {"elapsed_ms": s.elapsed_ms, "score": s.score,
                      "result": run.cell(student_id, s.question_idx)}
        submissions.append(shown)
    message = {"student_id": participant.student_id, "name": participant.name,
               "pace": "student", "submissions": submissions,
               "questions_answered": sum(1 for s in kept if results.has_answer(s))}
    if run.ended or run.settings.feedback == "each":
        message["total_score"] = run.game.total_of(student_id)
    return message
