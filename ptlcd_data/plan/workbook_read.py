"""Reading the plan workbook back into a `PlanSnapshot`, with every problem found.

Reading goes through `classeurs.reader` (calamine in a child process: Excel and LibreOffice files,
with the import's tolerance) and reports every problem with its sheet, row and column. The
sheets and their columns are those of `workbook_layout`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ptlcd_data.classeurs import problems, reader
from ptlcd_data.classeurs.headers import HEADER_SEARCH_ROWS, header_key, letter
from ptlcd_data.errors import InputError, PlanDataError
from ptlcd_data.formats import NBSP
from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.plan.versions import PlanSnapshot
from ptlcd_data.plan.workbook_layout import (
    CODE_SEP,
    CODES_PORTEURS,
    PLAN,
    PLAN_COLUMNS,
    SENS,
    SHEETS,
    TYPES_TERRITOIRE,
    Sheet,
)

# The columns that make a row the header row of its sheet.
HEADER_FIELDS = {"code", "axe_no", "libelle", "cle", "valeur", "objectif_code", "action_no"}


class PlanWorkbookRefused(InputError):
    """A plan workbook with at least one error: nothing is built or published."""

    title = "Classeur du plan refusé"

    def __init__(self, filename: str, found: list[dict[str, Any]]) -> None:
        self.problems = found
        errors = [p for p in found if p["gravite"] == "erreur"]
        super().__init__(
            f"« {filename} » : {len(errors)} erreur(s), rien n'est écrit.\n"
            + "\n".join(problems.format_problem(p) for p in errors)
        )


@dataclass
class PlanBook:
    """What a plan workbook says: the plan, its Informations, and every problem found."""

    plan: PlanSnapshot | None
    meta: dict[str, str]
    problems: list[dict[str, Any]] = field(default_factory=list)
    sheets: set[str] = field(default_factory=set)  # the sheets found (by their SHEETS key)
    # Where each action's number is: action_no -> (row, column letter), to name it in problems.
    action_cells: dict[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not any(p["gravite"] == "erreur" for p in self.problems)


@dataclass
class _Rows:
    """A sheet's data rows: (row number, {header key: (column letter, header, text)})."""

    title: str
    header_line: int
    headers: list[tuple[int, str]]  # (column index, header text) of every non-empty header
    rows: list[tuple[int, dict[int, str]]]

    def where(self, col: int) -> tuple[str, str]:
        header = next((h for i, h in self.headers if i == col), "")
        return letter(col), header


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "").replace(NBSP, " ")).strip()


def _find_rows(
    sheet: reader.RawSheet, expected: list[str], problems_out: list[dict[str, Any]]
) -> _Rows | None:
    table = sheet.table
    positions = [int(n[1:]) for n in table.column_names if n[:1] == "c" and n[1:].isdigit()]
    width = max(positions, default=-1) + 1
    all_rows = [
        (int(r["_ligne"]), {i: _clean(r.get(f"c{i}")) for i in range(width)})
        for r in table.to_pylist()
    ]
    wanted = {header_key(e) for e in expected}
    for n, (line, cells) in enumerate(all_rows[:HEADER_SEARCH_ROWS]):
        keys = {header_key(v) for v in cells.values() if v}
        if wanted <= keys:
            headers = [(i, v) for i, v in cells.items() if v]
            data = [(ln, c) for ln, c in all_rows[n + 1 :] if any(c.values())]
            return _Rows(sheet.name, line, headers, data)
    problems_out.append(
        problems.error(
            sheet.name,
            None,
            None,
            None,
            None,
            "Ligne d'en-tête introuvable dans les premières lignes de la feuille.",
            " | ".join(expected),
        )
    )
    return None


def _integer(text: str) -> int | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _code(text: str) -> str:
    """A code as typed: '1.1', 'st_herblain ' -> kept as written, spaces trimmed."""
    return text.strip()


def read(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> PlanBook:
    """Read a plan workbook; a file that is not one is refused (`reader.FileRefused`)."""
    book = reader.read_file(data, filename, max_bytes=max_bytes, max_rows=max_rows)
    return parse(book)


class _Parser:
    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []

    def error(
        self,
        rows: _Rows,
        line: int | None,
        col: int | None,
        value: Any,
        message: str,
        attendu: str | None = None,
    ) -> None:
        col_letter, header = rows.where(col) if col is not None else (None, None)
        self.problems.append(
            problems.error(rows.title, line, col_letter, header, value, message, attendu)
        )

    def unknown(
        self,
        rows: _Rows,
        line: int,
        col: int | None,
        text: str,
        what: tuple[str, str],
        expected: str | None = None,
    ) -> None:
        """The cell names no item of a sheet (`what`: « Objectif », « Objectifs »): written but
        unknown, or not written at all. An empty cell is often one of a merged range: the reader
        sees its value in the top-left cell only, so the rows below seem to name nothing."""
        item, sheet = what
        expected = expected or f"un code de la feuille {sheet}"
        if text:
            self.error(rows, line, col, text, f"{item} inconnu (feuille {sheet}).", expected)
            return
        cell = f"la cellule {letter(col)}{line}" if col is not None else "la cellule"
        self.error(
            rows,
            line,
            col,
            None,
            f"{item} vide : {cell} est vide ou fusionnée (une cellule fusionnée n'a de valeur "
            "que dans sa case en haut à gauche).",
            f"{expected}, écrit sur chaque ligne (sans fusionner les cellules)",
        )

    def records(
        self, rows: _Rows, spec: Sheet, key: str, *, integer_key: bool = False
    ) -> dict[Any, tuple[int, dict[str, str]]]:
        """{key: (row, {field: text})}: duplicates and empty keys reported."""
        index = {header_key(h): i for i, h in rows.headers}
        cols = {f: index.get(header_key(h)) for f, h in spec.columns}
        out: dict[Any, tuple[int, dict[str, str]]] = {}
        key_col = cols[key]
        for line, cells in rows.rows:
            values = {f: (cells.get(c, "") if c is not None else "") for f, c in cols.items()}
            raw = values[key]
            k: Any = _integer(raw) if integer_key else _code(raw)
            if not raw:
                self.error(rows, line, key_col, None, "Code vide : chaque ligne a son code.")
                continue
            if k is None:
                self.error(rows, line, key_col, raw, "Ce n'est pas un nombre entier.")
                continue
            if k in out:
                self.error(
                    rows,
                    line,
                    key_col,
                    raw,
                    f"En double : déjà ligne {out[k][0]}.",
                    "un code unique",
                )
                continue
            if "libelle" in values and not values["libelle"]:
                self.error(rows, line, cols["libelle"], None, "Libellé vide.")
            out[k] = (line, values)
        return out

    def col(self, rows: _Rows, spec: Sheet, name: str) -> int | None:
        header = dict(spec.columns)[name]
        return next((i for i, h in rows.headers if header_key(h) == header_key(header)), None)


def _objective_code(text: str, objectifs: dict[str, Any]) -> str | None:
    """'1.1', '1.1 — Organiser…' or the exact wording -> '1.1'; None when unknown."""
    if text in objectifs:
        return text
    head = text.split(CODE_SEP.strip(), 1)[0].strip()
    if head in objectifs:
        return head
    by_label = [c for c, o in objectifs.items() if header_key(o["libelle"]) == header_key(text)]
    return by_label[0] if len(by_label) == 1 else None


def parse(book: reader.RawBook) -> PlanBook:
    """The plan in `book`, or its problems (every one, with sheet, row and column)."""
    p = _Parser()
    found: dict[str, reader.RawSheet] = {}
    titles = {header_key(s.title): k for k, s in SHEETS.items()} | {header_key(PLAN): "plan"}
    for sheet in book.sheets:
        kind = titles.get(header_key(sheet.name))
        if kind and kind not in found:
            found[kind] = sheet
    for kind, spec in [*SHEETS.items(), ("plan", Sheet(PLAN, PLAN_COLUMNS))]:
        if kind not in found and spec.required:
            p.problems.append(
                problems.error(
                    spec.title,
                    None,
                    None,
                    None,
                    None,
                    "Feuille manquante dans le classeur.",
                    f"une feuille « {spec.title} »",
                )
            )
    rows: dict[str, _Rows] = {}
    for kind, sheet in found.items():
        spec = SHEETS.get(kind) or Sheet(PLAN, PLAN_COLUMNS)
        # The header row is the first one holding the sheet's key and wording columns.
        expected = [h for f, h in spec.columns if f in HEADER_FIELDS]
        r = _find_rows(sheet, expected, p.problems)
        if r is not None:
            rows[kind] = r
    if p.problems:
        return PlanBook(None, {}, p.problems, set(found))

    meta = {}
    if "informations" in rows:
        for _, cells in rows["informations"].rows:
            values = list(cells.values())
            if values and values[0]:
                meta[values[0]] = values[1] if len(values) > 1 else ""

    def opt(text: str) -> str | None:
        return text or None

    axes_raw = p.records(rows["axes"], SHEETS["axes"], "axe_no", integer_key=True)
    axes = {k: {"libelle": v["libelle"]} for k, (_, v) in axes_raw.items()}

    porteurs: dict[str, dict[str, Any]] = {}
    if "porteurs" in rows:
        prow, pspec = rows["porteurs"], SHEETS["porteurs"]
        for n, (k, (line, v)) in enumerate(p.records(prow, pspec, "code").items(), 1):
            if not v["type"]:
                p.error(prow, line, p.col(prow, pspec, "type"), None, "Type vide.")
            porteurs[k] = {
                "libelle": v["libelle"],
                "type": v["type"],
                "contact": opt(v["contact"]),
                "email": opt(v["email"]),
                "ordre": n,  # the order of the rows
            }

    territoires: dict[str, dict[str, Any]] = {}
    tr = rows["territoires"]
    ordre_col = p.col(tr, SHEETS["territoires"], "ordre")
    for n, (k, (line, v)) in enumerate(p.records(tr, SHEETS["territoires"], "code").items(), 1):
        ordre = _integer(v["ordre"]) if v["ordre"] else n
        if ordre is None:
            p.error(tr, line, ordre_col, v["ordre"], "Ce n'est pas un nombre entier.")
            continue
        if not v["type"]:
            p.error(
                tr,
                line,
                p.col(tr, SHEETS["territoires"], "type"),
                None,
                "Type vide.",
                ", ".join(TYPES_TERRITOIRE),
            )
        territoires[k] = {
            "libelle": v["libelle"],
            "type": v["type"],
            "ordre": ordre,
            "code_officiel": opt(v["code_officiel"]),
        }

    objectifs: dict[str, dict[str, Any]] = {}
    orow = rows["objectifs"]
    for n, (k, (line, v)) in enumerate(p.records(orow, SHEETS["objectifs"], "code").items(), 1):
        axe_no = _integer(v["axe_no"])
        if axe_no not in axes:
            col = p.col(orow, SHEETS["objectifs"], "axe_no")
            p.unknown(
                orow, line, col, v["axe_no"], ("Axe", "Axes"), "un n° d'axe de la feuille Axes"
            )
            continue
        objectifs[k] = {
            "axe_no": axe_no,
            "libelle": v["libelle"],
            "domaine": opt(v["domaine"]),
            "ordre": n,
        }

    indicateurs: dict[str, dict[str, Any]] = {}
    irow = rows["indicateurs"]
    ispec = SHEETS["indicateurs"]
    for n, (k, (line, v)) in enumerate(p.records(irow, ispec, "code").items(), 1):
        if v["objectif_code"] not in objectifs:
            col = p.col(irow, ispec, "objectif_code")
            p.unknown(irow, line, col, v["objectif_code"], ("Objectif", "Objectifs"))
        if v["sens"] not in SENS:
            p.error(
                irow,
                line,
                p.col(irow, ispec, "sens"),
                v["sens"],
                "Sens inconnu.",
                "hausse ou baisse",
            )
        if v["fournisseur"] and v["fournisseur"] not in porteurs:
            p.error(
                irow,
                line,
                p.col(irow, ispec, "fournisseur"),
                v["fournisseur"],
                "Porteur inconnu (feuille Porteurs).",
                "un code de la feuille Porteurs",
            )
        indicateurs[k] = {
            "objectif_code": v["objectif_code"],
            "libelle": v["libelle"],
            "unite": v["unite"] or "nombre",
            "sens": v["sens"],
            "fournisseur": opt(v["fournisseur"]),
            "ordre": n,
        }

    actions, action_cells = _actions(p, rows["plan"], objectifs, territoires, porteurs)
    plan = PlanSnapshot(territoires, porteurs, axes, objectifs, actions, indicateurs)
    return PlanBook(plan, meta, p.problems, set(found), action_cells)


def _actions(
    p: _Parser,
    pr: _Rows,
    objectifs: dict[str, dict[str, Any]],
    territoires: dict[str, dict[str, Any]],
    porteurs: dict[str, dict[str, Any]],
) -> tuple[dict[int, dict[str, Any]], dict[int, tuple[int, str]]]:
    fixed = {header_key(h): f for f, h in PLAN_COLUMNS} | {header_key(CODES_PORTEURS): "porteurs"}
    cols: dict[str, int] = {}
    territory_cols: dict[int, str] = {}
    by_key = {header_key(c): c for c in territoires} | {
        header_key(t["libelle"]): c for c, t in territoires.items()
    }
    for i, header in pr.headers:
        key = header_key(header)
        if key in fixed and fixed[key] not in cols:
            cols[fixed[key]] = i
        elif key in by_key and by_key[key] not in territory_cols.values():
            territory_cols[i] = by_key[key]
        elif key in by_key:
            p.error(
                pr,
                pr.header_line,
                i,
                header,
                f"Une autre colonne est déjà celle du territoire {by_key[key]}.",
                "une seule colonne par territoire",
            )
        else:
            p.error(
                pr,
                pr.header_line,
                i,
                header,
                "Colonne de territoire inconnue (feuille Territoires).",
                "le code d'un territoire de la feuille Territoires",
            )
    actions: dict[int, dict[str, Any]] = {}
    seen: dict[int, int] = {}
    for line, cells in pr.rows:

        def get(f: str, cells: dict[int, str] = cells) -> str:
            return cells.get(cols[f], "") if f in cols else ""

        raw = get("action_no")
        no = _integer(raw)
        if no is None or no <= 0:
            p.error(
                pr,
                line,
                cols["action_no"],
                raw or None,
                "Numéro d'action vide ou invalide.",
                "un nombre entier positif",
            )
            continue
        if no in seen:
            p.error(
                pr,
                line,
                cols["action_no"],
                raw,
                f"Numéro en double : déjà ligne {seen[no]}.",
                "un numéro unique",
            )
            continue
        seen[no] = line
        code = _objective_code(get("objectif_code"), objectifs)
        if code is None:
            p.unknown(
                pr, line, cols["objectif_code"], get("objectif_code"), ("Objectif", "Objectifs")
            )
        if not get("libelle"):
            p.error(pr, line, cols["libelle"], None, "Le libellé de l'action est vide.")
        try:
            parse_calendrier(get("calendrier"))
        except PlanDataError as exc:
            p.error(pr, line, cols.get("calendrier"), get("calendrier"), exc.message)
        codes = tuple(sorted({c.strip() for c in re.split(r"[;,]", get("porteurs")) if c.strip()}))
        for c in codes:
            if c not in porteurs:
                p.error(
                    pr,
                    line,
                    cols.get("porteurs"),
                    c,
                    "Porteur inconnu (feuille Porteurs).",
                    "des codes de la feuille Porteurs, séparés par ;",
                )
        actions[no] = {
            "objectif_code": code,
            "libelle": get("libelle"),
            "porteur": get("porteur") or None,
            "porteurs": codes,
            "calendrier": get("calendrier") or None,
            "observations": get("observations") or None,
            "territoires": {t: cells[i] for i, t in territory_cols.items() if cells.get(i)},
        }
    return actions, {no: (line, letter(cols["action_no"])) for no, line in seen.items()}
