"use strict";
// Math in quiz text: `$…$` inline and `$$…$$` displayed, typeset by the
// vendored KaTeX (static/katex/). A page loads KaTeX the first time it meets
// math (by the names the server gives it in STATIC_URLS), so a quiz without
// any costs the phones nothing. Text outside the
// delimiters goes in as text nodes; KaTeX runs with trust off, so \href,
// \url or \htmlClass in a quiz file draw as an error in red, never as markup.

// Errors keep the text's own colour (KaTeX's red fails contrast on the option tiles); kinds.css underlines them.
const KATEX_OPTIONS = { throwOnError: false, errorColor: "currentColor", trust: false, strict: "ignore", maxSize: 20, maxExpand: 200, output: "htmlAndMathml" };
// Inline math as large as the text around it: a fraction in a line of text keeps its
// digits full size (TeX's \tfrac still draws them small, for whoever wants that).
const FULL_SIZE_MACROS = { "\\frac": "\\dfrac", "\\binom": "\\dbinom" };
let katexReady = null; // the promise of the loaded script, once a page asked for it

/**
 * Split `text` into [{text}] and [{tex, display}] pieces. `\$` is a dollar
 * sign. As in Pandoc, `$` opens math only before a non-space and closes it
 * only after a non-space and not before a digit, so "$5 and $10" stays text.
 */
function splitMath(text) {
  const source = String(text === null || text === undefined ? "" : text);
  const pieces = [];
  let plain = "";
  let i = 0;
  while (i < source.length) {
    if (source[i] === "\\" && source[i + 1] === "$") {
      plain += "$";
      i += 2;
      continue;
    }
    if (source[i] === "$") {
      const display = source[i + 1] === "$";
      const open = display ? 2 : 1;
      const end = display ? displayEnd(source, i + 2) : inlineEnd(source, i + 1);
      if (end >= 0) {
        if (plain) pieces.push({ text: plain });
        plain = "";
        pieces.push({ tex: source.slice(i + open, end), display });
        i = end + open;
        continue;
      }
    }
    plain += source[i];
    i += 1;
  }
  if (plain) pieces.push({ text: plain });
  return pieces;
}

function displayEnd(source, start) {
  const end = source.indexOf("$$", start);
  return end > start ? end : -1;
}

function inlineEnd(source, start) {
  if (start >= source.length || /\s/.test(source[start])) return -1;
  for (let j = start; j < source.length; j += 1) {
    if (source[j] === "\\") j += 1;
    else if (source[j] === "$") {
      const closes = !/\s/.test(source[j - 1]) && !/[0-9]/.test(source[j + 1] || "");
      return closes ? j : -1;
    }
  }
  return -1;
}

/** Whether `text` holds any math at all. */
function hasMath(text) {
  return splitMath(text).some((piece) => piece.tex !== undefined);
}

/**
 * Fill `node` with `text`, its math typeset (the TeX source shows until KaTeX
 * has loaded). Quiz text keeps its own direction inside a right-to-left page.
 */
function renderRich(node, text) {
  node.setAttribute("dir", "auto");
  fill(node, ...splitMath(text).map((piece) => (piece.tex === undefined ? piece.text : mathNode(piece))));
  return node;
}

/** el(tag, attributes) holding `text` with its math typeset. */
function richText(tag, attributes, text) {
  return renderRich(el(tag, attributes), text);
}

function mathNode(piece) {
  const node = el("span", { class: piece.display ? "math math-display" : "math", text: piece.tex });
  typeset(node, piece);
  return node;
}

function typeset(node, piece) {
  if (window.katex) {
    try {
      // A fresh copy each time: a \gdef in one question must not leak into the next.
      const macros = Object.assign({}, FULL_SIZE_MACROS);
      window.katex.render(piece.tex, node, Object.assign({ displayMode: piece.display, macros }, KATEX_OPTIONS));
    } catch (unrenderable) {
      node.textContent = piece.tex; // the source is the best we can show
    }
    return;
  }
  loadKatex().then(() => typeset(node, piece), () => {});
}

/** Load KaTeX's stylesheet and script once; resolves when the script has run. */
function loadKatex() {
  if (!katexReady) {
    document.head.appendChild(el("link", { rel: "stylesheet", href: STATIC_URLS.katexStyle }));
    katexReady = new Promise((resolve, reject) => {
      const script = el("script", { src: STATIC_URLS.katexScript });
      script.addEventListener("load", resolve);
      script.addEventListener("error", reject);
      document.head.appendChild(script);
    });
  }
  return katexReady;
}
