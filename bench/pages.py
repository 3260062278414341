"""The dashboard and the projector in a real browser while the load generator plays the class.

``PageWatch(url, key)`` opens Debian's chromium (headless; never a downloaded
browser) with the dashboard at 1366×768 and the projector at 1920×1080, before
the class joins. While the load test runs, ``follow(process)`` clicks the
dashboard a few times a second, as a teacher would (the students table's
"Name" header, which sorts the whole class, and the "show the answer"
switch, which redraws the current question), and samples both pages. Every
figure is Chrome's own:

- a click answered: Event Timing's duration of each click (from the input to
  the next paint), p99 over the run and over the clicks made while a question
  was open; a click answered within 16 ms leaves no entry and counts as 16;
- long tasks (over 50 ms) while the class ran: the longest, and how many went
  over 200 ms;
- main thread busy: Chrome's TaskDuration over the run's wall time, and the
  main thread's CPU time (ThreadTime): on a crowded machine a task's wall time
  also counts the time the thread waited for a core;
- DOM elements and JS heap: the most seen in the samples;
- a screenshot of the dashboard (the window a teacher sees) during the last
  question, with a search in use, when ``screenshot`` names a file;
- end shown late by: when each page showed the end, after the first of the
  load generator's instructor socket, the dashboard and the projector to see
  it (on one clock): the load generator, itself short of CPU, may read it last.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from subprocess import Popen
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DASHBOARD = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
CLICK_INTERVAL_S = 0.3
END_WAIT_MS = 120_000
# Event Timing reports nothing under this: such a click counts as this long.
EVENT_TIMING_FLOOR_MS = 16.0

# In each page before its own scripts: long tasks, slow input, clicks, and the states shown.
OBSERVERS = """
window.__bench = { longTasks: [], events: [], clicks: [], states: [], state: "", endedAt: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.interactionId) window.__bench.events.push([e.interactionId, e.startTime, e.duration]);
  }
}).observe({ type: "event", durationThreshold: 16, buffered: true });
addEventListener("click", (e) => {
  window.__bench.clicks.push([e.timeStamp, window.__bench.state]);
}, true);
"""
# The dashboard's state as its label shows it; the end is "finished".
WATCH_DASHBOARD = """finished => {
  const label = document.getElementById("state-label");
  const seen = () => {
    const shown = label.textContent;
    if (shown === window.__bench.state) return;
    window.__bench.state = shown;
    window.__bench.states.push([performance.now(), shown]);
    if (shown === finished && window.__bench.endedAt === null) window.__bench.endedAt = Date.now();
  };
  const all = { childList: true, characterData: true, subtree: true };
  new MutationObserver(seen).observe(label, all);
  seen();
}"""
# The projector's end is its podium.
WATCH_PROJECTOR = """() => {
  const podium = document.getElementById("podium");
  new MutationObserver(() => {
    const first = podium.children.length && window.__bench.endedAt === null;
    if (first) window.__bench.endedAt = Date.now();
  }).observe(podium, { childList: true });
}"""
CLICK_TARGETS = ("#students-table button[data-sort=name]", "#show-answers")


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


class PageWatch:
    """Chromium with the dashboard and the projector of the server at ``url``.

    Use as a context manager: entering opens both pages and waits until the
    dashboard is connected; leaving closes the browser whatever happened.
    """

    def __init__(self, url: str, instructor_key: str, questions: int,
                 screenshot: Path | None = None) -> None:
        self.url = url
        self.instructor_key = instructor_key
        self.questions = questions
        self.screenshot = screenshot
        self.samples: dict[str, list[tuple[int, float]]] = {"dashboard": [], "projector": []}
        self.clicks = 0
        self.started_at = 0.0
        self.metrics_before: dict[str, dict[str, float]] = {}

    def __enter__(self) -> PageWatch:
        from playwright.sync_api import sync_playwright

        if not CHROMIUM.exists():
            raise RuntimeError(f"the page measurements need chromium at {CHROMIUM}")
        self._playwright = sync_playwright().start()
        try:
            self.browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            self.pages = {
                "dashboard": self._open(f"/instructor?key={self.instructor_key}", DASHBOARD),
                "projector": self._open("/projector", PROJECTOR),
            }
            dashboard = self.pages["dashboard"]
            dashboard.wait_for_function(
                "document.getElementById('state-label').textContent === t('dashboard.state.lobby')")
            dashboard.evaluate(WATCH_DASHBOARD, dashboard.evaluate("t('dashboard.state.finished')"))
            self.pages["projector"].wait_for_selector("#podium", state="attached")
            self.pages["projector"].evaluate(WATCH_PROJECTOR)
            # The students table in view, where a teacher looking for someone works.
            dashboard.locator("#students-heading").scroll_into_view_if_needed()
            self.cdp = {name: page.context.new_cdp_session(page)
                        for name, page in self.pages.items()}
            for session in self.cdp.values():
                session.send("Performance.enable")
        except BaseException:
            self._playwright.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.browser.close()
        finally:
            self._playwright.stop()

    def _open(self, path: str, viewport: dict[str, int]) -> Any:
        # Each page in its own context, as on the teacher's laptop and the room's projector;
        # the pages' Content-Security-Policy would refuse the conditions waited on here.
        page = self.browser.new_context(viewport=viewport, locale="en-US",
                                        bypass_csp=True).new_page()
        page.add_init_script(OBSERVERS)
        page.goto(self.url + path)
        return page

    def _metrics(self, name: str) -> dict[str, float]:
        reply = self.cdp[name].send("Performance.getMetrics")
        return {metric["name"]: metric["value"] for metric in reply["metrics"]}

    def _sample(self) -> None:
        for name, page in self.pages.items():
            elements = page.evaluate("document.getElementsByTagName('*').length")
            heap = self._metrics(name)["JSHeapUsedSize"]
            self.samples[name].append((int(elements), heap))

    def _photograph_in_last_question(self) -> None:
        """The dashboard's window with a search typed in, once the last question is open."""
        page = self.pages["dashboard"]
        opened = page.evaluate(
            "window.__bench.states.filter((s) => s[1] === t('dashboard.state.question_open'))"
            ".length")
        if self.screenshot is None or opened < self.questions:
            return
        search = page.locator("#students-search")
        if search.count() == 0:  # an older dashboard, without a search
            self.screenshot = None
            return
        search.fill("0001")
        page.evaluate("document.getElementById('students-heading').scrollIntoView()")
        page.wait_for_function("document.getElementById('students-shown').textContent !== ''")
        page.screenshot(path=str(self.screenshot))
        search.fill("")
        self.screenshot = None

    def _click(self) -> None:
        """One click, as a teacher's mouse makes it (no waiting for the page to be idle)."""
        page = self.pages["dashboard"]
        for selector in CLICK_TARGETS[self.clicks % 2:] + CLICK_TARGETS[: self.clicks % 2]:
            target = page.locator(selector)
            if target.count() == 0:
                continue  # an older dashboard without the table's sort buttons
            box = target.bounding_box()
            if box is None or not 0 <= box["y"] + box["height"] / 2 < DASHBOARD["height"]:
                target.scroll_into_view_if_needed()
                box = target.bounding_box()
            if box is not None:
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                self.clicks += 1
            return

    def follow(self, process: Popen[Any]) -> None:
        """Click and sample until the load test ``process`` ends."""
        self.started_at = time.time()
        self.metrics_before = {name: self._metrics(name) for name in self.pages}
        self._mark = {name: page.evaluate("performance.now()") for name, page in self.pages.items()}
        while process.poll() is None:
            self._click()
            self._sample()
            self._photograph_in_last_question()
            time.sleep(CLICK_INTERVAL_S)

    def results(self, session_ended_at: float | None) -> dict[str, Any]:
        """What each page did while the class ran; waits for both to show the end."""
        wall = time.time() - self.started_at
        ended_at = {
            name: float(page.wait_for_function("window.__bench.endedAt", timeout=END_WAIT_MS)
                        .json_value()) / 1000.0
            for name, page in self.pages.items()
        }
        first_seen = min([*ended_at.values(), *([session_ended_at] if session_ended_at else [])])
        figures: dict[str, Any] = {}
        for name, page in self.pages.items():
            metrics = self._metrics(name)
            before = self.metrics_before[name]
            seen = page.evaluate("window.__bench")
            start = self._mark[name]
            tasks = [duration for begun, duration in seen["longTasks"] if begun >= start]
            samples = self.samples[name]
            figures[name] = {
                "longest_task_ms": round(max(tasks, default=0.0), 1),
                "tasks_over_200_ms": sum(1 for duration in tasks if duration > 200),
                "long_tasks": len(tasks),
                "busy_share": round((metrics["TaskDuration"] - before["TaskDuration"]) / wall, 3),
                "cpu_s": round(metrics["ThreadTime"] - before["ThreadTime"], 2),
                "script_s": round(metrics["ScriptDuration"] - before["ScriptDuration"], 2),
                "layout_s": round(metrics["LayoutDuration"] - before["LayoutDuration"], 2),
                "style_s": round(metrics["RecalcStyleDuration"] - before["RecalcStyleDuration"], 2),
                "dom_elements_max": max((elements for elements, _ in samples), default=None),
                "heap_mib_max": round(max((heap for _, heap in samples), default=0.0) / 2**20, 1),
                "end_late_s": round(ended_at[name] - first_seen, 2),
            }
            if name == "dashboard":
                figures[name].update(click_figures(seen, start, self.clicks))
        return figures


def click_figures(seen: dict[str, Any], start: float, made: int) -> dict[str, Any]:
    """p99 of the clicks' durations, all and while a question was open (the label's
    "question open"), each click that left no Event Timing entry counted as 16 ms."""
    interactions: dict[int, list[float]] = {}
    for interaction, begun, duration in seen["events"]:
        if begun >= start:
            span = interactions.setdefault(interaction, [begun, 0.0])
            span[0], span[1] = min(span[0], begun), max(span[1], duration)
    states = seen["states"]

    def state_at(moment: float) -> str:
        shown = ""
        for changed, state in states:
            if changed > moment:
                break
            shown = state
        return shown

    open_label = "question open"
    clicks = [(moment, state) for moment, state in seen["clicks"] if moment >= start]
    slow = [(state_at(begun), duration) for begun, duration in interactions.values()]
    all_durations = [duration for _, duration in slow]
    open_durations = [duration for state, duration in slow if state == open_label]
    open_clicks = sum(1 for _, state in clicks if state == open_label)

    def padded(durations: list[float], count: int) -> list[float]:
        return durations + [EVENT_TIMING_FLOOR_MS] * max(0, count - len(durations))

    return {
        "clicks": len(clicks),
        "clicks_sent": made,
        "click_p99_ms": percentile(padded(all_durations, len(clicks)), 0.99),
        "click_max_ms": max(all_durations, default=EVENT_TIMING_FLOOR_MS),
        "slowest_clicks": sorted(((round(duration), state) for state, duration in slow),
                                 reverse=True)[:5],
        "clicks_in_questions": open_clicks,
        "click_p99_in_questions_ms": percentile(padded(open_durations, open_clicks), 0.99),
    }
