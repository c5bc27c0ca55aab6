"""The annual summary's data: one structure per year, its figures those of the follow-up questions."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from ptlcd_data import store
from ptlcd_data.access import auth
from ptlcd_data.errors import InputError
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.suivi import saisie, status_queries
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo, model

SAISIE = auth.User("gold", "Secrétariat du GOLD", "saisie")
TODAY = date(2026, 11, 28)


def _review(conn, action_no: int, day: date, **kwargs) -> None:
    saisie.enregistrer_revue(conn, SAISIE, action_no, date_effet=day, today=TODAY, **kwargs)


@pytest.mark.parametrize(
    ("annee", "as_of", "expected"),
    [
        (2019, date(2026, 11, 28), date(2019, 12, 31)),
        (2026, date(2026, 11, 28), date(2026, 11, 28)),
        (2020, date(2020, 12, 31), date(2020, 12, 31)),
    ],
)
def test_observation_date_is_year_end_or_the_date_of_the_current_year(annee, as_of, expected):
    assert model.date_observation(annee, as_of) == expected


def test_years_run_from_the_plan_to_the_observation_date(conn):
    assert model.annees(conn, date(2020, 5, 1)) == [2020, 2019, 2018, 2017]


def test_a_year_outside_the_follow_up_is_refused_in_french(conn):
    with pytest.raises(InputError, match="le plan commence en 2017"):
        model.synthese_annuelle(conn, 2016, TODAY)
    with pytest.raises(InputError, match="dernière année possible est 2026"):
        model.synthese_annuelle(conn, 2027, TODAY)


def test_default_year_is_the_latest_with_a_record(demo_db_path):
    with store.connect(demo_db_path) as conn:
        assert model.annee_par_defaut(conn, TODAY) == 2022
        assert model.annee_par_defaut(conn, date(2019, 6, 30)) == 2019


def test_figures_are_those_of_the_follow_up_questions(demo_db_path):
    with store.connect(demo_db_path) as conn:
        s = model.synthese_annuelle(conn, 2019, TODAY)
        etat = status_queries.action_states(conn, date(2019, 12, 31))
        before = status_queries.action_states(conn, date(2018, 12, 31))
    assert s.demo
    assert s.chiffre(col.CH_ACTIONS) == len(etat) == 34
    assert s.chiffre(col.CH_REALISEES) == (etat["statut"] == "Réalisé").sum()
    assert s.chiffre(col.CH_REALISEES, col.COL_DEBUT_ANNEE) == (before["statut"] == "Réalisé").sum()
    assert s.chiffre(col.CH_RETARD) == etat["en_retard"].sum() == len(s.retards)
    assert s.statuts["Actions"].sum() == 34
    assert s.axes["Actions"].sum() == 34
    assert s.chiffre(col.CH_REALISEES) > s.chiffre(col.CH_REALISEES, col.COL_DEBUT_ANNEE)
    assert (pd.to_datetime(s.realisees["Réalisée le"]).dt.year == 2019).all()
    assert (pd.to_datetime(s.commencees["Commencée le"]).dt.year == 2019).all()
    slips = s.retards[col.COL_GLISSEMENT_FIN].dropna().tolist()
    assert slips == sorted(slips, reverse=True)
    assert set(s.axes[col.COL_METEO]) <= set(meteo.METEOS)


def test_actions_done_and_started_in_the_year(conn):
    _review(conn, 3, date(2019, 2, 1), statut="En cours", commentaire="Lancement")
    _review(conn, 3, date(2019, 6, 1), statut="Réalisé", commentaire="Terminé")
    s2019 = model.synthese_annuelle(conn, 2019, TODAY)
    done = s2019.realisees.set_index(col.COL_ACTION_NO)
    assert done.loc[3, "Réalisée le"] == date(2019, 6, 1)
    assert done.loc[3, col.COL_GLISSEMENT_FIN] == 5  # planned end 31/12/2018
    assert s2019.commencees.set_index(col.COL_ACTION_NO).loc[3, "Commencée le"] == date(2019, 2, 1)
    s2018 = model.synthese_annuelle(conn, 2018, TODAY)
    assert 3 not in set(s2018.realisees[col.COL_ACTION_NO])
    assert 3 not in set(s2018.commencees[col.COL_ACTION_NO])
    s2020 = model.synthese_annuelle(conn, 2020, TODAY)
    assert 3 not in set(s2020.realisees[col.COL_ACTION_NO])
    assert s2020.chiffre(col.CH_REALISEES) == s2019.chiffre(col.CH_REALISEES)


def test_comments_of_the_year_one_per_decision(conn):
    _review(
        conn,
        5,
        date(2019, 3, 12),
        statut="En cours",
        commentaire="Décidé en GOLD",
        engagements={"NANTES": "Engagée", "REZE": "À engager"},
    )
    _review(conn, 6, date(2020, 1, 15), statut="En cours", commentaire="L'année suivante")
    s = model.synthese_annuelle(conn, 2019, TODAY)
    mine = s.commentaires[s.commentaires["Commentaire"] == "Décidé en GOLD"]
    assert len(mine) == 1
    assert mine["Sujet"].iloc[0] == (
        "Statut : En cours ; Engagement de Nantes : Engagée ; Engagement de Rezé : À engager"
    )
    assert mine["Date"].iloc[0] == date(2019, 3, 12)
    assert "L'année suivante" not in set(s.commentaires["Commentaire"])
    assert s.nb_commentaires == len(s.commentaires)
    engaged = s.engagement.set_index(col.COL_TERRITOIRE)
    assert engaged.loc["Rezé", "Changements dans l'année"] == 1


def test_meteo_of_an_axis_follows_its_actions(conn):
    for action_no in (12, 13):  # the two actions of axis 3 (Former)
        _review(conn, action_no, date(2019, 3, 1), statut="Bloqué", commentaire="Bloqué")
    s = model.synthese_annuelle(conn, 2019, TODAY)
    former = s.axes.set_index(col.COL_AXE_NO).loc[3]
    assert former[col.COL_AXE] == "Former"
    assert former["En difficulté"] == 2
    assert former[col.COL_METEO] == meteo.COMPROMIS
    for _, row in s.axes.iterrows():  # every axis: the rule applied to its own counts
        avancees = int(row["Réalisé"] + row["En cours"])
        ind = row["Avancement des indicateurs (%)"]
        etat = meteo.AxeEtat(
            int(row["Actions"]), avancees, int(row["En difficulté"]), None if pd.isna(ind) else ind
        )
        assert meteo.meteo(etat).label == row[col.COL_METEO]


def test_indicators_against_their_targets_in_the_reference_territory(conn):
    def value(terr: str, year: int, v: float, c: float) -> valeurs.ValueRow:
        recorded = datetime(year + 1, 2, 1)
        return valeurs.ValueRow("I1.1.a", terr, year, v, c, enregistre_le=recorded)

    valeurs.record_values(
        conn,
        SAISIE,
        [
            value("NM", 2017, 10, 10),
            value("NM", 2018, 20, 20),
            value("NANTES", 2017, 4, 5),
            value("NANTES", 2018, 5, 8),
        ],
    )
    s = model.synthese_annuelle(conn, 2019, TODAY)
    row = s.indicateurs.set_index("Code").loc["I1.1.a"]
    assert row["Territoire de référence"] == "Nantes Métropole"
    assert (row["Dernière valeur"], row["Dernière année"], row["Cible"]) == (20, 2018, 20)
    assert row["À la cible"] == "oui"
    assert row["Avancement (%)"] == 100
    assert row["Territoires suivis"] == 2
    assert row["Territoires à la cible de l'année"] == 1
    assert s.chiffre(col.CH_CIBLES) == 1
    # axis 1's indicators: (100 % for NM + 25 % for Nantes) / 2
    assert s.axes.set_index(col.COL_AXE_NO).loc[1, "Avancement des indicateurs (%)"] == 62.5
    assert set(s.series["Année"]) == {2017, 2018}
    # known on 31/12/2018? Nothing: the 2018 values were registered in 2019.
    s2018 = model.synthese_annuelle(conn, 2018, TODAY)
    assert s2018.indicateurs.set_index("Code").loc["I1.1.a", "Dernière année"] == 2017


def test_summary_of_another_plan(mini_conn):
    s = model.synthese_annuelle(mini_conn, 2021, TODAY)
    assert s.plan_nom == "Plan de test de Villeneuve"
    assert list(s.axes[col.COL_AXE]) == ["Observer", "Agir"]
    assert list(s.engagement[col.COL_TERRITOIRE]) == [
        "Villeneuve Agglo",
        "Villeneuve",
        "Bourg-sur-Loire",
    ]
    assert not s.demo
    assert model.resume(s)[0].startswith("Au 31/12/2021, 0 des 4 actions du plan")


@pytest.mark.parametrize(
    ("months", "words"),
    [
        (6, "6\u00a0mois après la date prévue"),
        (-2, "2\u00a0mois avant la date prévue"),
        (0, "à la date prévue"),
        (None, ""),
        (pd.NA, ""),
    ],
)
def test_slippage_in_words(months, words):
    assert model.glissement_mots(months) == words


def test_summary_in_words(demo_db_path):
    with store.connect(demo_db_path) as conn:
        s = model.synthese_annuelle(conn, 2019, TODAY)
    lines = model.resume(s)
    assert lines[0] == (
        "Au 31/12/2019, 8 des 34 actions du plan sont réalisées (24\u202f%), contre 3 au début "
        "de l'année."
    )
    assert lines[1] == "Pendant l'année : 5 actions terminées, 6 lancées."
    assert model.situation(s) == "Situation au 31/12/2019"
