"use strict";
// A number: a slider when the question gives both min and max, else a
// numeric field (a decimal comma is read as a point). Right when it is within
// the tolerance of the value; the reveal shows where the answers fell against
// that accepted range.

function hasRange(question) {
  return typeof question.min === "number" && typeof question.max === "number" && question.max > question.min;
}

/** A number as typed into the field: no float noise (0.1 + 0.2), no exponent for everyday sizes. */
function plainNumber(value) {
  const number = Number(value);
  return Number.isFinite(number) ? String(Number(number.toPrecision(12))) : String(value);
}

/** A number as the page shows it, written the page language's way (3.5, 3,5). */
function sayNumber(value) {
  const number = Number(plainNumber(value));
  return Number.isFinite(number) ? i18n.formatNumber(number, { maximumFractionDigits: 12 }) : String(value);
}

registerKind("number", {
  say: sayNumber,
  solution(question, correct) {
    if (!correct || typeof correct.value !== "number") return null;
    return [sayNumber(correct.value) + (correct.tolerance ? " (± " + sayNumber(correct.tolerance) + ")" : "")];
  },
});

// @part phone

function sliderControl(question) {
  const step = question.step > 0 ? question.step : "any";
  const middle = question.min + (question.max - question.min) / 2;
  const start = step === "any" ? middle : question.min + Math.round((middle - question.min) / step) * step;
  const slider = el("input", { id: "answer-input", type: "range", min: question.min, max: question.max, step, value: start });
  const shown = el("output", { class: "slider-value", for: "answer-input", "aria-live": "off" });
  const update = () => {
    shown.textContent = sayNumber(slider.value);
  };
  slider.addEventListener("input", update);
  update();
  const nudge = (direction, label) => {
    const button = el("button", { type: "button", class: "slider-nudge", "aria-label": label, text: direction < 0 ? "−" : "+" });
    button.addEventListener("click", () => {
      if (direction < 0) slider.stepDown();
      else slider.stepUp();
      update();
    });
    return button;
  };
  const less = nudge(-1, t("kind.number.less"));
  const more = nudge(1, t("kind.number.more"));
  return {
    nodes: [shown, el("div", { class: "slider-row" }, less, slider, more),
      el("p", { class: "slider-ends muted" }, el("span", { text: sayNumber(question.min) }), el("span", { text: sayNumber(question.max) }))],
    input: slider,
    controls: [slider, less, more],
    read: () => Number(slider.value),
    write(value) {
      slider.value = value;
      update();
    },
  };
}

function fieldControl() {
  const field = el("input", { id: "answer-input", type: "text", inputmode: "decimal", autocomplete: "off", maxlength: 40 });
  return {
    nodes: [field],
    input: field,
    controls: [field],
    read() {
      // Arabic-Indic digits and separator (as an Arabic page writes its examples) read as ASCII.
      const text = field.value.trim().replace(/\s/g, "")
        .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x660)).replace(/[,\u066B]/, ".");
      return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : null;
    },
    write(value) {
      field.value = plainNumber(value);
    },
  };
}

registerKind("number", {
  answer(container, question, submit) {
    const control = hasRange(question) ? sliderControl(question) : fieldControl();
    const send = submitButton(t("kind.submit_answer"));
    const problem = el("p", { class: "form-error", role: "alert", hidden: true });
    const form = el("form", { class: "answer-form", novalidate: true },
      el("label", { for: "answer-input", text: t("kind.your_answer") }), ...control.nodes, problem, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = control.read();
      const valid = value !== null && Number.isFinite(value);
      problem.hidden = valid;
      problem.textContent = valid ? "" : t("kind.number.invalid", { whole: 42, decimal: 3.5 });
      if (valid) submit(value);
    });
    fill(container, form);
    return {
      show(answer, received) {
        const locked = answer !== null;
        if (locked) control.write(answer);
        control.controls.forEach((node) => {
          node.disabled = locked && node !== control.input;
        });
        control.input.readOnly = locked;
        if (control.input.type === "range") control.input.disabled = locked;
        send.disabled = locked;
        control.input.classList.toggle("answer-received", locked && received);
      },
    };
  },
});

// @part room

/** "40 to 44" for {value: 42, tolerance: 2}; "42" for a tolerance of 0. */
function acceptedRange(correct) {
  if (!correct || typeof correct.value !== "number") return "";
  const tolerance = correct.tolerance || 0;
  return tolerance ? t("kind.number.range", { low: sayNumber(correct.value - tolerance), high: sayNumber(correct.value + tolerance) }) : sayNumber(correct.value);
}

// In the SVG's own units; the projector draws its text at least 28 px tall (kinds.css).
// A row of labels takes `line`; `gap` keeps labels of one row apart; counts and values
// take at most `rows` rows each (more would leave the columns hardly any height).
const NUMBER_LINE = { width: 600, height: 300, top: 96, bottom: 44, font: 30, line: 36, gap: 8, rows: 2 };

/** About how wide `text` is drawn, in the SVG's units: a bold digit is at most 0.7 of the font's size, a separator 0.4. */
function labelWidth(text) {
  return Array.from(text).reduce((sum, char) => sum + (/[\s.,\u066B\u066C]/u.test(char) ? 0.4 : 0.7), 0) * NUMBER_LINE.font;
}

/**
 * Where `n` columns stand when their widest label is `widest` units: each column's
 * `slot`, and the `margin` at each end that keeps the outer labels inside the chart.
 */
function spread(n, widest) {
  const even = NUMBER_LINE.width / n;
  const slot = widest <= even || n < 2 ? even : Math.max(even / 2, (NUMBER_LINE.width - widest) / (n - 1));
  return { slot, margin: (NUMBER_LINE.width - n * slot) / 2 };
}

/** How many rows `labels` take, label i in row i mod rows, so that those of one row stay apart. */
function labelRows(labels, slot) {
  const widest = Math.max(0, ...labels.map(labelWidth));
  return Math.min(NUMBER_LINE.rows, Math.max(1, Math.ceil((widest + NUMBER_LINE.gap) / slot)));
}

/**
 * The answers given, one column per value in increasing order (height: how
 * many gave it), under a bracket spanning the accepted range. Columns are
 * evenly spaced so every label stays readable, whatever the values: labels too
 * wide to stand side by side take rows, every other one higher (a count, over
 * all the columns, with a line down to its own) or lower (a value).
 */
function numberLine(answers, correct) {
  const rows = answers.filter((row) => Number.isFinite(Number(row.answer)))
    .sort((a, b) => Number(a.answer) - Number(b.answer));
  const values = rows.map((row) => sayNumber(row.answer));
  const counts = rows.map((row) => i18n.formatNumber(row.count));
  const { slot, margin } = spread(Math.max(1, rows.length), Math.max(0, ...values.concat(counts).map(labelWidth)));
  const valueRows = labelRows(values, slot);
  const countRows = labelRows(counts, slot);
  const top = NUMBER_LINE.top + (countRows - 1) * NUMBER_LINE.line;
  const baseline = NUMBER_LINE.height - NUMBER_LINE.bottom - (valueRows - 1) * NUMBER_LINE.line;
  const plot = baseline - top;
  const largest = Math.max(1, ...rows.map((row) => row.count));
  const summary = t("kind.number.summary", { values: i18n.formatList(rows.map((row, i) =>
    t(row.correct ? "kind.number.summary_accepted" : "kind.number.summary_item", { answer: values[i], count: row.count }))) });
  const chart = svg("svg", { viewBox: "0 0 " + NUMBER_LINE.width + " " + NUMBER_LINE.height, class: "number-line", role: "img", "aria-label": summary });
  chart.appendChild(svg("line", { x1: 0, x2: NUMBER_LINE.width, y1: baseline, y2: baseline, class: "number-line-axis" }));
  rows.forEach((row, i) => {
    const middle = margin + (i + 0.5) * slot;
    const height = Math.max(2, (plot * row.count) / largest);
    chart.appendChild(svg("rect", { x: middle - slot * 0.35, y: baseline - height, width: slot * 0.7, height, class: row.correct ? "number-line-right" : "number-line-wrong" }));
    // One row of counts stands on the columns; more stand over the tallest, each joined to its column.
    const countAt = countRows > 1 ? top - 6 - (i % countRows) * NUMBER_LINE.line : baseline - height - 6;
    if (countRows > 1) chart.appendChild(svg("line", { x1: middle, x2: middle, y1: countAt + 6, y2: baseline - height, class: "number-line-guide" }));
    chart.appendChild(numberLineText(counts[i], middle, countAt, "number-line-count", "middle"));
    chart.appendChild(numberLineText(values[i], middle, baseline + NUMBER_LINE.font + 6 + (i % valueRows) * NUMBER_LINE.line, "number-line-value", "middle"));
  });
  const inside = rows.map((row, i) => (row.correct ? i : -1)).filter((i) => i >= 0);
  if (inside.length) {
    const range = "✓ " + acceptedRange(correct);
    const left = margin + inside[0] * slot + 4;
    const right = margin + (inside[inside.length - 1] + 1) * slot - 4;
    const half = Math.min(NUMBER_LINE.width, labelWidth(range)) / 2;
    const y = NUMBER_LINE.font + 12; // the bracket, under its label, above the counts
    chart.appendChild(numberLineText(range, Math.min(Math.max((left + right) / 2, half), NUMBER_LINE.width - half), NUMBER_LINE.font + 2, "number-line-range", "middle"));
    chart.appendChild(svg("path", { d: "M" + left + " " + (y + 14) + " V" + y + " H" + right + " V" + (y + 14), class: "number-line-bracket" }));
  }
  return chart;
}

/** A label on the number line (SVG text: it scales with the chart). */
function numberLineText(text, x, y, className, anchor) {
  const node = svg("text", { x, y, "text-anchor": anchor, class: className });
  node.textContent = text;
  return node;
}

registerKind("number", {
  label: "Number",
  nameKey: "kind.number.name",
  board(container, question) {
    const hint = hasRange(question)
      ? t("kind.number.board_between", { min: sayNumber(question.min), max: sayNumber(question.max) }) : t("kind.number.board");
    fill(container, el("p", { class: "projector-hint", text: hint }));
  },
  tally(container, question, result) {
    if (!result.revealed) {
      typedTallyWhileOpen(container);
      return;
    }
    fill(container,
      el("p", { class: "tally-accepted", text: t("kind.accepted", { answers: acceptedRange(result.correct) }) }),
      tallySummary(result.counts),
      numberLine(result.top_answers || [], result.correct));
  },
});
