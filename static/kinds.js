"use strict";
// Question kinds on the pages. Each static/kinds/<kind>.js registers one
// renderer; the phone, the projector and the dashboard ask it for the
// screens that differ by kind and draw everything else themselves. The
// server joins this file and every kinds/*.js into one script, so a new kind
// is one file there and no page changes.
//
// Each file comes in parts, each after a line "// @part NAME": what comes
// before the first such line is for every page, "// @part phone" for the
// phone alone (answering), "// @part room" for the projector, the dashboard
// and the editor (boards, tallies, the editor's names). A page loads
// /static/question-kinds.<NAME>.js, the shared parts and its own (phone:
// student.html; room: projector.html, instructor.html), or
// /static/question-kinds.js, every part (editor.html): a phone is never sent
// the projector's charts. A kind registers its parts with one registerKind
// call each; they add up.
//
// A renderer has:
//   answer(container, question, submit) → {show(answer, received)}  [phone]
//       the phone's answering controls; submit(answer) sends one answer.
//       show(answer, received) marks what was sent (received: the server
//       has it); show(null) unlocks the controls for another try.
//   say(answer, question) → string: an answer in words ("B", "A, D", "42").
//   solution(question, correct) → [nodes] or null: the right answer, for
//       the phone's result ("The answer: …"); null when there is none.
//   board(container, question, counts, live) → what the room sees while the  [room]
//       question is open (counts: the live tally, or null when hidden; live:
//       the projector's live part, with top_answers for a kind whose answers
//       are shown as they come, see Kind.answers_on_projector).
//   tally(container, question, result) → the tally and the reveal for the  [room]
//       projector and the dashboard. result: {counts, correct, top_answers,
//       revealed}: counts is the kind's histogram; revealed is false while
//       the question is open (correct may still be given, for the teacher).
//   takesAnswers: false for a kind nobody answers (a slide).
//   buttonsSuffice: true for a kind a buttons-only phone is sent as lettered buttons
//       alone (core's Kind.buttons_suffice; the server adds it, no renderer sets it).
//   votes: true for a kind whose answers are opinions, never right or wrong: the
//       phone's reveal says "Your vote" (a poll).
//   label: the kind in the editor's Kind menu ("Poll (no right answer)").  [room]
//   nameKey: the catalogue key of its short name, for the library ("poll").  [room]
//   fields: the kind's own plain quiz-file fields the editor edits for it, each  [room]
//       {name, label, number: true|false, shown: true when question_open carries it};
//       a kind with a form of its own (choice, number, ...) has it in editor.js.

const questionKinds = {};

/** Add one part of a kind's renderer (see above); its first part registers the kind. */
function registerKind(name, renderer) {
  questionKinds[name] = Object.assign(questionKinds[name] || { name, takesAnswers: true }, renderer);
}

/** The renderer for a question (question_open or the projector's question); v1 questions are choices. */
function kindOf(question) {
  return questionKinds[(question && question.kind) || "choice"] || questionKinds.choice;
}

/**
 * "Question N of M" as the server numbers questions (a slide is not one: "Slide").
 * question: question_open, or the projector's question; a v1 quiz has no numbers: idx + 1.
 */
function questionNumberText(question) {
  if (question.question_number === null) return t("question.slide");
  const idx = question.question_idx !== undefined ? question.question_idx : question.idx;
  return t("question.number_of", {
    number: question.question_number || idx + 1,
    total: question.question_count || question.total_questions,
  });
}

/** "Question 3: …" for a screen reader; a slide is announced by its text alone. */
function questionAnnouncement(question) {
  if (question.question_number === null) return question.text;
  const idx = question.question_idx !== undefined ? question.question_idx : question.idx;
  return t("question.announce", { number: question.question_number || idx + 1, text: question.text });
}

/** Show the question's picture in `img` (a same-origin /media/ URL), or hide it when there is none. */
function showPicture(img, url) {
  img.hidden = !url;
  if (!url) img.removeAttribute("src");
  else if (img.getAttribute("src") !== url) img.src = url;
}

/** The right answer as one line of text for a screen reader ("B 4"), or "" when there is none. */
function solutionWords(kind, question, correct) {
  const solution = kind.solution(question, correct);
  return solution ? el("span", null, ...solution).textContent.replace(/\s+/g, " ").trim() : "";
}

// ---- Pieces shared by the kinds that answer with option letters ---------------

/** Letters of a correct answer ("BD", ["B", "D"], "B"); [] for none. */
function correctLetters(correct) {
  if (!correct) return [];
  return Array.isArray(correct) ? correct.slice() : String(correct).split("");
}

/** Letters in words: "A, D". */
function sayLetters(answer) {
  return String(answer || "").split("").join(", ");
}

/** The answer as badges with their option texts, for the phone's result. */
function optionSolution(question, correct) {
  const letters = correctLetters(correct);
  if (!letters.length) return null;
  const options = question.options || [];
  return letters.reduce((parts, letter, i) => parts.concat(i ? ", " : null, optionBadge(letter), " ",
    richText("span", null, options[OPTION_LETTERS.indexOf(letter)] || "")), []);
}

// @part phone

/** A one-line status the phone shows under its controls ("Tick every answer that fits"). */
function answerHint(text) {
  return el("p", { class: "answer-hint muted", text });
}

/** The phone's submit button for kinds that answer with more than one tap. */
function submitButton(label) {
  return el("button", { type: "submit", class: "button-primary button-wide answer-submit" }, label);
}

// @part room

/**
 * The kind's histogram with its counts of students taken from the server's results
 * (docs/PROTOCOL.md, "Results"): "No answer" (present, did not answer) and "Not present"
 * once revealed, "Not answered yet" only while open. A poll keeps its own count of
 * students without a vote (nobody's vote is scored).
 */
function withResults(counts, results, revealed) {
  const shown = Object.assign({}, counts || {});
  if (!results) return shown;
  delete shown.pending;
  if (!revealed) {
    delete shown.missed;
    if (results.pending !== undefined) shown.pending = results.pending;
  } else if (!results.not_scored) {
    shown.missed = results.no_answer;
    if (results.not_present) shown.not_present = results.not_present;
  }
  return shown;
}

/** One tile per option: badge (colour, shape, letter) and the option's text. */
function optionTiles(container, question, counts) {
  fill(container, el("ul", { class: "projector-options" }, ...lettersOf(question.options).map((letter, i) =>
    el("li", { class: "projector-option option-" + letter },
      optionBadge(letter),
      richText("span", { class: "projector-option-text" }, question.options[i]),
      counts ? el("span", { class: "projector-option-count", text: i18n.formatNumber(counts[letter] || 0) }) : null))));
}

/** The letter histogram as bars, the correct letters marked (none while open, or for a poll). */
function letterTally(container, question, result) {
  const letters = lettersOf(question.options);
  const counts = result.counts || {};
  const shown = {};
  ["missed", "not_present"].forEach((key) => {
    if (counts[key] !== undefined) shown[key] = counts[key];
  });
  if (counts.pending !== undefined && !result.revealed) shown.pending = counts.pending;
  letters.forEach((letter) => {
    shown[letter] = counts[letter] || 0;
  });
  renderAnswerBars(container, { letters, options: question.options, counts: shown, correct: correctLetters(result.correct) });
}

// ---- Pieces shared by the kinds answered in the student's own words ------------

/** "✓ 12 right · ✗ 5 wrong · 3 no answer" from a {correct, wrong, missed} tally. */
function tallySummary(counts) {
  const c = counts || {};
  return el("p", { class: "tally-summary" },
    el("span", { class: "tally-right", text: t("kind.tally.right", { count: c.correct || 0 }) }), " · ",
    el("span", { class: "tally-wrong", text: t("kind.tally.wrong", { count: c.wrong || 0 }) }), " · ",
    el("span", { text: t("kind.tally.missed", { count: c.missed || 0 }) }),
    c.not_present ? " · " : null,
    c.not_present ? el("span", { text: t("chart.not_present", { count: c.not_present }) }) : null);
}

/** The most frequent answers as bars, the right ones marked; `words` turns an answer into text. */
function topAnswerBars(topAnswers, words) {
  const rows = topAnswers || [];
  const largest = Math.max(1, ...rows.map((row) => row.count));
  return el("ol", { class: "answer-bars top-answers" }, ...rows.map((row) => {
    const bar = el("span", { class: "answer-bar-fill" + (row.correct ? " tally-fill-right" : "") });
    bar.style.width = (100 * row.count) / largest + "%";
    return el("li", { class: row.correct ? "answer-bar answer-bar-correct" : "answer-bar" },
      // A student's words may run right to left: isolated, they cannot reorder the row.
      el("span", { class: "answer-bar-text", dir: "auto", text: words(row.answer) }),
      el("span", { class: "answer-bar-track" }, bar),
      el("span", { class: "answer-bar-count", text: i18n.formatNumber(row.count) }),
      row.correct ? el("span", { class: "answer-bar-mark", text: t("chart.correct_mark") }) : null);
  }));
}

/** While a typed question is open its answers are not shown: they are grouped at the reveal. */
function typedTallyWhileOpen(container) {
  fill(container, el("p", { class: "muted", text: t("kind.typed.while_open") }));
}
