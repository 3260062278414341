"use strict";
// The dashboard's runs panel: every run of this session with its exports, and
// the item analysis (per question, the share correct and the median time in
// each run of the same quiz; most-missed first). Fills <section id="runs-panel">; uses el(),
// fill() and requestJson() from common.js. Text only: nothing goes in as HTML;
// quiz text has its math typeset (math.js), as on every page.

i18n.ready.then(() => {
  const panel = document.getElementById("runs-panel");
  if (!panel) return;

  const EXPORTS = [
    ["export.csv", "dashboard.export.answers"],
    ["export.xlsx", "dashboard.export.answers_xlsx"],
    ["gradebook.csv", "dashboard.export.gradebook"],
    ["gradebook.xlsx", "dashboard.export.gradebook_xlsx"],
    ["export.json", "dashboard.export.everything"],
  ];
  const status = el("p", { class: "muted", role: "status" });
  const runsBox = el("div");
  const analysisBox = el("div");
  const refreshButton = el("button", { type: "button", class: "button-small", text: t("runs.refresh") });

  fill(
    panel,
    el("h2", { id: "runs-heading", text: t("runs.heading") }),
    el("div", { class: "button-row" },
      refreshButton,
      el("a", { href: "/quiz-template.csv", download: "quiz-template.csv",
                text: t("runs.template") })),
    status,
    el("h3", { id: "runs-list-heading", text: t("runs.list_heading") }),
    runsBox,
    el("h3", { id: "item-analysis-heading", text: t("runs.analysis_heading") }),
    el("p", { class: "muted small", text: t("runs.analysis_explained") }),
    analysisBox
  );

  function formatDate(ms) {
    return ms ? new Date(ms).toLocaleString(i18n.language) : "—";
  }

  function percent(share) {
    return i18n.formatNumber(share, { style: "percent" });
  }

  function seconds(ms) {
    return i18n.formatNumber(ms / 1000, { style: "unit", unit: "second", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  function runLabel(run) {
    const started = formatDate(run.started_at);
    return run.current ? t("runs.current", { started }) : started;
  }

  function scrollingTable(labelledBy, head, rows) {
    const table = el("table", { class: "data-table" },
      el("thead", {}, el("tr", {}, ...head.map((cell) =>
        cell instanceof Node ? cell : el("th", { scope: "col", text: cell })))),
      el("tbody", {}, ...rows));
    return el("div", { class: "table-scroll", tabindex: "0", role: "region",
                       "aria-labelledby": labelledBy }, table);
  }

  function exportLinks(run) {
    const query = "?run=" + encodeURIComponent(String(run.run_id));
    const parts = [];
    EXPORTS.forEach(([name, key], i) => {
      if (i) parts.push(" · ");
      parts.push(el("a", {
        href: "/api/instructor/" + name + query,
        download: "",
        "aria-label": t("runs.export_label", { file: t(key), run: runLabel(run) }),
        text: t(key),
      }));
    });
    return parts;
  }

  // Runs the teacher unticked for the gradebook across runs (every run is in it by default).
  const unpicked = new Set();
  const termBox = el("p", { class: "button-row" });

  function renderTermLinks(runs) {
    const picked = runs.filter((run) => !unpicked.has(run.run_id)).map((run) => run.run_id);
    if (!picked.length) {
      fill(termBox, el("span", { class: "muted", text: t("runs.term_none") }));
      return;
    }
    const query = "?runs=" + picked.join(",");
    fill(termBox,
      el("a", { href: "/api/instructor/runs/gradebook.csv" + query, download: "",
                text: t("runs.term_csv") }),
      " · ",
      el("a", { href: "/api/instructor/runs/gradebook.xlsx" + query, download: "",
                text: t("runs.term_xlsx") }));
  }

  function pickBox(run, runs) {
    const box = el("input", { type: "checkbox", "aria-label": t("runs.pick_label", { run: runLabel(run) }) });
    box.checked = !unpicked.has(run.run_id);
    box.addEventListener("change", () => {
      if (box.checked) unpicked.delete(run.run_id); else unpicked.add(run.run_id);
      renderTermLinks(runs);
    });
    return el("td", {}, box);
  }

  // "Tick the runs of": one class's runs, or every run.
  const classFilter = el("select", { id: "runs-class-filter" });
  classFilter.addEventListener("change", () => {
    const chosen = classFilter.value;
    unpicked.clear();
    if (chosen) lastRuns.forEach((run) => { if (String(run.class_id) !== chosen) unpicked.add(run.run_id); });
    renderRuns(lastRuns);
  });
  let lastRuns = [];

  function classChoices(runs) {
    const names = new Map();
    runs.forEach((run) => { if (run.class_id !== null && run.class_id !== undefined) names.set(String(run.class_id), run.class_name); });
    const keep = classFilter.value;
    fill(classFilter, el("option", { value: "", text: t("runs.class_all") }),
      ...Array.from(names, ([id, name]) => el("option", { value: id, text: name })));
    classFilter.value = names.has(keep) ? keep : "";
    return el("div", { class: "button-row" },
      el("label", { for: "runs-class-filter", text: t("runs.class_filter") }), classFilter);
  }

  function renderRuns(runs) {
    lastRuns = runs;
    if (!runs.length) {
      fill(runsBox, el("p", { class: "muted", text: t("runs.none") }));
      return;
    }
    const rows = runs.slice().reverse().map((run) => el("tr", {},
      pickBox(run, runs),
      el("th", { scope: "row", text: runLabel(run) }),
      richText("td", null, run.version ? t("runs.quiz_version", { title: run.title, version: run.version }) : run.title),
      el("td", { text: i18n.formatNumber(run.students) }),
      el("td", { text: t("runs.asked_of", { count: run.questions_asked, total: run.questions }) }),
      el("td", { text: run.average_score === null ? "—" : formatScore(run.average_score) }),
      el("td", { text: run.finished_at ? formatDate(run.finished_at) : t("runs.not_ended") }),
      el("td", {}, ...exportLinks(run))));
    const head = ["runs.column.pick", "runs.column.started", "runs.column.quiz", "runs.column.students", "runs.column.asked",
      "runs.column.average", "runs.column.ended", "runs.column.download"].map((key) => t(key));
    renderTermLinks(runs);
    fill(runsBox, scrollingTable("runs-list-heading", head, rows),
      el("p", { class: "muted small", text: t("runs.term_explained") }), classChoices(runs), termBox);
  }

  function analysisCell(cell, scored) {
    if (!cell) return el("td", { class: "muted", text: t("runs.not_asked") });
    if (!scored) return el("td", { class: "muted", text: t("runs.not_scored") });
    const parts = [el("strong", { text: cell.share_correct === null ? "—" :
                                      percent(cell.share_correct) })];
    if (cell.median_ms !== null) parts.push(" ", el("span", { class: "muted",
                                                               text: seconds(cell.median_ms) }));
    return el("td", { title: t("runs.right_of", { count: cell.correct, total: cell.responses }) }, ...parts);
  }

  /** A poll is not scored: its row shows how the class voted ("A: 12 · B: 3"). */
  function votes(question) {
    return Object.keys(question.votes || {}).map((letter) => letter + ": " + i18n.formatNumber(question.votes[letter])).join(" · ");
  }

  function renderAnalysis(analysis) {
    // One table per quiz (and version): runs of different quizzes are never compared.
    const groups = (analysis.quizzes || [analysis]).filter((group) => group.questions.length);
    if (!groups.length) {
      fill(analysisBox, el("p", { class: "muted", text: t("runs.no_question") }));
      return;
    }
    // One region named "Item analysis" holds the quizzes' tables, each named by its quiz.
    fill(analysisBox, el("div", { role: "region", "aria-labelledby": "item-analysis-heading" }, ...groups.map((group, n) => {
      const headingId = "item-analysis-quiz-" + n;
      const head = [t("runs.column.question"), t("runs.column.all_runs")].concat(group.runs.map((run) =>
        t("runs.column.run", { run: runLabel(run), count: run.students })));
      const rows = group.questions.map((question) => el("tr", {},
        richText("th", { scope: "row" }, question.text),
        el("td", { text: question.scored === false ? [t("runs.not_scored"), votes(question)].filter(Boolean).join(" · ") :
                           question.share_correct === null ? "—" :
                           t("runs.share_of", { share: percent(question.share_correct), count: question.responses }) }),
        ...question.runs.map((cell) => analysisCell(cell, question.scored !== false))));
      return el("div", { class: "item-analysis-quiz" },
        richText("h4", { id: headingId }, group.version ? t("runs.quiz_version", { title: group.title, version: group.version }) : group.title),
        scrollingTable(headingId, head, rows));
    })));
  }

  let loading = false;
  let again = false; // asked while loading: load once more after, so no change is missed

  async function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    refreshButton.disabled = true;
    status.textContent = t("common.loading");
    try {
      const [runs, analysis] = await Promise.all([
        requestJson("GET", "/api/instructor/runs"),
        requestJson("GET", "/api/instructor/item_analysis"),
      ]);
      if (runs.status !== 200 || analysis.status !== 200 || !runs.data || !analysis.data) {
        status.textContent = t("runs.load_failed", { status: String(runs.status !== 200 ? runs.status : analysis.status) });
        return;
      }
      renderRuns(runs.data.runs);
      renderAnalysis(analysis.data);
      status.textContent = "";
    } catch (failed) {
      status.textContent = t("runs.load_offline");
    } finally {
      loading = false;
      refreshButton.disabled = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  refreshButton.addEventListener("click", refresh);
  // The dashboard calls this when a question closes, the quiz ends or a new run starts.
  window.refreshRunsPanel = refresh;
  refresh();
});
