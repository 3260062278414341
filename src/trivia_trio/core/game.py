"""The rules of the quiz: states, joins, submissions, scoring, ranks and tallies.

Pure: no trio, no sockets, no database. Every method takes the wall-clock
time it should act at (``now`` in ms since the epoch), so the rules are tested
with plain synchronous tests and replayed exactly when a room is rebuilt from
its durable record.

Scores are kept as whole *points*, twentieths of a question (the protocol's
0.05 grid), so totals are exact; ``points / 20`` is the score on the wire.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from . import results
from .kinds import BadAnswer, Kind
from .quiz import Quiz

POINTS_PER_QUESTION = 20


class State(StrEnum):
    LOBBY = "lobby"
    QUESTION_OPEN = "question_open"
    QUESTION_CLOSED = "question_closed"
    BETWEEN_QUESTIONS = "between_questions"
    FINISHED = "finished"


class Step(StrEnum):
    """What ``next`` does from the current state."""

    CLOSE = "close"
    LEADERBOARD = "leaderboard"
    OPEN = "open"
    END = "end"
    PASS = "pass"  # an open slide: close it and open the following question (or end)


class Rejected(Exception):
    """An action the rules refuse; ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class DuplicateStudentId(Rejected):
    def __init__(self, student_id: str) -> None:
        super().__init__("duplicate_student_id", f"student id {student_id!r} is already taken")
        self.student_id = student_id


def score_points(score_fn: str, credit: float, elapsed_ms: int, limit_ms: int,
                 weight: int = 1) -> int:
    """Points (0..20) for one answer earning ``credit`` (0..1, True for a right one):
    ``speed`` falls from 20 at once to 10 at the buzzer, times the credit; times the
    question's ``weight`` (its points: 0 for a warm-up, 2 for a double)."""
    if not credit or not weight:
        return 0
    full = float(POINTS_PER_QUESTION)
    if score_fn != "binary" and limit_ms:
        fraction = min(max(elapsed_ms, 0), limit_ms) / limit_ms
        full *= 1 - 0.5 * fraction
    # Half-up rounding onto the 0.05 grid, so 0.975 -> 1.0 and 0.525 -> 0.55.
    return math.floor(full * credit + 0.5) * weight


def run_seed(session_id: str, run_id: int) -> str:
    """What fixes a run's shuffles: the same for every student, new for each run."""
    return f"{session_id}/{run_id}"


def as_score(points: int) -> float:
    return round(points / POINTS_PER_QUESTION, 2)


@dataclass
class Participant:
    student_id: str
    name: str
    cookie_id: str
    joined_at: int
    points: int = 0


@dataclass(frozen=True)
class Submission:
    student_id: str
    question_idx: int
    answer: str | None
    submitted_at: int | None
    elapsed_ms: int | None
    points: int
    correct: bool
    status: str  # "submitted" or "missed"
    # Which asking of the question it belongs to: 1 the first, 2 once it was asked again…
    asking: int = 1

    @property
    def score(self) -> float:
        return as_score(self.points)


@dataclass
class Opening:
    """The latest time a question was opened; reopening a question starts a new clock.

    ``asking`` counts the times it was opened in the run (2 once it was asked again).
    ``order`` ranks the openings that moved the teacher on through the quiz (a first
    asking, or any opening by Next): the highest says where the teacher is
    (``Game.next_question_idx``); asking an earlier question again keeps its order."""

    question_idx: int
    opened_at: int
    time_limit: int | None  # None: no clock (a slide without a time limit)
    closed_at: int | None = None
    asking: int = 1
    order: int | None = None  # None: recorded before the order was (then opened_at says)

    @property
    def deadline(self) -> int | None:
        return None if self.time_limit is None else self.opened_at + self.time_limit * 1000

    def remaining_ms(self, now: int) -> int | None:
        if self.deadline is None:
            return None
        return 0 if self.closed_at is not None else max(0, self.deadline - now)


@dataclass
class Audit:
    """What the instructor sees about a student id besides answers."""

    blur_count: int = 0
    hidden_count: int = 0
    duplicate_joins: int = 0
    latest_duplicate_ts: int | None = None

    def record(self, kind: str, ts: int) -> None:
        if kind == "blur":
            self.blur_count += 1
        elif kind == "visibility_hidden":
            self.hidden_count += 1
        elif kind == "duplicate_join":
            self.duplicate_joins += 1
            self.latest_duplicate_ts = max(ts, self.latest_duplicate_ts or ts)


@dataclass(frozen=True)
class Standing:
    rank: int
    student_id: str
    name: str
    points: int


@dataclass
class Game:
    """One run of one quiz. The room owns it; everything here is synchronous."""

    quiz: Quiz
    # Fixes what a run shows the same to everyone (an order question's shuffle).
    seed: str = ""
    state: State = State.LOBBY
    current_idx: int | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    # answers[question_idx][student_id]: at most one submission per student per question.
    answers: dict[int, dict[str, Submission]] = field(default_factory=dict)
    openings: dict[int, Opening] = field(default_factory=dict)
    audits: dict[str, Audit] = field(default_factory=dict)
    # present[question_idx]: who had a socket open at some moment while it was open.
    present: dict[int, set[str]] = field(default_factory=dict)
    # hidden[question_idx]: the ``entry_key`` of each entry the teacher hid from the big
    # screen (a word cloud's); kept in answers and exports, marked.
    hidden: dict[int, set[str]] = field(default_factory=dict)
    _standings: list[Standing] | None = field(default=None, repr=False)
    _kinds: dict[int, Kind] = field(default_factory=dict, repr=False)
    _kinds_of: Quiz | None = field(default=None, repr=False)
    _ranks: dict[str, int] | None = field(default=None, repr=False)

    @classmethod
    def restore(cls, quiz: Quiz, participants: Iterable[Participant],
                openings: Iterable[Opening], submissions: Iterable[Submission],
                events: Iterable[tuple[str, str, int]], state: State, current_idx: int | None,
                *, seed: str = "", present: Iterable[tuple[str, int]] = ()) -> Game:
        """Replay a durable record: the game as it was when the server stopped.

        A quiz edited meanwhile may have lost the current question; then the
        run is over (or not yet begun).
        """
        game = cls(quiz, seed)
        # Totals are rebuilt from the answers, and only questions the quiz still has count.
        game.participants = {p.student_id: replace(p, points=0) for p in participants}
        game.openings = {o.question_idx: o for o in openings if o.question_idx < len(quiz)}
        for submission in submissions:
            if submission.student_id in game.participants and \
                    submission.question_idx < len(quiz):
                game._record(submission)
        for student_id, kind, ts in events:
            game.record_event(student_id, kind, ts)
        for student_id, idx in present:
            if student_id in game.participants and idx in game.openings:
                game.present.setdefault(idx, set()).add(student_id)
        if current_idx is not None and (current_idx >= len(quiz)
                                        or current_idx not in game.openings):
            state, current_idx = (State.FINISHED if game.openings else State.LOBBY), None
        game.state, game.current_idx = state, current_idx
        return game

    # ---- participants -------------------------------------------------------------
    def join(self, student_id: str, name: str, cookie_id: str, now: int, *,
             open_to_new: bool = True) -> list[Submission]:
        """First claim wins. Returns the ``missed`` rows a late joiner gets for closed questions.
        With joining locked (``open_to_new`` False) no new id gets in; the joined keep
        their place (they come back with their cookie, never through here)."""
        if student_id in self.participants:
            raise DuplicateStudentId(student_id)
        if self.state is State.FINISHED:
            raise Rejected("quiz_finished", "the quiz has ended")
        if not open_to_new:
            raise Rejected("joining_locked", "the teacher has closed joining")
        self.participants[student_id] = Participant(student_id, name, cookie_id, now)
        missed = [
            self._record(self._missed(student_id, idx))
            for idx, opening in sorted(self.openings.items())
            if opening.closed_at is not None
        ]
        self._standings_changed()
        return missed

    def remove(self, student_id: str) -> bool:
        """Drop a participant and every answer of theirs; their id is free again."""
        participant = self.participants.pop(student_id, None)
        if participant is None:
            return False
        for by_student in self.answers.values():
            by_student.pop(student_id, None)
        for present in self.present.values():
            present.discard(student_id)
        self._standings_changed()
        return True

    def hide_entry(self, idx: int, entry: object, hidden: bool) -> None:
        """Hide (or show again) one entry of question ``idx``'s answers on the big screen."""
        if not 0 <= idx < len(self.quiz) or not self.kind(idx).hides_entries:
            raise Rejected("bad_question", "that question has no entries to hide")
        if not isinstance(entry, str) or not entry.strip():
            raise Rejected("bad_message", "answer must be the entry's text")
        keys = self.hidden.setdefault(idx, set())
        key = self.kind(idx).entry_key(entry)
        if hidden:
            keys.add(key)
        else:
            keys.discard(key)

    def top_answers(self, idx: int, *, with_hidden: bool) -> list[dict[str, Any]] | None:
        """Question ``idx``'s ``top_answers``: the teacher's copy marks hidden entries, the
        room's (``with_hidden`` False) leaves them out."""
        top = self.kind(idx).top_answers((s.answer for s in self.submitted(idx)),
                                         self.hidden.get(idx, set()))
        if top is None or with_hidden:
            return top
        return [row for row in top if not row.get("hidden")]

    def record_event(self, student_id: str, kind: str, ts: int) -> None:
        self.audits.setdefault(student_id, Audit()).record(kind, ts)

    def mark_present(self, student_ids: Iterable[str]) -> list[str]:
        """Note that these students have a socket open while the current question is open;
        returns those not noted before (for the record). Nothing while none is open."""
        if self.state is not State.QUESTION_OPEN or self.current_idx is None:
            return []
        present = self.present.setdefault(self.current_idx, set())
        new = [s for s in student_ids if s in self.participants and s not in present]
        present.update(new)
        return new

    # ---- lifecycle ------------------------------------------------------------------
    def open_question(self, idx: int, now: int, time_limit: int | None = None, *,
                      moves_on: bool = False) -> Opening:
        """Open ``idx`` (closing any other open question first is the caller's move).

        A first asking moves the teacher on to ``idx``; asking it again does not, unless
        ``moves_on`` (Next opened it)."""
        if not 0 <= idx < len(self.quiz):
            raise Rejected("bad_question", f"question {idx} does not exist")
        if self.state is State.QUESTION_OPEN:
            raise Rejected("not_open", "close the open question first")
        # Asked again: students who missed it may answer now; an answer given before
        # stands unless they answer again (results.counting_submission).
        by_student = self.answers.setdefault(idx, {})
        for student_id in [s for s, sub in by_student.items() if sub.status == "missed"]:
            del by_student[student_id]
        before = self.openings.get(idx)
        opening = Opening(idx, now, time_limit or self.quiz.time_limit(idx),
                          asking=1 if before is None else before.asking + 1,
                          order=self._last_order() + 1 if before is None or moves_on
                          else before.order)
        self.openings[idx] = opening
        self.state, self.current_idx = State.QUESTION_OPEN, idx
        return opening

    def close_question(self, now: int) -> list[Submission] | None:
        """Close the open question; None if none is open (so closing twice is harmless).

        Returns the ``missed`` rows for everyone who did not answer.
        """
        if self.state is not State.QUESTION_OPEN or self.current_idx is None:
            return None
        idx = self.current_idx
        self.openings[idx].closed_at = now
        by_student = self.answers.setdefault(idx, {})
        missed = [
            self._record(self._missed(student_id, idx))
            for student_id in self.participants
            if student_id not in by_student
        ]
        self.state = State.QUESTION_CLOSED
        return missed

    def show_leaderboard(self) -> bool:
        """closed → between_questions; False (and no change) from any other state."""
        if self.state is not State.QUESTION_CLOSED or self.current_idx is None:
            return False
        self.state = State.BETWEEN_QUESTIONS
        return True

    def finish(self) -> None:
        """End the run (the caller closes an open question first)."""
        self.state, self.current_idx = State.FINISHED, None

    @property
    def stage(self) -> str:
        """Where the run is, as a command's ``from`` names it: ``"question_open:0"``,
        ``"lobby:null"``."""
        idx = "null" if self.current_idx is None else str(self.current_idx)
        return f"{self.state.value}:{idx}"

    def check_stage(self, pressed_at: object) -> None:
        """Refuse a command pressed at a stage that has passed (``stale``): a press that
        crossed a change in flight must not act on the stage that followed. A command
        that names no stage (``None``) acts wherever the run is."""
        if pressed_at is None:
            return
        if not isinstance(pressed_at, str):
            raise Rejected("bad_message", "from must be a stage such as 'question_open:0'")
        if pressed_at != self.stage:
            raise Rejected("stale", f"pressed at {pressed_at}; the quiz is at {self.stage} now")

    def next_question_idx(self) -> int | None:
        """The question after the one the teacher is at (the first from the lobby); None
        past the last. The teacher is at the question most recently asked for the first
        time: after asking an earlier one again, Next goes on from where they were."""
        if self.state is State.LOBBY or not self.openings:
            following = 0
        else:
            latest = max(self.openings.values(),
                         key=lambda o: (-1 if o.order is None else o.order, o.opened_at))
            following = latest.question_idx + 1
        return following if following < len(self.quiz) else None

    def _last_order(self) -> int:
        return max((o.order for o in self.openings.values() if o.order is not None), default=-1)

    def earlier_answer(self, student_id: str, idx: int) -> Submission | None:
        """While ``idx`` is asked again: the answer the student gave at an earlier asking,
        which stands unless they answer again; None otherwise."""
        kept = self.submission(student_id, idx)
        opening = self.openings.get(idx)
        if kept is None or kept.status != "submitted" or opening is None \
                or opening.closed_at is not None or kept.asking >= opening.asking:
            return None
        return kept

    def next_step(self) -> Step | None:
        """What the one big button does now; None once the run is over.

        An open question is only closed, so everyone sees its reveal; the press
        after that shows the leaderboard (if the quiz asks for it between
        questions), opens the following question, or ends after the last. An
        open slide has nothing to close or reveal: one press passes it.
        """
        if self.state is State.FINISHED:
            return None
        if self.state is State.QUESTION_OPEN:
            assert self.current_idx is not None
            return Step.CLOSE if self.kind(self.current_idx).takes_answers else Step.PASS
        if self.state is State.QUESTION_CLOSED and self.quiz.leaderboard_between:
            return Step.LEADERBOARD
        return Step.OPEN if self.next_question_idx() is not None else Step.END

    # ---- answers --------------------------------------------------------------------
    def check_submit(self, student_id: str, question_idx: object, answer: object, now: int
                     ) -> Submission:
        """Validate an answer and score it without recording it; a repeat returns the first.

        Raises Rejected with the protocol's code for anything else.
        """
        if student_id not in self.participants:
            raise Rejected("not_joined", "join the quiz first")
        if isinstance(question_idx, bool) or not isinstance(question_idx, int):
            raise Rejected("bad_question", "question_idx must be a whole number")
        if not 0 <= question_idx < len(self.quiz):
            raise Rejected("bad_question", f"question {question_idx} does not exist")
        kind = self.kind(question_idx)
        try:
            stored = kind.normalise(answer)
        except BadAnswer as exc:
            raise Rejected("bad_answer", str(exc)) from None
        existing = self.answers.get(question_idx, {}).get(student_id)
        is_open = self.state is State.QUESTION_OPEN and self.current_idx == question_idx
        if existing is not None and existing.status == "submitted" and not is_open:
            return existing
        if not is_open:
            raise Rejected("not_open", "that question is not open")
        opening = self.openings[question_idx]
        elapsed = max(0, now - opening.opened_at)
        credit = kind.credit(stored)
        limit_ms = (opening.time_limit or 0) * 1000
        points = score_points(self.quiz.score_fn, credit, elapsed, limit_ms,
                              self.quiz.questions[question_idx].points)
        submission = Submission(student_id, question_idx, stored, now, elapsed, points,
                                credit == 1, "submitted", opening.asking)
        if existing is not None and \
                results.counting_submission(existing, submission) is existing:
            return existing
        if opening.deadline is not None and now > opening.deadline:
            raise Rejected("time_expired", "time is up for this question")
        return submission

    def record(self, submission: Submission) -> bool:
        """Keep a checked submission; False if the one already kept still counts
        (``results.counting_submission`` says which does)."""
        kept = self.answers.get(submission.question_idx, {}).get(submission.student_id)
        if kept is not None:
            if results.counting_submission(kept, submission) is kept:
                return False
            self.participants[submission.student_id].points -= kept.points
        self._record(submission)
        return True

    def retract(self, submission: Submission, replaced: Submission | None = None
                ) -> Submission | None:
        """Forget a submission that could not be made durable, so the student can retry;
        the answer it ``replaced`` (given at an earlier asking) is kept again.

        If its question closed meanwhile with no answer kept, the student missed it
        instead: that ``missed`` row is returned for the caller to record.
        """
        by_student = self.answers.get(submission.question_idx, {})
        if by_student.get(submission.student_id) != submission:
            return None
        del by_student[submission.student_id]
        participant = self.participants.get(submission.student_id)
        if participant is None:
            return None
        participant.points -= submission.points
        self._standings_changed()
        if replaced is not None and replaced.status == "submitted":
            self._record(replaced)
            return None
        if self.openings[submission.question_idx].closed_at is None:
            return None
        return self._record(self._missed(submission.student_id, submission.question_idx))

    def _missed(self, student_id: str, idx: int) -> Submission:
        """The row of a student without an answer when ``idx`` closed (at its latest asking)."""
        return Submission(student_id, idx, None, None, None, 0, False, "missed",
                          self.openings[idx].asking)

    def _record(self, submission: Submission) -> Submission:
        self.answers.setdefault(submission.question_idx, {})[submission.student_id] = submission
        if submission.points:
            self.participants[submission.student_id].points += submission.points
            self._standings_changed()
        return submission

    def submission(self, student_id: str, question_idx: int) -> Submission | None:
        return self.answers.get(question_idx, {}).get(student_id)

    def submissions_of(self, student_id: str) -> list[Submission]:
        return [
            by_student[student_id]
            for _, by_student in sorted(self.answers.items())
            if student_id in by_student
        ]

    # ---- tallies --------------------------------------------------------------------
    def kind(self, idx: int) -> Kind:
        """Question ``idx`` as this run asks it (its kind decides its rules)."""
        cached = self._kinds.get(idx)
        if cached is None or self._kinds_of is not self.quiz:
            if self._kinds_of is not self.quiz:
                self._kinds, self._kinds_of = {}, self.quiz
            cached = self._kinds[idx] = self.quiz.questions[idx].kind.for_run(
                f"{self.seed}/{idx}")
        return cached

    def histogram(self, idx: int, *, pending: bool = False) -> dict[str, int]:
        """The tally its kind shapes; ``pending`` adds students yet to answer."""
        answers = self.answers.get(idx, {}).values()
        counts = self.kind(idx).histogram(s.answer for s in answers)
        if pending:
            counts["pending"] = max(0, len(self.participants) - len(answers))
        return counts

    def submitted_count(self, idx: int) -> int:
        return sum(1 for _ in self.submitted(idx))

    def standings(self) -> list[Standing]:
        """Everyone, best first: score desc, then name, then id. One sort per change.

        Equal scores share a rank and the next score skips past them (1, 2, 2, 4):
        the order among a tie is only for display.
        """
        if self._standings is None:
            ordered = sorted(
                self.participants.values(), key=lambda p: (-p.points, p.name, p.student_id)
            )
            self._standings, rank = [], 0
            for place, p in enumerate(ordered, start=1):
                if not self._standings or self._standings[-1].points != p.points:
                    rank = place
                self._standings.append(Standing(rank, p.student_id, p.name, p.points))
            self._ranks = {s.student_id: s.rank for s in self._standings}
        return self._standings

    def top(self, count: int) -> list[Standing]:
        """The first ``count`` of ``standings()``, without sorting everyone when the
        standings are stale: the projector redraws its top ten after every few answers.
        The top of the order ranks the same as the whole order's start."""
        if self._standings is not None:
            return self._standings[:count]
        best = heapq.nsmallest(count, self.participants.values(),
                               key=lambda p: (-p.points, p.name, p.student_id))
        top: list[Standing] = []
        for place, p in enumerate(best, start=1):
            rank = top[-1].rank if top and top[-1].points == p.points else place
            top.append(Standing(rank, p.student_id, p.name, p.points))
        return top

    def rank_of(self, student_id: str) -> int | None:
        self.standings()
        assert self._ranks is not None
        return self._ranks.get(student_id)

    def total_of(self, student_id: str) -> float:
        participant = self.participants.get(student_id)
        return as_score(participant.points) if participant else 0.0

    def summary_of(self, student_id: str) -> dict[str, int]:
        """The end screen's counts: "Answered X of Y" counts answerable questions only."""
        totals = self.totals_of(student_id)
        return {
            "questions_answered": totals.answered,
            "questions_correct": totals.right,
            "questions_asked": totals.asked,
        }

    # ---- results (see results.py: every count a page shows comes from there) ------------------
    def asked(self, idx: int) -> results.Asked:
        opening = self.openings[idx]
        return results.Asked(self.kind(idx), opening.closed_at is not None,
                             self.present.get(idx, set()))

    def result_of(self, student_id: str, idx: int) -> results.Result | None:
        asked = self.asked(idx)
        return results.result_of(asked.kind, self.submission(student_id, idx),
                                 closed=asked.closed, present=student_id in asked.present)

    def question_tally(self, idx: int) -> results.Tally:
        return results.question_tally(self.asked(idx), self.participants,
                                      self.answers.get(idx, {}))

    def totals_of(self, student_id: str) -> results.StudentTotals:
        return results.student_totals({idx: self.asked(idx) for idx in self.openings},
                                      self.answers, student_id)

    def run_results(self) -> results.RunResults:
        return results.RunResults(list(self.participants),
                                  {idx: self.asked(idx) for idx in sorted(self.openings)},
                                  self.answers)

    def submitted(self, idx: int) -> Iterable[Submission]:
        return (s for s in self.answers.get(idx, {}).values() if s.status == "submitted")

    def _standings_changed(self) -> None:
        self._standings = self._ranks = None
