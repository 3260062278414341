"use strict";
// The dashboard's two big tables, the students and the leaderboard, for a class of
// thousands. Each keeps its rows in order as changes arrive (a changed row is taken out
// and merged back in: nothing is re-sorted whole) and draws only the rows in view, into
// row elements it reuses, so the page holds a few hundred elements whatever the class
// size. The students table can be searched, sorted by any column and filtered, under a
// summary line. Uses el(), fill(), t() and i18n from the shared scripts.

// Rows drawn above and below the visible ones, so a quick scroll never shows a gap.
const OVERSCAN_ROWS = 8;

/** Merge two arrays sorted by `compare` into one. */
function mergeSorted(left, right, compare) {
  const merged = new Array(left.length + right.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) merged[k++] = compare(right[j], left[i]) < 0 ? right[j++] : left[i++];
  while (i < left.length) merged[k++] = left[i++];
  while (j < right.length) merged[k++] = right[j++];
  return merged;
}

/**
 * The rows that `keep` lets through, in `compare` order. `patch` takes k changed rows
 * out and merges them back in their new places (O(N + k log k)); `rebuild` sorts all N,
 * for a new order, filter or search.
 */
function createSortedRows(compare, keep) {
  let rows = [];
  return {
    get rows() {
      return rows;
    },
    rebuild(all, newCompare, newKeep) {
      compare = newCompare || compare;
      keep = newKeep || keep;
      rows = all.filter(keep).sort(compare);
    },
    patch(changed, removed) {
      if (changed.length === 0 && removed.length === 0) return;
      const moving = new Set(changed.concat(removed));
      const gone = new Set(removed);
      const arriving = Array.from(moving).filter((row) => !gone.has(row) && keep(row)).sort(compare);
      rows = mergeSorted(rows.filter((row) => !moving.has(row)), arriving, compare);
    },
  };
}

/**
 * Draw a window of a long list into `body` (a <tbody> of `table`, inside its scrolling
 * `region`): the rows in view and a few around them, with a spacer above and below
 * standing for the others. `makeRow()` builds an empty row element, `drawRow(tr, row,
 * index)` fills it (rows are reused as the window moves, so it writes only what differs).
 * The table tells assistive technology the whole count and each row's place.
 * Returns {show(rows)}; drawing waits for the next frame, once per frame.
 */
function createVirtualRows({ region, table, body, columns, makeRow, drawRow }) {
  const spacer = (before) => {
    const cell = el("td", { colspan: columns, class: "virtual-spacer" });
    table.insertBefore(el("tbody", { "aria-hidden": "true" }, el("tr", null, cell)), before);
    return cell;
  };
  const above = spacer(body);
  const below = spacer(body.nextSibling);
  let rows = [];
  let rowHeight = 0;
  let scrollTop = 0;
  let viewHeight = 0;
  let pending = false;

  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  }

  function draw() {
    pending = false;
    const height = rowHeight || parseFloat(getComputedStyle(document.documentElement).fontSize) * 2.75;
    const first = Math.max(0, Math.min(rows.length, Math.floor(scrollTop / height) - OVERSCAN_ROWS));
    const count = Math.min(rows.length - first, Math.ceil((viewHeight || window.innerHeight) / height) + 2 * OVERSCAN_ROWS);
    while (body.rows.length < count) body.appendChild(makeRow());
    while (body.rows.length > count) body.lastChild.remove();
    for (let i = 0; i < count; i += 1) {
      const tr = body.rows[i];
      updateAttribute(tr, "aria-rowindex", String(first + i + 2)); // the header is row 1
      drawRow(tr, rows[first + i], first + i);
    }
    above.style.height = first * height + "px";
    below.style.height = (rows.length - first - count) * height + "px";
    updateAttribute(table, "aria-rowcount", String(rows.length + 1));
  }

  region.addEventListener("scroll", () => {
    scrollTop = region.scrollTop;
    schedule();
  }, { passive: true });
  // Called after layout: reading sizes here forces nothing.
  new ResizeObserver(() => {
    viewHeight = region.clientHeight;
    if (body.rows.length) rowHeight = body.rows[0].getBoundingClientRect().height || rowHeight;
    schedule();
  }).observe(region);

  return {
    show(newRows) {
      rows = newRows;
      schedule();
    },
  };
}

/** Set an attribute only when it changes: a row redrawn the same costs no style work. */
function updateAttribute(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

function updateText(cell, text) {
  if (cell.textContent !== text) cell.textContent = text;
}

/**
 * Rows by student id: new ones added, changed fields merged in, removed ones gone.
 * Returns {changed, added, gone}: the row objects of `rows` in their order, the set of
 * those that are new, and the removed ones.
 */
function mergeRows(table, rows, removed) {
  const added = new Set();
  const changed = rows.map((row) => {
    const kept = table.get(row.student_id);
    if (kept) return Object.assign(kept, row);
    const fresh = Object.assign({}, row);
    table.set(row.student_id, fresh);
    added.add(fresh);
    return fresh;
  });
  const gone = removed.map((studentId) => table.get(studentId)).filter(Boolean);
  removed.forEach((studentId) => table.delete(studentId));
  return { changed, added, gone };
}

/** Text folded for search: case and accents ignored ("jose" finds "José"). */
function searchFold(text) {
  return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/** What a search finds a table's rows by: each row's name and id, folded once. */
function createSearchIndex() {
  const texts = new Map(); // student id → folded "name id"
  return {
    clear: () => texts.clear(),
    /** Rows as merged (a change without a name keeps the text it had), and rows gone. */
    update(rows, gone) {
      rows.forEach((row) => {
        if (row.name !== undefined) texts.set(row.student_id, searchFold(row.name + " " + row.student_id));
      });
      gone.forEach((row) => texts.delete(row.student_id));
    },
    /** Whether the row matches `query` (folded; empty: every row). */
    matches: (row, query) => !query || (texts.get(row.student_id) || "").indexOf(query) >= 0,
  };
}

/**
 * The students table (presence) and the leaderboard of the dashboard.
 * onClear(row) is called when the teacher asks to clear a student's row;
 * onScores() after the leaderboard changed. Returns {showPresence(message, whole),
 * showScores(message, whole), topScores(n)}.
 */
function createDashboardTables({ onClear, onScores }) {
  const collator = new Intl.Collator(i18n.language, { numeric: true, sensitivity: "base" });
  const byText = (a, b) => collator.compare(a, b);
  // Made once: a formatter made per cell costs more than the rest of the row.
  const integer = new Intl.NumberFormat(i18n.language);
  const clock = new Intl.DateTimeFormat(i18n.language, { hour: "numeric", minute: "numeric", second: "numeric" });

  // ---- Students ------------------------------------------------------------

  const presence = new Map(); // student id → row
  const searchIndex = createSearchIndex();
  let presenceQuestion = null;
  const attemptsOf = (row) => (row.duplicate_join_attempts || { count: 0 });
  const leftThePage = (row) => (row.blur_count || 0) + (row.hidden_count || 0) > 0;
  // Each column's sort value, the fields it is read from, and the way a first click
  // sorts it (counts: most first).
  const COLUMNS = {
    status: { value: (row) => (row.connected ? 1 : 0), fields: ["connected"], first: "ascending" },
    name: { value: (row) => row.name, fields: ["name"], text: true, first: "ascending" },
    id: { value: (row) => row.student_id, fields: [], text: true, first: "ascending" },
    last_seen: { value: (row) => (row.connected ? Infinity : row.last_seen_ms || 0), fields: ["connected", "last_seen_ms"], first: "descending" },
    lost_focus: { value: (row) => row.blur_count || 0, fields: ["blur_count"], first: "descending" },
    page_hidden: { value: (row) => row.hidden_count || 0, fields: ["hidden_count"], first: "descending" },
    answered: { value: (row) => (row.answered_current ? 1 : 0), fields: ["answered_current"], first: "ascending" },
    duplicate_joins: { value: (row) => attemptsOf(row).count, fields: ["duplicate_join_attempts"], first: "descending" },
  };
  const FILTERS = {
    all: { keep: () => true, fields: [] },
    not_connected: { keep: (row) => !row.connected, fields: ["connected"] },
    not_answered: { keep: (row) => !row.answered_current, fields: ["answered_current"] },
    duplicate_joins: { keep: (row) => attemptsOf(row).count > 0, fields: ["duplicate_join_attempts"] },
    left_page: { keep: leftThePage, fields: ["blur_count", "hidden_count"] },
  };
  const sort = { column: null, direction: "ascending" };
  let query = "";
  let filter = "all";

  const byNameThenId = (a, b) => byText(a.name, b.name) || byText(a.student_id, b.student_id);
  function studentOrder() {
    if (sort.column === null) {
      // Until a column is picked: the order they joined in.
      return (a, b) => (a.joined_at || 0) - (b.joined_at || 0) || byText(a.student_id, b.student_id);
    }
    const column = COLUMNS[sort.column];
    const sign = sort.direction === "ascending" ? 1 : -1;
    const value = column.value;
    const compareValues = column.text ? byText : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    return (a, b) => sign * compareValues(value(a), value(b)) || byNameThenId(a, b);
  }
  function studentFilter() {
    const wanted = FILTERS[filter].keep;
    if (!query) return wanted;
    return (row) => wanted(row) && searchIndex.matches(row, query);
  }

  /** The fields whose change can move a row or take it in or out: the order's, the
   * filter's, and the name (ties, the search). An answer coming in moves nothing. */
  function fieldsThatMove() {
    const order = sort.column === null ? ["joined_at"] : COLUMNS[sort.column].fields;
    return new Set(order.concat(FILTERS[filter].fields, ["name"]));
  }

  const students = createSortedRows(studentOrder(), studentFilter());
  const studentsBody = byId("presence-rows");
  const studentsView = createVirtualRows({
    region: byId("students-region"),
    table: byId("students-table"),
    body: studentsBody,
    columns: 9,
    makeRow: makeStudentRow,
    drawRow: drawStudentRow,
  });

  function makeStudentRow() {
    const cells = [];
    for (let i = 0; i < 8; i += 1) cells.push(el("td"));
    cells[0].append(el("span", { class: "status-dot", "aria-hidden": "true" }), " ", "");
    cells[1].setAttribute("dir", "auto");
    cells[2].setAttribute("dir", "auto");
    const clear = el("button", { type: "button", class: "button-small", "data-action": "clear" }, t("dashboard.students.clear"));
    return el("tr", null, ...cells, el("td", null, clear));
  }

  function drawStudentRow(tr, row) {
    const cells = tr.cells;
    const attempts = attemptsOf(row);
    tr.classList.toggle("row-warning", attempts.count > 0);
    updateAttribute(tr, "data-student", row.student_id);
    updateAttribute(cells[0].firstChild, "class", "status-dot status-" + (row.connected ? "connected" : "idle"));
    const status = t(row.connected ? "dashboard.students.connected" : "dashboard.students.idle");
    if (cells[0].lastChild.data !== status) cells[0].lastChild.data = status;
    updateText(cells[1], row.name);
    updateAttribute(cells[1], "title", row.name);
    updateText(cells[2], row.student_id);
    updateAttribute(cells[2], "title", row.student_id);
    updateText(cells[3], row.connected ? t("dashboard.students.now") : formatClock(row.last_seen_ms));
    updateText(cells[4], integer.format(row.blur_count || 0));
    updateText(cells[5], integer.format(row.hidden_count || 0));
    updateText(cells[6], row.answered_current ? t("dashboard.students.answered_yes") : "—");
    const attemptsShown = attempts.count > 0 ? "⚠ " + attemptText(attempts) : "";
    updateText(cells[7], attemptsShown);
    updateAttribute(cells[7], "title", attemptsShown);
    updateAttribute(cells[8].firstChild, "aria-label", t("dashboard.students.clear_label", { name: row.name, student_id: row.student_id }));
  }

  // One listener for every row's button, whichever student the row shows now.
  studentsBody.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action=clear]");
    const row = button && presence.get(button.closest("tr").getAttribute("data-student"));
    if (row) onClear(row);
  });

  /** Presence, whole (``presence_update``) or changed (``presence_changes``). */
  function showPresence(message, whole) {
    const newQuestion = message.current_question_idx !== presenceQuestion;
    presenceQuestion = message.current_question_idx;
    if (whole) {
      presence.clear();
      searchIndex.clear();
    } else if (newQuestion) {
      presence.forEach((row) => { row.answered_current = false; });
    }
    const { changed, added, gone } = mergeRows(presence, message.rows, message.removed || []);
    searchIndex.update(message.rows, gone);
    const moving = fieldsThatMove();
    // A new question resets everyone's answer: only an order or filter by it moves rows.
    if (whole || (newQuestion && moving.has("answered_current"))) {
      students.rebuild(Array.from(presence.values()));
    } else {
      const moved = changed.filter((row, i) => added.has(row) || Object.keys(message.rows[i]).some((key) => moving.has(key)));
      students.patch(moved, gone);
    }
    studentsView.show(students.rows);
    showStudentCounts();
    const orphans = message.orphan_duplicate_joins || [];
    byId("orphans").hidden = orphans.length === 0;
    fill(byId("orphan-list"), ...orphans.map((attempt) =>
      el("li", { text: attempt.student_id + " — " + attemptText(attempt) })));
  }

  function resortStudents() {
    students.rebuild(Array.from(presence.values()), studentOrder(), studentFilter());
    studentsView.show(students.rows);
    showStudentCounts();
    byId("students-region").scrollTop = 0;
  }

  let countsPending = false;
  /** The summary line over the table, once a frame however many changes arrive. */
  function showStudentCounts() {
    if (countsPending) return;
    countsPending = true;
    requestAnimationFrame(() => {
      countsPending = false;
      const counts = { connected: 0, answered: 0, left: 0, not_connected: 0 };
      presence.forEach((row) => {
        if (row.connected) counts.connected += 1;
        else counts.not_connected += 1;
        if (row.answered_current) counts.answered += 1;
        if (leftThePage(row)) counts.left += 1;
      });
      const total = presence.size;
      byId("presence-empty").hidden = total > 0;
      byId("students-tools").hidden = total === 0;
      setText("students-summary", total ? t(paced ? "dashboard.students.summary_paced" : "dashboard.students.summary", counts) : "");
      const narrowed = Boolean(query) || filter !== "all";
      byId("students-no-match").hidden = total === 0 || students.rows.length > 0;
      const shown = narrowed && total ? t("dashboard.students.shown", { count: students.rows.length, total }) : "";
      if (byId("students-shown").textContent !== shown) setText("students-shown", shown);
    });
  }

  let paced = false;
  /** A student-paced run has no live question, so nothing here is "answered": no such
   * count, filter or column (the progress grid says who answered what). */
  function setPaced(on) {
    if (paced === on) return;
    paced = on;
    byId("students-filter").querySelector("option[value=not_answered]").hidden = on;
    if (on && filter === "not_answered") {
      byId("students-filter").value = filter = "all";
      resortStudents();
    }
    showStudentCounts();
  }

  byId("students-search").addEventListener("input", (event) => {
    query = searchFold(event.target.value.trim());
    resortStudents();
  });
  byId("students-filter").addEventListener("change", (event) => {
    filter = Object.prototype.hasOwnProperty.call(FILTERS, event.target.value) ? event.target.value : "all";
    resortStudents();
  });
  byId("students-table").querySelectorAll("button[data-sort]").forEach((button) => {
    button.addEventListener("click", () => {
      const column = button.getAttribute("data-sort");
      const again = sort.column === column;
      const flipped = sort.direction === "ascending" ? "descending" : "ascending";
      sort.direction = again ? flipped : COLUMNS[column].first;
      sort.column = column;
      byId("students-table").querySelectorAll("th").forEach((th) => th.removeAttribute("aria-sort"));
      button.closest("th").setAttribute("aria-sort", sort.direction);
      resortStudents();
    });
  });

  function formatClock(ms) {
    return ms ? clock.format(ms) : "—";
  }

  function attemptText(attempts) {
    return attempts.latest_ts
      ? t("dashboard.students.attempts_latest", { count: attempts.count, time: formatClock(attempts.latest_ts) })
      : t("dashboard.students.attempts", { count: attempts.count });
  }

  // ---- Leaderboard ---------------------------------------------------------

  const scores = new Map(); // student id → {student_id, name, score}
  // The leaderboard's order: score, then name, then id; equal scores share a rank (1, 2, 2, 4).
  const plain = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const ranked = createSortedRows((a, b) => b.score - a.score || plain(a.name, b.name) || plain(a.student_id, b.student_id), () => true);
  const leaderboardView = createVirtualRows({
    region: byId("leaderboard-region"),
    table: byId("leaderboard-table"),
    body: byId("leaderboard-rows"),
    columns: 4,
    makeRow: () => el("tr", null, el("td"), el("td", { dir: "auto" }), el("td", { dir: "auto" }), el("td")),
    drawRow(tr, row, place) {
      const cells = tr.cells;
      updateText(cells[0], integer.format(rankAt(place)));
      updateText(cells[1], row.name);
      updateAttribute(cells[1], "title", row.name);
      updateText(cells[2], row.student_id);
      updateText(cells[3], formatScore(row.score));
    },
  });
  /** The rank of the row at `place`: one more than the place of the first row with its
   * score (found by halving, the rows being in score order). */
  function rankAt(place) {
    const rows = ranked.rows;
    const score = rows[place].score;
    let low = 0;
    let high = place;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (rows[middle].score > score) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  }

  /** Scores, whole (``full_leaderboard``) or changed (``leaderboard_changes``). */
  function showScores(message, whole) {
    if (whole) scores.clear();
    const { changed, gone } = whole ? mergeRows(scores, message.leaderboard, [])
      : mergeRows(scores, message.rows, message.removed || []);
    if (whole) ranked.rebuild(Array.from(scores.values()));
    else ranked.patch(changed, gone);
    leaderboardView.show(ranked.rows);
    onScores();
  }

  /** The first `count` rows of the leaderboard, ranked: {rank, name, score, student_id}. */
  function topScores(count) {
    return ranked.rows.slice(0, count).map((row, place) => Object.assign({}, row, { rank: rankAt(place) }));
  }

  return { showPresence, showScores, topScores, setPaced };
}
