"""Shared widgets: the observation date, plain-text display of user text, error display, tables
and choices that stay valid."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

from ptlcd_data.errors import PtlcdError

if TYPE_CHECKING:  # every page imports this module; the home page runs without pandas
    import pandas as pd

AS_OF_KEY = "as_of"
K = TypeVar("K")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_md(text: object) -> str:
    """Make user text inert in Markdown: no link, no emphasis, no HTML."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def markdown_table(
    headers: list[str], rows: list[list[object]], *, align_right: tuple[int, ...] = ()
) -> str:
    """A Markdown table whose every cell is inert text (escaped, on one line; None -> "—").

    For short tables of plan text where Streamlit's table widget would be too heavy to load."""

    def cell(value: object) -> str:
        return "—" if value is None else escape_md(" ".join(str(value).split()) or "—")

    rule = ["---:" if i in align_right else "---" for i in range(len(headers))]
    lines = [headers, rule, *([cell(v) for v in row] for row in rows)]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def with_dashes(table: pd.DataFrame, *whole_numbers: str) -> pd.DataFrame:
    """`table` as shown in `st.dataframe`: an empty cell is "—", as in the other tables, where
    Streamlit would print a grey "None". The columns named in `whole_numbers` (spreadsheet row
    numbers) become text, so that they can hold the dash: "12", not "12.0".
    """
    shown = table.astype(object).where(table.notna(), "—")
    for column in whole_numbers:
        shown[column] = [v if v == "—" else str(int(v)) for v in shown[column]]
    return shown


def observation_date_input() -> date:
    """The sidebar's "Date d'observation", shared by every page (default: today)."""
    value = st.sidebar.date_input(
        "Date d'observation",
        key=AS_OF_KEY,
        value=date.today(),
        format="DD/MM/YYYY",
        help="Chaque page montre le plan tel qu'il était à cette date : ce qui a été "
        "enregistré après n'apparaît pas.",
    )
    return value if isinstance(value, date) else date.today()


def as_of() -> date:
    value = st.session_state.get(AS_OF_KEY)
    return value if isinstance(value, date) else date.today()


def _field_text(label: str, value: object, empty: str) -> str:
    """Markdown of one labelled field: the label in bold, the value as inert text on the next line
    (its own line breaks kept), or `empty` in italics."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"**{label}**  \n*{empty}*"
    lines = [escape_md(line) for line in str(value).splitlines()] or [""]
    return f"**{label}**  \n" + "  \n".join(lines)


def field(label: str, value: object, empty: str = "non renseigné") -> None:
    """A labelled field whose value is user or plan text, shown as plain text."""
    st.markdown(_field_text(label, value, empty))


def fields(items: Sequence[tuple[str, object] | tuple[str, object, str]]) -> None:
    """Labelled fields (label, value[, text when empty]) in one element: each element of a page
    costs the browser a few milliseconds to draw, a dozen fields as many elements."""
    st.markdown(
        "\n\n".join(
            _field_text(item[0], item[1], item[2] if len(item) > 2 else "non renseigné")
            for item in items
        )
    )


@contextmanager
def guard() -> Iterator[None]:
    """Show an error the user can fix in French instead of a traceback."""
    try:
        yield
    except PtlcdError as exc:
        st.error(f"**{escape_md(exc.title)}** — {escape_md(exc.message)}")


def demo_banner(has_demo: bool) -> None:
    """Shown on every page while demonstration records exist."""
    if has_demo:
        st.warning(
            "**Données de démonstration.** Une partie des statuts, engagements ou valeurs "
            "affichés a été générée pour la démonstration et ne décrit pas la réalité. "
            "Pour les retirer : `python -m ptlcd_data demo --remove`.",
            icon=":material/science:",
        )


def lazy_expander(label: str, *, key: str) -> Any:
    """An expander whose content is computed only while it is open (Streamlit reruns the page
    when it opens): the container to write into, or None while it is closed. Its state is kept
    in `st.session_state[key]`."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def lazy_tabs(views: Mapping[str, Callable[[], None]], *, key: str) -> None:
    """The page's views as tabs, each computed and drawn only while its tab is open (a click on
    another tab reruns the page). `views`: tab label -> what draws it; the open tab is kept in
    `st.session_state[key]`."""
    tabs = st.tabs(list(views), key=key, on_change="rerun")
    for tab, show in zip(tabs, views.values(), strict=True):
        if tab.open:
            with tab:
                show()


def bounded_territories(
    labels: dict[str, str], *, limit: int, key: str, label: str
) -> tuple[str, ...]:
    """Within `limit` territories: () for all of them. Beyond: a choice of at most `limit`
    (the first ones by default), whose codes are returned; the caller says so in a caption.
    `labels` is code -> libelle in the plan's order (`queries.territoire_labels`).

    The choice sits in a popover, drawn only when opened: thirty chosen names in a list field
    cost the page's every display some 60 ms in the browser."""
    if len(labels) <= limit:
        return ()
    first = list(labels)[:limit]
    # A fixed label: a label that changed with the choice would close the popover at each change.
    where = st.popover(
        f"{label} ({limit} au plus sur {len(labels)})", icon=":material/filter_list:"
    )
    chosen = where.multiselect(
        label,
        select_all=False,
        options=list(labels),
        default=first,
        format_func=labels.__getitem__,
        max_selections=limit,
        key=key,
    )
    return tuple(chosen) or tuple(first)


def choice_filter(
    where: Any, label: str, labels: Mapping[Any, str], key: str, placeholder: str
) -> list[Any]:
    """A multiselect of `labels`' keys shown by their labels, in `where` (the page, a column or a
    popover), all in French (`placeholder`, and no English « Select all »); nothing chosen means
    every one."""
    chosen: list[Any] = where.multiselect(
        label,
        select_all=False,
        options=list(labels),
        format_func=labels.__getitem__,
        key=key,
        placeholder=placeholder,
    )
    return chosen


def axes_filter(where: Any, labels: dict[int, str], key: str, label: str = "Axe") -> list[int]:
    """A multiselect of the plan's axes ("3. Label"); nothing chosen means every axis."""
    shown = {n: f"{n}. {text}" for n, text in labels.items()}
    return choice_filter(where, label, shown, key, "Tous les axes")


def territory_filter(
    where: Any, labels: dict[str, str], key: str, help: str | None = None
) -> str | None:
    """A selectbox of the plan's territories in `where`, "Tous" first (None: every territory).
    `labels` is code -> libelle in the plan's order (`queries.territoire_labels`)."""
    chosen: str | None = where.selectbox(
        "Territoire",
        options=[None, *labels],
        format_func=lambda c: "Tous" if c is None else labels[c],
        key=key,
        help=help,
    )
    return chosen


def porteurs_filter(where: Any, porteurs: list[str], key: str) -> list[str]:
    """A multiselect of the plan's porteurs in `where`; nothing chosen means every porteur."""
    return choice_filter(where, "Porteur", {p: p for p in porteurs}, key, "Tous les porteurs")


def kept_choice(
    where: Any,
    label: str,
    options: Mapping[K, object],
    *,
    key: str,
    format_func: Callable[[K], str],
) -> K:
    """A selectbox of the keys of `options`, in `where` (the page or a column). The remembered
    choice (`key`) goes back to the first option when it is no longer offered (a choice made
    above it changed the list)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = next(iter(options))
    chosen: K = where.selectbox(label, options=list(options), format_func=format_func, key=key)
    return chosen


def table(
    frame: pd.DataFrame,
    *,
    key: str,
    column_config: Mapping[str, Any] | None = None,
    column_order: Sequence[str] | None = None,
    placeholder: str | None = "—",
    **options: Any,
) -> Any:
    """A table as the pages show one: no index, the page's width, "—" in an empty cell.

    `options` go to `st.dataframe` as they are (`height`, `on_select`…); what it answers (the
    selection, with `on_select`) is returned."""
    return st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        placeholder=placeholder,
        key=key,
        column_config=column_config,
        column_order=column_order,
        **options,
    )


def table_section(
    title: str,
    frame: pd.DataFrame,
    *,
    key: str,
    column_config: Mapping[str, Any] | None = None,
    column_order: Sequence[str] | None = None,
    caption: str = "",
    empty: str = "",
    empty_is_good: bool = False,
    placeholder: str | None = "—",
) -> None:
    """A section of a page made of one table: its header, then its caption and the table.

    With `empty`, a table without rows is replaced by that message: an information, or a success
    when `empty_is_good` (no late action is good news). The caption only goes with the table.
    """
    st.header(title, anchor=False)
    if empty and frame.empty:
        (st.success if empty_is_good else st.info)(empty)
        return
    if caption:
        st.caption(caption)
    table(
        frame,
        key=key,
        column_config=column_config,
        column_order=column_order,
        placeholder=placeholder,
    )
