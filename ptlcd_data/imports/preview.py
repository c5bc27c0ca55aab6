"""The preview of Vérifier: every cell that publishing would change, old → new, in French."""

from __future__ import annotations

import pandas as pd

from ptlcd_data import formats
from ptlcd_data.imports.verify import Check

PREVIEW_FIELDS = {
    "indicateurs": (
        ("valeur", "Valeur"),
        ("cible", "Cible"),
        ("source", "Source"),
        ("commentaire", "Commentaire"),
    ),
    "avancement": (
        ("statut", "Statut"),
        ("avancement", "Avancement (%)"),
        ("commentaire", "Commentaire"),
    ),
    "engagement": (("niveau", "Engagement"),),
}


def changes(check: Check, limit: int | None = None) -> pd.DataFrame:
    """Every cell that publishing would change: feuille, ligne, objet, champ, ancien, nouveau."""
    import duckdb

    frames = []
    with duckdb.connect() as con:
        for kind, table in check.diff.items():
            con.register("d", table)
            objet = {
                "indicateurs": "indicateur_code || ' · ' || territoire || ' · ' || annee",
                "avancement": "'action ' || action_no || ' · ' || strftime(date_effet, '%d/%m/%Y')",
                "engagement": "'action ' || action_no || ' · ' || territoire",
            }[kind]
            parts = [
                f"SELECT feuille, ligne, {n} AS ordre, {objet} AS objet, '{label}' AS champ, "  # noqa: S608 - fixed fragments
                f"CAST(ancien_{key} AS VARCHAR) AS ancien, CAST(nouveau_{key} AS VARCHAR) AS nouveau "
                f"FROM d WHERE etat IN ('créé', 'modifié') "
                f"AND ancien_{key} IS DISTINCT FROM nouveau_{key}"
                for n, (key, label) in enumerate(PREVIEW_FIELDS[kind])
            ]
            sql = " UNION ALL ".join(parts) + " ORDER BY feuille, ligne, ordre"
            if limit:
                sql += f" LIMIT {int(limit)}"
            frames.append(con.sql(sql).df().drop(columns="ordre"))  # noqa: S608 - fixed fragments
            con.unregister("d")
    if not frames:
        return pd.DataFrame(columns=["feuille", "ligne", "objet", "champ", "ancien", "nouveau"])
    out = pd.concat(frames, ignore_index=True)
    if limit:
        out = out.head(limit)
    numeric = out["champ"].isin(["Valeur", "Cible"])
    for col in ("ancien", "nouveau"):
        out.loc[numeric, col] = out.loc[numeric, col].map(french_number)
    return out


def french_number(text: object) -> object:
    """'1234.5' -> '1 234,5' (thin no-break space), '10.0' -> '10'; None stays None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    value = float(str(text))
    decimals = 0 if value.is_integer() else min(len(repr(value).split(".")[-1]), 6)
    return formats.number(value, decimals)
