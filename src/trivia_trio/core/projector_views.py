"""What the big screen is shown: one state message per redraw, with its charts and podium.
"""

from __future__ import annotations

from typing import Any

from . import results
from .game import Game
from .record import POINTS_PER_QUESTION, Standing, State
from .views import (
    PUBLIC_TOP,
    is_v1_quiz,
    leaderboard_rows,
    live_histogram_message,
    public_question,
    question_open_message,
    reveal,
)

MAX_CHART_BINS = 6  # wide enough columns for labels a room can read, kept horizontal

def round_step(top: int, unit: int, max_bins: int = MAX_CHART_BINS) -> int:
    """The smallest step of 1, 2 or 5 times ``unit`` times a power of ten that covers
    0..``top`` in at most ``max_bins`` equal bins: bins a class reads at a glance."""
    magnitude = unit
    while True:
        for multiple in (1, 2, 5):
            if multiple * magnitude * max_bins >= top:
                return multiple * magnitude
        magnitude *= 10


def _even_buckets(top: int, step: int, per_unit: int) -> list[dict[str, Any]]:
    """Equal bins of ``step`` from 0 past ``top``, labelled in whole units ("0–5"), with
    their edges as numbers (``low``, ``high``) for a page to write its own way."""
    count = max(1, -(-top // step))
    return [{"label": f"{step * i / per_unit:g}–{step * (i + 1) / per_unit:g}",
             "low": step * i / per_unit, "high": step * (i + 1) / per_unit, "count": 0}
            for i in range(count)]


def response_time_distribution(game: Game, idx: int) -> dict[str, Any] | None:
    """Answers by time taken, in at most six equal bins of 1, 2, 5, 10… seconds
    (None for a question with no clock)."""
    limit = game.openings[idx].time_limit
    if limit is None:
        return None
    limit_ms = limit * 1000
    step = round_step(limit_ms, 1000)
    buckets = _even_buckets(limit_ms, step, 1000)
    for submission in game.submitted(idx):
        buckets[min(len(buckets) - 1, (submission.elapsed_ms or 0) // step)]["count"] += 1
    return {"buckets": buckets, "total": sum(b["count"] for b in buckets)}


def score_distribution(game: Game) -> dict[str, Any]:
    """Students by total score, in at most six equal bins of 0.1, 0.2, 0.5, 1… points."""
    max_total = max(1, sum(q.points for q in game.quiz.questions if q.kind.has_right_answer))
    best_points = max_total * POINTS_PER_QUESTION
    step = round_step(best_points, POINTS_PER_QUESTION // 10)  # whole points, so edges are exact
    buckets = _even_buckets(best_points, step, POINTS_PER_QUESTION)
    for p in game.participants.values():
        buckets[min(len(buckets) - 1, p.points // step)]["count"] += 1
    return {"buckets": buckets, "max_total": max_total, "n": len(game.participants)}


def projector_state_message(game: Game, *, session_id: str, join_url: str, qr_url: str,
                            live_answers: bool, now: int, language: str | None = None
                            ) -> dict[str, Any]:
    """Everything the big screen draws. Never a student id; per-option counts only
    after the reveal, unless the instructor turned live answers on (and never, before
    the reveal, a right/wrong tally: that would tell the room the answer). ``language``:
    the one the screen speaks (None: the projector browser's own)."""
    idx = game.current_idx
    question = live = shown = timing = None
    if idx is not None and game.state in (State.QUESTION_OPEN, State.QUESTION_CLOSED):
        opened = question_open_message(game, idx, now)
        question = {"idx": idx} | public_question(game, idx) | {
            "opened_at_server_ts": opened["opened_at_server_ts"],
            "time_limit": opened["time_limit"],
            "remaining_ms": opened["remaining_ms"],
            "total_questions": opened["total_questions"],
        } | {key: opened[key] for key in ("question_number", "question_count") if key in opened}
        counts = live_histogram_message(game, idx)
        live = {"submitted_count": counts["submitted_count"],
                "total_count": counts["total_count"]}
        if game.state is State.QUESTION_CLOSED or (
                live_answers and not game.kind(idx).tally_tells_right_from_wrong):
            live["counts"] = counts["histogram"]
        if game.kind(idx).answers_on_projector and "top_answers" in counts:
            live["top_answers"] = [row for row in counts["top_answers"] if not row.get("hidden")]
        if game.state is State.QUESTION_CLOSED:
            shown = reveal(game, idx)
            timing = response_time_distribution(game, idx)
            # Right and wrong only once revealed; while open, answered and pending only.
            live["results"] = counts["results"]
        else:
            live["results"] = {key: counts["results"][key] for key in ("answered", "pending")}
    # Mid-question, standings that move with each answer would tell the room who is right
    # (and cost O(class size) at every redraw); they come with the reveal.
    # And only when the leaderboard setting shows them now (standings.py).
    standings = game.state is not State.QUESTION_OPEN and game.standings_shown()
    message = {
        "type": "projector_state",
        "sid": session_id,
        "language": language,
        "state": game.state.value,
        "title": game.quiz.title,
        "join_url": join_url,
        "qr_url": qr_url,
        "participant_count": len(game.participants),
        "pool_meta": {
            "question_count": len(game.quiz),
            "time_limit_default": game.quiz.time_limit_default,
            "score_fn": game.quiz.score_fn,
        },
        "question": question,
        "live_histogram": live,
        "reveal": shown,
        "response_time_distribution": timing,
        "score_distribution": score_distribution(game) if standings else None,
        "leaderboard": leaderboard_rows(game.top(PUBLIC_TOP)) if standings else None,
        "podium": leaderboard_rows(podium(game)) if standings else None,
        "server_ts": now,
    }
    if game.state is State.FINISHED and not standings:
        message["class_results"] = class_results(game)
    if is_v1_quiz(game):
        return message
    # The lobby's "N questions": answerable ones, as every page numbers them.
    return message | {"question_count": results.answerable_count(
        [q.kind for q in game.quiz.questions])}


def class_results(game: Game, grid: results.RunResults | None = None) -> dict[str, Any]:
    """The end screen's results when it shows no standings: how many played, the share
    right over the run and each scored question's, by the number the pages give it.
    Never a name. ``grid``: the run's results when they are not the live run's own (a
    student-paced run's, ``paced.PacedRun.run_results``)."""
    grid = grid or game.run_results()
    numbers = results.question_numbers([q.kind for q in game.quiz.questions])
    questions, total = [], results.Tally()
    for idx in sorted(grid.asked):
        if game.kind(idx).has_right_answer:
            tally = grid.question(idx)
            total += tally
            questions.append({"number": numbers[idx], "share_right": tally.share_right})
    return {"players": len(game.participants), "share_right": total.share_right,
            "questions": questions}


def podium(game: Game) -> list[Standing]:
    """Everyone ranked 1 to 3, ties whole (results.on_podium), at most ``PUBLIC_TOP``
    names: more would not fit a screen a room reads."""
    return results.on_podium(game.top(PUBLIC_TOP))
