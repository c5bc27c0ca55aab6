"""Follow-up pages with AppTest: set the observation date and the filters, check what is shown."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from ptlcd_data import store
from ptlcd_data.access import auth
from ptlcd_data.suivi import engagements, saisie, status_queries
from tests.helpers.apptest import (
    assert_clean,
    figure,
    metrics,
    open_page,
    open_view,
    table,
    table_having,
    vega_chart,
)
from tests.helpers.databases import app_on, built
from tests.helpers.spec import STATUTS_TET

SAISIE = auth.User("mme.a", "Mme A", "saisie")


def _saisie_account(db) -> str:
    """A local account with the `saisie` role; returns its login."""
    from ptlcd_data.access import accounts

    with store.connect(db) as conn:
        accounts.add_user(
            conn, auth.SYSTEM, SAISIE.login, SAISIE.nom, "saisie", "mot-de-passe-du-gold"
        )
    return SAISIE.login


def record(db_path, action_no, **kwargs):
    with store.connect(db_path) as conn:
        saisie.enregistrer_revue(conn, SAISIE, action_no, **kwargs)


def late_count(db_path, as_of) -> int:
    with duckdb.connect(str(db_path)) as conn:
        return int(status_queries.action_states(conn, as_of)["en_retard"].sum())


# --- Avancement par axe --------------------------------------------------------------------


def test_progress_page_follows_the_observation_date(app_env):
    record(app_env, 33, date_effet=date(2019, 6, 1), statut="Réalisé")
    at = open_page("app_pages/avancement.py", date(2019, 5, 31))
    assert metrics(at)["Réalisées"] == "0"
    at.date_input(key="as_of").set_value(date(2019, 6, 1)).run()
    assert_clean(at)
    shown = metrics(at)
    assert shown["Réalisées"] == "1"
    assert shown["Part réalisée"] == "3\u202f%"
    assert shown["En retard"] == str(late_count(app_env, date(2019, 6, 1)))
    fig = figure(at, "avancement_chart")
    names = [t["name"] for t in fig["data"]]
    assert "Réalisé" in names and names == sorted(names, key=STATUS_ORDER.index)
    realise = next(t for t in fig["data"] if t["name"] == "Réalisé")
    assert realise["marker"]["color"] == "#009E73"


STATUS_ORDER = [*STATUTS_TET, "Sans statut"]


def test_progress_table_counts_by_axis_and_objective(app_env):
    at = open_page("app_pages/avancement.py", date(2017, 7, 1))
    open_view(at, "avancement_vue", "Par axe et par objectif")
    synth = table_having(at, "libelle", "part_realise")
    axis_rows = synth[synth["libelle"].str.startswith("Axe ")]
    assert axis_rows["nb_actions"].sum() == 34
    assert synth["À discuter"].sum() == 2  # action 7 counted on its axis row and objective row


def test_progress_list_filters_by_axis_and_status(app_env):
    at = open_page("app_pages/avancement.py", date(2018, 1, 1))
    open_view(at, "avancement_vue", "Les actions")
    at.selectbox(key="avancement_axe").select(2).run()
    at.multiselect(key="avancement_statuts").select("En cours").run()
    assert_clean(at)
    actions = table(at, "avancement_actions")
    assert actions["action_no"].tolist() == [9]  # "Engagé" in the plan


@pytest.mark.parametrize(
    ("event", "choice"),
    [
        ({"selection": {"points": [{"customdata": [2, "En cours"], "x": 3}]}}, (2, "En cours")),
        ({"selection": {"points": []}}, None),
        ({"selection": {"points": [{"x": 3}]}}, None),
        (None, None),
    ],
)
def test_a_click_on_a_segment_means_its_axis_and_status(event, choice):
    from ui.suivi import segment_choice

    assert segment_choice(event) == choice


def test_progress_evolution_has_one_bar_per_year_end(app_env):
    at = open_page("app_pages/avancement.py", date(2020, 3, 1))
    assert not [c for c in at.get("plotly_chart") if c.key == "avancement_evolution"]  # its tab
    open_view(at, "avancement_vue", "Évolution")
    fig = figure(at, "avancement_evolution")
    assert fig["data"][0]["x"] == ["31/12/2017", "31/12/2018", "31/12/2019", "Au 01/03/2020"]


# --- Calendrier et retards -----------------------------------------------------------------


def test_calendar_counts_late_actions_at_the_observation_date(app_env):
    at = open_page("app_pages/calendrier.py", date(2018, 6, 1))
    before = metrics(at)["En retard"]
    at.date_input(key="as_of").set_value(date(2019, 1, 1)).run()
    assert_clean(at)
    after = metrics(at)["En retard"]
    assert after == str(late_count(app_env, date(2019, 1, 1)))
    assert int(after) > int(before)
    late = table(at, "cal_late")
    assert 10 in set(late["action_no"])  # "2018", nothing recorded
    reason = late.set_index("action_no").loc[10, "motif_retard"]
    assert reason == "Fin prévue le 31/12/2018 dépassée"


def test_calendar_rules_are_written_on_screen(app_env):
    at = open_page("app_pages/calendrier.py")
    open_view(at, "cal_regles", True)
    text = " ".join(m.value for m in at.markdown)
    assert "annuelle est en retard quand elle n'a aucun enregistrement" in text
    assert "Glissement de la fin" in text


@pytest.mark.parametrize(
    ("widget", "value", "expected"),
    [
        ("cal_axes", 5, {32, 33, 34}),
        ("cal_statuts", "À discuter", {7}),
        ("cal_territoire", "ORVAULT", {9}),
    ],
)
def test_calendar_filters(app_env, widget, value, expected):
    at = open_page("app_pages/calendrier.py", date(2018, 1, 1))
    if widget == "cal_territoire":
        at.selectbox(key=widget).select(value).run()
    else:
        at.multiselect(key=widget).select(value).run()
    assert_clean(at)
    open_view(at, "cal_vue", "Prévu et réel")
    fig = figure(at, "cal_gantt")
    rows = {label.split(" · ")[0] for t in fig["data"][1:] for label in t["y"][1]}
    assert rows == {f"n° {n}" for n in expected}
    assert metrics(at)["Actions affichées"] == str(len(expected))


def test_calendar_sorts_late_actions_by_slippage(app_env):
    record(app_env, 27, date_effet=date(2018, 3, 1), statut="En cours")
    at = open_page("app_pages/calendrier.py", date(2021, 6, 1))
    at.toggle(key="cal_retard").set_value(True).run()
    at.selectbox(key="cal_tri").select("glissement_fin").run()
    assert_clean(at)
    late = table(at, "cal_late")
    slips = late["glissement_fin_mois"]
    known = slips.dropna()
    assert len(known) >= 2 and known.is_monotonic_decreasing
    assert slips.isna().sum() == 0 or slips.iloc[len(known) :].isna().all()  # unknown last
    assert metrics(at)["Actions affichées"] == metrics(at)["En retard"]


def test_calendar_gantt_has_planned_and_actual_bars(app_env):
    record(app_env, 10, date_effet=date(2018, 3, 1), statut="En cours")
    at = open_page("app_pages/calendrier.py", date(2019, 1, 1))
    open_view(at, "cal_vue", "Prévu et réel")
    fig = figure(at, "cal_gantt")
    names = [t.get("name") for t in fig["data"]]
    assert "Prévu (calendrier du plan)" in names and "Réel : En cours" in names
    planned = next(t for t in fig["data"] if t.get("name") == "Prévu (calendrier du plan)")
    assert len(planned["y"][1]) == 34 - 3  # three actions have no calendar
    assert {label.split(" · ")[0] for label in planned["y"][1]} >= {"n° 10"}


# --- Engagement des communes ---------------------------------------------------------------


def test_engagement_page_shows_levels_in_words(app_env):
    at = open_page("app_pages/engagement.py", date(2018, 1, 1))
    spec, cells = vega_chart(at)
    assert "Engagée" in set(cells["niveau"])
    words = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert words[0]["encoding"]["text"]["field"] == "niveau"  # each cell's level, in words
    legend = spec["encoding"]["color"]["scale"]["domain"]
    assert legend == ["Non renseignée", "Non concernée", "À engager", "Engagée", "Réalisée"]
    # the tooltip in French: the row, the whole wording, the territory, the level, since when
    tooltip = spec["encoding"]["tooltip"]
    assert [t["title"] for t in tooltip] == [
        "Action",
        "Libellé",
        "Territoire",
        "Niveau",
        "Depuis le",
    ]
    assert set(t["field"] for t in tooltip) == set(cells.columns)  # each word sent once
    assert len(cells) == 34 * 5
    first = cells.iloc[0]
    assert first["ligne"].startswith("n° 1 · ") and len(first["libelle"]) > len(first["ligne"]) - 7
    open_view(at, "eng_vue", "Totaux par territoire")
    per_terr = table_having(at, "territoire", "engagees").set_index("territoire")
    assert per_terr.loc["Orvault", "À engager"] == 1
    assert per_terr.loc["Nantes", "engagees"] == 1
    assert len(at.get("download_button")) == 2


def test_engagement_page_follows_the_observation_date_and_axis(app_env):
    record(app_env, 33, date_effet=date(2020, 1, 1), engagements={"REZE": "Engagée"})
    at = open_page("app_pages/engagement.py", date(2019, 12, 31))
    open_view(at, "eng_vue", "Totaux par territoire")
    assert (
        table_having(at, "territoire", "engagees").set_index("territoire").loc["Rezé", "engagees"]
        == 1
    )
    at.date_input(key="as_of").set_value(date(2020, 1, 1)).run()
    assert (
        table_having(at, "territoire", "engagees").set_index("territoire").loc["Rezé", "engagees"]
        == 2
    )
    at.multiselect(key="eng_axes").select(5).run()
    open_view(at, "eng_vue", "Le tableau")
    matrix = table_having(at, "action_no", "Rezé", "action")
    assert matrix["action_no"].tolist() == [32, 33, 34]
    assert matrix.set_index("action_no").loc[33, "Rezé"] == "Engagée"
    open_view(at, "eng_vue", "Totaux par axe")
    per_axe = table_having(at, "axe_no", "nb_actions")
    assert per_axe["axe_no"].tolist() == [5]


# --- Revue GOLD and Fiche action -----------------------------------------------------------


def test_review_walks_through_the_actions(app_env):
    at = open_page("app_pages/revue.py")
    assert at.selectbox(key="revue_action").value == 1
    at.button(key="revue_next").click().run()
    assert at.selectbox(key="revue_action").value == 2
    at.button(key="revue_prev").click().run()
    at.button(key="revue_prev").click().run()
    assert at.selectbox(key="revue_action").value == 34
    at.selectbox(key="revue_action").select(9).run()
    assert_clean(at)
    assert at.header[0].value == "Action n° 9"


def _form_widget(at, kind, label):
    return next(w for w in getattr(at, kind) if w.label == label)


def test_review_records_a_decision_that_every_page_shows(app_env):
    at = open_page("app_pages/revue.py", login=_saisie_account(app_env))
    at.selectbox(key="revue_action").select(12).run()
    _form_widget(at, "selectbox", "Statut").select("Bloqué")
    _form_widget(at, "number_input", "Avancement (%)").set_value(40)
    _form_widget(at, "text_area", "Commentaire (décision, point d'étape)").input("Attente EN")
    _form_widget(at, "selectbox", "Rezé").select("Engagée")
    at.button(key="revue_submit").click().run()
    assert_clean(at)
    assert any("Action n° 12" in s.value and "Mme A" in s.value for s in at.success)
    assert metrics(at)["Statut"] == "Bloqué"
    assert metrics(at)["Avancement"] == "40\u202f%"
    assert _form_widget(at, "selectbox", "Statut").value is None  # the form starts empty again
    at.switch_page("app_pages/calendrier.py").run()
    at.multiselect(key="cal_statuts").select("Bloqué").run()
    assert metrics(at)["Actions affichées"] == "1"
    with duckdb.connect(str(app_env)) as conn:
        row = status_queries.action_state(conn, 12, date.today())
        assert (row["statut"], row["auteur"], row["commentaire"]) == (
            "Bloqué",
            "Mme A",
            "Attente EN",
        )


def test_review_refusal_is_explained_in_french(app_env):
    at = open_page("app_pages/revue.py", login=_saisie_account(app_env))
    at.button(key="revue_submit").click().run()
    assert any("Rien à enregistrer" in e.value for e in at.error)


def test_review_is_read_only_when_recording_is_disabled(app_env, monkeypatch):
    monkeypatch.setenv("PTLCD_ALLOW_RECORDING", "false")
    at = open_page("app_pages/revue.py")
    assert any("désactivé" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "revue_submit"]


def test_fiche_shows_status_history_at_the_observation_date(app_env):
    record(app_env, 9, date_effet=date(2019, 3, 1), statut="Réalisé", commentaire="Bilan fait")
    at = open_page("app_pages/fiche_action.py", date(2019, 2, 28))
    at.selectbox(key="action_no").select(9).run()
    assert metrics(at)["Statut"] == "En cours"
    assert len(table_having(at, "date_effet", "statut", "enregistre_le")) == 1
    at.date_input(key="as_of").set_value(date(2019, 3, 1)).run()
    assert_clean(at)
    assert metrics(at)["Statut"] == "Réalisé"
    history = table_having(at, "date_effet", "statut", "enregistre_le")
    assert history["statut"].tolist() == ["Réalisé", "En cours"]
    # Only the open tab's table is computed: the engagements once their tab is chosen.
    assert not [d for d in at.dataframe if "niveau" in d.value.columns]
    at.session_state["fiche_suivi"] = "Engagement des territoires"
    at.run()
    engaged = table_having(at, "territoire", "niveau", "source").set_index("territoire")["niveau"]
    assert engaged["Orvault"] == "À engager"
    assert not [d for d in at.dataframe if "statut" in d.value.columns]


@pytest.fixture
def many_territories_env(tmp_path, monkeypatch):
    """The real plan with 12 territories (the review form changes its shape beyond 8)."""
    import shutil

    from tests.helpers import DATA_DIR

    plan = tmp_path / "plan"
    shutil.copytree(DATA_DIR, plan)
    with (plan / "territoires.csv").open("a", encoding="utf-8") as fh:
        for i in range(6, 13):
            fh.write(f"C{i},Commune {i},commune,{i}\n")
    yield from app_on(built(tmp_path / "many.duckdb", plan), monkeypatch)


def test_review_with_many_territories_applies_one_level_to_the_chosen_ones(many_territories_env):
    at = open_page("app_pages/revue.py", login=_saisie_account(many_territories_env))
    territories = _form_widget(at, "multiselect", "Territoires")
    territories.select("C7").select("C9")
    at.button(key="revue_submit").click().run()
    assert any("Choisissez le nouveau niveau" in e.value for e in at.error)
    _form_widget(at, "multiselect", "Territoires").select("C7").select("C9")
    _form_widget(at, "selectbox", "Nouveau niveau").select("Engagée")
    at.button(key="revue_submit").click().run()
    assert_clean(at)
    assert any("2 engagement(s)" in s.value for s in at.success)
    with duckdb.connect(str(many_territories_env)) as conn:
        cells = engagements.engagement_cells(conn, date.today(), actions=(1,))
    engaged = cells.set_index("territoire_code")["niveau"]
    assert engaged["C7"] == engaged["C9"] == "Engagée"
    assert engaged["C8"] == "Non renseignée"


@pytest.fixture
def mini_env(tmp_path, monkeypatch, templates):
    """The app on another contrat de ville's plan, with its demonstration history."""
    yield from app_on(templates.copy("mini_demo", tmp_path / "mini.duckdb"), monkeypatch)


@pytest.mark.parametrize(
    "page",
    [
        "app_pages/avancement.py",
        "app_pages/calendrier.py",
        "app_pages/engagement.py",
        "app_pages/revue.py",
    ],
)
def test_follow_up_pages_work_on_another_plan(mini_env, page):
    at = open_page(page, date(2023, 6, 30))
    assert at.title
    if page == "app_pages/avancement.py":
        assert metrics(at)["Actions"] == "4"
    if page == "app_pages/engagement.py":
        spec, _ = vega_chart(at)
        assert spec["encoding"]["x"]["sort"] == [
            "Villeneuve Agglo",
            "Villeneuve",
            "Bourg-sur-Loire",
        ]


def test_calendar_says_so_when_nothing_matches(app_env):
    at = open_page("app_pages/calendrier.py", date(2018, 1, 1))
    at.multiselect(key="cal_statuts").select("Bloqué").run()
    assert_clean(at)
    assert any("Aucune action ne correspond" in i.value for i in at.info)


def test_progress_before_the_plan_shows_every_action_without_status(app_env):
    at = open_page("app_pages/avancement.py", date(2016, 12, 31))
    fig = figure(at, "avancement_chart")
    assert [t["name"] for t in fig["data"]] == ["Sans statut"]
    assert metrics(at)["En retard"] == "0"  # the plan did not exist yet


def test_review_can_go_through_the_late_actions_only(app_env):
    at = open_page("app_pages/revue.py", date(2019, 1, 1))
    at.toggle(key="revue_retard").set_value(True).run()
    assert_clean(at)
    with duckdb.connect(str(app_env)) as conn:
        etat = status_queries.action_states(conn, date(2019, 1, 1))
    late = etat.loc[etat["en_retard"], "action_no"].tolist()
    assert at.selectbox(key="revue_action").options == [
        f"n° {n} · " + etat.set_index("action_no").loc[n, "action"][:80] for n in late
    ]


def test_review_asks_an_anonymous_visitor_to_log_in_to_record(app_env):
    at = open_page("app_pages/revue.py")
    assert all(b.key != "revue_submit" for b in at.button)
    assert any("connectez-vous" in i.value for i in at.info)


def test_review_refuses_a_reader_account(app_env):
    from ptlcd_data.access import accounts

    with store.connect(app_env) as conn:
        accounts.add_user(conn, auth.SYSTEM, "elu", "Élu", "lecture", "mot-de-passe-de-l-elu")
    at = open_page("app_pages/revue.py", login="elu")
    assert all(b.key != "revue_submit" for b in at.button)


def test_review_shows_the_indicators_of_the_action_objective(app_env):
    from ptlcd_data.demo import indicateurs as demo_indicateurs

    with store.connect(app_env) as conn:
        with store.transaction(conn):
            demo_indicateurs.generate(conn)
    at = open_page("app_pages/revue.py")
    at.selectbox(key="revue_action").select(16).run()  # objective 4.1: two indicators
    assert_clean(at)
    labels = [e.label for e in at.expander]
    assert "Indicateurs de l'objectif (valeurs, cibles, alertes)" in labels
    assert not [d for d in at.dataframe if "Avancement" in d.value.columns]  # drawn when opened
    at.session_state["revue_indicateurs_ouverts"] = True
    at.run()
    assert_clean(at)
    assert len(table_having(at, "Avancement")) > 0
    shown = " ".join(m.value for m in at.markdown) + " ".join(s.value for s in at.subheader)
    assert "collégiens" in shown or "Taux de collégiens" in shown


def test_engagement_matrix_is_bounded_when_there_are_many_territories(sixty_territories_env):
    at = open_page("app_pages/engagement.py")
    open_view(at, "eng_vue", "Le tableau")
    chosen = at.multiselect(key="eng_territoires")
    assert len(chosen.value) == 30

    def matrix_columns() -> int:
        return next(len(d.value.columns) for d in at.dataframe if "action" in d.value.columns)

    assert matrix_columns() == 3 + 30  # action_no, axe, action + the territories shown
    assert any("60 territoires" in c.value for c in at.caption)
    chosen.unselect(chosen.value[0]).run()
    assert matrix_columns() == 3 + 29
