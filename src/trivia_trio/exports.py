"""Results out of the durable record, for any run: CSV a gradebook can take."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

from quart import Response

from .quiz import quiz_from_dict

RESULT_COLUMNS = ("student_id", "name", "question_idx", "answer", "correct", "elapsed_ms",
                  "score", "status")


def _cell(value: object) -> object:
    """Keep spreadsheet programs from running a typed name as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv(conn: sqlite3.Connection, run_id: int) -> str:
    """One row per student × question asked, then one total row per student."""
    quiz = quiz_from_dict(json.loads(conn.execute(
        "SELECT quiz_json FROM runs WHERE run_id = ?", (run_id,)).fetchone()[0]))
    participants = conn.execute(
        "SELECT student_id, name FROM participants WHERE run_id = ? ORDER BY joined_at, rowid",
        (run_id,)).fetchall()
    rows = conn.execute(
        "SELECT * FROM submissions WHERE run_id = ? ORDER BY student_id, question_idx",
        (run_id,)).fetchall()
    by_student: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        by_student.setdefault(row["student_id"], []).append(row)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RESULT_COLUMNS)
    totals = []
    for p in participants:
        answers = by_student.get(p["student_id"], [])
        for a in answers:
            writer.writerow([_cell(p["student_id"]), _cell(p["name"]), a["question_idx"],
                             a["answer"] or "", int(a["correct"]), a["elapsed_ms"] or "",
                             f"{a['score']:.2f}", a["status"]])
        score = round(sum(a["score"] for a in answers), 2)
        correct = sum(a["correct"] for a in answers)
        totals.append([_cell(p["student_id"]), _cell(p["name"]), "total", "", correct, "",
                       f"{score:.2f}", f"{len(quiz)} questions"])
    writer.writerows(totals)
    return out.getvalue()


def download(text: str, filename: str, mimetype: str = "text/csv") -> Response:
    """A UTF-8 download with a BOM, so Excel reads names with accents correctly."""
    response = Response(("\ufeff" + text).encode("utf-8"), mimetype=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
