"""The run's tallies, standings and results, asked of a ``Game``.

Every count a page shows comes from ``results.py``; these are the game's ways
of handing it the record. ``Scoreboard`` is mixed into ``Game``, which owns the
record it reads.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from . import results
from .kinds import Kind
from .quiz import Quiz
from .record import Opening, Participant, Standing, Submission, as_score


class Scoreboard:
    """Tallies and standings of a ``Game`` (see the module's docstring)."""

    quiz: Quiz
    participants: dict[str, Participant]
    answers: dict[int, dict[str, Submission]]
    openings: dict[int, Opening]
    present: dict[int, set[str]]
    _standings: list[Standing] | None
    _kinds: dict[int, Kind]
    _kinds_of: Quiz | None
    _ranks: dict[str, int] | None

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
        return (s for s in self.answers.get(idx, {}).values() if results.has_answer(s))

    def _standings_changed(self) -> None:
        self._standings = self._ranks = None
