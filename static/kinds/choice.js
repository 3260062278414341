"use strict";
// A choice: tap one of 2–6 options A–F. One or several letters may be right;
// any one of them scores.

registerKind("choice", {
  say: sayLetters,
  solution: optionSolution,
});

// @part phone

/** Phone buttons, one per option; `submit` gets the tapped letter. Shared by every one-tap kind. */
function oneTapAnswer(container, question, submit, optionTexts) {
  const buttons = lettersOf(optionTexts).map((letter, i) => {
    const button = el("button", { type: "button", class: "answer-button option-" + letter, "data-answer": letter, "aria-pressed": "false" },
      optionBadge(letter), richText("span", { class: "answer-text" }, optionTexts[i]));
    button.addEventListener("click", () => submit(letter));
    return button;
  });
  fill(container, el("div", { id: "answer-buttons", class: "answer-buttons", role: "group", "aria-labelledby": "question-text" }, ...buttons));
  return {
    show(answer, received) {
      buttons.forEach((button) => {
        const chosen = button.getAttribute("data-answer") === answer;
        button.disabled = answer !== null && !chosen;
        button.setAttribute("aria-pressed", chosen ? "true" : "false");
        button.classList.toggle("answer-chosen", chosen);
        button.classList.toggle("answer-received", chosen && received);
      });
    },
  };
}

registerKind("choice", {
  answer(container, question, submit) {
    return oneTapAnswer(container, question, submit, question.options);
  },
});

// @part room

registerKind("choice", {
  label: "Choice (one or several right)",
  nameKey: "kind.choice.name",
  board: optionTiles,
  tally: letterTally,
});
