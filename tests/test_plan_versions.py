"""Dated versions of the plan: before, on and after an edit, every question sees the plan of its date."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date, timedelta

import pytest

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.build import build
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import edits, publishing, queries, version_diff, versions
from ptlcd_data.plan.versions import PlanChange
from ptlcd_data.suivi import engagements, status_queries
from ptlcd_data.synthese import model
from tests.helpers import DATA_DIR, run_cli

ADMIN = auth.User("chef", "Chef de projet", "admin")
SAISIE = auth.User("mme.a", "Mme A", "saisie")
EDIT = date(2020, 3, 1)
BEFORE, AFTER = EDIT - timedelta(days=1), EDIT + timedelta(days=400)


def _publish(conn, *changes: PlanChange, day: date = EDIT, user: auth.User = ADMIN) -> int:
    return publishing.publish(
        conn, list(changes), date_effet=day, user=user, motif="Décision du GOLD"
    )


def _edit(conn, no: int, **fields) -> PlanChange:
    current = versions.snapshot(conn, EDIT).actions[no]
    return PlanChange("action", no, "modification", {f: (current[f], v) for f, v in fields.items()})


def _retire(conn, no: int) -> PlanChange:
    current = versions.snapshot(conn, EDIT).actions[no]
    return PlanChange("action", no, "retrait", {f: (v, None) for f, v in current.items()})


def _versions(conn) -> int:
    return conn.execute(
        "SELECT (SELECT count(*) FROM action) + (SELECT count(*) FROM objectif) "
        "+ (SELECT count(*) FROM territoire) + (SELECT count(*) FROM porteur)"
    ).fetchone()[0]


def test_the_plan_is_version_1_dated_by_date_plan(conn):
    history = versions.history(conn, "action", 9)
    assert history[["auteur", "motif"]].values.tolist() == [
        ["transcription", "Transcription du document de travail"]
    ]
    assert history["date_effet"].dt.date.tolist() == [date(2017, 7, 1)]
    assert version_diff.diff(versions.snapshot(conn), versions.snapshot(conn)) == []


def test_a_reworded_action_shows_its_old_wording_before_the_edit(conn):
    old = queries.action_detail(conn, 9, as_of=BEFORE)["libelle"]
    assert _publish(conn, _edit(conn, 9, libelle="Animer le GOLD chaque trimestre")) == 1
    assert queries.action_detail(conn, 9, as_of=BEFORE)["libelle"] == old
    for day in (EDIT, AFTER):
        assert queries.action_detail(conn, 9, as_of=day)["libelle"] == (
            "Animer le GOLD chaque trimestre"
        )
        etat = status_queries.action_states(conn, day, actions=(9,))
        assert etat["action"].tolist() == ["Animer le GOLD chaque trimestre"]
    assert status_queries.action_states(conn, BEFORE, actions=(9,))["action"].tolist() == [old]
    exported = queries.plan_export(conn, BEFORE).set_index("action_no")
    assert exported.loc[9, "action"] == old
    history = versions.history(conn, "action", 9)
    assert history["libelle"].tolist() == [old, "Animer le GOLD chaque trimestre"]
    assert history["motif"].tolist()[-1] == "Décision du GOLD"


def test_a_retired_action_is_absent_from_its_retirement_and_present_before(demo_conn):
    conn = demo_conn
    _publish(conn, _retire(conn, 10))
    for day, present in ((BEFORE, True), (EDIT, False), (AFTER, False)):
        assert (10 in status_queries.action_states(conn, day)["action_no"].tolist()) is present
        plan_row = status_queries.progress_by_axis(conn, day).iloc[-1]
        assert int(plan_row["nb_actions"]) == (34 if present else 33)
        cells = engagements.engagement_cells(conn, day)
        assert (10 in cells["action_no"].tolist()) is present
        calendar = status_queries.calendar_actions(conn, day)
        assert (10 in calendar["action_no"].tolist()) is present
        assert (10 in queries.action_numbers(conn, as_of=day)) is present
        assert (queries.action_detail(conn, 10, as_of=day) is not None) is present
    # The annual summary reads the plan of its observation date (31 December of its year).
    for year, present in ((2019, True), (2020, False)):
        s = model.synthese_annuelle(conn, year, date(2024, 1, 1))
        assert int(s.chiffre("Actions du plan")) == (34 if present else 33)
    # Year-end evolution: each year end counts the plan of that day.
    evolution = status_queries.status_counts_by_year_end(conn, AFTER)
    totals = evolution.groupby("jour")["nb"].sum()
    assert totals[totals.index < EDIT.isoformat()].eq(34).all()
    assert totals[totals.index >= EDIT.isoformat()].eq(33).all()
    # Its whole history stays.
    assert versions.history(conn, "action", 10)["retire"].tolist() == [False, True]


def test_a_moved_action_counts_in_its_old_objective_before_and_its_new_one_after(conn):
    assert versions.snapshot(conn).actions[9]["objectif_code"] == "2.1"

    def counts(day: date) -> dict[str, int]:
        rows = status_queries.progress_by_axis(conn, day)
        rows = rows[rows["echelle"] == "objectif"]
        return dict(zip(rows["objectif_code"], rows["nb_actions"].astype(int), strict=True))

    def shape(day: date) -> dict[str, int]:
        return {r["objectif_code"]: r["nb_actions"] for r in queries.plan_shape(conn, day)}

    before_counts = counts(BEFORE)
    _publish(conn, _edit(conn, 9, objectif_code="1.2"))
    assert counts(BEFORE) == before_counts
    assert shape(BEFORE)["2.1"] == before_counts["2.1"]
    for day in (EDIT, AFTER):
        moved = counts(day)
        assert moved["2.1"] == before_counts["2.1"] - 1
        assert moved["1.2"] == before_counts["1.2"] + 1
        assert shape(day)["1.2"] == before_counts["1.2"] + 1
        etat = status_queries.action_states(conn, day, actions=(9,)).iloc[0]
        assert (etat["objectif_code"], int(etat["axe_no"])) == ("1.2", 1)
    etat = status_queries.action_states(conn, BEFORE, actions=(9,)).iloc[0]
    assert (etat["objectif_code"], int(etat["axe_no"])) == ("2.1", 2)
    assert 9 in [r["action_no"] for r in queries.actions_list(conn, axes=[2], as_of=BEFORE)]
    assert 9 not in [r["action_no"] for r in queries.actions_list(conn, axes=[2], as_of=AFTER)]


def test_a_new_calendar_changes_lateness_from_its_date_only(conn):
    # Action 3: "2018" in the plan, so late once 2018 is over.
    assert versions.snapshot(conn).actions[3]["calendrier"] == "2018"
    _publish(conn, _edit(conn, 3, calendrier="2025"))

    def late(day: date) -> bool:
        return bool(status_queries.action_state(conn, 3, day)["en_retard"])

    assert late(BEFORE)
    assert not late(EDIT) and not late(AFTER)
    assert status_queries.action_state(conn, 3, AFTER)["fin_prevue"] == date(2025, 12, 31)


def test_territories_and_porteurs_of_an_action_are_versioned(conn):
    snap = versions.snapshot(conn)
    territoires = dict(snap.actions[9]["territoires"])
    territoires["ORVAULT"] = "oui"
    porteurs = tuple(sorted({*snap.actions[9]["porteurs"], "MDE"}))
    _publish(conn, _edit(conn, 9, territoires=territoires, porteurs=porteurs))
    assert versions.snapshot(conn, BEFORE).actions[9]["territoires"]["ORVAULT"] == "À déf."
    assert versions.snapshot(conn, AFTER).actions[9]["territoires"]["ORVAULT"] == "oui"
    assert "MDE" not in versions.snapshot(conn, BEFORE).actions[9]["porteurs"]
    assert "MDE" in versions.snapshot(conn, AFTER).actions[9]["porteurs"]
    texts = queries.action_territoires_plan(conn, 9, as_of=AFTER).set_index("code")["texte"]
    assert texts["ORVAULT"] == "oui"
    assert (
        "Maison de l'emploi" in (queries.action_detail(conn, 9, as_of=AFTER)["porteurs_libelles"])
    )


def test_a_new_action_number_never_reuses_a_retired_one(conn):
    assert versions.next_action_no(conn) == 35
    _publish(conn, _retire(conn, 34))
    assert versions.next_action_no(conn) == 35
    new = versions.snapshot(conn).actions[1] | {"libelle": "Nouvelle action", "porteurs": ()}
    with pytest.raises(InputError, match="35 ou plus"):
        _publish(conn, PlanChange("action", 34, "ajout", {f: (None, v) for f, v in new.items()}))
    _publish(conn, PlanChange("action", 35, "ajout", {f: (None, v) for f, v in new.items()}))
    assert versions.next_action_no(conn) == 36
    assert 35 not in queries.action_numbers(conn, as_of=BEFORE)
    assert 35 in queries.action_numbers(conn, as_of=AFTER)


def test_publish_checks_the_role_at_write_time_and_writes_nothing_when_refused(conn):
    count, revision = _versions(conn), store.revision(conn)
    with pytest.raises(PermissionDenied):
        _publish(conn, _edit(conn, 9, libelle="Autre"), user=SAISIE)
    assert (_versions(conn), store.revision(conn)) == (count, revision)
    assert publishing.publish(conn, [], date_effet=EDIT, user=SAISIE, motif="") == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: _edit(c, 9, objectif_code="9.9"), "objectif « 9.9 » n'est pas dans le plan"),
        (lambda c: _edit(c, 9, territoires={"LYON": "oui"}), "territoire(s) absent(s)"),
        (lambda c: _edit(c, 9, porteurs=("INCONNU",)), "porteur(s) absent(s)"),
        (lambda c: _edit(c, 9, libelle="  "), "libellé est vide"),
        (lambda c: _edit(c, 9, calendrier="un jour peut-être"), "Action n° 9"),
        (
            lambda c: PlanChange("objectif", "2.1", "retrait", {"libelle": ("x", None)}),
            "objectif « 2.1 » n'est pas dans le plan",
        ),
        (
            lambda c: PlanChange(
                "objectif", "6.1", "ajout", {"axe_no": (None, 6), "libelle": (None, "x")}
            ),
            "l'axe 6 n'est pas dans le plan",
        ),
        (
            lambda c: PlanChange("action", 99, "modification", {"libelle": (None, "x")}),
            "rien à modifier",
        ),
        (
            lambda c: PlanChange("objectif", "1.1", "ajout", {"libelle": (None, "x")}),
            "existe déjà",
        ),
    ],
)
def test_publish_refuses_bad_references_and_writes_nothing(conn, change, message):
    count, revision = _versions(conn), store.revision(conn)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _publish(conn, change(conn))
    assert (_versions(conn), store.revision(conn)) == (count, revision)


def test_publish_refuses_a_missing_motif_and_journals_each_change(conn):
    with pytest.raises(InputError, match="motif"):
        publishing.publish(
            conn, [_edit(conn, 9, libelle="X")], date_effet=EDIT, user=ADMIN, motif=" "
        )
    revision = store.revision(conn)
    _publish(conn, _edit(conn, 9, libelle="X"), _retire(conn, 10))
    assert store.revision(conn) == revision + 1
    entries = journal.entries(conn, operation=publishing.OPERATION)
    assert len(entries) == 2
    assert "Action n° 10" in " ".join(entries["objet"])


def test_an_edit_effective_later_does_not_change_today(conn):
    future = date.today() + timedelta(days=30)
    old = versions.snapshot(conn).actions[9]["libelle"]
    _publish(conn, _edit(conn, 9, libelle="Plus tard"), day=future)
    assert versions.snapshot(conn).actions[9]["libelle"] == old
    assert versions.snapshot(conn, future).actions[9]["libelle"] == "Plus tard"


def test_retired_indicator_leaves_the_catalogue_from_its_date(conn):
    snap = versions.snapshot(conn)
    item = snap.indicateurs["I1.1.b"]
    _publish(
        conn, PlanChange("indicateur", "I1.1.b", "retrait", {f: (v, None) for f, v in item.items()})
    )
    assert "I1.1.b" in valeurs.catalogue(conn, BEFORE)["code"].tolist()
    assert "I1.1.b" not in valeurs.catalogue(conn, AFTER)["code"].tolist()
    assert "I1.1.b" not in queries.indicateurs_of_objectif(conn, "1.1", AFTER)["code"].tolist()


def test_init_records_what_changed_in_the_data_files_as_a_new_version(tmp_path, conn):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    plan = data / "plan.csv"
    text = plan.read_text(encoding="utf-8")
    old = versions.snapshot(conn).actions[9]["libelle"]
    plan.write_text(text.replace(old, "Faire vivre le GOLD"), encoding="utf-8")
    # An edit made in the app to another action is kept by init.
    _publish(conn, _edit(conn, 10, libelle="Séminaire annuel"))
    count = _versions(conn)
    build(conn, data, demo=False)
    assert _versions(conn) == count + 1
    history = versions.history(conn, "action", 9)
    assert history[["auteur", "motif"]].values.tolist()[-1] == [
        "init",
        "Fichiers du plan modifiés : plan.csv",
    ]
    assert history["date_effet"].dt.date.tolist()[-1] == date.today()
    assert versions.snapshot(conn, date.today() - timedelta(days=1)).actions[9]["libelle"] == old
    assert versions.snapshot(conn).actions[9]["libelle"] == "Faire vivre le GOLD"
    assert versions.snapshot(conn).actions[10]["libelle"] == "Séminaire annuel"
    # The same files again change nothing.
    build(conn, data, demo=False)
    assert _versions(conn) == count + 1


def test_the_mini_plan_takes_an_edit(mini_conn):
    snap = versions.snapshot(mini_conn)
    after = dataclasses.replace(
        snap, actions={**snap.actions, 2: snap.actions[2] | {"libelle": "Enquête refaite"}}
    )
    changes = version_diff.diff(snap, after)
    assert [(c.entity, c.key, c.kind, list(c.fields)) for c in changes] == [
        ("action", 2, "modification", ["libelle"])
    ]
    assert _publish(mini_conn, *changes, day=date(2022, 1, 1)) == 1
    assert (
        queries.action_detail(mini_conn, 2, as_of=date(2021, 12, 31))["libelle"]
        != "Enquête refaite"
    )
    assert (
        queries.action_detail(mini_conn, 2, as_of=date(2022, 1, 1))["libelle"] == "Enquête refaite"
    )


def test_export_plan_as_of_writes_the_plan_of_that_date(tmp_path, db_path):
    with store.connect(db_path) as conn:
        old = versions.snapshot(conn).actions[9]["libelle"]
        _publish(conn, _edit(conn, 9, libelle="Animer le GOLD"), _retire(conn, 10))
    for day, wording, rows in (("2019-12-31", old, 34), ("2021-01-01", "Animer le GOLD", 33)):
        out = tmp_path / f"plan_{day}.csv"
        done = run_cli(
            "--db",
            str(db_path),
            "export",
            "plan",
            "--format",
            "csv",
            "-o",
            str(out),
            "--as-of",
            day,
        )
        assert done.returncode == 0, done.stderr
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) == rows + 1
        assert any(line.startswith("9;") and wording in line for line in lines)


def test_an_actions_history_says_each_version_field_by_field_in_french(conn):
    _publish(
        conn, _edit(conn, 9, libelle="Animer le GOLD chaque trimestre", porteurs=("VILLE_NANTES",))
    )
    _publish(conn, _retire(conn, 9), day=date(2021, 1, 1))
    shown = edits.item_history(conn, "action", 9)
    assert shown.columns.tolist() == edits.HISTORY_COLUMNS
    assert shown["date_effet"].tolist() == ["01/07/2017", "01/03/2020", "01/01/2021"]
    assert shown["changement"].tolist() == ["création", "modification", "retrait"]
    assert shown["auteur"].tolist() == ["transcription", "chef", "chef"]
    assert shown["motif"].tolist()[1:] == ["Décision du GOLD", "Décision du GOLD"]
    old = versions.snapshot(conn, BEFORE).actions[9]
    detail = shown["detail"][1]
    assert f"Libellé : {old['libelle']} → Animer le GOLD chaque trimestre" in detail
    assert "Codes porteurs : " in detail and "→ VILLE_NANTES" in detail
    assert "Calendrier" not in detail  # unchanged fields are not listed
    assert re.fullmatch(r"\d\d/\d\d/\d{4} à \d\d:\d\d", shown["enregistre_le"][2]), shown


def test_the_history_of_an_unknown_item_is_empty(conn):
    assert edits.item_history(conn, "action", 999).empty


def test_later_versions_names_the_items_a_later_version_will_override_again(conn):
    later, earlier = date(2027, 1, 1), date(2026, 12, 2)
    _publish(conn, _edit(conn, 9, libelle="Version de 2027"), day=later)
    _publish(conn, _edit(conn, 9, libelle="Version de 2028"), day=date(2028, 1, 1))
    changes = [_edit(conn, 9, libelle="Version de décembre"), _edit(conn, 10, libelle="Autre")]
    found = versions.later_versions(conn, changes, earlier)
    assert found == [versions.LaterVersion("action", 9, later)]  # the first later date only
    assert edits.later_warnings(conn, changes, earlier) == [
        "Action 9 : une version datée du 01/01/2027 existe déjà ; elle s'appliquera de nouveau "
        "à partir de cette date."
    ]
    # A version dated on that day or before it is not "later".
    assert versions.later_versions(conn, changes, date(2028, 1, 1)) == []
    assert versions.later_versions(conn, [], earlier) == []
    # Publishing is still allowed; the 2027 version applies again from its own date.
    assert _publish(conn, changes[0], day=earlier) == 1
    assert versions.snapshot(conn, earlier).actions[9]["libelle"] == "Version de décembre"
    assert versions.snapshot(conn, later).actions[9]["libelle"] == "Version de 2027"


def test_later_versions_sees_objectives_indicators_and_retirements(mini_conn):
    snap = versions.snapshot(mini_conn, date(2024, 1, 1))
    objective = PlanChange(
        "objectif", "1.1", "modification", {"libelle": (snap.objectifs["1.1"]["libelle"], "x")}
    )
    indicator = PlanChange(
        "indicateur", "E2", "retrait", {f: (v, None) for f, v in snap.indicateurs["E2"].items()}
    )
    _publish(mini_conn, objective, day=date(2025, 6, 1))
    _publish(mini_conn, indicator, day=date(2025, 9, 1))
    unit = PlanChange("indicateur", "E2", "modification", {"unite": ("nombre", "jours")})
    found = versions.later_versions(mini_conn, [objective, unit], date(2024, 1, 1))
    assert found == [
        versions.LaterVersion("objectif", "1.1", date(2025, 6, 1)),
        versions.LaterVersion("indicateur", "E2", date(2025, 9, 1)),
    ]
    assert versions.later_versions(mini_conn, [objective, unit], date(2025, 6, 1)) == [
        versions.LaterVersion("indicateur", "E2", date(2025, 9, 1))
    ]
