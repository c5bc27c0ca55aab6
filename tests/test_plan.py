"""The plan as transcribed (data/) and the loader's checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.build import build
from ptlcd_data.errors import PlanDataError
from ptlcd_data.plan import queries
from tests.helpers import MINI_PLAN


def test_plan_has_34_actions_numbered_1_to_34(conn):
    assert queries.action_numbers(conn) == list(range(1, 35))


def test_plan_has_five_axes_with_the_seed_labels(conn):
    axes = queries.axe_labels(conn)
    assert list(axes) == [1, 2, 3, 4, 5]
    labels = " | ".join(axes.values())
    for word in ("Connaître", "Communiquer", "Former", "Agir", "Évaluer"):
        assert word in labels


def test_plan_has_the_seed_objectives(conn):
    codes = set(queries.objectifs(conn)["code"])
    assert {"1.1", "1.2", "2.1", "2.2", "4.1", "4.2", "4.3", "4.4", "4.5", "5.1"} <= codes
    detail = queries.action_detail(conn, 1)
    assert detail is not None
    assert detail["objectif_code"] == "1.1"
    assert "détection" in detail["objectif"]


def test_every_action_has_wording_axis_and_objective(conn):
    actions = queries.actions_list(conn)
    assert [a["action_no"] for a in actions] == list(range(1, 35))
    assert min(len(a["action"]) for a in actions) > 10
    assert all(a["objectif_code"] and a["axe"] for a in actions)


def test_every_objective_with_indicators_is_known(conn):
    ind = conn.execute("SELECT count(*), count(DISTINCT objectif_code) FROM indicateur").fetchone()
    assert ind[0] >= 10
    orphans = conn.execute(
        "SELECT count(*) FROM indicateur WHERE objectif_code NOT IN (SELECT code FROM objectif)"
    ).fetchone()
    assert orphans[0] == 0


def test_five_territories(conn):
    terr = queries.territoire_labels(conn)
    assert list(terr) == ["NM", "NANTES", "REZE", "ST_HERBLAIN", "ORVAULT"]


def test_another_plan_loads_from_its_own_files(mini_conn):
    assert queries.action_numbers(mini_conn) == [1, 2, 3, 4]
    assert list(queries.territoire_labels(mini_conn)) == ["AGGLO", "VN", "BOURG"]
    detail = queries.action_detail(mini_conn, 3)
    assert detail["recurrente"] is True or detail["recurrente"] == 1
    plan_terr = queries.action_territoires_plan(mini_conn, 2)
    assert plan_terr.set_index("code").loc["VN", "texte"] == "engagé"


def _copy_plan(tmp_path: Path) -> Path:
    target = tmp_path / "plan"
    shutil.copytree(MINI_PLAN, target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "plan.csv",
            "Dès 2020",
            "bientôt",
            r"plan\.csv, ligne 2 \(action 1\).*Calendrier « bientôt »",
        ),
        ("plan.csv", "3,2,Agir,2.1", "3,2,Agir,9.9", r"plan\.csv, ligne 4 : objectif « 9\.9 »"),
        ("plan.csv", "4,2,Agir", "3,2,Agir", r"plan\.csv, ligne 5 : action n° « 3 » déjà présent"),
        ("objectifs.csv", "2.1,2,", "2.1,7,", r"objectifs\.csv, ligne 3 : axe 7 absent"),
        ("indicateurs.csv", "jours),nombre,baisse", "jours),nombre,bas", r"colonne sens : « bas »"),
        ("plan.csv", "engagement_BOURG", "engagement_PARIS", r"territoires absents.*PARIS"),
        (
            "plan.csv",
            "Université,UNIV,",
            "Université,UNIV;LABO,",
            r"plan\.csv, ligne 3 \(action 2\), colonne porteurs : porteur « LABO » absent",
        ),
        (
            "indicateurs.csv",
            "baisse,",
            "baisse,POLE",
            r"indicateurs\.csv, ligne 4, colonne fournisseur : porteur « POLE » absent",
        ),
        ("porteurs.csv", "MDE,Maison", "UNIV,Maison", r"porteurs\.csv, ligne 4 : porteur « UNIV »"),
    ],
)
def test_bad_plan_files_are_refused_with_file_and_line(tmp_path, file, old, new, message):
    plan_dir = _copy_plan(tmp_path)
    path = plan_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with store.connect(tmp_path / "x.duckdb") as conn:
        with pytest.raises(PlanDataError, match=message):
            build(conn, plan_dir, demo=False)


def test_refused_refresh_leaves_previous_plan_in_place(tmp_path):
    plan_dir = _copy_plan(tmp_path)
    with store.connect(tmp_path / "x.duckdb") as conn:
        build(conn, plan_dir, demo=False)
        (plan_dir / "plan.csv").write_text(
            (plan_dir / "plan.csv").read_text(encoding="utf-8").replace("annuelle", "jamais"),
            encoding="utf-8",
        )
        with pytest.raises(PlanDataError):
            build(conn, plan_dir, demo=False)
        assert queries.action_numbers(conn) == [1, 2, 3, 4]


def test_missing_file_is_named(tmp_path):
    plan_dir = _copy_plan(tmp_path)
    (plan_dir / "axes.csv").unlink()
    with store.connect(tmp_path / "x.duckdb") as conn:
        with pytest.raises(PlanDataError, match="axes.csv"):
            build(conn, plan_dir, demo=False)
