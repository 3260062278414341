"use strict";
// The big screen fits its screen. Every size on the projector is its full size
// times --fit (style.css), and no text goes under --least (28 px at 1080). A
// stage with more to show than fits is shrunk: the largest --fit at which
// nothing overflows wins. A stage may also offer other layouts (a class that
// reflows it); one is kept only where it fits and lets the text be clearly
// larger than the layouts before it.
//
// Each try of a size is a layout of the whole page (one write, --fit, then
// only reads), and a fit runs in the task that draws a projector_state, so a
// fit takes at most FIT_LAYOUTS tries, whatever the stage: a search of a few
// halvings, a layout tried only where it could do better. A redraw of the same
// content keeps its fit without a try; a redraw where only numbers changed (the
// answers coming in, a count of joins) tries the fit it had, once, and searches
// only when that no longer holds; after a change of size (a picture or a font
// arriving) two tries tell whether that fit is still the one.

const FIT_LOWEST = 0.4; // every text is at its floor well before this
const FIT_PRECISION = (1 - FIT_LOWEST) / 2 ** 5; // five halvings: within 0.02
const FIT_LAYOUTS = 10; // the most tries (forced layouts) one fit may take
const LAYOUT_GAIN = 0.1; // another layout is worth it only for text this much larger
const NUMBER = /\p{Nd}[\p{Nd}.,\s\u066B\u066C]*/gu; // "1,024", "3.5", "١٢"
const fitsFound = new WeakMap(); // stage → {content, layout, fit, fits}, the last fit found

/**
 * Fit `stage` (a shown view) inside its own box: set --fit on `root` and at most
 * one of `layouts` (class names, tried after the stage's own layout) on `stage`.
 * Unless `again` (the screen, a picture or a font changed), the same content keeps
 * its last fit. Returns {layout, fit, fits}; fits is false when nothing fits even at
 * the smallest.
 */
function fitStage(root, stage, layouts, again) {
  const choices = [null].concat(layouts || []);
  const content = stage.textContent + " " + Array.from(stage.querySelectorAll("img"), (img) => img.src).join(" ");
  const last = fitsFound.get(stage);
  const tries = { left: FIT_LAYOUTS };
  const holds = (fit) => {
    tries.left -= 1;
    return holdsAt(root, stage, fit);
  };
  let best = null;
  if (last && last.content === content && !again) best = last;
  else if (last && again && last.content === content) best = stillBest(holds, stage, choices, last) ? last : null;
  else if (last && last.content.replace(NUMBER, "0") === content.replace(NUMBER, "0")) {
    useLayout(stage, choices, last.layout);
    best = !last.fits || holds(last.fit) ? last : null;
  }
  if (!best) best = search(holds, tries, stage, choices);
  fitsFound.set(stage, Object.assign({}, best, { content }));
  useLayout(stage, choices, best.layout);
  root.style.setProperty("--fit", String(best.fit));
  return { layout: best.layout, fit: best.fit, fits: best.fits };
}

/** The best layout and its largest fit, in the tries left: each later layout keeps one. */
function search(holds, tries, stage, choices) {
  let best = null;
  for (let i = 0; i < choices.length && tries.left > 0; i += 1) {
    const needed = best && best.fits ? best.fit + LAYOUT_GAIN : FIT_LOWEST;
    if (needed > 1) break;
    useLayout(stage, choices, choices[i]);
    const found = largestFit(holds, needed, tries.left - (choices.length - 1 - i));
    if (!best || (found.fits && !best.fits) || (found.fits && found.fit >= needed)) best = Object.assign({ layout: choices[i] }, found);
    if (best.fits && best.fit === 1) break;
  }
  return best;
}

function useLayout(stage, choices, layout) {
  choices.forEach((name) => {
    if (name) stage.classList.toggle(name, name === layout);
  });
}

/** Whether `last` (a fit that held) still holds, and no larger one does: two tries. */
function stillBest(holds, stage, choices, last) {
  if (!last.fits) return false;
  useLayout(stage, choices, last.layout);
  return holds(last.fit) && (last.fit === 1 || !holds(Math.min(1, last.fit + FIT_PRECISION)));
}

/**
 * The largest --fit (at least `lowest`, at most 1) at which the stage holds its content,
 * in at most `count` tries (at least one). Most stages hold at full size, so 1 is tried
 * first; a layout that could only win above the lowest mostly does not, so there it is
 * the lowest. Halvings take the tries left.
 */
function largestFit(holds, lowest, count) {
  let left = count;
  const tried = (fit) => {
    left -= 1;
    return holds(fit);
  };
  const whole = { fit: 1, fits: true };
  if (lowest > FIT_LOWEST) {
    if (!tried(lowest)) return { fit: lowest, fits: false };
    if (left < 1) return { fit: lowest, fits: true };
    if (tried(1)) return whole;
  } else {
    if (tried(1)) return whole;
    if (left < 1 || !tried(lowest)) return { fit: lowest, fits: false };
  }
  let low = lowest;
  let high = 1;
  while (left > 0 && high - low > FIT_PRECISION + 1e-9) {
    const middle = (low + high) / 2;
    if (tried(middle)) low = middle;
    else high = middle;
  }
  return { fit: low, fits: true };
}

function holdsAt(root, stage, fit) {
  root.style.setProperty("--fit", String(fit));
  return holdsItsContent(stage);
}

/**
 * Whether nothing in `stage` spills out of its box: the stage itself, its parts and
 * their parts (a part's own scroll size counts everything inside it).
 */
function holdsItsContent(stage) {
  const boxes = [stage].concat(Array.from(stage.querySelectorAll(":scope > *, :scope > * > *")));
  return boxes.every((box) => {
    if (!box.getClientRects().length || getComputedStyle(box).display === "inline") return true;
    return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1;
  });
}
