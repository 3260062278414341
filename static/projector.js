"use strict";
// The big screen: public and read-only. Every projector_state message
// carries the whole picture, so each one redraws the screen from scratch.
(() => {
  const views = {
    lobby: byId("lobby-view"),
    question: byId("question-view"),
    reveal: byId("reveal-view"),
    leaders: byId("leaders-view"),
    final: byId("final-view"),
  };
  const VIEW_FOR_STATE = {
    lobby: "lobby",
    question_open: "question",
    question_closed: "reveal",
    between_questions: "leaders",
    finished: "final",
  };
  const LONG_QUESTION_CHARS = 120; // past this the question drops to a smaller size to fit
  const countdown = createCountdown(byId("question-countdown"));
  let announced = ""; // what the screen last told a screen reader, so redraws stay quiet

  openJsonSocket("/ws/projector", {
    onMessage(message) {
      if (message.type === "projector_state") draw(message);
    },
  });

  function draw(snapshot) {
    setText("quiz-title", snapshot.title || "Trivia Trio");
    setText("progress", progressText(snapshot));
    const name = VIEW_FOR_STATE[snapshot.state] || "lobby";
    const question = snapshot.question;
    if (snapshot.state === "question_open" && question) drawQuestion(question, snapshot.live_histogram);
    else countdown.stop();
    if (snapshot.state === "question_closed" && question) drawReveal(snapshot);
    if (name === "lobby") drawLobby(snapshot);
    if (name === "leaders") renderLeaderboard(byId("leaders-top10"), snapshot.leaderboard);
    if (name === "final") drawFinal(snapshot.leaderboard || []);
    showOnly(views, name);
  }

  function progressText(snapshot) {
    const total = snapshot.pool_meta ? snapshot.pool_meta.question_count : 0;
    if (snapshot.question && (snapshot.state === "question_open" || snapshot.state === "question_closed")) {
      return "Question " + (snapshot.question.idx + 1) + " of " + snapshot.question.total_questions;
    }
    if (snapshot.state === "lobby") return total ? total + " questions" : "";
    return snapshot.state === "finished" ? "Finished" : "";
  }

  function drawLobby(snapshot) {
    const qr = byId("join-qr");
    if (snapshot.qr_url && qr.getAttribute("src") !== snapshot.qr_url) qr.src = snapshot.qr_url;
    // Let a long address break after its slashes, not mid-number.
    const pieces = String(snapshot.join_url || "").split("/");
    fill(byId("join-url"), ...pieces.reduce((parts, piece, i) => (i ? parts.concat("/", el("wbr"), piece) : [piece]), []));
    setText("joined-count", snapshot.participant_count);
    say("lobby", "Join at " + snapshot.join_url);
  }

  function drawQuestion(question, live) {
    const counts = live && live.counts;
    setText("question-text", question.text);
    byId("question-text").classList.toggle("projector-text-long", question.text.length > LONG_QUESTION_CHARS);
    fill(byId("question-options"), ...lettersOf(question.options).map((letter, i) =>
      el("li", { class: "projector-option option-" + letter },
        optionBadge(letter),
        el("span", { class: "projector-option-text", text: question.options[i] }),
        counts ? el("span", { class: "projector-option-count", text: counts[letter] || 0 }) : null)));
    setText("question-answered", live ? "Answered " + live.submitted_count + " of " + live.total_count : "");
    countdown.start(question.remaining_ms);
    say("question " + question.idx, "Question " + (question.idx + 1) + ": " + question.text);
  }

  function drawReveal(snapshot) {
    const question = snapshot.question;
    const reveal = snapshot.reveal || {};
    const counts = (snapshot.live_histogram && snapshot.live_histogram.counts) || {};
    const letters = lettersOf(question.options);
    const shown = { missed: counts.missed || 0 };
    letters.forEach((letter) => {
      shown[letter] = counts[letter] || 0;
    });
    setText("reveal-question", question.text);
    renderAnswerBars(byId("reveal-answers"), { letters, options: question.options, counts: shown, correct: reveal.correct });
    setText("reveal-explanation", reveal.explanation || "");
    renderColumnChart(byId("reveal-times"), "Response times", snapshot.response_time_distribution ? snapshot.response_time_distribution.buckets : []);
    renderColumnChart(byId("reveal-scores"), "Total scores", snapshot.score_distribution ? snapshot.score_distribution.buckets : []);
    renderLeaderboard(byId("reveal-top10"), snapshot.leaderboard);
    const correctText = question.options[OPTION_LETTERS.indexOf(reveal.correct)];
    say("reveal " + question.idx, "The answer is " + reveal.correct + ": " + correctText + ". " + (reveal.explanation || ""));
  }

  function drawFinal(leaderboard) {
    const places = ["first", "second", "third"];
    fill(byId("podium"), ...leaderboard.slice(0, 3).map((row, i) =>
      el("li", { class: "podium-place podium-" + places[i] },
        el("span", { class: "podium-name", text: row.name }),
        el("span", { class: "podium-score", text: formatScore(row.score) }),
        el("span", { class: "podium-step", text: row.rank }))));
    renderLeaderboard(byId("final-top10"), leaderboard);
    say("final", leaderboard.length ? "Final results. The winner is " + leaderboard[0].name + "." : "Final results.");
  }

  /** Announce `text` once per screen (keyed by `moment`), not on every redraw. */
  function say(moment, text) {
    if (announced === moment) return;
    announced = moment;
    announce(text);
  }
})();
