"""The keyboard in a real page: walk the tab order, and measure what shows where the focus is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ptlcd_data.vocabulary import contrast_ratio

# What the focused element is, and its focus indicator: the outline and the colours behind it.
# A switch, checkbox or radio hides its input: its indicator is on its label. An outline drawn
# outside the element (offset >= 0) is seen against the parent's background, one drawn inside
# against the element's own.
_FOCUSED = """() => {
    let el = document.activeElement;
    if (!el || el === document.body) return null;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label'))
        el = el.closest('label');
    const cs = getComputedStyle(el);
    const offset = parseFloat(cs.outlineOffset) || 0;
    const backgrounds = [];
    for (let n = offset < 0 ? el : el.parentElement; n; n = n.parentElement) {
        const c = getComputedStyle(n).backgroundColor;
        backgrounds.push(c);
        if (/^rgb\\(/.test(c)) break;  // opaque: nothing further shows through
    }
    const tested = el.closest('[data-testid]');
    return {
        tag: el.tagName.toLowerCase(),
        testid: tested ? tested.getAttribute('data-testid') : '',
        name: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim()
            .replace(/\\s+/g, ' ').slice(0, 80),
        in_grid: !!el.closest('[data-testid="stDataFrame"] table'),
        decorative: !!(el.closest('[data-testid="stHeaderActionElements"]')
                       || el.closest('.modebar')),
        outline: [cs.outlineStyle, parseFloat(cs.outlineWidth) || 0, cs.outlineColor],
        backgrounds,
    };
}"""


@dataclass(frozen=True)
class Stop:
    """One tab stop: what has the focus, and how its focus indicator contrasts."""

    tag: str
    testid: str
    name: str
    in_grid: bool  # a cell of Streamlit's data grid (its canvas draws the focused cell)
    decorative: bool  # a heading anchor or a chart toolbar button
    outline_style: str
    outline_width: float
    outline_contrast: float  # outline colour against what is behind it

    def __str__(self) -> str:
        return f"{self.tag}[{self.testid}] {self.name!r}"


def _rgba(css: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)', 'rgba(1, 2, 3, 0.5)' or '#010203'."""
    if css.startswith("#"):
        return int(css[1:3], 16), int(css[3:5], 16), int(css[5:7], 16), 1.0
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    if len(values) == 3:
        values.append(1.0)
    r, g, b, a = values[:4]
    return r, g, b, a


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in (r, g, b))


def backdrop(backgrounds: list[str]) -> str:
    """The colour seen behind an element: its ancestors' backgrounds (innermost first, as the
    page lists them) composited over white, the page's own background."""
    r, g, b = 255.0, 255.0, 255.0
    for css in reversed(backgrounds):
        cr, cg, cb, a = _rgba(css)
        if a == 0:
            continue
        r, g, b = cr * a + r * (1 - a), cg * a + g * (1 - a), cb * a + b * (1 - a)
    return _hex(r, g, b)


def focused(page: Any) -> Stop | None:
    info = page.evaluate(_FOCUSED)
    if info is None:
        return None
    style, width, color = info["outline"]
    r, g, b, _ = _rgba(color)
    return Stop(
        tag=info["tag"],
        testid=info["testid"],
        name=info["name"],
        in_grid=info["in_grid"],
        decorative=info["decorative"],
        outline_style=style,
        outline_width=width,
        outline_contrast=contrast_ratio(_hex(r, g, b), backdrop(info["backgrounds"])),
    )


# A starting point before everything else in the document, outside the tab order: the walk
# starts from the top wherever the focus was (a click on a sidebar link leaves it there).
_START = """() => {
    let start = document.getElementById('test-tab-start');
    if (!start) {
        start = document.createElement('span');
        start.id = 'test-tab-start';
        start.tabIndex = -1;
        document.body.prepend(start);
    }
    start.focus();
}"""


def tab_until(page: Any, found: Any, limit: int) -> list[Stop]:
    """Press Tab from the top of the document until `found(stop)` is true or `limit` stops have
    passed; the stops in order (the last one is the one found, if any)."""
    page.evaluate(_START)
    stops: list[Stop] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop is None:
            continue
        stops.append(stop)
        if found(stop):
            break
    return stops
