"""axe-core in a real page, and the dated allowlist of what belongs to Streamlit's own markup.

axe-core is the npm package pinned in package.json (installed by scripts/test.sh with `npm ci`,
nothing is downloaded here). It is injected into the page as a script, then `axe.run` checks the
WCAG 2.0 / 2.1 A and AA rules (the automatic part of the RGAA) on the whole document.

An allowlist entry names the rule, a CSS selector that the failing node must match in the page
(checked by the browser, not by comparing axe's generated selectors, which change with
Streamlit's class names), the upstream Streamlit issue and the day it was written. Anything else,
of any impact, is the app's to fix: the tests fail on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.helpers import ROOT

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")


@dataclass(frozen=True)
class Allowed:
    """A violation in Streamlit's own markup, which the app cannot change."""

    rule: str
    selector: str  # the failing node matches it (Element.matches)
    issue: str  # the upstream Streamlit issue
    since: date  # reviewed at each Streamlit upgrade: remove the entry once fixed upstream
    why: str


# Streamlit 1.67. Reviewed on 2 December 2026. ui/accessibilite.py cites the same issues in the
# accessibility statement (a test keeps the two in step).
STREAMLIT_ALLOWLIST: tuple[Allowed, ...] = (
    Allowed(
        "list",
        '[data-testid="stSidebarNavItems"]',
        "https://github.com/streamlit/streamlit/issues/8399",
        date(2026, 12, 2),
        "st.navigation with sections: the sidebar's <ul> holds one <div> per section (its "
        "header and its <li>) instead of <li> only. No dedicated upstream issue exists yet; "
        "#8399 asks for correct page structure in general.",
    ),
    Allowed(
        "listitem",
        '[data-testid="stSidebarNavItems"] li',
        "https://github.com/streamlit/streamlit/issues/8399",
        date(2026, 12, 2),
        "The same markup seen from the items: each <li> sits in a section's <div>, not in the "
        "<ul>.",
    ),
)


@dataclass(frozen=True)
class Violation:
    """One failing node: the rule, its impact, where it is, and the allowlist entries it fits."""

    rule: str
    impact: str
    target: str
    html: str
    summary: str
    allowed_by: tuple[int, ...]  # indexes in the allowlist given to `run_axe`

    def __str__(self) -> str:
        return f"{self.impact} {self.rule} @ {self.target} : {self.html[:160]}"


def run_axe(page: Any, allowlist: tuple[Allowed, ...] = STREAMLIT_ALLOWLIST) -> list[Violation]:
    """Every failing node of the current document, whatever its impact, each with the indexes of
    the allowlist entries (same rule, selector matched) that cover it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        if not AXE_JS.exists():
            raise FileNotFoundError(
                f"{AXE_JS} manque : lancez `npm ci` à la racine (scripts/test.sh le fait)."
            )
        page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(
        """async ([tags, allowed]) => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                elementRef: true});
            return r.violations.flatMap(v => v.nodes.map(n => ({
                rule: v.id, impact: n.impact || v.impact || '',
                target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' | '),
                html: n.html, summary: n.failureSummary || '',
                allowed_by: allowed.flatMap(([rule, sel], i) =>
                    rule === v.id && n.element && n.element.matches(sel) ? [i] : [])})));
        }""",
        [WCAG_TAGS, [[a.rule, a.selector] for a in allowlist]],
    )
    return [Violation(**{**v, "allowed_by": tuple(v["allowed_by"])}) for v in found]


def unexpected(violations: list[Violation]) -> list[Violation]:
    """The violations no allowlist entry covers: the app's to fix, whatever their impact."""
    return [v for v in violations if not v.allowed_by]
