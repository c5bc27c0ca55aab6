"""Accessibility (RGAA) in a real browser: axe-core on every page in every main state, the
document (language, title, headings), the charts' text alternatives, and the keyboard.

One walk through the app (`audit`, once for the module) records what each test then checks:
- logged out: every page a visitor can open, and the refusal at the address of the others;
- logged in as admin: every page;
- logged in as saisie: the review form open, the import page, an import checked with errors;
- the synthesis of a past year (2019).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.decisions import records
from ptlcd_data.depots import drafts, forms
from ptlcd_data.depots import records as depot_records
from tests.helpers import import_files as f
from tests.helpers.axe import STREAMLIT_ALLOWLIST, Violation, run_axe, unexpected
from tests.helpers.browser import (
    ARTIFACTS,
    choose_option,
    go_to,
    log_in,
    open_tab,
    screenshot,
    streamlit_server,
    upload,
    wait_for_app,
)
from tests.helpers.databases import Templates
from tests.helpers.keyboard import Stop, tab_until
from ui import document
from ui.navigation import PAGES, allowed

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}  # the measurements were made at this size
SAISIE = ("agent", "mot-de-passe-agent-a11y")
ADMIN = ("chef", "mot-de-passe-chef-a11y")
PORTEUR = ("mde", "mot-de-passe-porteur-a11y")

# The tab order. Before any page's own content comes the frame, the same on every page: the
# skip link (1), the navigation (at most one link per page, for an administrator: 13 with « Mes
# actions »), the observation date (its help, day, month, year and calendar button: 5) and the
# main region, which Streamlit makes focusable (1): 20 stops. The page's first control must be
# the very next one: N = 21 allows no heading anchor, no chart toolbar, nothing decorative
# before it. (Before this work the first stop of the page was a heading anchor, and avancement's
# filters were stops 58-59.)
FRAME_STOPS = 1 + len(PAGES) + 5 + 1
N = FRAME_STOPS + 1
FOCUS_CONTRAST_MIN = 3.0  # WCAG 1.4.11 for the focus indicator
FOCUS_WIDTH_MIN = 2.0


# The tabs of each page beyond its first, each audited once opened.
TABBED_VIEWS = {
    "Avancement par axe": ["Par axe et par objectif", "Évolution", "Les actions"],
    "Calendrier et retards": ["Prévu et réel", "Le calendrier en tableau"],
    "Engagement des communes": ["Totaux par territoire", "Totaux par axe", "Le tableau"],
    "Indicateurs": ["Avancement vers la cible", "Valeurs et provenance"],
    "Synthèse annuelle": ["Statuts par axe", "Engagement", "Indicateurs"],
}


@dataclass
class PageAudit:
    state: str
    page: str
    violations: list[Violation]
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.state} · {self.page}"


_FACTS = """() => {
    const shown = e => !!(e.offsetParent || e.getClientRects().length);
    const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(shown)
        .map(h => [Number(h.tagName[1]), h.innerText.trim().slice(0, 80),
                   !!h.closest('[data-testid="stSidebar"]')]);
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    const vegas = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return {
        lang: document.documentElement.lang,
        title: document.title,
        headings,
        anchors: document.querySelectorAll('[data-testid="stHeaderActionElements"] a').length,
        modebars: document.querySelectorAll('.modebar, .modebar-btn').length,
        charts: charts.length + vegas.length,
        figures: [...charts].map(c => c.getAttribute('role') === 'figure'
                                       ? c.getAttribute('aria-label') || '' : '')
            .concat(vegas.map(c => {
                // Drawn on a canvas, or in an SVG hidden from screen readers: one graphic named
                // by its sentence.
                const svg = c.querySelector('svg');
                return c.getAttribute('role') === 'graphics-document'
                       && c.getAttribute('aria-roledescription') === 'graphique'
                       && (!svg || svg.getAttribute('aria-hidden') === 'true')
                       ? c.getAttribute('aria-label') || '' : '';
            })),
        statement_links: [...document.querySelectorAll(
            '[data-testid="stSidebar"] a[data-testid="stSidebarNavLink"]')]
            .filter(a => a.innerText.trim().endsWith('Accessibilité')).length,
        spoken_icons: [...document.querySelectorAll('[aria-label$=" icon"]')]
            .filter(e => !e.closest('[aria-hidden="true"]')).map(e => e.getAttribute('aria-label')),
        badge_icons: document.querySelectorAll('.stMarkdownBadge [role="img"]').length,
        skip_link: (document.querySelector('[data-testid="stSkipToContent"]') || {}).innerText,
    };
}"""


def _settled(page: Any) -> None:
    """The page drawn: script finished, the app's script applied, charts drawn."""
    wait_for_app(page)
    # The script may say « not running » a moment before the page's elements are drawn (seen
    # under load: a page audited with no heading at all). Every page has a title: wait for it,
    # and let a page that really has none be caught by the heading test, not by a time-out here.
    with contextlib.suppress(PlaywrightTimeout):
        page.locator("[data-testid='stMain'] h1").first.wait_for(state="attached", timeout=15_000)
    page.wait_for_function("document.documentElement.lang === 'fr'", timeout=30_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('.main-svg'))
              && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every(c => c.querySelector('.marks')
                        && c.getAttribute('aria-roledescription') === 'graphique')""",
        timeout=30_000,
    )


def _audit(page: Any, state: str, name: str, found: list[PageAudit]) -> None:
    _settled(page)
    found.append(PageAudit(state, name, run_axe(page), page.evaluate(_FACTS)))


def _page_path(spec: Any) -> str:
    if spec.url_path is None:
        return ""
    return "fiche?action=9" if spec.url_path == "fiche" else spec.url_path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, templates: Templates) -> Any:
    """The app on the demonstration database, with a saisie and an admin account."""
    folder = tmp_path_factory.mktemp("a11y")
    db = templates.copy("demo", folder / "demo.duckdb")
    with store.connect(db) as conn:
        accounts.add_user(conn, SYSTEM, SAISIE[0], "Agent de saisie", "saisie", SAISIE[1])
        accounts.add_user(conn, SYSTEM, ADMIN[0], "Cheffe de projet", "admin", ADMIN[1])
        # Décisions of the GOLD (issue 25): a late one on action 1, an open general one, so
        # the Décisions page, the review's cards and the relevé's state are audited with data.
        seance = records.open_seance(conn, SYSTEM, date.today() - timedelta(days=40))
        for action_no, days in ((1, -10), (None, 30)):
            records.add_decision(
                conn, SYSTEM, seance, texte="Relancer les bailleurs avant mars",
                responsable="MDE", echeance=date.today() + timedelta(days=days),
                action_no=action_no,
            )  # fmt: skip
        # Dépôts (issue 23): one returned with its reason, one waiting (the queue page opens
        # on it), and one being prepared on « Mes actions ».
        accounts.add_user(
            conn, SYSTEM, PORTEUR[0], "Maison de l'emploi", "porteur", PORTEUR[1], porteurs=("MDE",)
        )
        mde = accounts.get_user(conn, PORTEUR[0])
        assert mde is not None
        value = forms.value_line("I4.2.b", "NM", 2025, 7.0, "Bilan MDE", None)
        returned = drafts.send_draft(conn, mde, drafts.add_lines(conn, mde, "MDE", [value]))
        depot_records.return_to_porteur(conn, SYSTEM, returned, "La source manque.")
        other = forms.value_line("I4.2.c", "NM", 2025, 3.0, None, None)
        drafts.send_draft(conn, mde, drafts.add_lines(conn, mde, "MDE", [other]), "Voici")
        status = forms.status_line(19, date.today(), "En cours", 50, "Deux sessions")
        drafts.add_lines(conn, mde, "MDE", [status])
    with streamlit_server(db) as url:
        yield url, folder


@pytest.fixture(scope="module")
def audit(site: Any, browser: Any) -> list[PageAudit]:
    url, folder = site
    found: list[PageAudit] = []

    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    for spec in PAGES:
        if allowed(spec, None, read_requires_login=False):
            page.goto(f"{url}/{_page_path(spec)}")
            _audit(page, "sans connexion", spec.title, found)
    for spec in PAGES:  # the address of a page a visitor cannot open: the French refusal
        if not allowed(spec, None, read_requires_login=False):
            page.goto(f"{url}/{_page_path(spec)}")
            page.get_by_text("depuis la page « Connexion »").wait_for(timeout=30_000)
            _audit(page, "sans connexion", f"{spec.title} (adresse refusée)", found)
    page.goto(f"{url}/synthese")
    _settled(page)
    choose_option(page, page, "Année", "2019")
    page.get_by_text("Situation au 31/12/2019").first.wait_for(timeout=30_000)
    _audit(page, "sans connexion", "Synthèse annuelle 2019", found)
    page.close()

    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    log_in(page, url, *ADMIN)
    for spec in PAGES:
        go_to(page, spec.title)
        _audit(page, "admin", spec.title, found)
    # The views a page draws when their tab is opened (only the open one is drawn): the charts
    # and tables that are not in a page's first tab.
    for title, tabs in TABBED_VIEWS.items():
        go_to(page, title)
        for tab in tabs:
            open_tab(page, tab)
            _audit(page, f"admin, onglet « {tab} »", title, found)
    page.close()

    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    log_in(page, url, *SAISIE)
    go_to(page, "Revue GOLD")
    page.locator("[data-testid='stForm']").first.wait_for(timeout=30_000)
    _audit(page, "saisie", "Revue GOLD, formulaire ouvert", found)
    choose_option(page, page, "Séance", "Ouvrir une nouvelle séance…")
    page.get_by_role("button", name="Ouvrir la séance").wait_for(timeout=30_000)
    _audit(page, "saisie", "Revue GOLD, ouverture d'une séance", found)
    go_to(page, "Décisions")
    page.get_by_role("button", name="Relevé (Word, DOCX)").wait_for(timeout=30_000)
    _audit(page, "saisie", "Décisions, avec une décision en retard", found)
    go_to(page, "Import de données")
    _audit(page, "saisie", "Import de données", found)
    bad = folder / "releve_faux.xlsx"
    bad.write_bytes(
        f.indicateurs(["I1.1.a", "", "Paris", 2019, 3], ["I4.1.b", "", "Rezé", 2019, "145 %"])
    )
    upload(page, bad)
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_text("2 erreur(s)").wait_for(timeout=30_000)
    _audit(page, "saisie", "Import vérifié, avec erreurs", found)
    screenshot(page, "accessibilite_import_erreurs")
    go_to(page, "Dépôts à valider")
    page.get_by_role("heading", name="Avant → après").wait_for(timeout=30_000)
    _audit(page, "saisie", "Dépôts à valider, un dépôt ouvert", found)
    screenshot(page, "accessibilite_depots")
    page.close()

    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    log_in(page, url, *PORTEUR)
    go_to(page, "Mes actions")
    page.get_by_role("heading", name="Dépôt en préparation").wait_for(timeout=30_000)
    _audit(page, "porteur", "Mes actions, un dépôt en préparation et un renvoyé", found)
    screenshot(page, "accessibilite_mes_actions_depots")
    page.close()

    _write_report(found)
    return found


def _write_report(found: list[PageAudit]) -> None:
    """What axe found, page by page: for the reviewer and the accessibility statement."""
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [
        "| état | page | violations | balisage de Streamlit (liste) | propres à l'application |",
        "|---|---|---|---|---|",
    ]
    for a in found:
        own = unexpected(a.violations)
        lines.append(
            f"| {a.state} | {a.page} | {len(a.violations)} | {len(a.violations) - len(own)} | "
            f"{len(own)} |"
        )
    (ARTIFACTS / "accessibilite_axe.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    details = {a.label: [str(v) for v in a.violations] for a in found}
    (ARTIFACTS / "accessibilite_axe.json").write_text(
        json.dumps(details, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def test_the_walk_covers_every_page_and_every_main_state(audit):
    labels = {a.label for a in audit}
    assert {f"admin · {spec.title}" for spec in PAGES} <= labels
    assert {
        "saisie · Revue GOLD, formulaire ouvert",
        "saisie · Revue GOLD, ouverture d'une séance",
        "saisie · Décisions, avec une décision en retard",
        "saisie · Import vérifié, avec erreurs",
        "saisie · Dépôts à valider, un dépôt ouvert",
        "porteur · Mes actions, un dépôt en préparation et un renvoyé",
        "sans connexion · Synthèse annuelle 2019",
        "sans connexion · Accessibilité",
        "sans connexion · Import de données (adresse refusée)",
        "sans connexion · Journal (adresse refusée)",
    } <= labels


def test_axe_finds_no_violation_outside_the_streamlit_allowlist(audit):
    """Whatever its impact: a serious one the app owns, or a new one of Streamlit's, fails."""
    found = {a.label: [str(v) for v in unexpected(a.violations)] for a in audit}
    assert {label: v for label, v in found.items() if v} == {}


def test_every_allowlist_entry_still_covers_something(audit):
    """An entry Streamlit has fixed upstream goes away: the list stays the list of what is left."""
    used = {i for a in audit for v in a.violations for i in v.allowed_by}
    stale = [STREAMLIT_ALLOWLIST[i] for i in range(len(STREAMLIT_ALLOWLIST)) if i not in used]
    assert stale == []


def test_every_page_is_a_french_document_with_its_own_title(audit):
    titles = {spec.title for spec in PAGES}
    for a in audit:
        assert a.facts["lang"] == "fr", a.label
        title = a.facts["title"]
        assert title.endswith(" · Suivi du PTLCD"), (a.label, title)
        assert title.removesuffix(" · Suivi du PTLCD") in titles, (a.label, title)
        if a.state == "admin":
            assert title == document.document_title(a.page)
        assert a.facts["skip_link"] == "Aller au contenu principal", a.label


def test_one_h1_and_heading_levels_that_never_skip(audit):
    for a in audit:
        headings = a.facts["headings"]
        levels = [level for level, _, _ in headings]
        assert levels and levels[0] == 1, (a.label, headings)
        assert levels.count(1) == 1, (a.label, headings)
        skips = [(p, n) for p, n in zip(levels, levels[1:], strict=False) if n > p + 1]
        assert skips == [], (a.label, headings)
        assert not any(in_sidebar for _, _, in_sidebar in headings), (a.label, headings)


def test_no_heading_anchor_and_no_chart_toolbar(audit):
    for a in audit:
        assert a.facts["anchors"] == 0, a.label
        assert a.facts["modebars"] == 0, a.label


def test_every_chart_has_a_text_alternative_with_its_figures(audit):
    charted = [a for a in audit if a.facts["charts"]]
    assert {a.page for a in charted} >= {
        "Avancement par axe",
        "Calendrier et retards",
        "Engagement des communes",
        "Indicateurs",
        "Synthèse annuelle",
    }
    for a in charted:
        for alt in a.facts["figures"]:
            assert len(alt) > 60 and any(c.isdigit() for c in alt), (a.label, alt)


def test_the_accessibility_statement_is_linked_from_every_page(audit):
    for a in audit:
        assert a.facts["statement_links"] == 1, a.label


def test_icons_beside_words_are_not_read_aloud(audit):
    synthese = next(a for a in audit if a.page == "Synthèse annuelle 2019")
    assert synthese.facts["badge_icons"] > 0  # the météo badges have their icon…
    for a in audit:
        assert a.facts["spoken_icons"] == [], a.label  # …hidden from screen readers


def _focus_problems(stops: list[Stop]) -> list[str]:
    """Stops whose focus is not visible at 3:1: none expected. A cell of Streamlit's data grid is
    left out: the grid draws the focused cell itself on its canvas (a border in the theme's
    primary colour), which the page's styles cannot reach nor measure."""
    return [
        f"{s} : {s.outline_style} {s.outline_width}px, {s.outline_contrast:.2f}:1"
        for s in stops
        if not s.in_grid
        and (
            s.outline_style == "none"
            or s.outline_width < FOCUS_WIDTH_MIN
            or s.outline_contrast < FOCUS_CONTRAST_MIN
        )
    ]


def _is(testid: str, name: str) -> Any:
    return lambda s: s.testid == testid and name in s.name


def test_avancement_tab_order_first_control_filters_and_visible_focus(site, browser):
    url, _ = site
    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    page.goto(f"{url}/avancement")
    _settled(page)
    # Its first control: the help of the "Part réalisée" figure.
    stops = tab_until(page, _is("stTooltipHoverTarget", "Part réalisée"), limit=N)
    assert _is("stTooltipHoverTarget", "Part réalisée")(stops[-1]), [str(s) for s in stops]
    assert [str(s) for s in stops if s.decorative] == []
    # Its views are tabs; the filters of « Les actions » come first in that tab: no decorative
    # stop on the way.
    open_tab(page, "Les actions")
    _settled(page)
    page.get_by_role("tab", name="Les actions").focus()
    stops = tab_until(page, _is("stSelectbox", "Axe"), limit=100)
    assert _is("stSelectbox", "Axe")(stops[-1]), [str(s) for s in stops]
    assert [str(s) for s in stops if s.decorative] == []
    assert _focus_problems(stops) == []
    page.close()


def test_revue_tab_order_first_control_and_visible_focus(site, browser):
    url, _ = site
    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    log_in(page, url, *SAISIE)
    go_to(page, "Revue GOLD")
    page.locator("[data-testid='stForm']").first.wait_for(timeout=30_000)
    _settled(page)
    stops = tab_until(page, _is("stMultiSelectTagsContainer", "Axes à revoir"), limit=N)
    assert _is("stMultiSelectTagsContainer", "Axes à revoir")(stops[-1]), [str(s) for s in stops]
    assert [str(s) for s in stops if s.decorative] == []
    # On through the review to the form's submit button: every focus visible.
    stops = tab_until(page, lambda s: s.name == "Enregistrer", limit=150)
    assert stops[-1].name == "Enregistrer", [str(s) for s in stops]
    assert [str(s) for s in stops if s.decorative] == []
    assert _focus_problems(stops) == []
    screenshot(page, "accessibilite_revue_focus")
    page.close()


def test_skip_link_leads_straight_to_the_page(site, browser):
    url, _ = site
    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    page.goto(f"{url}/revue")
    _settled(page)
    stops = tab_until(page, lambda s: s.testid == "stSkipToContent", limit=1)
    assert stops and stops[0].name == "Aller au contenu principal"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert "Axes à revoir" in page.evaluate(
        "() => document.activeElement.getAttribute('aria-label') || ''"
    )
    page.close()


def test_page_not_found_is_said_in_french(site, browser):
    url, _ = site
    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    page.goto(f"{url}/page-qui-n-existe-pas")
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name="Page introuvable").wait_for(timeout=30_000)
    assert "La page demandée n'existe pas" in dialog.inner_text()
    assert dialog.get_by_role("button", name="Fermer").count() == 1
    screenshot(page, "accessibilite_page_introuvable")
    page.close()
