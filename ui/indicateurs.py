"""Indicators on screen: French tables, downloads, and the panel of an objective's indicators.

`objective_panel()` is what the Fiche action page (and the review mode) shows under an action:
the current value, target, progress, trend and alerts of each indicator of its objective.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ptlcd_data import exports, formats
from ptlcd_data.indicateurs import descriptions, valeurs
from ptlcd_data.indicateurs.rules import (
    PROGRESS_FORMULA,
    PROGRESS_FORMULA_SHORT,
    SENS_LABELS,
    format_value,
)
from ptlcd_data.plan import queries
from ui import charts, data, indicator_charts, widgets

# The key of the expander that holds `objective_panel` on a page ("fiche", "revue"): the panel
# is computed only while it is open.
PANEL_KEY = "{}_indicateurs_ouverts"
# Alerts listed one by one under the summary; beyond, the summary table still shows them all.
ALERTS_LISTED = 25
# Territories in the panel under an action; beyond, the user chooses which (Indicateurs shows all).
MAX_PANEL_TERRITORIES = 30
PROGRESS_LATEX = (
    r"\text{avancement} = 100 \times "
    r"\frac{\text{valeur actuelle} - \text{valeur initiale}}{\text{cible} - \text{valeur initiale}}"
)


def _with_year(value: float | None, year: float | None, unite: str) -> str:
    if year is None or pd.isna(year):
        return "—"
    return f"{format_value(value, unite)} ({int(year)})"


# Alerts are sentences: give them room rather than a cut-off cell.
SUMMARY_COLUMNS = {"Alertes": st.column_config.TextColumn("Alertes", width="large")}


def progress_text(percent: float, note: str) -> str:
    if pd.isna(percent):
        return f"— ({note})" if note else "—"
    text = formats.percent(percent)
    return f"{text} ({note})" if note else text


def alerts_text(alertes: list[str]) -> str:
    return " · ".join(alertes) if alertes else "aucune"


DISPLAY_SOURCE = [
    "territoire",
    "unite",
    "valeur_initiale",
    "annee_initiale",
    "valeur_actuelle",
    "annee_actuelle",
    "cible_finale",
    "annee_cible",
    "avancement",
    "avancement_note",
    "tendance",
    "alertes",
]


def summary_display(summary: pd.DataFrame, *, with_alerts: bool = True) -> pd.DataFrame:
    """The summary of `valeurs.series_summary` as French text, one row per series."""
    rows = []
    # Only the columns shown: iterating every column (lists included) costs more than the rest.
    for r in summary[DISPLAY_SOURCE].itertuples(index=False):
        row = {
            "Territoire": r.territoire,
            "Valeur initiale": _with_year(r.valeur_initiale, r.annee_initiale, r.unite),
            "Valeur actuelle": _with_year(r.valeur_actuelle, r.annee_actuelle, r.unite),
            "Cible": _with_year(r.cible_finale, r.annee_cible, r.unite),
            "Avancement": progress_text(r.avancement, r.avancement_note),
            "Tendance": r.tendance,
        }
        if with_alerts:
            row["Alertes"] = alerts_text(r.alertes)
        rows.append(row)
    return pd.DataFrame(rows)


def summary_export(summary: pd.DataFrame) -> pd.DataFrame:
    """The same summary with numbers left as numbers, for a spreadsheet."""
    return pd.DataFrame(
        {
            "Code indicateur": summary["indicateur_code"],
            "Indicateur": summary["libelle"],
            "Territoire": summary["territoire"],
            "Année initiale": summary["annee_initiale"].astype("Int64"),
            "Valeur initiale": summary["valeur_initiale"],
            "Année actuelle": summary["annee_actuelle"].astype("Int64"),
            "Valeur actuelle": summary["valeur_actuelle"],
            "Année de la cible": summary["annee_cible"].astype("Int64"),
            "Cible": summary["cible_finale"],
            "Avancement (%)": summary["avancement"].round(1),
            "Note": summary["avancement_note"],
            "Tendance": summary["tendance"],
            "Alertes": summary["alertes"].map(alerts_text),
        }
    )


def _value_text(values: pd.DataFrame, unite: str) -> dict[str, pd.Series]:
    """Where, which year, the value and its target, as French text."""
    return {
        "Territoire": values["territoire"],
        "Année": values["annee"].map(lambda y: str(int(y))),
        "Valeur": values["valeur"].map(lambda v: format_value(v, unite)),
        "Cible": values["cible"].map(lambda v: format_value(v, unite)),
    }


def _recording_text(values: pd.DataFrame) -> dict[str, pd.Series]:
    """The comment of a recorded value, how it came, by whom and when, as French text."""
    return {
        "Commentaire": values["commentaire"].fillna(""),
        "Provenance": values["provenance"],
        "Enregistré par": values["auteur"],
        "Enregistré le": values["enregistre_le"].map(formats.timestamp),
    }


def _value_numbers(values: pd.DataFrame) -> dict[str, pd.Series]:
    """Year, value, target and source, numbers left as numbers (for a spreadsheet)."""
    return {
        "Année": values["annee"].astype("int64"),
        "Valeur": values["valeur"],
        "Cible": values["cible"],
        "Source": values["source"],
    }


def values_display(values: pd.DataFrame, unite: str) -> pd.DataFrame:
    """Current values with their provenance, as French text."""
    return pd.DataFrame(
        {
            **_value_text(values, unite),
            "Source": values["source"].fillna(""),
            **_recording_text(values),
        }
    )


def values_export(values: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Code indicateur": values["indicateur_code"],
            "Territoire": values["territoire"],
            "Code territoire": values["territoire_code"],
            **_value_numbers(values),
            "Commentaire": values["commentaire"],
            "Provenance": values["provenance"],
            "Enregistré par": values["auteur"],
            "Enregistré le": values["enregistre_le"],
        }
    )


def latest_year(summary: pd.DataFrame) -> str:
    year = summary["annee_actuelle"].max()
    return "—" if pd.isna(year) else str(int(year))


def small_multiples_export(series: pd.DataFrame) -> pd.DataFrame:
    """The points of the small multiples, numbers left as numbers."""
    return pd.DataFrame(
        {
            "Code indicateur": series["indicateur_code"],
            "Indicateur": series["libelle"],
            "Unité": series["unite"],
            **_value_numbers(series),
        }
    )


def history_display(history: pd.DataFrame, unite: str) -> pd.DataFrame:
    def state(row: pd.Series) -> str:
        if row["supprime"]:
            return "retirée"
        return "actuelle" if row["actuelle"] else "remplacée"

    return pd.DataFrame(
        {
            **_value_text(history, unite),
            "État": history.apply(state, axis=1) if not history.empty else [],
            **_recording_text(history),
        }
    )


def downloads(
    name: str, csv_table: pd.DataFrame, sheets: dict[str, pd.DataFrame], *, key: str
) -> None:
    """Two buttons: the main table in CSV, every sheet in one XLSX workbook, each file built
    when its button is clicked (the workbook cost a fifth of a second at every display)."""
    stem = exports.safe_filename(name)
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(
        "Télécharger (CSV)",
        data=lambda: exports.to_csv_bytes(csv_table),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    c2.download_button(
        "Télécharger (XLSX)",
        data=lambda: exports.workbook_bytes(sheets),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def summary_table(as_of: date, code: str) -> pd.DataFrame:
    """The summary of one indicator in words (`summary_display`), for `data.derived`."""
    return summary_display(data.query(valeurs.series_summary, as_of, indicateurs=(code,)))


def chart_values(as_of: date, code: str, territoires: tuple[str, ...]) -> pd.DataFrame:
    """The values of one indicator in `territoires`, one more than MAX_CHART_POINTS at most (a
    longer table says that the chart stops there)."""
    return data.query(
        valeurs.current_values,
        as_of,
        indicateurs=(code,),
        territoires=territoires,
        limit=valeurs.MAX_CHART_POINTS + 1,
    )


def territory_chart(
    as_of: date, code: str, territoires: tuple[str, ...], unite: str
) -> tuple[charts.VegaChart, str, pd.DataFrame]:
    """The panels of one indicator in `territoires`, their sentence, and the values shown in
    words (for `data.derived`: built once per revision and choice)."""
    values = chart_values(as_of, code, territoires).head(valeurs.MAX_CHART_POINTS)
    return (
        indicator_charts.territory_panels(values, unite),
        descriptions.territory_panels_texte(values, code, unite),
        values_display(values, unite),
    )


def show_formula() -> None:
    st.latex(PROGRESS_LATEX)
    st.caption(PROGRESS_FORMULA)


def show_alerts(summary: pd.DataFrame) -> None:
    """The alerts in words, territory by territory; a success message when there are none."""
    flagged = summary[summary["alertes"].map(len) > 0]
    if flagged.empty:
        st.success("Aucune alerte : valeurs à jour, tendance conforme au sens, cibles tenues.")
        return
    listed = flagged.head(ALERTS_LISTED)
    lines = [
        f"- **{widgets.escape_md(territoire)}** : {widgets.escape_md(' '.join(found))}"
        for territoire, found in zip(
            listed["territoire"].tolist(), listed["alertes"].tolist(), strict=True
        )
    ]
    more = len(flagged) - ALERTS_LISTED
    if more > 0:
        lines.append(f"- … et {more} autre(s) territoire(s) en alerte (voir le tableau).")
    st.warning("\n".join(lines), icon=":material/warning:")


def objective_panel(
    objectif_code: str,
    *,
    key: str,
    as_of: date | None = None,
    territoires: tuple[str, ...] | None = None,
) -> None:
    """The indicators of one objective: per indicator, its current value, target, progress and
    trend by territory, then its alerts in words. `key` keeps widget keys unique on a page."""
    as_of = as_of or widgets.as_of()
    catalogue = data.query(valeurs.catalogue, as_of)
    of_objective = catalogue[catalogue["objectif_code"] == objectif_code]
    if of_objective.empty:
        st.info("Le plan ne fixe pas d'indicateur pour cet objectif.")
        return
    if territoires is None:
        every = data.query(queries.territoire_labels, as_of=as_of)
        territoires = widgets.bounded_territories(
            every,
            limit=MAX_PANEL_TERRITORIES,
            key=f"{key}_territoires",
            label="Territoires affichés",
        )
        if territoires:
            st.caption(
                f"Le plan compte {len(every)} territoires : les indicateurs ci-dessous en montrent "
                f"{len(territoires)} (au plus {MAX_PANEL_TERRITORIES}). La page Indicateurs les "
                "montre tous."
            )
    summary = data.query(
        valeurs.series_summary,
        as_of,
        objectif_code=objectif_code,
        territoires=territoires or None,
    )
    st.caption(f"Valeurs connues au {formats.day(as_of)}, par territoire. {PROGRESS_FORMULA_SHORT}")
    for ind in of_objective.itertuples(index=False):
        st.markdown(
            f"**{widgets.escape_md(ind.code)}** — {widgets.escape_md(ind.libelle)} "
            f"· {widgets.escape_md(ind.unite)} · {SENS_LABELS.get(ind.sens, ind.sens)}"
        )
        of_ind = summary[summary["indicateur_code"] == ind.code]
        if of_ind.empty:
            st.caption(f"Aucune valeur enregistrée au {formats.day(as_of)}.")
            continue
        widgets.table(
            summary_display(of_ind, with_alerts=False),
            key=f"{key}_indicateur_{ind.code}",
            placeholder=None,
        )
        show_alerts(of_ind)
    st.page_link(
        "app_pages/indicateurs.py",
        label="Voir les courbes de ces indicateurs",
        icon=":material/show_chart:",
        query_params={"objectif": objectif_code},
    )
