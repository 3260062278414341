"""What each client is shown: the message builders of ``views.py``.

Plain synchronous tests over a Game driven by hand, with explicit times.
Student ids here never appear inside names or texts, so searching a
serialized message for an id finds only a leak.
"""

from __future__ import annotations

import json

import pytest

from trivia_trio.core import dashboard_views, projector_views, views
from trivia_trio.core.deltas import TableChanges
from trivia_trio.core.game import Game
from trivia_trio.core.quiz import Quiz, quiz_from_dict
from trivia_trio.core.record import Submission

T0 = 1_700_000_000_000
SECOND = 1000
STUDENTS = {  # id -> name
    "id-7001": "Ada",
    "id-7002": "Bo",
    "id-7003": "Cy",
    "id-7004": "Di",
    "id-7005": "Ed",
    "id-7006": "Flo",
    "id-7007": "Gus",
}
QUIZ = quiz_from_dict(
    {
        "title": "Views quiz",
        "time_limit_default": 20,
        "questions": [
            {
                "text": "Powerhouse of the cell?",
                "options": ["Nucleus", "Mitochondrion", "Ribosome", "Golgi"],
                "correct": "B",
                "explanation": "ATP is made there.",
            },
            {
                "text": "Sound is faster in water.",
                "options": ["True", "False"],
                "correct": "A",
                "time_limit": 16,
            },
            {"text": "Symbol for gold?", "options": ["Go", "Gd", "Au"], "correct": "C"},
        ],
    }
)
ROOM = {"session_id": "room-1", "join_url": "http://10.0.0.5:8000/", "qr_url": "data:,qr"}


def new_game(quiz: Quiz = QUIZ, students: dict[str, str] = STUDENTS) -> Game:
    game = Game(quiz)
    for n, (student_id, name) in enumerate(students.items()):
        game.join(student_id, name, f"cookie-{n}", T0 + n)
    return game


def answer(game: Game, student_id: str, idx: int, letter: str, now: int) -> Submission:
    submission = game.check_submit(student_id, idx, letter, now)
    assert game.record(submission)
    return submission


def question_zero_answered(*, close: bool = True) -> Game:
    """Q0 open at T0: four right at different speeds, two wrong, Gus silent."""
    game = new_game()
    game.open_question(0, T0)
    answer(game, "id-7003", 0, "B", T0 + 1 * SECOND)
    answer(game, "id-7001", 0, "B", T0 + 4 * SECOND)
    answer(game, "id-7005", 0, "B", T0 + 8 * SECOND)
    answer(game, "id-7002", 0, "B", T0 + 12 * SECOND)
    answer(game, "id-7004", 0, "A", T0 + 2 * SECOND)
    answer(game, "id-7006", 0, "C", T0 + 19 * SECOND)
    if close:
        game.close_question(T0 + 20 * SECOND)
    return game


def keys_anywhere(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


def projector(game: Game, *, live_answers: bool = False, now: int = T0) -> dict:
    return projector_views.projector_state_message(game, live_answers=live_answers, now=now, **ROOM)


# ---- question_open ---------------------------------------------------------------------------
@pytest.mark.parametrize("idx", [0, 1, 2])
def test_the_open_question_never_tells_the_correct_answer(idx: int) -> None:
    game = new_game()
    game.open_question(idx, T0)
    message = views.question_open_message(game, idx, T0 + SECOND)
    assert "correct" not in keys_anywhere(message)
    assert "correct" not in views.encode(message)
    assert "explanation" not in message


def test_the_open_question_carries_the_limit_in_force_and_the_time_remaining() -> None:
    game = new_game()
    game.open_question(1, T0, time_limit=30)
    assert views.question_open_message(game, 1, T0 + 12 * SECOND) == {
        "type": "question_open",
        "question_idx": 1,
        "text": "Sound is faster in water.",
        "options": ["True", "False"],
        "time_limit": 30,
        "total_questions": 3,
        "opened_at_server_ts": T0,
        "remaining_ms": 18_000,
    }
    assert views.question_open_message(game, 1, T0 + 31 * SECOND)["remaining_ms"] == 0
    game.close_question(T0 + 13 * SECOND)
    assert views.question_open_message(game, 1, T0 + 14 * SECOND)["remaining_ms"] == 0


def test_the_ack_repeats_the_submission() -> None:
    game = new_game()
    game.open_question(0, T0)
    submission = answer(game, "id-7001", 0, "B", T0 + 10 * SECOND)
    assert views.ack_message(game, submission) == {
        "type": "submit_ack",
        "question_idx": 0,
        "answer": "B",
        "score": 0.75,
        "elapsed_ms": 10_000,
    }


def test_the_state_message_names_state_question_and_title() -> None:
    game = new_game()
    assert views.state_message(game) == {
        "type": "state",
        "state": "lobby",
        "current_question_idx": None,
        "title": "Views quiz",
    }
    game.open_question(2, T0)
    assert views.state_message(game)["state"] == "question_open"
    assert views.state_message(game)["current_question_idx"] == 2


# ---- leaderboards ------------------------------------------------------------------------
def test_leaderboard_rows_carry_student_ids_only_when_asked() -> None:
    game = question_zero_answered()
    public = views.leaderboard_rows(game.standings())
    assert all(set(row) == {"rank", "name", "score"} for row in public)
    marked = views.leaderboard_rows(game.standings(), you="id-7001")
    assert all("student_id" not in row for row in marked)
    full = views.leaderboard_rows(game.standings(), with_ids=True)
    assert [row["student_id"] for row in full] == [s.student_id for s in game.standings()]


def test_leaderboard_rows_mark_only_the_callers_own_row() -> None:
    game = question_zero_answered()
    rows = views.leaderboard_rows(game.standings(), you="id-7005")
    assert [row.get("is_you", False) for row in rows] == [
        s.student_id == "id-7005" for s in game.standings()
    ]
    assert all("is_you" not in row for row in views.leaderboard_rows(game.standings()))


def test_the_full_leaderboard_for_the_instructor_has_everyone_with_ids() -> None:
    game = question_zero_answered()
    message = dashboard_views.full_leaderboard_message(game)
    assert message["type"] == "full_leaderboard"
    assert [row["student_id"] for row in message["leaderboard"]] == [
        "id-7003",
        "id-7001",
        "id-7005",
        "id-7002",
        "id-7004",
        "id-7006",
        "id-7007",
    ]
    assert message["leaderboard"][0] == {
        "rank": 1,
        "name": "Cy",
        "score": 1.0,
        "student_id": "id-7003",
    }


# ---- personalised messages -------------------------------------------------------------------
def expected_top5(game: Game, you: str) -> list[dict]:
    rows = []
    for s in game.standings()[:5]:
        row = {"rank": s.rank, "name": s.name, "score": s.points / 20}
        if s.student_id == you:
            row["is_you"] = True
        rows.append(row)
    return rows


@pytest.mark.parametrize("student_id", ["id-7003", "id-7002", "id-7006", "id-7007"])
def test_the_reveal_for_a_student_is_the_shared_part_their_top5_and_their_own_fields(
    student_id: str,
) -> None:
    game = question_zero_answered()
    text = views.closed_for_students(game, 0).for_student(student_id)
    submission = game.submission(student_id, 0)
    assert json.loads(text) == {
        "type": "question_closed",
        "question_idx": 0,
        "correct": "B",
        "explanation": "ATP is made there.",
        "histogram": {"A": 1, "B": 4, "C": 1, "D": 0, "missed": 1},
        "top5": expected_top5(game, student_id),
        "your_answer": submission.answer,
        "your_score": submission.score,
        "your_rank": game.rank_of(student_id),
        "your_total": game.total_of(student_id),
    }


def test_a_late_joiner_is_told_not_present_for_a_plain_choice_in_a_quiz_of_new_kinds() -> None:
    """In a quiz that is not v1's, a question v1 could ask still says the word: a student
    who joined after it closed reads "not present" there as in the gradebook, not "no
    answer"."""
    mixed = quiz_from_dict({"title": "Mixed", "questions": [
        {"text": "2 + 2?", "options": ["3", "4"], "correct": "B"},
        {"kind": "poll", "text": "Pace?", "options": ["Slow", "Fast"]}]})
    game = new_game(mixed, {"id-7001": "Ada"})
    game.open_question(0, T0)
    game.mark_present(["id-7001"])
    answer(game, "id-7001", 0, "B", T0 + SECOND)
    game.close_question(T0 + 2 * SECOND)
    game.join("id-7002", "Bo", "cookie-late", T0 + 3 * SECOND)
    late = json.loads(views.closed_for_students(game, 0).for_student("id-7002"))
    assert (late["your_result"], late["your_correct"]) == ("not_present", False)
    on_time = json.loads(views.closed_for_students(game, 0).for_student("id-7001"))
    assert (on_time["your_result"], on_time["your_correct"]) == ("right", True)


def test_only_a_student_inside_the_top5_sees_is_you_and_only_on_their_own_row() -> None:
    game = question_zero_answered()
    personalised = views.closed_for_students(game, 0)
    inside = json.loads(personalised.for_student("id-7005"))["top5"]
    assert [row.get("is_you", False) for row in inside] == [False, False, True, False, False]
    outside = json.loads(personalised.for_student("id-7007"))["top5"]
    assert not any("is_you" in row for row in outside)


def test_the_interlude_for_a_student_is_next_idx_top5_rank_and_total() -> None:
    game = question_zero_answered()
    assert game.show_leaderboard()
    text = views.between_for_students(game, game.next_question_idx()).for_student("id-7001")
    assert json.loads(text) == {
        "type": "between_questions",
        "next_idx": 1,
        "top5": expected_top5(game, "id-7001"),
        "your_rank": 2,
        "your_total": 0.9,
    }


def test_the_end_for_a_student_is_final_top5_summary_rank_and_total() -> None:
    game = question_zero_answered()
    game.finish()
    text = views.ended_for_students(game).for_student("id-7004")
    assert json.loads(text) == {
        "type": "session_ended",
        "final_top5": expected_top5(game, "id-7004"),
        "questions_answered": 1,
        "questions_correct": 0,
        "questions_asked": 1,
        "your_rank": game.rank_of("id-7004"),
        "your_total": 0.0,
    }


def test_the_instructors_copy_has_the_top5_with_no_one_marked() -> None:
    game = question_zero_answered()
    message = views.with_top(views.question_closed_message(game, 0), "top5", game)
    assert message["top5"] == views.leaderboard_rows(game.standings()[:5])
    assert "is_you" not in views.encode(message)
    assert "student_id" not in views.encode(message)


# ---- projector -------------------------------------------------------------------------------
def projector_through_a_run() -> list[dict]:
    game = new_game()
    game.record_event("id-7001", "duplicate_join", T0)
    seen = [projector(game)]
    game.open_question(0, T0)
    seen.append(projector(game, now=T0 + SECOND))
    answer(game, "id-7001", 0, "B", T0 + 2 * SECOND)
    answer(game, "id-7002", 0, "A", T0 + 3 * SECOND)
    seen.append(projector(game, now=T0 + 4 * SECOND))
    seen.append(projector(game, live_answers=True, now=T0 + 4 * SECOND))
    game.close_question(T0 + 5 * SECOND)
    seen.append(projector(game, now=T0 + 6 * SECOND))
    game.show_leaderboard()
    seen.append(projector(game, now=T0 + 7 * SECOND))
    game.finish()
    seen.append(projector(game, now=T0 + 8 * SECOND))
    return seen


def test_the_projector_never_shows_a_student_id() -> None:
    for message in projector_through_a_run():
        text = views.encode(message)
        for student_id in STUDENTS:
            assert student_id not in text
        assert "student_id" not in keys_anywhere(message)
        assert "is_you" not in keys_anywhere(message)


def test_the_projector_shows_no_per_option_counts_while_open_unless_live_answers_is_on() -> None:
    game = question_zero_answered(close=False)
    hidden = projector(game, now=T0 + 19 * SECOND)
    assert hidden["live_histogram"] == {"submitted_count": 6, "total_count": 7,
                                        "results": {"answered": 6, "pending": 1}}
    assert hidden["reveal"] is None
    assert hidden["response_time_distribution"] is None
    # Standings that move with each answer would tell the room who is right.
    assert hidden["leaderboard"] is None and hidden["score_distribution"] is None
    assert "correct" not in keys_anywhere(hidden)
    shown = projector(game, live_answers=True, now=T0 + 19 * SECOND)
    assert shown["live_histogram"]["counts"] == {
        "A": 1,
        "B": 4,
        "C": 1,
        "D": 0,
        "missed": 0,
        "pending": 1,
    }
    assert shown["reveal"] is None


def test_the_projector_shows_counts_reveal_and_timing_after_the_close() -> None:
    game = question_zero_answered()
    message = projector(game, now=T0 + 21 * SECOND)
    assert message["live_histogram"] == {
        "submitted_count": 6,
        "total_count": 7,
        "counts": {"A": 1, "B": 4, "C": 1, "D": 0, "missed": 1, "pending": 0},
        # The seventh student never had a socket open while it was open.
        "results": {"students": 7, "answered": 6, "right": 4, "partial": 0, "wrong": 2,
                    "no_answer": 0, "not_present": 1, "not_scored": 0, "pending": 0,
                    "share_right": 0.6667},
    }
    assert message["reveal"] == {"correct": "B", "explanation": "ATP is made there."}
    assert message["response_time_distribution"]["total"] == 6
    assert message["question"]["remaining_ms"] == 0
    assert message["leaderboard"][0]["name"] and message["score_distribution"]["n"] == 7


def test_the_projector_carries_room_quiz_and_public_leaderboard() -> None:
    game = question_zero_answered()
    message = projector(game, now=T0 + 30 * SECOND)
    assert message["type"] == "projector_state"
    assert (message["sid"], message["join_url"], message["qr_url"]) == (
        "room-1",
        "http://10.0.0.5:8000/",
        "data:,qr",
    )
    assert (message["state"], message["title"]) == ("question_closed", "Views quiz")
    assert message["participant_count"] == 7
    assert message["pool_meta"] == {
        "question_count": 3,
        "time_limit_default": 20,
        "score_fn": "speed",
    }
    assert message["question"] == {
        "idx": 0,
        "text": "Powerhouse of the cell?",
        "options": ["Nucleus", "Mitochondrion", "Ribosome", "Golgi"],
        "opened_at_server_ts": T0,
        "time_limit": 20,
        "remaining_ms": 0,
        "total_questions": 3,
    }
    assert message["leaderboard"] == views.leaderboard_rows(game.standings()[:10])
    assert message["server_ts"] == T0 + 30 * SECOND


def test_the_projector_in_the_lobby_and_after_the_end_has_no_question() -> None:
    first, *_, last = projector_through_a_run()
    for message in (first, last):
        assert message["question"] is None
        assert message["live_histogram"] is None
        assert message["reveal"] is None


def test_response_times_fall_into_at_most_six_even_bins_of_round_seconds() -> None:
    game = new_game()
    game.open_question(0, T0, time_limit=30)  # bins of 5 s
    answer(game, "id-7001", 0, "B", T0)
    answer(game, "id-7002", 0, "A", T0 + 4_999)
    answer(game, "id-7003", 0, "B", T0 + 5_000)
    answer(game, "id-7004", 0, "C", T0 + 22 * SECOND)
    answer(game, "id-7005", 0, "B", T0 + 30 * SECOND)  # at the buzzer: the last bin
    game.close_question(T0 + 30 * SECOND)
    distribution = projector_views.response_time_distribution(game, 0)
    assert [b["label"] for b in distribution["buckets"]] == [
        "0–5", "5–10", "10–15", "15–20", "20–25", "25–30"]
    assert [b["count"] for b in distribution["buckets"]] == [2, 1, 0, 0, 1, 1]
    assert distribution["total"] == 5  # missed rows are not response times


@pytest.mark.parametrize("limit, labels", [
    (10, ["0–2", "2–4", "4–6", "6–8", "8–10"]),  # not 0–2, 2–5, 5–8, 8–10
    (16, ["0–5", "5–10", "10–15", "15–20"]),
    (20, ["0–5", "5–10", "10–15", "15–20"]),
    (5, ["0–1", "1–2", "2–3", "3–4", "4–5"]),
    (600, ["0–100", "100–200", "200–300", "300–400", "400–500", "500–600"]),
])
def test_response_time_bins_are_even_whatever_the_limit(limit: int, labels: list[str]) -> None:
    game = new_game()
    game.open_question(1, T0, time_limit=limit)
    game.close_question(T0 + limit * SECOND)
    buckets = projector_views.response_time_distribution(game, 1)["buckets"]
    assert [b["label"] for b in buckets] == labels


def test_total_scores_fall_into_at_most_six_even_bins() -> None:
    game = question_zero_answered()
    distribution = projector_views.score_distribution(game)
    assert distribution["max_total"] == 3
    assert distribution["n"] == 7
    assert [b["label"] for b in distribution["buckets"]] == [
        "0–0.5", "0.5–1", "1–1.5", "1.5–2", "2–2.5", "2.5–3"]
    # totals: 0, 0, 0 (wrong or silent); 0.7, 0.8, 0.9 in 0.5-1; 1.0 in 1-1.5
    assert [b["count"] for b in distribution["buckets"]] == [3, 3, 1, 0, 0, 0]


def test_full_marks_fall_into_the_last_score_bin() -> None:
    game = new_game(students={"id-7001": "Ada"})
    for idx, letter in enumerate("BAC"):
        game.open_question(idx, T0 + idx * 100 * SECOND)
        answer(game, "id-7001", idx, letter, T0 + idx * 100 * SECOND)
        game.close_question(T0 + idx * 100 * SECOND + SECOND)
    assert game.total_of("id-7001") == 3.0
    assert projector_views.score_distribution(game)["buckets"][-1]["count"] == 1


ONE_QUESTION = quiz_from_dict(
    {
        "title": "One question",
        "questions": [{"text": "Pick A", "options": ["A", "B"], "correct": "A"}],
    }
)


def test_a_total_on_a_bin_edge_falls_into_the_bin_that_starts_there() -> None:
    game = new_game(ONE_QUESTION, {"id-7001": "Ada"})
    game.open_question(0, T0)
    answer(game, "id-7001", 0, "A", T0 + 20 * SECOND)  # at the buzzer: 0.5
    game.close_question(T0 + 20 * SECOND)
    buckets = projector_views.score_distribution(game)["buckets"]
    assert [b["label"] for b in buckets][2] == "0.4–0.6"
    assert buckets[2]["count"] == 1


# ---- instructor views ------------------------------------------------------------------------
def test_presence_rows_join_live_connections_audits_and_the_current_answer() -> None:
    game = new_game(students={"id-7001": "Ada", "id-7002": "Bo"})
    game.record_event("id-7001", "blur", T0 + 1)
    game.record_event("id-7001", "blur", T0 + 2)
    game.record_event("id-7001", "visibility_hidden", T0 + 3)
    game.record_event("id-7001", "duplicate_join", T0 + 9)
    game.record_event("id-7001", "duplicate_join", T0 + 5)
    game.open_question(0, T0)
    answer(game, "id-7002", 0, "B", T0 + SECOND)
    presence = {"id-7001": dashboard_views.Presence(ws_count=2, last_seen_ms=T0 + 7)}
    rows = dashboard_views.presence_rows(game, presence)
    message = dashboard_views.presence_update_message(game, rows)
    assert message["type"] == "presence_update"
    assert message["current_question_idx"] == 0
    assert message["rows"] == [
        {
            "student_id": "id-7001",
            "name": "Ada",
            "joined_at": T0,
            "connected": True,
            "ws_count": 2,
            "last_seen_ms": T0 + 7,
            "blur_count": 2,
            "hidden_count": 1,
            "duplicate_join_attempts": {"count": 2, "latest_ts": T0 + 9},
            "answered_current": False,
        },
        {
            "student_id": "id-7002",
            "name": "Bo",
            "joined_at": T0 + 1,
            "connected": False,
            "ws_count": 0,
            "last_seen_ms": None,
            "blur_count": 0,
            "hidden_count": 0,
            "duplicate_join_attempts": {"count": 0},
            "answered_current": True,
        },
    ]
    assert message["orphan_duplicate_joins"] == []


def test_presence_lists_duplicate_joins_on_ids_nobody_holds_as_orphans() -> None:
    game = new_game(students={"id-7001": "Ada"})
    game.record_event("id-9999", "duplicate_join", T0 + 4)
    game.record_event("id-9999", "duplicate_join", T0 + 8)
    game.record_event("id-8888", "blur", T0 + 5)  # not a duplicate join: not listed
    game.record_event("id-7001", "duplicate_join", T0 + 6)
    message = dashboard_views.presence_update_message(game, dashboard_views.presence_rows(game, {}))
    assert message["orphan_duplicate_joins"] == [
        {"student_id": "id-9999", "count": 2, "latest_ts": T0 + 8}
    ]
    assert message["current_question_idx"] is None
    assert message["rows"][0]["connected"] is False
    # Once the holder is removed, the attempts on that id are orphans too.
    game.remove("id-7001")
    orphans = dashboard_views.orphan_duplicate_joins(game)
    assert {o["student_id"] for o in orphans} == {"id-9999", "id-7001"}


def test_a_disconnected_student_keeps_a_row_with_last_seen() -> None:
    game = new_game(students={"id-7001": "Ada"})
    presence = {"id-7001": dashboard_views.Presence(ws_count=0, last_seen_ms=T0 + 50)}
    rows = dashboard_views.presence_rows(game, presence)
    row = dashboard_views.presence_update_message(game, rows)["rows"][0]
    assert (row["connected"], row["ws_count"], row["last_seen_ms"]) == (False, 0, T0 + 50)


def test_the_live_histogram_counts_pending_students_in_the_total() -> None:
    game = question_zero_answered(close=False)
    assert views.live_histogram_message(game, 0) == {
        "type": "live_histogram",
        "question_idx": 0,
        "histogram": {"A": 1, "B": 4, "C": 1, "D": 0, "missed": 0, "pending": 1},
        "submitted_count": 6,
        "total_count": 7,
        "results": {"students": 7, "answered": 6, "right": 4, "partial": 0, "wrong": 2,
                    "no_answer": 0, "not_present": 0, "not_scored": 0, "pending": 1,
                    "share_right": 0.6667},
    }


def test_the_lobby_update_lists_everyone_who_joined() -> None:
    game = new_game(students={"id-7001": "Ada", "id-7002": "Bo"})
    assert dashboard_views.lobby_update_message(game) == {
        "type": "lobby_update",
        "count": 2,
        "participants": [
            {"student_id": "id-7001", "name": "Ada", "joined_at": T0},
            {"student_id": "id-7002", "name": "Bo", "joined_at": T0 + 1},
        ],
    }


def test_room_info_is_the_only_view_with_every_correct_answer() -> None:
    game = new_game()
    message = dashboard_views.room_info_message(game, live_answers=True, **ROOM)
    assert [q["correct"] for q in message["questions"]] == ["B", "A", "C"]
    assert [q["time_limit"] for q in message["questions"]] == [20, 16, 20]
    assert message["projector_live_answers"] is True


# ---- HTTP views ------------------------------------------------------------------------------
def test_me_lists_the_students_own_rows_and_total() -> None:
    game = question_zero_answered()
    assert views.me_payload(game, "id-7001") == {
        "student_id": "id-7001",
        "name": "Ada",
        "total_score": 0.9,
        "submissions": [
            {
                "question_idx": 0,
                "answer": "B",
                "elapsed_ms": 4000,
                "score": 0.9,
                "status": "submitted",
                "asking": 1,
                "result": "right",
            }
        ],
        "questions_answered": 1,
        "questions_correct": 1,
        "questions_asked": 1,
    }
    assert views.me_payload(game, "id-7007")["submissions"] == [
        {"question_idx": 0, "answer": None, "elapsed_ms": None, "score": 0.0, "status": "missed",
         "asking": 1, "result": "not_present"}
    ]


def test_stats_for_a_question_give_times_average_score_top5_and_rank() -> None:
    game = new_game()
    game.open_question(0, T0, time_limit=60)
    answer(game, "id-7001", 0, "B", T0 + 5 * SECOND)  # 0.96 -> 0.95
    answer(game, "id-7002", 0, "A", T0 + 15 * SECOND)  # wrong
    answer(game, "id-7003", 0, "B", T0 + 40 * SECOND)  # 0.667 -> 0.65
    game.close_question(T0 + 60 * SECOND)
    assert views.stats_payload(game, 0, "id-7003") == {
        "question_idx": 0,
        "response_time_avg_ms": 20_000,
        "response_time_distribution": {"0_10s": 1, "10_30s": 1, "30s_plus": 1},
        "average_score": 0.53,  # (0.95 + 0 + 0.65) / 3, missed rows left out
        "top5": expected_top5(game, "id-7003"),
        "your_rank": 2,
    }


def test_stats_before_any_question_have_no_times() -> None:
    game = new_game()
    assert views.stats_payload(game, None, None) == {
        "question_idx": None,
        "response_time_avg_ms": None,
        "response_time_distribution": {},
        "average_score": 0,
        "top5": expected_top5(game, ""),
        "your_rank": None,
    }


def test_stats_of_a_question_nobody_answered_have_no_average() -> None:
    game = new_game()
    game.open_question(2, T0)
    game.close_question(T0 + SECOND)
    payload = views.stats_payload(game, 2, "id-7001")
    assert payload["response_time_avg_ms"] is None
    assert payload["average_score"] == 0
    assert payload["response_time_distribution"] == {"0_10s": 0, "10_30s": 0, "30s_plus": 0}
    assert payload["your_rank"] == game.rank_of("id-7001")


# ---- the dashboard's tables as changes --------------------------------------------------------
def test_a_table_sends_whole_once_then_only_the_fields_that_changed() -> None:
    table = TableChanges("student_id")
    assert table.needs_whole
    table.sent_whole([{"student_id": "a", "score": 0, "name": "Ann"},
                      {"student_id": "b", "score": 0, "name": "Bob"}])
    changed, removed = table.changes([{"student_id": "a", "score": 1, "name": "Ann"},
                                      {"student_id": "c", "score": 0, "name": "Cy"}])
    assert changed == [{"student_id": "a", "score": 1},
                       {"student_id": "c", "score": 0, "name": "Cy"}]
    assert removed == ["b"]
    assert table.changes([{"student_id": "a", "score": 1, "name": "Ann"},
                          {"student_id": "c", "score": 0, "name": "Cy"}]) == ([], [])
    # What the pages do by themselves is not sent row by row.
    table.assume("score", 0)
    assert table.changes([{"student_id": "a", "score": 0, "name": "Ann"},
                          {"student_id": "c", "score": 0, "name": "Cy"}]) == ([], [])
    table.forget()
    assert table.needs_whole


def test_the_projector_lobby_counts_the_questions_the_pages_number_not_the_slides() -> None:
    """"3 questions" in the lobby, as the dashboard's room_info says: a slide is not one."""
    with_slide = quiz_from_dict({"title": "Slides", "questions": [
        {"kind": "slide", "text": "Welcome"}, *[q.to_dict() for q in QUIZ.questions]]})
    game = new_game(with_slide)
    room = dashboard_views.room_info_message(game, live_answers=False, **ROOM)
    assert projector(game)["question_count"] == room["question_count"] == 3
    assert projector(game)["pool_meta"]["question_count"] == 4  # v1's field: the file's count
    assert "question_count" not in projector(new_game())  # a quiz v1 could run: v1's message
