"""A database written by the version before the domain packages opens and migrates unchanged.

`tests/fixtures/base_e6c8a31.duckdb` was built by commit e6c8a31 (the last version with a flat
`ptlcd_data`): `init --no-demo`, an admin account « chef », one imported value (I1.1.a, Nantes
Métropole, 2025: 42,5) and one review record (action 10: En cours, 30 %, Rezé engagée, effective
30/11/2026).
"""

from __future__ import annotations

import gzip
import shutil
from datetime import date

from ptlcd_data import store
from ptlcd_data.access import accounts, journal
from ptlcd_data.build import build, open_store
from ptlcd_data.imports import batches
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import versions
from ptlcd_data.settings import Settings
from ptlcd_data.suivi import engagements, status_queries
from tests.helpers import DATA_DIR, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "base_e6c8a31.duckdb"
DAY = date(2026, 12, 31)
TABLES = (
    "action",
    "axe",
    "objectif",
    "indicateur",
    "territoire",
    "statut_record",
    "engagement_record",
    "indicateur_valeur",
    "import_batch",
    "journal",
    "compte",
)


def _counts(conn: store.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def test_a_database_of_the_previous_version_migrates_with_nothing_lost(tmp_path):
    db = tmp_path / "ancienne.duckdb"
    shutil.copy(FIXTURE, db)
    with store.connect(db) as conn:
        before = _counts(conn)
        version = store.schema_version(conn)
    assert before["indicateur_valeur"] == 1 and before["compte"] == 1

    conn = open_store(Settings(db_path=db, data_dir=DATA_DIR))
    try:
        assert store.schema_version(conn) >= version
        assert _counts(conn) == before
        etat = status_queries.action_states(conn, DAY, actions=(10,)).iloc[0]
        assert (etat["statut"], int(etat["avancement"])) == ("En cours", 30)
        cells = engagements.engagement_cells(conn, DAY, actions=(10,)).set_index("territoire_code")
        assert cells.loc["REZE", "niveau"] == "Engagée"
        values = valeurs.current_values(conn, DAY, indicateurs=["I1.1.a"])
        assert values["valeur"].tolist() == [42.5]
        assert batches.history_view(conn).table["Lot"].tolist() == [1]
        assert accounts.get_user(conn, "chef") is not None
        assert len(journal.entries(conn)) >= 2
    finally:
        conn.close()


# Built by main at 21a3f32 (porteurs are data, migration 0012), stored compressed (DuckDB writes
# 10 MiB of mostly empty blocks): `init --no-demo`, an admin account « chef », `porteurs set MDE
# --email equipe@mde.example --contact Alex`, a review record (action 10: En cours, 30 %, Rezé
# engagée, effective 30/11/2026) and one recorded value (I1.1.a, Nantes Métropole, 2025: 42,5).
FIXTURE_PORTEURS = ROOT / "tests" / "fixtures" / "base_21a3f32.duckdb.gz"
_PLAN_BEFORE = {
    "action": "SELECT action_no, axe_no, objectif_code, libelle, porteur, calendrier, observations, "
    "source_ocr, debut_prevu, fin_prevue, recurrente, deja_engagee, calendrier_forme FROM {t} "
    "ORDER BY action_no",
    "axe": "SELECT axe_no, libelle FROM {t} ORDER BY axe_no",
    "objectif": "SELECT code, axe_no, libelle, domaine, ordre FROM {t} ORDER BY code",
    "territoire": "SELECT code, libelle, type, ordre FROM {t} ORDER BY code",
    "porteur": "SELECT code, libelle, type, contact, email, ordre FROM {t} ORDER BY code",
    "indicateur": "SELECT code, objectif_code, libelle, unite, sens, ordre, fournisseur FROM {t} "
    "ORDER BY code",
    "action_territoire": "SELECT action_no, territoire_code, texte FROM {t} "
    "ORDER BY action_no, territoire_code",
    "action_porteur": "SELECT action_no, porteur_code FROM {t} ORDER BY action_no, porteur_code",
}


def _plan_rows(conn: store.Connection, table: str) -> list[tuple]:
    return conn.execute(_PLAN_BEFORE[table].format(t=table)).fetchall()  # noqa: S608


def _plan_rows_at(conn: store.Connection, table: str, day: date) -> list[tuple]:
    sql = _PLAN_BEFORE[table].format(t=f"plan_{table}(?)")
    return conn.execute(sql, [day]).fetchall()


def test_a_database_of_main_with_porteurs_migrates_its_plan_into_version_1(tmp_path):
    db = tmp_path / "avant_versions.duckdb"
    db.write_bytes(gzip.decompress(FIXTURE_PORTEURS.read_bytes()))
    with store.connect(db) as conn:
        assert store.schema_version(conn) == 12
        before = {table: _plan_rows(conn, table) for table in _PLAN_BEFORE}
        counts = _counts(conn)
    assert len(before["action"]) == 34 and before["action_porteur"] and before["porteur"]

    conn = open_store(Settings(db_path=db, data_dir=DATA_DIR))
    try:
        assert store.schema_version(conn) >= 13
        assert _counts(conn) == counts  # one version per item: nothing added, nothing lost
        # Every field of every item is there, at the plan's date as today.
        for day in (date(2017, 7, 1), DAY):
            assert {t: _plan_rows_at(conn, t, day) for t in _PLAN_BEFORE} == before
        assert conn.execute(
            "SELECT DISTINCT date_effet, auteur, motif FROM action UNION "
            "SELECT DISTINCT date_effet, auteur, motif FROM porteur"
        ).fetchall() == [
            (date(2017, 7, 1), "transcription", "Transcription du document de travail")
        ]
        snap = versions.snapshot(conn, DAY)
        assert snap.porteurs["MDE"]["email"] == "equipe@mde.example"
        etat = status_queries.action_states(conn, DAY, actions=(10,)).iloc[0]
        assert (etat["statut"], int(etat["avancement"])) == ("En cours", 30)
        assert valeurs.current_values(conn, DAY, indicateurs=["I1.1.a"])["valeur"].tolist() == [
            42.5
        ]
        assert accounts.get_user(conn, "chef") is not None

        # `init` again with the same data files: nothing changes, the contact set in the base stays.
        rows = conn.execute("SELECT count(*) FROM action UNION ALL SELECT count(*) FROM porteur")
        versions_before = rows.fetchall()
        build(conn, DATA_DIR, demo=False)
        assert (
            conn.execute(
                "SELECT count(*) FROM action UNION ALL SELECT count(*) FROM porteur"
            ).fetchall()
            == versions_before
        )
        assert versions.snapshot(conn).porteurs["MDE"]["contact"] == "Alex"
        assert versions.next_action_no(conn) == 35
    finally:
        conn.close()
