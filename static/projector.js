"use strict";
// The big screen: public and read-only. Every projector_state message
// carries the whole picture, so each one redraws the screen from scratch.
// Opened as /projector?preview (the editor frames it), it draws the states
// its parent page sends instead of the room's.
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
  const PODIUM_WORD_CHARS = 12; // a longer word would not fit its step (of three) at full size
  const LONG_QUESTION_CHARS = 120; // past this the question drops to a smaller size to fit
  const countdown = createCountdown(byId("question-countdown"));
  let announced = ""; // what the screen last told a screen reader, so redraws stay quiet

  let latest = null; // the last projector_state, redrawn when the language changes

  i18n.ready.then(() => {
    setText("quiz-title", t("app.name"));
    if (new URLSearchParams(location.search).has("preview")) {
      followParent();
      return;
    }
    openJsonSocket("/ws/projector", {
      onMessage(message) {
        if (message.type === "projector_state") follow(message);
      },
    });
  });

  /** As a preview: draw what this server's own page around the frame sends, and say when ready. */
  function followParent() {
    window.addEventListener("message", (event) => {
      if (event.origin !== location.origin || event.source !== window.parent) return;
      if (event.data && event.data.type === "projector_state") follow(event.data);
    });
    window.parent.postMessage({ type: "preview_ready" }, location.origin);
  }

  /** Draw `snapshot` in the language it asks for (the quiz's or the teacher's), else the browser's. */
  function follow(snapshot) {
    latest = snapshot;
    const wanted = snapshot.language ? i18n.bestMatch([snapshot.language]) : i18n.preferred;
    if (wanted === i18n.language) {
      draw(snapshot);
      return;
    }
    i18n.use(wanted).then(() => {
      announced = "";
      if (latest) draw(latest);
    });
  }

  function draw(snapshot) {
    renderRich(byId("quiz-title"), snapshot.title || t("app.name"));
    byId("quiz-title").title = snapshot.title || t("app.name"); // a long one is cut at two lines
    setText("question-countdown-unit", t("countdown.unit_long"));
    setText("progress", progressText(snapshot));
    const name = VIEW_FOR_STATE[snapshot.state] || "lobby";
    const question = snapshot.question;
    // A slide has nothing to reveal: it stays on the screen, without its clock, until the next question.
    const slideShown = snapshot.state === "question_closed" && question && !kindOf(question).takesAnswers;
    if ((snapshot.state === "question_open" || slideShown) && question) drawQuestion(question, snapshot.live_histogram, slideShown);
    else countdown.stop();
    if (snapshot.state === "question_closed" && question && !slideShown) drawReveal(snapshot);
    drawCornerJoin(snapshot, name === "question" || name === "reveal" || name === "leaders");
    if (name === "lobby") drawLobby(snapshot);
    drawPacedProgress(name === "lobby" ? snapshot.progress : null);
    if (name === "leaders") renderLeaderboard(byId("leaders-top10"), snapshot.leaderboard);
    if (name === "final") drawFinal(snapshot.podium || (snapshot.leaderboard || []).slice(0, 3), snapshot.leaderboard || []);
    drawClassResults(name === "final" ? snapshot.class_results : null);
    showOnly(views, slideShown ? "question" : name);
    fitShown();
    if (katexReady && !window.katex) katexReady.then(fitSoon, () => {});
  }

  /**
   * Shrink (or, for a crowded reveal, reflow) the shown stage until it fits the screen;
   * `again`: its size changed without its content (see fitSoon).
   */
  function fitShown(again) {
    const stage = Object.keys(views).map((key) => views[key]).find((view) => !view.hidden);
    if (stage) fitStage(document.body, stage, stage === views.reveal ? ["is-crowded", "is-packed"] : [], again);
  }

  // What changes a stage's size after it is drawn: the window, a picture or a font
  // arriving, math typeset once KaTeX has loaded.
  let refit = 0;
  function fitSoon() {
    cancelAnimationFrame(refit);
    refit = requestAnimationFrame(() => fitShown(true));
  }
  window.addEventListener("resize", fitSoon);
  document.addEventListener("load", (event) => {
    if (event.target.tagName === "IMG" || event.target.tagName === "LINK") fitSoon();
  }, true);
  if (document.fonts) document.fonts.addEventListener("loadingdone", fitSoon);

  function progressText(snapshot) {
    // Slides are not questions: question_count is absent only for a quiz v1 could run.
    const total = snapshot.question_count !== undefined ? snapshot.question_count
      : snapshot.pool_meta ? snapshot.pool_meta.question_count : 0;
    if (snapshot.question && (snapshot.state === "question_open" || snapshot.state === "question_closed")) {
      return questionNumberText(snapshot.question);
    }
    if (snapshot.state === "lobby") return total ? t("projector.question_count", { count: total }) : "";
    return snapshot.state === "finished" ? t("projector.finished") : "";
  }

  function showQr(img, snapshot) {
    if (snapshot.qr_url && img.getAttribute("src") !== snapshot.qr_url) img.src = snapshot.qr_url;
  }

  /** The join address, allowed to break after its slashes but never mid-number. */
  function fillJoinUrl(node, url) {
    const pieces = String(url || "").split("/");
    fill(node, ...pieces.reduce((parts, piece, i) => (i ? parts.concat("/", el("wbr"), piece) : [piece]), []));
  }

  /** A small QR and the address in the header while questions run, for latecomers. */
  function drawCornerJoin(snapshot, shown) {
    byId("corner-join").hidden = !shown;
    if (!shown) return;
    showQr(byId("corner-qr"), snapshot);
    fillJoinUrl(byId("corner-url"), String(snapshot.join_url || "").replace(/^https?:\/\//, ""));
  }

  function drawLobby(snapshot) {
    showQr(byId("join-qr"), snapshot);
    fillJoinUrl(byId("join-url"), snapshot.join_url);
    const count = el("span", { id: "joined-count", text: i18n.formatNumber(snapshot.participant_count) });
    fill(byId("joined-line"), ...i18n.tNodes("projector.joined", { count: snapshot.participant_count }, { count }));
    say("lobby", t("projector.join.announce", { url: snapshot.join_url }));
  }

  /** A student-paced run: how far the class is, a bar per question, never a name
   * (but the top 10 if the quiz shows standings). */
  function drawPacedProgress(progress) {
    byId("paced-progress").hidden = !progress;
    views.lobby.classList.toggle("is-paced", Boolean(progress));
    if (!progress) return;
    setText("paced-finished", t("projector.paced.finished", { finished: i18n.formatNumber(progress.finished), students: i18n.formatNumber(progress.students) }));
    const most = Math.max(1, progress.students);
    const numbered = progress.questions.filter((q) => q.number !== null);
    // Columns of at most ten bars, as even as they go (16: two of 8).
    byId("paced-bars").style.setProperty("--bar-rows", String(Math.ceil(numbered.length / Math.ceil(numbered.length / 10)) || 1));
    fill(byId("paced-bars"), ...numbered.map((q) => {
      const bar = el("span", { class: "projector-paced-bar" });
      bar.style.width = Math.round((100 * q.answered) / most) + "%";
      return el("li", { "aria-label": t("projector.paced.bar", { number: q.number, answered: q.answered }) },
        el("span", { class: "projector-paced-label", text: String(q.number) }), el("span", { class: "projector-paced-track" }, bar));
    }));
    byId("paced-top10").hidden = !progress.top;
    if (progress.top) renderLeaderboard(byId("paced-top10"), progress.top);
  }

  function drawQuestion(question, live, closed) {
    const kind = kindOf(question);
    renderRich(byId("question-text"), question.text);
    byId("question-text").classList.toggle("projector-text-long", question.text.length > LONG_QUESTION_CHARS);
    showPicture(byId("question-image"), question.image);
    views.question.classList.toggle("has-image", Boolean(question.image));
    views.question.classList.toggle("is-slide", !kind.takesAnswers);
    kind.board(byId("question-board"), question, live && live.counts, live);
    setText("question-answered", live && kind.takesAnswers ? t("answered.of", { count: live.submitted_count, total: live.total_count }) : "");
    const timed = !closed && typeof question.remaining_ms === "number";
    byId("question-clock").hidden = !timed;
    if (timed) countdown.start(question.remaining_ms);
    else countdown.stop();
    say("question " + question.idx, questionAnnouncement(question));
  }

  function drawReveal(snapshot) {
    const question = snapshot.question;
    const reveal = snapshot.reveal || {};
    const kind = kindOf(question);
    const live = snapshot.live_histogram || {};
    const counts = withResults(live.counts, live.results, true);
    renderRich(byId("reveal-question"), question.text);
    showPicture(byId("reveal-image"), question.image);
    kind.tally(byId("reveal-answers"), question, { counts, correct: reveal.correct, top_answers: reveal.top_answers, revealed: true });
    renderRich(byId("reveal-explanation"), reveal.explanation || "");
    byId("reveal-explanation").hidden = !reveal.explanation;
    const times = snapshot.response_time_distribution ? snapshot.response_time_distribution.buckets : [];
    const scores = snapshot.score_distribution ? snapshot.score_distribution.buckets : [];
    renderColumnChart(byId("reveal-times"), t("chart.response_times"), worded(times, "chart.range"));
    renderColumnChart(byId("reveal-scores"), t("chart.total_scores"), worded(scores, "chart.range"));
    // Standings come only when the leaderboard setting shows them (null: not now).
    byId("reveal-scores").hidden = !snapshot.score_distribution;
    byId("reveal-top10").parentElement.hidden = !snapshot.leaderboard;
    renderLeaderboard(byId("reveal-top10"), snapshot.leaderboard);
    const answer = solutionWords(kind, question, reveal.correct);
    say("reveal " + question.idx, (answer ? t("projector.reveal.answer_is", { answer }) + " " : "") + (reveal.explanation || ""));
  }

  /** Chart buckets {low, high, count} labelled the page language's way ("0–3 s", "0,3–0,6"). */
  function worded(buckets, key) {
    return buckets.map((bucket) => ({ label: t(key, { low: bucket.low, high: bucket.high }), count: bucket.count }));
  }

  /** Everyone tied for a podium place stands on it (`podium`: ranks 1 to 3, ties whole). */
  function drawFinal(podium, leaderboard) {
    const places = ["first", "second", "third"];
    const { columns, column } = podiumColumns(podium);
    // Ties stand together: a podium of more than three columns has narrower steps, and
    // smaller names on them.
    const longWord = (PODIUM_WORD_CHARS * 3) / columns;
    views.final.style.setProperty("--places", String(columns));
    views.final.style.setProperty("--podium-word", String(Math.max(0, ...podium.map((row) => longestWord(row.name)))));
    fill(byId("podium"), ...podium.map((row, i) => {
      const place = places[Math.min(row.rank, 3) - 1];
      // In rank order for a screen reader; the grid column puts it in its place.
      const item = el("li", { class: "podium-place podium-" + place },
        el("span", { class: longestWord(row.name) > longWord ? "podium-name podium-name-long" : "podium-name", dir: "auto", title: row.name, text: row.name }),
        el("span", { class: "podium-score", text: formatScore(row.score) }),
        // Step height follows the rank, so students tied for first stand equally high.
        el("span", { class: "podium-step podium-step-" + place, text: i18n.formatNumber(row.rank) }));
      item.style.setProperty("--column", String(column[i]));
      return item;
    }));
    renderLeaderboard(byId("final-top10"), leaderboard);
    byId("podium").hidden = !podium.length;
    byId("final-top10").hidden = !leaderboard.length;
    say("final", leaderboard.length ? t("projector.final.announce_winner", { name: leaderboard[0].name }) : t("projector.final.heading"));
  }

  /**
   * Where each of `podium` (in rank order) stands, as on every podium: the winners in the
   * middle, second place on their left, third on their right, each side starting next to
   * the winners. When a tie leaves one side empty (three tied for second: no third), that
   * side takes half of the other's students. Both sides are as wide as the wider one, so
   * the winners stay in the middle. Returns the number of columns (at least three) and
   * each row's column, counted from 1.
   */
  function podiumColumns(podium) {
    const middle = podium.filter((row) => row.rank === 1);
    let left = podium.filter((row) => row.rank === 2);
    let right = podium.filter((row) => row.rank > 2);
    if (!left.length || !right.length) {
      const others = left.concat(right);
      const half = Math.ceil(others.length / 2);
      [left, right] = right.length ? [others.slice(half), others.slice(0, half)] : [others.slice(0, half), others.slice(half)];
    }
    const side = Math.max(left.length, right.length, Math.ceil((3 - middle.length) / 2));
    const where = new Map();
    left.forEach((row, i) => where.set(row, side - i));
    middle.forEach((row, i) => where.set(row, side + 1 + i));
    right.forEach((row, i) => where.set(row, side + middle.length + 1 + i));
    return { columns: 2 * side + middle.length, column: podium.map((row) => where.get(row)) };
  }

  /** No standings at the end: thanks, how many played, and the share right per question. */
  function drawClassResults(results) {
    byId("final-class").hidden = !results;
    if (!results) return;
    const share = results.share_right === null ? null : Math.round(100 * results.share_right);
    setText("final-summary", t("projector.final.players", { count: results.players })
      + (share === null ? "" : " · " + t("projector.final.share_right", { share })));
    byId("final-by-question").hidden = !results.questions.length;
    renderColumnChart(byId("final-by-question"), t("projector.final.by_question"),
      results.questions.map((q) => ({ label: i18n.formatNumber(q.number), count: q.share_right === null ? 0 : Math.round(100 * q.share_right) })), 100);
  }

  /** The longest run of letters a line may not break inside (lines break at spaces and hyphens). */
  function longestWord(name) {
    return Math.max(0, ...String(name).split(/[\s-]+/).map((word) => Array.from(word).length + 1));
  }

  /** Announce `text` once per screen (keyed by `moment`), not on every redraw. */
  function say(moment, text) {
    if (announced === moment) return;
    announced = moment;
    announce(text);
  }
})();
