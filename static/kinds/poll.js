"use strict";
// A poll: tap one option; no answer is right, every vote counts as answered.

registerKind("poll", {
  label: "Poll (no right answer)",
  nameKey: "library.kind.poll",
  votes: true,
  answer(container, question, submit) {
    return oneTapAnswer(container, question, submit, question.options);
  },
  say: sayLetters,
  solution() {
    return null;
  },
  board: optionTiles,
  tally(container, question, result) {
    letterTally(container, question, { counts: result.counts, revealed: result.revealed });
  },
});
