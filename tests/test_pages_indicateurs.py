"""The Indicateurs page and the indicators panel of the Fiche action, with AppTest."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.indicateurs.valeurs import ValueRow, record_values
from tests.helpers import ROOT
from tests.helpers.apptest import (
    app,
    assert_clean,
    open_view,
    run_page,
    table_having,
    vega_chart,
)
from tests.helpers.values import SAISIE, at, rate_series

PAGE = "app_pages/indicateurs.py"
VIEW = "ind_onglet"  # the one-indicator view's tabs (Évolution first)
NNBSP = "\u202f"


@pytest.fixture
def values_env(app_env):
    """I4.1.b (a rate to raise) in Nantes Métropole and Rezé; a correction recorded later."""
    with store.connect(app_env) as c:
        record_values(c, SAISIE, rate_series("I4.1.b", "NM"))
        record_values(
            c,
            SAISIE,
            [
                ValueRow("I4.1.b", "REZE", 2018, 12.0, 10.0, "Ville de Rezé <b>",
                         enregistre_le=at("2019-02-01 10:00")),
                ValueRow("I4.1.b", "REZE", 2019, 11.0, 10.0, enregistre_le=at("2020-02-01 10:00")),
                ValueRow("I4.1.b", "REZE", 2019, 9.0, 10.0, "Ville de Rezé", "erreur corrigée",
                         enregistre_le=at("2020-05-01 10:00")),
            ],
        )  # fmt: skip
    return app_env


def open_indicator(code: str = "I4.1.b", as_of: date | None = None) -> AppTest:
    at_ = run_page(PAGE)
    if as_of is not None:
        at_.date_input(key="as_of").set_value(as_of).run()
    at_.selectbox(key="ind_axe").select(int(code[1])).run()
    at_.selectbox(key="ind_objectif").select(code[1:4]).run()
    at_.selectbox(key="ind_code").select(code).run()
    assert_clean(at_)
    return at_


def test_choosing_an_indicator_shows_its_figures(values_env):
    at_ = open_indicator()
    assert at_.header[0].value.replace("\\", "").startswith("I4.1.b — Taux de collégiens")
    metrics = {m.label: m.value for m in at_.metric}
    assert metrics["Territoires renseignés"] == "2 sur 5"
    assert metrics["Dernière année renseignée"] == "2019"
    assert [t.label for t in at_.tabs] == [
        "Évolution par territoire",
        "Avancement vers la cible",
        "Valeurs et provenance",
    ]
    assert not at_.dataframe  # the tables are in the other tabs, computed once opened
    open_view(at_, VIEW, "Avancement vers la cible")
    summary = table_having(at_, "Avancement").set_index("Territoire")
    nm = summary.loc["Nantes Métropole"]
    assert nm["Valeur initiale"] == f"20{NNBSP}% (2017)"
    assert nm["Valeur actuelle"] == f"24{NNBSP}% (2019)"
    assert nm["Cible"] == f"30{NNBSP}% (2019)"
    assert nm["Avancement"] == f"40{NNBSP}%"  # 100 × (24 − 20) / (30 − 20)
    assert nm["Tendance"].startswith("en hausse")
    assert "En retard sur la cible 2019" in nm["Alertes"]
    # Rezé started above its target: met at start, then lost it in 2019 (corrected to 9)
    reze = summary.loc["Rezé"]
    assert reze["Avancement"] == f"0{NNBSP}% (cible déjà atteinte au départ)"
    assert reze["Valeur actuelle"] == f"9{NNBSP}% (2019)"


def test_formula_and_alerts_are_shown_in_words(values_env):
    at_ = open_view(open_indicator(), VIEW, "Avancement vers la cible")
    assert any("100 × (valeur actuelle − valeur initiale)" in c.value for c in at_.caption)
    alerts = " ".join(w.value for w in at_.warning)
    assert "Pas de valeur pour" in alerts and "Tendance en baisse" in alerts
    assert "**Rezé**" in alerts


def test_values_table_shows_provenance_and_escapes_nothing_away(values_env):
    at_ = open_view(open_indicator(), VIEW, "Valeurs et provenance")
    values = table_having(at_, "Provenance")
    assert values["Provenance"].unique().tolist() == ["Saisie"]
    assert values["Enregistré par"].unique().tolist() == ["mme.a"]
    reze = values[values["Territoire"] == "Rezé"].set_index("Année")
    assert reze.loc["2019", "Valeur"] == f"9{NNBSP}%"
    assert reze.loc["2019", "Commentaire"] == "erreur corrigée"
    assert reze.loc["2018", "Source"] == "Ville de Rezé <b>"


def test_chart_has_one_panel_per_territory_with_a_dashed_target(values_env):
    at_ = open_indicator()
    spec, data = vega_chart(at_)
    assert spec["facet"]["sort"] == ["Nantes Métropole", "Rezé"]
    dash = spec["spec"]["encoding"]["strokeDash"]["scale"]
    assert dict(zip(dash["domain"], dash["range"], strict=True))["Cible (tirets)"] == [7, 4]
    words = [layer for layer in spec["spec"]["layer"] if layer["mark"]["type"] == "text"]
    assert words[0]["encoding"]["text"]["value"] == "cible"
    # the word « cible » at the last target of each panel only
    last = data[data["last"]]
    ends = sorted(zip(last["panel"], last["annee"], strict=True))
    assert ends == [("Nantes Métropole", 2019), ("Rezé", 2019)]
    # hover: value, target and source, in French; text left as text (Vega shows it as such)
    reze_2018 = data[(data["panel"] == "Rezé") & (data["annee"] == 2018)].iloc[0]
    assert [reze_2018[c] for c in ("Territoire", "Année", "Réalisé", "Cible", "Source")] == [
        "Rezé",
        "2018",
        f"12{NNBSP}%",
        f"10{NNBSP}%",
        "Ville de Rezé <b>",
    ]
    # axis labels in French: a decimal comma, a narrow space between thousands, and « % »
    label = spec["spec"]["encoding"]["y"]["axis"]["labelExpr"]
    assert "','" in label and NNBSP in label and label.endswith(f"'{NNBSP}%'")
    assert len(at_.get("vega_lite_chart")[0].proto.alt) > 60


def test_time_travel_shows_the_values_known_then(values_env):
    at_ = open_view(open_indicator(as_of=date(2020, 3, 1)), VIEW, "Avancement vers la cible")
    summary = table_having(at_, "Avancement").set_index("Territoire")
    # NM's 2019 value arrives on 15/03/2020; Rezé's 2019 shows its first figure, not the correction
    assert summary.loc["Nantes Métropole", "Valeur actuelle"] == f"25{NNBSP}% (2018)"
    assert summary.loc["Rezé", "Valeur actuelle"] == f"11{NNBSP}% (2019)"
    # last complete year is then 2019, and NM has no 2019 value yet
    assert "Pas de valeur pour 2019" in summary.loc["Nantes Métropole", "Alertes"]
    assert "Pas de valeur" not in summary.loc["Rezé", "Alertes"]


def test_an_indicator_without_values_says_so_instead_of_an_empty_chart(values_env):
    at_ = open_indicator("I4.1.a")
    assert any("Aucune valeur n'est enregistrée pour cet indicateur" in i.value for i in at_.info)
    assert not at_.get("plotly_chart") and not at_.get("vega_lite_chart")


def test_before_any_record_the_indicator_is_empty(values_env):
    at_ = open_indicator(as_of=date(2018, 1, 1))
    assert any("Aucune valeur" in i.value for i in at_.info)


def test_axis_view_draws_every_indicator_of_the_axis(values_env):
    at_ = open_indicator()
    at_.radio(key="ind_vue").set_value("Tous les indicateurs de l'axe").run()
    assert_clean(at_)
    spec = at_.get("plotly_chart")[0].proto.spec
    assert "Aucune valeur" in spec  # the other indicators of axis 4 have no value in NM
    assert "I4.5.c" in spec
    assert any("Sans valeur dans ce territoire" in i.value for i in at_.info)
    at_.selectbox(key="ind_sm_territoire").select("ORVAULT").run()
    assert any("Aucune valeur n'est enregistrée" in i.value for i in at_.info)
    assert not at_.get("plotly_chart")


def test_downloads_offer_csv_and_xlsx(values_env):
    at_ = open_view(open_indicator(), VIEW, "Valeurs et provenance")
    labels = [b.proto.label for b in at_.get("download_button")]
    assert labels == ["Télécharger (CSV)", "Télécharger (XLSX)"]


def test_a_link_opens_the_indicator(values_env):
    at_ = app()
    at_.query_params["indicateur"] = "I4.5.b"
    at_.run()
    at_.switch_page(PAGE).run()
    assert_clean(at_)
    assert at_.selectbox(key="ind_code").value == "I4.5.b"
    assert at_.selectbox(key="ind_objectif").value == "4.5"


def test_fiche_action_shows_current_values_of_its_objective(values_env):
    at_ = run_page("app_pages/fiche_action.py")
    at_.selectbox(key="action_no").select(16).run()  # an action of objective 4.1
    assert_clean(at_)
    assert not [d for d in at_.dataframe if "Avancement" in d.value.columns]  # until opened
    at_.session_state["fiche_indicateurs_ouverts"] = True
    at_.run()
    assert_clean(at_)
    panel = table_having(at_, "Avancement").set_index("Territoire")
    assert panel.loc["Nantes Métropole", "Valeur actuelle"] == f"24{NNBSP}% (2019)"
    assert panel.loc["Nantes Métropole", "Avancement"] == f"40{NNBSP}%"
    assert "En retard sur la cible 2019" in " ".join(w.value for w in at_.warning)
    headings = [m.value for m in at_.markdown if m.value.startswith("**I4")]
    assert len(headings) == 2 and "acteurs éducatifs formés" in headings[0]
    assert any("Aucune valeur enregistrée" in c.value for c in at_.caption)


def test_fiche_panel_is_bounded_when_there_are_many_territories(sixty_territories_env):
    """60 territories: the panel under an action shows 30, chosen by the user, and says so."""
    at_ = run_page("app_pages/fiche_action.py")
    at_.session_state["fiche_indicateurs_ouverts"] = True
    at_.run()
    assert_clean(at_)
    chosen = at_.multiselect(key="fiche_territoires")
    assert len(chosen.value) == 30
    assert any("60 territoires" in c.value and "au plus 30" in c.value for c in at_.caption)
    with store.connect(sixty_territories_env) as conn:
        labels = dict(conn.execute("SELECT code, libelle FROM territoire").fetchall())
    tables = [d.value for d in at_.dataframe if "Avancement" in d.value.columns]
    shown = {labels[code] for code in chosen.value}
    assert tables and all(set(t["Territoire"]) <= shown for t in tables)
    assert max(len(t) for t in tables) == 30
    chosen.unselect(chosen.value[0]).run()
    tables = [d.value for d in at_.dataframe if "Avancement" in d.value.columns]
    assert max(len(t) for t in tables) == 29


def test_page_works_on_another_plan_with_its_demo_values(tmp_path, monkeypatch):
    import streamlit as st

    from ptlcd_data.build import build
    from tests.helpers import MINI_PLAN

    db = tmp_path / "mini.duckdb"
    with store.connect(db) as c:
        build(c, MINI_PLAN, demo=True)
    monkeypatch.setenv("PTLCD_DB", str(db))
    monkeypatch.setenv("PTLCD_DATA", str(MINI_PLAN))
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at_ = run_page(PAGE)
        at_.selectbox(key="ind_axe").select(2).run()
        at_.selectbox(key="ind_code").select("E2").run()
        assert_clean(at_)
        assert "à faire baisser" in " ".join(c.value for c in at_.caption).lower()
        summary = table_having(open_view(at_, VIEW, "Avancement vers la cible"), "Avancement")
        assert "Villeneuve Agglo" in summary["Territoire"].tolist()
        at_.radio(key="ind_vue").set_value("Tous les indicateurs de l'axe").run()
        assert_clean(at_)
        assert at_.get("plotly_chart")
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_the_territories_chosen_for_the_chart_are_those_listed_in_every_tab(values_env):
    """The choice is made in the Évolution tab; the values tab lists the same territories, and
    the choice outlives a visit to another tab (Streamlit forgets an undrawn field)."""
    at_ = open_indicator()
    at_.multiselect(key="ind_territoires_I4.1.b").set_value(["REZE"]).run()
    assert vega_chart(at_)[0]["facet"]["sort"] == ["Rezé"]
    open_view(at_, VIEW, "Valeurs et provenance")
    assert set(table_having(at_, "Provenance")["Territoire"]) == {"Rezé"}
    open_view(at_, VIEW, "Avancement vers la cible")
    open_view(at_, VIEW, "Évolution par territoire")
    assert at_.multiselect(key="ind_territoires_I4.1.b").value == ["REZE"]
    assert vega_chart(at_)[0]["facet"]["sort"] == ["Rezé"]


def test_a_choice_of_territories_none_of_which_is_still_offered_falls_back_to_the_first(
    values_env,
):
    """Territories chosen on another date, none of them with a value now: the first ones are
    charted and listed, not an empty choice."""
    at_ = open_indicator()
    at_.session_state["_ind_traces_I4.1.b"] = ["ORVAULT"]
    open_view(at_, VIEW, "Valeurs et provenance")
    assert set(table_having(at_, "Provenance")["Territoire"]) == {"Nantes Métropole", "Rezé"}
