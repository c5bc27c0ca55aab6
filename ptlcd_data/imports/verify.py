"""Vérifier: a file's rows, normalised and checked, and what publishing them would change.

Everything runs set-based in DuckDB (the rule engine is `engine.py`; each kind of sheet has its
checks and its diff in `check_<kind>.py`). Nothing here writes to the store: `batches.publish`
does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from ptlcd_data import formats, store
from ptlcd_data.access.auth import User
from ptlcd_data.classeurs import reader
from ptlcd_data.classeurs.headers import HEADER_SEARCH_ROWS, header_key, letter
from ptlcd_data.classeurs.problems import PROBLEM_COLUMNS, error, problems_frame, remark
from ptlcd_data.imports import (
    check_avancement,
    check_engagement,
    check_indicateurs,
    check_scope,
    engine,
    hooks,
)
from ptlcd_data.imports.sheets import (
    HELP_SHEETS,
    SPECS,
    Layout,
    Spec,
    header_missing,
    named_like_spec,
    recognise,
)
from ptlcd_data.imports.stamp import take_stamp
from ptlcd_data.plan import porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection

KINDS = ("indicateurs", "avancement", "engagement")


@dataclass
class Check:
    """The result of Vérifier: problems, normalised rows and the diff, per kind of sheet."""

    revision: int  # the store's revision the diff was computed against
    fichier: str
    sha256: str
    kind: str
    problems: pd.DataFrame
    rows: dict[str, pa.Table] = field(default_factory=dict)
    diff: dict[str, pa.Table] = field(default_factory=dict)
    # A campaign workbook (its `stamp`, checked by the plugged-in `hooks`): its campaign, its
    # porteur, and the rows that repeat the current record and will be recorded as confirmations.
    campagne_id: int | None = None
    porteur_code: str | None = None
    confirmations: dict[str, pa.Table] = field(default_factory=dict)

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["gravite"] == "erreur"]

    @property
    def ok(self) -> bool:
        return bool(self.errors.empty)

    def counts(self) -> dict[str, int]:
        """créés / modifiés / inchangés / ignorés over every sheet."""
        totals = {"créés": 0, "modifiés": 0, "inchangés": 0, "ignorés": 0}
        for table in self.diff.values():
            for etat in table.column("etat").to_pylist():
                totals[ETAT_COUNT[etat]] += 1
        return totals

    def summary(self) -> pd.DataFrame:
        """Per sheet kind: feuille, créés, modifiés, inchangés, ignorés."""
        out = []
        for kind, table in self.diff.items():
            etats = pd.Series(table.column("etat").to_pylist(), dtype=object)
            row: dict[str, Any] = {"feuille": SPECS[kind].title}
            for etat, label in ETAT_COUNT.items():
                row[label] = int((etats == etat).sum())
            out.append(row)
        return pd.DataFrame(out, columns=["feuille", "créés", "modifiés", "inchangés", "ignorés"])

    def counts_text(self) -> str:
        """'1 créé, 0 modifié, 3 inchangés, 0 ignoré': the counts in words, each agreed."""
        c = self.counts()
        return ", ".join(formats.count(c[many], one, many) for one, many in ETAT_COUNT.items())

    def changes_count(self) -> int:
        c = self.counts()
        return c["créés"] + c["modifiés"]

    def confirmations_count(self) -> int:
        """Rows that change nothing but confirm an item of the campaign (see `returns`)."""
        return sum(t.num_rows for t in self.confirmations.values())


ETAT_COUNT = {"créé": "créés", "modifié": "modifiés", "inchangé": "inchangés", "ignoré": "ignorés"}


def check_file(
    conn: Connection,
    data: bytes,
    filename: str,
    settings: Settings | None = None,
    *,
    user: User | None = None,
    campagne_id: int | None = None,
) -> Check:
    """Read and check a file. Raises reader.FileRefused when the file cannot be read at all,
    or when it is a campaign workbook that is not accepted now (`hooks.CampaignReturns.accept`:
    unknown or closed campaign, not `campagne_id` when given, another porteur than `user`'s), or
    when no campaign checks are plugged in (`hooks`: fail closed).

    `user`, when it is a porteur account, may import only rows about its own actions and
    indicators: any other row is an error (`check_scope`).
    """
    settings = settings or Settings()
    book = reader.read_file(
        data,
        filename,
        max_bytes=settings.max_upload_mb * 2**20,
        max_rows=settings.max_rows,
    )
    sha256 = hashlib.sha256(data).hexdigest()
    return check_book(conn, book, filename, sha256, user=user, campagne_id=campagne_id)


def check_book(
    conn: Connection,
    book: reader.RawBook,
    filename: str,
    sha256: str,
    *,
    user: User | None = None,
    campagne_id: int | None = None,
) -> Check:
    """`check_file` on sheets already read: a file's, or the rows a form made (`depots`)."""
    scope = porteurs.scope_of(conn, user)
    stamp, sheets = take_stamp(book.sheets, filename)
    # A campaign workbook: refused whole unless the campaign checks are plugged in (`hooks`).
    returns = hooks.campaign_returns(filename) if stamp is not None else None
    campaign_id = None
    if returns is not None and stamp is not None:
        campaign_id = returns.accept(
            conn, stamp, filename, user=user, expected_campaign=campagne_id
        )
    problems: list[dict[str, Any]] = [remark(None, None, None, None, None, n) for n in book.notes]
    layouts: list[tuple[Layout, pa.Table]] = []
    for sheet in sheets:
        if sheet.table.num_rows == 0 or header_key(sheet.name) in HELP_SHEETS:
            continue
        layout = recognise(sheet.name, sheet.table)
        if layout is None:
            if named_like_spec(sheet.name):
                problems.append(header_missing(sheet.name))
                problems += _no_result_above_data(sheet.name, sheet.table, HEADER_SEARCH_ROWS)
            else:
                problems.append(
                    remark(
                        sheet.name or filename,
                        None,
                        None,
                        None,
                        None,
                        "Feuille ignorée : aucune ligne d'en-tête reconnue (attendu : les "
                        "feuilles Indicateurs, Avancement ou Engagement du modèle).",
                    )
                )
            continue
        layouts.append((layout, sheet.table))
        problems += _no_result_above_data(layout.sheet, sheet.table, layout.header_line)
        for index, text in layout.extra:
            problems.append(
                remark(
                    layout.sheet,
                    layout.header_line,
                    letter(index),
                    text,
                    None,
                    "Colonne non reconnue : ignorée.",
                )
            )
        for column in layout.missing():
            problems.append(
                error(
                    layout.sheet,
                    layout.header_line,
                    None,
                    column.label,
                    None,
                    "Colonne obligatoire manquante dans la ligne d'en-tête.",
                    "une colonne « "
                    + column.label
                    + " »"
                    + (" ou « Cible »" if column.key == "valeur" else ""),
                )
            )
    if not layouts:
        raise reader.FileRefused(
            f"Le fichier « {filename} » ne contient aucune feuille reconnaissable : il faut une "
            "feuille Indicateurs, Avancement ou Engagement avec sa ligne d'en-tête (téléchargez "
            "le modèle)."
        )
    check = Check(
        revision=store.revision(conn),
        fichier=filename,
        sha256=sha256,
        kind=book.kind,
        problems=pd.DataFrame(columns=PROBLEM_COLUMNS),
    )
    engine.install_macros(conn)
    # sheet -> its spec, and where its columns are (field -> letter, header as found).
    located: dict[str, tuple[Spec, dict[str, tuple[str, str]]]] = {}
    for kind in KINDS:
        mine = [(lay, t) for lay, t in layouts if lay.spec.kind == kind and not lay.missing()]
        if not mine:
            continue
        engine.normalise(conn, SPECS[kind], mine)
        try:
            problems_kind, parsed, diff = RULES[kind](conn, mine)
        finally:
            engine.drop_rows(conn, len(mine))
            conn.unregister(PARSED[kind])
        problems.extend(problems_kind)
        where = engine.columns(mine, SPECS[kind])
        located.update({sheet: (SPECS[kind], fields) for sheet, fields in where.items()})
        if scope is not None:
            problems.extend(check_scope.problems(conn, scope, kind, parsed, where))
        # The parsed rows are kept: publishing compares them again without parsing again.
        check.rows[kind] = parsed
        check.diff[kind] = diff
    if returns is not None and stamp is not None and campaign_id is not None:
        check.campagne_id, check.porteur_code = campaign_id, stamp.porteur_code
        if scope is None:  # a porteur account's own scope was checked row by row above
            problems += _with_letters(returns.out_of_scope(conn, stamp, check.diff), located)
        check.confirmations = returns.confirmations(conn, campaign_id, check.diff)
    check.problems = problems_frame(problems)
    return check


def _with_letters(
    found: list[dict[str, Any]], located: dict[str, tuple[Spec, dict[str, tuple[str, str]]]]
) -> list[dict[str, Any]]:
    """`found` with each column named by its letter and header as found in the sheet, as the
    rules and a porteur account's scope name it. The campaign checks (`hooks`) see the diffs,
    not the sheets: they name a column by its template header only."""
    out = []
    for p in found:
        spec, fields = located.get(str(p["feuille"]), (None, {}))
        if spec is not None and p["colonne"] is None and p["entete"]:
            said = header_key(p["entete"])
            key = next((c.key for c in spec.columns if header_key(c.label) == said), None)
            if key in fields:
                p = {**p, "colonne": fields[key][0], "entete": fields[key][1]}
        out.append(p)
    return out


def _no_result_above_data(sheet: str, table: pa.Table, last_line: int) -> list[dict[str, Any]]:
    """Formulas without result in the header or above it: a header cell read as empty. The data
    rows' own are errors of the rules (`engine.collect`)."""
    return [
        error(sheet, line, letter(column), None, None, engine.NO_RESULT, engine.NO_RESULT_EXPECTED)
        for line, column in reader.no_result_cells(table, last_line)
    ]


# The name each kind's checks register their parsed rows under, and its diff reads from.
PARSED = {"indicateurs": "ptlcd_ind", "avancement": "ptlcd_av", "engagement": "ptlcd_eng"}
DIFFS = {
    "indicateurs": check_indicateurs.diff,
    "avancement": check_avancement.diff,
    "engagement": check_engagement.diff,
}
RULES = {
    "indicateurs": check_indicateurs.check,
    "avancement": check_avancement.check,
    "engagement": check_engagement.check,
}
