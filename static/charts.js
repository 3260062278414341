"use strict";
// Charts without a library: answer bars (one row per option, with the
// option's colour, shape and letter) and column charts for distributions.
// Both carry a text summary for screen readers.

/**
 * Fill `container` with one bar per option letter.
 * counts: {A, B, ..., missed?, not_present?, pending?}; options: the option texts (or null);
 * correct: the letters to mark ("B", "BD" or ["B", "D"]), or null while the question is open.
 */
function renderAnswerBars(container, { letters, options, counts, correct }) {
  const values = letters.map((letter) => Number(counts[letter] || 0));
  const largest = Math.max(1, ...values);
  const rows = letters.map((letter, i) => {
    const isCorrect = Boolean(correct) && correct.indexOf(letter) >= 0;
    const bar = el("span", { class: "answer-bar-fill option-" + letter });
    bar.style.width = (100 * values[i]) / largest + "%";
    return el("li", { class: isCorrect ? "answer-bar answer-bar-correct" : "answer-bar" },
      optionBadge(letter),
      options ? richText("span", { class: "answer-bar-text", dir: "auto" }, options[i]) : null,
      el("span", { class: "answer-bar-track" }, bar),
      el("span", { class: "answer-bar-count", text: i18n.formatNumber(values[i]) }),
      isCorrect ? el("span", { class: "answer-bar-mark", text: t("chart.correct_mark") }) : null);
  });
  const extraKeys = { missed: "chart.no_answer", not_present: "chart.not_present", pending: "chart.not_answered_yet" };
  const extras = ["missed", "not_present", "pending"].filter((key) => counts[key] !== undefined)
    .map((key) => el("p", { class: "answer-bar-extra", text: t(extraKeys[key], { count: counts[key] }) }));
  fill(container, el("ul", { class: "answer-bars" }, ...rows), ...extras);
}

/**
 * Fill `container` with a column chart of buckets [{label, count}], titled `title`;
 * `top`: the count of a full column (default: the largest; 100 for percentages).
 * Plain HTML, so labels stay horizontal at whatever size the page's CSS gives them
 * (the projector's are readable from the back of a hall).
 */
function renderColumnChart(container, title, buckets, top) {
  const list = buckets || [];
  const largest = top || Math.max(1, ...list.map((bucket) => bucket.count));
  const summary = t("chart.summary", { title, values: i18n.formatList(list.map((bucket) => bucket.label + ": " + i18n.formatNumber(bucket.count))) });
  const columns = list.map((bucket) => {
    const bar = el("span", { class: "column-chart-bar" });
    bar.style.height = (100 * bucket.count) / largest + "%";
    return el("span", { class: "column-chart-column" },
      el("span", { class: "column-chart-value", text: i18n.formatNumber(bucket.count) }), bar);
  });
  const labels = list.map((bucket) => el("span", { class: "column-chart-label", dir: "ltr", text: bucket.label }));
  const chart = el("div", { class: "column-chart", role: "img", "aria-label": summary },
    el("div", { class: "column-chart-plot" }, ...columns),
    el("div", { class: "column-chart-labels" }, ...labels));
  chart.style.setProperty("--columns", String(Math.max(1, list.length)));
  fill(container, el("h3", { class: "chart-title", text: title }), chart);
}
