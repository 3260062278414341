"use strict";
// Math in quiz text: `$…$` inline and `$$…$$` displayed, typeset by the
// vendored KaTeX (static/katex/). A page loads KaTeX the first time it meets
// math (by the names the server gives it in STATIC_URLS), so a quiz without
// any costs the phones nothing. Text outside the
// delimiters goes in as text nodes; KaTeX runs with trust off, so \href,
// \url or \htmlClass in a quiz file draw as an error in red, never as markup.
// Math nested too deep, or defining macros, is never handed to KaTeX: it shows
// as its TeX source.

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

/** `text` with its math as bare TeX, for where no markup can go (a <select>'s options). */
function mathAsText(text) {
  return splitMath(text).map((piece) => (piece.tex === undefined ? piece.text : piece.tex)).join("");
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
  if (canTypeset(piece.tex)) typeset(node, piece);
  return node;
}

// Math nested deeper than this stops the tab that typesets it (150 × \sqrt{ did, on
// every page), and a macro definition can nest as deep as it likes: such math stays
// its plain text. The server's `check` holds quizzes to the same bound
// (src/trivia_trio/core/math_text.py, which counts exactly as mathDepth does).
const MAX_MATH_DEPTH = 20;
const MATH_COMMAND = /\\([A-Za-z]+|[\s\S]?)/y; // a control word, or the one character after "\"
const DEFINES_MACROS = ["def", "gdef", "edef", "xdef", "let", "futurelet", "global", "newcommand", "renewcommand", "providecommand"];

/** How deep `tex` nests (braces, \left…\right, \begin…\end, a root's [index]); -1 when it defines a macro. */
function mathDepth(tex) {
  const open = [];
  let deepest = 0;
  let i = 0;
  while (i < tex.length) {
    const char = tex[i];
    if (char === "\\") {
      MATH_COMMAND.lastIndex = i;
      const word = MATH_COMMAND.exec(tex)[1];
      i += 1 + word.length;
      if (DEFINES_MACROS.includes(word)) return -1;
      if (word === "left" || word === "begin") open.push(word);
      else if ((word === "right" || word === "end") && open.length) open.pop();
      else if (word === "sqrt" && tex[i] === "[") {
        open.push("[");
        i += 1;
      }
    } else {
      if (char === "{") open.push(char);
      else if (open.length && (char === "}" || (char === "]" && open[open.length - 1] === "["))) open.pop();
      i += 1;
    }
    deepest = Math.max(deepest, open.length);
  }
  return deepest;
}

function canTypeset(tex) {
  const depth = mathDepth(tex);
  return depth >= 0 && depth <= MAX_MATH_DEPTH;
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
