"use strict";
// True or false: a choice between A (true) and B (false), worded in the page's language.

const TRUE_FALSE_OPTIONS = ["True", "False"];

/** The question with its two options in the page's words, whatever the server called them. */
function withTrueFalse(question) {
  return Object.assign({}, question, { options: TRUE_FALSE_OPTIONS });
}

registerKind("truefalse", {
  answer(container, question, submit) {
    return oneTapAnswer(container, question, submit, TRUE_FALSE_OPTIONS);
  },
  say(answer) {
    return TRUE_FALSE_OPTIONS[OPTION_LETTERS.indexOf(answer)] || String(answer);
  },
  solution(question, correct) {
    return optionSolution(withTrueFalse(question), correct);
  },
  board(container, question, counts) {
    optionTiles(container, withTrueFalse(question), counts);
  },
  tally(container, question, result) {
    letterTally(container, withTrueFalse(question), result);
  },
});
