"use strict";
// The dashboard's progress grid of a student-paced run: a row per student, a cell per
// question. It goes whole on connect (paced_grid), then by the rows that changed
// (paced_grid_changes); like the students table it keeps its rows sorted as changes
// arrive and draws only the rows in view (dashboard-tables.js), so 1,000 students are
// a few dozen row elements. Uses el(), fill(), t() and i18n from the shared scripts.

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

/** onAccommodate(studentId, extraTime, noSpeedPenalty) when the teacher changes a row. */
function createPacedGrid({ onAccommodate }) {
  const collator = new Intl.Collator(i18n.language, { numeric: true, sensitivity: "base" });
  const byText = (a, b) => collator.compare(a, b);
  const integer = new Intl.NumberFormat(i18n.language);
  const rows = new Map();
  const searchText = new Map();
  let questions = [];
  let places = new Map();
  let query = "";
  let sortBy = "name";

  const ORDERS = {
    name: (a, b) => byText(a.name, b.name) || byText(a.student_id, b.student_id),
    place: (a, b) => b.score - a.score || ORDERS.name(a, b),
    progress: (a, b) => b.reached - a.reached || ORDERS.name(a, b),
  };
  const keep = () => (row) => !query || (searchText.get(row.student_id) || "").indexOf(query) >= 0;
  const sorted = createSortedRows(ORDERS[sortBy], keep());
  const table = byId("paced-table");
  const body = byId("paced-rows");
  let view = null;

  let headerShown = ""; // what the header shows: redrawn only when that changes
  function header() {
    // Redrawn on every change, it took the sort button from under a teacher's click.
    const shown = [document.documentElement.lang, sortBy, ...questions.map((q) => q.share_right)].join("|");
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

  function timeUsed(row) {
    const ms = row.time_used_ms + (row.open_since === null ? 0 : Math.max(0, Date.now() - row.open_since));
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
  function showSummary(message) {
    const s = message.summary;
    ticking = s.stopped === undefined && s.working + s.not_started > 0;
    // After the end nobody is working: the count is of those the end stopped on the way.
    setText("paced-summary", s.stopped === undefined
      ? t("dashboard.paced.summary", { finished: integer.format(s.finished), working: integer.format(s.working), not_started: integer.format(s.not_started) })
      : t("dashboard.paced.summary_ended", { finished: integer.format(s.finished), stopped: integer.format(s.stopped), not_started: integer.format(s.not_started) }));
  }

  /** paced_grid (whole) or paced_grid_changes. */
  function show(message, whole) {
    const newColumns = whole && questions.length !== message.questions.length;
    questions = message.questions;
    if (whole) {
      rows.clear();
      searchText.clear();
    }
    // A changed row's cells come as those that changed: cells_changed {question_idx: word}.
    message.rows.forEach((row) => {
      if (!row.cells_changed) return;
      const kept = rows.get(row.student_id);
      row.cells = kept ? kept.cells.slice() : [];
      Object.keys(row.cells_changed).forEach((idx) => { row.cells[Number(idx)] = row.cells_changed[idx]; });
      delete row.cells_changed;
    });
    const { changed, added, gone } = mergeRows(rows, message.rows, message.removed || []);
    message.rows.forEach((row) => {
      if (row.name !== undefined) searchText.set(row.student_id, searchFold(row.name + " " + row.student_id));
    });
    gone.forEach((row) => searchText.delete(row.student_id));
    header();
    if (newColumns || !view) rebuildView();
    rank();
    if (whole || sortBy !== "name") sorted.rebuild(Array.from(rows.values()));
    else sorted.patch(changed.filter((row) => added.has(row)), gone);
    view.show(sorted.rows);
    showSummary(message);
    byId("paced-empty").hidden = rows.size > 0;
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

  return { show };
}
