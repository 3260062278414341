"use strict";
// Multiple select: tick every option that fits, then send them together.

registerKind("multi", {
  say: sayLetters,
  solution: optionSolution,
});

// @part phone

registerKind("multi", {
  answer(container, question, submit) {
    const letters = lettersOf(question.options);
    const boxes = letters.map((letter) => el("input", { type: "checkbox", class: "answer-check", value: letter, id: "answer-check-" + letter }));
    const send = submitButton(t("kind.submit_answer"));
    const problem = el("p", { class: "form-error", role: "alert", hidden: true });
    const form = el("form", { class: "answer-form", novalidate: true },
      el("fieldset", { class: "answer-choices" },
        el("legend", { class: "answer-hint", text: t("kind.multi.hint") }),
        ...letters.map((letter, i) => el("label", { class: "answer-button answer-tick option-" + letter, for: boxes[i].id },
          boxes[i], optionBadge(letter), richText("span", { class: "answer-text" }, question.options[i])))),
      problem, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = boxes.filter((box) => box.checked).map((box) => box.value).join("");
      problem.hidden = chosen.length > 0;
      problem.textContent = chosen ? "" : t("kind.multi.none_ticked");
      if (chosen) submit(chosen);
    });
    fill(container, form);
    return {
      show(answer, received) {
        const locked = answer !== null;
        boxes.forEach((box) => {
          if (locked) box.checked = answer.indexOf(box.value) >= 0;
          box.disabled = locked;
          box.parentNode.classList.toggle("answer-chosen", locked && box.checked);
          box.parentNode.classList.toggle("answer-received", locked && box.checked && received);
        });
        send.disabled = locked;
      },
    };
  },
});

// @part room

registerKind("multi", {
  label: "Multiple select (tick all that apply)",
  nameKey: "kind.multi.name",
  board(container, question, counts) {
    optionTiles(container, question, counts);
    container.appendChild(el("p", { class: "projector-hint", text: t("kind.multi.board") }));
  },
  tally: letterTally,
});
