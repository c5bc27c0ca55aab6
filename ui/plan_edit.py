"""Streamlit glue of the page « Modifier le plan »: the forms of one item, the preview kept
between reruns, and publishing it. The rules (checks, comparison, writing) are in
`ptlcd_data.plan.edits`; this module only reads widgets and shows results."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from ptlcd_data.errors import PtlcdError
from ptlcd_data.plan import edits, workbook_layout
from ptlcd_data.plan.versions import PlanChange, PlanSnapshot
from ui import data, session, widgets

PREVIEW_KEY = "planedit_preview"  # (what, date d'effet, changes)
IMPORT_KEY = "planedit_import"  # (file id, PlanCheck) or (file id, refusal message)
FLASH_KEY = "planedit_flash"  # (kind, message) shown once after publishing
PREVIEW_LABELS = {
    "objet": "Élément",
    "changement": "Changement",
    "champ": "Champ",
    "avant": "Avant",
    "apres": "Après",
}


def objective_label(plan: PlanSnapshot, code: str) -> str:
    o = plan.objectifs.get(code)
    return f"{code} — {o['libelle']}" if o else str(code)


def _choice(label: str, options: list[Any], current: Any, key: str, **kwargs: Any) -> Any:
    """A selectbox on `current` when it is one of `options`, else on the first."""
    index = options.index(current) if current in options else 0
    return st.selectbox(label, options, index=index, key=key, **kwargs)


def _objective(plan: PlanSnapshot, label: str, current: Any, key: str) -> Any:
    """The objective selector: « code — libellé » of each objective of the plan."""
    return _choice(
        label, list(plan.objectifs), current, key, format_func=lambda c: objective_label(plan, c)
    )


def action_fields(plan: PlanSnapshot, key: str, current: dict[str, Any]) -> dict[str, Any]:
    """The fields of an action, filled with `current`; widget keys end with `key` so that
    another action gets its own values."""
    values: dict[str, Any] = {
        "libelle": st.text_area(
            "Libellé de l'action", current.get("libelle") or "", key=f"pe_lib_{key}"
        ),
        "objectif_code": _objective(
            plan, "Objectif opérationnel", current.get("objectif_code"), f"pe_obj_{key}"
        ),
        "porteur": st.text_input(
            "Porteurs (texte du plan)", current.get("porteur") or "", key=f"pe_por_{key}"
        ),
        "calendrier": st.text_input(
            "Calendrier",
            current.get("calendrier") or "",
            help="Vide, « annuelle », « Dès 2017 », « Fin 2018 », « 2017-2019 », « 2019 »…",
            key=f"pe_cal_{key}",
        ),
        "observations": st.text_area(
            "Observations", current.get("observations") or "", key=f"pe_obs_{key}"
        ),
    }
    if plan.porteurs:
        values["porteurs"] = st.multiselect(
            "Porteurs (codes)",
            sorted(plan.porteurs),
            default=[p for p in current.get("porteurs") or () if p in plan.porteurs],
            format_func=lambda c: f"{c} — {plan.porteurs[c]['libelle']}",
            key=f"pe_pcodes_{key}",
            select_all=False,  # Streamlit's "Select all" is in English
        )
    st.markdown("**Territoires** : ce que le plan écrit dans la colonne de chaque territoire.")
    texts = current.get("territoires") or {}
    values["territoires"] = {
        code: st.text_input(
            widgets.escape_md(t["libelle"] or code),
            texts.get(code) or "",
            key=f"pe_ter_{key}_{code}",
        )
        for code, t in sorted(plan.territoires.items(), key=lambda i: (i[1]["ordre"], i[0]))
    }
    return values


NEW_ITEM = {"objectif": "Nouvel objectif", "indicateur": "Nouvel indicateur"}
SHORT = {"objectif": "obj", "indicateur": "ind"}


def objective_fields(plan: PlanSnapshot, key: str, current: dict[str, Any]) -> dict[str, Any]:
    """An objective's fields, filled with `current`; widget keys end with `key`."""
    return {
        "axe_no": _choice(
            "Axe",
            sorted(plan.axes),
            current.get("axe_no"),
            f"pe_oaxe_{key}",
            format_func=lambda n: f"{n} — {plan.axes[n]['libelle']}",
        ),
        "libelle": st.text_area("Libellé", current.get("libelle") or "", key=f"pe_olib_{key}"),
        "domaine": st.text_input(
            "Domaine (facultatif)", current.get("domaine") or "", key=f"pe_odom_{key}"
        ),
    }


def indicator_fields(plan: PlanSnapshot, key: str, current: dict[str, Any]) -> dict[str, Any]:
    """An indicator's fields, filled with `current`; widget keys end with `key`."""
    values: dict[str, Any] = {
        "objectif_code": _objective(
            plan, "Objectif", current.get("objectif_code"), f"pe_iobj_{key}"
        ),
        "libelle": st.text_area("Libellé", current.get("libelle") or "", key=f"pe_ilib_{key}"),
        "unite": st.text_input("Unité", current.get("unite") or "nombre", key=f"pe_iuni_{key}"),
        "sens": _choice(
            "Sens souhaité", list(workbook_layout.SENS), current.get("sens"), f"pe_isens_{key}"
        ),
    }
    fournisseur = current.get("fournisseur")
    if plan.porteurs or fournisseur:
        options: list[str | None] = [None, *sorted(plan.porteurs)]
        if fournisseur and fournisseur not in options:  # kept as it is, even if unknown
            options.append(fournisseur)
        values["fournisseur"] = _choice(
            "Fournisseur des valeurs",
            options,
            fournisseur,
            f"pe_ifou_{key}",
            format_func=lambda c: "l'équipe du plan" if c is None else str(c),
        )
    return values


def item_form(plan: PlanSnapshot, entity: str, date_effet: date) -> None:
    """Add or change one objective or indicator: a selector (« Nouvel … » or an existing one,
    whose form is filled with its values at the date d'effet and whose code is fixed), the
    fields, and « Prévisualiser »."""
    items = plan.of(entity)
    label = edits.ENTITY_LABELS[entity]
    choice = st.selectbox(
        label,
        [None, *items],
        format_func=lambda k: NEW_ITEM[entity] if k is None else f"{k} — {items[k]['libelle']}",
        key=f"planedit_{SHORT[entity]}_choice",
    )
    if choice is None:
        example = " (ex. 2.3)" if entity == "objectif" else ""
        code = st.text_input(
            f"Code de l'{entity}{example}", key=f"planedit_{SHORT[entity]}_code"
        ).strip()
    else:
        code = str(choice)
    fields = objective_fields if entity == "objectif" else indicator_fields
    values = fields(plan, "new" if choice is None else f"edit{code}", items.get(choice, {}))
    taken = choice is None and code in items
    if taken:
        st.warning(
            f"Le code {widgets.escape_md(code)} est déjà celui d'un {entity} : "
            f"choisissez-le dans la liste « {label} » pour le modifier."
        )
    what = f"{label} {code} {'ajouté' if choice is None else 'modifié'}"
    st.button(
        "Prévisualiser",
        on_click=prepare,
        args=(what, date_effet, entity, code, values),
        disabled=not code or taken,
        key=f"planedit_prepare_{SHORT[entity]}",
    )


def prepare(
    what: str, date_effet: date, entity: str, key: Any, values: dict[str, Any] | None
) -> None:
    """Button callback: compute the changes of one edit and keep them for the preview."""
    try:
        changes = data.uncached(edits.edit_changes, date_effet, entity, key, values)
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")
        st.session_state.pop(PREVIEW_KEY, None)
        return
    st.session_state[PREVIEW_KEY] = (what, date_effet, changes)


def publish(motif: str) -> None:
    """Button callback: publish the previewed changes (admin checked by the data layer)."""
    stored = st.session_state.get(PREVIEW_KEY)
    if not stored:
        return
    what, date_effet, changes = stored
    try:
        n = data.write(
            edits.publish,
            changes,
            date_effet=date_effet,
            user=session.current_user(),
            motif=motif,
            backup_keep=data.settings().backups_kept,
        )
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")
        return
    st.session_state.pop(PREVIEW_KEY, None)
    st.session_state.pop(IMPORT_KEY, None)
    st.session_state[FLASH_KEY] = (
        "success",
        f"{n} changement(s) publié(s), date d'effet {date_effet:%d/%m/%Y}.",
    )


def show_flash() -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        if kind == "error":  # may quote what was typed: never Markdown
            st.error(widgets.escape_md(message))
        else:
            st.success(message)


def show_changes(changes: list[PlanChange], key: str) -> None:
    """The preview: retired actions first, in a warning, then every field before → after."""
    retired = [int(c.key) for c in changes if c.entity == "action" and c.kind == "retrait"]
    if retired:
        st.warning(edits.retired_warning(retired), icon=":material/warning:")
    table = edits.preview(changes).rename(columns=PREVIEW_LABELS)
    st.dataframe(widgets.with_dashes(table), hide_index=True, width="stretch", key=key)


def show_preview(motif: str) -> None:
    stored = st.session_state.get(PREVIEW_KEY)
    if not stored:
        return
    what, date_effet, changes = stored
    st.header("Aperçu avant publication", anchor=False)
    if not changes:
        st.info("Rien ne change : le plan est déjà ainsi à cette date.")
        return
    st.caption(f"{widgets.escape_md(what)} — date d'effet {date_effet:%d/%m/%Y}.")
    for warning in data.uncached(edits.later_warnings, changes, date_effet):
        st.warning(widgets.escape_md(warning), icon=":material/history:")
    show_changes(changes, "planedit_preview_table")
    st.button(
        "Publier",
        type="primary",
        on_click=publish,
        args=(motif,),
        disabled=not motif.strip(),
        icon=":material/publish:",
        key="planedit_publish",
    )
    if not motif.strip():
        st.caption("Écrivez le motif (en haut de la page) pour pouvoir publier.")
