"use strict";
// A slide: something to look at on the big screen; nobody answers it.

registerKind("slide", {
  takesAnswers: false,
  say(answer) {
    return String(answer);
  },
  solution() {
    return null;
  },
});

// @part phone

registerKind("slide", {
  answer(container, question) {
    // At the students' own pace the big screen shows the class's progress, not the slide.
    fill(container, ...(question.pace === "student" ? [] : [el("p", { class: "look-at-screen", text: t("kind.slide.look") })]));
    return { show() {} };
  },
});

// @part room

registerKind("slide", {
  label: "Slide (nothing to answer)",
  nameKey: "kind.slide.name",
  board(container) {
    fill(container);
  },
  tally(container) {
    fill(container);
  },
});
