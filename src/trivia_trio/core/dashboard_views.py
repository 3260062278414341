"""What the instructor's dashboard is shown: its snapshot on connect, the students'
presence table, the leaderboard and the room's settings.

Pure functions of the game state and, for presence, the live connection table. The
two big tables go out whole or as changes (``deltas.py``, ``room/pacing.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import results
from .game import Game
from .record import Participant, State, as_score
from .views import (
    between_message,
    instructor_closed_message,
    instructor_open_message,
    leaderboard_rows,
    live_histogram_message,
    public_question,
    state_message,
    with_top,
)


def instructor_snapshot(game: Game, now: int, room_info: dict[str, Any],
                        presence: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's whole picture: state, quiz, lobby, presence, the question in play
    (or the one just revealed) with its tallies, and the leaderboard."""
    idx = game.current_idx
    messages = [state_message(game), room_info, lobby_update_message(game), presence]
    if idx is not None:
        messages += [instructor_open_message(game, idx, now), live_histogram_message(game, idx)]
        if game.state is not State.QUESTION_OPEN:
            messages.append(instructor_closed_message(game, idx))
    if game.state is State.BETWEEN_QUESTIONS and idx is not None:
        messages.append(with_top(between_message(game, game.next_question_idx()), "top5",
                                 game))
    elif game.state is State.FINISHED:
        messages.append(with_top({"type": "session_ended"}, "final_top5", game))
    messages.append(full_leaderboard_message(game))
    return messages


def lobby_update_message(game: Game) -> dict[str, Any]:
    participants = [
        {"student_id": p.student_id, "name": p.name, "joined_at": p.joined_at}
        for p in game.participants.values()
    ]
    return {"type": "lobby_update", "participants": participants, "count": len(participants)}


def participants(game: Game, student_ids: Iterable[str] | None = None
                 ) -> Collection[Participant]:
    """Everyone taking part, or those of ``student_ids`` who do."""
    if student_ids is None:
        return game.participants.values()
    return [game.participants[s] for s in student_ids if s in game.participants]


@dataclass(frozen=True)
class Presence:
    """A student's live connection, which only the running process knows."""

    ws_count: int
    last_seen_ms: int


def presence_rows(game: Game, presence: Mapping[str, Presence],
                  chosen: Iterable[Participant] | None = None) -> list[dict[str, Any]]:
    """The presence table's rows: everyone's, or only the ``chosen`` participants'."""
    current = game.current_idx
    rows = []
    for p in game.participants.values() if chosen is None else chosen:
        live = presence.get(p.student_id)
        audit = game.audits.get(p.student_id)
        answer = game.submission(p.student_id, current) if current is not None else None
        rows.append({
            "student_id": p.student_id,
            "name": p.name,
            "joined_at": p.joined_at,
            "connected": bool(live and live.ws_count),
            "ws_count": live.ws_count if live else 0,
            "last_seen_ms": live.last_seen_ms if live else None,
            "blur_count": audit.blur_count if audit else 0,
            "hidden_count": audit.hidden_count if audit else 0,
            "duplicate_join_attempts": _duplicates(audit),
            "answered_current": results.has_answer(answer),
        })
    return rows


def orphan_duplicate_joins(game: Game) -> list[dict[str, Any]]:
    """Claims on ids no one holds (the holder was cleared): the instructor should know."""
    return [
        {"student_id": student_id, **_duplicates(audit)}
        for student_id, audit in game.audits.items()
        if audit.duplicate_joins and student_id not in game.participants
    ]


def presence_update_message(game: Game, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole presence table: ``rows`` from ``presence_rows``."""
    return {
        "type": "presence_update",
        "current_question_idx": game.current_idx,
        "rows": rows,
        "orphan_duplicate_joins": orphan_duplicate_joins(game),
    }


# What a dashboard's socket names in its ``accept`` to get presence rows without the
# fields still at their starting values (docs/PROTOCOL.md).
PRESENCE_SPARSE = "presence_sparse"
STARTING_VALUES = {"connected": False, "ws_count": 0, "last_seen_ms": None, "blur_count": 0,
                   "hidden_count": 0, "duplicate_join_attempts": {"count": 0},
                   "answered_current": False}


def sparse_presence(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` (``presence_update`` or ``presence_changes``) for a page that takes
    rows sparse: a whole row (a new one carries ``joined_at``) without the fields at
    their starting values, and any row without ``ws_count`` (no page shows it) nor,
    where the row says the student is connected (its ``ws_count``), ``last_seen_ms``
    (the page says "now"). A class joining was 200 bytes a student, most of them zeros;
    a changed row's other fields go as they are (one changed back to its starting value
    must say so; a change of ``last_seen_ms`` alone cannot tell whether the student is
    connected, and carries it)."""
    return message | {"rows": [_sparse(row) for row in message["rows"]]}


def _sparse(row: dict[str, Any]) -> dict[str, Any]:
    whole = "joined_at" in row
    connected = row.get("ws_count", 0) > 0
    return {k: v for k, v in row.items()
            if k != "ws_count" and not (k == "last_seen_ms" and connected)
            and not (whole and STARTING_VALUES.get(k, row) == v)}


def presence_changes_message(game: Game, rows: list[dict[str, Any]], removed: list[str]
                             ) -> dict[str, Any]:
    """What changed in ``presence_update`` since the last one or the last changes: a new
    ``current_question_idx`` clears every ``answered_current``; then each row in
    ``rows`` (its ``student_id`` and changed fields) is merged in, and ``removed``
    rows are gone."""
    return {
        "type": "presence_changes",
        "current_question_idx": game.current_idx,
        "rows": rows,
        "removed": removed,
        "orphan_duplicate_joins": orphan_duplicate_joins(game),
    }


def _duplicates(audit: Any) -> dict[str, Any]:
    if audit is None or not audit.duplicate_joins:
        return {"count": 0}
    return {"count": audit.duplicate_joins, "latest_ts": audit.latest_duplicate_ts}


def full_leaderboard_message(game: Game) -> dict[str, Any]:
    return {"type": "full_leaderboard",
            "leaderboard": leaderboard_rows(game.standings(), with_ids=True)}


def scores(game: Game, student_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Everyone's total in points (or only that of ``student_ids``), unsorted: what
    ``leaderboard_changes`` is made of (compared as whole points; turned into scores
    only for the rows sent)."""
    return [{"student_id": p.student_id, "name": p.name, "score": p.points}
            for p in participants(game, student_ids)]


def leaderboard_changes_message(rows: list[dict[str, Any]], removed: list[str]
                                ) -> dict[str, Any]:
    """What changed in ``full_leaderboard``: new rows and new scores, and the students gone.
    The page ranks the rows itself, by the leaderboard's rules: the score of one
    student moves the rank of many, and sending every moved rank would be the
    whole table again. ``rows`` come from ``scores``."""
    shown = [row | {"score": as_score(row["score"])} if "score" in row else row
             for row in rows]
    return {"type": "leaderboard_changes", "rows": shown, "removed": removed}


def room_info_message(game: Game, *, session_id: str, join_url: str, qr_url: str,
                      live_answers: bool, close_when_all_answered: bool = True,
                      projector_language: str | None = None, joining_locked: bool = False,
                      projector_url: str = "/projector") -> dict[str, Any]:
    """Instructor only: the whole quiz with its answers, and the room's links. Each
    question's ``number`` is the one the pages say (null for a slide)."""
    numbers = results.question_numbers([q.kind for q in game.quiz.questions])
    questions = [
        {"idx": i, "number": numbers[i]} | public_question(game, i)
        | {"correct": game.kind(i).reveal(), "explanation": q.explanation, "points": q.points,
           "time_limit": game.quiz.time_limit(i)}
        for i, q in enumerate(game.quiz.questions)
    ]
    return {
        "type": "room_info",
        "title": game.quiz.title,
        "session_id": session_id,
        "score_fn": game.quiz.score_fn,
        "leaderboard_between": game.quiz.leaderboard_between,
        "leaderboard": game.leaderboard,
        "quiz_leaderboard": game.quiz.leaderboard,
        "phones": game.phones,
        "quiz_phones": game.quiz.phones,
        "questions": questions,
        "question_count": results.answerable_count([q.kind for q in game.quiz.questions]),
        "join_url": join_url,
        "qr_url": qr_url,
        "projector_url": projector_url,
        "projector_live_answers": live_answers,
        "close_when_all_answered": close_when_all_answered,
        "projector_language": projector_language,
        "quiz_language": game.quiz.language,
        "joining_locked": joining_locked,
    }
