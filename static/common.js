"use strict";
// Shared by the three pages: a reconnecting JSON websocket, DOM helpers that
// never parse HTML (everything a user typed goes in as text), the option
// look (colour + shape + letter), countdowns, leaderboards and screen-reader
// announcements. Plain ES2017 so a five-year-old phone runs it.

const RECONNECT_FIRST_DELAY_MS = 250;
const RECONNECT_MAX_DELAY_MS = 5000;
const KEEPALIVE_INTERVAL_MS = 20000;
// Nothing heard for this long (not even a pong) means a half-open socket.
const SILENCE_LIMIT_MS = 2 * KEEPALIVE_INTERVAL_MS + 5000;

// ---- DOM helpers (text only) ------------------------------------------

/** el("li", {class: "row", "aria-label": "x"}, child, "text", ...): strings become text nodes. */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  const attrs = attributes || {};
  Object.keys(attrs).forEach((name) => {
    const value = attrs[name];
    if (value === null || value === undefined || value === false) return;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  });
  appendAll(node, children);
  return node;
}

function appendAll(node, children) {
  children.forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  });
}

/** Replace a node's children; strings become text nodes. */
function fill(node, ...children) {
  while (node.firstChild) node.removeChild(node.firstChild);
  appendAll(node, children);
  return node;
}

function byId(id) {
  return document.getElementById(id);
}

function setText(id, text) {
  byId(id).textContent = text === null || text === undefined ? "" : String(text);
}

/** Show the one view named `name` out of {name: element}, hide the others. */
function showOnly(views, name) {
  Object.keys(views).forEach((key) => {
    views[key].hidden = key !== name;
  });
}

/** A score with two decimals, written the page language's way (0.95, 0,95, ٠٫٩٥). */
function formatScore(score) {
  return i18n.formatNumber(Number(score || 0), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

// ---- Screen-reader announcements ---------------------------------------

// Live regions must exist before they speak, so they are made when the page loads
// (the scripts sit at the end of <body>).
function makeLiveRegion(politeness) {
  return document.body.appendChild(el("div", { id: "announcer-" + politeness, class: "visually-hidden", "aria-live": politeness, "aria-atomic": "true" }));
}
const liveRegions = { polite: makeLiveRegion("polite"), assertive: makeLiveRegion("assertive") };

/** Say `text` through a visually hidden live region (assertive for time warnings). */
function announce(text, urgent) {
  const region = liveRegions[urgent ? "assertive" : "polite"];
  // Clear first so the same sentence twice is still spoken twice.
  region.textContent = "";
  setTimeout(() => {
    region.textContent = text;
  }, 60);
}

// ---- Options: colour + shape + letter -----------------------------------

const OPTION_LETTERS = ["A", "B", "C", "D", "E", "F"];
const OPTION_SHAPES = { A: "triangle", B: "diamond", C: "circle", D: "square", E: "star", F: "cross" };
const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  Object.keys(attributes || {}).forEach((name) => node.setAttribute(name, attributes[name]));
  return node;
}

function optionShape(letter) {
  const icon = svg("svg", { viewBox: "0 0 24 24", class: "option-shape", "aria-hidden": "true", focusable: "false" });
  const shape = OPTION_SHAPES[letter];
  if (shape === "triangle") icon.appendChild(svg("polygon", { points: "12,2 23,21 1,21" }));
  else if (shape === "diamond") icon.appendChild(svg("polygon", { points: "12,1 23,12 12,23 1,12" }));
  else if (shape === "circle") icon.appendChild(svg("circle", { cx: "12", cy: "12", r: "10.5" }));
  else if (shape === "star") icon.appendChild(svg("polygon", { points: "12,1 14.9,8.6 23,8.6 16.5,13.6 18.8,22 12,17 5.2,22 7.5,13.6 1,8.6 9.1,8.6" }));
  else if (shape === "cross") icon.appendChild(svg("polygon", { points: "8,1 16,1 16,8 23,8 23,16 16,16 16,23 8,23 8,16 1,16 1,8 8,8" }));
  else icon.appendChild(svg("rect", { x: "2", y: "2", width: "20", height: "20" }));
  return icon;
}

/** The coloured tile with a shape and a letter that names option `letter` everywhere. */
function optionBadge(letter) {
  return el("span", { class: "option-badge option-" + letter }, optionShape(letter), el("span", { class: "option-letter", text: letter }));
}

/** Letter → option text for a question's options array. */
function lettersOf(options) {
  return OPTION_LETTERS.slice(0, (options || []).length);
}

// ---- Countdown -----------------------------------------------------------

const TIME_WARNINGS_S = [10, 5];
// Every countdown on the page: frozen while the server is out of reach.
const countdowns = [];

/**
 * A countdown drawn into `node` from the server's remaining_ms. The local
 * deadline uses performance.now(), so a wrong phone clock does not matter.
 * While the connection is lost it stands still: a server that is down counts
 * no time either, and the reconnect brings the time it really has left.
 */
function createCountdown(node) {
  let deadline = 0;
  let timer = null;
  let pendingWarnings = [];
  let frozenMs = null; // the time left when the connection was lost, or null

  function secondsLeft() {
    const left = frozenMs === null ? deadline - performance.now() : frozenMs;
    return Math.max(0, Math.ceil(left / 1000));
  }

  function tick() {
    const seconds = secondsLeft();
    node.textContent = i18n.formatNumber(seconds);
    node.classList.toggle("countdown-urgent", seconds <= 5);
    const due = pendingWarnings.filter((limit) => seconds <= limit);
    if (due.length) {
      pendingWarnings = pendingWarnings.filter((limit) => seconds > limit);
      announce(t("countdown.seconds_left", { count: seconds }), true);
    }
    if (seconds === 0) stop();
  }

  function start(remainingMs) {
    frozenMs = null;
    deadline = performance.now() + Math.max(0, remainingMs || 0);
    const initial = secondsLeft();
    pendingWarnings = TIME_WARNINGS_S.filter((limit) => initial > limit);
    if (timer === null) timer = setInterval(tick, 250);
    tick();
  }

  function halt() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  function stop() {
    halt();
    frozenMs = null;
  }

  /** Stand still, showing the time left now, until the next start(). */
  function freeze() {
    if (timer === null) return;
    frozenMs = Math.max(0, deadline - performance.now());
    halt();
  }

  const countdown = { start, stop, freeze, secondsLeft };
  countdowns.push(countdown);
  return countdown;
}

// ---- Leaderboards --------------------------------------------------------

// Names longer than this may be cut with an ellipsis: they can take keyboard focus,
// which (like hovering) shows the whole name.
const LONG_NAME_CHARS = 16;

/** Fill an <ol> with {rank, name, score, is_you} rows; names go in as text. */
function renderLeaderboard(list, rows) {
  fill(list, ...(rows || []).map((row) =>
    el("li", { class: row.is_you ? "leader-row leader-you" : "leader-row" },
      el("span", { class: "leader-rank", text: i18n.formatNumber(row.rank) }),
      el("span", { class: "leader-name", dir: "auto", title: row.name, tabindex: Array.from(String(row.name)).length > LONG_NAME_CHARS ? "0" : null, text: row.name }),
      row.is_you ? el("span", { class: "leader-you-tag", text: t("leaderboard.you") }) : null,
      el("span", { class: "leader-score", text: formatScore(row.score) }))));
}

// ---- HTTP ----------------------------------------------------------------

/** fetch + JSON body; resolves {status, data} (data null when the body is not JSON). */
async function requestJson(method, url, body, headers) {
  const init = { method, credentials: "same-origin", headers: Object.assign({}, headers) };
  if (body !== undefined) {
    if (body instanceof Blob) init.body = body;
    else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  const response = await fetch(url, init);
  let data = null;
  try {
    data = await response.json();
  } catch (notJson) {
    data = null;
  }
  return { status: response.status, data };
}

// ---- The reconnecting socket ---------------------------------------------

const connectionBanner = document.body.appendChild(el("div", { class: "connection-lost", role: "status", hidden: true }));

function showConnectionLost(lost) {
  connectionBanner.textContent = lost ? t("connection.lost") : "";
  connectionBanner.hidden = !lost;
  document.body.classList.toggle("is-offline", lost);
  if (lost) countdowns.forEach((countdown) => countdown.freeze());
}

/**
 * Open a JSON websocket to `path` that keeps itself alive and reconnects
 * with exponential backoff and jitter (capped at 5 s) until stopped.
 * handlers.onMessage(msg) gets every message but pongs; handlers.onOpen();
 * handlers.onClose(code) may return false to stop reconnecting (e.g. 4001).
 * Returns {send(obj) → bool, reconnectNow(), forceReconnect(), stop()}.
 */
function openJsonSocket(path, handlers) {
  let socket = null;
  let attempt = 0;
  let stopped = false;
  let retryTimer = null;
  let keepaliveTimer = null;
  let lastHeard = 0;

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function connect() {
    retryTimer = null;
    const current = new WebSocket(socketUrl());
    socket = current;
    current.onopen = () => {
      attempt = 0;
      lastHeard = Date.now();
      showConnectionLost(false);
      keepaliveTimer = setInterval(keepalive, KEEPALIVE_INTERVAL_MS);
      if (handlers.onOpen) handlers.onOpen();
    };
    current.onmessage = (event) => {
      lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (notJson) {
        return;
      }
      if (message && message.type !== "pong") handlers.onMessage(message);
    };
    current.onclose = (event) => closed(current, event.code);
  }

  function closed(which, code) {
    if (which !== socket) return;
    socket = null;
    clearInterval(keepaliveTimer);
    keepaliveTimer = null;
    if (stopped) return;
    if (handlers.onClose && handlers.onClose(code) === false) {
      stopped = true;
      showConnectionLost(false);
      return;
    }
    showConnectionLost(true);
    const ceiling = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_FIRST_DELAY_MS * Math.pow(2, attempt));
    attempt += 1;
    retryTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /** Drop a socket that may be half-open (laptop sleep, Wi-Fi roam) without waiting for its close. */
  function abandon() {
    const dead = socket;
    if (!dead) return;
    dead.onopen = dead.onmessage = dead.onclose = null;
    dead.close();
    closed(dead, 1006);
  }

  function keepalive() {
    if (Date.now() - lastHeard > SILENCE_LIMIT_MS) abandon();
    else send({ type: "ping" });
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** Retry at once instead of waiting out the backoff (network back, tab visible again). */
  function reconnectNow() {
    if (stopped) return;
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      connect();
    } else if (socket && socket.readyState === WebSocket.OPEN) {
      keepalive();
    }
  }

  /** Give up on the current socket now (e.g. an answer got no ack): a fresh one brings a snapshot. */
  function forceReconnect() {
    if (!stopped) abandon();
  }

  function stop() {
    stopped = true;
    clearTimeout(retryTimer);
    if (socket) socket.close();
    showConnectionLost(false);
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) reconnectNow();
  });
  connect();
  return { send, reconnectNow, forceReconnect, stop };
}
