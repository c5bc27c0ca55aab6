"""The follow-up charts in words and in tables, for who cannot see them (RGAA 1.3, 1.7, 11.x).

Each chart gets a sentence with its key figures (its text alternative, `alt` of the chart) and,
where the page has none beside it, a table with the same data. Both are computed here from the
very frame the chart draws, so the words, the table and the picture cannot disagree. Pure
functions: no database, no Streamlit.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ptlcd_data import formats
from ptlcd_data.suivi.engagements import Grid
from ptlcd_data.vocabulary import NIVEAUX_AFFICHES, NIVEAUX_ENGAGES, STATUTS_AFFICHES


def _mix(counts: pd.DataFrame) -> str:
    """'En cours 7, Réalisé 18, À discuter 5': the non-zero statuses in their usual order."""
    totals = counts.groupby("statut")["nb"].sum()
    return ", ".join(
        f"{statut} {int(totals[statut])}"
        for statut in STATUTS_AFFICHES
        if statut in totals and totals[statut] > 0
    )


def statuts_par_axe_texte(counts: pd.DataFrame) -> str:
    """The stacked bars of statuses per axis, in words.

    `counts` has the columns axe_no, axe, statut, nb (`status_queries.status_counts_by_axis`)."""
    total = int(counts["nb"].sum())
    axes = list(dict.fromkeys(counts["axe_no"]))
    if total == 0:
        return "Statuts des actions par axe : aucune action."
    parts = [
        f"Statuts de {formats.count(total, 'action')} dans {formats.count(len(axes), 'axe')} "
        "(une barre par axe, un segment par "
        f"statut). Ensemble : {_mix(counts)}."
    ]
    for axe_no in axes:
        of_axe = counts[counts["axe_no"] == axe_no]
        parts.append(f"Axe {axe_no} : {_mix(of_axe) or 'aucune action'}.")
    return " ".join(parts)


def _label(jour: date, as_of: date) -> str:
    """How the evolution chart names a date: '31/12/2019', or 'Au 02/12/2026' for `as_of`."""
    text = formats.day(jour)
    return f"Au {text}" if jour == as_of and (jour.month, jour.day) != (12, 31) else text


def evolution_table(evolution: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per date of the evolution chart, one column per status present, and the total.

    `evolution` has the columns jour, statut, nb (`status_queries.status_counts_by_year_end`)."""
    df = evolution.assign(jour=pd.to_datetime(evolution["jour"]).dt.date)
    wide = df.pivot_table(index="jour", columns="statut", values="nb", aggfunc="sum", fill_value=0)
    shown = [s for s in STATUTS_AFFICHES if s in wide.columns and wide[s].sum() > 0]
    table = wide[shown].astype(int)
    table["Total"] = table.sum(axis=1)
    table.insert(0, "Date", [_label(j, as_of) for j in table.index])
    return table.reset_index(drop=True)


def evolution_texte(evolution: pd.DataFrame, as_of: date) -> str:
    """The status mix at each year end, in words: the first and last dates, and how many actions
    were « Réalisé » at each date."""
    table = evolution_table(evolution, as_of)
    if table.empty:
        return "Évolution des statuts : aucune date à montrer."
    jours = sorted(pd.to_datetime(evolution["jour"]).dt.date.unique())
    statuts = [c for c in table.columns if c not in ("Date", "Total")]

    def mix(row: pd.Series) -> str:
        return ", ".join(f"{s} {int(row[s])}" for s in statuts if row[s] > 0) or "aucune action"

    first, last = table.iloc[0], table.iloc[-1]
    if len(jours) == 1:
        text = f"Statuts des actions au {formats.day(jours[0])} : {mix(first)}. "
    else:
        text = (
            f"Statuts des actions à {len(jours)} dates, du {formats.day(jours[0])} au "
            f"{formats.day(jours[-1])} (une barre par date, un segment par statut). "
            f"Au {formats.day(jours[0])} : {mix(first)}. Au {formats.day(jours[-1])} : "
            f"{mix(last)}. "
        )
        if "Réalisé" in table.columns:
            text += "Actions « Réalisé », date après date : " + " → ".join(
                str(int(n)) for n in table["Réalisé"]
            )
            text += "."
    return text.strip()


def _when(value: date | pd.Timestamp | None, empty: str = "—") -> str:
    if value is None or pd.isna(value):
        return empty
    return formats.day(pd.Timestamp(value).date())


def _months(value: float | None) -> str:
    return formats.months(None if value is None or pd.isna(value) else float(value))


def calendrier_table(etat: pd.DataFrame) -> pd.DataFrame:
    """The whole Gantt as a table: one row per action, planned and actual dates in words.

    `etat` is what the Gantt is drawn from (`status_queries.calendar_actions`, same filters and order);
    an action with neither a planned calendar nor a start has no bar but has its row."""
    rows = []
    for r in etat.itertuples(index=False):
        if not pd.isna(r.fin_reelle):
            fin_reelle = _when(r.fin_reelle)
        elif r.statut == "Abandonné":
            fin_reelle = f"abandonnée le {_when(r.date_dernier)}"
        else:
            fin_reelle = "en cours" if not pd.isna(r.debut_reel) else "—"
        planned = r.calendrier_forme != "non planifiée"
        rows.append(
            {
                "N°": int(r.action_no),
                "Axe": f"{r.axe_no}. {r.axe}",
                "Action": r.action,
                "Calendrier du plan": r.calendrier or "non planifiée",
                "Début prévu": _when(r.debut_prevu) if planned else "—",
                "Fin prévue": _when(r.fin_prevue, "sans échéance") if planned else "—",
                "Début réel": _when(r.debut_reel, "pas commencée"),
                "Fin réelle": fin_reelle,
                "Statut": r.statut,
                "En retard": "oui" if r.en_retard else "non",
                "Glissement du début": _months(r.glissement_debut_mois),
                "Glissement de la fin": _months(r.glissement_fin_mois),
            }
        )
    return pd.DataFrame(rows, columns=list(CALENDRIER_COLUMNS))


CALENDRIER_COLUMNS = (
    "N°",
    "Axe",
    "Action",
    "Calendrier du plan",
    "Début prévu",
    "Fin prévue",
    "Début réel",
    "Fin réelle",
    "Statut",
    "En retard",
    "Glissement du début",
    "Glissement de la fin",
)


def gantt_texte(etat: pd.DataFrame, as_of: date) -> str:
    """The Gantt in words: how many actions, planned, started, late; the largest slippage."""
    n = len(etat)
    if n == 0:
        return "Calendrier : aucune action."
    planned = int((etat["calendrier_forme"] != "non planifiée").sum())
    started = int(etat["debut_reel"].notna().sum())
    late = int(etat["en_retard"].sum())
    text = (
        f"Calendrier de {n} action(s) au {formats.day(as_of)}, une ligne par action, groupées "
        f"par axe : {planned} ont un calendrier prévu (barre grise), {started} ont commencé "
        f"(barre de la couleur de leur statut) ; {late} en retard."
    )
    slips = etat["glissement_fin_mois"].dropna()
    if not slips.empty and slips.max() > 0:
        worst = etat.loc[slips.idxmax()]
        text += (
            f" Plus grand glissement de la fin : {_months(worst['glissement_fin_mois'])} "
            f"(action n° {int(worst['action_no'])})."
        )
    return text


def engagement_texte(grid: Grid) -> str:
    """The actions × territories matrix in words: per territory, how many actions it is engaged
    in or has carried out; and how many cells say nothing (`engagements.grid`, as drawn)."""
    per = ", ".join(
        f"{t} {sum(row[j] in NIVEAUX_ENGAGES for row in grid.niveaux)}"
        for j, t in enumerate(grid.territoires)
    )
    unknown = sum(row.count(NIVEAUX_AFFICHES[0]) for row in grid.niveaux)
    return (
        f"Matrice de {formats.count(len(grid.actions), 'action')} × "
        f"{formats.count(len(grid.territoires), 'territoire')}, le niveau "
        f"d'engagement écrit dans chaque case. Actions où le territoire est engagé ou a réalisé "
        f"l'action : {per}. Cases « {NIVEAUX_AFFICHES[0]} » : {unknown}."
    )


# A cell of the engagement matrix, as it draws it: its columns, and the words of its tooltip
# (column, title) in order: the row, the whole wording, the territory, the level, since when.
CELL_COLUMNS = ("ligne", "territoire", "niveau", "libelle", "depuis")
CELL_WORDS = (
    ("ligne", "Action"),
    ("libelle", "Libellé"),
    ("territoire", "Territoire"),
    ("niveau", "Niveau"),
    ("depuis", "Depuis le"),
)
ROW_LABEL_CHARS = 40


def engagement_points(grid: Grid) -> pd.DataFrame:
    """The cells of the engagement matrix as it draws them, one row per action × territory, in
    the plan's order (CELL_COLUMNS): ligne (the row's label, « n° 3 · » and the start of the
    wording), territoire, niveau, libelle (the whole wording), depuis (since when). Each word
    once: a thousand cells are sent to the browser at every display."""
    rows = []
    for (number, wording), levels, dates in zip(
        grid.actions, grid.niveaux, grid.depuis, strict=True
    ):
        text = " ".join(str(wording).split())
        short = text if len(text) <= ROW_LABEL_CHARS else text[: ROW_LABEL_CHARS - 1].rstrip() + "…"
        ligne = f"n° {number} · {short}"
        for territoire, niveau, depuis in zip(grid.territoires, levels, dates, strict=True):
            rows.append((ligne, territoire, niveau, text, depuis))
    return pd.DataFrame(rows, columns=list(CELL_COLUMNS))
