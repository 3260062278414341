"""Every number on every surface is the results model's: random classes, folded by hand.

Hypothesis writes a class's script: students join before and during questions,
open and close their phones (a reload is both), answer rightly, partly, wrongly
or not at all, and the teacher presses Next, closes, re-asks a question that
was already asked, and the server restarts. A quiz of every kind is played
on a real room over a real sqlite file, on virtual time.

The test folds what happened itself: the openings and closings the dashboard
was sent, who had a phone open while each question was open, and the answers
the phones were acknowledged. From that fold alone it says, per student ×
question, right / partial / wrong / no_answer / not_present / not_scored
(docs/PROTOCOL.md, "v3: one vocabulary"), and then checks the dashboard's and
the projector's messages, ``/api/me``, the end screens, gradebook.csv,
export.csv, export.json, the runs list and the item analysis against it.

A failure names the issue's item (#21, 1 to 9) each wrong surface belongs to.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trivia_trio.core import dashboard_views, views
from trivia_trio.core.quiz import quiz_from_dict
from trivia_trio.core.record import State
from trivia_trio.room.room import Client, Role, Room, open_room
from trivia_trio.store import exports, runs
from trivia_trio.store.committer import Store, open_store

from .test_room import drain, virtual_ms

SESSION = "class"
EVERY_KIND = {
    "title": "Every kind",
    "time_limit_default": 600,  # no question runs out of time in a script: closes are pressed
    "score_fn": "speed",
    "questions": [
        {"kind": "choice", "text": "2 + 2?", "options": ["3", "4", "5"], "correct": "B"},
        {"kind": "slide", "text": "Look at the board"},
        {"kind": "multi", "text": "Which are prime?", "options": ["2", "3", "4", "5"],
         "correct": "ABD", "scoring": "partial"},
        {"kind": "text", "text": "Symbol for gold?", "accept": ["Au"]},
        {"kind": "poll", "text": "Did you like it?", "options": ["Yes", "No", "Maybe"]},
        {"kind": "truefalse", "text": "The sky is blue.", "correct": True},
        {"kind": "number", "text": "Pi to two places?", "correct": 3.14, "tolerance": 0.001},
        {"kind": "order", "text": "Smallest first", "items": ["one", "two", "three"]},
        {"kind": "multi", "text": "Tick them all", "options": ["a", "b", "c"],
         "correct": "ABC"},
    ],
}
# A second quiz whose first question reads the same: its runs must never be merged with
# the first quiz's (#21 item 3).
ANOTHER_QUIZ = {
    "title": "Another quiz",
    "time_limit_default": 600,
    "questions": [{"kind": "choice", "text": "2 + 2?", "options": ["4", "5"], "correct": "A"}],
}
QUESTIONS = EVERY_KIND["questions"]
SCORED = [q["kind"] not in ("poll", "slide") for q in QUESTIONS]
ANSWERABLE = [q["kind"] != "slide" for q in QUESTIONS]
ANSWERS: list[list[Any]] = [
    ["A", "B", "C"],
    ["A"],  # a slide takes no answer
    ["ABD", "AB", "AC", "ABCD", "C"],  # right, two partial ones, wrong, wrong
    ["Au", "au", " AU ", "Ag"],
    ["A", "B", "C"],
    ["A", "B"],
    [3.14, 3.0, 3.1405],
    ["ABC", "ACB", "BAC", "CBA"],  # item letters in shown order: one of them is right
    ["ABC", "AB", "C"],
]
STUDENTS = ["s1", "s2", "s3", "s4", "s5"]
NAMES = {"s1": "Ana", "s2": "Ben", "s3": "Cleo", "s4": "Dev", "s5": "Eli"}

STEP = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(STUDENTS)),
    st.tuples(st.just("phone_on"), st.sampled_from(STUDENTS)),
    st.tuples(st.just("phone_off"), st.sampled_from(STUDENTS)),
    st.tuples(st.just("reload"), st.sampled_from(STUDENTS)),
    st.tuples(st.just("answer"), st.sampled_from(STUDENTS), st.integers(0, 9)),
    st.tuples(st.just("answer"), st.sampled_from(STUDENTS), st.integers(0, 9)),
    st.tuples(st.just("next")),
    st.tuples(st.just("next")),
    st.tuples(st.just("close")),
    st.tuples(st.just("reask"), st.integers(0, len(QUESTIONS) - 1)),
    st.tuples(st.just("restart")),
    st.tuples(st.just("wait"), st.integers(0, 2500)),
)
SCRIPTS = st.lists(STEP, max_size=45)


# ---- the test's own fold of what happened ---------------------------------------------------
@dataclass
class Fold:
    """What happened, as the messages told it; and the words it implies, worked out here."""

    kinds: list[Any]
    joined: list[str] = field(default_factory=list)
    phones: set[str] = field(default_factory=set)
    open_idx: int | None = None
    asked: set[int] = field(default_factory=set)
    present: dict[int, set[str]] = field(default_factory=dict)
    kept: dict[tuple[str, int], tuple[Any, float]] = field(default_factory=dict)  # answer, score
    finished: bool = False
    askings: dict[int, int] = field(default_factory=dict)  # times each question was opened
    # The asking each kept answer was given at.
    kept_at: dict[tuple[str, int], int] = field(default_factory=dict)

    def opened(self, idx: int) -> None:
        self.open_idx = idx
        self.asked.add(idx)
        self.askings[idx] = self.askings.get(idx, 0) + 1
        self.present.setdefault(idx, set()).update(self.phones)

    def phone_on(self, student_id: str) -> None:
        self.phones.add(student_id)
        if self.open_idx is not None:
            self.present.setdefault(self.open_idx, set()).add(student_id)

    def word(self, student_id: str, idx: int) -> str | None:
        if not SCORED[idx]:
            return "not_scored"
        kept = self.kept.get((student_id, idx))
        if kept is not None:
            credit = self.kinds[idx].credit(self.kinds[idx].normalise(kept[0]))
            return "right" if credit == 1 else "wrong" if credit == 0 else "partial"
        if idx == self.open_idx:
            return None
        return "no_answer" if student_id in self.present.get(idx, set()) else "not_present"

    def tally(self, idx: int) -> dict[str, Any]:
        counts = dict.fromkeys(("students", "answered", "right", "partial", "wrong", "no_answer",
                                "not_present", "not_scored", "pending"), 0)
        for student_id in self.joined:
            counts["students"] += 1
            answered = (student_id, idx) in self.kept
            counts["answered"] += answered
            counts["pending"] += idx == self.open_idx and ANSWERABLE[idx] and not answered
            word = self.word(student_id, idx)
            if word is not None:
                counts[word] += 1
        scored = sum(counts[w] for w in ("right", "partial", "wrong", "no_answer"))
        return counts | {"share_right": round(counts["right"] / scored, 4) if scored else None}

    def points(self, student_id: str) -> int:
        return sum(round(score * 20) for (s, _), (_, score) in self.kept.items()
                   if s == student_id)

    def totals(self, student_id: str) -> dict[str, Any]:
        words = [self.word(student_id, idx) for idx in sorted(self.asked)]
        return {
            "total_score": round(self.points(student_id) / 20, 2),
            **{w: words.count(w) for w in ("right", "partial", "wrong", "no_answer",
                                           "not_present")},
            "answered": sum(1 for (s, _) in self.kept if s == student_id),
            "asked": sum(ANSWERABLE[idx] for idx in self.asked),
        }

    def number(self, idx: int) -> int | None:
        return sum(ANSWERABLE[: idx + 1]) if ANSWERABLE[idx] else None

    def podium(self) -> list[dict[str, Any]]:
        ordered = sorted(self.joined, key=lambda s: (-self.points(s), NAMES[s], s))
        rows = []
        for student_id in ordered:
            rank = 1 + sum(self.points(o) > self.points(student_id) for o in self.joined)
            if rank <= 3:
                rows.append({"rank": rank, "name": NAMES[student_id],
                             "score": round(self.points(student_id) / 20, 2)})
        return rows[:views.PUBLIC_TOP]

    def gradebook_cell(self, student_id: str, idx: int) -> str:
        if idx not in self.asked:
            return ""
        word = self.word(student_id, idx)
        if word in ("right", "partial", "wrong"):
            return f"{self.kept[(student_id, idx)][1]:.2f}"
        return "-" if word == "not_present" else ""


# ---- checks: each surface against the fold, named by the item -----------------------
class Findings:
    def __init__(self) -> None:
        self.wrong: list[str] = []

    def check(self, item: str, what: str, test: Callable[[], Any]) -> None:
        try:
            test()
        except Exception as exc:  # every surface is checked even after one fails
            self.wrong.append(f"item {item}, {what}: {type(exc).__name__}: {exc}"[:600])


def equal(got: Any, expected: Any) -> None:
    assert got == expected, f"{got!r} != {expected!r}"


def check_live(found: Findings, fold: Fold, room: Room) -> None:
    """The dashboard's and projector's messages, /api/me, the end screens."""
    game = room.game
    messages = dashboard_views.instructor_snapshot(game, room.clock(), room._room_info(),
                                         room.pacing.presence())
    by_type = {m["type"]: m for m in messages}
    projector = room.projector_state()
    idx = game.current_idx
    if idx is not None and game.state in (State.QUESTION_OPEN, State.QUESTION_CLOSED):
        expected = fold.tally(idx)
        live = by_type["live_histogram"]
        found.check("4", "the dashboard's answered count",
                    lambda: equal(live["submitted_count"], expected["answered"]))
        found.check("5", "the dashboard's live results",
                    lambda: equal(live["results"], expected))
        found.check("4", "the projector's answered count", lambda: equal(
            projector["live_histogram"]["submitted_count"], expected["answered"]))
        found.check("6", "the projector's question number", lambda: equal(
            (projector["question"]["question_number"], projector["question"]["question_count"]),
            (fold.number(idx), sum(ANSWERABLE))))
        found.check("6", "the dashboard's question number", lambda: equal(
            by_type["question_open"]["question_number"], fold.number(idx)))
        if game.state is State.QUESTION_CLOSED:
            found.check("4", "the dashboard's reveal", lambda: equal(
                by_type["question_closed"]["results"], expected))
            found.check("5", "the projector's reveal agrees with the dashboard", lambda: equal(
                projector["live_histogram"]["results"], expected))
            top = by_type["question_closed"].get("top_answers") or []
            if QUESTIONS[idx]["kind"] == "text":
                found.check("8", "a right typed answer in the accepted spelling", lambda: equal(
                    [row["answer"] for row in top if row["correct"]],
                    ["Au"] if any(row["correct"] for row in top) else []))
        else:
            found.check("5", "the projector tells no right or wrong while open", lambda: equal(
                projector["live_histogram"]["results"],
                {"answered": expected["answered"], "pending": expected["pending"]}))
    if game.state is not State.QUESTION_OPEN and fold.joined:
        found.check("9", "everyone tied for a podium place stands on it",
                    lambda: equal(projector["podium"], fold.podium()))
    board = {row["student_id"]: row["score"] for row in by_type["full_leaderboard"]["leaderboard"]}
    found.check("2", "the dashboard's scores", lambda: equal(
        board, {s: round(fold.points(s) / 20, 2) for s in fold.joined}))
    for student_id in fold.joined:
        me = views.me_payload(game, student_id)
        totals = fold.totals(student_id)
        found.check("2", f"/api/me of {student_id}", lambda me=me, totals=totals: equal(
            (me["total_score"], me["questions_answered"], me["questions_correct"],
             me["questions_asked"]),
            (totals["total_score"], totals["answered"], totals["right"], totals["asked"])))
        found.check("2", f"/api/me's words of {student_id}", lambda me=me, s=student_id: equal(
            {row["question_idx"]: row["result"] for row in me["submissions"]},
            {row["question_idx"]: fold.word(s, row["question_idx"])
             for row in me["submissions"]}))
        if game.state is State.FINISHED:
            ended = views.ended_own(game, student_id)
            found.check("6", f"the end screen of {student_id}", lambda e=ended, t=totals: equal(
                (e["questions_answered"], e["questions_asked"], e["questions_correct"],
                 e["your_total"]), (t["answered"], t["asked"], t["right"], t["total_score"])))


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def check_exports(found: Findings, fold: Fold, store: Store, run_id: int) -> None:
    conn = store.conn
    header = next(csv.reader(io.StringIO(exports.results_csv(conn, run_id))))
    found.check("7", "export.csv keeps v1's columns first, new ones last", lambda: equal(
        header, ["student_id", "name", "question_idx", "answer", "correct", "elapsed_ms",
                 "score", "status", "answer_text", "result", "question", "question_text",
                 "asking", "order_position", "opened_at", "earlier_answers"]))
    answers = [r for r in rows_of(exports.results_csv(conn, run_id)) if r["status"] != "total"]
    found.check("2", "export.csv's result column", lambda: equal(
        [r.get("result") for r in answers],
        [fold.word(r["student_id"], int(r["question_idx"])) or "" for r in answers]))
    found.check("7", "export.csv's question number and text", lambda: equal(
        [(r.get("question"), r.get("question_text")) for r in answers],
        [(str(fold.number(int(r["question_idx"])) or ""), QUESTIONS[int(r["question_idx"])]["text"])
         for r in answers]))
    found.check("11", "export.csv says which asking each kept answer was given at", lambda: equal(
        [r.get("asking") for r in answers if r["status"] == "submitted"],
        [str(fold.kept_at.get((r["student_id"], int(r["question_idx"])), 1))
         for r in answers if r["status"] == "submitted"]))
    closed = [idx for idx in fold.asked if idx != fold.open_idx]
    found.check("2", "export.csv has a row for every student × closed question", lambda: equal(
        {(r["student_id"], int(r["question_idx"])) for r in answers
         if int(r["question_idx"]) in closed},
        {(s, idx) for s in fold.joined for idx in closed}))

    book = rows_of(exports.gradebook_csv(conn, run_id))
    columns = list(book[0])[5:5 + len(QUESTIONS)] if book else []
    found.check("2", "gradebook cells: a score, empty for no answer, - for not present",
                lambda: equal([[r[c] for c in columns] for r in book],
                              [[fold.gradebook_cell(s, i) for i in range(len(QUESTIONS))]
                               for s in fold.joined]))
    found.check("11", "the gradebook lists the answers kept from a question asked again",
                lambda: equal([r["kept_from_asked_again"] for r in book],
                              [", ".join(f"Q{fold.number(i)}" for i in range(len(QUESTIONS))
                                         if fold.kept_at.get((s, i), 1) > 1
                                         and fold.number(i) is not None)
                               for s in fold.joined]))
    found.check("2", "gradebook totals", lambda: equal(
        [(r["total_score"], r["correct"], r["answered"]) for r in book],
        [(f"{fold.points(s) / 20:.2f}", str(fold.totals(s)["right"]),
          str(fold.totals(s)["answered"])) for s in fold.joined]))

    document = json.loads(exports.run_json(conn, run_id))
    found.check("2", "export.json's questions", lambda: equal(
        {q["question_idx"]: q["results"] for q in document["questions"]},
        {idx: fold.tally(idx) for idx in fold.asked}))
    found.check("2", "export.json's participants", lambda: equal(
        [p["results"] for p in document["participants"]],
        [fold.totals(s) for s in fold.joined]))
    found.check("2", "export.json's submissions", lambda: equal(
        [s["result"] for s in document["submissions"]],
        [fold.word(s["student_id"], s["question_idx"]) for s in document["submissions"]]))

    listed = {r["run_id"]: r for r in runs.run_list(conn, SESSION, run_id)}[run_id]
    scored = [fold.tally(idx) for idx in fold.asked if SCORED[idx]]
    right = sum(t["right"] for t in scored)
    denominator = sum(t["right"] + t["partial"] + t["wrong"] + t["no_answer"] for t in scored)
    points = [fold.points(s) for s in fold.joined]
    found.check("1", "the runs list", lambda: equal(
        (listed["students"], listed["average_score"], listed["questions_asked"],
         listed["share_right"]),
        (len(fold.joined), round(sum(points) / len(points) / 20, 2) if points else None,
         sum(ANSWERABLE[i] for i in fold.asked),
         round(right / denominator, 4) if denominator else None)))


def check_item_analysis(found: Findings, folds: dict[int, Fold], store: Store,
                        current: int) -> None:
    analysis = runs.item_analysis(store.conn, SESSION, current)
    quizzes = analysis.get("quizzes", [analysis])
    for run_id, fold in folds.items():
        if not fold.asked:
            continue
        groups = [g for g in quizzes if run_id in [r["run_id"] for r in g["runs"]]]
        found.check("3", f"run {run_id} is in one quiz's table", lambda g=groups: equal(len(g), 1))
        if len(groups) != 1:
            continue
        group = groups[0]
        found.check("3", "a quiz's table holds only runs of that quiz", lambda g=group: equal(
            {r["title"] for r in g["runs"]}, {g["runs"][0]["title"]}))
        column = [r["run_id"] for r in group["runs"]].index(run_id)
        texts = [" ".join(q["text"].split()) for q in fold_questions(fold)]
        rows = group["questions"]
        found.check("1", "slides are not in the item analysis", lambda r=rows: equal(
            [q for q in r if q.get("kind") == "slide" or q["text"] == "Look at the board"], []))
        found.check("1", "polls are not scored and come after the scored questions",
                    lambda r=rows: equal(
                        [q.get("scored") for q in r],
                        sorted((q.get("scored") for q in r), key=lambda scored: not scored)))
        for row in rows:
            idx = texts.index(row["text"]) if row["text"] in texts else None
            found.check("3", f"question {row['text']!r} is of this quiz",
                        lambda i=idx: equal(i is not None, True))
            if idx is None:
                continue
            cell = row["runs"][column]
            expected = fold.tally(idx) if idx in fold.asked else None
            found.check("1" if not SCORED[idx] else "2", f"item analysis of question {idx}",
                        lambda c=cell, e=expected: equal(c and c["results"], e))


def fold_questions(fold: Fold) -> list[dict[str, Any]]:
    return QUESTIONS if len(fold.kinds) == len(QUESTIONS) else ANOTHER_QUIZ["questions"]


# ---- playing a script -------------------------------------------------------------------------
class ClassRoom:
    """The room and its store, restartable; the phones and the dashboard connected to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stack = AsyncExitStack()
        self.phones: dict[str, AsyncExitStack] = {}
        self.clients: dict[str, Client] = {}

    async def start(self) -> None:
        self.stack = AsyncExitStack()
        self.store = await self.stack.enter_async_context(
            open_store(self.path, use_thread=False))
        self.room = await self.stack.enter_async_context(open_room(
            self.store, quiz_from_dict(EVERY_KIND), session_id=SESSION, clock=virtual_ms))
        self.instructor = await self.stack.enter_async_context(
            self.room.connect(Role.INSTRUCTOR))

    async def stop(self) -> None:
        for student_id in list(self.phones):
            await self.phone_off(student_id)
        await self.stack.aclose()

    async def phone_on(self, student_id: str) -> None:
        stack = AsyncExitStack()
        self.clients[student_id] = await stack.enter_async_context(
            self.room.connect(Role.STUDENT, student_id))
        self.phones[student_id] = stack

    async def phone_off(self, student_id: str) -> None:
        self.clients.pop(student_id)
        await self.phones.pop(student_id).aclose()


async def settle() -> None:
    await trio.testing.wait_all_tasks_blocked()


def follow_dashboard(fold: Fold, messages: list[dict[str, Any]]) -> None:
    """Fold the openings and closings the dashboard was told of."""
    for message in messages:
        if message["type"] == "question_open" and message["question_idx"] != fold.open_idx:
            fold.opened(message["question_idx"])
        elif message["type"] == "question_closed":
            fold.open_idx = None
        elif message["type"] == "session_ended":
            fold.open_idx, fold.finished = None, True


async def play(script: list[tuple[Any, ...]], path: Path) -> list[str]:
    classroom = ClassRoom(path)
    await classroom.start()
    try:
        return await play_in(classroom, script)
    finally:
        await classroom.stop()


async def play_in(classroom: ClassRoom, script: list[tuple[Any, ...]]) -> list[str]:
    found = Findings()
    drain(classroom.instructor)
    fold = Fold([classroom.room.game.kind(i) for i in range(len(QUESTIONS))])

    def take_acks(student_id: str, messages: list[dict[str, Any]],
                  asking: int | None = None) -> None:
        """``asking``: the answer was sent to the question open at that asking."""
        for message in messages:
            if message["type"] == "submit_ack":
                key = (student_id, message["question_idx"])
                fold.kept[key] = (message["answer"], message["score"])
                if asking is not None:
                    fold.kept_at[key] = asking

    def follow() -> None:
        follow_dashboard(fold, drain(classroom.instructor))
        for student_id, client in classroom.clients.items():
            take_acks(student_id, drain(client))

    room = classroom.room
    for step in [*script, ("end",)]:
        room = classroom.room
        action, *args = step
        if action == "join" and args[0] not in fold.joined:
            try:
                await room.join(args[0], NAMES[args[0]])
                fold.joined.append(args[0])
            except Exception:
                assert room.game.state is State.FINISHED
        elif action in ("phone_on", "reload") and args[0] in fold.joined:
            if args[0] in classroom.phones:
                await classroom.phone_off(args[0])
                fold.phones.discard(args[0])
            await classroom.phone_on(args[0])
            fold.phone_on(args[0])
        elif action == "phone_off" and args[0] in classroom.phones:
            await classroom.phone_off(args[0])
            fold.phones.discard(args[0])
        elif action == "answer" and args[0] in classroom.clients:
            idx = fold.open_idx if fold.open_idx is not None else 0
            answer = ANSWERS[idx][args[1] % len(ANSWERS[idx])]
            await room.handle(classroom.clients[args[0]], json.dumps(
                {"type": "submit", "question_idx": idx, "answer": answer}))
            # The ack is queued before handle returns.
            take_acks(args[0], drain(classroom.clients[args[0]]),
                      fold.askings[idx] if idx == fold.open_idx else None)
        elif action == "next":
            await room.advance()
        elif action == "close":
            await room.close_question()
        elif action == "reask":
            await room.open_question(args[0])
        elif action == "end":
            await room.end_session()
        elif action == "wait":
            trio.lowlevel.current_clock().jump(args[0] / 1000)  # type: ignore[attr-defined]
        elif action == "restart":
            await settle()
            follow()
            phones = list(classroom.phones)
            await classroom.stop()
            fold.phones.clear()
            await classroom.start()
            snapshot = drain(classroom.instructor)
            state = next(m for m in snapshot if m["type"] == "state")
            fold.open_idx = state["current_question_idx"] \
                if state["state"] == "question_open" else None
            for student_id in phones:  # the phones reconnect
                await classroom.phone_on(student_id)
                fold.phone_on(student_id)
        await settle()
        follow()
        check_live(found, fold, classroom.room)
    check_exports(found, fold, classroom.store, classroom.room.run_id)
    folds = {classroom.room.run_id: fold}

    # The teacher runs another quiz with the same first question's text.
    room = classroom.room
    await room.load_quiz(quiz_from_dict(ANOTHER_QUIZ))
    second = Fold([room.game.kind(0)])
    for student_id in list(classroom.phones):  # sent back to the join form by the new run
        await classroom.phone_off(student_id)
    await room.join("s1", NAMES["s1"])
    second.joined.append("s1")
    await classroom.phone_on("s1")
    second.phone_on("s1")
    drain(classroom.instructor)
    await room.advance()
    await settle()
    follow_dashboard(second, drain(classroom.instructor))
    await room.handle(classroom.clients["s1"], json.dumps(
        {"type": "submit", "question_idx": 0, "answer": "A"}))
    await settle()
    for message in drain(classroom.clients["s1"]):
        if message["type"] == "submit_ack":
            second.kept[("s1", 0)] = (message["answer"], message["score"])
    await room.end_session()
    await settle()
    follow_dashboard(second, drain(classroom.instructor))
    folds[room.run_id] = second
    check_item_analysis(found, folds, classroom.store, room.run_id)
    return found.wrong


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRIPTS)
def test_every_number_on_every_surface_is_the_results_models(
        script: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        wrong = trio.run(play, script, Path(folder) / "class.sqlite3",
                         clock=trio.testing.MockClock())
    assert not wrong, "\n".join(dict.fromkeys(wrong))


def test_a_class_of_every_kind_with_a_late_joiner_a_silent_student_and_a_re_ask() -> None:
    """One script written out: the cases the random ones must also cover."""
    script: list[tuple[Any, ...]] = [
        ("join", "s1"), ("join", "s2"), ("join", "s3"), ("join", "s4"),
        ("phone_on", "s1"), ("phone_on", "s2"), ("phone_on", "s3"), ("phone_on", "s4"),
        ("next",), ("wait", 1500), ("answer", "s1", 1), ("answer", "s2", 0),
        ("answer", "s3", 1), ("next",),  # s4 silent: no answer
        ("next",),  # the slide; one press passes it and opens the multi
        ("next",), ("answer", "s1", 0), ("answer", "s2", 1), ("answer", "s3", 3),
        ("answer", "s4", 0),  # multi: right, partial, partial, right; all answered: closed
        ("next",), ("answer", "s1", 1), ("answer", "s2", 3), ("next",),  # text: "au", "Ag"
        ("join", "s5"), ("phone_on", "s5"),  # late: not present for what was asked
        ("next",), ("answer", "s5", 2), ("restart",), ("answer", "s1", 0), ("next",),  # poll
        ("reask", 0), ("answer", "s5", 1), ("answer", "s4", 0), ("close",),
        ("next",), ("answer", "s1", 0), ("answer", "s2", 0), ("answer", "s3", 0),
        ("answer", "s4", 0), ("answer", "s5", 0),
    ]
    with tempfile.TemporaryDirectory() as folder:
        wrong = trio.run(play, script, Path(folder) / "class.sqlite3",
                         clock=trio.testing.MockClock())
    assert not wrong, "\n".join(dict.fromkeys(wrong))
