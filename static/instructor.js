"use strict";
// The instructor's dashboard: drive the quiz, watch the room, load quizzes,
// export results. It keeps the latest of each server message and redraws
// the panel that message feeds.
i18n.ready.then(() => {
  const view = {
    state: null, // state {state, current_question_idx, title}
    room: null, // room_info
    open: null, // question_open of the current question
    closed: null, // question_closed of the current question
    histogram: null, // {A, B, C, D, missed, pending?}
    results: null, // the server's count of students (docs/PROTOCOL.md, "Results")
    answered: null, // {submitted, total}
    joined: 0, // students in this run
  };
  // The two big tables come whole once, then as changes: a class of thousands would
  // otherwise resend them at every refresh (presence_changes, leaderboard_changes).
  const tables = createDashboardTables({
    onClear: clearStudent,
    // The current-question panel shows the top ten while the projector shows the leaderboard.
    onScores() {
      if (view.state && view.state.state === "between_questions") renderCurrent();
    },
  });
  // Many teachers mirror this screen to the projector: the answer stays hidden while a
  // question is open unless they ask for it (remembered on this computer).
  const SHOW_ANSWERS_KEY = "trivia-trio.show-answers";
  byId("show-answers").checked = localStorage.getItem(SHOW_ANSWERS_KEY) === "1";
  const countdown = createCountdown(byId("current-countdown"));
  // A clicker's bounce after the page has already moved on: Next ignores presses for
  // this long after its previous press took effect (Close now is never held back).
  const NEXT_HOLD_MS = 1000;
  const nextPress = { from: null, heldUntil: 0, timer: null };
  // What the panels read over HTTP may have moved on while the socket was down.
  let connectedBefore = false;
  // A command pressed while the socket is down is refused on screen, never queued: sent
  // later, it would act on a stage the teacher may no longer be looking at.
  let refused = false; // one was refused: say so again once connected
  let unheard = false; // one went out and nothing has been heard since
  // accept: the newer forms of messages this page takes (docs/PROTOCOL.md).
  const socket = openJsonSocket("/ws/instructor?accept=paced_grid_rows,presence_sparse", {
    onMessage(message) {
      unheard = false;
      handleMessage(message);
    },
    onOpen() {
      if (connectedBefore) refreshPanels();
      connectedBefore = true;
      if (refused) setText("control-status", t("dashboard.status.reconnected"));
      refused = false;
    },
    onClose(code) {
      // The socket may have died before it took the last command (a half-open link).
      if (unheard) setText("control-status", t("dashboard.status.unconfirmed"));
      unheard = false;
      if (code !== 4001 && code !== 4003) return true;
      setText("state-label", t("dashboard.state.signed_out"));
      showWarning("auth", t("dashboard.warning.auth"));
      return false;
    },
  });

  /** The run on screen, for the library's Run button: it asks before sending a class away. */
  window.currentRun = () => ({ state: view.state ? view.state.state : null, title: view.state ? view.state.title : "", students: view.joined });

  /** This server's own trivia_trio.pyz, for a colleague with no internet: its link and
   * fingerprint, or why there is none (a server started from source). */
  async function showProgramFile() {
    const reply = await requestJson("GET", "/api/instructor/program");
    if (reply.status === 200 && reply.data) {
      const megabytes = Math.round(reply.data.bytes / 100000) / 10;
      setText("program-link", t("dashboard.program.download", { file: reply.data.file, megabytes }));
      setText("program-sha256", reply.data.sha256);
      byId("program-file").hidden = false;
    } else {
      setText("program-missing", i18n.serverText("error", (reply.data && reply.data.code) || "unknown"));
      byId("program-missing").hidden = false;
    }
  }

  function refreshPanels() {
    if (window.refreshRunsPanel) window.refreshRunsPanel();
    if (window.refreshLibraryPanel) window.refreshLibraryPanel();
    if (window.refreshClassesPanel) window.refreshClassesPanel();
  }

  // ---- Messages ------------------------------------------------------------

  const handlers = {
    state(message) {
      const before = view.state ? view.state.state : null;
      view.state = message;
      view.paced = message.pace === "student";
      if (nextPress.from !== null && stageShown() !== nextPress.from) holdNext();
      // Runs, item analysis and the library's last runs change when a question closes, the
      // quiz ends or a run starts. A state in the lobby is sent again only when the run
      // changed there: a Reset (a new run) or Run (the run takes another quiz).
      const runsChanged = ["question_closed", "finished", "lobby"].indexOf(message.state) >= 0;
      const again = before === message.state && message.state === "lobby";
      if (before !== null && (before !== message.state || again) && runsChanged) refreshPanels();
      if (window.libraryRoomChanged) window.libraryRoomChanged(message);
      if (message.state === "lobby" || message.state === "finished") forgetQuestion();
      else if (view.open && view.open.question_idx !== message.current_question_idx) forgetQuestion();
      if (message.state !== "question_open") countdown.stop();
      renderRich(byId("quiz-title"), message.title);
      setText("state-label", t(stateName(message)));
      renderControls();
      renderCurrent();
    },
    paced_grid(message) {
      pacedGrid.showWhole(message);
    },
    paced_grid_rows(message) {
      pacedGrid.showRows(message);
    },
    room_info(message) {
      view.room = message;
      renderRich(byId("quiz-title"), message.title);
      renderJoinPanel();
      renderQuestionPicker();
      renderControls();
      renderCurrent();
    },
    question_open(message) {
      if (!view.open || view.open.question_idx !== message.question_idx) forgetQuestion();
      view.open = message;
      countdown.start(message.remaining_ms);
      if (!view.closed) announce(numberedOrSlide("dashboard.announce.open", message.question_idx));
      renderCurrent();
    },
    live_histogram(message) {
      if (!view.open || message.question_idx !== view.open.question_idx || view.closed) return;
      view.histogram = message.histogram;
      view.results = message.results || null;
      view.topAnswers = message.top_answers; // typed kinds show them only once revealed
      view.answered = { submitted: message.submitted_count, total: message.total_count };
      renderCurrent();
    },
    entries_hidden(message) {
      if (!view.open || message.question_idx !== view.open.question_idx) return;
      if (view.closed) view.closed.top_answers = message.top_answers;
      else view.topAnswers = message.top_answers;
      renderCurrent();
    },
    question_closed(message) {
      // Students, as the server counts them: a multi answer ticks several letters.
      view.closed = message;
      view.histogram = message.histogram;
      view.results = message.results || null;
      view.answered = view.results ? { submitted: view.results.answered, total: view.results.students } : null;
      countdown.stop();
      announce(numberedOrSlide("dashboard.announce.closed", message.question_idx));
      renderCurrent();
    },
    lobby_update(message) {
      renderJoined(message.count);
    },
    lobby_count(message) {
      renderJoined(message.count);
    },
    presence_update(message) {
      tables.showPresence(message, true);
    },
    presence_changes(message) {
      tables.showPresence(message, false);
    },
    full_leaderboard(message) {
      tables.showScores(message, true);
    },
    leaderboard_changes(message) {
      tables.showScores(message, false);
    },
    session_ended() {
      countdown.stop();
      announce(t("dashboard.announce.ended"));
    },
    warning(message) {
      showWarning(message.code, i18n.serverText("warning", message.code, { title: message.title }));
    },
    error(message) {
      if (message.code !== "stale") {
        setText("control-status", i18n.serverText("error", message.code));
        return;
      }
      // Pressed at a stage that had passed: nothing changed, and the page shows the
      // stage (and the switches) as they are.
      nextPress.from = null;
      if (view.room) renderJoinPanel();
    },
  };

  const STATE_NAMES = {
    lobby: "dashboard.state.lobby",
    question_open: "dashboard.state.question_open",
    question_closed: "dashboard.state.question_closed",
    between_questions: "dashboard.state.between_questions",
    finished: "dashboard.state.finished",
  };

  /** The state pill's words. A student-paced run stays in the server's lobby state until
   * it ends, while its students are at work from their join: it says so instead. */
  function stateName(state) {
    if (state.state === "lobby" && state.pace === "student") return "dashboard.state.paced";
    return STATE_NAMES[state.state] || "dashboard.state.unknown";
  }

  function handleMessage(message) {
    const handler = handlers[message.type];
    if (handler) handler(message);
  }

  function forgetQuestion() {
    view.open = null;
    view.closed = null;
    view.histogram = null;
    view.results = null;
    view.topAnswers = undefined;
    view.answered = null;
  }

  // ---- Drawing -------------------------------------------------------------

  function questionCount() {
    return view.room ? view.room.questions.length : 0;
  }

  /** What the next press of Next (or Space, →, PageDown) will do, in the server's order. */
  function nextHint() {
    const total = questionCount();
    const state = view.state ? view.state.state : null;
    const idx = view.state ? view.state.current_question_idx : null;
    if (state === "finished") return t("dashboard.hint.finished");
    if (state === "lobby" || idx === null || idx === undefined) return total ? opensHint(0) : "";
    // An open slide has nothing to reveal: Next passes it to what follows.
    if (state === "question_open" && numberOf(idx) !== null) return t("dashboard.hint.closes_and_reveals", { current: numberOf(idx) });
    if (state === "question_closed" && view.room && view.room.leaderboard_between) return t("dashboard.hint.shows_leaderboard");
    // The server says which question Next opens: after one asked again, not the one after it.
    const told = view.closed || view.open;
    const following = told && "next_idx" in told ? told.next_idx : idx + 1 < total ? idx + 1 : null;
    return following !== null ? opensHint(following) : t("dashboard.hint.ends");
  }

  /** A question's number as the pages say it: slides are not counted (the server numbers them). */
  function numberOf(idx) {
    const question = view.room ? view.room.questions[idx] : null;
    return question && question.number !== undefined ? question.number : idx + 1;
  }

  /** `key` worded with the question's number; a slide is just "Slide". */
  function numberedOrSlide(key, idx) {
    return numberOf(idx) === null ? t("question.slide") : t(key, { number: numberOf(idx) });
  }

  function opensHint(idx) {
    if (numberOf(idx) === null) return t("dashboard.hint.opens_slide");
    const total = view.room && view.room.question_count !== undefined ? view.room.question_count : questionCount();
    return t("dashboard.hint.opens", { number: numberOf(idx), total });
  }

  let paceShown = null;
  function renderControls() {
    const state = view.state ? view.state.state : null;
    const over = state === null || state === "finished";
    const held = nextHeld();
    setText("next-hint", held ? t("dashboard.hint.held") : nextHint());
    byId("next-button").disabled = over;
    if (held) byId("next-button").setAttribute("aria-disabled", "true");
    else byId("next-button").removeAttribute("aria-disabled");
    byId("close-button").disabled = state !== "question_open";
    byId("leaderboard-button").disabled = state !== "question_closed";
    byId("end-button").disabled = over;
    // A student-paced run: the students open their own questions; the teacher watches
    // the grid and may end the run for everyone.
    const paced = Boolean(view.paced);
    document.body.classList.toggle("paced-run", paced);
    tables.setPaced(paced);
    byId("paced-panel").hidden = !paced;
    ["next-button", "next-hint", "keyboard-hint", "close-button", "leaderboard-button", "open-form"].forEach((id) => { byId(id).hidden = paced; });
    byId("close-when-all-answered").closest("label").hidden = paced;
    setText("end-button", t(paced ? "dashboard.paced.end_all" : "dashboard.controls.end"));
    byId("pace-form").hidden = state !== "lobby" || view.joined > 0;
    // Set when the room's pace changes, not on every message: a teacher choosing in the
    // form keeps their choice while students join.
    if (paced !== paceShown) {
      paceShown = paced;
      byId("pace-form").querySelector(`input[data-pace="${paced ? "student" : "live"}"]`).checked = true;
    }
    byId("pace-options").hidden = !paced && byId("pace-form").querySelector("input[name=pace]:checked").getAttribute("data-pace") !== "student";
    // After the end only a reset (or a new quiz) starts anything again.
    byId("open-form").querySelectorAll("select, input, button").forEach((control) => {
      control.disabled = over;
    });
  }

  function renderCurrent() {
    const idx = view.open ? view.open.question_idx : null;
    const info = idx !== null && view.room ? view.room.questions[idx] : null;
    // While the projector shows the leaderboard, so does this panel: no scrolling to find it.
    const showingLeaderboard = Boolean(view.state && view.state.state === "between_questions");
    byId("current-leaderboard").hidden = !showingLeaderboard;
    if (showingLeaderboard) renderLeaderboard(byId("current-leaderboard-rows"), tables.topScores(10));
    byId("current-empty").hidden = Boolean(info) || showingLeaderboard;
    byId("current-question").hidden = !info || showingLeaderboard;
    if (!info || showingLeaderboard) return;
    const revealed = Boolean(view.closed) || byId("show-answers").checked;
    setText("current-number", view.closed && view.open.question_number !== null
      ? t("dashboard.current.number_closed", { number: view.open.question_number || idx + 1, total: view.open.question_count || questionCount() })
      : questionNumberText(view.open));
    byId("current-clock").hidden = Boolean(view.closed);
    renderRich(byId("current-text"), info.text);
    setText("current-answered", view.answered && kindOf(view.open).takesAnswers ? t("answered.of", { count: view.answered.submitted, total: view.answered.total }) : "");
    kindOf(view.open).tally(byId("current-histogram"), view.open, {
      counts: withResults(view.histogram, view.results, Boolean(view.closed)),
      // A mirrored laptop gives nothing away: the answer shows at the reveal, or when asked.
      correct: view.closed ? view.closed.correct : revealed ? info.correct : null,
      top_answers: view.closed ? view.closed.top_answers : view.topAnswers,
      revealed: Boolean(view.closed),
      // A kind whose entries the teacher may hide from the big screen (a word cloud's).
      hide: (answer, hidden) => command({ type: "hide_answer", question_idx: idx, answer, hidden }),
    });
    fill(byId("current-explanation"), ...(revealed && info.explanation
      ? i18n.tNodes("dashboard.current.explanation", {}, { text: richText("span", { dir: "auto" }, info.explanation) }) : []));
  }

  function renderJoinPanel() {
    const room = view.room;
    const link = byId("join-url");
    link.href = room.join_url;
    link.textContent = room.join_url;
    const qr = byId("join-qr");
    qr.hidden = !room.qr_url;
    if (room.qr_url) qr.src = room.qr_url;
    byId("projector-link").href = room.projector_url || "/projector";
    // For a second machine: the projector link at the address students join at (this laptop's on the network).
    byId("projector-address").textContent = new URL(room.projector_url || "/projector", new URL(room.join_url || "/", location.href)).href;
    byId("live-answers").checked = Boolean(room.projector_live_answers);
    byId("lock-joining").checked = Boolean(room.joining_locked);
    byId("close-when-all-answered").checked = room.close_when_all_answered !== false;
    byId("projector-language").value = room.projector_language || "";
    // The teacher's pick over the quiz's own setting ("": the quiz's).
    byId("leaderboard-mode").value = room.leaderboard && room.leaderboard !== room.quiz_leaderboard ? room.leaderboard : "";
    byId("phones-mode").value = room.phones && room.phones !== room.quiz_phones ? room.phones : "";
  }

  /** The big screen's language: automatic (the quiz's, else the projector browser's) or one picked here. */
  function fillProjectorLanguages() {
    fill(byId("projector-language"), el("option", { value: "", text: t("dashboard.join.projector_language_auto") }),
      ...Object.keys(LANGUAGES).map((code) => el("option", { value: code, lang: code, text: LANGUAGES[code] })));
  }

  function renderJoined(count) {
    view.joined = count;
    if (view.state) renderControls(); // the pace is chosen before anyone joins
    const number = el("span", { id: "joined-count", text: i18n.formatNumber(count) });
    fill(byId("joined-line"), ...i18n.tNodes("dashboard.join.joined", { count }, { count: number }));
  }

  function renderQuestionPicker() {
    const picker = byId("open-question");
    const chosen = picker.value;
    fill(picker, ...view.room.questions.map((q) =>
      el("option", { value: q.idx, text: t("dashboard.open.option", { number: numberOf(q.idx) || t("question.slide"), text: shorten(mathAsText(q.text), 60), seconds: q.time_limit }) })));
    if (chosen && chosen < view.room.questions.length) picker.value = chosen;
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function showWarning(code, text) {
    const warnings = byId("warnings");
    const existing = warnings.querySelector('[data-code="' + CSS.escape(code) + '"]');
    if (existing) existing.remove();
    const dismiss = el("button", { type: "button", class: "button-small" }, t("dashboard.warning.dismiss"));
    const item = el("p", { class: "warning", "data-code": code }, el("strong", { text: t("dashboard.warning.label") }), " ", text, " ", dismiss);
    dismiss.addEventListener("click", () => item.remove());
    warnings.appendChild(item);
  }

  // ---- Actions -------------------------------------------------------------

  /** The stage this page shows, as a command's ``from`` names it ("question_open:0"). */
  function stageShown() {
    if (!view.state) return null;
    const idx = view.state.current_question_idx;
    return view.state.state + ":" + (idx === null || idx === undefined ? "null" : idx);
  }

  /** Send a command for the stage on screen: the server ignores it once that stage has passed. */
  function command(message) {
    const stage = stageShown();
    return sendOrRefuse(stage === null ? message : Object.assign({ from: stage }, message));
  }

  /** Send `message`, or say on screen that it was not sent (and show the room's switches again). */
  function sendOrRefuse(message) {
    const sent = socket.send(message);
    refused = !sent;
    unheard = sent;
    setText("control-status", sent ? "" : t("dashboard.status.not_connected"));
    if (!sent && view.room) renderJoinPanel();
    return sent;
  }

  function nextHeld() {
    return performance.now() < nextPress.heldUntil;
  }

  /** Next took effect: hold it back for a moment, and say so under the button. */
  function holdNext() {
    nextPress.from = null;
    nextPress.heldUntil = performance.now() + NEXT_HOLD_MS;
    clearTimeout(nextPress.timer);
    nextPress.timer = setTimeout(renderControls, NEXT_HOLD_MS);
  }

  function pressNext() {
    if (byId("next-button").disabled || nextHeld()) return;
    const stage = stageShown();
    if (command({ type: "next" })) nextPress.from = stage;
  }

  /** Ask in a real <dialog>; resolves true when the instructor confirms. */
  async function clearStudent(row) {
    const sure = await confirmAction(t("dashboard.confirm.clear", { name: row.name, student_id: row.student_id }), t("dashboard.confirm.clear_button"));
    if (!sure) return;
    const who = { student_id: row.student_id };
    try {
      const reply = await requestJson("POST", "/api/instructor/clear", who);
      setText("control-status", t(reply.data && reply.data.removed ? "dashboard.status.cleared" : "dashboard.status.nothing_to_clear", who));
    } catch (networkDown) {
      setText("control-status", t("dashboard.status.clear_offline", who));
    }
  }

  function isInFormControl(target) {
    return target instanceof Element && (target.closest("input, select, textarea, button, dialog") !== null || target.isContentEditable);
  }

  byId("next-button").addEventListener("click", pressNext);
  byId("close-button").addEventListener("click", () => command({ type: "close_question" }));
  byId("leaderboard-button").addEventListener("click", () => command({ type: "show_leaderboard" }));
  byId("end-button").addEventListener("click", async () => {
    const asked = view.paced ? t("dashboard.paced.end_confirm") : t("dashboard.confirm.end");
    if (await confirmAction(asked, t("dashboard.confirm.end_button"))) command({ type: "end_session" });
  });
  byId("pace-form").addEventListener("change", () => {
    byId("pace-options").hidden = byId("pace-form").querySelector("input[name=pace]:checked").getAttribute("data-pace") !== "student";
  });
  byId("pace-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const pace = byId("pace-form").querySelector("input[name=pace]:checked").getAttribute("data-pace");
    const minutes = byId("pace-end-minutes").value;
    const paced = {
      feedback: byId("pace-feedback-end").checked ? "end" : "each",
      shuffle_questions: byId("pace-shuffle-questions").checked,
      shuffle_options: byId("pace-shuffle-options").checked,
      review: byId("pace-review").checked,
      standings: byId("pace-standings").checked,
    };
    if (minutes) paced.end_minutes = Number(minutes);
    sendOrRefuse({ type: "set_pace", pace, paced });
  });
  const pacedGrid = createPacedGrid({
    onAccommodate: (studentId, extraTime, noSpeedPenalty) =>
      command({ type: "accommodate", student_id: studentId, extra_time: extraTime, no_speed_penalty: noSpeedPenalty }),
    // The grid's rows carry every score: the server sends no leaderboard_changes besides.
    onScores: (rows, whole) => tables.showScores(whole ? { leaderboard: rows } : { rows }, whole),
  });
  byId("reset-button").addEventListener("click", async () => {
    if (await confirmAction(t("dashboard.confirm.reset"), t("dashboard.confirm.reset_button"))) command({ type: "reset" });
  });
  byId("open-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const message = { type: "open_question", question_idx: Number(byId("open-question").value) };
    const limit = byId("open-time-limit").value;
    if (limit) message.time_limit = Number(limit);
    command(message);
  });
  byId("live-answers").addEventListener("change", (event) => command({ type: "projector_live_answers", on: event.target.checked }));
  byId("lock-joining").addEventListener("change", (event) => command({ type: "lock_joining", on: event.target.checked }));
  byId("show-answers").addEventListener("change", (event) => {
    localStorage.setItem(SHOW_ANSWERS_KEY, event.target.checked ? "1" : "0");
    renderCurrent();
  });
  byId("close-when-all-answered").addEventListener("change", (event) => command({ type: "close_when_all_answered", on: event.target.checked }));
  byId("projector-language").addEventListener("change", (event) => command({ type: "projector_language", language: event.target.value || null }));
  byId("leaderboard-mode").addEventListener("change", (event) => command({ type: "leaderboard_mode", mode: event.target.value || null }));
  byId("phones-mode").addEventListener("change", (event) => command({ type: "phones_mode", mode: event.target.value || null }));
  setText("current-countdown-unit", t("countdown.unit_short"));
  fill(byId("attention-note"), ...i18n.tNodes("dashboard.students.attention_note", {}, {
    lost_focus: el("strong", { text: t("dashboard.students.lost_focus") }),
    page_hidden: el("strong", { text: t("dashboard.students.page_hidden") }),
  }));
  renderJoined(0);
  fillProjectorLanguages();
  showProgramFile();
  byId("language-picker").appendChild(i18n.picker(() => location.reload()));
  document.addEventListener("keydown", (event) => {
    // Presentation clickers send PageDown or →.
    const isNextKey = event.key === " " || event.key === "ArrowRight" || event.key === "PageDown";
    if (!isNextKey || event.altKey || event.ctrlKey || event.metaKey || isInFormControl(event.target)) return;
    event.preventDefault();
    pressNext();
  });
});
