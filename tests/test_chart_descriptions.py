"""The charts in words and in tables (their text alternatives): the same figures as the data they
are drawn from, checked against other queries of the same database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from ptlcd_data import store
from ptlcd_data.indicateurs import descriptions as ind_descriptions
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.suivi import descriptions, engagements, status_queries
from ptlcd_data.vocabulary import STATUTS_AFFICHES

AS_OF = date(2026, 12, 2)


@pytest.fixture
def demo(demo_db_path) -> Iterator[store.Connection]:
    with store.connect(demo_db_path) as c:
        yield c


def _figures(sentence: str, prefix: str) -> dict[str, int]:
    """'Axe 4 : En cours 3, Réalisé 10.' -> {'En cours': 3, 'Réalisé': 10} for prefix 'Axe 4'."""
    part = sentence.split(f"{prefix} : ", 1)[1].split(".", 1)[0]
    return {m[0].strip(): int(m[1]) for m in re.findall(r"([^,\d]+?) (\d+)(?:,|$)", part.strip())}


def test_status_bars_sentence_gives_every_axis_its_counts(demo):
    counts = status_queries.status_counts_by_axis(demo, AS_OF)
    text = descriptions.statuts_par_axe_texte(counts)
    assert text.startswith(f"Statuts de {int(counts['nb'].sum())} actions dans 5 axes")
    for axe_no in range(1, 6):
        of_axe = counts[(counts["axe_no"] == axe_no) & (counts["nb"] > 0)]
        assert _figures(text, f"Axe {axe_no}") == dict(
            zip(of_axe["statut"], of_axe["nb"].astype(int), strict=True)
        )


def test_status_bars_sentence_of_one_action_in_one_axis_agrees_in_the_singular():
    counts = pd.DataFrame({"axe_no": [1], "axe": ["Axe un"], "statut": ["En cours"], "nb": [1]})
    text = descriptions.statuts_par_axe_texte(counts)
    assert text.startswith("Statuts de 1 action dans 1 axe (une barre par axe"), text


def test_status_bars_sentence_matches_the_plan_summary(demo):
    """The same totals as the page's "Par axe et par objectif" table, another query."""
    text = descriptions.statuts_par_axe_texte(status_queries.status_counts_by_axis(demo, AS_OF))
    plan = status_queries.progress_by_axis(demo, AS_OF)
    plan = plan[plan["echelle"] == "plan"].iloc[0]
    expected = {s: int(plan[s]) for s in STATUTS_AFFICHES if plan[s] > 0}
    assert _figures(text, "Ensemble") == expected


def test_evolution_table_has_one_row_per_date_and_every_action_each_time(demo):
    evolution = status_queries.status_counts_by_year_end(demo, AS_OF)
    table = descriptions.evolution_table(evolution, AS_OF)
    assert len(table) == evolution["jour"].nunique() == 10  # 2017…2025 year ends, then as_of
    assert table["Date"].tolist()[0] == "31/12/2017"
    assert table["Date"].tolist()[-1] == "Au 02/12/2026"  # named as on the chart
    assert set(table["Total"]) == {34}
    assert set(table.columns) - {"Date", "Total"} <= set(STATUTS_AFFICHES)
    assert (table.drop(columns=["Date", "Total"]).sum() > 0).all()  # no empty status column


def test_evolution_sentence_follows_the_realise_count_date_after_date(demo):
    evolution = status_queries.status_counts_by_year_end(demo, AS_OF)
    table = descriptions.evolution_table(evolution, AS_OF)
    text = descriptions.evolution_texte(evolution, AS_OF)
    assert "du 31/12/2017 au 02/12/2026" in text
    assert " → ".join(str(n) for n in table["Réalisé"]) in text


def test_evolution_sentence_of_a_single_date(demo):
    text = descriptions.evolution_texte(
        status_queries.status_counts_by_year_end(demo, date(2017, 3, 1)), date(2017, 3, 1)
    )
    assert text == "Statuts des actions au 01/03/2017 : Sans statut 34."


def test_calendar_table_has_every_action_of_the_gantt_with_its_dates(demo):
    etat = status_queries.calendar_actions(demo, AS_OF)
    table = descriptions.calendrier_table(etat)
    assert table["N°"].tolist() == etat["action_no"].tolist()  # same actions, same order
    assert len(table) == 34  # the whole plan, not only the late actions
    rows = table.set_index("N°")
    late = set(etat.loc[etat["en_retard"], "action_no"])
    assert set(rows.index[rows["En retard"] == "oui"]) == late
    started_open = etat[etat["debut_reel"].notna() & etat["fin_reelle"].isna()]
    for r in started_open.itertuples():
        assert rows.loc[r.action_no, "Fin réelle"] in (
            "en cours",
            f"abandonnée le {r.date_dernier:%d/%m/%Y}",
        )
    gantt = status_queries.gantt_bars(demo, AS_OF)
    assert set(gantt["action_no"]) <= set(table["N°"])


def test_gantt_sentence_counts_planned_started_and_late_actions(demo):
    etat = status_queries.calendar_actions(demo, AS_OF)
    text = descriptions.gantt_texte(etat, AS_OF)
    late = int(etat["en_retard"].sum())
    assert text.startswith("Calendrier de 34 action(s) au 02/12/2026")
    assert f"; {late} en retard." in text
    worst = etat.loc[etat["glissement_fin_mois"].idxmax()]
    assert f"(action n° {int(worst['action_no'])})" in text


def test_engagement_sentence_matches_the_totals_per_territory(demo):
    """Its numbers are those of the page's "Totaux par territoire" table, another query."""
    text = descriptions.engagement_texte(
        engagements.grid(engagements.engagement_cells(demo, AS_OF))
    )
    totals = engagements.engagement_by_territory(demo, AS_OF)
    assert text.startswith("Matrice de 34 actions × 5 territoires")
    for territoire, n in zip(totals["territoire"], totals["engagees"], strict=True):
        assert f"{territoire} {int(n)}" in text


def test_indicator_sentence_gives_each_territory_first_last_and_target(demo):
    values = valeurs.current_values(demo, AS_OF, indicateurs=("I1.1.a",))
    text = ind_descriptions.territory_panels_texte(values, "I1.1.a", "nombre")
    for territoire in values["territoire"].unique():
        of = values[(values["territoire"] == territoire) & values["valeur"].notna()]
        last = of.sort_values("annee").iloc[-1]
        assert f"{territoire} : " in text
        assert f"{int(last['valeur'])} en {int(last['annee'])}" in text


def test_small_multiples_sentence_says_which_indicators_have_no_value(demo):
    series = valeurs.small_multiples(demo, AS_OF, 4, "NANTES")
    text = ind_descriptions.small_multiples_texte(series, "Nantes")
    codes = list(dict.fromkeys(series["indicateur_code"]))
    empty = {c for c in codes if series.loc[series["indicateur_code"] == c, "annee"].isna().all()}
    assert empty  # the demonstration leaves some indicators of axis 4 without values in Nantes
    assert text.startswith(f"{len(codes)} indicateur(s) à Nantes")
    shown = codes[: ind_descriptions.PANELS_DESCRIBED]
    for code in shown:
        assert (f"{code} : aucune valeur." in text) == (code in empty), code
    assert f"Et {len(codes) - len(shown)} autre(s)" in text
