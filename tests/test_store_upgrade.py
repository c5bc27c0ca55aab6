"""A database written by the version before the domain packages opens and migrates unchanged.

`tests/fixtures/base_e6c8a31.duckdb` was built by commit e6c8a31 (the last version with a flat
`ptlcd_data`): `init --no-demo`, an admin account « chef », one imported value (I1.1.a, Nantes
Métropole, 2025: 42,5) and one review record (action 10: En cours, 30 %, Rezé engagée, effective
30/11/2026).
"""

from __future__ import annotations

import shutil
from datetime import date

from ptlcd_data import store
from ptlcd_data.access import accounts, journal
from ptlcd_data.build import open_store
from ptlcd_data.imports import batches
from ptlcd_data.indicateurs import valeurs
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
