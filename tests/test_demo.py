"""Demonstration records: counted, shown by a banner, removed in one command."""

from __future__ import annotations

from ptlcd_data import demo
from ptlcd_data.cli import main


def _insert_demo_status(conn) -> None:
    conn.execute(
        "INSERT INTO statut_record (action_no, date_effet, statut, auteur, source, enregistre_le, demo) "
        "VALUES (1, DATE '2018-01-01', 'En cours', 'générateur', 'démonstration', TIMESTAMP '2018-01-01', true)"
    )
    conn.execute(
        "INSERT INTO statut_record (action_no, date_effet, statut, auteur, source, enregistre_le) "
        "VALUES (2, DATE '2018-01-01', 'En cours', 'Mme A', 'revue GOLD', TIMESTAMP '2018-01-01')"
    )


def test_demo_tables_are_found_through_the_catalogue(conn):
    assert {"statut_record", "engagement_record", "indicateur_valeur"} <= set(
        demo.demo_tables(conn)
    )


def test_remove_demo_keeps_real_records(conn):
    real_before = conn.execute("SELECT count(*) FROM statut_record").fetchone()[0]
    _insert_demo_status(conn)
    assert demo.has_demo(conn)
    assert demo.remove_demo(conn) == {"statut_record": 1}
    assert not demo.has_demo(conn)
    assert conn.execute("SELECT count(*) FROM statut_record").fetchone()[0] == real_before + 1


def test_cli_demo_remove(db_path, capsys):
    import duckdb

    with duckdb.connect(str(db_path)) as c:
        _insert_demo_status(c)
    assert main(["--db", str(db_path), "demo", "--remove"]) == 0
    assert "1 enregistrement(s) de démonstration supprimé(s)" in capsys.readouterr().out


def test_banner_shows_only_while_demo_records_exist(app_env):
    import duckdb
    from streamlit.testing.v1 import AppTest

    from tests.helpers import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not any("démonstration" in w.value for w in at.warning)
    with duckdb.connect(str(app_env)) as c:
        _insert_demo_status(c)
        c.execute("UPDATE meta SET valeur = '999' WHERE cle = 'revision'")
    at.run()
    assert any("Données de démonstration" in w.value for w in at.warning)


def test_large_demo_is_marked_and_removed_whole(conn):
    from ptlcd_data import store
    from ptlcd_data.demo import large as demo_large
    from ptlcd_data.demo import suivi as demo_suivi

    scale = demo_large.Scale(territoires=12, indicateurs=25, first_year=2020, years=2)
    with store.transaction(conn):
        counts = demo_large.generate_large(conn, scale)
        demo_suivi.generate(conn)
    assert counts["territoires"] == 7 and counts["indicateurs"] == 4
    assert counts["valeurs trimestrielles"] == 12 * 25 * 8
    assert counts["valeurs annuelles"] == 12 * 25 * 2
    terr = conn.execute(
        "SELECT count(DISTINCT territoire_code) FROM engagement_record WHERE demo"
    ).fetchone()[0]
    assert terr == 12  # engagement histories for every territory, synthetic ones included
    demo.remove_demo(conn)
    assert conn.execute("SELECT count(*) FROM territoire").fetchone()[0] == 5
    assert conn.execute("SELECT count(*) FROM indicateur").fetchone()[0] == 21
    assert conn.execute("SELECT count(*) FROM indicateur_valeur").fetchone()[0] == 0
