"""The rules of the quiz: joins, the questions' lifecycle and submissions.

Pure: no trio, no sockets, no database. Every method takes the wall-clock
time it should act at (``now`` in ms since the epoch), so the rules are tested
with plain synchronous tests and replayed exactly when a room is rebuilt from
its durable record.

What a run records (and the scoring of one answer) is ``record.py``; checking,
keeping and taking back an answer is ``answers.py``; the tallies, standings and
results a game hands out are ``scoreboard.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from . import results, standings
from .answer_groups import AnswerGroups
from .answers import Answers
from .kinds import Kind
from .quiz import Quiz
from .record import (
    Audit,
    DuplicateStudentId,
    Opening,
    Participant,
    Rejected,
    Standing,
    State,
    Step,
    Submission,
    latest_openings,
)


@dataclass
class Game(Answers):
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
    # present[question_idx]: who had a socket open at some moment while it was open, at
    # any of its askings (results.present_at_any_asking).
    present: dict[int, set[str]] = field(default_factory=dict)
    # Who was noted present at the open question's current asking: each asking's
    # presence is recorded on its own.
    present_now: set[str] = field(default_factory=set)
    # hidden[question_idx]: the ``entry_key`` of each entry the teacher hid from the big
    # screen (a word cloud's); kept in answers and exports, marked.
    hidden: dict[int, set[str]] = field(default_factory=dict)
    # The dashboard's leaderboard switch (standings.LEADERBOARDS), over the quiz's setting.
    leaderboard_switch: str | None = None
    # The dashboard's switch of what the phones show (phones.PHONES), over the quiz's.
    phones_switch: str | None = None
    # A student-paced run's standings as a leaderboard mode (paced.standings_mode), in
    # place of the leaderboard setting and its switch; None in a live run.
    paced_standings: str | None = None
    _standings: list[Standing] | None = field(default=None, repr=False)
    _kinds: dict[int, Kind] = field(default_factory=dict, repr=False)
    _kinds_of: Quiz | None = field(default=None, repr=False)
    _ranks: dict[str, int] | None = field(default=None, repr=False)
    _groups: dict[int, AnswerGroups] = field(default_factory=dict, repr=False)

    @classmethod
    def restore(cls, quiz: Quiz, participants: Iterable[Participant],
                openings: Iterable[Opening], submissions: Iterable[Submission],
                events: Iterable[tuple[str, str, int]], state: State, current_idx: int | None,
                *, seed: str = "", present: Iterable[tuple[str, int, int]] = ()) -> Game:
        """Replay a durable record: the game as it was when the server stopped.

        A quiz edited meanwhile may have lost the current question; then the
        run is over (or not yet begun).
        """
        game = cls(quiz, seed)
        # Totals are rebuilt from the answers, and only questions the quiz still has count.
        game.participants = {p.student_id: replace(p, points=0) for p in participants}
        # Each asking's opening is recorded; the question's is its latest.
        game.openings = {idx: o for idx, o in latest_openings(openings).items()
                         if idx < len(quiz)}
        # Every asking's row is recorded; the one that counts is the results model's.
        askings = {idx: opening.asking for idx, opening in game.openings.items()}
        for by_student in results.counting_submissions(
                (s for s in submissions if s.student_id in game.participants
                 and s.question_idx < len(quiz)), askings).values():
            for submission in by_student.values():
                game._record(submission)
        for student_id, kind, ts in events:
            game.record_event(student_id, kind, ts)
        present = [(student_id, idx, asking) for student_id, idx, asking in present
                   if student_id in game.participants and idx in game.openings]
        game.present = results.present_at_any_asking(present)
        if current_idx is not None and (current_idx >= len(quiz)
                                        or current_idx not in game.openings):
            state, current_idx = (State.FINISHED if game.openings else State.LOBBY), None
        game.state, game.current_idx = state, current_idx
        if state is State.QUESTION_OPEN and current_idx is not None:
            now_asking = game.openings[current_idx].asking
            game.present_now = {student_id for student_id, idx, asking in present
                                if idx == current_idx and asking == now_asking}
        return game

    # ---- participants -------------------------------------------------------------
    def closed_to_new(self, *, open_to_new: bool = True) -> Rejected | None:
        """Why no new student id may join now (the quiz has ended, or joining is locked),
        or None: the join's rule, which the phone's id check asks first."""
        if self.state is State.FINISHED:
            return Rejected("quiz_finished", "the quiz has ended")
        if not open_to_new:
            return Rejected("joining_locked", "the teacher has closed joining")
        return None

    def join(self, student_id: str, name: str, cookie_id: str, now: int, *,
             open_to_new: bool = True) -> list[Submission]:
        """First claim wins. Returns the ``missed`` rows a late joiner gets for closed questions.
        With joining locked (``open_to_new`` False) no new id gets in; the joined keep
        their place (they come back with their cookie, never through here)."""
        if student_id in self.participants:
            raise DuplicateStudentId(student_id)
        if (refused := self.closed_to_new(open_to_new=open_to_new)) is not None:
            raise refused
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
            self._forget(by_student, student_id)
        for present in self.present.values():
            present.discard(student_id)
        self.present_now.discard(student_id)
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
        top = self.kind(idx).top_answers(self.answer_groups(idx), self.hidden.get(idx, set()))
        if top is None or with_hidden:
            return top
        return [row for row in top if not row.get("hidden")]

    def record_event(self, student_id: str, kind: str, ts: int) -> None:
        self.audits.setdefault(student_id, Audit()).record(kind, ts)

    def mark_present(self, student_ids: Iterable[str]) -> list[str]:
        """Note that these students have a socket open while the current question is open;
        returns those not noted before at this asking (for the record, which keeps each
        asking's presence). Nothing while none is open."""
        if self.state is not State.QUESTION_OPEN or self.current_idx is None:
            return []
        new = [s for s in student_ids if s in self.participants and s not in self.present_now]
        self.present_now.update(new)
        self.present.setdefault(self.current_idx, set()).update(new)
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
        for student_id in [s for s, sub in by_student.items() if not results.has_answer(sub)]:
            del by_student[student_id]
        before = self.openings.get(idx)
        opening = Opening(idx, now, time_limit or self.quiz.time_limit(idx),
                          asking=1 if before is None else before.asking + 1,
                          order=self._last_order() + 1 if before is None or moves_on
                          else before.order)
        self.openings[idx] = opening
        self.present_now = set()
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

    @property
    def leaderboard(self) -> str | None:
        """When the class sees the standings (standings.py); None: as before the setting."""
        return self.leaderboard_switch or self.quiz.leaderboard

    @property
    def phones(self) -> str:
        """What the phones show in a live run (phones.py)."""
        return self.phones_switch or self.quiz.phones

    def standings_shown(self) -> bool:
        """Whether students and the projector are sent standings now."""
        return standings.shown(self.paced_standings or self.leaderboard,
                               at_end=self.state is State.FINISHED)

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
        if self.state is State.QUESTION_CLOSED and \
                standings.steps_through(self.leaderboard, self.quiz.leaderboard_between):
            return Step.LEADERBOARD
        return Step.OPEN if self.next_question_idx() is not None else Step.END
