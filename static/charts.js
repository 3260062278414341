"use strict";
// Charts without a library: answer bars (one row per option, with the
// option's colour, shape and letter) and SVG column charts for
// distributions. Both carry a text summary for screen readers.

/**
 * Fill `container` with one bar per option letter.
 * counts: {A, B, ..., missed?, pending?}; options: the option texts (or null);
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
      options ? richText("span", { class: "answer-bar-text" }, options[i]) : null,
      el("span", { class: "answer-bar-track" }, bar),
      el("span", { class: "answer-bar-count", text: values[i] }),
      isCorrect ? el("span", { class: "answer-bar-mark", text: "✓ correct" }) : null);
  });
  const extras = ["missed", "pending"].filter((key) => counts[key] !== undefined)
    .map((key) => el("p", { class: "answer-bar-extra", text: (key === "missed" ? "No answer: " : "Not answered yet: ") + counts[key] }));
  fill(container, el("ul", { class: "answer-bars" }, ...rows), ...extras);
}

const CHART_WIDTH = 400;
const CHART_HEIGHT = 240;
const CHART_VALUE_SPACE = 24;
const CHART_LABEL_FONT_PX = 14; // keep in step with .column-chart-label

/** Fill `container` with an SVG column chart of buckets [{label, count}], titled `title`. */
function renderColumnChart(container, title, buckets) {
  const list = buckets || [];
  const largest = Math.max(1, ...list.map((bucket) => bucket.count));
  const slot = CHART_WIDTH / Math.max(1, list.length);
  const longestLabel = Math.max(0, ...list.map((bucket) => bucket.label.length)) * CHART_LABEL_FONT_PX * 0.6;
  const slanted = longestLabel > slot * 0.95; // labels wider than their column are tilted
  const labelSpace = slanted ? longestLabel * 0.7 + 12 : CHART_LABEL_FONT_PX + 12;
  const plotHeight = CHART_HEIGHT - labelSpace - CHART_VALUE_SPACE;
  const summary = title + ": " + list.map((bucket) => bucket.label + " " + bucket.count).join(", ");
  const leftOverhang = slanted ? Math.max(0, longestLabel * 0.77 - slot / 2) : 0; // room for the first tilted label
  const viewBox = -leftOverhang + " 0 " + (CHART_WIDTH + leftOverhang) + " " + CHART_HEIGHT;
  const chart = svg("svg", { viewBox, class: "column-chart", role: "img", "aria-label": summary });
  list.forEach((bucket, i) => {
    const height = (plotHeight * bucket.count) / largest;
    const middle = (i + 0.5) * slot;
    const top = CHART_VALUE_SPACE + plotHeight - height;
    chart.appendChild(svg("rect", { x: middle - slot * 0.38, y: top, width: slot * 0.76, height: Math.max(height, 1), class: "column-chart-bar" }));
    chart.appendChild(chartText(String(bucket.count), middle, top - 6, "column-chart-value", "middle"));
    const labelTop = CHART_VALUE_SPACE + plotHeight + CHART_LABEL_FONT_PX + 4;
    const label = chartText(bucket.label, middle, labelTop, "column-chart-label", slanted ? "end" : "middle");
    if (slanted) label.setAttribute("transform", "rotate(-40 " + (middle + 4) + " " + labelTop + ")");
    chart.appendChild(label);
  });
  fill(container, el("h3", { class: "chart-title", text: title }), chart);
}

function chartText(text, x, y, className, anchor) {
  const node = svg("text", { x, y, "text-anchor": anchor, class: className });
  node.textContent = text;
  return node;
}
