"use strict";
// The dashboard's quiz library: every kept quiz with what a teacher needs to
// pick one (questions, kinds, last edited, last run and its class size), and
// the actions on it: run, edit, duplicate, export, delete (with a way back
// for a few minutes). Import takes any quiz file we read, by picker or drop.
i18n.ready.then(() => {
  const API = "/api/instructor/library";
  const EXPORTS = [["zip", t("library.export.bundle")], ["json", "JSON"], ["csv", "CSV"], ["xlsx", "Excel"], ["gift", "GIFT"]];
  const rowsBody = byId("library-rows");
  const status = byId("upload-result");
  let undoTimer = null;

  function when(ms) {
    return ms ? new Date(ms).toLocaleString(i18n.language, { dateStyle: "medium", timeStyle: "short" }) : t("library.never");
  }

  // What Run said ("press Next to start") holds while the run waits in the lobby at the
  // pace it named; once the run moves on (a question opens, another pace, the end) it goes.
  let readyAt = null; // that pace, while its words are shown

  function say(...parts) {
    readyAt = null;
    fill(status, ...parts);
  }

  /** The dashboard's `state` (instructor.js): the words about Run go once they are untrue. */
  window.libraryRoomChanged = (state) => {
    const pace = state.pace === "student" ? "student" : "live";
    if (readyAt !== null && (state.state !== "lobby" || pace !== readyAt)) say();
  };

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
    const lastRun = quiz.last_run ? t("library.last_run", { time: when(quiz.last_run.started_at), count: quiz.last_run.students }) : t("library.not_run");
    const exportLinks = el("span", { class: "export-choices" }, el("span", { class: "export-label", text: t("library.export.heading") }), ...EXPORTS.map(([format, label]) =>
      exportLink(quiz, format, label)));
    return el("tr", null,
      // The space keeps the tag a word of its own when the row is read aloud.
      el("th", { scope: "row" }, richText("span", null, title), quiz.draft ? " " : null, quiz.draft ? el("span", { class: "draft-tag", text: t("library.draft") }) : null),
      el("td", { text: i18n.formatNumber(quiz.questions) }),
      el("td", { text: i18n.formatList(quiz.kinds.map((kind) => (questionKinds[kind] ? t(questionKinds[kind].nameKey) : kind))) }),
      el("td", { text: when(quiz.edited_at) }),
      el("td", { text: lastRun }),
      el("td", { class: "library-actions" },
        actionButton(t("library.run"), t("library.run_label", { title }), () => run(quiz), { class: "button-primary", disabled: quiz.draft, title: quiz.draft ? t("library.run_draft") : null }),
        el("a", { class: "button-link", href: "/instructor/editor?quiz=" + quiz.quiz_id, "aria-label": t("library.edit_label", { title }) }, t("library.edit")),
        actionButton(t("library.duplicate"), t("library.duplicate_label", { title }), () => duplicate(quiz)),
        exportLinks,
        actionButton(t("library.delete"), t("library.delete_label", { title }), () => remove(quiz), { class: "button-danger" })));
  }

  async function act(method, url, body) {
    try {
      return await requestJson(method, url, body);
    } catch (networkDown) {
      say(el("p", { class: "form-error", text: t("library.offline") }));
      return null;
    }
  }

  function exportLink(quiz, format, label) {
    const link = el("a", { href: API + "/" + quiz.quiz_id + "/export?format=" + format, download: "", "aria-label": t("library.export.label", { title: quiz.title, format: label }), title: format === "zip" ? t("library.export.bundle_title") : null }, label);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      exportQuiz(quiz, link.href);
    });
    return link;
  }

  // Fetched, not followed: a quiz that cannot be exported says why here instead of
  // saving its error as a file, and a GIFT file says what it could not hold.
  async function exportQuiz(quiz, url) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        say(...headedList(t("library.export.failed", { title: quiz.title }), problemsOf(data, response.status), "form-error"));
        return;
      }
      const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      const leftOut = JSON.parse(response.headers.get("X-Left-Out") || "[]");
      saveAs(await response.blob(), named ? named[1] : "");
      say(...headedList(t("library.export.left_out", { title: quiz.title }), leftOut));
    } catch (networkDown) {
      say(el("p", { class: "form-error", text: t("library.offline") }));
    }
  }

  function saveAs(blob, name) {
    const file = URL.createObjectURL(blob);
    const save = el("a", { href: file, download: name });
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(file), 60000);
  }

  // A heading and its list, for the status line; nothing for an empty list.
  function headedList(heading, items, headingClass) {
    if (!items.length) return [];
    return [el("p", { class: headingClass || null, text: heading }), el("ul", { class: "problem-list" }, ...items.map((item) => el("li", { text: item })))];
  }

  // Why the server refused: its problems, else its error's words (with the limit of a
  // file too large), else its status.
  function problemsOf(data, status) {
    if (data.problems && data.problems.length) return data.problems;
    const limit = data.limit_bytes ? { limit: i18n.formatNumber(data.limit_bytes / 1048576) + " MB" } : {};
    return [data.code ? i18n.serverText("error", data.code, limit) : t("library.refused", { status: String(status) })];
  }

  /** Students in the run on screen are asked about first: after the end, running a quiz
   * starts a new run and sends their phones back to the join form (with id and name filled
   * in); in the lobby, the quiz waits for the next run, which Reset starts. While a
   * question is in play the server refuses (end the quiz first), so nothing is asked. */
  async function cancelledOverAClass(quiz) {
    const question = runOverAClassQuestion(window.currentRun ? window.currentRun() : null, quiz.title);
    return question !== null && !(await confirmAction(question, t("library.confirm_run_button")));
  }

  async function run(quiz) {
    if (await cancelledOverAClass(quiz)) return;
    // The pace the picker shows, which an imported file's own pace preselected.
    const pace = byId("library-pace").value;
    const reply = await act("POST", API + "/" + quiz.quiz_id + "/run", { pace });
    if (!reply) return;
    if (reply.status === 200 && reply.data.pending) say(el("p", { class: "success", text: i18n.serverText("warning", "quiz_pending", { title: quiz.title }) }));
    else if (reply.status === 200) {
      say(el("p", { class: "success", text: t(pace === "student" ? "library.ready_paced" : "library.ready", { title: quiz.title }) }));
      readyAt = pace === "student" ? "student" : "live";
    }
    else if (reply.status === 409 && reply.data.code !== "draft") say(el("p", { class: "form-error", text: t("library.busy") }));
    else say(el("p", { class: "form-error", text: reply.data && reply.data.code ? i18n.serverText("error", reply.data.code) : t("library.run_failed") }));
    refresh();
  }

  async function duplicate(quiz) {
    const reply = await act("POST", API + "/" + quiz.quiz_id + "/duplicate");
    if (reply && reply.status === 200) say(el("p", { class: "success", text: t("library.copied", { title: quiz.title }) }));
    refresh();
  }

  async function remove(quiz) {
    if (!(await confirmAction(t("library.confirm_delete", { title: quiz.title }), t("library.confirm_delete_button")))) return;
    const reply = await act("DELETE", API + "/" + quiz.quiz_id);
    if (!reply || reply.status !== 200) return;
    const minutes = Math.round(reply.data.undo_window_ms / 60000);
    const undo = actionButton(t("library.undo"), t("library.undo_label", { title: quiz.title }), async () => {
      const back = await act("POST", API + "/" + quiz.quiz_id + "/undelete");
      say(el("p", { class: back && back.status === 200 ? "success" : "form-error", text: back && back.status === 200 ? t("library.back", { title: quiz.title }) : t("library.too_late") }));
      refresh();
    });
    say(el("p", null, ...i18n.tNodes("library.deleted", { title: quiz.title, count: minutes }, { undo })));
    clearTimeout(undoTimer);
    undoTimer = setTimeout(() => say(), reply.data.undo_window_ms);
    refresh();
    undo.focus();
  }

  async function importFile(file) {
    say(t("library.importing", { name: file.name }));
    let reply;
    try {
      // Header values must be Latin-1: send the name percent-encoded.
      reply = await requestJson("POST", API + "/import", file, { "X-Filename": encodeURIComponent(file.name) });
    } catch (networkDown) {
      say(el("p", { class: "form-error", text: t("library.offline") }));
      return;
    }
    const data = reply.data || {};
    if (reply.status === 200) {
      const skipped = data.skipped || [];
      const words = data.found ? t("library.already", { title: data.title }) : t("library.imported", { title: data.title, count: data.questions });
      // The file says how it is meant to be run: Run starts it so unless the teacher picks otherwise.
      if (data.pace) byId("library-pace").value = data.pace;
      say(el("p", { class: "success", text: words }), ...headedList(t("library.skipped"), skipped));
    } else {
      say(...headedList(t("library.not_imported", { name: file.name }), problemsOf(data, reply.status), "form-error"));
    }
    refresh();
  }

  byId("new-quiz").addEventListener("click", async () => {
    const reply = await act("POST", API, { quiz: { title: t("library.untitled"), questions: [] } });
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
  window.refreshLibraryPanel = refresh;
  refresh();
});
