"""Indicator values: an append-only history per indicator × territory × year, read as of a date.

The current value of (indicateur, territoire, annee, periode) as of a date D is the latest record
(by `enregistre_le`, then `id`) registered before the end of D, unless that record is `supprime`
(an undo withdrew the value). Aggregation happens in DuckDB: functions return query results,
never whole tables, so pages stay fast with many indicators, territories and periods.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ptlcd_data import dates
from ptlcd_data.access import auth, journal, scope
from ptlcd_data.errors import InputError
from ptlcd_data.indicateurs.rules import (
    NO_VALUE_ALERT,
    TREND_PERIODS,
    behind_alert,
    progress_columns,
    stale_alert,
    trend_alert,
    trend_columns,
    trend_window,
    trend_words,
    year_range,
    years_expected,
)
from ptlcd_data.plan import porteurs
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import BY_RECORDING, is_latest

ANNUAL = "A"
PERIODES = frozenset(
    ["A", "T1", "T2", "T3", "T4", *(f"M{m:02d}" for m in range(1, 13))],
)
# Points drawn in one figure: beyond a few thousand, Plotly in a meeting-room laptop's browser
# becomes sluggish and the lines unreadable anyway; queries for charts stop there and say so.
MAX_CHART_POINTS = 5_000
# Records listed in a value history (replaced values included); older ones are in the export.
HISTORY_ROWS_MAX = 2_000
# Rows copied into the journal for one write: enough to read what changed, without storing a whole
# import file twice (the import batch keeps the full report).
JOURNAL_ROWS_MAX = 100
EXPORT_COLUMNS = [
    "code_indicateur",
    "territoire",
    "annee",
    "valeur",
    "cible",
    "source",
    "commentaire",
    "import_id",
]

# The current record of each value: the last one recorded (see store.sql).
_IS_LATEST = is_latest(
    ["v.indicateur_code", "v.territoire_code", "v.annee", "v.periode"], BY_RECORDING, "v"
)


def last_complete_year(as_of: date) -> int:
    return as_of.year - 1


def _codes(values: Iterable[str] | None) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def _current(
    where: list[str], params: list[Any], as_of: date, periode: str, columns: str = "v.*"
) -> tuple[str, list[Any]]:
    """SQL of the current records as of `as_of` (withdrawn values left out), and its parameters."""
    condition = " AND ".join(
        ["v.enregistre_le < CAST(? AS DATE) + INTERVAL 1 DAY", "v.periode = ?"]
    )
    extra = "".join(f" AND {w}" for w in where)
    sql = f"""
        SELECT * EXCLUDE (supprime) FROM (
            SELECT {columns}
            FROM indicateur_valeur v
            WHERE {condition}{extra}
            QUALIFY {_IS_LATEST}
        ) WHERE NOT supprime
    """  # noqa: S608 - fixed fragments; values are bound
    return sql, [as_of, periode, *params]


def _filters(
    indicateurs: Sequence[str] | None = None,
    territoires: Sequence[str] | None = None,
    objectif_code: str | None = None,
    axe_no: int | None = None,
    as_of: date | None = None,
) -> tuple[list[str], list[Any]]:
    """Conditions on `v` (a value) and their parameters; the objective and axis are the plan's
    at `as_of` (default: today)."""
    day = dates.or_today(as_of)
    where: list[str] = []
    params: list[Any] = []
    if indicateurs is not None:
        where.append("v.indicateur_code IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(indicateurs))
    if territoires is not None:
        where.append("v.territoire_code IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(territoires))
    if objectif_code is not None:
        where.append(
            "v.indicateur_code IN (SELECT code FROM plan_indicateur(?) WHERE objectif_code = ?)"
        )
        params.extend([day, objectif_code])
    if axe_no is not None:
        where.append(
            "v.indicateur_code IN (SELECT i.code FROM plan_indicateur(?) i "
            "JOIN plan_objectif(?) o ON o.code = i.objectif_code WHERE o.axe_no = ?)"
        )
        params.extend([day, day, axe_no])
    return where, params


_PROVENANCE = """
    CASE WHEN v.demo THEN 'Démonstration'
         WHEN v.import_id IS NOT NULL
              THEN 'Import n° ' || v.import_id || coalesce(' (' || b.fichier || ')', '')
         ELSE 'Saisie' END
"""


def catalogue(conn: Connection, as_of: date | None = None) -> pd.DataFrame:
    """Every indicator of the plan at `as_of` (default: today), in the plan's order.

    Columns: code, libelle, unite, sens, objectif_code, objectif, axe_no, axe.
    """
    return conn.execute(
        """
        SELECT i.code, i.libelle, i.unite, i.sens, i.objectif_code, o.libelle AS objectif,
               o.axe_no, a.libelle AS axe
        FROM plan_indicateur($d) i JOIN plan_objectif($d) o ON o.code = i.objectif_code
        JOIN plan_axe($d) a USING (axe_no)
        ORDER BY i.ordre, i.code
        """,
        {"d": dates.or_today(as_of)},
    ).df()


def current_values(
    conn: Connection,
    as_of: date,
    *,
    indicateurs: Sequence[str] | None = None,
    territoires: Sequence[str] | None = None,
    periode: str = ANNUAL,
    limit: int | None = None,
) -> pd.DataFrame:
    """Current values as of `as_of`, with their provenance, by indicator, territory and year.

    Columns: indicateur_code, territoire_code, territoire, annee, valeur, cible, source,
    commentaire, provenance, auteur, enregistre_le, import_id, demo.
    """
    where, params = _filters(_codes(indicateurs), _codes(territoires))
    cur, cur_params = _current(where, params, as_of, periode)
    sql = f"""
        WITH cur AS ({cur})
        SELECT v.indicateur_code, v.territoire_code, coalesce(t.libelle, v.territoire_code)
               AS territoire, v.annee, v.valeur, v.cible, v.source, v.commentaire,
               {_PROVENANCE} AS provenance, {auth.author_name_sql("v.auteur")} AS auteur,
               v.enregistre_le, v.import_id, v.demo
        FROM cur v
        LEFT JOIN plan_territoire(?) t ON t.code = v.territoire_code
        LEFT JOIN plan_indicateur(?) i ON i.code = v.indicateur_code
        LEFT JOIN import_batch b ON b.id = v.import_id
        ORDER BY i.ordre, coalesce(t.ordre, 1e9), v.territoire_code, v.annee
        {"LIMIT ?" if limit is not None else ""}
    """  # noqa: S608 - fixed fragments; values are bound
    plan = [as_of, as_of]
    return conn.execute(sql, cur_params + plan + ([limit] if limit is not None else [])).df()


def value_history(
    conn: Connection,
    as_of: date,
    indicateur_code: str,
    *,
    territoires: Sequence[str] | None = None,
    periode: str = ANNUAL,
    limit: int = HISTORY_ROWS_MAX,
) -> pd.DataFrame:
    """Every record of one indicator registered up to `as_of`, replaced ones included.

    Columns: territoire_code, territoire, annee, valeur, cible, source, commentaire, supprime,
    actuelle (the record that is current as of `as_of`), provenance, auteur, enregistre_le,
    import_id.
    """
    where, params = _filters([indicateur_code], _codes(territoires))
    extra = "".join(f" AND {w}" for w in where)
    sql = f"""
        SELECT v.territoire_code, coalesce(t.libelle, v.territoire_code) AS territoire, v.annee,
               v.valeur, v.cible, v.source, v.commentaire, v.supprime,
               ({is_latest(["v.territoire_code", "v.annee", "v.periode"], BY_RECORDING, "v")}
                AND NOT v.supprime) AS actuelle,
               {_PROVENANCE} AS provenance, {auth.author_name_sql("v.auteur")} AS auteur,
               v.enregistre_le, v.import_id
        FROM indicateur_valeur v
        LEFT JOIN plan_territoire(?) t ON t.code = v.territoire_code
        LEFT JOIN import_batch b ON b.id = v.import_id
        WHERE v.enregistre_le < CAST(? AS DATE) + INTERVAL 1 DAY AND v.periode = ?{extra}
        ORDER BY coalesce(t.ordre, 1e9), v.territoire_code, v.annee, v.enregistre_le, v.id
        LIMIT ?
    """  # noqa: S608 - fixed fragments; values are bound
    return conn.execute(sql, [as_of, as_of, periode, *params, limit]).df()


def series_summary(
    conn: Connection,
    as_of: date,
    *,
    indicateurs: Sequence[str] | None = None,
    objectif_code: str | None = None,
    territoires: Sequence[str] | None = None,
    periode: str = ANNUAL,
    words: bool = True,
) -> pd.DataFrame:
    """One row per indicator × territory having at least one current record as of `as_of`.

    Initial, current and target values are found in DuckDB; progress, trend and alerts are then
    computed by the rules of `indicateurs.rules` on these few rows.
    Columns: indicateur_code, libelle, unite, sens, territoire_code, territoire, nb_valeurs,
    annee_initiale, valeur_initiale, annee_actuelle, valeur_actuelle, annee_cible, cible_finale,
    cible_annee_actuelle, derniers (last values, oldest first), avancement (0–100 or NaN),
    avancement_note, and with `words`: tendance (words), alertes (list of sentences); without,
    the last values stay as DuckDB lists them (derniers_desc, newest first) and `with_words`
    adds derniers, tendance and alertes to the rows that need them.
    """
    where, params = _filters(_codes(indicateurs), _codes(territoires), objectif_code, as_of=as_of)
    cur, cur_params = _current(where, params, as_of, periode)
    sql = f"""
        WITH cur AS ({cur}),
        agg AS (
            SELECT indicateur_code, territoire_code,
                   count(valeur) AS nb_valeurs,
                   min(annee) FILTER (WHERE valeur IS NOT NULL) AS annee_initiale,
                   arg_min(valeur, annee) FILTER (WHERE valeur IS NOT NULL) AS valeur_initiale,
                   max(annee) FILTER (WHERE valeur IS NOT NULL) AS annee_actuelle,
                   arg_max(valeur, annee) FILTER (WHERE valeur IS NOT NULL) AS valeur_actuelle,
                   max(annee) FILTER (WHERE cible IS NOT NULL) AS annee_cible,
                   arg_max(cible, annee) FILTER (WHERE cible IS NOT NULL) AS cible_finale,
                   -- the target of the current value's own row (one row per year): no second
                   -- pass over `cur` (a join back to it doubled the query's time)
                   arg_max(cible, annee) FILTER (WHERE valeur IS NOT NULL)
                       AS cible_annee_actuelle,
                   list_slice(list(valeur ORDER BY annee DESC) FILTER (WHERE valeur IS NOT NULL),
                              1, ?) AS derniers_desc
            FROM cur GROUP BY indicateur_code, territoire_code
        )
        SELECT a.indicateur_code, i.libelle, i.unite, i.sens, a.territoire_code,
               coalesce(t.libelle, a.territoire_code) AS territoire, a.nb_valeurs,
               a.annee_initiale, a.valeur_initiale, a.annee_actuelle, a.valeur_actuelle,
               a.annee_cible, a.cible_finale, a.cible_annee_actuelle, a.derniers_desc
        FROM agg a
        JOIN plan_indicateur(?) i ON i.code = a.indicateur_code
        LEFT JOIN plan_territoire(?) t ON t.code = a.territoire_code
        ORDER BY i.ordre, coalesce(t.ordre, 1e9), a.territoire_code
    """  # noqa: S608 - fixed fragments; values are bound
    df = conn.execute(sql, [*cur_params, TREND_PERIODS, as_of, as_of]).df()
    return apply_rules(df, last_complete_year(as_of), words=words)


def _opt(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def apply_rules(df: pd.DataFrame, last_year: int, *, words: bool = True) -> pd.DataFrame:
    """Add avancement, avancement_note and, with `words`, derniers, tendance and alertes to a
    summary (pure).

    The rules of `indicateurs.rules` (`series_progress`, `trend_text`, `alerts`, stated there one series
    at a time), computed column by column: a large plan's synthesis has tens of thousands of
    series. tests/test_indicateur_rules.py checks both ways give the same table. The words cost
    most (two thirds of the time, formatting numbers in French): a caller that shows a few rows
    of many asks for them on those rows only (`with_words`).
    """
    out = df.copy()
    baisse = df["sens"].eq("baisse").fillna(False).to_numpy(dtype=bool)
    percent, notes = progress_columns(
        _floats(df["valeur_initiale"]),
        _floats(df["valeur_actuelle"]),
        _floats(df["cible_finale"]),
        baisse,
    )
    out["avancement"] = pd.Series(percent, index=out.index, dtype="float64")
    out["avancement_note"] = notes
    return with_words(out, last_year) if words else out


def _with_derniers(summary: pd.DataFrame) -> pd.DataFrame:
    """`summary` with its column derniers (oldest first) in place of DuckDB's derniers_desc:
    a list per series, built only for the rows that need it."""
    if "derniers" in summary.columns:
        return summary.copy()
    out = summary.drop(columns=["derniers_desc"])
    out["derniers"] = [_oldest_first(listed) for listed in summary["derniers_desc"]]
    return out


def with_words(summary: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """`summary` (of `series_summary`, or some of its rows) with its derniers, tendance and
    alertes (pure)."""
    out = _with_derniers(summary)
    derniers = list(out["derniers"])
    windows = [trend_window(values) for values in derniers]
    directions = trend_columns(windows)
    sens = [str(v) for v in summary["sens"]]
    unites = [str(v) for v in summary["unite"]]
    baisse = np.array([v == "baisse" for v in sens], dtype=bool)
    current = _floats(summary["valeur_actuelle"])
    target_now = _floats(summary["cible_annee_actuelle"])
    with np.errstate(invalid="ignore"):
        met = np.where(baisse, current <= target_now, current >= target_now)
    behind = ~np.isnan(target_now) & ~np.isnan(current) & ~met
    tendances: list[str] = []
    alertes: list[list[str]] = []
    for i, year in enumerate(summary["annee_actuelle"]):
        direction, unite = directions[i], unites[i]
        tendances.append(trend_words(direction, windows[i], unite))
        year = _opt(year)
        if year is None:
            alertes.append([NO_VALUE_ALERT])
            continue
        found = []
        if int(year) < last_year:
            found.append(stale_alert(last_year, int(year)))
        if direction in ("hausse", "baisse") and direction != sens[i]:
            found.append(trend_alert(direction, len(derniers[i][-TREND_PERIODS:]), sens[i]))
        if behind[i]:
            found.append(behind_alert(int(year), float(current[i]), float(target_now[i]), unite))
        alertes.append(found)
    out["tendance"] = tendances
    out["alertes"] = alertes
    return out


def _oldest_first(listed: Any) -> list[float]:
    """The last values as DuckDB lists them (newest first), oldest first."""
    if listed is None or isinstance(listed, float):
        return []
    if isinstance(listed, np.ndarray):
        return [float(v) for v in listed[::-1].tolist()]
    return [float(v) for v in reversed(list(listed))]


def _floats(column: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_numeric(column, errors="coerce"), dtype=float)


def small_multiples(
    conn: Connection,
    as_of: date,
    axe_no: int,
    territoire_code: str,
    *,
    periode: str = ANNUAL,
    limit: int = MAX_CHART_POINTS,
) -> pd.DataFrame:
    """The series of every indicator of one axis in one territory, for small multiples.

    Indicators without any value keep one row with `annee` empty, so the chart can say so.
    Columns: indicateur_code, libelle, unite, sens, annee, valeur, cible, source.
    """
    where, params = _filters(territoires=[territoire_code], axe_no=axe_no, as_of=as_of)
    cur, cur_params = _current(where, params, as_of, periode)
    sql = f"""
        WITH cur AS ({cur})
        SELECT i.code AS indicateur_code, i.libelle, i.unite, i.sens, c.annee, c.valeur,
               c.cible, c.source
        FROM plan_indicateur(?) i
        JOIN plan_objectif(?) o ON o.code = i.objectif_code
        LEFT JOIN cur c ON c.indicateur_code = i.code
        WHERE o.axe_no = ?
        ORDER BY i.ordre, c.annee
        LIMIT ?
    """  # noqa: S608 - fixed fragments; values are bound
    return conn.execute(sql, [*cur_params, as_of, as_of, axe_no, limit]).df()


def export_table(conn: Connection, as_of: date) -> pd.DataFrame:
    """Current yearly values as of `as_of`, in the columns of `EXPORT_COLUMNS`."""
    df = current_values(conn, as_of)
    out = pd.DataFrame(
        {
            "code_indicateur": df["indicateur_code"],
            "territoire": df["territoire_code"],
            "annee": df["annee"].astype("int64"),
            "valeur": df["valeur"],
            "cible": df["cible"],
            "source": df["source"],
            "commentaire": df["commentaire"],
            "import_id": df["import_id"].astype("Int64"),
        }
    )
    return out[EXPORT_COLUMNS]


# -- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRow:
    """One value to record. `valeur` and `cible` are each optional, not both (unless withdrawn)."""

    indicateur_code: str
    territoire_code: str
    annee: int
    valeur: float | None = None
    cible: float | None = None
    source: str | None = None
    commentaire: str | None = None
    periode: str = ANNUAL
    supprime: bool = False
    # When the value was registered; None means now. Set by generators and tests.
    enregistre_le: datetime | None = None


def _check(conn: Connection, rows: Sequence[ValueRow]) -> None:
    # A value is recorded now: it must fit the plan as it stands today.
    today = [date.today()]
    known_ind = {
        r[0] for r in conn.execute("SELECT code FROM plan_indicateur(?)", today).fetchall()
    }
    known_terr = {
        r[0] for r in conn.execute("SELECT code FROM plan_territoire(?)", today).fetchall()
    }
    for n, r in enumerate(rows, start=1):
        where = f"Valeur n° {n} ({r.indicateur_code}, {r.territoire_code}, {r.annee})"
        if r.indicateur_code not in known_ind:
            raise InputError(f"{where} : indicateur « {r.indicateur_code} » absent du plan.")
        if r.territoire_code not in known_terr:
            raise InputError(f"{where} : territoire « {r.territoire_code} » absent du plan.")
        if r.periode not in PERIODES:
            raise InputError(
                f"{where} : période « {r.periode} » inconnue ; attendu A, T1 à T4 ou M01 à M12."
            )
        first, last = year_range()
        if not first <= int(r.annee) <= last:
            raise InputError(
                f"{where} : année « {r.annee} » invalide : attendu {years_expected()}."
            )
        for label, v in (("valeur", r.valeur), ("cible", r.cible)):
            if v is not None and not math.isfinite(float(v)):
                raise InputError(f"{where} : {label} « {v} » n'est pas un nombre.")
        if r.valeur is None and r.cible is None and not r.supprime:
            raise InputError(f"{where} : ni valeur ni cible.")


def append_values(
    conn: Connection,
    user: auth.User,
    rows: Sequence[ValueRow],
    *,
    source: str | None = None,
    import_id: int | None = None,
    demo: bool = False,
) -> int:
    """Append records, inside the caller's transaction (an import publishes in one transaction).

    `source` applies to rows that have none. Checks every row first: nothing is written if one
    is refused (a porteur account: only the indicators its porteurs supply, `access.scope`).
    Returns the number of records written.
    """
    if not rows:
        return 0
    _check(conn, rows)
    scope.check_indicators(porteurs.scope_of(conn, user), {r.indicateur_code for r in rows})
    frame = pd.DataFrame(
        {
            "indicateur_code": [r.indicateur_code for r in rows],
            "territoire_code": [r.territoire_code for r in rows],
            "annee": pd.Series([int(r.annee) for r in rows], dtype="int64"),
            "periode": [r.periode for r in rows],
            "valeur": pd.Series([r.valeur for r in rows], dtype="float64"),
            "cible": pd.Series([r.cible for r in rows], dtype="float64"),
            "source": [r.source if r.source is not None else source for r in rows],
            "commentaire": [r.commentaire for r in rows],
            "supprime": [bool(r.supprime) for r in rows],
            "enregistre_le": pd.to_datetime(pd.Series([r.enregistre_le for r in rows])),
        }
    )
    conn.register("_new_indicateur_valeur", frame)
    try:
        conn.execute(
            """
            INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, periode,
                valeur, cible, source, commentaire, supprime, auteur, enregistre_le, demo,
                import_id)
            SELECT indicateur_code, territoire_code, annee, periode, valeur, cible,
                   CAST(source AS VARCHAR), CAST(commentaire AS VARCHAR), supprime, ?,
                   coalesce(CAST(enregistre_le AS TIMESTAMP), current_localtimestamp()), ?, ?
            FROM _new_indicateur_valeur
            """,
            [user.login, demo, import_id],
        )
    finally:
        conn.unregister("_new_indicateur_valeur")
    return len(rows)


def record_values(
    conn: Connection,
    user: auth.User,
    rows: Sequence[ValueRow],
    *,
    source: str | None = None,
    import_id: int | None = None,
) -> int:
    """Record values (replacing, never erasing, the current ones) in one journaled transaction.

    Staff record any indicator; a porteur account only those its porteurs supply.
    """
    rows = list(rows)
    auth.require(user, "porteur")
    if not rows:
        return 0
    with transaction(conn):
        sample = rows[:JOURNAL_ROWS_MAX]
        before = current_values(
            conn,
            date.max,
            indicateurs=sorted({r.indicateur_code for r in sample}),
            territoires=sorted({r.territoire_code for r in sample}),
        )
        keys = {(r.indicateur_code, r.territoire_code, r.annee) for r in sample}
        ancien = [
            {k: _opt(v) for k, v in rec.items()}
            for rec in before[
                ["indicateur_code", "territoire_code", "annee", "valeur", "cible"]
            ].to_dict("records")
            if (rec["indicateur_code"], rec["territoire_code"], rec["annee"]) in keys
        ]
        n = append_values(conn, user, rows, source=source, import_id=import_id)
        nouveau = {
            "nb": n,
            "import_id": import_id,
            "valeurs": [{k: v for k, v in asdict(r).items() if v is not None} for r in sample],
        }
        journal.log(
            conn, user, "valeurs_indicateurs", f"{n} valeur(s) d'indicateur", ancien, nouveau
        )
    return n
