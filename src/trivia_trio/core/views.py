"""What each kind of client is shown: the protocol's messages, built from a Game.

Pure functions of the game state. The dashboard's own views are
``dashboard_views``, the big screen's ``projector_views``; here are the messages
they share with the phones, and the phones' own. Messages every student shares
are encoded once; the few fields that differ per student are spliced onto that
encoding (see ``Personalised``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from . import phones, results
from .game import Game
from .record import Standing, State, Submission, as_score

PUBLIC_TOP = 10


def encode(message: Mapping[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class Personalised:
    """A message shared by all students plus a few fields of their own, encoded cheaply.

    The shared part is encoded once; each student's fields are encoded and
    appended to it. The public top list marks the caller's own row with
    ``is_you``, so the handful of students inside it get their own copy. Without
    ``top`` (the standings are not shown now, standings.py) no top list is sent.
    """

    def __init__(self, base: Mapping[str, Any], top_key: str, top: list[Standing] | None,
                 own: Callable[[str], dict[str, Any]]) -> None:
        self._prefix = encode(base)[:-1]
        self._top_key = top_key
        self._top = top or []
        self._shared_top = None if top is None else encode(leaderboard_rows(top))
        self._own = own

    def for_student(self, student_id: str) -> str:
        own = encode(self._own(student_id))
        tail = "," + own[1:] if len(own) > 2 else "}"
        if self._shared_top is None:
            return self._prefix + tail
        if any(s.student_id == student_id for s in self._top):
            top = encode(leaderboard_rows(self._top, you=student_id))
        else:
            top = self._shared_top
        return f'{self._prefix},"{self._top_key}":{top}{tail}'


def leaderboard_rows(standings: list[Standing], *, you: str | None = None,
                     with_ids: bool = False) -> list[dict[str, Any]]:
    rows = []
    for s in standings:
        row: dict[str, Any] = {"rank": s.rank, "name": s.name, "score": as_score(s.points)}
        if with_ids:
            row["student_id"] = s.student_id
        if you is not None and s.student_id == you:
            row["is_you"] = True
        rows.append(row)
    return rows


def state_message(game: Game) -> dict[str, Any]:
    return {
        "type": "state",
        "state": game.state.value,
        "current_question_idx": game.current_idx,
        "title": game.quiz.title,
    }


def media_url(name: str) -> str:
    return f"/media/{name}"


def public_question(game: Game, idx: int) -> dict[str, Any]:
    """What anyone may see of question ``idx`` before its reveal: never the answer.

    A question v1 could ask is shown exactly as v1 did (text and options only)."""
    question = game.quiz.questions[idx]
    kind = game.kind(idx)
    if question.is_v1:
        return {"text": question.text} | kind.public()
    shown: dict[str, Any] = {"kind": kind.name, "text": question.text} | kind.public()
    if question.image:
        shown["image"] = media_url(question.image)
    return shown


def is_v1_quiz(game: Game) -> bool:
    """A quiz v1 could run: its messages stay exactly v1's (its numbers are idx + 1)."""
    return all(q.is_v1 for q in game.quiz.questions)


def question_number(game: Game, idx: int) -> dict[str, Any]:
    """"Question N of M" counting answerable questions only (polls included): a slide's
    ``question_number`` is null. ``total_questions`` stays the quiz file's count."""
    kinds = [q.kind for q in game.quiz.questions]
    return {"question_number": results.question_numbers(kinds)[idx],
            "question_count": results.answerable_count(kinds)}


def question_open_message(game: Game, idx: int, now: int) -> dict[str, Any]:
    opening = game.openings[idx]
    message = {"type": "question_open", "question_idx": idx} | public_question(game, idx) | {
        "time_limit": opening.time_limit,
        "total_questions": len(game.quiz),
        "opened_at_server_ts": opening.opened_at,
        "remaining_ms": opening.remaining_ms(now),
    }
    if opening.asking > 1:
        message["asking"] = opening.asking
    return message if is_v1_quiz(game) else message | question_number(game, idx)


def instructor_open_message(game: Game, idx: int, now: int) -> dict[str, Any]:
    """The dashboard's ``question_open``: the shared one plus ``next_idx``, the question
    Next opens after this one. A slide has no reveal to say it, and after a question is
    asked again it is not the one after it."""
    return question_open_message(game, idx, now) | {"next_idx": game.next_question_idx()}


def question_open_for_students(game: Game, idx: int, now: int, *,
                               projector_open: bool = False) -> Callable[[str], str]:
    """Each student's ``question_open``: one text for all, except while the question is
    asked again, when a student who answered it before gets ``your_earlier_answer``
    (it stands unless they answer again). In a buttons-only run with a projector open,
    without what the big screen shows (phones.py)."""
    message = question_open_message(game, idx, now)
    if phones.buttons_only(game.phones, game.kind(idx), projector_open=projector_open):
        message = phones.for_phones(message)
    shared = encode(message)

    def text_for(student_id: str) -> str:
        earlier = game.earlier_answer(student_id, idx)
        if earlier is None:
            return shared
        return encode(message | {"your_earlier_answer": answer_on_wire(game, earlier)})

    return text_for if game.openings[idx].asking > 1 else lambda student_id: shared


def answer_on_wire(game: Game, submission: Submission | None) -> Any:
    if submission is None or submission.answer is None:
        return None
    return game.kind(submission.question_idx).wire_answer(submission.answer)


def ack_message(game: Game, submission: Submission) -> dict[str, Any]:
    return {
        "type": "submit_ack",
        "question_idx": submission.question_idx,
        "answer": answer_on_wire(game, submission),
        "score": submission.score,
        "elapsed_ms": submission.elapsed_ms,
    }


def error_message(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def lobby_count_message(game: Game) -> dict[str, Any]:
    return {"type": "lobby_count", "count": len(game.participants)}


# ---- reveal, interlude, end: shared part + each student's own -------------------------
def right_answer(game: Game, idx: int) -> dict[str, Any]:
    """The answer and its explanation, without the class's answers (one student's own
    feedback in a student-paced run)."""
    return {"correct": game.kind(idx).reveal(),
            "explanation": game.quiz.questions[idx].explanation}


def reveal(game: Game, idx: int) -> dict[str, Any]:
    """The answer and how the class answered: ``top_answers`` for typed kinds."""
    shown = right_answer(game, idx)
    top = game.top_answers(idx, with_hidden=False)
    return shown if top is None else shown | {"top_answers": top}


def question_closed_message(game: Game, idx: int) -> dict[str, Any]:
    shown = reveal(game, idx)
    message = {
        "type": "question_closed",
        "question_idx": idx,
        "correct": shown["correct"],
        "explanation": shown["explanation"],
        "histogram": game.histogram(idx),
    }
    if "top_answers" in shown:
        message["top_answers"] = shown["top_answers"]
    return message


def question_closed_own(game: Game, idx: int, student_id: str) -> dict[str, Any]:
    submission = game.submission(student_id, idx)
    own = {
        "your_answer": answer_on_wire(game, submission),
        "your_score": submission.score if submission else 0.0,
    } | rank_and_total(game, student_id)
    # A quiz v1 could run keeps v1's message; in any other quiz every question says its
    # word, so a late joiner reads "not present" on a plain choice as the gradebook does.
    if not is_v1_quiz(game):
        own["your_correct"] = bool(submission and submission.correct) \
            if game.kind(idx).has_right_answer else None
        own["your_result"] = game.result_of(student_id, idx)
    return own


def between_message(game: Game, next_idx: int | None) -> dict[str, Any]:
    """``next_idx`` is None after the last question: nothing comes next but the end.
    ``next_number`` is its number as the pages say it (null for a slide)."""
    message = {"type": "between_questions", "next_idx": next_idx}
    if next_idx is None or is_v1_quiz(game):
        return message
    return message | {"next_number": question_number(game, next_idx)["question_number"]}


def rank_and_total(game: Game, student_id: str) -> dict[str, Any]:
    """A student's total, and their place when the standings are shown (standings.py)."""
    if not game.standings_shown():
        return {"your_total": game.total_of(student_id)}
    return {"your_rank": game.rank_of(student_id), "your_total": game.total_of(student_id)}


def shown_top(game: Game) -> list[Standing] | None:
    """The top five for students and the projector; None when standings are not shown."""
    return game.top(5) if game.standings_shown() else None


def ended_own(game: Game, student_id: str) -> dict[str, Any]:
    return game.summary_of(student_id) | rank_and_total(game, student_id)


def closed_for_students(game: Game, idx: int) -> Personalised:
    return Personalised(question_closed_message(game, idx), "top5", shown_top(game),
                        lambda sid: question_closed_own(game, idx, sid))


def between_for_students(game: Game, next_idx: int | None) -> Personalised:
    return Personalised(between_message(game, next_idx), "top5", shown_top(game),
                        lambda sid: rank_and_total(game, sid))


def ended_for_students(game: Game) -> Personalised:
    return Personalised({"type": "session_ended"}, "final_top5", shown_top(game),
                        lambda sid: ended_own(game, sid))


def with_top(message: dict[str, Any], key: str, game: Game) -> dict[str, Any]:
    """The instructor's copy of a shared message: the top five, no one marked."""
    return message | {key: leaderboard_rows(game.top(5))}


def instructor_closed_message(game: Game, idx: int) -> dict[str, Any]:
    """The instructor's reveal: the shared one plus the class's ``results`` (results.py)
    and ``next_idx``, the question Next opens (after a question asked again, the one
    after where the teacher was; None after the last)."""
    shared = question_closed_message(game, idx)
    if "top_answers" in shared:  # the teacher's copy keeps the hidden entries, marked
        shared["top_answers"] = game.top_answers(idx, with_hidden=True)
    return with_top(shared, "top5", game) | {
        "results": game.question_tally(idx).as_dict(), "next_idx": game.next_question_idx()}


def entries_hidden_message(game: Game, idx: int) -> dict[str, Any]:
    """Instructor only, after a Hide: the question's ``top_answers``, hidden ones marked."""
    return {"type": "entries_hidden", "question_idx": idx,
            "top_answers": game.top_answers(idx, with_hidden=True) or []}


# ---- what a (re)connecting client gets first ---------------------------------------------
def student_snapshot(game: Game, student_id: str, now: int,
                     uncommitted: Collection[Submission] = (), *,
                     projector_open: bool = False) -> list[str]:
    """Enough to draw the current screen at once: the state, then the open question with
    the student's own ack, the reveal with their result, the interlude, or the end.

    An answer still being committed gets no ack here: the client resends it, and the
    resend waits for the commit. ``projector_open``: as in question_open_for_students."""
    idx = game.current_idx
    texts = [encode(state_message(game))]
    if game.state is State.LOBBY:
        texts.append(encode(lobby_count_message(game)))
    elif game.state in (State.QUESTION_OPEN, State.QUESTION_CLOSED) and idx is not None:
        texts.append(question_open_for_students(game, idx, now,
                                                projector_open=projector_open)(student_id))
        submission = game.submission(student_id, idx)
        if game.state is State.QUESTION_CLOSED:
            texts.append(closed_for_students(game, idx).for_student(student_id))
        elif submission is not None and results.has_answer(submission) and \
                submission not in uncommitted and game.earlier_answer(student_id, idx) is None:
            texts.append(encode(ack_message(game, submission)))
    elif game.state is State.BETWEEN_QUESTIONS and idx is not None:
        texts.append(between_for_students(game, game.next_question_idx())
                     .for_student(student_id))
    elif game.state is State.FINISHED:
        texts.append(ended_for_students(game).for_student(student_id))
    return texts


def live_histogram_message(game: Game, idx: int) -> dict[str, Any]:
    """The dashboard's tally; its counts of students (``submitted_count``, ``results``)
    come from the results model, never from summing the histogram's letters."""
    histogram = game.histogram(idx, pending=True)
    tally = game.question_tally(idx)
    message = {
        "type": "live_histogram",
        "question_idx": idx,
        "histogram": histogram,
        "submitted_count": tally.answered,
        "total_count": len(game.participants),
        "results": tally.as_dict(),
    }
    top = game.top_answers(idx, with_hidden=True)
    if top is not None:
        message["top_answers"] = top
    return message


# ---- HTTP views ------------------------------------------------------------------------------
def me_payload(game: Game, student_id: str,
               uncommitted: Collection[Submission] = ()) -> dict[str, Any]:
    """What the student has on record: answers still being committed are not yet."""
    participant = game.participants[student_id]
    kept = [s for s in game.submissions_of(student_id) if s not in uncommitted]
    grid = results.RunResults([student_id], {idx: game.asked(idx) for idx in game.openings},
                              {s.question_idx: {student_id: s} for s in kept})
    totals = grid.student(student_id)
    return {
        "student_id": participant.student_id,
        "name": participant.name,
        "total_score": totals.score,
        "submissions": [
            {"question_idx": s.question_idx, "answer": answer_on_wire(game, s),
             "elapsed_ms": s.elapsed_ms, "score": s.score, "status": s.status,
             "asking": s.asking, "result": grid.result(student_id, s.question_idx)}
            for s in kept
        ],
        "questions_answered": totals.answered,
        "questions_correct": totals.right,
        "questions_asked": totals.asked,
    }


def stats_payload(game: Game, idx: int | None, you: str | None, *,
                  instructor: bool = False) -> dict[str, Any]:
    """``GET /api/stats`` of question ``idx`` (None: none asked yet) for student ``you``.

    While a question is open a student learns nothing of it: its scores would tell the
    class whether the answers given so far are right, and standings that move with each
    answer who gave them (the projector keeps them for the reveal too)."""
    mid_question = game.state is State.QUESTION_OPEN and not instructor
    shown = game.standings_shown() and not mid_question
    top5 = leaderboard_rows(game.top(5), you=you) if shown else []
    your_rank = game.rank_of(you) if you and shown else None
    if idx is None or (mid_question and idx == game.current_idx):
        return {"question_idx": idx, "response_time_avg_ms": None,
                "response_time_distribution": {}, "average_score": 0, "top5": top5,
                "your_rank": your_rank}
    submitted = list(game.submitted(idx))
    times = [s.elapsed_ms or 0 for s in submitted]
    distribution = {"0_10s": 0, "10_30s": 0, "30s_plus": 0}
    for elapsed in times:
        key = "0_10s" if elapsed < 10_000 else "10_30s" if elapsed < 30_000 else "30s_plus"
        distribution[key] += 1
    return {
        "question_idx": idx,
        "response_time_avg_ms": round(sum(times) / len(times)) if times else None,
        "response_time_distribution": distribution,
        "average_score": round(sum(s.score for s in submitted) / len(submitted), 2)
        if submitted else 0,
        "top5": top5,
        "your_rank": your_rank,
    }
