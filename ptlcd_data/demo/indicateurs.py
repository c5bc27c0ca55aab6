"""Demonstration values for every indicator of the catalogue, 2017 to 2022: deterministic, plausible.

Rules (nothing about a particular plan is written here, everything comes from the store):
- every indicator is measured in the aggregate territories (type `metropole`; if the plan has
  none, its first territory), and, for most indicators, in some of the other territories, some
  of which start measuring later or skip the last year;
- a value for year Y is registered in the first quarter of Y+1 (corrections included), so the observation date shows
  values appearing over time; a few values are corrected some weeks later (history);
- targets go linearly from the first value toward a final target, and some series miss them.
Every record is `demo = true`, so the banner shows and `demo --remove` deletes them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ptlcd_data.access.auth import User
from ptlcd_data.indicateurs.valeurs import ValueRow, append_values
from ptlcd_data.store import Connection

FIRST_YEAR = 2017
LAST_YEAR = 2022
SEED = "ptlcd-demo-indicateurs-v1"
SOURCE = "Données de démonstration (générées)"
AUTHOR = User("demonstration", "Démonstration", "admin")
# Share of (indicator, non-aggregate territory) pairs measured; the rest stay empty on purpose.
LOCAL_SHARE = 0.7
# Share of values registered once wrongly, then corrected a few weeks later.
CORRECTION_SHARE = 0.08


def _round(value: float, unite: str) -> float:
    if unite.strip() == "%":
        return round(min(100.0, max(0.0, value)), 1)
    return float(max(0, round(value)))


def _series(
    rng: random.Random, code: str, terr: str, unite: str, sens: str, scale: float, start: int
) -> list[ValueRow]:
    years = list(range(start, LAST_YEAR + 1))
    pct = unite.strip() == "%"
    base = rng.uniform(8, 35) if pct else max(3.0, scale * rng.uniform(0.6, 1.4))
    if sens == "baisse":
        growth, target_growth = rng.gauss(-0.06, 0.07), rng.uniform(-0.20, -0.08)
    else:
        growth, target_growth = rng.gauss(0.10, 0.09), rng.uniform(0.08, 0.20)
    if pct:  # rates move by points, not by a share of themselves
        growth, target_growth = growth / 3, target_growth / 3
    span = len(years)
    final_target = base * (1 + target_growth) ** span
    stops_early = rng.random() < 0.15
    rows: list[ValueRow] = []
    for k, year in enumerate(years):
        value = base * (1 + growth) ** k * (1 + rng.gauss(0, 0.05))
        target = base + (final_target - base) * (k + 1) / span
        measured = not (stops_early and year == LAST_YEAR)
        recorded = datetime(year + 1, 1, 10, 9) + timedelta(
            days=rng.randint(0, 50), hours=rng.randint(0, 8)
        )
        cible = _round(target, unite)
        final = _round(value, unite) if measured else None
        if measured and rng.random() < CORRECTION_SHARE:
            wrong = _round(value * rng.choice([0.5, 1.5, 10]), unite)
            rows.append(ValueRow(code, terr, year, wrong, cible, SOURCE, enregistre_le=recorded))
            recorded += timedelta(days=rng.randint(14, 28))
            comment = "Valeur corrigée après vérification (démonstration)."
        else:
            comment = None
        rows.append(
            ValueRow(code, terr, year, final, cible, SOURCE, comment, enregistre_le=recorded)
        )
    return rows


def generate(conn: Connection) -> int:
    """Add demonstration values for every indicator that has none yet. Returns records written.

    Runs inside the caller's transaction (`build()`); calling it again adds nothing.
    """
    territoires = conn.execute(
        "SELECT code, type FROM plan_territoire(current_date) ORDER BY ordre"
    ).fetchall()
    if not territoires:
        return 0
    aggregate = [code for code, kind in territoires if kind == "metropole"] or [territoires[0][0]]
    local = [code for code, _ in territoires if code not in aggregate]
    todo = conn.execute(
        """
        SELECT code, unite, sens FROM plan_indicateur(current_date) i
        WHERE NOT EXISTS (SELECT 1 FROM indicateur_valeur v
                          WHERE v.demo AND v.indicateur_code = i.code)
        ORDER BY ordre
        """
    ).fetchall()
    rows: list[ValueRow] = []
    for code, unite, sens in todo:
        rng = random.Random(f"{SEED}/{code}")
        scale = rng.choice([6, 10, 15, 25, 40, 60, 100, 150])
        for terr in aggregate:
            r = random.Random(f"{SEED}/{code}/{terr}")
            rows += _series(r, code, terr, unite, sens, scale, FIRST_YEAR)
        for terr in local:
            r = random.Random(f"{SEED}/{code}/{terr}")
            if r.random() > LOCAL_SHARE:
                continue
            start = r.choice([FIRST_YEAR] * 3 + [FIRST_YEAR + 1, FIRST_YEAR + 2])
            rows += _series(r, code, terr, unite, sens, scale * r.uniform(0.15, 0.45), start)
    return append_values(conn, AUTHOR, rows, demo=True)
