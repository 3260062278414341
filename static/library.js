"use strict";
// The dashboard's quiz library: every kept quiz with what a teacher needs to
// pick one (questions, kinds, last edited, last run and its class size), and
// the actions on it: run, edit, duplicate, export, delete (with a way back
// for a few minutes). Import takes any quiz file we read, by picker or drop.
(() => {
  const API = "/api/instructor/library";
  const KIND_WORDS = { choice: "choice", truefalse: "true/false", multi: "multiple select", text: "typed answer", number: "number", order: "order", poll: "poll", slide: "slide" };
  const EXPORTS = [["zip", "bundle"], ["json", "JSON"], ["csv", "CSV"], ["gift", "GIFT"]];
  const rowsBody = byId("library-rows");
  const status = byId("upload-result");
  let undoTimer = null;

  function when(ms) {
    return ms ? new Date(ms).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "never";
  }

  function say(...parts) {
    fill(status, ...parts);
  }

  async function refresh() {
    let reply;
    try {
      reply = await requestJson("GET", API);
    } catch (networkDown) {
      return;
    }
    if (reply.status !== 200) return;
    const quizzes = reply.data.quizzes;
    byId("library-empty").hidden = quizzes.length > 0;
    byId("library-table").hidden = quizzes.length === 0;
    fill(rowsBody, ...quizzes.map(row));
  }

  function actionButton(text, name, action, attributes) {
    const button = el("button", Object.assign({ type: "button", "aria-label": name }, attributes || {}), text);
    button.addEventListener("click", action);
    return button;
  }

  function row(quiz) {
    const title = quiz.title;
    const lastRun = quiz.last_run ? when(quiz.last_run.started_at) + " · " + quiz.last_run.students + (quiz.last_run.students === 1 ? " student" : " students") : "not run yet";
    const exportLinks = el("span", { class: "export-choices" }, ...EXPORTS.map(([format, label]) =>
      el("a", { href: API + "/" + quiz.quiz_id + "/export?format=" + format, download: "", "aria-label": "Export " + title + " as " + label, title: format === "zip" ? "quiz.json and its pictures in one .zip" : null }, label)));
    return el("tr", null,
      el("th", { scope: "row" }, el("span", { text: title }), quiz.draft ? el("span", { class: "draft-tag", text: "draft" }) : null),
      el("td", { text: quiz.questions }),
      el("td", { text: quiz.kinds.map((kind) => KIND_WORDS[kind] || kind).join(", ") }),
      el("td", { text: when(quiz.edited_at) }),
      el("td", { text: lastRun }),
      el("td", { class: "library-actions" },
        actionButton("Run", "Run " + title, () => run(quiz), { class: "button-primary", disabled: quiz.draft, title: quiz.draft ? "Fix its problems first (Edit)" : null }),
        el("a", { class: "button-link", href: "/instructor/editor?quiz=" + quiz.quiz_id, "aria-label": "Edit " + title }, "Edit"),
        actionButton("Duplicate", "Duplicate " + title, () => duplicate(quiz)),
        exportLinks,
        actionButton("Delete…", "Delete " + title, () => remove(quiz), { class: "button-danger" })));
  }

  async function act(method, url, body) {
    try {
      return await requestJson(method, url, body);
    } catch (networkDown) {
      say(el("p", { class: "form-error", text: "Could not reach the server." }));
      return null;
    }
  }

  async function run(quiz) {
    const reply = await act("POST", API + "/" + quiz.quiz_id + "/run");
    if (!reply) return;
    if (reply.status === 200) say(el("p", { class: "success", text: "Ready to run “" + quiz.title + "”: press Next to start." }));
    else if (reply.status === 409 && reply.data.code !== "draft") say(el("p", { class: "form-error", text: "A quiz is running: end it (or reset) before starting another." }));
    else say(el("p", { class: "form-error", text: (reply.data && reply.data.message) || "Could not start it." }));
    refresh();
  }

  async function duplicate(quiz) {
    const reply = await act("POST", API + "/" + quiz.quiz_id + "/duplicate");
    if (reply && reply.status === 200) say(el("p", { class: "success", text: "Made a copy of “" + quiz.title + "”." }));
    refresh();
  }

  async function remove(quiz) {
    if (!(await confirmAction("Delete “" + quiz.title + "” from the library? Its past runs and their results stay.", "Delete quiz"))) return;
    const reply = await act("DELETE", API + "/" + quiz.quiz_id);
    if (!reply || reply.status !== 200) return;
    const minutes = Math.round(reply.data.undo_window_ms / 60000);
    const undo = actionButton("Undo", "Undo deleting " + quiz.title, async () => {
      const back = await act("POST", API + "/" + quiz.quiz_id + "/undelete");
      say(el("p", { class: back && back.status === 200 ? "success" : "form-error", text: back && back.status === 200 ? "“" + quiz.title + "” is back." : "Too late to bring it back." }));
      refresh();
    });
    say(el("p", null, "Deleted “" + quiz.title + "”. ", undo, " (for " + minutes + " minutes)"));
    clearTimeout(undoTimer);
    undoTimer = setTimeout(() => say(), reply.data.undo_window_ms);
    refresh();
    undo.focus();
  }

  async function importFile(file) {
    say("Importing " + file.name + "…");
    let reply;
    try {
      // Header values must be Latin-1: send the name percent-encoded.
      reply = await requestJson("POST", API + "/import", file, { "X-Filename": encodeURIComponent(file.name) });
    } catch (networkDown) {
      say(el("p", { class: "form-error", text: "Could not reach the server." }));
      return;
    }
    const data = reply.data || {};
    if (reply.status === 200) {
      const skipped = data.skipped || [];
      const words = data.found ? "Already in the library: “" + data.title + "”." : "Imported “" + data.title + "” (" + data.questions + " questions).";
      say(el("p", { class: "success", text: words }),
        skipped.length ? el("p", { text: "Skipped (not a question this quiz can ask):" }) : null,
        skipped.length ? el("ul", { class: "problem-list" }, ...skipped.map((item) => el("li", { text: item }))) : null);
    } else {
      const problems = data.problems && data.problems.length ? data.problems : [data.message || "The server refused the file (error " + reply.status + ")."];
      say(el("p", { class: "form-error", text: file.name + " was not imported:" }),
        el("ul", { class: "problem-list" }, ...problems.map((problem) => el("li", { text: problem }))));
    }
    refresh();
  }

  byId("new-quiz").addEventListener("click", async () => {
    const reply = await act("POST", API, { quiz: { title: "Untitled quiz", questions: [] } });
    if (reply && reply.status === 200) location.href = "/instructor/editor?quiz=" + reply.data.quiz_id;
  });
  byId("quiz-file").addEventListener("change", (event) => {
    if (event.target.files.length) importFile(event.target.files[0]);
    event.target.value = "";
  });
  const dropZone = byId("drop-zone");
  dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    dropZone.classList.add("drop-zone-active");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("drop-zone-active"));
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropZone.classList.remove("drop-zone-active");
    if (event.dataTransfer.files.length) importFile(event.dataTransfer.files[0]);
  });
  // Back from the editor (or another tab): show what changed.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  window.addEventListener("pageshow", refresh);
})();
