"use strict";
// A typed answer (at most 200 characters). The server groups answers after
// normalising them (case, accents, spaces), so the reveal shows each group once.

const TEXT_ANSWER_MAX = 200;

function quoted(answer) {
  return "“" + String(answer) + "”";
}

registerKind("text", {
  answer(container, question, submit) {
    const input = el("input", { id: "answer-input", type: "text", maxlength: TEXT_ANSWER_MAX, autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "send" });
    const send = submitButton("Submit answer");
    const problem = el("p", { class: "form-error", role: "alert", hidden: true });
    const form = el("form", { class: "answer-form", novalidate: true },
      el("label", { for: "answer-input", text: "Your answer" }), input, problem, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const typed = input.value.trim();
      problem.hidden = typed.length > 0;
      problem.textContent = typed ? "" : "Type an answer first.";
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
  say: quoted,
  solution(question, correct) {
    const accepted = Array.isArray(correct) ? correct : [];
    return accepted.length ? [accepted.map(quoted).join(" or ")] : null;
  },
  board(container) {
    fill(container, el("p", { class: "projector-hint", text: "Type your answer on your phone." }));
  },
  tally(container, question, result) {
    if (!result.revealed) {
      typedTallyWhileOpen(container);
      return;
    }
    const accepted = Array.isArray(result.correct) ? result.correct : [];
    fill(container,
      el("p", { class: "tally-accepted", text: "Accepted: " + accepted.map(quoted).join(", ") }),
      tallySummary(result.counts),
      topAnswerBars(result.top_answers, quoted));
  },
});
