"use strict";
// The big screen fits its screen. Every size on the projector is its full size
// times --fit (style.css), and no text goes under --least (28 px at 1080). A
// stage with more to show than fits is shrunk: the largest --fit at which
// nothing overflows wins. A stage may also offer other layouts (a class that
// reflows it); one is kept only where it fits and lets the text be clearly
// larger than the layouts before it.
//
// Each try is a layout of the whole page, so they are few: a search of five
// halvings, a layout tried only where it could do better, a redraw of the same
// content keeps the fit it had, and after a change of size (a picture or a font
// arriving) two tries tell whether that fit is still the one.

const FIT_LOWEST = 0.4; // every text is at its floor well before this
const FIT_STEPS = 5; // halvings: the scale is found to within 0.02
const FIT_PRECISION = (1 - FIT_LOWEST) / 2 ** FIT_STEPS;
const LAYOUT_GAIN = 0.1; // another layout is worth it only for text this much larger
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
  const same = last && last.content === content;
  let best = same && (!again || stillBest(root, stage, choices, last)) ? last : null;
  if (!best) {
    choices.some((layout) => {
      useLayout(stage, choices, layout);
      const needed = best && best.fits ? best.fit + LAYOUT_GAIN : FIT_LOWEST;
      if (needed > 1) return true;
      const found = largestFit(root, stage, needed);
      if (!best || (found.fits && !best.fits) || (found.fits && found.fit >= needed)) best = Object.assign({ layout }, found);
      return best.fits && best.fit === 1;
    });
    fitsFound.set(stage, Object.assign({ content }, best));
  }
  useLayout(stage, choices, best.layout);
  root.style.setProperty("--fit", String(best.fit));
  return best;
}

function useLayout(stage, choices, layout) {
  choices.forEach((name) => {
    if (name) stage.classList.toggle(name, name === layout);
  });
}

/** Whether `last` (a fit that held) still holds, and no larger one does. */
function stillBest(root, stage, choices, last) {
  if (!last.fits) return false;
  useLayout(stage, choices, last.layout);
  return holdsAt(root, stage, last.fit) && (last.fit === 1 || !holdsAt(root, stage, Math.min(1, last.fit + FIT_PRECISION)));
}

/** The largest --fit (at least `lowest`, at most 1) at which `stage` holds its content. */
function largestFit(root, stage, lowest) {
  const holds = (fit) => holdsAt(root, stage, fit);
  if (holds(1)) return { fit: 1, fits: true };
  if (!holds(lowest)) return { fit: lowest, fits: false };
  let low = lowest;
  let high = 1;
  for (let step = 0; step < FIT_STEPS; step += 1) {
    const middle = (low + high) / 2;
    if (holds(middle)) low = middle;
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
