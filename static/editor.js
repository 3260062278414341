"use strict";
// The quiz editor: one library quiz, every kind of question. The teacher's
// typing goes into a model here; every change is kept in localStorage at
// once and saved to the library a second after typing stops (and when the
// tab is hidden or closed), so a closed tab or a crash loses at most that
// second. The server checks each save with the same rules as
// `trivia_trio check` and answers with the problems, shown beside the fields.
// Each save names the version it edited: if another tab or window saved
// since, the server refuses it and this tab offers to load that version or to
// keep its own as a new quiz, so neither tab's typing is overwritten.
(() => {
  const LETTERS = "ABCDEF";
  // The Kind menu: every registered renderer, as it names itself.
  const KIND_NAMES = Object.fromEntries(Object.values(questionKinds).map((kind) => [kind.name, kind.label || kind.name]));
  const OPTION_KINDS = ["choice", "multi", "poll"];
  const SAVE_DELAY_MS = 1000;
  const RETRY_DELAY_MS = 2000;
  const UNDO_KEEP = 5;

  const quizId = Number(new URLSearchParams(location.search).get("quiz"));
  const api = "/api/instructor/library/" + quizId;
  // Each tab keeps its unsaved typing under a key of its own, so one tab's copy never
  // replaces another's (a tab closed during a conflict keeps its copy until it is saved).
  const draftPrefix = "trivia-trio-editor-" + quizId;
  const draftKey = draftPrefix + ":" + Math.random().toString(36).slice(2);
  let adoptedKey = null; // the copy of a closed tab this one restored
  const form = byId("question-form");
  const list = byId("question-list");

  let pictureMaxBytes = Infinity; // the server says, with the quiz
  let quiz = null; // {title, score_fn, time_limit_default, leaderboard_between, close_when_all_answered, phones, leaderboard, questions: [model]}
  let current = 0;
  let problems = { quiz: [], byQuestion: {} };
  const deleted = []; // the last deletes, newest last: {question, index}
  let edits = 0; // changes made; a save acknowledges those it carried
  let savedEdits = 0;
  let saveTimer = null;
  let saving = null; // the save in flight (a promise), or null
  let base = null; // the version (edited_at) this tab's changes are based on
  let conflict = false; // another tab saved over `base`: nothing more is saved here
  const PROJECTOR_WIDTH = 1920; // the projector preview's frame, in CSS px: a 1080p screen
  const projectorPreview = openProjectorPreview();
  let room = { join_url: "", qr_url: null }; // where students join: the projector's corner shows it

  // ---- The model: a question as the form edits it, and as the quiz file holds it ----

  function asText(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function fromFile(raw) {
    const q = raw && typeof raw === "object" ? raw : {};
    const kind = KIND_NAMES[q.kind] ? q.kind : "choice";
    return {
      kind,
      text: asText(q.text),
      options: Array.isArray(q.options) ? q.options.map(asText) : ["", ""],
      letters: typeof q.correct === "string" ? q.correct.toUpperCase() : "",
      truth: q.correct !== false,
      scoring: q.scoring === "partial" ? "partial" : "all",
      accept: Array.isArray(q.accept) ? q.accept.map(asText) : [""],
      exact: q.exact === true,
      numbers: {
        correct: kind === "number" ? asText(q.correct) : "",
        tolerance: asText(q.tolerance),
        min: asText(q.min),
        max: asText(q.max),
        step: asText(q.step),
      },
      items: Array.isArray(q.items) ? q.items.map(asText) : ["", "", ""],
      explanation: asText(q.explanation),
      time_limit: asText(q.time_limit),
      points: [0, 2].includes(q.points) ? String(q.points) : "1",
      image: asText(q.image),
      // The plain fields a renderer declares (kinds.js, "fields"), as typed.
      fields: Object.fromEntries(declaredFields(kind).map((f) => [f.name, asText(q[f.name])])),
    };
  }

  /** The plain fields the renderer of `kind` declares for the editor (kinds.js). */
  function declaredFields(kind) {
    return (questionKinds[kind] && questionKinds[kind].fields) || [];
  }

  /** A typed number as a number; anything else stays as typed, for the checker to name. */
  function typedNumber(text) {
    const trimmed = text.trim();
    return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
  }

  function toFile(m) {
    const out = { text: m.text };
    if (m.kind !== "choice") out.kind = m.kind;
    if (OPTION_KINDS.includes(m.kind)) out.options = m.options.slice();
    if (m.kind === "choice" || m.kind === "multi") out.correct = m.letters;
    if (m.kind === "multi" && m.scoring === "partial") out.scoring = "partial";
    if (m.kind === "truefalse") out.correct = m.truth;
    if (m.kind === "text") {
      out.accept = m.accept.slice();
      if (m.exact) out.exact = true;
    }
    if (m.kind === "number") {
      out.correct = m.numbers.correct.trim() === "" ? null : typedNumber(m.numbers.correct);
      ["tolerance", "min", "max", "step"].forEach((name) => {
        if (m.numbers[name].trim() !== "") out[name] = typedNumber(m.numbers[name]);
      });
    }
    if (m.kind === "order") out.items = m.items.slice();
    declaredFields(m.kind).forEach((f) => {
      const typed = (m.fields || {})[f.name] || "";
      if (typed.trim() !== "") out[f.name] = f.number ? typedNumber(typed) : typed;
    });
    if (m.explanation.trim()) out.explanation = m.explanation;
    if (m.time_limit.trim()) out.time_limit = typedNumber(m.time_limit);
    if (m.points && m.points !== "1") out.points = Number(m.points);
    if (m.image) out.image = m.image;
    return out;
  }

  function fileForm() {
    const out = {
      title: quiz.title,
      score_fn: quiz.score_fn,
      time_limit_default: typedNumber(quiz.time_limit_default),
      leaderboard_between: quiz.leaderboard_between,
      close_when_all_answered: quiz.close_when_all_answered,
      questions: quiz.questions.map(toFile),
    };
    if (quiz.session_id) out.session_id = quiz.session_id;
    if (quiz.language) out.language = quiz.language;
    if (quiz.phones === "buttons") out.phones = "buttons";
    if (quiz.leaderboard) out.leaderboard = quiz.leaderboard;
    return out;
  }

  function modelOf(data) {
    return {
      title: asText(data.title),
      score_fn: data.score_fn === "binary" ? "binary" : "speed",
      time_limit_default: asText(data.time_limit_default === undefined ? 20 : data.time_limit_default),
      leaderboard_between: data.leaderboard_between === true,
      close_when_all_answered: data.close_when_all_answered !== false,
      language: typeof data.language === "string" ? data.language : "",
      phones: data.phones === "buttons" ? "buttons" : "question",
      leaderboard: ["between", "end", "never"].indexOf(data.leaderboard) >= 0 ? data.leaderboard : "",
      session_id: data.session_id,
      questions: Array.isArray(data.questions) ? data.questions.map(fromFile) : [],
    };
  }

  function blankQuestion() {
    return fromFile({ text: "", options: ["", ""], correct: "" });
  }

  // ---- Saving ------------------------------------------------------------------------

  function changed() {
    edits += 1;
    localStorage.setItem(draftKey, JSON.stringify({ at: Date.now(), quiz: fileForm(), base }));
    if (conflict) return; // kept here and in localStorage until the teacher chooses
    setText("save-status", "Editing…");
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, SAVE_DELAY_MS);
  }

  /** Forget this tab's localStorage copy (and the one it restored) once it is saved. */
  function dropOwnDraft() {
    localStorage.removeItem(draftKey);
    if (adoptedKey) localStorage.removeItem(adoptedKey);
  }

  /** The copies of this quiz in localStorage, as [key, copy]; the older one-key form too. */
  function storedDrafts() {
    const found = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key !== draftPrefix && !key.startsWith(draftPrefix + ":")) continue;
      try {
        const draft = JSON.parse(localStorage.getItem(key));
        if (draft && draft.quiz) found.push([key, draft]);
      } catch (unreadable) {
        localStorage.removeItem(key);
      }
    }
    return found;
  }

  function saveBody() {
    return JSON.stringify({ quiz: fileForm(), edited_at: base });
  }

  async function save() {
    clearTimeout(saveTimer);
    if (saving) {
      saveTimer = setTimeout(save, SAVE_DELAY_MS);
      return;
    }
    if (conflict) return;
    saving = saveOnce();
    try {
      await saving;
    } finally {
      saving = null;
    }
  }

  /** Save now, after the save in flight if any: true once everything typed is saved. */
  async function saveNow() {
    while (saving) await saving;
    if (savedEdits !== edits) await save();
    return savedEdits === edits && !conflict;
  }

  async function saveOnce() {
    const carried = edits;
    try {
      const response = await fetch(api, { method: "PUT", headers: { "Content-Type": "application/json" }, body: saveBody() });
      const reply = await response.json();
      if (response.status === 409 && reply.code === "edited_elsewhere") {
        showConflict(reply.edited_at);
        return;
      }
      if (!response.ok) throw new Error(reply.message || "HTTP " + response.status);
      base = reply.edited_at;
      savedEdits = Math.max(savedEdits, carried);
      if (savedEdits === edits) dropOwnDraft();
      showProblems(reply.problems);
      setText("save-status", reply.draft ? "Saved as a draft" : "Saved");
    } catch (error) {
      setText("save-status", "Not saved yet (" + error.message + "); trying again…");
      saveTimer = setTimeout(save, RETRY_DELAY_MS);
    }
  }

  /** The tab is going away: send what is unsaved in a request that outlives the page. */
  function saveBeforeLeaving() {
    if (!quiz || savedEdits === edits || conflict) return;
    fetch(api, { method: "PUT", keepalive: true, headers: { "Content-Type": "application/json" }, body: saveBody() });
  }

  // ---- Another tab saved first: load its version, or keep this one as a new quiz ----

  function showConflict(savedAt) {
    conflict = true;
    clearTimeout(saveTimer);
    setText("save-status", "Not saved: changed elsewhere");
    setText("conflict-when", new Date(savedAt).toLocaleTimeString());
    byId("conflict-bar").hidden = false;
  }

  function conflictProblem(text) {
    setText("conflict-problem", text);
    byId("conflict-problem").hidden = false;
  }

  byId("conflict-reload").addEventListener("click", () => {
    dropOwnDraft();
    location.reload();
  });

  byId("conflict-keep").addEventListener("click", async () => {
    const copy = fileForm();
    copy.title = (copy.title || "Untitled quiz") + " (copy)";
    let reply;
    try {
      reply = await requestJson("POST", "/api/instructor/library", { quiz: copy });
    } catch (networkDown) {
      conflictProblem("Could not reach the server; your changes are still here.");
      return;
    }
    if (reply.status !== 200) {
      conflictProblem(((reply.data && reply.data.message) || "Not kept") + "; your changes are still here.");
      return;
    }
    dropOwnDraft();
    location.replace("/instructor/editor?quiz=" + reply.data.quiz_id);
  });

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveBeforeLeaving();
  });
  window.addEventListener("pagehide", saveBeforeLeaving);

  // ---- Problems, in the checker's words, beside what they are about ------------------

  function showProblems(found) {
    problems = { quiz: [], byQuestion: {}, all: found || [] };
    (found || []).forEach((problem) => {
      const match = /^question (\d+)[^:]*: (.*)$/.exec(problem) || /^questions\[(\d+)\][^:]*: (.*)$/.exec(problem);
      if (!match) {
        problems.quiz.push(problem);
        return;
      }
      const idx = /^questions\[/.test(problem) ? Number(match[1]) : Number(match[1]) - 1;
      (problems.byQuestion[idx] = problems.byQuestion[idx] || []).push(match[2]);
    });
    byId("problems-box").hidden = !problems.all.length;
    byId("ready-note").hidden = problems.all.length > 0;
    fill(byId("problem-list"), ...problems.all.map((problem) => el("li", { text: problem })));
    keepingFocus(renderList);
    renderQuestionProblems();
  }

  // ---- Keyboard focus survives every re-render ---------------------------------------

  /** What names a control across re-renders: its id, or the `data-focus-key` the list gives. */
  function focusKey(node) {
    if (!node || node === document.body) return null;
    if (node.id) return { id: node.id };
    return node.dataset && node.dataset.focusKey ? { key: node.dataset.focusKey } : null;
  }

  function findFocusKey(key) {
    if (key.id) return byId(key.id);
    return document.querySelector('[data-focus-key="' + key.key + '"]');
  }

  /** Focus ``key`` (else ``fallback``) without scrolling, if it can take focus. */
  function focusAgain(key, fallback) {
    const found = [key, fallback].map((k) => k && findFocusKey(k)).find((node) => node && !node.disabled);
    if (!found) return false;
    found.focus({ preventScroll: true });
    return document.activeElement === found;
  }

  /** Run ``render``, then give focus back to the control that had it, as a fresh node
   * (the same id or focus key) when the old one was replaced, with its caret. */
  function keepingFocus(render) {
    const active = document.activeElement;
    const key = focusKey(active);
    let caret = null;
    try {
      if (active && typeof active.selectionStart === "number") caret = [active.selectionStart, active.selectionEnd, active.selectionDirection];
    } catch (noSelection) {
      caret = null;
    }
    render();
    if (!key || (document.contains(active) && document.activeElement === active)) return;
    if (!focusAgain(key)) return;
    const again = document.activeElement;
    if (caret && typeof again.setSelectionRange === "function" && typeof again.selectionStart === "number") {
      again.setSelectionRange(caret[0], caret[1], caret[2]);
    }
  }

  // The editor says these beside the field they are about, in its own words.
  const TICK_PROBLEM = /^needs at least one right answer/;

  function needsATick(q) {
    return (q.kind === "choice" || q.kind === "multi") && !q.letters;
  }

  /** "Tick at least one right answer" beside the ticks, as soon as the last one is cleared. */
  function showTickProblem() {
    const note = byId("q-ticks-problem");
    if (!note) return;
    const missing = needsATick(quiz.questions[current]);
    note.hidden = !missing;
    form.querySelectorAll("input[data-right]").forEach((box) => box.setAttribute("aria-invalid", String(missing)));
  }

  function renderQuestionProblems() {
    const box = byId("question-problems");
    if (!box) return;
    const mine = (problems.byQuestion[current] || []).filter((problem) => !TICK_PROBLEM.test(problem));
    box.hidden = !mine.length;
    fill(box, ...mine.map((problem) => el("li", { text: problem })));
  }

  // ---- The question list: select, reorder (drag or Alt+arrows), duplicate, delete ----

  function label(question, idx) {
    const text = question.text.trim() || "(no text yet)";
    return idx + 1 + ". " + (text.length > 60 ? text.slice(0, 57) + "…" : text);
  }

  function renderList() {
    fill(list, ...quiz.questions.map((question, idx) => {
      const number = idx + 1;
      const flagged = (problems.byQuestion[idx] || []).length > 0;
      const select = el("button", { type: "button", class: "question-pick", "aria-current": idx === current ? "true" : null, "data-idx": idx, "data-focus-key": "pick-" + idx },
        el("span", { class: "question-pick-text", text: label(question, idx) }),
        el("span", { class: "question-pick-kind muted", text: KIND_NAMES[question.kind].split(" (")[0] }),
        flagged ? el("span", { class: "question-pick-problem", text: "needs fixing" }) : null);
      select.addEventListener("click", () => selectQuestion(idx));
      select.addEventListener("keydown", (event) => {
        if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
        event.preventDefault();
        move(idx, event.key === "ArrowUp" ? idx - 1 : idx + 1, "pick");
      });
      const tool = (text, name, key, action, disabled) => {
        const button = el("button", { type: "button", class: "icon-button", "aria-label": name + " question " + number, title: name, disabled, "data-focus-key": key + "-" + idx }, text);
        button.addEventListener("click", action);
        return button;
      };
      const item = el("li", { class: "question-item" + (idx === current ? " question-current" : ""), draggable: "true", "data-idx": idx },
        el("span", { class: "drag-handle", "aria-hidden": "true", text: "⠿" }),
        select,
        el("span", { class: "question-tools" },
          tool("↑", "Move up", "up", () => move(idx, idx - 1, "up"), idx === 0),
          tool("↓", "Move down", "down", () => move(idx, idx + 1, "down"), idx === quiz.questions.length - 1),
          tool("⊕", "Duplicate", "duplicate", () => duplicateQuestion(idx)),
          tool("✕", "Delete", "delete", () => deleteQuestion(idx))));
      item.addEventListener("dragstart", (event) => {
        event.dataTransfer.setData("text/x-question", String(idx));
        event.dataTransfer.effectAllowed = "move";
      });
      item.addEventListener("dragover", (event) => {
        if (event.dataTransfer.types.includes("text/x-question")) event.preventDefault();
      });
      item.addEventListener("drop", (event) => {
        const from = Number(event.dataTransfer.getData("text/x-question"));
        if (Number.isNaN(from)) return;
        event.preventDefault();
        move(from, idx, "pick");
      });
      return item;
    }));
  }

  function focusPick(idx) {
    focusAgain({ key: "pick-" + idx });
  }

  /** Move a question; focus follows it, on the control that moved it (``by``: pick, up or
   * down), so pressing the same key again moves it again. At an end, where that button is
   * disabled, focus goes to the question itself. */
  function move(from, to, by) {
    if (to < 0 || to >= quiz.questions.length || from === to) return;
    const [question] = quiz.questions.splice(from, 1);
    quiz.questions.splice(to, 0, question);
    current = to;
    changed();
    renderAll();
    focusAgain({ key: by + "-" + to }, { key: "pick-" + to });
    announce("Question moved to place " + (to + 1) + ".");
  }

  function duplicateQuestion(idx) {
    quiz.questions.splice(idx + 1, 0, JSON.parse(JSON.stringify(quiz.questions[idx])));
    current = idx + 1;
    changed();
    renderAll();
    focusPick(current);
  }

  function deleteQuestion(idx) {
    const [question] = quiz.questions.splice(idx, 1);
    deleted.push({ question, index: idx });
    if (deleted.length > UNDO_KEEP) deleted.shift();
    current = Math.min(idx, quiz.questions.length - 1);
    changed();
    renderAll();
    showUndo("Question " + (idx + 1) + " deleted.");
    byId("undo-delete").focus();
  }

  function showUndo(message) {
    byId("undo-bar").hidden = !deleted.length;
    setText("undo-message", deleted.length ? message : "");
    if (message) announce(message);
  }

  byId("undo-delete").addEventListener("click", () => {
    const last = deleted.pop();
    if (!last) return;
    const index = Math.min(last.index, quiz.questions.length);
    quiz.questions.splice(index, 0, last.question);
    current = index;
    changed();
    renderAll();
    showUndo(deleted.length ? deleted.length + " more deleted question(s) can come back." : "");
    announce("Question " + (index + 1) + " is back.");
    focusPick(index);
  });

  byId("add-question").addEventListener("click", () => {
    quiz.questions.push(blankQuestion());
    current = quiz.questions.length - 1;
    changed();
    renderAll();
    byId("q-text").focus();
  });

  function selectQuestion(idx) {
    current = idx;
    renderAll();
    focusPick(idx);
  }

  // ---- The question form ---------------------------------------------------------

  let fieldCount = 0;
  /** A labelled input bound to `get`/`set` on the model. */
  function field(labelText, control, get, set, attributes) {
    const id = (attributes && attributes.id) || "f" + (fieldCount += 1);
    const input = el(control, Object.assign({ id }, attributes || {}));
    if (input.type === "checkbox") input.checked = get();
    else input.value = get();
    input.addEventListener(input.type === "checkbox" || control === "select" ? "change" : "input", () => {
      set(input.type === "checkbox" ? input.checked : input.value);
      changed();
      if (control === "select") renderAll();
      else refreshAfterTyping();
    });
    const tag = el("label", { for: id, text: labelText });
    return input.type === "checkbox" ? el("label", { class: "checkbox" }, input, " " + labelText)
      : el("div", { class: "field" }, tag, input);
  }

  function selectField(labelText, choices, get, set, id) {
    const select = field(labelText, "select", get, set, { id });
    const input = select.querySelector("select");
    Object.keys(choices).forEach((value) => input.appendChild(el("option", { value, text: choices[value] })));
    input.value = get();
    return select;
  }

  /** A list of 2–6 (or other bounds) text rows, with add and remove. */
  function rows(legend, values, low, high, name, extra) {
    const fieldset = el("fieldset", { class: "rows" }, el("legend", { text: legend }));
    values.forEach((value, i) => {
      const rowName = name(i);
      const input = field(rowName, "input", () => values[i], (text) => { values[i] = text; }, { type: "text", maxlength: "2000" });
      const remove = el("button", { type: "button", class: "icon-button", "aria-label": "Remove " + rowName.toLowerCase(), title: "Remove", disabled: values.length <= low }, "✕");
      remove.addEventListener("click", () => {
        values.splice(i, 1);
        changed();
        renderAll();
      });
      fieldset.appendChild(el("div", { class: "row" }, input, extra ? extra(i) : null, remove));
    });
    const add = el("button", { type: "button", disabled: values.length >= high }, "Add " + legend.toLowerCase().replace(/s(,.*)?$/, ""));
    add.addEventListener("click", () => {
      values.push("");
      changed();
      renderAll();
      const inputs = fieldset.ownerDocument.querySelectorAll("#question-form fieldset.rows input[type=text]");
      if (inputs.length) inputs[inputs.length - 1].focus();
    });
    fieldset.appendChild(add);
    return fieldset;
  }

  function kindFields(q) {
    const parts = [];
    if (OPTION_KINDS.includes(q.kind)) {
      const rightBox = q.kind === "poll" ? null : (i) => {
        const letter = LETTERS[i];
        return field(letter + " is right", "input", () => q.letters.includes(letter), (on) => {
          const set = new Set(q.letters.split("").filter((l) => LETTERS.includes(l)));
          if (on) set.add(letter);
          else set.delete(letter);
          q.letters = [...set].sort().join("");
        }, { type: "checkbox", "data-right": letter, "aria-describedby": "q-ticks-problem" });
      };
      const options = rows("Options", q.options, 2, 6, (i) => "Option " + LETTERS[i], rightBox);
      if (rightBox) options.insertBefore(el("p", { id: "q-ticks-problem", class: "field-problem", hidden: true }, "Tick at least one right answer"), options.children[1]);
      parts.push(options);
      const removed = q.letters.split("").filter((letter) => LETTERS.indexOf(letter) >= q.options.length);
      if (removed.length) q.letters = q.letters.split("").filter((l) => !removed.includes(l)).join("");
    }
    if (q.kind === "multi") {
      parts.push(selectField("How ticks score", { all: "All right ticks needed", partial: "Partial credit" }, () => q.scoring, (v) => { q.scoring = v; }, "q-scoring"));
    }
    if (q.kind === "truefalse") {
      const group = el("fieldset", { class: "rows" }, el("legend", { text: "The right answer" }));
      [["True", true], ["False", false]].forEach(([name, value]) => {
        const input = el("input", { type: "radio", name: "truth", id: "truth-" + name, value: name });
        input.checked = q.truth === value;
        input.addEventListener("change", () => {
          q.truth = value;
          changed();
          refreshAfterTyping();
        });
        group.appendChild(el("label", { class: "checkbox", for: "truth-" + name }, input, " " + name));
      });
      parts.push(group);
    }
    if (q.kind === "text") {
      parts.push(rows("Accepted answers", q.accept, 1, 20, (i) => "Accepted answer " + (i + 1)));
      parts.push(field("Exact: accents count", "input", () => q.exact, (on) => { q.exact = on; }, { type: "checkbox" }));
    }
    if (q.kind === "number") {
      const numbers = el("div", { class: "field-row" });
      [["correct", "Right number"], ["tolerance", "Tolerance (±)"], ["min", "Slider minimum"], ["max", "Slider maximum"], ["step", "Slider step"]].forEach(([name, text]) => {
        numbers.appendChild(field(text, "input", () => q.numbers[name], (v) => { q.numbers[name] = v; }, { type: "text", inputmode: "decimal", id: "q-number-" + name }));
      });
      parts.push(numbers);
    }
    if (q.kind === "order") parts.push(rows("Items, in the right order", q.items, 3, 6, (i) => "Item " + (i + 1)));
    q.fields = q.fields || {};
    declaredFields(q.kind).forEach((f) => {
      parts.push(field(f.label, "input", () => q.fields[f.name] || "", (v) => { q.fields[f.name] = v; },
        { type: "text", id: "q-field-" + f.name, inputmode: f.number ? "decimal" : "text" }));
    });
    return parts;
  }

  function renderForm() {
    const q = quiz.questions[current];
    byId("no-question").hidden = Boolean(q);
    form.hidden = !q;
    if (!q) {
      fill(form);
      return;
    }
    fieldCount = 0;
    fill(form,
      el("p", { class: "muted", text: "Question " + (current + 1) + " of " + quiz.questions.length }),
      selectField("Kind", KIND_NAMES, () => q.kind, (v) => { q.kind = v; }, "q-kind"),
      field("Question text", "textarea", () => q.text, (v) => { q.text = v; }, { id: "q-text", rows: "3", maxlength: "2000" }),
      pictureField(q),
      ...kindFields(q),
      selectField("Points", { 0: "0 (warm-up: not counted)", 1: "1 (standard)", 2: "2 (double points)" }, () => q.points || "1", (v) => { q.points = v; }, "q-points"),
      field("Time limit (seconds; empty: the quiz default)", "input", () => q.time_limit, (v) => { q.time_limit = v; }, { id: "q-time", type: "text", inputmode: "numeric" }),
      field("Explanation (shown at the reveal)", "textarea", () => q.explanation, (v) => { q.explanation = v; }, { id: "q-explanation", rows: "2", maxlength: "2000" }),
      el("ul", { id: "question-problems", class: "field-problems", "aria-live": "polite", tabindex: "-1", hidden: true }));
    renderQuestionProblems();
    showTickProblem();
  }

  // ---- Pictures: picker, drop on the form, or paste -----------------------------------

  function mediaUrl(name) {
    return "/media/" + encodeURIComponent(name);
  }

  function pictureField(q) {
    const box = el("fieldset", { class: "rows picture-field" }, el("legend", { text: "Picture" }));
    if (q.image) {
      const remove = el("button", { type: "button" }, "Remove picture");
      remove.addEventListener("click", () => {
        q.image = "";
        changed();
        renderAll();
      });
      box.append(el("img", { class: "picture-thumb", src: mediaUrl(q.image), alt: "The question's picture" }), remove);
    }
    const picker = el("input", { id: "q-picture", type: "file", accept: "image/png,image/jpeg,image/gif,image/webp" });
    picker.addEventListener("change", () => {
      if (picker.files.length) addPicture(picker.files[0]);
    });
    box.append(el("label", { for: "q-picture", text: q.image ? "Another picture (or drop or paste one here)" : "Add a picture (or drop or paste one here)" }), picker,
      el("p", { id: "picture-status", class: "muted small", role: "status" }));
    return box;
  }

  const MB = 1048576;

  async function addPicture(file) {
    const q = quiz.questions[current];
    if (file.size > pictureMaxBytes) {
      // Said before sending: the server would refuse it after the upload anyway.
      setText("picture-status", "This picture is " + (file.size / MB).toFixed(1) + " MB; pictures can be at most " + Math.floor(pictureMaxBytes / MB) + " MB");
      return;
    }
    setText("picture-status", "Adding " + (file.name || "the picture") + "…");
    let reply;
    try {
      reply = await requestJson("POST", "/api/instructor/library/media", file);
    } catch (networkDown) {
      setText("picture-status", "Could not reach the server.");
      return;
    }
    if (reply.status !== 200) {
      setText("picture-status", (reply.data && reply.data.message) || "The server refused the picture.");
      return;
    }
    q.image = reply.data.image;
    changed();
    renderAll();
    announce("Picture added.");
  }

  form.addEventListener("dragover", (event) => {
    if (event.dataTransfer.types.includes("Files")) event.preventDefault();
  });
  form.addEventListener("drop", (event) => {
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    addPicture(event.dataTransfer.files[0]);
  });
  form.addEventListener("paste", (event) => {
    const files = event.clipboardData ? [...event.clipboardData.files] : [];
    const picture = files.find((file) => file.type.startsWith("image/"));
    if (!picture) return;
    event.preventDefault();
    addPicture(picture);
  });

  // ---- The preview -----------------------------------------------------------------

  /** The question as a phone receives it (question_open): never the answer. */
  function publicView(q) {
    const file = toFile(q);
    const view = { kind: q.kind, text: file.text, question_idx: current };
    if (q.image) view.image = mediaUrl(q.image);
    if (OPTION_KINDS.includes(q.kind)) view.options = file.options;
    if (q.kind === "truefalse") view.options = ["True", "False"];
    if (q.kind === "order") view.items = file.items;
    if (q.kind === "number") {
      ["min", "max", "step"].forEach((name) => {
        if (typeof file[name] === "number") view[name] = file[name];
      });
    }
    declaredFields(q.kind).forEach((f) => {
      if (f.shown && file[f.name] !== undefined) view[f.name] = file[f.name];
    });
    return view;
  }

  /** The answer as the reveal receives it (question_closed.correct). */
  function revealedAnswer(q) {
    const file = toFile(q);
    if (q.kind === "choice" || q.kind === "multi") return file.correct;
    if (q.kind === "truefalse") return file.correct ? "A" : "B";
    if (q.kind === "text") return file.accept;
    if (q.kind === "number") return { value: file.correct, tolerance: file.tolerance || 0 };
    if (q.kind === "order") return LETTERS.slice(0, q.items.length);
    return null;
  }

  /** The current question as the phone draws it (its own renderer), then as the projector reveals it. */
  function renderPreview() {
    const q = quiz.questions[current];
    const box = byId("preview");
    byId("projector-preview").hidden = !q;
    if (!q) {
      fill(box, el("p", { class: "muted", text: "Nothing to preview yet." }));
      return;
    }
    const full = publicView(q);
    const kind = kindOf(full);
    // A buttons-only quiz: the phone is sent only the buttons while the projector shows the question.
    const buttonsOnly = quiz.phones === "buttons" && Boolean(kind.buttonsSuffice);
    const view = buttonsOnly ? buttonsOnlyView(full) : full;
    const picture = view.image ? el("img", { class: "preview-image", src: view.image, alt: "" }) : null;
    const answers = el("div", { class: "preview-answers" });
    // The preview is a picture of the page, not a second set of controls: inert.
    fill(box,
      el("p", { class: "preview-label muted", text: buttonsOnly ? "As the phone shows it while the projector is on (buttons only)" : "As the phone shows it" }),
      el("div", { class: `preview-phone page-student${buttonsOnly ? " buttons-only" : ""}`, inert: true },
        richText("p", { id: "question-text", class: "question-text" }, view.text || "(no text yet)"), picture, answers));
    if (kind.takesAnswers) kind.answer(answers, view, () => {});
    projectorPreview.show(revealOf(q));
  }

  /**
   * A question as a buttons-only phone draws it (student.js): core's phones.for_phones
   * leaves out the text, options and picture and sends the option count; the phone
   * shows its note that the question is on the big screen, and one button per option.
   */
  function buttonsOnlyView(view) {
    const count = Array.isArray(view.options) ? view.options.length : 0;
    const sent = Object.fromEntries(Object.entries(view).filter(([key]) => !["text", "options", "image"].includes(key)));
    return Object.assign(sent, { text: t("student.buttons_only.look"), options: Array(count).fill(""), buttons_only: true });
  }

  /** "Question N of M" as the server numbers question `idx` (views.question_number): a
   * slide is not a question, so it has no number and is not counted. */
  function numbering(idx) {
    const answerable = quiz.questions.map((each) => kindOf(each).takesAnswers);
    return {
      question_number: answerable[idx] ? answerable.slice(0, idx + 1).filter(Boolean).length : null,
      question_count: answerable.filter(Boolean).length,
    };
  }

  /** The reveal of `q` as the projector receives it (projector_state), for a class yet to come. */
  function revealOf(q) {
    const view = publicView(q);
    return {
      type: "projector_state",
      state: "question_closed",
      title: quiz.title,
      language: quiz.language || null,
      join_url: room.join_url,
      qr_url: room.qr_url,
      question: Object.assign(view, { idx: current, total_questions: quiz.questions.length, remaining_ms: null }, numbering(current)),
      reveal: { correct: revealedAnswer(q), explanation: toFile(q).explanation || "" },
      live_histogram: { counts: {} },
      leaderboard: [],
    };
  }

  /**
   * The projector page itself in a frame (/projector?preview), drawn at 1920x1080 and
   * scaled into its 16:9 box, so the preview is what the room will see: the same
   * layout, the same fit. It says when it is ready; until then the latest state waits.
   */
  function openProjectorPreview() {
    const frame = byId("projector-preview-frame");
    const box = byId("projector-preview-box");
    let ready = false;
    let waiting = null;
    const send = () => {
      if (ready && waiting) frame.contentWindow.postMessage(waiting, location.origin);
    };
    window.addEventListener("message", (event) => {
      if (event.origin !== location.origin || event.source !== frame.contentWindow) return;
      if (event.data && event.data.type === "preview_ready") {
        ready = true;
        send();
      }
    });
    new ResizeObserver(() => {
      box.style.setProperty("--preview-scale", String(box.clientWidth / PROJECTOR_WIDTH));
    }).observe(box);
    return {
      show(state) {
        waiting = state;
        send();
      },
    };
  }

  function refreshAfterTyping() {
    const item = list.querySelector('.question-pick[data-idx="' + current + '"] .question-pick-text');
    if (item) item.textContent = label(quiz.questions[current], current);
    showTickProblem();
    renderPreview();
  }

  function renderAll() {
    keepingFocus(() => {
      renderList();
      renderForm();
      renderPreview();
    });
  }

  // ---- Quiz settings -----------------------------------------------------------

  function bindSetting(id, name, event) {
    const input = byId(id);
    if (input.type === "checkbox") input.checked = quiz[name];
    else input.value = quiz[name];
    input.addEventListener(event, () => {
      quiz[name] = input.type === "checkbox" ? input.checked : input.value;
      renderPreview(); // the title and the language show on the projector
      changed();
    });
  }

  /** The projector's language: one of the pages' languages, or none (the dashboard picks). */
  function fillLanguages() {
    const codes = Object.keys(LANGUAGES);
    const own = quiz.language && codes.indexOf(quiz.language) < 0 ? [quiz.language] : []; // a file's tag we have no catalog for
    fill(byId("quiz-language"), el("option", { value: "", text: "Not set: the dashboard's choice" }),
      ...codes.concat(own).map((code) => el("option", { value: code, lang: code, text: LANGUAGES[code] || code })));
  }

  // ---- Run: saved first; a draft goes to its first problem instead ----------------------

  /** Show the first problem: its question, and focus on the field it is about. */
  function goToFirstProblem() {
    const ticks = quiz.questions.findIndex(needsATick);
    const listed = Object.keys(problems.byQuestion).map(Number).filter((i) => i < quiz.questions.length);
    const candidates = (ticks >= 0 ? [ticks] : []).concat(listed);
    setText("run-note", "Not run: fix the problems first.");
    if (!candidates.length) {
      byId("problems-box").focus();
      return;
    }
    current = Math.min(...candidates);
    renderAll();
    const box = needsATick(quiz.questions[current]) ? form.querySelector("input[data-right]") : byId("question-problems");
    box.focus();
  }

  byId("run-quiz").addEventListener("click", async () => {
    setText("run-note", "");
    if (!(await saveNow())) {
      setText("run-note", "Not run: your changes are not saved yet.");
      return;
    }
    if (problems.all.length) {
      goToFirstProblem();
      return;
    }
    // As on the dashboard: running over a class that is in the room asks first.
    const screen = await requestJson("GET", "/api/projector").catch(() => null);
    const current = screen && screen.status === 200 ? { state: screen.data.state, title: screen.data.title, students: screen.data.participant_count } : null;
    const question = runOverAClassQuestion(current, quiz.title);
    if (question !== null && !(await confirmAction(question, t("library.confirm_run_button")))) return;
    let reply;
    try {
      reply = await requestJson("POST", api + "/run");
    } catch (networkDown) {
      setText("run-note", "Could not reach the server.");
      return;
    }
    if (reply.status === 200) location.href = "/instructor";
    else if (reply.data && reply.data.code === "draft") {
      showProblems(reply.data.problems);
      goToFirstProblem();
    } else setText("run-note", (reply.data && reply.data.message) || "Not run (HTTP " + reply.status + ").");
  });

  // ---- Start -----------------------------------------------------------------------

  /** JSON with sorted keys: two quiz objects with the same content give the same text. */
  function sameText(value) {
    if (Array.isArray(value)) return "[" + value.map(sameText).join(",") + "]";
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map((key) => JSON.stringify(key) + ":" + sameText(value[key])).join(",") + "}";
    }
    return JSON.stringify(value === undefined ? null : value);
  }

  async function start() {
    const response = await fetch(api);
    if (!response.ok) {
      setText("save-status", response.status === 404 ? "This quiz is not in the library (deleted?)." : "Could not open this quiz.");
      return;
    }
    const kept = await response.json();
    pictureMaxBytes = kept.picture_max_bytes || Infinity;
    const screen = await requestJson("GET", "/api/projector").catch(() => null);
    if (screen && screen.status === 200 && screen.data) room = { join_url: screen.data.join_url, qr_url: screen.data.qr_url };
    // A copy left in localStorage is typing no save took: newer than the saved quiz, or
    // typed over an older version (a tab closed during a conflict). A copy equal to the
    // saved quiz was saved after all: it is dropped. The latest unsaved one is restored.
    let restored = null;
    storedDrafts().forEach(([key, draft]) => {
      if (sameText(draft.quiz) === sameText(kept.quiz)) {
        localStorage.removeItem(key);
        return;
      }
      const unsaved = draft.at > kept.edited_at || (typeof draft.base === "number" && draft.base !== kept.edited_at);
      if (unsaved && (!restored || draft.at > restored.at)) {
        restored = draft;
        adoptedKey = key;
      }
    });
    const useLocal = restored !== null;
    quiz = modelOf(useLocal ? restored.quiz : kept.quiz);
    // Typing restored from before the tab closed is based on the version it was typed
    // over: if the quiz was saved since, its save is refused and the teacher chooses.
    base = useLocal && typeof restored.base === "number" ? restored.base : kept.edited_at;
    document.title = (quiz.title || "Quiz") + " — Quiz editor";
    bindSetting("quiz-title-input", "title", "input");
    bindSetting("quiz-scoring", "score_fn", "change");
    bindSetting("quiz-default-time", "time_limit_default", "input");
    bindSetting("quiz-leaderboard-between", "leaderboard_between", "change");
    bindSetting("quiz-close-when-all", "close_when_all_answered", "change");
    bindSetting("quiz-phones", "phones", "change");
    bindSetting("quiz-leaderboard", "leaderboard", "change");
    // The checkbox decides the stop at the leaderboard only while the quiz sets no mode.
    const stopShown = () => { byId("quiz-leaderboard-between").closest("label").hidden = quiz.leaderboard !== ""; };
    byId("quiz-leaderboard").addEventListener("change", stopShown);
    stopShown();
    fillLanguages();
    bindSetting("quiz-language", "language", "change");
    renderAll();
    showProblems(kept.problems);
    // Disabled in the page until now: typing before the load would be overwritten by it.
    document.querySelectorAll("[data-until-loaded]").forEach((field) => { field.disabled = false; });
    if (useLocal) {
      setText("save-status", "Restored your typing from before the tab closed; saving…");
      edits += 1;
      save();
    } else {
      dropOwnDraft();
      setText("save-status", kept.draft ? "Saved as a draft" : "Saved");
    }
  }

  start();
})();
