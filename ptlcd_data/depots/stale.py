"""Has the base moved under a dépôt? The values it would overwrite, compared again.

A dépôt keeps the before → after computed when it was verified. Publishing it must write exactly
that: each of its rows is compared again with the base now (`imports.verify.DIFFS`, on the parsed
rows it keeps), and a row whose state or former values changed since is named, in French.
"""

from __future__ import annotations

from ptlcd_data.imports.preview import PREVIEW_FIELDS
from ptlcd_data.imports.verify import DIFFS, PARSED, Check
from ptlcd_data.store import Connection

# How a row is named in the refusal (columns of each kind's diff).
_OBJET = {
    "indicateurs": "'indicateur ' || d.indicateur_code || ' · ' || d.territoire || ' · ' || d.annee",
    "avancement": "'action ' || d.action_no || ' au ' || strftime(d.date_effet, '%d/%m/%Y')",
    "engagement": "'action ' || d.action_no || ' · ' || d.territoire",
}


def stale_rows(conn: Connection, check: Check) -> list[str]:
    """What changed in the base under the dépôt's rows (none ignored), one French phrase each."""
    out: list[str] = []
    for kind, parsed in check.rows.items():
        if kind not in check.diff:
            continue
        conn.register(PARSED[kind], parsed)
        try:
            now = DIFFS[kind](conn)
        finally:
            conn.unregister(PARSED[kind])
        conn.register("ptlcd_then", check.diff[kind])
        conn.register("ptlcd_now", now)
        try:
            changed = " OR ".join(
                f"d.ancien_{key} IS DISTINCT FROM n.ancien_{key}" for key, _ in PREVIEW_FIELDS[kind]
            )
            rows = conn.execute(
                f"""
                SELECT {_OBJET[kind]} FROM ptlcd_then d
                LEFT JOIN ptlcd_now n ON n.feuille = d.feuille AND n.ligne = d.ligne
                WHERE d.etat <> 'ignoré'
                  AND (n.etat IS NULL OR d.etat IS DISTINCT FROM n.etat OR {changed})
                ORDER BY d.feuille, d.ligne
                """  # noqa: S608 - fixed fragments
            ).fetchall()
        finally:
            conn.unregister("ptlcd_then")
            conn.unregister("ptlcd_now")
        out += [str(r[0]) for r in rows]
    return out
