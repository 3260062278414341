"use strict";
// True or false: a choice between A (true) and B (false), worded in the page's language.

/** The two options in the page's language (the catalog is loaded by the time a question comes). */
function trueFalseOptions() {
  return [t("option.true"), t("option.false")];
}

/** The question with its two options in the page's words, whatever the server called them. */
function withTrueFalse(question) {
  return Object.assign({}, question, { options: trueFalseOptions() });
}

registerKind("truefalse", {
  say(answer) {
    return trueFalseOptions()[OPTION_LETTERS.indexOf(answer)] || String(answer);
  },
  solution(question, correct) {
    return optionSolution(withTrueFalse(question), correct);
  },
});

// @part phone

registerKind("truefalse", {
  answer(container, question, submit) {
    return oneTapAnswer(container, question, submit, trueFalseOptions());
  },
});

// @part room

registerKind("truefalse", {
  label: "True or false",
  nameKey: "kind.truefalse.name",
  board(container, question, counts) {
    optionTiles(container, withTrueFalse(question), counts);
  },
  tally(container, question, result) {
    letterTally(container, withTrueFalse(question), result);
  },
});
