"""The initial follow-up state, read from the plan's own remarks.

The plan's document says things like "Engagé et à renforcer", "Première étape à engager",
"À valider", or "oui" in a territory's column. `suivi_initial.csv` (beside the plan's files) maps
such words to a status or an engagement level, so another plan brings its own mapping:

    type,colonne,motif,valeur,avancement
    statut,calendrier,engage et a renforcer,En cours,
    engagement,territoire,oui,Engagée,

`type` is `statut` (looked for in the action's `calendrier` or `observations`) or `engagement`
(looked for in each territory's cell). `motif` is matched as whole words, ignoring case and
accents; the first matching line of the file wins. The records are dated at the plan's date
(`date_plan` in plan_meta.csv) and their source is "plan <année> (document de travail)".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ptlcd_data.errors import PlanDataError
from ptlcd_data.store import Connection
from ptlcd_data.vocabulary import AUTEUR_PLAN, NIVEAUX, STATUTS, source_plan

MAPPING_FILE = "suivi_initial.csv"
COLUMNS = ("type", "colonne", "motif", "valeur", "avancement")
STATUT_COLUMNS = ("calendrier", "observations")


@dataclass(frozen=True)
class Regle:
    """One line of suivi_initial.csv."""

    type: str
    colonne: str
    motif: str
    valeur: str
    avancement: int | None


def fold(text: pd.Series) -> pd.Series:
    """Lower case, no accents, single spaces: 'Engagé  et' -> 'engage et'."""
    return (
        text.fillna("")
        .astype(str)
        .str.normalize("NFKD")
        .str.replace(r"[\u0300-\u036f]", "", regex=True)
        .str.lower()
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
    )


def read_regles(data_dir: Path) -> list[Regle]:
    """Read and check the mapping; a plan without the file has no initial follow-up state."""
    path = data_dir / MAPPING_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PlanDataError(f"{MAPPING_FILE} : colonne(s) manquante(s) : {', '.join(missing)}.")
        rows = list(enumerate(reader, start=2))
    regles = []
    for line, raw in rows:
        r = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(r.values()):
            continue
        where = f"{MAPPING_FILE}, ligne {line}"
        if r["type"] == "statut":
            if r["colonne"] not in STATUT_COLUMNS:
                raise PlanDataError(
                    f"{where}, colonne colonne : « {r['colonne']} » ; attendu "
                    f"{' ou '.join(f'« {c} »' for c in STATUT_COLUMNS)}."
                )
            allowed = STATUTS
        elif r["type"] == "engagement":
            if r["colonne"] != "territoire":
                raise PlanDataError(
                    f"{where}, colonne colonne : « {r['colonne']} » ; attendu « territoire »."
                )
            allowed = NIVEAUX
        else:
            raise PlanDataError(
                f"{where}, colonne type : « {r['type']} » ; attendu « statut » ou « engagement »."
            )
        if r["valeur"] not in allowed:
            raise PlanDataError(
                f"{where}, colonne valeur : « {r['valeur']} » ; valeurs possibles : "
                f"{', '.join(allowed)}."
            )
        if not fold(pd.Series([r["motif"]])).iloc[0]:
            raise PlanDataError(f"{where}, colonne motif : le motif est vide.")
        avancement = None
        if r["avancement"]:
            if not r["avancement"].isdigit() or int(r["avancement"]) > 100:
                raise PlanDataError(
                    f"{where}, colonne avancement : « {r['avancement']} » ; attendu un "
                    "nombre entier de 0 à 100."
                )
            avancement = int(r["avancement"])
        regles.append(Regle(r["type"], r["colonne"], r["motif"], r["valeur"], avancement))
    return regles


def _match(folded: pd.Series, motif: str) -> pd.Series:
    words = re.escape(fold(pd.Series([motif])).iloc[0])
    return folded.str.contains(rf"(?<![a-z0-9]){words}(?![a-z0-9])", regex=True)


def statuts_initiaux(actions: pd.DataFrame, regles: list[Regle]) -> pd.DataFrame:
    """First matching rule per action. Input: action_no, calendrier, observations.

    Returns action_no, statut, avancement, commentaire (the plan's text that matched).
    """
    found = pd.DataFrame(
        {"statut": None, "avancement": None, "commentaire": None}, index=actions.index
    )
    folded = {c: fold(actions[c]) for c in STATUT_COLUMNS}
    for regle in (r for r in regles if r.type == "statut"):
        hit = _match(folded[regle.colonne], regle.motif) & found["statut"].isna()
        found.loc[hit, "statut"] = regle.valeur
        found.loc[hit, "avancement"] = regle.avancement
        found.loc[hit, "commentaire"] = (
            f"D'après le plan ({regle.colonne}) : « " + actions.loc[hit, regle.colonne] + " »"
        )
    out = pd.concat([actions[["action_no"]], found], axis=1)
    return out[out["statut"].notna()].reset_index(drop=True)


def engagements_initiaux(cells: pd.DataFrame, regles: list[Regle]) -> pd.DataFrame:
    """First matching rule per cell. Input: action_no, territoire_code, texte.

    Returns action_no, territoire_code, niveau, commentaire; cells no rule matches are left out.
    """
    niveau = pd.Series(None, index=cells.index, dtype="object")
    folded = fold(cells["texte"])
    for regle in (r for r in regles if r.type == "engagement"):
        niveau = niveau.mask(_match(folded, regle.motif) & niveau.isna(), regle.valeur)
    out = cells[["action_no", "territoire_code"]].assign(
        niveau=niveau, commentaire="D'après le plan : « " + cells["texte"] + " »"
    )
    return out[out["niveau"].notna()].reset_index(drop=True)


def date_plan(conn: Connection) -> date:
    """The plan's date (plan_meta `date_plan`), in French if missing or malformed."""
    # fetchall: a half-read result would block the next use of the connection (DuckDB 2).
    rows = conn.execute("SELECT valeur FROM plan_meta WHERE cle = 'date_plan'").fetchall()
    text = str(rows[0][0]).strip() if rows else ""
    if not text:
        raise PlanDataError("plan_meta.csv : la clé date_plan (date du plan, AAAA-MM-JJ) manque.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PlanDataError(
            f"plan_meta.csv : date_plan « {text} » invalide ; attendu AAAA-MM-JJ."
        ) from None


def load_initial_state(conn: Connection, data_dir: Path) -> dict[str, int]:
    """Replace the records derived from the plan's remarks. Must run inside a transaction.

    Records made by users, imports and the demonstration generator are kept; only the plan's own
    records (author AUTEUR_PLAN) are rebuilt, since the plan itself has just been reloaded.
    """
    regles = read_regles(data_dir)
    conn.execute("DELETE FROM statut_record WHERE auteur = ? AND NOT demo", [AUTEUR_PLAN])
    conn.execute("DELETE FROM engagement_record WHERE auteur = ? AND NOT demo", [AUTEUR_PLAN])
    if not regles:
        return {"statuts initiaux": 0, "engagements initiaux": 0}
    jour = date_plan(conn)
    source = source_plan(jour)
    # The plan's remarks as the plan wrote them on its own date (its first version).
    actions = conn.execute(
        "SELECT action_no, calendrier, observations FROM plan_action(?) ORDER BY action_no",
        [jour],
    ).df()
    cells = conn.execute(
        "SELECT action_no, territoire_code, texte FROM plan_action_territoire(?) "
        "ORDER BY action_no, territoire_code",
        [jour],
    ).df()
    statuts = statuts_initiaux(actions, regles).assign(date_effet=jour, source=source)
    engagements = engagements_initiaux(cells, regles).assign(date_effet=jour, source=source)
    conn.register("initial_statuts", statuts)
    conn.register("initial_engagements", engagements)
    try:
        conn.execute(
            "INSERT INTO statut_record (action_no, date_effet, statut, avancement, commentaire, "
            "auteur, source, enregistre_le) "
            "SELECT action_no, date_effet, statut, CAST(avancement AS INTEGER), commentaire, ?, "
            "source, current_localtimestamp() FROM initial_statuts",
            [AUTEUR_PLAN],
        )
        conn.execute(
            "INSERT INTO engagement_record (action_no, territoire_code, date_effet, niveau, "
            "commentaire, auteur, source, enregistre_le) "
            "SELECT action_no, territoire_code, date_effet, niveau, commentaire, ?, source, "
            "current_localtimestamp() FROM initial_engagements",
            [AUTEUR_PLAN],
        )
    finally:
        conn.unregister("initial_statuts")
        conn.unregister("initial_engagements")
    return {"statuts initiaux": len(statuts), "engagements initiaux": len(engagements)}
