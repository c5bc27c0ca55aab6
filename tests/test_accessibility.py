"""Accessibility without a browser: colours and their contrast, every chart's text alternative and
Plotly configuration (AppTest), the statement page, and the allowlist kept in step with it.

The real-browser checks (axe-core, the document, the keyboard) are in
tests/browser/test_browser_accessibility.py.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data.vocabulary import (
    NIVEAU_COLORS,
    STATUT_COLORS,
    STATUT_TEXT_COLORS,
    contrast_ratio,
)
from tests.helpers import ROOT
from tests.helpers.apptest import app, assert_clean, open_view
from tests.helpers.axe import STREAMLIT_ALLOWLIST
from tests.helpers.keyboard import backdrop
from ui import accessibilite, charts, charts_suivi, document
from ui.navigation import PAGES, allowed

TEXT_MIN = 4.5  # WCAG 1.4.3, RGAA 3.2
FOCUS_MIN = 3.0  # WCAG 1.4.11, RGAA 3.3
# Streamlit 1.67's light theme: the sidebar's background, as the browser computes it.
SIDEBAR_BACKGROUND = "#f8f8f7"
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]


def test_the_theme_text_colour_is_the_one_the_app_and_charts_use():
    assert THEME["textColor"] == document.TEXT_COLOR
    assert THEME["primaryColor"] == document.FOCUS_COLOR
    assert charts.FONT["color"] == document.TEXT_COLOR


@pytest.mark.parametrize("background", ["#ffffff", SIDEBAR_BACKGROUND])
def test_captions_reach_4_5_to_1(background):
    """Streamlit draws captions, help text and placeholders in the text colour at 60 %."""
    r, g, b = (int(document.TEXT_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    caption = backdrop([f"rgba({r}, {g}, {b}, 0.6)", background])
    assert contrast_ratio(caption, background) >= TEXT_MIN


@pytest.mark.parametrize("background", ["#ffffff", SIDEBAR_BACKGROUND])
def test_the_focus_outline_reaches_3_to_1(background):
    assert contrast_ratio(document.FOCUS_COLOR, background) >= FOCUS_MIN
    assert "outline: 3px solid " + document.FOCUS_COLOR in document.STYLE


@pytest.mark.parametrize("statut", list(STATUT_COLORS))
def test_the_count_in_a_status_segment_reads_at_4_5_to_1(statut):
    assert contrast_ratio(STATUT_TEXT_COLORS[statut], STATUT_COLORS[statut]) >= TEXT_MIN


@pytest.mark.parametrize("niveau", list(NIVEAU_COLORS))
def test_the_level_in_a_matrix_cell_reads_at_4_5_to_1(niveau):
    assert contrast_ratio(charts_suivi.CELL_TEXT_COLOR, NIVEAU_COLORS[niveau]) >= TEXT_MIN


def test_the_status_palette_stays_okabe_ito_with_its_words():
    """The colour-blind-safe palette is unchanged; only the text drawn on it was chosen."""
    assert STATUT_COLORS == {
        "À venir": "#56B4E9",
        "En cours": "#0072B2",
        "Réalisé": "#009E73",
        "En pause": "#F0E442",
        "Bloqué": "#D55E00",
        "Abandonné": "#CC79A7",
        "À discuter": "#E69F00",
        "Sans statut": "#BBBBBB",
    }


# --- every chart of every page (AppTest, on the demonstration database) ------------------------


def _charts_of(page: str, views: dict[str, Any] | None = None) -> list[Any]:
    """The charts of `page` with the views given open (a tab's label, a radio's value)."""
    at = app()
    at.session_state["as_of"] = date(2026, 12, 2)
    for key, value in (views or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert_clean(at)
    return list(at.get("plotly_chart"))


# Every chart of the app, each in the view (tab) that holds it.
CHARTED = [
    ("app_pages/avancement.py", None, 1),
    ("app_pages/avancement.py", {"avancement_vue": "Évolution"}, 1),
    ("app_pages/calendrier.py", {"cal_vue": "Prévu et réel"}, 1),
    ("app_pages/synthese.py", {"synthese_vue": "Statuts par axe"}, 1),
    ("app_pages/indicateurs.py", {"ind_vue": "Tous les indicateurs de l'axe"}, 1),
]


@pytest.mark.parametrize(("page", "widgets", "expected"), CHARTED)
def test_every_chart_has_its_sentence_no_toolbar_and_plotly_in_french(
    demo_app_env, page, widgets, expected
):
    found = _charts_of(page, widgets)
    assert len(found) == expected
    for chart in found:
        assert len(chart.proto.alt) > 60 and any(c.isdigit() for c in chart.proto.alt)
        config = json.loads(chart.proto.config)
        assert config["displayModeBar"] is False
        assert config["locale"] == "fr"
        assert config["locales"]["fr"]["format"]["months"][0] == "janvier"


@pytest.mark.parametrize(("page", "widgets", "expected"), CHARTED)
def test_every_text_in_a_chart_reads_at_4_5_to_1(demo_app_env, page, widgets, expected):
    for chart in _charts_of(page, widgets):
        fig = json.loads(chart.proto.spec)
        layout = fig["layout"]
        assert layout["font"]["color"] == document.TEXT_COLOR
        assert layout["hoverlabel"]["bgcolor"] == "#ffffff"
        assert layout["legend"]["font"]["color"] == document.TEXT_COLOR
        for name, axis in layout.items():
            if name.startswith(("xaxis", "yaxis")) and axis.get("visible", True):
                assert axis["tickfont"]["color"] == document.TEXT_COLOR, name
        for note in layout.get("annotations", []):
            assert contrast_ratio(note["font"]["color"], "#ffffff") >= TEXT_MIN, note
        for trace in fig["data"]:
            if trace.get("type") == "bar" and trace.get("text") is not None:
                assert (
                    contrast_ratio(trace["textfont"]["color"], trace["marker"]["color"]) >= TEXT_MIN
                ), trace["name"]
            if trace.get("mode", "").endswith("text"):
                assert contrast_ratio(trace["textfont"]["color"], "#ffffff") >= TEXT_MIN


def _vega_of(page: str) -> Any:
    at = app()
    at.session_state["as_of"] = date(2026, 12, 2)
    at.run()
    at.switch_page(page).run()
    assert_clean(at)
    [chart] = at.get("vega_lite_chart")
    assert len(chart.proto.alt) > 60 and any(c.isdigit() for c in chart.proto.alt)
    return json.loads(chart.proto.spec)


def test_the_engagement_matrix_has_its_sentence_and_reads_at_4_5_to_1(demo_app_env):
    """The engagement matrix (a Vega-Lite chart): its sentence as accessible name, its labels in
    the page's colour, each cell's level written in black (6:1 or more on every colour)."""
    spec = _vega_of("app_pages/engagement.py")
    for axis in (spec["encoding"]["x"]["axis"], spec["encoding"]["y"]["axis"]):
        assert axis["labelColor"] == document.TEXT_COLOR
    assert spec["encoding"]["color"]["legend"]["labelColor"] == document.TEXT_COLOR
    [words] = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    colour = words["encoding"]["color"]["value"]
    for niveau in spec["encoding"]["color"]["scale"]["range"]:
        assert contrast_ratio(colour, niveau) >= TEXT_MIN
    assert spec["config"]["aria"] is False  # Vega's English descriptions left out


def test_the_vega_chart_of_an_indicator_has_its_sentence_and_reads_at_4_5_to_1(demo_app_env):
    """One indicator's panels by territory (a Vega-Lite chart): its sentence as accessible name,
    numbers in French, every text in the page's colour or readable on white."""
    spec = _vega_of("app_pages/indicateurs.py")
    inner = spec["spec"]
    for axis in (inner["encoding"]["x"]["axis"], inner["encoding"]["y"]["axis"]):
        assert axis["labelColor"] == document.TEXT_COLOR
    assert "','" in inner["encoding"]["y"]["axis"]["labelExpr"]  # a decimal comma
    assert spec["facet"]["header"]["labelColor"] == document.TEXT_COLOR
    assert inner["encoding"]["color"]["legend"]["labelColor"] == document.TEXT_COLOR
    for layer in inner["layer"]:
        if layer["mark"]["type"] == "text":
            assert contrast_ratio(layer["mark"]["color"], "#ffffff") >= TEXT_MIN


def test_the_gantt_has_a_table_of_every_action_one_click_away(demo_app_env):
    at = app()
    at.run()
    at.switch_page("app_pages/calendrier.py").run()
    assert [t.label for t in at.tabs] == [
        "Actions en retard",
        "Prévu et réel",
        "Le calendrier en tableau",
    ]
    open_view(at, "cal_vue", "Le calendrier en tableau")
    table = next(d.value for d in at.dataframe if "Début prévu" in d.value.columns)
    assert len(table) == 34


def test_the_evolution_chart_has_its_table_one_click_away(demo_app_env):
    at = app()
    at.run()
    at.switch_page("app_pages/avancement.py").run()
    open_view(at, "avancement_vue", "Évolution")
    assert "Les mêmes chiffres en tableau" in [e.label for e in at.expander]
    open_view(at, "avancement_tableau", True)
    table = at.table[0].value
    assert "Date" in table.columns and set(table["Total"]) == {34}


# --- the statement --------------------------------------------------------------------------


def _statement() -> AppTest:
    at = app()
    at.run()
    at.switch_page("app_pages/accessibilite.py").run()
    assert_clean(at)
    return at


def test_the_statement_is_public_and_in_every_navigation():
    spec = next(s for s in PAGES if s.title == "Accessibilité")
    assert allowed(spec, None, read_requires_login=True)
    assert allowed(spec, None, read_requires_login=False)


def test_the_statement_has_the_rgaa_sections(app_env):
    at = _statement()
    assert at.title[0].value == "Accessibilité"
    assert [h.value for h in at.header] == [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Voies de recours",
    ]
    text = " ".join(m.value for m in at.markdown)
    assert "non conforme" in text and "RGAA 4.1" in text
    assert "Défenseur des droits" in text and "Libre réponse 71120" in text
    for item in accessibilite.NON_CONFORMITES:
        if item.upstream:
            assert f"({item.upstream})" in text
    assert any("PTLCD_CONTACT_ACCESSIBILITE" in i.value for i in at.info)  # none configured


def test_the_statement_shows_the_configured_contact_as_text(app_env, monkeypatch):
    monkeypatch.setenv("PTLCD_CONTACT_ACCESSIBILITE", "accessibilite@[exemple](javascript:x).fr")
    at = _statement()
    shown = next(m.value for m in at.markdown if m.value.startswith("**Contact**"))
    assert "\\[exemple\\]\\(javascript\\:x\\)" in shown  # inert: no link
    assert not at.info


def test_the_statement_cites_every_streamlit_issue_of_the_allowlist():
    cited = {item.upstream for item in accessibilite.NON_CONFORMITES}
    for entry in STREAMLIT_ALLOWLIST:
        assert entry.issue in cited, entry
        assert entry.since <= date.today() and entry.why


def test_axe_is_pinned_to_the_version_the_statement_names():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["axe-core"] == accessibilite.AXE_VERSION
    assert lock["packages"]["node_modules/axe-core"]["version"] == accessibilite.AXE_VERSION
