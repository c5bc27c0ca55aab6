"""How fast the GOLD's meeting feels in Chromium (issue 27), side by side with Streamlit's floor.

Three servers run together on this machine: the app on the demonstration base, the app on the
large base (both logged in as the benchmark's administrator), and the one-line reference app
(benchmarks/reference_app.py). One browser tab stays open on each, so every page switch is warm
(its data cached by the server, its scripts loaded by the browser) after one unmeasured pass. Then,
round after round, each tab takes its turn in an order that turns from one round to the next:

- the warm page switch: a click on the page's link in the sidebar, until its title shows, the
  script is idle, no element shows its loading skeleton and every chart shown (Plotly or
  Vega-Lite) is drawn;
- one Revue GOLD step: a click on « Suivante ▶ », until the next action's heading shows (same
  end);
- the full load (large base only): a new browser context (empty cache, the session cookie
  copied) opens a page with charts at its address, until the same end.

Times are taken inside the page (`performance.now()`, from the click or from the navigation's
start), so that Playwright's own round trips are not counted.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_ADMIN, BENCH_PASSWORD, ROOT, chromium
from tests.helpers.browser import (
    CHROMIUM_ARGS,
    go_to,
    log_in,
    start_streamlit,
    stop_streamlit,
    wait_for_app,
)
from ui.navigation import PAGES

# Measured rounds (after the unmeasured warm-up pass). Five keep the section near five minutes
# on a 2-core machine with both bases.
ROUNDS = 5
# Revue GOLD steps per round and per base.
STEPS = 2
# The app's pages whose full load is measured: the GOLD's first chart page and its heaviest.
FULL_LOAD_PAGES = ("Avancement par axe", "Indicateurs")
REVUE = "Revue GOLD"
NEXT_ACTION = "Suivante ▶"
ACTION_HEADING = "Action n° "
REFERENCE_SCRIPT = Path(__file__).with_name("reference_app.py")
# The reference's pages: each page's title is its heading.
REFERENCE_PAGES = ("Première page", "Deuxième page", "Graphique")
REFERENCE_CHART = ("Graphique", "graphique")
# Before each measure: the server and the browser finish what the previous action left (messages
# still in flight, painting), which would count against whichever comes next.
SETTLE_SECONDS = 0.25
VIEWPORT = {"width": 1600, "height": 1000}
TIMEOUT_MS = 120_000
POLL_MS = 10
SCALES = ("demo", "large")
REFERENCE = "ref"

# Seconds since the click (window.__goldStart) or since the navigation started, once the page is
# drawn; false until then. `heading` is the exact text of a heading (h1, h2), or, with `before`,
# the prefix of a heading whose text is no longer `before`.
DRAWN = """
({heading, before, fromClick}) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  const texts = [...document.querySelectorAll("[data-testid='stMain'] h1, [data-testid='stMain'] h2")]
    .map((h) => h.textContent.trim());
  const found = before === null
    ? texts.includes(heading)
    : texts.some((t) => t.startsWith(heading) && t !== before);
  if (!found) return false;
  // Charts in a closed expander or another tab are not drawn until opened: only shown ones count.
  const shown = (selector) => [...document.querySelectorAll(selector)]
    .filter((c) => c.getClientRects().length > 0);
  if (!shown("[data-testid='stPlotlyChart']").every((c) => c.querySelector(".main-svg"))) return false;
  // A Vega-Lite chart (Indicateurs) is drawn once its marks are (an SVG or a canvas).
  if (!shown("[data-testid='stVegaLiteChart']").every((c) => c.querySelector(".marks"))) return false;
  return (performance.now() - (fromClick ? window.__goldStart : 0)) / 1000;
}
"""
CLICK = "el => { window.__goldStart = performance.now(); el.click(); }"


@dataclass
class GoldTimes:
    """Seconds of every measure, in the order taken."""

    switch: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # scale → page →
    reference_switch: dict[str, list[float]] = field(default_factory=dict)  # page →
    step: dict[str, list[float]] = field(default_factory=dict)  # scale →
    full_load: dict[str, list[float]] = field(default_factory=dict)  # page (large base) →
    reference_full_load: list[float] = field(default_factory=list)


class Tab:
    """One browser tab kept open on one server for the whole run."""

    def __init__(self, browser: Any, url: str) -> None:
        self.browser = browser
        self.url = url
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.headings: dict[str, str] = {}  # page title → its h1

    def link(self, title: str) -> Any:
        exact = re.compile(rf"^\s*{re.escape(title)}\s*$")
        nav = self.page.locator("[data-testid='stSidebarNavLink']")
        return nav.filter(has=self.page.get_by_text(exact)).first

    def switch(self, title: str) -> float:
        """Seconds from the click on `title` in the sidebar to the page drawn."""
        time.sleep(SETTLE_SECONDS)
        self.page.evaluate(CLICK, self.link(title).element_handle())
        return _drawn(self.page, self.headings[title])

    def step(self) -> float:
        """Seconds from the click on « Suivante ▶ » (Revue GOLD) to the next action drawn."""
        main = self.page.locator("[data-testid='stMain']")
        before = _text(main.locator("h2", has_text=ACTION_HEADING))
        time.sleep(SETTLE_SECONDS)
        button = self.page.get_by_role("button", name=NEXT_ACTION).element_handle()
        self.page.evaluate(CLICK, button)
        return _drawn(self.page, ACTION_HEADING, before=before)

    def full_load(self, title: str, path: str) -> float:
        """Seconds from the start of a first visit to `path` (new context: no cached scripts,
        the session cookie copied) to the page drawn."""
        time.sleep(SETTLE_SECONDS)
        context = self.browser.new_context(viewport=VIEWPORT)
        try:
            context.add_cookies(self.context.cookies())
            page = context.new_page()
            page.goto(f"{self.url}/{path}", wait_until="commit")
            return _drawn(page, self.headings[title], from_click=False)
        finally:
            context.close()

    def warm_up(self, titles: list[str]) -> None:
        """Visit every page once (unmeasured), noting its h1, and come back to the first."""
        h1 = self.page.locator("[data-testid='stMain'] h1")
        previous = _text(h1)
        for title in [*titles[1:], titles[0]]:
            go_to(self.page, title)
            self.page.wait_for_function(
                "before => { const h = document.querySelector(\"[data-testid='stMain'] h1\");"
                " return h && h.textContent.trim() !== before; }",
                arg=previous,
                timeout=TIMEOUT_MS,
            )
            wait_for_app(self.page)
            previous = _text(h1)
            self.headings[title] = previous


def _text(locator: Any) -> str:
    """The text of the first element found, as DRAWN compares it."""
    return str(locator.first.evaluate("e => e.textContent.trim()"))


def _drawn(page: Any, heading: str, *, before: str | None = None, from_click: bool = True) -> float:
    """Seconds DRAWN returns once `page` is drawn; a click that reloaded the document (no start
    mark) is no measure."""
    handle = page.wait_for_function(
        DRAWN,
        arg={"heading": heading, "before": before, "fromClick": from_click},
        polling=POLL_MS,
        timeout=TIMEOUT_MS,
    )
    seconds = float(handle.json_value())
    if not math.isfinite(seconds) or seconds <= 0:
        raise RuntimeError(f"mesure invalide : {seconds}")
    return seconds


def _admin_titles(tab: Tab) -> list[str]:
    """The pages an administrator sees in the sidebar, in the order of ui.navigation.PAGES."""
    return [spec.title for spec in PAGES if tab.link(spec.title).count()]


def _turned(keys: list[str], round_no: int) -> list[str]:
    shift = round_no % len(keys)
    return keys[shift:] + keys[:shift]


def measure(demo_db: Path, large_db: Path) -> GoldTimes:
    """Every measure of the section, ROUNDS times, the three servers side by side."""
    from playwright.sync_api import sync_playwright

    servers = {
        "demo": (ROOT / "serve.py", {"PTLCD_DB": str(demo_db)}),
        "large": (ROOT / "serve.py", {"PTLCD_DB": str(large_db)}),
        REFERENCE: (REFERENCE_SCRIPT, {}),
    }
    procs = []
    try:
        urls = {}
        for key, (script, env) in servers.items():
            proc, port = start_streamlit(script, env)
            procs.append(proc)
            urls[key] = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            try:
                return _rounds(browser, urls)
            finally:
                browser.close()
    finally:
        for proc in procs:
            stop_streamlit(proc)


def _rounds(browser: Any, urls: dict[str, str]) -> GoldTimes:
    tabs = {key: Tab(browser, url) for key, url in urls.items()}
    titles: dict[str, list[str]] = {}
    for scale in SCALES:
        log_in(tabs[scale].page, urls[scale], BENCH_ADMIN, BENCH_PASSWORD)
        titles[scale] = _admin_titles(tabs[scale])
        tabs[scale].warm_up(titles[scale])
    ref = tabs[REFERENCE]
    ref.page.goto(ref.url)
    wait_for_app(ref.page)
    ref.warm_up(list(REFERENCE_PAGES))
    paths = {spec.title: spec.url_path or "" for spec in PAGES}
    times = GoldTimes(
        switch={scale: {t: [] for t in titles[scale]} for scale in SCALES},
        reference_switch={t: [] for t in REFERENCE_PAGES},
        step={scale: [] for scale in SCALES},
        full_load={t: [] for t in FULL_LOAD_PAGES},
    )
    for round_no in range(ROUNDS):
        print(f"  tour {round_no + 1}/{ROUNDS}", flush=True)
        for key in _turned([*SCALES, REFERENCE], round_no):
            if key == REFERENCE:
                # Twice round its pages: as many measures as a few of the app's pages.
                for title in [*REFERENCE_PAGES[1:], REFERENCE_PAGES[0]] * 2:
                    times.reference_switch[title].append(ref.switch(title))
                continue
            tab = tabs[key]
            for title in [*titles[key][1:], titles[key][0]]:
                times.switch[key][title].append(tab.switch(title))
                if title == REVUE:
                    times.step[key].extend(tab.step() for _ in range(STEPS))
        for key in _turned([*FULL_LOAD_PAGES, REFERENCE], round_no):
            if key == REFERENCE:
                times.reference_full_load.append(ref.full_load(*REFERENCE_CHART))
            else:
                times.full_load[key].append(tabs["large"].full_load(key, paths[key]))
    return times
