"use strict";
// The student's phone: join, wait, answer, see the result. Every screen is
// drawn from the server's messages, so a reconnect redraws from its snapshot.
(() => {
  const PENDING_KEY = "trivia-trio.pending-answer";
  const ACK_PATIENCE_MS = 6000;
  const TELEMETRY_MIN_GAP_MS = 1000;
  const NAME_MAX_CHARS = 64; // the server's limit for ids and names
  const VERDICTS = {
    right: { shown: "✓ Correct!", spoken: "Correct!" },
    wrong: { shown: "✗ Not quite", spoken: "Not quite." },
    none: { shown: "No answer this time", spoken: "No answer this time." },
    poll: { shown: "Thanks for voting", spoken: "Thanks for voting." },
    slide: { shown: "Look at the screen", spoken: "Look at the screen." },
  };
  const RESET_NOTICES = {
    reset: "The instructor reset the quiz — join again.",
    new_quiz: "The instructor loaded a new quiz — join again.",
    removed: "The instructor removed you from the quiz. You may join again.",
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
  let answering = null; // its kind's controls: {show(answer, received)}
  let ackTimer = null;
  let lastTelemetryAt = 0;
  let resetReason = "reset"; // why the server sent us back to the join form (session_reset)
  let leavingPage = false; // a reload or a link: not "left the page"

  // ---- Joining -------------------------------------------------------------

  async function start() {
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

  function showJoinForm(notice) {
    if (socket) socket.stop();
    socket = null;
    countdown.stop();
    clearTimeout(ackTimer);
    byId("who-am-i").hidden = true;
    byId("join-notice").hidden = !notice;
    setText("join-notice", notice);
    byId("join-error").hidden = true;
    showOnly(views, "join");
    byId("student-id").focus();
  }

  function showJoinError(text) {
    const error = byId("join-error");
    error.textContent = text;
    error.hidden = false;
  }

  async function submitJoin(event) {
    event.preventDefault();
    const studentId = byId("student-id").value.trim();
    const name = byId("student-name").value.trim();
    if (!studentId || !name) {
      showJoinError("Enter both your student ID and your name.");
      return;
    }
    const tooLong = [["student ID", studentId], ["name", name]].find((field) => Array.from(field[1]).length > NAME_MAX_CHARS);
    if (tooLong) {
      showJoinError("Your " + tooLong[0] + " is " + Array.from(tooLong[1]).length + " characters long: shorten it to " + NAME_MAX_CHARS + " or fewer.");
      return;
    }
    const button = byId("join-button");
    button.disabled = true;
    try {
      const reply = await requestJson("POST", "/api/join", { student_id: studentId, name });
      if (reply.status === 200) enterQuiz(reply.data);
      else if (reply.status === 409 && reply.data && reply.data.code === "quiz_finished") showJoinError("This quiz has ended, so nobody new can join. Ask the instructor about the next one.");
      else if (reply.status === 409) showJoinError("That student ID is already taken. Check it, or ask the instructor for help.");
      else if (reply.data && reply.data.message) showJoinError(reply.data.message);
      else showJoinError("Could not join (error " + reply.status + "). Try again in a moment.");
    } catch (networkDown) {
      showJoinError("Cannot reach the quiz. Check you are on the classroom Wi-Fi and try again.");
    } finally {
      button.disabled = false;
    }
  }

  function enterQuiz(me) {
    setText("who-am-i", "Playing as " + me.name + " (" + me.student_id + ")");
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
      showJoinForm(RESET_NOTICES[resetReason] || RESET_NOTICES.reset);
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
      setText("lobby-count", message.count);
      setText("lobby-count-label", message.count === 1 ? "student has joined" : "students have joined");
    },
    question_open: showQuestion,
    submit_ack: acknowledge,
    error: showError,
    question_closed: showReveal,
    between_questions: showBetween,
    session_ended: showEnd,
    session_reset(message) {
      forgetPendingAnswer(); // the 4002 close that follows shows the join form
      resetReason = message.reason || "reset";
      if (message.title) showTitle(message.title);
    },
  };

  function showTitle(title) {
    setText("quiz-title", title || "Trivia Trio");
    document.title = (title || "Trivia Trio") + " — Trivia Trio";
  }

  function handleMessage(message) {
    const handler = handlers[message.type];
    if (handler) handler(message);
  }

  // ---- Answering -----------------------------------------------------------

  function showQuestion(message) {
    const isNew = !question || question.question_idx !== message.question_idx || views.question.hidden;
    question = message;
    setText("question-number", "Question " + (message.question_idx + 1) + " of " + message.total_questions);
    renderRich(byId("question-text"), message.text);
    showPicture(byId("question-image"), message.image);
    answering = kindOf(message).answer(byId("answer-area"), message, submitAnswer);
    setAnswerStatus("", "");
    const timed = typeof message.remaining_ms === "number";
    byId("question-clock").hidden = !timed;
    if (timed) countdown.start(message.remaining_ms);
    else countdown.stop();
    showOnly(views, "question");
    if (isNew) announce("Question " + (message.question_idx + 1) + ": " + message.text);

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
    setAnswerStatus("Sending " + kindOf(question).say(answer, question) + "…", "sending");
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
    setAnswerStatus("✓ Answer received: " + kindOf(question).say(ack.answer, question), "received");
  }

  function showError(error) {
    clearTimeout(ackTimer);
    const answerWasRefused = ["time_expired", "not_open", "bad_question", "bad_answer"].indexOf(error.code) >= 0;
    if (answerWasRefused) forgetPendingAnswer();
    if (views.question.hidden) return;
    const reasons = {
      time_expired: "Too late — time ran out before your answer arrived.",
      not_open: "This question is closed.",
      rate_limited: "Too many taps — wait a moment and try again.",
    };
    setAnswerStatus(reasons[error.code] || error.message || "Something went wrong.", "error");
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
    countdown.stop();
    clearTimeout(ackTimer);
    forgetPendingAnswer();
    const shown = question && question.question_idx === message.question_idx ? question : { kind: message.kind };
    const kind = kindOf(shown);
    const outcome = revealOutcome(kind, message);
    setText("reveal-verdict", VERDICTS[outcome].shown);
    views.reveal.className = "reveal-" + outcome;
    const answered = message.your_answer !== null && message.your_answer !== undefined;
    byId("reveal-yours").hidden = !answered || !kind.takesAnswers;
    if (answered) setText("reveal-yours", (outcome === "poll" ? "Your vote: " : "Your answer: ") + kind.say(message.your_answer, shown));
    const solution = kind.solution(shown, message.correct);
    byId("reveal-correct").hidden = !solution;
    if (solution) fill(byId("reveal-correct"), "The answer: ", ...solution);
    renderRich(byId("reveal-explanation"), message.explanation || "");
    byId("reveal-scores").hidden = !kind.takesAnswers;
    setText("reveal-score", formatScore(message.your_score));
    setText("reveal-total", formatScore(message.your_total));
    setText("reveal-rank", rankText(message.your_rank));
    showOnly(views, "reveal");
    const answerText = solution ? " The answer is " + solutionWords(kind, shown, message.correct) + "." : "";
    announce(VERDICTS[outcome].spoken + answerText +
      " Your total is " + formatScore(message.your_total) + ", rank " + rankText(message.your_rank) + ".");
  }

  /** right, wrong, none (no answer), poll (a vote: nothing to get right) or slide (nothing to answer). */
  function revealOutcome(kind, message) {
    if (!kind.takesAnswers) return "slide";
    if (message.your_answer === null || message.your_answer === undefined) return "none";
    if (kind.name === "poll") return "poll";
    const right = message.your_correct === undefined ? message.your_answer === message.correct : message.your_correct;
    return right ? "right" : "wrong";
  }

  function showBetween(message) {
    setText("between-total", formatScore(message.your_total));
    setText("between-rank", rankText(message.your_rank));
    renderLeaderboard(byId("between-top5"), message.top5);
    const last = message.next_idx === null || message.next_idx === undefined;
    setText("between-next", last ? "That was the last question: the final results are next." : "Next up: question " + (message.next_idx + 1) + ".");
    showOnly(views, "between");
    announce("Leaderboard. You are rank " + rankText(message.your_rank) + " with " + formatScore(message.your_total) + ".");
  }

  function showEnd(message) {
    countdown.stop();
    forgetPendingAnswer();
    const outOf = question ? " of " + question.total_questions : "";
    setText("end-answered", message.questions_answered + outOf);
    setText("end-correct", message.questions_correct);
    setText("end-total", formatScore(message.your_total));
    setText("end-rank", rankText(message.your_rank));
    renderLeaderboard(byId("end-top5"), message.final_top5);
    showOnly(views, "end");
    announce("Quiz over. You got " + message.questions_correct + " right; final rank " + rankText(message.your_rank) + ".");
  }

  function rankText(rank) {
    return rank ? "#" + rank : "—";
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
  start();
})();
