"""Indicateurs: one indicator per territory against its target, or all indicators of an axis."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ptlcd_data import formats
from ptlcd_data.indicateurs import descriptions, valeurs
from ptlcd_data.indicateurs.catalogue import catalogue_tree
from ptlcd_data.indicateurs.rules import SENS_LABELS
from ptlcd_data.plan import queries
from ui import charts, data, indicator_charts, session, widgets
from ui import indicateurs as ui_ind

session.page_requires("lecture")

# Territory panels drawn by default; more can be chosen, the summary table lists them all.
MAX_TERRITORY_PANELS = 12
# Panels of the axis view: beyond this the page would be a long scroll of unreadable charts.
MAX_SMALL_MULTIPLES = 30

EVOLUTION, AVANCEMENT, VALEURS = (
    "Évolution par territoire",
    "Avancement vers la cible",
    "Valeurs et provenance",
)
VIEW_KEY = "ind_onglet"
# The territories charted for an indicator, kept apart from their field (see `_chosen`).
_KEPT = "_ind_traces_{}"


def _chosen(code: str, summary: pd.DataFrame) -> tuple[str, ...]:
    """The territories charted (and listed with their values): the first MAX_TERRITORY_PANELS
    until others are chosen in the « Territoires tracés » field of the Évolution tab. Kept under
    a key of its own: Streamlit forgets a field's value when a run does not draw it (another
    tab open)."""
    options = list(summary["territoire_code"])
    kept = st.session_state.get(_KEPT.format(code))
    still = tuple(t for t in kept or () if t in options)
    # None chosen yet, or none of those chosen still offered (another date): the first ones.
    return still if still or kept == [] else tuple(options[:MAX_TERRITORY_PANELS])


def _evolution(code: str, summary: pd.DataFrame, unite: str) -> None:
    """The chosen territories' panels: each value and its target, year by year."""
    st.subheader(EVOLUTION, anchor=False)
    options = list(summary["territoire_code"])
    names = dict(zip(summary["territoire_code"], summary["territoire"], strict=True))
    # In a popover, drawn when opened: a dozen chosen names in a list field cost the page's
    # every display some 40 ms in the browser.
    chooser = st.popover(
        f"Territoires tracés ({len(options)} renseignés)", icon=":material/filter_list:"
    )
    key = f"ind_territoires_{code}"
    if key not in st.session_state:
        st.session_state[key] = list(_chosen(code, summary))
    chosen = chooser.multiselect(
        "Territoires tracés",
        select_all=False,
        options=options,
        format_func=lambda t: names[t],
        key=key,
        placeholder="Choisissez des territoires",
        # Kept at the change itself: a click on another tab may come before this part reruns.
        on_change=lambda: st.session_state.update({_KEPT.format(code): st.session_state[key]}),
    )
    st.session_state[_KEPT.format(code)] = list(chosen)
    if not chosen:
        st.info("Choisissez au moins un territoire pour tracer ses valeurs.")
        return
    if len(ui_ind.chart_values(as_of, code, tuple(chosen))) > valeurs.MAX_CHART_POINTS:
        st.caption(
            f"Seuls les {formats.number(valeurs.MAX_CHART_POINTS)} premiers points sont "
            "tracés : choisissez moins de territoires."
        )
    figure, alt, _ = data.derived(ui_ind.territory_chart, as_of, code, tuple(chosen), unite)
    charts.show_vega(figure, key="ind_chart", alt=alt)
    st.caption(
        "Trait plein et ronds : valeur réalisée. Tirets et losanges : cible de l'année. "
        f"Survolez un point pour la valeur, la cible et la source ; l'onglet « {VALEURS} » "
        "les donne toutes."
    )


def _avancement(code: str, summary: pd.DataFrame) -> None:
    """Where each territory stands against its target, in words, and the alerts."""
    st.subheader(AVANCEMENT, anchor=False)
    ui_ind.show_formula()
    st.dataframe(
        data.derived(ui_ind.summary_table, as_of, code),
        hide_index=True,
        width="stretch",
        column_config=ui_ind.SUMMARY_COLUMNS,
    )
    ui_ind.show_alerts(summary)


def _valeurs(code: str, summary: pd.DataFrame, unite: str) -> None:
    """The values of the charted territories with their provenance, the downloads, and every
    record made (replaced values included)."""
    st.subheader(VALEURS, anchor=False)
    chosen = _chosen(code, summary)
    if not chosen:
        st.info(f"Choisissez au moins un territoire dans l'onglet « {EVOLUTION} ».")
        return
    values = ui_ind.chart_values(as_of, code, chosen)
    if len(values) > valeurs.MAX_CHART_POINTS:
        values = values.head(valeurs.MAX_CHART_POINTS)
        st.caption(
            f"Seules les {formats.number(valeurs.MAX_CHART_POINTS)} premières valeurs sont "
            "listées : choisissez moins de territoires."
        )
    _, _, values_shown = data.derived(ui_ind.territory_chart, as_of, code, chosen, unite)
    st.caption(
        f"Les territoires tracés dans l'onglet « {EVOLUTION} » ({len(chosen)}), valeur par valeur."
    )
    st.dataframe(values_shown, hide_index=True, width="stretch")
    ui_ind.downloads(
        f"indicateur_{code}_{as_of.isoformat()}",
        ui_ind.values_export(values),
        {
            "Synthèse": ui_ind.summary_export(summary[summary["territoire_code"].isin(chosen)]),
            "Valeurs": ui_ind.values_export(values),
        },
        key="ind_dl",
    )
    if box := widgets.lazy_expander(
        "Historique des enregistrements (valeurs remplacées comprises)", key="ind_historique"
    ):
        history = data.query(valeurs.value_history, as_of, code, territoires=chosen)
        box.dataframe(ui_ind.history_display(history, unite), hide_index=True, width="stretch")


as_of = widgets.as_of()
st.title("Indicateurs", anchor=False)
catalogue = data.query(catalogue_tree, as_of=as_of)
if not catalogue:
    st.info("Le plan ne définit aucun indicateur (fichier indicateurs.csv).")
    st.stop()

# A link (?indicateur=I4.1.b or ?objectif=4.1) chooses once; afterwards the selectors rule.
link = st.query_params.get("indicateur") or st.query_params.get("objectif")
if link != st.session_state.get("_ind_link"):
    st.session_state["_ind_link"] = link
    hit = catalogue.find(link)
    if hit is not None:
        st.session_state["ind_axe"] = hit.axe_no
        st.session_state["ind_objectif"] = hit.objectif_code
        st.session_state["ind_code"] = hit.code
if "objectif" in st.query_params:
    del st.query_params["objectif"]  # from here on the URL names the indicator shown

axe_labels = catalogue.axes()
c1, c2, c3 = st.columns([2, 3, 4])
axe_no = widgets.kept_choice(
    c1, "Axe", axe_labels, key="ind_axe", format_func=lambda n: f"{n}. {axe_labels[n]}"
)
obj_labels = catalogue.objectifs(axe_no)
objectif = widgets.kept_choice(
    c2, "Objectif", obj_labels, key="ind_objectif", format_func=lambda c: f"{c} {obj_labels[c]}"
)
of_obj = catalogue.of_objectif(objectif)
code = widgets.kept_choice(
    c3, "Indicateur", of_obj, key="ind_code", format_func=lambda c: f"{c} — {of_obj[c].libelle}"
)
st.query_params["indicateur"] = code
st.session_state["_ind_link"] = code

vue = st.radio(
    "Vue",
    ["Un indicateur", "Tous les indicateurs de l'axe"],
    horizontal=True,
    key="ind_vue",
    label_visibility="collapsed",
)

if vue == "Un indicateur":
    ind = of_obj[code]
    unite, sens = ind.unite, ind.sens
    st.header(f"{widgets.escape_md(code)} — {widgets.escape_md(ind.libelle)}", anchor=False)
    st.caption(
        f"Unité : {widgets.escape_md(unite)} · {SENS_LABELS.get(sens, sens).capitalize()} · "
        f"valeurs connues au {formats.day(as_of)}"
    )
    summary = data.query(valeurs.series_summary, as_of, indicateurs=(code,))
    if summary.empty:
        st.info(
            f"Aucune valeur n'est enregistrée pour cet indicateur au {formats.day(as_of)} : "
            "il n'y a rien à tracer. Les valeurs arrivent par import ou par saisie ; si elles "
            "ont été enregistrées plus tard, avancez la date d'observation."
        )
        st.stop()

    n_territoires = len(data.query(queries.territoire_labels, as_of=as_of))
    m1, m2, m3 = st.columns(3)
    m1.metric("Territoires renseignés", f"{len(summary)} sur {n_territoires}")
    m2.metric("Dernière année renseignée", ui_ind.latest_year(summary))
    m3.metric("Territoires en alerte", str(int((summary["alertes"].map(len) > 0).sum())))
    # Each view is computed and drawn only while its tab is open (a click on another tab reruns
    # the page): on a projector one view at a time, and the page comes at once.
    views: dict[str, Callable[[], None]] = {
        EVOLUTION: lambda: _evolution(code, summary, unite),
        AVANCEMENT: lambda: _avancement(code, summary),
        VALEURS: lambda: _valeurs(code, summary, unite),
    }
    widgets.lazy_tabs(views, key=VIEW_KEY)
else:
    terr_labels = data.query(queries.territoire_labels, as_of=as_of)
    terr = st.selectbox(
        "Territoire",
        options=list(terr_labels),
        format_func=lambda t: terr_labels[t],
        key="ind_sm_territoire",
    )
    st.header(
        f"Axe {axe_no}\\. {widgets.escape_md(axe_labels[axe_no])} — "
        f"{widgets.escape_md(terr_labels[terr])}",
        anchor=False,
    )
    series = data.query(valeurs.small_multiples, as_of, axe_no, terr)
    codes = list(dict.fromkeys(series["indicateur_code"]))
    if len(codes) > MAX_SMALL_MULTIPLES:
        series = series[series["indicateur_code"].isin(codes[:MAX_SMALL_MULTIPLES])]
        st.caption(
            f"Les {MAX_SMALL_MULTIPLES} premiers indicateurs de l'axe sont tracés sur "
            f"{len(codes)} : choisissez un objectif dans la vue « Un indicateur » pour les autres."
        )
    measured = series[series["annee"].notna()]
    if measured.empty:
        st.info(
            f"Aucune valeur n'est enregistrée au {formats.day(as_of)} pour les indicateurs de "
            "cet axe dans ce territoire."
        )
        st.stop()
    charts.show(
        indicator_charts.small_multiples(series),
        key="ind_sm",
        alt=descriptions.small_multiples_texte(series, terr_labels[terr]),
    )
    st.caption(
        "Un graphique par indicateur. Trait plein : valeur réalisée ; tirets : cible de l'année."
    )
    table = ui_ind.small_multiples_export(measured)
    with st.expander("Les valeurs tracées, en tableau"):
        st.dataframe(table, hide_index=True, width="stretch", key="ind_sm_table")
    empty = [c for c in codes if c not in set(measured["indicateur_code"])]
    if empty:
        st.info(f"Sans valeur dans ce territoire : {widgets.escape_md(', '.join(empty))}.")
    ui_ind.downloads(
        f"indicateurs_axe_{axe_no}_{terr}_{as_of.isoformat()}",
        table,
        {"Indicateurs": table},
        key="ind_sm_dl",
    )
