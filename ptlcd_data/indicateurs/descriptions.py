"""The indicator charts in words: the sentence that is each chart's text alternative (RGAA 1.3).

Computed from the frame the chart draws (its first and last value and its latest target per
panel), so the words and the picture cannot disagree; the table of the same values sits beside
the chart on the page. Pure functions: no database, no Streamlit.
"""

from __future__ import annotations

import pandas as pd

from ptlcd_data.indicateurs.rules import format_value

# Panels described one by one; beyond, the sentence says how many more (the table has them all).
PANELS_DESCRIBED = 12


def _panel(d: pd.DataFrame, unite: str) -> str:
    """'120 en 2017, 150 en 2022 ; cible 160 en 2022' for one panel's rows (annee, valeur, cible)."""
    measured = d[d["valeur"].notna()].sort_values("annee")
    targeted = d[d["cible"].notna()].sort_values("annee")
    parts = []
    if measured.empty:
        parts.append("aucune valeur")
    else:
        first, last = measured.iloc[0], measured.iloc[-1]
        parts.append(f"{format_value(first['valeur'], unite)} en {int(first['annee'])}")
        if len(measured) > 1:
            parts.append(f"{format_value(last['valeur'], unite)} en {int(last['annee'])}")
    text = ", ".join(parts)
    if not targeted.empty:
        target = targeted.iloc[-1]
        text += f" ; cible {format_value(target['cible'], unite)} en {int(target['annee'])}"
    return text


def _more(n: int) -> str:
    return f" Et {n} autre(s) : voir le tableau." if n > 0 else ""


def territory_panels_texte(values: pd.DataFrame, code: str, unite: str) -> str:
    """One indicator, one panel per territory. `values` has the columns territoire, annee,
    valeur, cible (`valeurs.current_values`)."""
    territories = list(dict.fromkeys(values["territoire"]))
    years = values["annee"].dropna()
    if years.empty:
        return f"{code} : aucune valeur à tracer."
    head = (
        f"{code}, de {int(years.min())} à {int(years.max())}, dans {len(territories)} "
        "territoire(s) : un graphique par territoire, la valeur réalisée en trait plein, la "
        "cible en tirets."
    )
    panels = [
        f"{t} : {_panel(values[values['territoire'] == t], unite)}."
        for t in territories[:PANELS_DESCRIBED]
    ]
    return " ".join([head, *panels]) + _more(len(territories) - PANELS_DESCRIBED)


def small_multiples_texte(series: pd.DataFrame, territoire: str) -> str:
    """Every indicator of an axis in one territory, one panel each. `series` has the columns
    indicateur_code, unite, annee, valeur, cible (`valeurs.small_multiples`)."""
    codes = list(dict.fromkeys(series["indicateur_code"]))
    head = (
        f"{len(codes)} indicateur(s) à {territoire} : un graphique par indicateur, la valeur "
        "réalisée en trait plein, la cible en tirets."
    )
    panels = []
    for code in codes[:PANELS_DESCRIBED]:
        d = series[(series["indicateur_code"] == code) & series["annee"].notna()]
        unite = str(series.loc[series["indicateur_code"] == code, "unite"].iloc[0])
        panels.append(f"{code} : {_panel(d, unite) if not d.empty else 'aucune valeur'}.")
    return " ".join([head, *panels]) + _more(len(codes) - PANELS_DESCRIBED)


# The two series of the territory panels, as their legend names them, and the words of a point.
VALUE_LABEL = "Réalisé (trait plein)"
TARGET_LABEL = "Cible (tirets)"
POINT_WORDS = ("Territoire", "Année", "Réalisé", "Cible", "Source")


def territory_points(values: pd.DataFrame, unite: str) -> pd.DataFrame:
    """The points of one indicator's panels by territory (`values` as for
    `territory_panels_texte`, with its column source), one row per value or target drawn:
    panel (the territory), annee, serie (VALUE_LABEL or TARGET_LABEL), v, last (the last target
    of its panel, where the word « cible » is written), then the point's words in French, what
    its tooltip shows (POINT_WORDS)."""
    last_target = values[values["cible"].notna()].groupby("territoire")["annee"].max()
    rows = []
    for r in values.itertuples(index=False):
        words = {
            "Territoire": str(r.territoire),
            "Année": str(int(r.annee)),
            "Réalisé": format_value(r.valeur, unite),
            "Cible": format_value(r.cible, unite),
            "Source": "non renseignée" if pd.isna(r.source) or not r.source else str(r.source),
        }
        point = {"panel": str(r.territoire), "annee": int(r.annee)}
        if not pd.isna(r.valeur):
            rows.append(
                {**point, "serie": VALUE_LABEL, "v": float(r.valeur), "last": False, **words}
            )
        if not pd.isna(r.cible):
            last = bool(last_target.get(r.territoire) == r.annee)
            rows.append(
                {**point, "serie": TARGET_LABEL, "v": float(r.cible), "last": last, **words}
            )
    return pd.DataFrame(rows, columns=["panel", "annee", "serie", "v", "last", *POINT_WORDS])
