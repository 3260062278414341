"use strict";
// A slide: something to look at on the big screen; nobody answers it.

registerKind("slide", {
  label: "Slide (nothing to answer)",
  nameKey: "library.kind.slide",
  takesAnswers: false,
  answer(container) {
    fill(container, el("p", { class: "look-at-screen", text: t("kind.slide.look") }));
    return { show() {} };
  },
  say(answer) {
    return String(answer);
  },
  solution() {
    return null;
  },
  board(container) {
    fill(container);
  },
  tally(container) {
    fill(container);
  },
});
