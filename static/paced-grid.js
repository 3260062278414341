"use strict";
// The dashboard's progress grid of a student-paced run: a row per student, a cell per
// question. It goes whole on connect (paced_grid), then by the rows that changed, each
// by its position (paced_grid_rows, which the socket accepts: docs/PROTOCOL.md); like
// the students table it keeps its rows sorted as changes arrive and draws only the
// rows in view (dashboard-tables.js), so 1,000 students are a few dozen row elements.
// Uses el(), fill(), t() and i18n from the shared scripts.

const PACED_CELLS = {
  right: { mark: "✓", label: "dashboard.paced.cell.right" },
  partial: { mark: "◐", label: "dashboard.paced.cell.partial" },
  wrong: { mark: "✗", label: "dashboard.paced.cell.wrong" },
  no_answer: { mark: "–", label: "dashboard.paced.cell.no_answer" },
  working: { mark: "…", label: "dashboard.paced.cell.working" },
  not_reached: { mark: "", label: "dashboard.paced.cell.not_reached" },
  not_scored: { mark: "○", label: "dashboard.paced.cell.not_scored" },
};
const PACED_FIXED_COLUMNS = 4; // name, place, time used, accommodation
// paced_grid_rows' cells, a letter each.
const PACED_LETTERS = { R: "right", P: "partial", W: "wrong", N: "no_answer", A: "not_present", ".": "not_reached", S: "not_scored", O: "working" };

/** onAccommodate(studentId, extraTime, noSpeedPenalty) when the teacher changes a row;
 * onScores(rows, whole) with the scores of the rows that changed (or of every row),
 * `{student_id, name?, score}`: the leaderboard's, which the grid carries. */
function createPacedGrid({ onAccommodate, onScores }) {
  const collator = new Intl.Collator(i18n.language, { numeric: true, sensitivity: "base" });
  const byText = (a, b) => collator.compare(a, b);
  const integer = new Intl.NumberFormat(i18n.language);
  const rows = new Map();
  const searchIndex = createSearchIndex();
  let positions = []; // student ids by the positions paced_grid_rows names rows by
  let questions = [];
  let summary = null;
  let places = new Map();
  let query = "";
  let sortBy = "name";

  const ORDERS = {
    name: (a, b) => byText(a.name, b.name) || byText(a.student_id, b.student_id),
    place: (a, b) => b.score - a.score || ORDERS.name(a, b),
    progress: (a, b) => b.reached - a.reached || ORDERS.name(a, b),
  };
  const keep = () => (row) => searchIndex.matches(row, query);
  const sorted = createSortedRows(ORDERS[sortBy], keep());
  const table = byId("paced-table");
  const body = byId("paced-rows");
  let view = null;

  let headerShown = ""; // what the header shows: redrawn only when that changes
  function header() {
    // Redrawn on every change, it took the sort button from under a teacher's click.
    const shown = [document.documentElement.lang, sortBy, ...questions.map((q) => q.number + ":" + q.share_right)].join("|");
    if (shown === headerShown) return;
    headerShown = shown;
    const heads = [
      el("th", { scope: "col" }, sortButton("name", "dashboard.column.name")),
      el("th", { scope: "col" }, sortButton("place", "dashboard.paced.place")),
      el("th", { scope: "col" }, sortButton("progress", "dashboard.paced.time_used")),
      ...questions.map((q) => el("th", { scope: "col", class: "paced-question",
        title: q.share_right === null ? "" : t("dashboard.paced.share_right", { share: Math.round(q.share_right * 100) }) },
      q.number === null ? t("question.slide") : t("dashboard.paced.question", { number: q.number }),
      el("br"), el("span", { class: "muted small" }, q.share_right === null ? "—" : Math.round(q.share_right * 100) + "%"))),
      el("th", { scope: "col", class: "paced-accommodation-head" }, t("dashboard.paced.accommodation")),
    ];
    fill(byId("paced-head"), el("tr", null, ...heads));
  }

  function sortButton(column, key) {
    return el("button", { type: "button", class: "sort-button", "data-sort": column,
      "aria-pressed": sortBy === column ? "true" : "false" }, t(key));
  }

  function makeRow() {
    const cells = [el("th", { scope: "row", dir: "auto" }), el("td"), el("td")];
    questions.forEach(() => cells.push(el("td", { class: "paced-cell" })));
    const extra = el("select", { "data-action": "extra" },
      el("option", { value: "1" }, t("dashboard.paced.extra.none")),
      el("option", { value: "1.5" }, t("dashboard.paced.extra.x15")),
      el("option", { value: "2" }, t("dashboard.paced.extra.x2")));
    const penalty = el("input", { type: "checkbox", "data-action": "penalty" });
    cells.push(el("td", { class: "paced-accommodation" }, extra, " ",
      el("label", { class: "checkbox small" }, penalty, " ", t("dashboard.paced.no_speed_penalty"))));
    return el("tr", null, ...cells);
  }

  /** The open question's start on this page's own clock: the server says how long it has
   * run (open_for_ms), never at what time by its clock. */
  function anchor(row, openForMs) {
    row.open_from = openForMs === null || openForMs === undefined ? null : performance.now() - openForMs;
  }

  function timeUsed(row) {
    const ms = row.time_used_ms + (row.open_from === null ? 0 : Math.max(0, performance.now() - row.open_from));
    const seconds = Math.floor(ms / 1000);
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function drawRow(tr, row) {
    const cells = tr.cells;
    updateAttribute(tr, "data-student", row.student_id);
    updateText(cells[0], row.name);
    updateAttribute(cells[0], "title", row.name + " (" + row.student_id + ")");
    updateText(cells[1], places.has(row.student_id) ? integer.format(places.get(row.student_id)) : "—");
    updateText(cells[2], timeUsed(row) + (row.finished ? " ✓" : ""));
    row.cells.forEach((word, i) => {
      const cell = cells[3 + i];
      const shown = PACED_CELLS[word] || PACED_CELLS.not_reached;
      updateText(cell, shown.mark);
      updateAttribute(cell, "class", "paced-cell paced-" + word);
      updateAttribute(cell, "aria-label", t(shown.label));
      updateAttribute(cell, "title", t(shown.label));
    });
    const controls = cells[cells.length - 1];
    const extra = controls.querySelector("select");
    if (extra.value !== String(row.extra_time)) extra.value = String(row.extra_time);
    updateAttribute(extra, "aria-label", t("dashboard.paced.extra_label", { name: row.name }));
    const penalty = controls.querySelector("input");
    if (penalty.checked !== row.no_speed_penalty) penalty.checked = row.no_speed_penalty;
  }

  function rebuildView() {
    body.replaceChildren();
    table.querySelectorAll("tbody[aria-hidden]").forEach((spacer) => spacer.remove());
    view = createVirtualRows({ region: byId("paced-region"), table, body,
      columns: PACED_FIXED_COLUMNS + questions.length, makeRow, drawRow });
  }

  function rank() {
    const scores = Array.from(rows.values()).map((row) => row.score).sort((a, b) => b - a);
    const first = new Map();
    scores.forEach((score, i) => { if (!first.has(score)) first.set(score, i + 1); });
    places = new Map(Array.from(rows.values()).map((row) => [row.student_id, first.get(row.score)]));
  }

  let ticking = false; // someone may be on a question: their time used moves (not after the end)
  function showSummary() {
    const s = summary;
    ticking = s.stopped === undefined && s.working + s.not_started > 0;
    // After the end nobody is working: the count is of those the end stopped on the way.
    setText("paced-summary", s.stopped === undefined
      ? t("dashboard.paced.summary", { finished: integer.format(s.finished), working: integer.format(s.working), not_started: integer.format(s.not_started) })
      : t("dashboard.paced.summary_ended", { finished: integer.format(s.finished), stopped: integer.format(s.stopped), not_started: integer.format(s.not_started) }));
  }

  /** paced_grid: every row, and the positions paced_grid_rows names them by. */
  function showWhole(message) {
    const newColumns = questions.length !== message.questions.length;
    questions = message.questions;
    summary = message.summary;
    rows.clear();
    searchIndex.clear();
    message.rows.forEach((row) => anchor(row, row.open_for_ms));
    positions = message.rows.map((row) => row.student_id);
    apply(message.rows, true, newColumns);
  }

  const letterWords = (letters) => Array.from(letters, (letter) => PACED_LETTERS[letter] || "not_reached");

  /** paced_grid_rows: new rows, changed rows by position, and the header's counts that moved. */
  function showRows(message) {
    const changes = [];
    // How far a student is: the cells they reached (any but not_reached).
    const reachedIn = (cells) => cells.reduce((count, word) => count + (word !== "not_reached"), 0);
    // Time used comes in tenths of a second, up to now, and whether it goes on.
    const timed = (row, tenths, running) => {
      row.time_used_ms = tenths * 100;
      anchor(row, running ? 0 : null);
    };
    (message.added || []).forEach(([studentId, name, letters, score, tenths, running, finished = false, extraTime = 1, noPenalty = false]) => {
      const cells = letterWords(letters);
      const row = { student_id: studentId, name, cells, score, reached: reachedIn(cells), finished, extra_time: extraTime, no_speed_penalty: noPenalty };
      timed(row, tenths, running);
      positions.push(studentId);
      changes.push(row);
    });
    (message.rows || []).forEach(([position, first, letters, score, tenths, running, ...rare]) => {
      const kept = rows.get(positions[position]);
      if (!kept) return;
      const row = { student_id: kept.student_id, score };
      timed(row, tenths, running);
      if (letters) {
        row.cells = kept.cells.slice();
        letterWords(letters).forEach((word, i) => { row.cells[first + i] = word; });
        row.reached = reachedIn(row.cells);
      }
      if (rare.length) [row.finished, row.extra_time, row.no_speed_penalty] = rare;
      changes.push(row);
    });
    if (message.counts) {
      questions = questions.map((question, i) => Object.assign({}, question, {
        reached: message.counts[i][0], answered: message.counts[i][1], right: message.counts[i][2], share_right: message.counts[i][3] }));
    }
    if (message.summary) summary = message.summary;
    apply(changes, false, false);
  }

  function apply(changes, whole, newColumns) {
    const { changed, added, gone } = mergeRows(rows, changes, []);
    searchIndex.update(changes, gone);
    header();
    if (newColumns || !view) rebuildView();
    rank();
    if (whole || sortBy !== "name") sorted.rebuild(Array.from(rows.values()));
    else sorted.patch(changed.filter((row) => added.has(row)), gone);
    view.show(sorted.rows);
    showSummary();
    byId("paced-empty").hidden = rows.size > 0;
    onScores(changed.map((row) => ({ student_id: row.student_id, name: row.name, score: row.score })), whole);
  }

  byId("paced-head").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-sort]");
    if (!button) return;
    sortBy = button.getAttribute("data-sort");
    sorted.rebuild(Array.from(rows.values()), ORDERS[sortBy], keep());
    header();
    view.show(sorted.rows);
  });
  byId("paced-search").addEventListener("input", (event) => {
    query = searchFold(event.target.value.trim());
    sorted.rebuild(Array.from(rows.values()), ORDERS[sortBy], keep());
    if (view) view.show(sorted.rows);
  });
  body.addEventListener("change", (event) => {
    const tr = event.target.closest("tr");
    const row = tr && rows.get(tr.getAttribute("data-student"));
    if (!row) return;
    const controls = tr.cells[tr.cells.length - 1];
    onAccommodate(row.student_id, Number(controls.querySelector("select").value), controls.querySelector("input").checked);
  });
  // Time used goes on while a student works: redraw the rows in view each second.
  setInterval(() => { if (view && ticking) view.show(sorted.rows); }, 1000);

  return { showWhole, showRows };
}
