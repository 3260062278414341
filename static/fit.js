"use strict";
// The big screen fits its screen. Every size on the projector is its full size
// times --fit (style.css), and no text goes under --least (28 px at 1080). A
// stage with more to show than fits is shrunk: the largest --fit at which
// nothing overflows wins. A stage may also offer other layouts (a class that
// reflows it); one is kept only where it fits and lets the text be clearly
// larger than the layouts before it.

const FIT_LOWEST = 0.4; // every text is at its floor well before this
const FIT_STEPS = 7; // halvings: the scale is found to within 0.005
const LAYOUT_GAIN = 0.1; // another layout is worth it only for text this much larger

/**
 * Fit `stage` (a shown view) inside its own box: set --fit on `root` and at most
 * one of `layouts` (class names, tried after the stage's own layout) on `stage`.
 * Returns {layout, fit, fits}; fits is false when nothing fits even at the smallest.
 */
function fitStage(root, stage, layouts) {
  const choices = [null].concat(layouts || []);
  let best = null;
  choices.forEach((layout) => {
    useLayout(stage, choices, layout);
    const found = largestFit(root, stage);
    const better = !best || (found.fits && !best.fits) || (found.fits === best.fits && found.fit > best.fit + LAYOUT_GAIN);
    if (better) best = Object.assign({ layout }, found);
  });
  useLayout(stage, choices, best.layout);
  root.style.setProperty("--fit", String(best.fit));
  return best;
}

function useLayout(stage, choices, layout) {
  choices.forEach((name) => {
    if (name) stage.classList.toggle(name, name === layout);
  });
}

/** The largest --fit (FIT_LOWEST..1) at which `stage` holds its content. */
function largestFit(root, stage) {
  const holds = (fit) => {
    root.style.setProperty("--fit", String(fit));
    return holdsItsContent(stage);
  };
  if (holds(1)) return { fit: 1, fits: true };
  if (!holds(FIT_LOWEST)) return { fit: FIT_LOWEST, fits: false };
  let low = FIT_LOWEST;
  let high = 1;
  for (let step = 0; step < FIT_STEPS; step += 1) {
    const middle = (low + high) / 2;
    if (holds(middle)) low = middle;
    else high = middle;
  }
  return { fit: low, fits: true };
}

/**
 * Whether nothing in `stage` spills out of its box: the stage itself, its parts and
 * their parts (a part's own scroll size counts everything inside it). A name cut on
 * purpose (an ellipsis, its whole in its title) is not a spill.
 */
function holdsItsContent(stage) {
  const boxes = [stage].concat(Array.from(stage.querySelectorAll(":scope > *, :scope > * > *")));
  return boxes.every((box) => {
    if (!box.getClientRects().length || getComputedStyle(box).display === "inline") return true;
    return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1;
  });
}
