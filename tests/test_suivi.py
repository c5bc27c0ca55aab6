"""Follow-up against real DuckDB files: initial state, time travel, review-mode writes, totals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.build import build
from ptlcd_data.errors import InputError, PermissionDenied, PlanDataError
from ptlcd_data.suivi import engagements, saisie, status_queries
from ptlcd_data.vocabulary import NIVEAU_AUCUN, NIVEAUX_AFFICHES, SANS_STATUT, STATUTS_AFFICHES
from tests.helpers import DATA_DIR, MINI_PLAN
from tests.helpers.spec import EXPORT_STATUS_COLUMNS

SAISIE = auth.User("mme.a", "Mme A", "saisie")
LECTURE = auth.User("m.b", "M. B", "lecture")
TODAY = date(2024, 3, 15)


def _review(conn, action_no: int, *, user: auth.User = SAISIE, **fields) -> dict:
    """Record what the GOLD decided for `action_no`, as of TODAY (review mode)."""
    return saisie.enregistrer_revue(conn, user, action_no, today=TODAY, **fields)


def _statut(conn, action_no, as_of):
    return status_queries.action_state(conn, action_no, as_of)["statut"]


def _niveau(conn, action_no, code, as_of):
    cells = engagements.engagement_cells(conn, as_of, actions=(action_no,))
    return cells.loc[cells["territoire_code"] == code, "niveau"].iloc[0]


def _count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- initial state from the plan's remarks -------------------------------------------------


@pytest.mark.parametrize(
    ("action_no", "statut", "why"),
    [
        (9, "En cours", "« Engagé »"),
        (19, "En cours", "« Engagé et à renforcer »"),
        (8, "À venir", "Première étape à engager"),
        (7, "À discuter", "« À valider »"),
        (2, SANS_STATUT, None),
    ],
)
def test_initial_statuses_come_from_the_plan_remarks(conn, action_no, statut, why):
    row = status_queries.action_state(conn, action_no, date(2017, 7, 1))
    assert row["statut"] == statut
    if why:
        assert why in row["commentaire"]
        assert row["source"] == "plan 2017 (document de travail)"
        assert row["date_dernier"] == date(2017, 7, 1)


def test_initial_state_does_not_exist_before_the_plan_date(conn):
    assert _statut(conn, 9, date(2017, 6, 30)) == SANS_STATUT
    assert _niveau(conn, 9, "NM", date(2017, 6, 30)) == NIVEAU_AUCUN


@pytest.mark.parametrize(
    ("code", "niveau"),
    [("NM", "Engagée"), ("NANTES", "Engagée"), ("ORVAULT", "À engager")],
)
def test_initial_engagements_come_from_the_territory_cells(conn, code, niveau):
    assert _niveau(conn, 9, code, date(2017, 7, 1)) == niveau
    assert _niveau(conn, 1, code, date(2017, 7, 1)) == NIVEAU_AUCUN


def test_initial_state_of_another_plan_uses_its_own_date_and_mapping(mini_conn):
    row = status_queries.action_state(mini_conn, 2, date(2020, 3, 1))
    assert row["statut"] == "À discuter"
    assert row["source"] == "plan 2020 (document de travail)"
    assert _niveau(mini_conn, 1, "AGGLO", date(2020, 3, 1)) == "Engagée"
    assert _niveau(mini_conn, 2, "VN", date(2020, 3, 1)) == "Engagée"
    assert _niveau(mini_conn, 3, "BOURG", date(2020, 3, 1)) == "Engagée"


def test_rebuilding_keeps_user_records_and_does_not_duplicate_the_initial_state(conn, db_path):
    saisie.enregistrer_revue(conn, SAISIE, 10, statut="En cours", today=TODAY)
    before = (_count(conn, "statut_record"), _count(conn, "engagement_record"))
    build(conn, DATA_DIR, demo=False)
    assert (_count(conn, "statut_record"), _count(conn, "engagement_record")) == before
    assert _statut(conn, 10, TODAY) == "En cours"


def _plan_copy(tmp_path: Path, mapping: str) -> Path:
    target = tmp_path / "plan"
    target.mkdir()
    for f in MINI_PLAN.glob("*.csv"):
        (target / f.name).write_bytes(f.read_bytes())
    (target / "suivi_initial.csv").write_text(mapping, encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("statut,observations,a valider,Fini,", "ligne 2, colonne valeur : « Fini »"),
        ("statut,porteur,a valider,En cours,", "ligne 2, colonne colonne : « porteur »"),
        ("engagement,territoire,oui,Engagé,", "ligne 2, colonne valeur : « Engagé »"),
        ("avis,territoire,oui,Engagée,", "ligne 2, colonne type : « avis »"),
        ("statut,observations,a valider,En cours,120", "ligne 2, colonne avancement"),
    ],
)
def test_a_wrong_mapping_line_is_named_in_french(tmp_path, line, message):
    plan = _plan_copy(tmp_path, "type,colonne,motif,valeur,avancement\n" + line + "\n")
    with store.connect(tmp_path / "x.duckdb") as c, pytest.raises(PlanDataError) as err:
        build(c, plan, demo=False)
    assert message in err.value.message


def test_a_plan_without_mapping_starts_without_statuses(tmp_path):
    plan = _plan_copy(tmp_path, "")
    (plan / "suivi_initial.csv").unlink()
    with store.connect(tmp_path / "x.duckdb") as c:
        build(c, plan, demo=False)
        assert _count(c, "statut_record") == 0


def test_mapping_matches_whole_words_without_accents(tmp_path):
    plan = _plan_copy(
        tmp_path,
        "type,colonne,motif,valeur,avancement\nstatut,observations,A VALIDER,À discuter,20\n"
        "statut,observations,valid,En cours,\n",
    )
    with store.connect(tmp_path / "x.duckdb") as c:
        build(c, plan, demo=False)
        row = status_queries.action_state(c, 2, date(2021, 1, 1))
        assert (row["statut"], row["avancement"]) == ("À discuter", 20)
        assert _count(c, "statut_record") == 1  # "valid" is not a whole word of "À valider"


# --- time travel ---------------------------------------------------------------------------


def test_status_change_shows_from_its_date_d_effet(conn):
    _review(conn, 10, date_effet=date(2019, 5, 10), statut="En cours", avancement=30)
    assert _statut(conn, 10, date(2019, 5, 9)) == SANS_STATUT
    on = status_queries.action_state(conn, 10, date(2019, 5, 10))
    assert (on["statut"], on["avancement"]) == ("En cours", 30)
    assert _statut(conn, 10, date(2019, 5, 11)) == "En cours"


def test_engagement_change_shows_from_its_date_d_effet(conn):
    _review(conn, 9, date_effet=date(2019, 5, 10), engagements={"ORVAULT": "Engagée"})
    assert _niveau(conn, 9, "ORVAULT", date(2019, 5, 9)) == "À engager"
    assert _niveau(conn, 9, "ORVAULT", date(2019, 5, 10)) == "Engagée"
    assert _niveau(conn, 9, "ORVAULT", date(2020, 1, 1)) == "Engagée"


def test_history_at_a_date_leaves_out_later_records(conn):
    saisie.enregistrer_revue(
        conn, SAISIE, 9, date_effet=date(2019, 1, 1), statut="Réalisé", today=TODAY
    )
    assert len(status_queries.status_history(conn, 9, date(2018, 12, 31))) == 1
    hist = status_queries.status_history(conn, 9, date(2019, 1, 1))
    assert hist["statut"].tolist() == ["Réalisé", "En cours"]
    assert hist["auteur"].iloc[0] == "mme.a"  # no account of that login: the login is shown


def test_same_day_records_the_latest_recorded_wins(conn):
    for statut in ("En pause", "Bloqué"):
        saisie.enregistrer_revue(
            conn, SAISIE, 9, date_effet=date(2019, 1, 1), statut=statut, today=TODAY
        )
    assert _statut(conn, 9, date(2019, 1, 1)) == "Bloqué"


def test_avancement_is_carried_until_changed_and_realise_means_100(conn):
    rec = saisie.enregistrer_revue
    rec(
        conn, SAISIE, 10, date_effet=date(2019, 1, 1), statut="En cours", avancement=40, today=TODAY
    )
    rec(conn, SAISIE, 10, date_effet=date(2019, 6, 1), statut="En pause", today=TODAY)
    assert status_queries.action_state(conn, 10, date(2019, 6, 1))["avancement"] == 40
    rec(conn, SAISIE, 10, date_effet=date(2020, 1, 1), statut="Réalisé", today=TODAY)
    row = status_queries.action_state(conn, 10, date(2020, 1, 1))
    assert row["avancement"] == 100
    assert row["debut_reel"] == date(2019, 1, 1) and row["fin_reelle"] == date(2020, 1, 1)
    assert int(row["glissement_fin_mois"]) == 12  # planned end 31/12/2018


def test_lateness_changes_with_the_observation_date(conn):
    # Action 10 is planned for 2018 and has no status.
    assert not status_queries.action_state(conn, 10, date(2018, 6, 1))["en_retard"]
    assert status_queries.action_state(conn, 10, date(2019, 1, 1))["en_retard"]


# --- review-mode writes --------------------------------------------------------------------


def test_review_record_is_written_with_who_and_a_journal_entry(conn):
    rev = store.revision(conn)
    written = _review(
        conn,
        12,
        statut="En cours",
        avancement=25,
        commentaire="Décidé en GOLD",
        engagements={"NANTES": "Engagée", "REZE": "Non concernée"},
    )
    assert written == {"statut": 1, "engagements": 2}
    assert store.revision(conn) == rev + 1
    row = conn.execute(
        "SELECT date_effet, auteur, source, commentaire, enregistre_le IS NOT NULL, demo "
        "FROM statut_record WHERE action_no = 12"
    ).fetchone()
    assert row == (TODAY, "mme.a", "revue GOLD", "Décidé en GOLD", True, False)
    log = journal.entries(conn, operation="revue")
    assert log["objet"].tolist() == ["action 12"]
    assert '"NANTES": "Engagée"' in log["nouveau"].iloc[0]


def test_review_records_store_the_login_and_show_the_account_name(conn):
    from ptlcd_data.access import accounts
    from ptlcd_data.synthese import tables

    accounts.add_user(conn, auth.SYSTEM, "mme.a", "Mme A", "saisie", "mot-de-passe-de-mme-a")
    elu = auth.User("elu@ville.fr", "Élu de la ville", "saisie")  # OpenID Connect, no account
    _review(
        conn,
        12,
        date_effet=date(2019, 5, 2),
        statut="En cours",
        commentaire="Décidé en GOLD",
        engagements={"NANTES": "Engagée"},
    )
    _review(conn, 13, date_effet=date(2019, 6, 3), statut="En cours", commentaire="Vu", user=elu)
    stored = conn.execute(
        "SELECT auteur FROM statut_record WHERE source = 'revue GOLD' UNION ALL "
        "SELECT auteur FROM engagement_record WHERE source = 'revue GOLD' ORDER BY 1"
    ).fetchall()
    assert stored == [("elu@ville.fr",), ("mme.a",), ("mme.a",)]  # as the journal has them
    assert sorted(journal.entries(conn, operation="revue")["auteur"]) == ["elu@ville.fr", "mme.a"]
    assert status_queries.status_history(conn, 12, TODAY)["auteur"].iloc[0] == "Mme A"
    assert status_queries.action_state(conn, 12, TODAY)["auteur"] == "Mme A"
    assert engagements.engagement_history(conn, 12, TODAY)["auteur"].iloc[0] == "Mme A"
    assert status_queries.action_state(conn, 13, TODAY)["auteur"] == "elu@ville.fr"
    comments, _ = tables.table_commentaires(conn, date(2019, 1, 1), date(2019, 12, 31))
    assert set(comments["Auteur"]) == {"Mme A", "elu@ville.fr"}


def test_a_comment_alone_keeps_the_current_status(conn):
    saisie.enregistrer_revue(conn, SAISIE, 9, commentaire="Point fait", today=TODAY)
    row = status_queries.action_state(conn, 9, TODAY)
    assert (row["statut"], row["commentaire"]) == ("En cours", "Point fait")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Rien à enregistrer"),
        ({"statut": "Fini"}, "Statut « Fini » inconnu"),
        ({"avancement": 120, "statut": "En cours"}, "Avancement 120 %"),
        ({"date_effet": date(2024, 3, 16), "statut": "En cours"}, "dans le futur"),
        ({"engagements": {"XX": "Engagée"}}, "Territoire « XX »"),
        ({"engagements": {"NM": "Oui"}}, "Niveau d'engagement « Oui »"),
        ({"commentaire": "sans statut"}, "pas encore de statut"),
        ({"commentaire": "x" * 2001, "statut": "En cours"}, "Commentaire trop long"),
    ],
)
def test_refused_review_records_write_nothing(conn, kwargs, message):
    before = (_count(conn, "statut_record"), _count(conn, "engagement_record"))
    with pytest.raises(InputError) as err:
        saisie.enregistrer_revue(conn, SAISIE, 10, today=TODAY, **kwargs)
    assert message in err.value.message
    assert (_count(conn, "statut_record"), _count(conn, "engagement_record")) == before


def test_recording_requires_the_saisie_role(conn):
    with pytest.raises(PermissionDenied):
        saisie.enregistrer_revue(conn, LECTURE, 9, statut="Réalisé", today=TODAY)
    assert _statut(conn, 9, TODAY) == "En cours"


def test_review_record_is_all_or_nothing(conn, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("panne au milieu de l'écriture")

    before = (_count(conn, "statut_record"), _count(conn, "engagement_record"))
    monkeypatch.setattr(journal, "log", crash)
    with pytest.raises(RuntimeError):
        saisie.enregistrer_revue(
            conn, SAISIE, 9, statut="Réalisé", engagements={"NM": "Réalisée"}, today=TODAY
        )
    assert (_count(conn, "statut_record"), _count(conn, "engagement_record")) == before


def test_a_record_survives_closing_the_database(db_path):
    with store.connect(db_path) as c:
        saisie.enregistrer_revue(c, SAISIE, 10, statut="Bloqué", today=TODAY)
    with store.connect(db_path) as c:
        assert _statut(c, 10, TODAY) == "Bloqué"


# --- aggregations --------------------------------------------------------------------------


def test_synthesis_by_axis_adds_up(conn):
    saisie.enregistrer_revue(conn, SAISIE, 33, statut="Réalisé", today=TODAY)
    df = status_queries.progress_by_axis(conn, TODAY)
    plan = df[df["echelle"] == "plan"].iloc[0]
    assert plan["nb_actions"] == 34
    assert sum(plan[s] for s in STATUTS_AFFICHES) == 34
    assert plan["Réalisé"] == 1
    assert plan["part_realise"] == pytest.approx(100 / 34)
    axes = df[df["echelle"] == "axe"]
    assert axes["nb_actions"].sum() == 34
    objectifs = df[df["echelle"] == "objectif"]
    assert objectifs["nb_actions"].sum() == 34
    assert axes.loc[axes["axe_no"] == 5, "Réalisé"].iloc[0] == 1


def test_status_mix_at_each_year_end(conn):
    saisie.enregistrer_revue(
        conn, SAISIE, 10, date_effet=date(2019, 5, 1), statut="En cours", today=TODAY
    )
    df = status_queries.status_counts_by_year_end(conn, date(2020, 2, 1))
    totals = df.groupby("jour")["nb"].sum()
    assert set(totals) == {34}
    assert [d.date() for d in totals.index] == [
        date(2017, 12, 31),
        date(2018, 12, 31),
        date(2019, 12, 31),
        date(2020, 2, 1),
    ]
    en_cours = df[df["statut"] == "En cours"].set_index("jour")["nb"]
    assert en_cours.iloc[2] == en_cours.iloc[1] + 1


def test_engagement_matrix_and_totals(conn):
    as_of = date(2018, 1, 1)
    matrix = engagements.engagement_matrix(conn, as_of)
    assert matrix.shape == (34, 3 + 5)
    assert list(matrix.columns[3:]) == [
        "Nantes Métropole",
        "Nantes",
        "Rezé",
        "Saint-Herblain",
        "Orvault",
    ]
    assert matrix.loc[matrix["action_no"] == 9, "Orvault"].iloc[0] == "À engager"
    per_terr = engagements.engagement_by_territory(conn, as_of)
    assert (per_terr[list(NIVEAUX_AFFICHES)].sum(axis=1) == 34).all()
    assert per_terr.set_index("territoire").loc["Nantes", "engagees"] == 1
    per_axe = engagements.engagement_by_axis(conn, as_of)
    assert per_axe["nb_actions"].sum() == 34
    assert per_axe.set_index("axe_no").loc[2, "Nantes"] == 1  # action 9 is in axis 2
    only_axis_1 = engagements.engagement_matrix(conn, as_of, axes=(1,))
    assert set(only_axis_1["axe"]) == {"Connaître"}


def test_filters_of_the_follow_up_table(conn):
    saisie.enregistrer_revue(
        conn, SAISIE, 12, statut="Bloqué", engagements={"REZE": "Engagée"}, today=TODAY
    )
    df = status_queries.action_states(conn, TODAY, statuts=("Bloqué",))
    assert df["action_no"].tolist() == [12]
    reze = status_queries.action_states(conn, TODAY, territoire="REZE")
    assert set(reze["action_no"]) == {9, 12}
    orvault = status_queries.action_states(conn, TODAY, territoire="ORVAULT")
    assert orvault["action_no"].tolist() == [9]  # "À engager" counts, "Non renseignée" does not


def test_export_status_columns_are_exactly_the_issue_s(conn):
    df = status_queries.export_status(conn, TODAY)
    assert list(df.columns) == EXPORT_STATUS_COLUMNS
    assert len(df) == 34


def test_follow_up_works_on_another_plan(mini_conn):
    as_of = date(2022, 1, 1)
    df = status_queries.action_states(mini_conn, as_of)
    assert df["action_no"].tolist() == [1, 2, 3, 4]
    late = df.set_index("action_no")["en_retard"]
    assert late[1]  # "Dès 2020", still without a status in 2022
    assert late[3]  # annual, no record in 2022
    assert not late[4]  # no calendar
    assert engagements.engagement_matrix(mini_conn, as_of).shape == (4, 6)


def test_engagement_download_holds_every_territory(conn):
    import io

    from python_calamine import CalamineWorkbook

    from ptlcd_data.suivi import engagements

    data = engagements.engagement_matrix_file(conn, date(2020, 1, 1), "xlsx")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Engagement").to_python()
    )
    assert len(rows) == 1 + 34
    assert rows[0][3:] == ["Nantes Métropole", "Nantes", "Rezé", "Saint-Herblain", "Orvault"]
