"use strict";
// A poll: tap one option; no answer is right, every vote counts as answered.

registerKind("poll", {
  votes: true,
  say: sayLetters,
  solution() {
    return null;
  },
});

// @part phone

registerKind("poll", {
  answer(container, question, submit) {
    return oneTapAnswer(container, question, submit, question.options);
  },
});

// @part room

registerKind("poll", {
  label: "Poll (no right answer)",
  nameKey: "kind.poll.name",
  board: optionTiles,
  tally(container, question, result) {
    letterTally(container, question, { counts: result.counts, revealed: result.revealed });
  },
});
