"use strict";
// Every word the pages show comes from a catalog: static/i18n/<language>.json,
// one flat {key: text} object per language. A page fetches only the language it
// shows, once (STATIC_URLS.catalogs, set by the server at the top of each page's
// script: {"catalog": the texts this page can ask for, "fallback": the English
// texts that catalog lacks}).
//
// Texts may hold {name} placeholders; numbers put into them are written the
// language's way (Intl.NumberFormat). A text that depends on a count is an
// object of plural forms, {"one": "...", "other": "..."}, picked with
// Intl.PluralRules from the `count` parameter.
//
// In the HTML, <x data-i18n="key"> gets its text from the catalog, and
// data-i18n-alt / -aria-label / -placeholder / -title="key" fill that attribute.
//
// Adding a language: write static/i18n/<code>.json with exactly English's keys
// and add one line to LANGUAGES below.

/** Language code → its own name (shown in the pickers, never translated). */
const LANGUAGES = {
  en: "English",
  es: "Español",
  fr: "Français",
  de: "Deutsch",
  "pt-BR": "Português (Brasil)",
  it: "Italiano",
  nl: "Nederlands",
  pl: "Polski",
  tr: "Türkçe",
  ja: "日本語",
  "zh-CN": "简体中文",
  ar: "العربية",
};
const FALLBACK_LANGUAGE = "en";
const RIGHT_TO_LEFT = ["ar", "fa", "he", "ur"];
const LANGUAGE_MEMORY_PREFIX = "trivia-trio.language.";

const i18n = (() => {
  const loaded = {}; // code → Promise of its catalog
  let language = FALLBACK_LANGUAGE;
  let catalog = {};
  let fallback = {};
  const missing = []; // keys asked for that a catalog lacks (browser tests read this)

  function fetchCatalog(code) {
    if (!loaded[code]) loaded[code] = fetchUntilLoaded(STATIC_URLS.catalogs[code]);
    return loaded[code];
  }

  /** A page without its words is no page: a catalog that did not come is asked for again. */
  async function fetchUntilLoaded(url) {
    for (let delay = 500; ; delay = Math.min(2 * delay, 5000)) {
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok) return await response.json();
      } catch (networkDown) {
        // the server is restarting or the Wi-Fi dropped: try again below
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * The best of LANGUAGES for a list of BCP 47 tags in order of preference:
   * an exact match first, then the same language in another region
   * ("pt-PT" → "pt-BR", "de-AT" → "de"); English when nothing fits.
   */
  function bestMatch(preferred) {
    const codes = Object.keys(LANGUAGES);
    for (const wanted of preferred || []) {
      const tag = String(wanted || "").toLowerCase();
      const exact = codes.find((code) => code.toLowerCase() === tag);
      if (exact) return exact;
      const base = tag.split("-")[0];
      const sameLanguage = codes.find((code) => code.toLowerCase().split("-")[0] === base);
      if (sameLanguage) return sameLanguage;
    }
    return FALLBACK_LANGUAGE;
  }

  function browserLanguages() {
    return navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  }

  /** Switch to `code` (a key of LANGUAGES): load its catalog, then reword the page. */
  async function use(code) {
    const chosen = Object.prototype.hasOwnProperty.call(LANGUAGES, code) ? code : FALLBACK_LANGUAGE;
    const served = await fetchCatalog(chosen);
    fallback = served.fallback;
    catalog = served.catalog;
    language = chosen;
    pluralRules = new Intl.PluralRules(language);
    document.documentElement.lang = language;
    document.documentElement.dir = RIGHT_TO_LEFT.indexOf(language.split("-")[0]) >= 0 ? "rtl" : "ltr";
    translateTree(document);
    return language;
  }

  let pluralRules = new Intl.PluralRules(FALLBACK_LANGUAGE);

  function lookup(key) {
    if (Object.prototype.hasOwnProperty.call(catalog, key)) return catalog[key];
    if (missing.indexOf(key) < 0) {
      missing.push(key);
      if (window.console) console.warn("i18n: no '" + key + "' in " + language);
    }
    return Object.prototype.hasOwnProperty.call(fallback, key) ? fallback[key] : "";
  }

  /** The text for `key` in the page's language, {placeholders} filled from `params`. */
  function t(key, params) {
    return render(key, params || {}, {});
  }

  /**
   * t() as strings and nodes, for a text with a styled part in it: a
   * placeholder named in `nodes` becomes that node (its place in the sentence
   * is the language's), the others are filled as in t().
   */
  function tNodes(key, params, nodes) {
    const parts = render(key, params || {}, nodes).split(/\{(\w+)\}/);
    return parts.map((part, i) => (i % 2 === 1 ? nodes[part] : part)).filter((part) => part !== "");
  }

  function render(key, values, kept) {
    let text = lookup(key);
    if (text !== null && typeof text === "object") {
      text = text[pluralRules.select(Number(values.count))] || text.other || "";
    }
    return String(text).replace(/\{(\w+)\}/g, (whole, name) => {
      if (kept[name] || !Object.prototype.hasOwnProperty.call(values, name)) return whole;
      const value = values[name];
      return typeof value === "number" ? formatNumber(value) : String(value);
    });
  }

  function formatNumber(value, options) {
    return new Intl.NumberFormat(language, options).format(value);
  }

  /**
   * The words for a code the server sent (`kind` "error" or "warning"): the
   * catalog's "<kind>.<code>", or "<kind>.unknown" for a code it has no words for;
   * `params` fill the fields the server sent with it (such as a quiz's title).
   */
  function serverText(kind, code, params) {
    const key = kind + "." + code;
    const known = Object.prototype.hasOwnProperty.call(catalog, key) || Object.prototype.hasOwnProperty.call(fallback, key);
    return t(known ? key : kind + ".unknown", Object.assign({ code: String(code) }, params));
  }

  /** ["a", "b", "c"] → "a, b, c" with the language's separators; type "disjunction": "a, b or c". */
  function formatList(items, type) {
    return typeof Intl.ListFormat === "function"
      ? new Intl.ListFormat(language, type ? { style: "long", type } : { style: "short", type: "unit" }).format(items)
      : items.join(", ");
  }

  const ATTRIBUTES = ["alt", "aria-label", "placeholder", "title"];

  /** Word every data-i18n element (and data-i18n-<attribute>) under `root`. */
  function translateTree(root) {
    root.querySelectorAll("[data-i18n]").forEach((node) => {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    ATTRIBUTES.forEach((attribute) => {
      root.querySelectorAll("[data-i18n-" + attribute + "]").forEach((node) => {
        node.setAttribute(attribute, t(node.getAttribute("data-i18n-" + attribute)));
      });
    });
  }

  /** The language this page last chose by hand (localStorage), if any. */
  function remembered(page) {
    try {
      return localStorage.getItem(LANGUAGE_MEMORY_PREFIX + page);
    } catch (storageOff) {
      return null;
    }
  }

  function remember(page, code) {
    try {
      localStorage.setItem(LANGUAGE_MEMORY_PREFIX + page, code);
    } catch (storageOff) {
      // Private mode: the choice lasts for this page only.
    }
  }

  /**
   * A labelled <select> of every language, set to the current one; choosing
   * another remembers it for this page and calls onChange(code).
   */
  function picker(onChange) {
    const select = el("select", { class: "language-select", "aria-label": t("language.label") },
      ...Object.keys(LANGUAGES).map((code) =>
        el("option", { value: code, lang: code, selected: code === language, text: LANGUAGES[code] })));
    select.addEventListener("change", () => {
      remember(page, select.value);
      onChange(select.value);
    });
    return select;
  }

  // The page says whose language it follows: <body data-language-memory="student">.
  const page = document.body.getAttribute("data-language-memory") || "page";
  // A page not worded through the catalogs yet (the quiz editor) stays English, lang and dir too.
  const englishOnly = document.documentElement.hasAttribute("data-i18n-english-only");
  const preferred = englishOnly ? FALLBACK_LANGUAGE : bestMatch([remembered(page)].concat(browserLanguages()));
  const ready = use(preferred);

  return {
    ready,
    use,
    t,
    tNodes,
    serverText,
    formatNumber,
    formatList,
    bestMatch,
    picker,
    preferred,
    missing,
    get language() {
      return language;
    },
  };
})();

const t = i18n.t;
