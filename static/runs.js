"use strict";
// The dashboard's runs panel: every run of this session with its exports, and
// the item analysis (per question, the share correct and the median time in
// each run; most-missed first). Fills <section id="runs-panel">; uses el(),
// fill() and requestJson() from common.js. Text only: nothing goes in as HTML.

(function () {
  const panel = document.getElementById("runs-panel");
  if (!panel) return;

  const EXPORTS = [
    ["export.csv", "Answers (CSV)"],
    ["gradebook.csv", "Gradebook (CSV)"],
    ["export.json", "Everything (JSON)"],
  ];
  const status = el("p", { class: "muted", role: "status" });
  const runsBox = el("div");
  const analysisBox = el("div");
  const refreshButton = el("button", { type: "button", class: "button-small", text: "Refresh" });

  fill(
    panel,
    el("h2", { id: "runs-heading", text: "Runs and item analysis" }),
    el("div", { class: "button-row" },
      refreshButton,
      el("a", { href: "/quiz-template.csv", download: "quiz-template.csv",
                text: "Download a quiz template (CSV)" })),
    status,
    el("h3", { id: "runs-list-heading", text: "Runs of this session" }),
    runsBox,
    el("h3", { id: "item-analysis-heading", text: "Item analysis" }),
    el("p", { class: "muted small",
              text: "Each question's share of students who got it right and the median " +
                    "answer time, run by run. A student who let the time run out counts as " +
                    "wrong. The most-missed questions come first." }),
    analysisBox
  );

  function formatDate(ms) {
    return ms ? new Date(ms).toLocaleString() : "—";
  }

  function percent(share) {
    return Math.round(share * 100) + "%";
  }

  function seconds(ms) {
    return (ms / 1000).toFixed(1) + " s";
  }

  function plural(count, noun) {
    return count + " " + noun + (count === 1 ? "" : "s");
  }

  function runLabel(run) {
    return formatDate(run.started_at) + (run.current ? " (current)" : "");
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
    EXPORTS.forEach(([name, label], i) => {
      if (i) parts.push(" · ");
      parts.push(el("a", {
        href: "/api/instructor/" + name + query,
        download: "",
        "aria-label": label + ", run of " + runLabel(run),
        text: label,
      }));
    });
    return parts;
  }

  function renderRuns(runs) {
    if (!runs.length) {
      fill(runsBox, el("p", { class: "muted", text: "No runs yet." }));
      return;
    }
    const rows = runs.slice().reverse().map((run) => el("tr", {},
      el("th", { scope: "row", text: runLabel(run) }),
      el("td", { text: run.version ? run.title + " (version " + run.version + ")" : run.title }),
      el("td", { text: run.students }),
      el("td", { text: run.questions_asked + " of " + run.questions }),
      el("td", { text: run.average_score === null ? "—" : formatScore(run.average_score) }),
      el("td", { text: run.finished_at ? formatDate(run.finished_at) : "not ended" }),
      el("td", {}, ...exportLinks(run))));
    fill(runsBox, scrollingTable("runs-list-heading",
      ["Started", "Quiz", "Students", "Questions asked", "Average score", "Ended", "Download"],
      rows));
  }

  function analysisCell(cell) {
    if (!cell) return el("td", { class: "muted", text: "not asked" });
    const parts = [el("strong", { text: cell.share_correct === null ? "—" :
                                      percent(cell.share_correct) })];
    if (cell.median_ms !== null) parts.push(" ", el("span", { class: "muted",
                                                               text: seconds(cell.median_ms) }));
    return el("td", { title: cell.correct + " of " + cell.responses + " right" }, ...parts);
  }

  function renderAnalysis(analysis) {
    if (!analysis.questions.length) {
      fill(analysisBox, el("p", { class: "muted", text: "No question has been asked yet." }));
      return;
    }
    const head = ["Question", "All runs"].concat(analysis.runs.map((run) =>
      runLabel(run) + " · " + plural(run.students, "student") + (run.version ? " · quiz version " + run.version : "")));
    const rows = analysis.questions.map((question) => el("tr", {},
      el("th", { scope: "row", text: question.text }),
      el("td", { text: question.share_correct === null ? "—" :
                         percent(question.share_correct) + " of " + plural(question.responses, "student") }),
      ...question.runs.map(analysisCell)));
    fill(analysisBox, scrollingTable("item-analysis-heading", head, rows));
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
    status.textContent = "Loading…";
    try {
      const [runs, analysis] = await Promise.all([
        requestJson("GET", "/api/instructor/runs"),
        requestJson("GET", "/api/instructor/item_analysis"),
      ]);
      if (runs.status !== 200 || analysis.status !== 200 || !runs.data || !analysis.data) {
        status.textContent = "Could not load the runs (HTTP " +
          (runs.status !== 200 ? runs.status : analysis.status) + ").";
        return;
      }
      renderRuns(runs.data.runs);
      renderAnalysis(analysis.data);
      status.textContent = "";
    } catch (failed) {
      status.textContent = "Could not load the runs: the server did not answer.";
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
})();
