"""A run's results: one word per student × question, and every number made from those words.

Pure: a fold over a run's record (who joined, which questions were asked and
whether they have closed, who had a socket open while each was open, and the
answer kept for each student × question). Every count, share and total a
page, an export or the runs panel shows comes from here; none is recounted
on its own elsewhere (docs/PROTOCOL.md, "v3: one vocabulary").

For each student × asked question exactly one of:

- ``right``, ``partial`` (some credit, not all: multi with partial scoring), ``wrong``:
  decided by the credit the answer itself earned, never by its weighted points, so a
  warm-up (a question worth 0 points) is graded like any other, counts in the share
  right and the item analysis, and only adds 0 to the totals;
- ``no_answer``: present while it was open (a socket open at some moment of it),
  no answer;
- ``not_present``: joined after it closed, or had no socket open while it was open;
- ``not_reached``: in a student-paced run (``paced.py``), a question the student
  never reached (the run ended first);
- ``not_scored``: a poll or a slide, whatever the student did.

While a question is still open, a student without an answer has no word yet
(``None``): they are ``pending``.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar


class Result(StrEnum):
    RIGHT = "right"
    PARTIAL = "partial"
    WRONG = "wrong"
    NO_ANSWER = "no_answer"
    NOT_PRESENT = "not_present"
    NOT_REACHED = "not_reached"
    NOT_SCORED = "not_scored"



class Kept(Protocol):
    """A submission as the record keeps it (``record.Submission`` is one)."""

    @property
    def status(self) -> str: ...  # "submitted" or "missed"

    @property
    def correct(self) -> bool: ...  # full credit

    @property
    def points(self) -> int: ...  # twentieths of a question, times its weight

    @property
    def answer(self) -> str | None: ...  # as stored

    @property
    def asking(self) -> int: ...  # the asking it was given at: 1, or 2 once asked again…

    @property
    def elapsed_ms(self) -> int | None: ...  # from its opening to the answer (None: missed)


class Asks(Protocol):
    """What the results need of a question's kind (``kinds.Kind`` is one)."""

    @property
    def has_right_answer(self) -> bool: ...

    @property
    def takes_answers(self) -> bool: ...

    def credit(self, stored: str) -> float: ...  # 0..1, whatever the question weighs


K = TypeVar("K", bound=Kept)


class Recorded(Kept, Protocol):
    """A submission row of the record: whose, and for which question."""

    @property
    def student_id(self) -> str: ...

    @property
    def question_idx(self) -> int: ...


S = TypeVar("S", bound=Recorded)


def counting_submission(kept: K | None, new: K) -> K:
    """Which answer counts when a student answers a question that already has one kept for
    them (a repeat, or an answer to a question asked again): the one place the rule lives.

    A question asked again is a second chance: an answer given at a later asking
    replaces the one kept from an earlier asking, score included, and a student who
    does not answer again keeps theirs. Within one asking the first answer stands (a
    repeat is the same answer sent again). A ``missed`` row (the question closed
    without their answer) gives way to any answer and to the missed row of a later
    asking, and never takes an answer's place. The earlier askings' rows stay in the
    record: this only says which of them counts.
    """
    if kept is None:
        return new
    if not has_answer(new):
        return new if not has_answer(kept) and new.asking > kept.asking else kept
    if not has_answer(kept):
        return new
    return new if new.asking > kept.asking else kept


def counting_submissions(recorded: Iterable[S], latest_asking: Mapping[int, int]
                         ) -> dict[int, dict[str, S]]:
    """``question_idx -> student_id ->`` the submission that counts, out of every row a
    run's record holds (one per asking a student answered or missed), by
    ``counting_submission``: the room's replay at a restart and every export, page
    and count read a run's answers through here.

    ``latest_asking``: each question's latest asking (``Opening.asking``). A missed
    row from an earlier asking is no word at all: the question was asked again, so
    the student may still answer it, or it closed again with a missed row of its own.
    """
    kept: dict[int, dict[str, S]] = {}
    for row in recorded:
        if not has_answer(row) and row.asking < latest_asking.get(row.question_idx, 0):
            continue
        by_student = kept.setdefault(row.question_idx, {})
        by_student[row.student_id] = counting_submission(by_student.get(row.student_id), row)
    return kept


def present_at_any_asking(recorded: Iterable[tuple[str, int, int]]) -> dict[int, set[str]]:
    """``question_idx ->`` who was present (a socket open at some moment while it was open)
    at any of its askings, out of the record's ``(student_id, question_idx, asking)`` rows:
    ``Asked.present``, which says ``no_answer`` from ``not_present``.

    Any asking, not only the latest: an answer given at any asking may be the one that
    counts (``counting_submission``), so every asking was a chance to answer. A student
    who had a phone open at the first asking and gave no answer at either is
    ``no_answer``, whether or not they were there when it was asked again; only a
    student with no phone open at any asking is ``not_present``. (An answer kept, from
    whichever asking, is its own word whoever was present.)"""
    present: dict[int, set[str]] = {}
    for student_id, idx, _asking in recorded:
        present.setdefault(idx, set()).add(student_id)
    return present


def has_answer(kept: Kept | None) -> bool:
    return kept is not None and kept.status == "submitted"


def result_of(kind: Asks, kept: Kept | None, *, closed: bool, present: bool,
              absent: Result = Result.NOT_PRESENT) -> Result | None:
    """The word for one student × question; None while it is open and they have not answered.
    ``absent``: the word for a student not ``present`` (``not_reached`` in a paced run)."""
    if not kind.has_right_answer:
        return Result.NOT_SCORED
    if kept is not None and has_answer(kept):
        if kept.correct:
            return Result.RIGHT
        # Partial is some credit, not some points: a warm-up (0 points) scores none.
        partly = kept.points > 0 or (kept.answer is not None and kind.credit(kept.answer) > 0)
        return Result.PARTIAL if partly else Result.WRONG
    if not closed:
        return None
    return Result.NO_ANSWER if present else absent


@dataclass(frozen=True)
class Asked:
    """One question of a run as it was asked (its latest opening, for a re-asked one).
    In a student-paced run ``present`` are those who reached it, and the others are
    ``absent`` = ``not_reached``."""

    kind: Asks
    closed: bool  # False while it is open
    present: Container[str]  # a socket open at some moment while it was open, any asking
    absent: Result = Result.NOT_PRESENT
    # Those it has closed for while others may still answer it: in a student-paced run,
    # who answered it, passed it or ran out of their own time.
    closed_for: Container[str] = frozenset()

    def closed_to(self, student_id: str) -> bool:
        """Whether this student may no longer answer it: their word is final."""
        return self.closed or student_id in self.closed_for


@dataclass(frozen=True)
class Tally:
    """One question's words counted over the class. ``answered`` counts students, never
    ticks or letters; ``pending`` are those who may still answer an open question;
    ``students`` everyone in the run."""

    students: int = 0
    answered: int = 0
    right: int = 0
    partial: int = 0
    wrong: int = 0
    no_answer: int = 0
    not_present: int = 0
    not_scored: int = 0
    pending: int = 0
    not_reached: int = 0

    @property
    def scored(self) -> int:
        """The denominator of the share right: right + partial + wrong + no_answer."""
        return self.right + self.partial + self.wrong + self.no_answer

    @property
    def share_right(self) -> float | None:
        return share_right(self.right, self.scored)

    def __add__(self, other: Tally) -> Tally:
        """The words of several questions (or versions of one) counted together."""
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def as_dict(self) -> dict[str, Any]:
        return {"students": self.students, "answered": self.answered, "right": self.right,
                "partial": self.partial, "wrong": self.wrong, "no_answer": self.no_answer,
                "not_present": self.not_present, "not_scored": self.not_scored,
                "pending": self.pending, "share_right": self.share_right} | _reached(self)


def share_right(right: int, scored: int, *, percent: bool = False) -> float | None:
    """Right answers over scored ones (right, partial, wrong, no answer): a fraction to
    four decimals, or a percent to one; None when none is scored."""
    if not scored:
        return None
    return round(100 * right / scored, 1) if percent else round(right / scored, 4)


def cells(asked: Asked, students: Iterable[str], kept: Mapping[str, Kept]
          ) -> Iterator[tuple[str, Result | None, Kept | None]]:
    """Each student's word for one question, with the submission it was read from."""
    for student_id in students:
        submission = kept.get(student_id)
        yield student_id, result_of(asked.kind, submission, closed=asked.closed_to(student_id),
                                    present=student_id in asked.present,
                                    absent=asked.absent), submission


def question_tally(asked: Asked, students: Iterable[str], kept: Mapping[str, Kept]) -> Tally:
    counts = dict.fromkeys(("students", "answered", "pending", *Result), 0)
    for student_id, result, submission in cells(asked, students, kept):
        answered = has_answer(submission)
        counts["students"] += 1
        counts["answered"] += answered
        counts["pending"] += not asked.closed_to(student_id) and asked.kind.takes_answers \
            and not answered
        if result is not None:
            counts[result] += 1
    return Tally(**{str(key): value for key, value in counts.items()})


@dataclass(frozen=True)
class StudentTotals:
    """One student's words over the run. ``asked``: the answerable questions asked (polls
    included, slides not); ``answered``: how many of them the student answered."""

    points: int = 0
    right: int = 0
    partial: int = 0
    wrong: int = 0
    no_answer: int = 0
    not_present: int = 0
    answered: int = 0
    asked: int = 0
    not_reached: int = 0

    @property
    def score(self) -> float:
        return round(self.points / 20, 2)

    @property
    def scored(self) -> int:
        """The denominator of the share right, as a question's ``Tally.scored``."""
        return self.right + self.partial + self.wrong + self.no_answer

    @property
    def percent_right(self) -> float | None:
        """The share right in percent to one decimal (a term gradebook's cell)."""
        return share_right(self.right, self.scored, percent=True)

    def __add__(self, other: StudentTotals) -> StudentTotals:
        """One student's words over several runs (a term's gradebook)."""
        return StudentTotals(*(a + b for a, b in zip(astuple(self), astuple(other),
                                                      strict=True)))

    def as_dict(self) -> dict[str, Any]:
        return {"total_score": self.score, "right": self.right, "partial": self.partial,
                "wrong": self.wrong, "no_answer": self.no_answer,
                "not_present": self.not_present, "answered": self.answered,
                "asked": self.asked} | _reached(self)


def _reached(counts: Tally | StudentTotals) -> dict[str, int]:
    """``not_reached`` is only ever counted in a student-paced run: a live run's counts
    keep the shape they always had."""
    return {"not_reached": counts.not_reached} if counts.not_reached else {}


@dataclass(frozen=True)
class RunResults:
    """The whole grid of a run: ``students`` in join order, ``asked`` by question index,
    ``kept[question_idx][student_id]`` the submission kept for them."""

    students: Sequence[str]
    asked: Mapping[int, Asked]
    kept: Mapping[int, Mapping[str, Kept]]

    def result(self, student_id: str, idx: int) -> Result | None:
        asked = self.asked[idx]
        return result_of(asked.kind, self.kept.get(idx, {}).get(student_id),
                         closed=asked.closed_to(student_id),
                         present=student_id in asked.present,
                         absent=asked.absent)

    def question(self, idx: int) -> Tally:
        return question_tally(self.asked[idx], self.students, self.kept.get(idx, {}))

    def student(self, student_id: str) -> StudentTotals:
        return student_totals(self.asked, self.kept, student_id)


def student_totals(asked: Mapping[int, Asked], kept: Mapping[int, Mapping[str, Kept]],
                   student_id: str) -> StudentTotals:
    counts = dict.fromkeys(("points", "answered", "asked", *Result), 0)
    for idx, question in asked.items():
        submission = kept.get(idx, {}).get(student_id)
        counts["asked"] += question.kind.takes_answers
        if has_answer(submission):
            assert submission is not None
            counts["answered"] += 1
            counts["points"] += submission.points
        result = result_of(question.kind, submission, closed=question.closed_to(student_id),
                           present=student_id in question.present, absent=question.absent)
        if result is not None:
            counts[result] += 1
    counts.pop(Result.NOT_SCORED)
    return StudentTotals(**{str(key): value for key, value in counts.items()})


# ---- numbering and podium ---------------------------------------------------------------------
def question_numbers(kinds: Sequence[Asks]) -> list[int | None]:
    """The number a teacher says for each question ("Question 3"), counting only the
    answerable ones (polls included); a slide has none."""
    numbers: list[int | None] = []
    count = 0
    for kind in kinds:
        if kind.takes_answers:
            count += 1
            numbers.append(count)
        else:
            numbers.append(None)
    return numbers


def answerable_count(kinds: Collection[Asks]) -> int:
    """The M of "Question N of M": the answerable questions (polls included)."""
    return sum(1 for kind in kinds if kind.takes_answers)


PODIUM_PLACES = 3


class Ranked(Protocol):
    @property
    def rank(self) -> int: ...


R = TypeVar("R", bound=Ranked)


def on_podium(standings: Iterable[R]) -> list[R]:
    """Everyone who stands on the podium: every student ranked 1 to 3 (a tie takes its
    whole place: four tied for first are four on the top step). ``standings`` best first."""
    podium = []
    for standing in standings:
        if standing.rank > PODIUM_PLACES:
            break
        podium.append(standing)
    return podium
