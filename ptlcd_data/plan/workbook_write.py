"""Writing the plan workbook: the plan as .xlsx bytes (`plan export`), and a workbook read
back (`workbook_read.PlanBook`) as the CSV files of `data/` (`init --plan`).

The sheets and their columns are those of `workbook_layout`.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from ptlcd_data.classeurs import writer
from ptlcd_data.errors import InputError
from ptlcd_data.plan import queries, versions
from ptlcd_data.plan.versions import PlanSnapshot
from ptlcd_data.plan.workbook_layout import (
    CODE_SEP,
    CODES_PORTEURS,
    LISTES,
    META_KEYS,
    PLAN,
    PLAN_COLUMNS,
    SENS,
    SHEETS,
    TYPES_TERRITOIRE,
    UNITES,
    Sheet,
    objective_choice,
)
from ptlcd_data.store import Connection

if TYPE_CHECKING:  # only a type here: writing a workbook needs none of the reader's machinery
    from ptlcd_data.plan.workbook_read import PlanBook

# Rows given a drop-down beyond the written ones: room to add actions, objectives, indicators.
ROOM = 500
# Written in plan_meta by `init --plan`: such a base's plan is not the one of the data folder.
ORIGIN_KEY = "origine"
ORIGIN = "classeur du plan"


def _sheet(wb: Workbook, spec: Sheet, rows: list[list[Any]], widths: list[int]) -> Worksheet:
    ws = wb.create_sheet(spec.title)
    writer.write_header(ws, [h for _, h in spec.columns], widths)
    for row in rows:
        ws.append(row)
    writer.text_cells(ws)
    return ws


def _by_order(items: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(items, key=lambda c: (items[c].get("ordre") or 0, c))


def write(plan: PlanSnapshot, meta: dict[str, str]) -> bytes:
    """The plan as .xlsx bytes (see the module's docstring for its sheets)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = PLAN
    territoires = sorted(plan.territoires, key=lambda c: (plan.territoires[c]["ordre"], c))
    objectifs = sorted(plan.objectifs, key=lambda c: (plan.objectifs[c]["ordre"], c))
    writer.write_header(
        ws,
        [h for _, h in PLAN_COLUMNS] + territoires + [CODES_PORTEURS],
        [22, 34, 6, 60, 30, 16, 40] + [16] * len(territoires) + [22],
    )
    for no in sorted(plan.actions):
        a = plan.actions[no]
        o = plan.objectifs.get(a["objectif_code"], {})
        axe_no = o.get("axe_no")
        axe = plan.axes.get(axe_no, {}) if axe_no is not None else {}
        ws.append(
            [
                f"{axe_no}{CODE_SEP}{axe.get('libelle', '')}" if axe_no is not None else None,
                objective_choice(a["objectif_code"], o.get("libelle", "")),
                no,
                a["libelle"],
                a.get("porteur"),
                a.get("calendrier"),
                a.get("observations"),
                *[a.get("territoires", {}).get(t) for t in territoires],
                "; ".join(a.get("porteurs") or ()) or None,
            ]
        )
    writer.text_cells(ws)
    for row in ws.iter_rows(min_row=2, max_col=len(PLAN_COLUMNS)):
        for cell in row[3:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    _sheet(
        wb,
        SHEETS["objectifs"],
        [
            [c, plan.objectifs[c]["axe_no"], plan.objectifs[c]["libelle"]]
            + [plan.objectifs[c].get("domaine")]
            for c in objectifs
        ],
        [10, 8, 60, 20],
    )
    _sheet(
        wb,
        SHEETS["axes"],
        [[n, plan.axes[n]["libelle"]] for n in sorted(plan.axes)],
        [8, 50],
    )
    indicateurs = sorted(plan.indicateurs, key=lambda c: (plan.indicateurs[c]["ordre"], c))
    fields = [k for k, _ in SHEETS["indicateurs"].columns]
    _sheet(
        wb,
        SHEETS["indicateurs"],
        [[c] + [plan.indicateurs[c].get(f) for f in fields[1:]] for c in indicateurs],
        [12, 10, 60, 10, 10, 16],
    )
    fields = [k for k, _ in SHEETS["territoires"].columns]
    _sheet(
        wb,
        SHEETS["territoires"],
        [[c] + [plan.territoires[c].get(f) for f in fields[1:]] for c in territoires],
        [16, 30, 12, 8, 14],
    )
    fields = [k for k, _ in SHEETS["porteurs"].columns]
    _sheet(
        wb,
        SHEETS["porteurs"],
        [[c] + [plan.porteurs[c].get(f) for f in fields[1:]] for c in _by_order(plan.porteurs)],
        [16, 40, 14, 24, 30],
    )
    _sheet(
        wb,
        SHEETS["informations"],
        [[k, meta[k]] for k in (*META_KEYS, *sorted(set(meta) - set(META_KEYS))) if k in meta],
        [18, 60],
    )
    _lists_and_dropdowns(wb, plan, objectifs, len(territoires))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _lists_and_dropdowns(
    wb: Workbook, plan: PlanSnapshot, objectifs: list[str], n_territoires: int
) -> None:
    """The hidden Listes sheet and every drop-down. Lists of codes point at the sheets
    themselves (a code added in the workbook is offered at once); the objective's list in the
    Plan sheet and the open lists (units, types) only warn, so a new value can still be typed."""
    ls = wb.create_sheet(LISTES)
    ls.sheet_state = "hidden"
    columns = {
        "A": [objective_choice(c, plan.objectifs[c]["libelle"]) for c in objectifs],
        "B": list(SENS),
        "C": sorted(set(UNITES) | {str(i["unite"]) for i in plan.indicateurs.values()}),
        "D": sorted(set(TYPES_TERRITOIRE) | {str(t["type"]) for t in plan.territoires.values()}),
    }
    for col, values in columns.items():
        for r, value in enumerate(values, start=1):
            cell = ls[f"{col}{r}"]
            cell.value = value
            cell.data_type = "s"

    def ref(sheet: str, col: str, n: int) -> str:
        return f"'{sheet}'!${col}$1:${col}${max(n, 1)}"

    def code_range(sheet: str, n: int) -> str:
        return f"'{sheet}'!$A$2:$A${n + ROOM}"

    last = len(plan.actions) + ROOM
    rows = {
        "Plan": last,
        "Objectifs": len(plan.objectifs) + ROOM,
        "Indicateurs": len(plan.indicateurs) + ROOM,
        "Territoires": len(plan.territoires) + ROOM,
    }
    plan_ws = wb[PLAN]
    dv = writer.list_validation(
        plan_ws, ref(LISTES, "A", len(objectifs)), f"B2:B{last}", "un objectif", "Objectifs"
    )
    dv.errorStyle = "warning"  # a new objective's code may be typed
    writer.list_validation(
        wb["Objectifs"],
        code_range("Axes", len(plan.axes)),
        f"B2:B{rows['Objectifs']}",
        "un axe",
        "Axes",
    )
    ind = wb["Indicateurs"]
    writer.list_validation(
        ind,
        code_range("Objectifs", len(plan.objectifs)),
        f"B2:B{rows['Indicateurs']}",
        "un objectif",
        "Objectifs",
    )
    writer.list_validation(
        ind, ref(LISTES, "B", len(SENS)), f"E2:E{rows['Indicateurs']}", "un sens", LISTES
    )
    dv = writer.list_validation(
        ind, ref(LISTES, "C", len(columns["C"])), f"D2:D{rows['Indicateurs']}", "une unité", LISTES
    )
    dv.errorStyle = "warning"
    writer.list_validation(
        ind,
        code_range("Porteurs", len(plan.porteurs)),
        f"F2:F{rows['Indicateurs']}",
        "un porteur",
        "Porteurs",
    )
    dv = writer.list_validation(
        wb["Territoires"],
        ref(LISTES, "D", len(columns["D"])),
        f"C2:C{rows['Territoires']}",
        "un type",
        LISTES,
    )
    dv.errorStyle = "warning"


def export(conn: Connection, as_of: date | None = None) -> bytes:
    """`plan export`: the plan as it stood at `as_of` (default today), as .xlsx bytes."""
    return write(versions.snapshot(conn, as_of, demo=False), queries.plan_meta(conn))


# --- a workbook as the data/ folder -------------------------------------------------------------


def write_data_files(book: PlanBook, target: Path) -> None:
    """The plan of `book` as the CSV files of `data/` (what `build` loads), in `target`."""
    plan = book.plan
    if plan is None:
        raise InputError("Le classeur n'a pas pu être lu : rien n'est construit.")
    target.mkdir(parents=True, exist_ok=True)

    def write_csv(name: str, header: list[str], rows: list[list[Any]]) -> None:
        with (target / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows([["" if v is None else v for v in r] for r in rows])

    meta = dict(book.meta)
    meta.setdefault("date_plan", date.today().isoformat())
    meta[ORIGIN_KEY] = ORIGIN
    write_csv("plan_meta.csv", ["cle", "valeur"], [[k, v] for k, v in meta.items()])
    terr = sorted(plan.territoires, key=lambda c: plan.territoires[c]["ordre"])
    write_csv(
        "territoires.csv",
        ["code", "libelle", "type", "ordre", "code_officiel"],
        [
            [c, *(plan.territoires[c][f] for f in ("libelle", "type", "ordre", "code_officiel"))]
            for c in terr
        ],
    )
    write_csv(
        "axes.csv", ["axe_no", "libelle"], [[n, a["libelle"]] for n, a in sorted(plan.axes.items())]
    )
    objs = sorted(plan.objectifs, key=lambda c: plan.objectifs[c]["ordre"])
    write_csv(
        "objectifs.csv",
        ["code", "axe_no", "libelle", "domaine"],
        [[c, *(plan.objectifs[c][f] for f in ("axe_no", "libelle", "domaine"))] for c in objs],
    )
    write_csv(
        "porteurs.csv",
        ["code", "libelle", "type", "contact", "email"],
        [
            [c, *(p.get(f) for f in ("libelle", "type", "contact", "email"))]
            for c, p in ((c, plan.porteurs[c]) for c in _by_order(plan.porteurs))
        ],
    )
    rows = []
    for no, a in sorted(plan.actions.items()):
        o = plan.objectifs[a["objectif_code"]]
        rows.append(
            [
                no,
                o["axe_no"],
                plan.axes[o["axe_no"]]["libelle"],
                a["objectif_code"],
                o["libelle"],
                a["libelle"],
                a["porteur"],
                a["calendrier"],
                a["observations"],
            ]
            + [a["territoires"].get(t) for t in terr]
            + [";".join(a["porteurs"]), None]
        )
    write_csv(
        "plan.csv",
        [
            "action_no",
            "axe_no",
            "axe",
            "objectif_code",
            "objectif",
            "action",
            "porteur",
            "calendrier",
            "observations",
        ]
        + [f"engagement_{t}" for t in terr]
        + ["porteurs", "source_ocr"],
        rows,
    )
    inds = sorted(plan.indicateurs, key=lambda c: plan.indicateurs[c]["ordre"])
    write_csv(
        "indicateurs.csv",
        ["code", "objectif_code", "libelle", "unite", "sens", "fournisseur"],
        [
            [
                c,
                *(
                    plan.indicateurs[c].get(f)
                    for f in ("objectif_code", "libelle", "unite", "sens", "fournisseur")
                ),
            ]
            for c in inds
        ],
    )
