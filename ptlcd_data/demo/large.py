"""Large-scale demonstration data: 300 territories, 100 indicators, 15 years of quarterly values.

Used to prove that pages stay fast as data grows (benchmarks). Deterministic (seeded NumPy
generator); every synthetic territory, indicator and record is marked `demo = true`, so
`python -m ptlcd_data demo --remove` takes it all away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptlcd_data.store import Connection
from ptlcd_data.store.sql import one_row
from ptlcd_data.suivi.etat_initial import date_plan

SEED = 20170701


@dataclass(frozen=True)
class Scale:
    territoires: int = 300
    indicateurs: int = 100
    first_year: int = 2011
    years: int = 15


LARGE = Scale()


def _count_and_last_order(conn: Connection, view: str) -> tuple[int, int]:
    """How many items the plan view `view` holds today, and the highest `ordre` among them."""
    existing = one_row(
        conn,
        f"SELECT count(*), coalesce(max(ordre), 0) FROM {view}(current_date)",  # noqa: S608 - a view name of this module
    )
    return (int(existing[0]), int(existing[1])) if existing else (0, 0)


def _codes(conn: Connection, view: str) -> list[str]:
    """The codes of the plan view `view` today, in the plan's order."""
    rows = conn.execute(
        f"SELECT code FROM {view}(current_date) ORDER BY ordre"  # noqa: S608 - a view name of this module
    ).fetchall()
    return [r[0] for r in rows]


def _synthetic_territories(conn: Connection, target: int) -> pd.DataFrame:
    count, last_order = _count_and_last_order(conn, "plan_territoire")
    missing = max(0, target - count)
    rows = []
    for i in range(1, missing + 1):
        kind = "quartier" if i % 3 == 0 else "commune"
        label = f"{'Quartier' if kind == 'quartier' else 'Commune'} démo {i:03d}"
        rows.append((f"DEMO_T{i:03d}", label, kind, last_order + i, True))
    return pd.DataFrame(rows, columns=["code", "libelle", "type", "ordre", "demo"])


def _synthetic_indicators(conn: Connection, target: int) -> pd.DataFrame:
    objectifs = _codes(conn, "plan_objectif")
    count, last_order = _count_and_last_order(conn, "plan_indicateur")
    # Each synthetic indicator is supplied by a porteur of the plan, in turn (campaigns ask them
    # for it); the indicator itself is marked demo, so `demo --remove` takes the link away too.
    porteurs = _codes(conn, "plan_porteur")
    rows = []
    for i in range(1, max(0, target - count) + 1):
        objectif = objectifs[i % len(objectifs)]
        percent = i % 4 == 0
        sens = "baisse" if i % 5 == 0 else "hausse"
        label = f"Indicateur démo {i:03d} ({'taux' if percent else 'nombre'})"
        rows.append(
            (
                f"DEMO_I{i:03d}",
                objectif,
                label,
                "%" if percent else "nombre",
                sens,
                last_order + i,
                True,
                porteurs[i % len(porteurs)] if porteurs else None,
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "code",
            "objectif_code",
            "libelle",
            "unite",
            "sens",
            "ordre",
            "demo",
            "fournisseur",
        ],
    )


def quarterly_values(
    indicateurs: pd.DataFrame, territoires: list[str], scale: Scale, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per indicator × territory × quarter, with a yearly target on each quarter."""
    n_ind, n_ter, n_q = len(indicateurs), len(territoires), scale.years * 4
    base = rng.uniform(5, 200, size=(n_ind, n_ter, 1))
    percent = (indicateurs["unite"].to_numpy() == "%")[:, None, None]
    base = np.where(percent, rng.uniform(10, 60, size=(n_ind, n_ter, 1)), base)
    direction = np.where(indicateurs["sens"].to_numpy() == "baisse", -1.0, 1.0)[:, None, None]
    slope = rng.uniform(-0.004, 0.02, size=(n_ind, n_ter, 1)) * direction
    t = np.arange(n_q)[None, None, :]
    noise = rng.normal(0, 0.04, size=(n_ind, n_ter, n_q))
    valeur = base * (1 + slope * t + noise)
    valeur = np.where(percent, np.clip(valeur, 0, 100), np.maximum(valeur, 0))
    cible = base * (1 + 0.015 * direction * (t // 4 * 4 + 4))
    cible = np.where(percent, np.clip(cible, 0, 100), np.maximum(cible, 0))
    ind_idx, ter_idx, q_idx = np.indices((n_ind, n_ter, n_q)).reshape(3, -1)
    annee = scale.first_year + q_idx // 4
    quarter = q_idx % 4 + 1
    # Each quarter's figures are registered about six weeks after it ends.
    quarter_end = pd.to_datetime(
        pd.DataFrame({"year": annee, "month": quarter * 3, "day": 1})
    ) + pd.offsets.MonthEnd(0)
    return pd.DataFrame(
        {
            "indicateur_code": indicateurs["code"].to_numpy()[ind_idx],
            "territoire_code": np.asarray(territoires)[ter_idx],
            "annee": annee.astype("int32"),
            "periode": np.char.add("T", quarter.astype(str)),
            "valeur": np.round(valeur.reshape(-1), 1),
            "cible": np.round(cible.reshape(-1), 1),
            "enregistre_le": quarter_end + pd.Timedelta(days=45),
        }
    )


# Synthetic items are in the plan from its first version on (their values start in 2011).
def _version_1(conn: Connection) -> list[object]:
    return [date_plan(conn), "démonstration", "Données de démonstration (grande échelle)"]


def generate_large(conn: Connection, scale: Scale = LARGE) -> dict[str, int]:
    """Add synthetic territories, indicators and quarterly values. Call inside a transaction."""
    rng = np.random.default_rng(SEED)
    territories = _synthetic_territories(conn, scale.territoires)
    if not territories.empty:
        conn.execute(
            "INSERT INTO territoire (code, libelle, type, ordre, demo, date_effet, auteur, motif, "
            "enregistre_le) SELECT *, ?, ?, ?, current_localtimestamp() FROM territories",
            _version_1(conn),
        )
    indicators = _synthetic_indicators(conn, scale.indicateurs)
    if not indicators.empty:
        conn.execute(
            "INSERT INTO indicateur (code, objectif_code, libelle, unite, sens, ordre, demo, "
            "fournisseur, date_effet, auteur, motif, enregistre_le) "
            "SELECT *, ?, ?, ?, current_localtimestamp() FROM indicators",
            _version_1(conn),
        )
    all_ind = conn.execute(
        "SELECT code, unite, sens FROM plan_indicateur(current_date) ORDER BY ordre"
    ).df()
    all_ter = _codes(conn, "plan_territoire")
    quarters = quarterly_values(all_ind, all_ter, scale, rng)
    # The year's figure (what the pages read) is the fourth quarter's, registered a little later.
    years = quarters[quarters["periode"] == "T4"].assign(
        periode="A", enregistre_le=lambda d: d["enregistre_le"] + pd.Timedelta(days=15)
    )
    values = pd.concat([quarters, years], ignore_index=True)  # noqa: F841 - read by SQL below
    conn.execute(
        """
        INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, periode, valeur,
            cible, source, commentaire, auteur, enregistre_le, demo)
        SELECT indicateur_code, territoire_code, annee, periode, valeur, cible,
               'démonstration (grande échelle)', NULL, 'générateur', enregistre_le, true
        FROM values
        """
    )
    return {
        "territoires": len(territories),
        "indicateurs": len(indicators),
        "valeurs trimestrielles": len(quarters),
        "valeurs annuelles": len(years),
    }
