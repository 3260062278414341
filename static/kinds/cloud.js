"use strict";
// A word cloud: each student types a word or a short phrase (up to
// question.max_answers of them); nothing is right or wrong. The server groups
// the entries like typed answers and sends the most given (top_answers), live
// to the projector while the question is open; the bigger, the more students
// gave it. The teacher's dashboard lists them with a Hide for each (the server
// leaves a hidden word out of what the projector is sent).

/** Entries in the language's quotation marks, as a list: "“cat”, “dog”". */
function sayEntries(answer) {
  const entries = Array.isArray(answer) ? answer : [answer];
  return i18n.formatList(entries.map((entry) => t("kind.quoted", { answer: String(entry) })));
}

registerKind("cloud", {
  votes: true,
  say: sayEntries,
  solution() {
    return null;
  },
});

// @part phone

const CLOUD_ENTRY_MAX = 40;

registerKind("cloud", {
  answer(container, question, submit) {
    const count = Math.max(1, Math.min(3, Number(question.max_answers) || 1));
    const inputs = Array.from({ length: count }, (_, i) => el("input", {
      id: "answer-input" + (i ? "-" + (i + 1) : ""), type: "text", maxlength: CLOUD_ENTRY_MAX,
      autocomplete: "off", spellcheck: "false", enterkeyhint: i === count - 1 ? "send" : "next",
      "aria-label": count > 1 ? t("kind.cloud.entry", { number: i + 1 }) : t("kind.cloud.your_word"),
    }));
    const send = submitButton(t("kind.submit_answer"));
    const problem = el("p", { class: "form-error", role: "alert", hidden: true });
    const form = el("form", { class: "answer-form", novalidate: true },
      el("label", { for: "answer-input", text: count > 1 ? t("kind.cloud.your_words", { count }) : t("kind.cloud.your_word") }),
      ...inputs, problem, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const typed = inputs.map((input) => input.value.trim()).filter(Boolean);
      problem.hidden = typed.length > 0;
      problem.textContent = typed.length ? "" : t("kind.empty_answer");
      if (typed.length) submit(typed);
    });
    fill(container, form);
    return {
      show(answer, received) {
        const entries = answer === null ? null : Array.isArray(answer) ? answer : [answer];
        inputs.forEach((input, i) => {
          if (entries) input.value = entries[i] || "";
          input.readOnly = entries !== null;
          input.classList.toggle("answer-received", entries !== null && received);
        });
        send.disabled = entries !== null;
      },
    };
  },
});

// @part room

// Sizes as the projector's (style.css): in vh times the page's --fit, so fit.js shrinks a
// crowded cloud like any stage, and never under --least (28 px at 1080); a page that sets
// neither draws at --fit 1 over 28 px.
const CLOUD_SMALLEST_VH = 2.6;
const CLOUD_LARGEST_VH = 8.9; // 96 px at 1080
// A word is cut (an ellipsis, the whole of it in its title) only as the cloud shrinks: at
// --fit 1 it may take the whole width, at fit.js's lowest (0.4) a fifth, so that 60 words
// of 40 characters fit a 16:9 screen; never under 9em, a dozen letters or so (a reveal's
// narrow column then does not fit, and fit.js gives the answer more room).
const CLOUD_WORD_WIDTH = "min(100%, max(9em, calc(20% + (var(--fit, 1) - 0.4) * 133.3%)))";

/**
 * The words as a cloud: size by count (by area, so the square root), the most given in
 * the middle, in the answer buttons' colours in turn. A student's words are isolated (dir auto).
 */
function wordCloud(container, topAnswers) {
  const rows = topAnswers || [];
  if (!rows.length) {
    fill(container, el("p", { class: "projector-hint", text: t("kind.cloud.board") }));
    return;
  }
  const largest = Math.max(...rows.map((row) => row.count));
  const middleOut = [];
  rows.forEach((row, i) => (i % 2 ? middleOut.push(row) : middleOut.unshift(row)));
  const cloud = el("ul", { class: "word-cloud", "aria-label": t("kind.cloud.label") }, ...middleOut.map((row) => {
    const share = Math.sqrt(row.count / largest);
    const text = String(row.answer);
    const size = (CLOUD_SMALLEST_VH + share * (CLOUD_LARGEST_VH - CLOUD_SMALLEST_VH)).toFixed(2);
    const word = el("li", { class: "word-cloud-word option-" + OPTION_LETTERS[rows.indexOf(row) % OPTION_LETTERS.length], dir: "auto", title: text },
      text);
    Object.assign(word.style, {
      fontSize: `max(var(--least, 28px), calc(${size}vh * var(--fit, 1)))`,
      maxWidth: CLOUD_WORD_WIDTH, whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis",
      // A chip in the answer buttons' colours: their text has the contrast of the buttons'.
      background: "var(--option-bg)", color: "var(--option-fg)", padding: "0.05em 0.35em",
      borderRadius: "0.3em", fontWeight: "700", lineHeight: "1.2", boxSizing: "border-box",
    });
    return word;
  }));
  Object.assign(cloud.style, {
    display: "flex", flexWrap: "wrap", justifyContent: "center", alignItems: "center",
    gap: "0.2em 0.6em", listStyle: "none", margin: "0", padding: "0",
    columnSpan: "all", // one cloud across a crowded reveal's columns (fit.js), not cut in two
  });
  fill(container, cloud);
}

/**
 * The teacher's list: every word with its count and a Hide (or Show again) button;
 * `hide(answer, hidden)` sends the teacher's choice. Hidden words stay listed, marked.
 */
function wordList(container, topAnswers, hide) {
  const rows = topAnswers || [];
  if (!rows.length) {
    fill(container, el("p", { class: "muted", text: t("kind.cloud.board") }));
    return;
  }
  fill(container, el("ol", { class: "answer-bars top-answers word-list", "aria-label": t("kind.cloud.label") }, ...rows.map((row) => {
    const word = String(row.answer);
    const button = el("button", { type: "button", class: "button-small",
      "aria-label": t(row.hidden ? "kind.cloud.show_word" : "kind.cloud.hide_word", { word: t("kind.quoted", { answer: word }) }) },
      t(row.hidden ? "kind.cloud.show" : "kind.cloud.hide"));
    button.addEventListener("click", () => hide(word, !row.hidden));
    return el("li", { class: "answer-bar" },
      el("span", { class: "answer-bar-text", dir: "auto", text: word }),
      el("span", { class: "answer-bar-count", text: i18n.formatNumber(row.count) }),
      row.hidden ? el("span", { class: "muted", text: t("kind.cloud.hidden") }) : null,
      button);
  })));
}

registerKind("cloud", {
  label: "Word cloud (not scored)",
  nameKey: "kind.cloud.name",
  fields: [{ name: "max_answers", label: "Words per student (1 to 3; empty: 1)", number: true, shown: true }],
  board(container, question, counts, live) {
    wordCloud(container, live && live.top_answers);
  },
  // The dashboard passes result.hide: its list, with a Hide per word; the projector the cloud.
  tally(container, question, result) {
    if (result.hide) wordList(container, result.top_answers, result.hide);
    else wordCloud(container, result.top_answers);
  },
});
