"""A run's answers: checking one, keeping it, and taking it back when the disk refused it.

Which answer counts when a student has two (a repeat, or a question asked again)
is ``results.counting_submission``; the scoring of one answer is ``record.py``.
``Answers`` is mixed into ``Game``, which owns the record it changes.
"""

from __future__ import annotations

from . import results
from .answer_groups import AnswerGroups
from .kinds import BadAnswer
from .record import Rejected, State, Submission, score_points
from .scoreboard import Scoreboard


class Answers(Scoreboard):
    """The answers of a ``Game`` (see the module's docstring)."""

    state: State
    current_idx: int | None
    # The grouped answers of questions whose top answers were asked for (answer_groups.py),
    # kept up to date by every change of ``answers``.
    _groups: dict[int, AnswerGroups]

    def earlier_answer(self, student_id: str, idx: int) -> Submission | None:
        """While ``idx`` is asked again: the answer the student gave at an earlier asking,
        which stands unless they answer again; None otherwise."""
        kept = self.submission(student_id, idx)
        opening = self.openings.get(idx)
        if kept is None or not results.has_answer(kept) or opening is None \
                or opening.closed_at is not None or kept.asking >= opening.asking:
            return None
        return kept

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
        if existing is not None and results.has_answer(existing) and not is_open:
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
            self._standings_changed()  # even if the new answer scores nothing
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
        self._forget(by_student, submission.student_id)
        participant = self.participants.get(submission.student_id)
        if participant is None:
            return None
        participant.points -= submission.points
        self._standings_changed()
        if replaced is not None and results.has_answer(replaced):
            self._record(replaced)
            return None
        # Still open, live or (with no live opening) on the student's own clock: they may
        # answer again, and no missed row stands for them yet.
        opening = self.openings.get(submission.question_idx)
        if opening is None or opening.closed_at is None:
            return None
        return self._record(self._missed(submission.student_id, submission.question_idx))

    def _missed(self, student_id: str, idx: int) -> Submission:
        """The row of a student without an answer when ``idx`` closed (at its latest asking)."""
        return Submission(student_id, idx, None, None, None, 0, False, "missed",
                          self.openings[idx].asking)

    def _record(self, submission: Submission) -> Submission:
        by_student = self.answers.setdefault(submission.question_idx, {})
        self._regroup(by_student.get(submission.student_id), counted=False)
        by_student[submission.student_id] = submission
        self._regroup(submission, counted=True)
        if submission.points:
            self.participants[submission.student_id].points += submission.points
            self._standings_changed()
        return submission

    def _forget(self, by_student: dict[str, Submission], student_id: str) -> None:
        """Take a student's kept row of a question out of ``answers`` and its groups."""
        self._regroup(by_student.pop(student_id, None), counted=False)

    def _regroup(self, kept: Submission | None, *, counted: bool) -> None:
        """Count a row's answer in (or out of) its question's kept groups, if it is one."""
        if kept is None or kept.answer is None or not results.has_answer(kept):
            return
        groups = self._groups_of(kept.question_idx)
        if groups is not None:
            (groups.add if counted else groups.remove)(kept.answer)

    def _groups_of(self, idx: int) -> AnswerGroups | None:
        """The kept groups of ``idx``; None if never asked for, or built for another kind
        (an edited quiz): ``answer_groups`` builds them afresh."""
        groups = self._groups.get(idx)
        return groups if groups is not None and groups.kind is self.kind(idx) else None

    def answer_groups(self, idx: int) -> AnswerGroups:
        """Question ``idx``'s answers grouped for its top answers; built once, then kept."""
        groups = self._groups_of(idx)
        if groups is None:
            groups = self._groups[idx] = AnswerGroups.of(
                self.kind(idx), (s.answer for s in self.submitted(idx) if s.answer is not None))
        return groups

    def submission(self, student_id: str, question_idx: int) -> Submission | None:
        return self.answers.get(question_idx, {}).get(student_id)

    def submissions_of(self, student_id: str) -> list[Submission]:
        return [
            by_student[student_id]
            for _, by_student in sorted(self.answers.items())
            if student_id in by_student
        ]
