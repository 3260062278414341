"""Student-paced runs: every student through the quiz at their own speed, on their own clock.

Pure: no trio, no sockets, no database. A live run has one clock, opened by the
teacher; a student-paced run has one per student, opened when that student
reaches a question. What both share stays where it is: the participants, the
answers kept and the standings live in ``game.Game``; a question's rules in its
``kinds/`` kind; the points in ``record.score_points``; which answer counts in
``results.counting_submission`` and every word of the results in ``results``.

Each student's order (questions, and options of choice and multi questions) is
drawn once, at their join, from the run's seed and their id, and kept with their
progress: a restart reads it back rather than drawing it again. An answer is
sent in the letters the student was shown and kept in the quiz's letters, so
exports and item analysis read the same letters as a live run's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import results
from .game import Game
from .kinds.base import BadAnswer, Kind
from .pace import PacedSettings
from .paced_order import StudentOrder, draw_order
from .record import Rejected, Submission, score_points

EXTRA_TIME = (1.0, 1.5, 2.0)


def standings_mode(settings: PacedSettings) -> str:
    """When a student-paced run shows the class its standings, as a leaderboard mode
    (standings.py): never unless the quiz asks for them; with feedback at the end, only
    once the run is over, since a score that moves tells a student whether they were
    right before the run may tell them."""
    if not settings.standings:
        return "never"
    return "between" if settings.feedback == "each" else "end"


# ---- each student's clock ------------------------------------------------------------------
@dataclass
class Turn:
    """One student's time at one question: opened when they reached it, closed when they
    answered, passed it, ran out of time or the run ended. ``limit_ms`` already holds
    their extra time (None: no clock, a slide without a time limit), and
    ``no_speed_penalty`` their accommodation as it was when the question opened: a
    grant or a withdrawal applies from the next question."""

    position: int
    question_idx: int
    opened_at: int
    limit_ms: int | None
    closed_at: int | None = None
    no_speed_penalty: bool = False

    @property
    def deadline(self) -> int | None:
        return None if self.limit_ms is None else self.opened_at + self.limit_ms

    def remaining_ms(self, now: int) -> int | None:
        if self.deadline is None:
            return None
        # Never more than the limit: a turn opens when its save goes out (``PacedRun.next``),
        # which the room's clock may put a millisecond after the phone's question left.
        return 0 if self.closed_at is not None else max(0, min(self.limit_ms or 0,
                                                                self.deadline - now))


@dataclass(frozen=True)
class Accommodation:
    """What the teacher grants one student; it applies from their next question."""

    extra_time: float = 1.0  # one of EXTRA_TIME
    no_speed_penalty: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"extra_time": self.extra_time, "no_speed_penalty": self.no_speed_penalty}


NO_ACCOMMODATION = Accommodation()


def accommodation_from(raw: Mapping[str, Any]) -> Accommodation:
    extra = raw.get("extra_time", 1.0)
    if isinstance(extra, bool) or extra not in EXTRA_TIME:
        raise Rejected("bad_message", f"extra_time must be one of {EXTRA_TIME}")
    no_penalty = raw.get("no_speed_penalty", False)
    if not isinstance(no_penalty, bool):
        raise Rejected("bad_message", "no_speed_penalty must be true or false")
    return Accommodation(float(extra), no_penalty)


@dataclass
class Progress:
    """One student's way through the quiz: their order and a turn per question reached."""

    student_id: str
    order: StudentOrder
    turns: list[Turn] = field(default_factory=list)
    accommodation: Accommodation = Accommodation()

    @property
    def current(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    @property
    def finished(self) -> bool:
        last = self.current
        return len(self.turns) == len(self.order.questions) and last is not None \
            and last.closed_at is not None

    def turn_for(self, idx: int) -> Turn | None:
        """The student's turn at question ``idx`` (turns are kept in their order's
        positions): asked for every cell of every grid refresh, so no scan of turns."""
        questions = self.order.questions
        position = questions.index(idx) if idx in questions else len(self.turns)
        return self.turns[position] if position < len(self.turns) else None

    def closed_time_ms(self) -> int:
        """The time the student's closed turns took (the open one's runs on the page)."""
        return sum(t.closed_at - t.opened_at for t in self.turns if t.closed_at is not None)


def asked_questions(kinds: Sequence[Kind], turns: Iterable[tuple[str, Turn]], *,
                    ended: bool) -> dict[int, results.Asked]:
    """A student-paced run's questions as the results model asks them, from each
    student's turns: the one rule for the live grid (``PacedRun.run_results``) and the
    exports, which read the turns back from the record.

    A question is asked once anyone reached it; a student who never reached it is
    ``not_reached``; it has closed for those whose turn at it closed (answered, passed,
    out of time), and for everyone once the run has ended; open turns are pending."""
    # One pass over the turns, not one per question: the grid's header and the
    # projector ask for this at every refresh.
    reached: dict[int, set[str]] = {}
    closed: dict[int, set[str]] = {}
    for student_id, turn in turns:
        reached.setdefault(turn.question_idx, set()).add(student_id)
        if turn.closed_at is not None:
            closed.setdefault(turn.question_idx, set()).add(student_id)
    return {idx: results.Asked(kinds[idx], ended, reached[idx],
                               absent=results.Result.NOT_REACHED,
                               closed_for=closed.get(idx, set()))
            for idx in range(len(kinds)) if idx in reached}


# What a grid cell says beyond the results' words: the question a student is at.
WORKING = "working"


class PacedRun:
    """The rules of one student-paced run over its ``game`` (see the module docstring).

    Every method takes the time it acts at, so a restart replays it exactly. Methods
    that change something return what the caller must make durable."""

    def __init__(self, game: Game, settings: PacedSettings, *, started_at: int,
                 ended_at: int | None = None) -> None:
        self.game = game
        self.settings = settings
        # Every view that shows standings (the projector's, /api/stats) asks the game.
        game.paced_standings = standings_mode(settings)
        self.started_at = started_at
        self.ended_at = ended_at
        self.progress: dict[str, Progress] = {}

    @property
    def ends_at(self) -> int | None:
        """When the run ends by itself (its end time), if it has one."""
        if self.settings.end_minutes is None:
            return None
        return self.started_at + self.settings.end_minutes * 60_000

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def kinds(self) -> list[Kind]:
        return [self.game.kind(idx) for idx in range(len(self.game.quiz))]

    # ---- a student's way through ---------------------------------------------------------
    def start(self, student_id: str, now: int,
              accommodation: Accommodation = NO_ACCOMMODATION) -> Progress:
        """A student who just joined: their order drawn, their first question open at once
        (with ``accommodation`` from the start: a class list's)."""
        if self.ended:
            raise Rejected("quiz_finished", "the quiz has ended")
        order = draw_order(self.game.seed, student_id, self.kinds(), self.settings)
        progress = self.progress[student_id] = Progress(student_id, order, [], accommodation)
        self._open_next(progress, now)
        return progress

    def restore(self, progress: Progress) -> None:
        self.progress[progress.student_id] = progress

    def remove(self, student_id: str) -> None:
        """The teacher removed the student: their clock stops with them (a deadline or
        the end would otherwise keep a ``missed`` row for someone no longer in the run,
        which a join with the same id would then find in its way)."""
        self.progress.pop(student_id, None)

    def _open_next(self, progress: Progress, now: int) -> Turn | None:
        position = len(progress.turns)
        if position >= len(progress.order.questions):
            return None
        idx = progress.order.questions[position]
        limit = self.game.quiz.time_limit(idx)
        limit_ms = None if limit is None else round(limit * 1000
                                                    * progress.accommodation.extra_time)
        turn = Turn(position, idx, now, limit_ms,
                    no_speed_penalty=progress.accommodation.no_speed_penalty)
        progress.turns.append(turn)
        return turn

    def progress_of(self, student_id: str) -> Progress:
        progress = self.progress.get(student_id)
        if progress is None or student_id not in self.game.participants:
            raise Rejected("not_joined", "join the quiz first")
        return progress

    def check_submit(self, student_id: str, question_idx: object, answer: object,
                     now: int) -> Submission:
        """Validate and score an answer without keeping it; a repeat returns the one kept.

        Refused: a question not reached (``not_reached``), one passed (``already_passed``),
        one whose time is up for this student (``too_late``), any after the end."""
        progress = self.progress_of(student_id)
        if isinstance(question_idx, bool) or not isinstance(question_idx, int) \
                or not 0 <= question_idx < len(self.game.quiz):
            raise Rejected("bad_question", "question_idx must be a question of the quiz")
        kind = self.game.kind(question_idx)
        try:
            stored = kind.normalise(progress.order.to_quiz_letters(question_idx, answer))
        except BadAnswer as exc:
            raise Rejected("bad_answer", str(exc)) from None
        kept = self.game.submission(student_id, question_idx)
        if kept is not None and results.has_answer(kept):
            return kept  # a repeat: the answer kept stands
        turn = progress.turn_for(question_idx)
        if turn is None:
            raise Rejected("not_reached", "you have not reached that question yet")
        if self.ended:
            raise Rejected("quiz_finished", "the quiz has ended")
        if turn is not progress.current:
            raise Rejected("already_passed", "you have moved past that question")
        if now < turn.opened_at:  # it opens once it is saved, and sent
            raise Rejected("not_reached", "you have not reached that question yet")
        if turn.deadline is not None and now > turn.deadline:
            raise Rejected("too_late", "your time for this question is up")
        if turn.closed_at is not None:
            raise Rejected("already_passed", "you have moved past that question")
        elapsed = max(0, now - turn.opened_at)
        credit = kind.credit(stored)
        score_fn = "binary" if turn.no_speed_penalty else self.game.quiz.score_fn
        points = score_points(score_fn, credit, elapsed, turn.limit_ms or 0,
                              self.game.quiz.questions[question_idx].points)
        return Submission(student_id, question_idx, stored, now, elapsed, points,
                          credit == 1, "submitted")

    def answered(self, submission: Submission) -> Turn:
        """The answer was kept (``game.record``): the student's clock stops there."""
        turn = self.progress[submission.student_id].current
        assert turn is not None and turn.question_idx == submission.question_idx
        turn.closed_at = submission.submitted_at
        return turn

    def unanswer(self, submission: Submission) -> None:
        """An answer the disk refused (``game.retract`` took it back): the clock runs on."""
        turn = self.progress[submission.student_id].turn_for(submission.question_idx)
        if turn is not None and turn.closed_at == submission.submitted_at \
                and turn is self.progress[submission.student_id].current:
            turn.closed_at = None

    def time_up(self, student_id: str, now: int) -> Submission | None:
        """A student's deadline passed: their turn closes, the ``missed`` row is returned
        (None if it had closed already or has time left)."""
        progress = self.progress.get(student_id)
        turn = progress.current if progress else None
        if turn is None or turn.closed_at is not None or turn.deadline is None \
                or now < turn.deadline:
            return None
        return self._close(progress, turn, turn.deadline)  # type: ignore[arg-type]

    def next(self, student_id: str, now: int, opens_at: int | None = None
             ) -> tuple[Submission | None, Turn | None]:
        """The student moves on: an open turn closes unanswered (its ``missed`` row is
        returned) and the next question opens (None after the last), its clock running
        from ``opens_at`` (default: now), when the student is sent it."""
        if self.ended:
            raise Rejected("quiz_finished", "the quiz has ended")
        progress = self.progress_of(student_id)
        turn = progress.current
        missed = None
        if turn is not None and turn.closed_at is None:
            missed = self._close(progress, turn, now)
        return missed, self._open_next(progress, now if opens_at is None else opens_at)

    def end(self, now: int) -> list[Submission]:
        """The run ends (the teacher, or its end time): every open turn closes at once and
        its student gets a ``missed`` row; questions never reached keep no row."""
        if self.ended:
            return []
        self.ended_at = now
        missed = []
        for progress in self.progress.values():
            turn = progress.current
            if turn is not None and turn.closed_at is None:
                row = self._close(progress, turn, now)
                if row is not None:
                    missed.append(row)
        return missed

    def _close(self, progress: Progress, turn: Turn, now: int) -> Submission | None:
        turn.closed_at = now
        if self.game.submission(progress.student_id, turn.question_idx) is not None:
            return None
        row = Submission(progress.student_id, turn.question_idx, None, None, None, 0, False,
                         "missed")
        self.game.record(row)
        return row

    def open_turns(self) -> Iterable[tuple[str, Turn]]:
        for student_id, progress in self.progress.items():
            turn = progress.current
            if turn is not None and turn.closed_at is None:
                yield student_id, turn

    def resume(self, stopped_at: int, now: int) -> list[tuple[str, Turn]]:
        """After a restart: each open turn gets the time it had left when the server
        stopped (the downtime is not counted); returns the turns moved, to be saved.

        ``stopped_at`` is the last heartbeat (0: none yet). A turn opened after it was
        running when the server stopped: its own downtime runs from its opening, as the
        live room's open question's does (``Room._resume_open_question``), never from a
        beat noted before the idle minutes that came ahead of it."""
        moved = []
        for student_id, turn in self.open_turns():
            stopped = max(stopped_at, turn.opened_at)
            left = turn.remaining_ms(stopped)
            if now > stopped and (left is None or left > 0):
                turn.opened_at += now - stopped
                moved.append((student_id, turn))
        return moved

    # ---- what may be shown ---------------------------------------------------------------
    def may_reveal(self, student_id: str, idx: int) -> bool:
        """Whether the right answer of ``idx`` (and the student's verdict and score on it)
        may go to this student: with feedback after each question, once they answered
        it; after the run ends, only if the quiz lets students see their review. Never
        before."""
        kept = self.game.submission(student_id, idx)
        if self.settings.feedback == "each" and results.has_answer(kept):
            return True
        return self.may_review()

    def may_review(self) -> bool:
        return self.ended and self.settings.review

    # ---- results ------------------------------------------------------------------------
    def cell(self, student_id: str, idx: int) -> str:
        """One cell of the progress grid: a results word (``not_reached`` for a question
        the student never reached), or ``working`` for the one they are at."""
        progress = self.progress.get(student_id)
        return self._cell(student_id, idx, progress.turn_for(idx) if progress else None)

    def cells(self, student_id: str) -> list[str]:
        """The student's row of cells in the quiz's order (``cell`` of each question), in
        one pass over their turns: the grid rebuilds the rows that changed every second."""
        progress = self.progress.get(student_id)
        turns: dict[int, Turn] = {t.question_idx: t for t in progress.turns} if progress \
            else {}
        return [self._cell(student_id, idx, turns.get(idx))
                for idx in range(len(self.game.quiz))]

    def _cell(self, student_id: str, idx: int, turn: Turn | None) -> str:
        if turn is None:
            return results.Result.NOT_REACHED
        result = results.result_of(self.game.kind(idx), self.game.submission(student_id, idx),
                                   closed=turn.closed_at is not None or self.ended,
                                   present=True)
        return WORKING if result is None else result

    def run_results(self) -> results.RunResults:
        """The run in the one results model (``asked_questions``)."""
        turns = ((sid, turn) for sid, progress in self.progress.items()
                 for turn in progress.turns)
        return results.RunResults(list(self.game.participants),
                                  asked_questions(self.kinds(), turns, ended=self.ended),
                                  self.game.answers)

    def summary(self) -> dict[str, int]:
        """"12 finished · 30 working · 3 not started": everyone who joined, once. After
        the end nobody is working: those it stopped on the way are ``stopped``."""
        finished = sum(1 for sid in self.game.participants
                       if (p := self.progress.get(sid)) is not None and p.finished)
        not_started = sum(1 for sid in self.game.participants
                          if self._not_started(self.progress.get(sid)))
        working = len(self.game.participants) - finished - not_started
        if self.ended:
            return {"finished": finished, "working": 0, "not_started": not_started,
                    "stopped": working}
        return {"finished": finished, "working": working, "not_started": not_started}

    def _not_started(self, progress: Progress | None) -> bool:
        """Still at the first question, with nothing answered or passed (the end closing
        it does not make a start)."""
        if progress is None or not progress.turns:
            return True
        if len(progress.turns) > 1:
            return False
        turn = progress.turns[0]
        return turn.closed_at is None or (
            turn.closed_at == self.ended_at and not results.has_answer(
                self.game.submission(progress.student_id, turn.question_idx)))
