"use strict";
// The student's phone: join, wait, answer, see the result. Every screen is
// drawn from the server's messages, so a reconnect redraws from its snapshot.
(() => {
  const PENDING_KEY = "trivia-trio.pending-answer";
  // Who this phone last joined as: filled in again when the teacher starts a new run,
  // also after a reload (the form's fields alone would be empty then).
  const JOINED_AS_KEY = "trivia-trio.joined-as";
  const ACK_PATIENCE_MS = 6000;
  const TELEMETRY_MIN_GAP_MS = 1000;
  const NAME_MAX_CHARS = 64; // the server's limit for ids and names
  const VERDICTS = {
    right: { shown: "student.verdict.right", spoken: "student.verdict.right_spoken" },
    wrong: { shown: "student.verdict.wrong", spoken: "student.verdict.wrong_spoken" },
    none: { shown: "student.verdict.none", spoken: "student.verdict.none_spoken" },
    partial: { shown: "student.verdict.partial", spoken: "student.verdict.partial_spoken" },
    not_present: { shown: "student.verdict.not_present", spoken: "student.verdict.not_present_spoken" },
    vote: { shown: "student.verdict.vote", spoken: "student.verdict.vote_spoken" },
    look: { shown: "student.verdict.look", spoken: "student.verdict.look_spoken" },
    saved: { shown: "student.verdict.saved", spoken: "student.verdict.saved_spoken" },
    not_reached: { shown: "student.verdict.not_reached", spoken: "student.verdict.not_reached_spoken" },
  };
  // A review item's word (results.py) as the reveal's verdict says it.
  const REVIEW_VERDICTS = { right: "right", partial: "partial", wrong: "wrong", no_answer: "none", not_reached: "not_reached", not_scored: "vote" };
  // Why the server refused a join, by its code (anything else: join.error.status).
  const JOIN_ERRORS = {
    bad_join: "student.join.error.bad_join",
    duplicate_student_id: "student.join.error.taken",
    rate_limited: "student.join.error.rate_limited",
    storage: "student.join.error.storage",
    quiz_reset: "student.join.error.quiz_reset",
    quiz_finished: "student.join.error.quiz_finished",
    joining_locked: "student.join.error.locked",
    not_on_roster: "student.join.error.not_on_roster",
  };
  const RESET_NOTICES = {
    reset: "student.join.notice.reset",
    new_quiz: "student.join.notice.new_quiz",
    removed: "student.join.notice.removed",
  };

  const views = {
    loading: byId("loading-view"),
    join: byId("join-view"),
    lobby: byId("lobby-view"),
    question: byId("question-view"),
    reveal: byId("reveal-view"),
    between: byId("between-view"),
    end: byId("end-view"),
  };
  const countdown = createCountdown(byId("question-countdown"));

  let socket = null;
  let question = null; // the last question_open message
  let heardOpen = null; // the question this page saw open with time left: its student was there
  let held = null; // messages that came while a reveal waits for the student's word, in order
  let answering = null; // its kind's controls: {show(answer, received)}
  let ackTimer = null;
  let lastTelemetryAt = 0;
  let resetReason = "reset"; // why the server sent us back to the join form (session_reset)
  let leavingPage = false; // a reload or a link: not "left the page"

  // ---- Joining -------------------------------------------------------------

  async function start() {
    setText("quiz-title", t("app.name"));
    setText("question-countdown-unit", t("countdown.unit_short"));
    setText("student-id-limit", t("student.join.id_limit", { max: NAME_MAX_CHARS }));
    setText("student-name-limit", t("student.join.name_limit", { max: NAME_MAX_CHARS }));
    let me;
    try {
      me = await requestJson("GET", "/api/me");
    } catch (networkDown) {
      showConnectionLost(true);
      setTimeout(start, 2000 + Math.random() * 1000);
      return;
    }
    showConnectionLost(false);
    if (me.status === 200) enterQuiz(me.data);
    else showJoinForm("");
  }

  function forgetLastJoin() {
    localStorage.removeItem(JOINED_AS_KEY);
    byId("student-id").value = "";
    byId("student-name").value = "";
  }

  function showJoinForm(notice) {
    if (socket) socket.stop();
    socket = null;
    countdown.stop();
    clearTimeout(ackTimer);
    byId("who-am-i").hidden = true;
    byId("join-notice").hidden = !notice;
    setText("join-notice", notice);
    byId("join-error").hidden = true;
    byId("join-confirm").hidden = true;
    fillInLastJoin();
    showOnly(views, "join");
    byId("student-id").focus();
    rosterLoaded = loadRoster();
  }

  // A run that takes its students from a class list asks only for the id (unless it takes
  // guests too), then "Are you Ada Lovelace?" before joining under the list's name.
  let roster = { roster: false, guests: false };
  let confirming = null; // {studentId, name} while "Are you …?" waits for an answer
  let rosterLoaded = Promise.resolve(); // a Join pressed before the answer waits for it

  async function loadRoster() {
    try {
      const reply = await requestJson("GET", "/api/roster");
      if (reply.status === 200 && reply.data) roster = reply.data;
    } catch (networkDown) {
      return; // the join itself will say the server cannot be reached
    }
    byId("student-name-field").hidden = roster.roster && !roster.guests;
  }

  function fillInLastJoin() {
    let last = null;
    try {
      last = JSON.parse(localStorage.getItem(JOINED_AS_KEY));
    } catch (unreadable) {
      last = null;
    }
    if (!last) return;
    [["student-id", last.student_id], ["student-name", last.name]].forEach(([id, value]) => {
      if (!byId(id).value && typeof value === "string") byId(id).value = value;
    });
  }

  function showJoinError(text) {
    const error = byId("join-error");
    error.textContent = text;
    error.hidden = false;
  }

  function joinErrorFor(reply) {
    const code = reply.data && reply.data.code;
    return JOIN_ERRORS[code] ? t(JOIN_ERRORS[code]) : t("student.join.error.status", { status: String(reply.status) });
  }

  async function submitJoin(event) {
    event.preventDefault();
    await rosterLoaded;
    const studentId = byId("student-id").value.trim();
    const name = byId("student-name").value.trim();
    byId("join-error").hidden = true;
    if (roster.roster && !studentId) {
      showJoinError(t("student.join.error.empty_id"));
      return;
    }
    if (roster.roster) {
      await checkOnRoster(studentId, name);
      return;
    }
    await sendJoin(studentId, name);
  }

  async function checkOnRoster(studentId, typedName) {
    const button = byId("join-button");
    button.disabled = true;
    let reply;
    try {
      reply = await requestJson("POST", "/api/join/check", { student_id: studentId });
    } catch (networkDown) {
      showJoinError(t("student.join.error.offline"));
      return;
    } finally {
      button.disabled = false;
    }
    if (reply.status !== 200) {
      showJoinError(joinErrorFor(reply));
      return;
    }
    if (reply.data.name === null) {
      await sendJoin(studentId, typedName); // a guest: the name they typed
      return;
    }
    confirming = { studentId, name: reply.data.name };
    setText("join-confirm-question", t("student.join.confirm", { name: reply.data.name }));
    byId("join-form").hidden = true;
    byId("join-confirm").hidden = false;
    byId("join-confirm-yes").focus();
  }

  function notMe() {
    confirming = null;
    byId("join-confirm").hidden = true;
    byId("join-form").hidden = false;
    byId("student-id").value = "";
    byId("student-id").focus();
  }

  async function confirmJoin() {
    if (!confirming) return;
    const { studentId, name } = confirming;
    byId("join-confirm").hidden = true;
    byId("join-form").hidden = false;
    confirming = null;
    await sendJoin(studentId, name);
  }

  async function sendJoin(studentId, name) {
    if (!studentId || !name) {
      showJoinError(t("student.join.error.empty"));
      return;
    }
    const tooLong = [["student.join.error.id_too_long", studentId], ["student.join.error.name_too_long", name]]
      .find((field) => Array.from(field[1]).length > NAME_MAX_CHARS);
    if (tooLong) {
      showJoinError(t(tooLong[0], { length: Array.from(tooLong[1]).length, max: NAME_MAX_CHARS }));
      return;
    }
    const button = byId("join-button");
    button.disabled = true;
    try {
      const reply = await requestJson("POST", "/api/join", { student_id: studentId, name });
      if (reply.status === 200) enterQuiz(reply.data);
      else showJoinError(joinErrorFor(reply));
    } catch (networkDown) {
      showJoinError(t("student.join.error.offline"));
    } finally {
      button.disabled = false;
    }
  }

  function enterQuiz(me) {
    localStorage.setItem(JOINED_AS_KEY, JSON.stringify({ student_id: me.student_id, name: me.name }));
    setText("who-am-i", t("student.playing_as", { name: me.name, student_id: me.student_id }));
    byId("who-am-i").hidden = false;
    showOnly(views, "loading");
    socket = openJsonSocket("/ws/student", { onMessage: handleMessage, onClose: handleClose });
  }

  function handleClose(code) {
    if (code === 4001) {
      showJoinForm("");
      return false;
    }
    if (code === 4002) {
      forgetPendingAnswer();
      // Removed by the teacher (often: someone else's id taken by mistake): not filled in again.
      if (resetReason === "removed") forgetLastJoin();
      showJoinForm(t(RESET_NOTICES[resetReason] || RESET_NOTICES.reset));
      return false;
    }
    return true;
  }

  // ---- Messages ------------------------------------------------------------

  const handlers = {
    state(message) {
      showTitle(message.title);
      // question_open / question_closed / session_ended follow with the details.
      if (message.state === "lobby") {
        countdown.stop();
        showOnly(views, "lobby");
      } else if (message.state === "between_questions") {
        showOnly(views, "between");
      }
    },
    lobby_count(message) {
      const number = el("span", { id: "lobby-count", text: i18n.formatNumber(message.count) });
      fill(byId("lobby-count-line"), ...i18n.tNodes("student.lobby.count", { count: message.count }, { count: number }));
    },
    question_open: showQuestion,
    submit_ack: acknowledge,
    error: showError,
    question_closed: showReveal,
    between_questions: showBetween,
    session_ended: showEnd,
    paced_finished: showPacedFinished,
    session_reset(message) {
      forgetPendingAnswer(); // the 4002 close that follows shows the join form
      resetReason = message.reason || "reset";
      if (message.title) showTitle(message.title);
    },
  };

  function showTitle(title) {
    renderRich(byId("quiz-title"), title || t("app.name"));
    document.title = title ? t("student.page_title", { title }) : t("app.name");
  }

  function handleMessage(message) {
    if (held) {
      held.push(message);
      return;
    }
    const handler = handlers[message.type];
    if (handler) handler(message);
  }

  // ---- Answering -----------------------------------------------------------

  function showQuestion(sent) {
    // Buttons only: the question is on the big screen; one button per option, by letter.
    const message = sent.buttons_only ? Object.assign({ text: t("student.buttons_only.look"), options: Array(sent.option_count || 0).fill("") }, sent) : sent;
    views.question.classList.toggle("buttons-only", Boolean(sent.buttons_only));
    const isNew = !question || question.question_idx !== message.question_idx || views.question.hidden;
    question = message;
    setText("question-number", questionNumberText(message));
    renderRich(byId("question-text"), message.text);
    showPicture(byId("question-image"), message.image);
    answering = kindOf(message).answer(byId("answer-area"), message, submitAnswer);
    // Asked again: the answer given before stands unless the student answers again.
    const earlier = message.your_earlier_answer;
    if (earlier !== undefined && earlier !== null) setAnswerStatus(t("student.answer.earlier", { answer: kindOf(message).say(earlier, message) }), "earlier");
    else setAnswerStatus("", "");
    const timed = typeof message.remaining_ms === "number";
    if (message.remaining_ms !== 0) heardOpen = message.question_idx;
    byId("question-clock").hidden = !timed;
    if (timed) countdown.start(message.remaining_ms);
    else countdown.stop();
    byId("paced-next").disabled = false;
    // A student-paced slide has nothing to answer and no clock: its own Next goes on.
    byId("paced-pass").hidden = message.pace !== "student" || kindOf(message).takesAnswers;
    byId("paced-pass").disabled = false;
    showOnly(views, "question");
    if (isNew) announce(questionAnnouncement(message));

    const pending = readPendingAnswer();
    if (pending && pending.question_idx === message.question_idx) sendAnswer(pending.answer);
    else forgetPendingAnswer();
  }

  function submitAnswer(answer) {
    if (!question || (!byId("question-clock").hidden && countdown.secondsLeft() === 0)) return;
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ question_idx: question.question_idx, answer }));
    sendAnswer(answer);
  }

  function sendAnswer(answer) {
    answering.show(answer, false);
    setAnswerStatus(t("student.answer.sending", { letter: kindOf(question).say(answer, question) }), "sending");
    clearTimeout(ackTimer);
    // No ack in time: the socket is probably dead; a new one resends from sessionStorage.
    ackTimer = setTimeout(() => socket.forceReconnect(), ACK_PATIENCE_MS);
    socket.send({ type: "submit", question_idx: question.question_idx, answer });
  }

  function acknowledge(ack) {
    if (!question || ack.question_idx !== question.question_idx) return;
    clearTimeout(ackTimer);
    forgetPendingAnswer();
    answering.show(ack.answer, true);
    setAnswerStatus(t("student.answer.received", { letter: kindOf(question).say(ack.answer, question) }), "received");
  }

  function showError(error) {
    clearTimeout(ackTimer);
    const answerWasRefused = ["time_expired", "not_open", "bad_question", "bad_answer", "too_late", "already_passed", "not_reached"].indexOf(error.code) >= 0;
    if (answerWasRefused) forgetPendingAnswer();
    if (views.question.hidden) return;
    const reasons = {
      time_expired: "student.answer.error.time_expired",
      not_open: "student.answer.error.not_open",
      rate_limited: "student.answer.error.rate_limited",
      storage: "student.answer.error.storage",
      too_late: "error.too_late",
      already_passed: "error.already_passed",
      not_reached: "error.not_reached",
    };
    setAnswerStatus(t(reasons[error.code] || "student.answer.error.other"), "error");
    if ((!answerWasRefused || error.code === "bad_answer") && answering) answering.show(null, false);
  }

  function setAnswerStatus(text, kind) {
    const status = byId("answer-status");
    status.textContent = text;
    status.className = "answer-status" + (kind ? " answer-status-" + kind : "");
  }

  function readPendingAnswer() {
    try {
      return JSON.parse(sessionStorage.getItem(PENDING_KEY));
    } catch (unreadable) {
      return null;
    }
  }

  function forgetPendingAnswer() {
    sessionStorage.removeItem(PENDING_KEY);
  }

  // ---- Results -------------------------------------------------------------

  function showReveal(message) {
    if (needsOwnWord(message)) {
      askOwnWord(message);
      return;
    }
    countdown.stop();
    clearTimeout(ackTimer);
    forgetPendingAnswer();
    const shown = question && question.question_idx === message.question_idx ? question : { kind: message.kind };
    const kind = kindOf(shown);
    // Student-paced with feedback at the end: only "Saved" until the run is over.
    const paced = message.pace === "student";
    const outcome = paced && message.your_result === undefined
      ? (message.saved ? "saved" : "none") : revealOutcome(kind, message);
    setText("reveal-verdict", t(VERDICTS[outcome].shown));
    views.reveal.className = "reveal-" + outcome;
    const answered = message.your_answer !== null && message.your_answer !== undefined;
    byId("reveal-yours").hidden = !answered || !kind.takesAnswers;
    if (answered) setText("reveal-yours", t(outcome === "vote" ? "student.reveal.your_vote" : "student.reveal.your_answer", { answer: kind.say(message.your_answer, shown) }));
    const solution = kind.solution(shown, message.correct);
    byId("reveal-correct").hidden = !solution;
    if (solution) fill(byId("reveal-correct"), t("student.reveal.answer_label"), " ", ...solution);
    renderRich(byId("reveal-explanation"), message.explanation || "");
    byId("reveal-scores").hidden = !kind.takesAnswers || paced;
    byId("reveal-wait").hidden = paced;
    byId("paced-next").hidden = !paced;
    setText("reveal-score", formatScore(message.your_score));
    setText("reveal-total", formatScore(message.your_total));
    setText("reveal-rank", rankText(message.your_rank));
    byId("reveal-rank").parentElement.hidden = message.your_rank === undefined;
    showOnly(views, "reveal");
    const scores = { total: formatScore(message.your_total), rank: rankText(message.your_rank) };
    // No place was sent (the leaderboard is hidden now): none is spoken.
    const ranked = message.your_rank !== undefined;
    announce(t(VERDICTS[outcome].spoken) + " " + (solution
      ? t(ranked ? "student.reveal.announce" : "student.reveal.announce_no_rank", Object.assign({ letter: solutionWords(kind, shown, message.correct) }, scores))
      : t(ranked ? "student.reveal.announce_total" : "student.reveal.announce_total_no_rank", scores)));
  }

  /**
   * right, partial, wrong, none (no answer), not_present (joined after it), vote (a poll's:
   * nothing to get right) or look (a slide: nothing to answer); the server's your_result
   * decides. Named by what the kind is (kind.votes, kind.takesAnswers), never by its name.
   */
  function revealOutcome(kind, message) {
    if (!kind.takesAnswers) return "look";
    if (message.your_result === "not_present") return "not_present";
    if (message.your_answer === null || message.your_answer === undefined) return "none";
    if (kind.votes) return "vote";
    // The results model's word where the server sends it (a student-paced close does).
    if (["right", "partial", "wrong"].indexOf(message.your_result) >= 0) return message.your_result;
    const right = message.your_correct === undefined ? message.your_answer === message.correct : message.your_correct;
    return right ? "right" : "wrong";
  }

  /**
   * A quiz v1 could run keeps v1's reveal, which has no word for the student (your_result).
   * Without an answer it means "no answer" only if the student was there while it was open,
   * as this page knows when it saw it open; a page that did not (a late joiner, a reload)
   * asks /api/me for the word. Messages that come meanwhile wait, in order.
   */
  function needsOwnWord(message) {
    return message.your_result === undefined && message.pace !== "student"
      && (message.your_answer === null || message.your_answer === undefined)
      && heardOpen !== message.question_idx;
  }

  async function askOwnWord(message) {
    const asking = socket;
    held = [];
    let word = null;
    try {
      const me = await requestJson("GET", "/api/me");
      const kept = me.status === 200 ? me.data.submissions.find((s) => s.question_idx === message.question_idx) : null;
      if (kept && typeof kept.result === "string") word = kept.result;
    } catch (networkDown) {
      word = null; // then the reveal says what v1's did
    }
    const later = held;
    held = null;
    if (socket !== asking) return; // sent back to the join form meanwhile
    showReveal(Object.assign({}, message, { your_result: word }));
    later.forEach(handleMessage);
  }

  function goNext() {
    if (!socket || !question) return;
    byId("paced-next").disabled = true;
    byId("paced-pass").disabled = true;
    socket.send({ type: "next", question_idx: question.question_idx });
  }

  function showPacedFinished(message) {
    countdown.stop();
    byId("between-total").parentElement.parentElement.hidden = message.your_total === undefined;
    setText("between-total", formatScore(message.your_total));
    setText("between-rank", "—");
    byId("between-top5-heading").hidden = true;
    fill(byId("between-top5"));
    setText("between-next", t("student.paced.finished"));
    showOnly(views, "between");
    announce(t("student.paced.finished"));
  }

  function showReview(items) {
    byId("end-review").hidden = !items;
    fill(byId("end-review-list"), ...(items || []).map((item) => {
      const shown = Object.assign({ question_idx: item.question_idx }, item.question);
      const kind = kindOf(shown);
      const verdict = VERDICTS[REVIEW_VERDICTS[item.result] || "none"];
      const text = el("p", { class: "review-question", dir: "auto" });
      renderRich(text, item.question.text);
      // A slide had nothing to answer: no verdict ("Thanks for voting" is a poll's).
      const parts = [el("p", { class: "muted", text: questionNumberText(item) }), text,
        ...(kind.takesAnswers ? [el("p", { class: "review-verdict review-" + item.result, text: t(verdict.shown) })] : [])];
      if (item.your_answer !== null && item.your_answer !== undefined && kind.takesAnswers) {
        parts.push(el("p", { text: t("student.reveal.your_answer", { answer: kind.say(item.your_answer, shown) }) }));
      }
      const solution = kind.solution(shown, item.correct);
      if (solution) parts.push(el("p", { class: "reveal-correct" }, t("student.reveal.answer_label"), " ", ...solution));
      if (item.explanation) {
        const why = el("p", { class: "explanation", dir: "auto" });
        renderRich(why, item.explanation);
        parts.push(why);
      }
      return el("li", {}, ...parts);
    }));
  }

  function showBetween(message) {
    byId("between-total").parentElement.parentElement.hidden = false;
    byId("between-top5-heading").hidden = !message.top5;
    setText("between-total", formatScore(message.your_total));
    setText("between-rank", rankText(message.your_rank));
    byId("between-rank").parentElement.hidden = message.your_rank === undefined;
    renderLeaderboard(byId("between-top5"), message.top5);
    const last = message.next_idx === null || message.next_idx === undefined;
    const next = message.next_number === null ? t("question.slide")
      : t("student.between.next", { number: message.next_number || message.next_idx + 1 });
    setText("between-next", last ? t("student.between.last") : next);
    showOnly(views, "between");
    announce(message.your_rank !== undefined
      ? t("student.between.announce", { rank: rankText(message.your_rank), total: formatScore(message.your_total) })
      : t("student.reveal.announce_total_no_rank", { total: formatScore(message.your_total) }));
  }

  function showEnd(message) {
    countdown.stop();
    forgetPendingAnswer();
    setText("end-answered", question
      ? t("student.end.answered_of", { count: message.questions_answered, total: message.questions_asked !== undefined ? message.questions_asked : question.total_questions })
      : i18n.formatNumber(message.questions_answered));
    setText("end-correct", i18n.formatNumber(message.questions_correct));
    setText("end-total", formatScore(message.your_total));
    setText("end-rank", rankText(message.your_rank));
    renderLeaderboard(byId("end-top5"), message.final_top5);
    byId("end-top5-heading").hidden = !message.final_top5;
    byId("end-rank").parentElement.hidden = message.your_rank === undefined;
    showReview(message.review);
    showOnly(views, "end");
    announce(message.your_rank !== undefined
      ? t("student.end.announce", { count: message.questions_correct, rank: rankText(message.your_rank) })
      : t("student.end.announce_no_rank", { count: message.questions_correct }));
  }

  function rankText(rank) {
    return rank ? t("rank.number", { rank }) : "—";
  }

  // ---- Telemetry (best effort) ---------------------------------------------

  function reportAttentionLost(kind) {
    const now = Date.now();
    // Only while a question is on screen, and never for a reload or a link followed.
    const answering = question && !views.question.hidden && countdown.secondsLeft() > 0;
    if (!socket || leavingPage || !answering || now - lastTelemetryAt < TELEMETRY_MIN_GAP_MS) return;
    lastTelemetryAt = now;
    const body = { kind, question_idx: question.question_idx };
    fetch("/api/events", {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).catch(() => {});
  }

  window.addEventListener("pagehide", () => {
    leavingPage = true;
  });
  window.addEventListener("beforeunload", () => {
    leavingPage = true;
  });
  window.addEventListener("pageshow", () => {
    leavingPage = false; // back from the cache: the page is live again
  });
  window.addEventListener("blur", () => reportAttentionLost("blur"));
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) reportAttentionLost("visibility_hidden");
  });
  byId("join-form").addEventListener("submit", submitJoin);
  byId("paced-next").addEventListener("click", goNext);
  byId("paced-pass").addEventListener("click", goNext);
  byId("join-confirm-yes").addEventListener("click", confirmJoin);
  byId("join-confirm-no").addEventListener("click", notMe);
  i18n.ready.then(() => {
    byId("language-picker").appendChild(i18n.picker(() => location.reload()));
    start();
  });
})();
