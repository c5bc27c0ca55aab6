"""The Indicateurs page in a real browser, on the demonstration data: charts drawn, in French."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from tests.helpers.browser import (
    screenshot,
    streamlit_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser
NNBSP = "\u202f"


def test_indicator_page_draws_territory_panels_with_targets(demo_db_path, browser):
    with store.connect(demo_db_path) as conn:
        axis_4 = conn.execute(
            "SELECT count(*) FROM indicateur i JOIN objectif o ON o.code = i.objectif_code "
            "WHERE o.axe_no = 4"
        ).fetchone()[0]
    with streamlit_server(demo_db_path) as url:
        page = browser.new_page(viewport={"width": 1500, "height": 2600}, locale="fr-FR")
        page.goto(url)
        wait_for_app(page)
        page.goto(f"{url}/indicateurs?indicateur=I4.1.b")
        wait_for_app(page)
        page.get_by_role("heading", name="Évolution par territoire").wait_for(timeout=30_000)
        # One indicator's panels: a Vega-Lite chart, its numbers in French, « cible » written.
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.locator(".marks").first.wait_for(timeout=30_000)
        texts = chart.locator("svg.marks text").all_text_contents()
        assert f"20{NNBSP}%" in texts, texts
        assert "cible" in texts and "Nantes Métropole" in texts
        assert chart.get_attribute("aria-roledescription") == "graphique"
        assert "I4.1.b" in (chart.get_attribute("aria-label") or "")
        screenshot(page, "indicateurs")
        point = chart.locator(".mark-symbol path").first
        point.scroll_into_view_if_needed()
        box = point.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = page.locator("#vg-tooltip-element")
        tooltip.wait_for(timeout=10_000)
        hover = tooltip.text_content() or ""
        assert "Réalisé" in hover and "Source" in hover, hover
        assert page.locator("[data-testid='stException']").count() == 0

        page.get_by_text("Tous les indicateurs de l'axe", exact=True).click()
        wait_for_app(page)
        page.get_by_role("heading", name="Axe 4. Agir — Nantes Métropole").wait_for(timeout=30_000)
        # one titled panel per indicator of the axis, the last one included
        page.locator(".annotation-text", has_text="I4.5.c").first.wait_for(timeout=30_000)
        titles = page.locator("[data-testid='stPlotlyChart'] .annotation-text")
        codes = {t.split(" ")[0] for t in titles.all_text_contents() if t.startswith("I4.")}
        assert len(codes) == axis_4
        screenshot(page, "indicateurs_axe")

        page.goto(f"{url}/fiche?action=16")
        wait_for_app(page)
        page.get_by_role("heading", name="Indicateurs de l'objectif").wait_for(timeout=30_000)
        screenshot(page, "fiche_action_indicateurs")
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        page.close()
