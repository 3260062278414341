"use strict";
// A typed answer (at most 200 characters). The server groups answers after
// normalising them (case, accents, spaces), so the reveal shows each group once.

/** A typed answer in the language's quotation marks. */
function quoted(answer) {
  return t("kind.quoted", { answer: String(answer) });
}

registerKind("text", {
  say: quoted,
  solution(question, correct) {
    const accepted = Array.isArray(correct) ? correct : [];
    return accepted.length ? [i18n.formatList(accepted.map(quoted), "disjunction")] : null;
  },
});

// @part phone

const TEXT_ANSWER_MAX = 200;

registerKind("text", {
  answer(container, question, submit) {
    const input = el("input", { id: "answer-input", type: "text", maxlength: TEXT_ANSWER_MAX, autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "send" });
    const send = submitButton(t("kind.submit_answer"));
    const problem = el("p", { class: "form-error", role: "alert", hidden: true });
    const form = el("form", { class: "answer-form", novalidate: true },
      el("label", { for: "answer-input", text: t("kind.your_answer") }), input, problem, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const typed = input.value.trim();
      problem.hidden = typed.length > 0;
      problem.textContent = typed ? "" : t("kind.empty_answer");
      if (typed) submit(typed);
    });
    fill(container, form);
    return {
      show(answer, received) {
        if (answer !== null) input.value = answer;
        input.readOnly = answer !== null;
        send.disabled = answer !== null;
        input.classList.toggle("answer-received", answer !== null && received);
      },
    };
  },
});

// @part room

registerKind("text", {
  label: "Typed answer",
  nameKey: "kind.text.name",
  board(container) {
    fill(container, el("p", { class: "projector-hint", text: t("kind.text.board") }));
  },
  tally(container, question, result) {
    if (!result.revealed) {
      typedTallyWhileOpen(container);
      return;
    }
    const accepted = Array.isArray(result.correct) ? result.correct : [];
    fill(container,
      el("p", { class: "tally-accepted", text: t("kind.accepted", { answers: i18n.formatList(accepted.map(quoted)) }) }),
      tallySummary(result.counts),
      topAnswerBars(result.top_answers, quoted));
  },
});
