"""Vérifier: a file's rows, normalised and checked, and what publishing them would change.

Everything runs set-based in DuckDB: the file's sheets are registered as Arrow tables, parsed by
SQL macros (numbers with decimal commas and non-breaking spaces, '45 %', years as text, number or
date, territory names without accents or with "St"), checked by one query per rule, and diffed
against the current values with a join. Nothing here writes to the store: `batches.publish` does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import pyarrow as pa

from ptlcd_data import formats, vocabulary
from ptlcd_data.imports import reader
from ptlcd_data.imports.sheets import (
    HELP_SHEETS,
    SPECS,
    Layout,
    Spec,
    header_key,
    letter,
    recognise,
)
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection

# Years accepted for an indicator value: the PTLCD's reference data start around 2010; targets
# may be set up to ten years ahead.
FIRST_YEAR = 2000
YEARS_AHEAD = 10
# Texts that mean "no value" in French statistics: never read as zero.
NO_VALUE = ("", "n.c.", "n.c", "nc", "nd", "n.d.", "n.d", "-", "–", "—", "s.o.", "so", "ns")
# Spaces people and spreadsheets put in numbers: space, no-break, narrow no-break, thin.
NUMBER_SPACES = " \u00a0\u202f\u2009"
PROBLEM_COLUMNS = [
    "niveau",
    "feuille",
    "ligne",
    "colonne",
    "entete",
    "valeur",
    "message",
    "attendu",
]
KINDS = ("indicateurs", "avancement", "engagement")
FRACTION_NOTE = (
    "Nombre entre 0 et 1 dans une colonne de pourcentages (cellule au format %) : lu comme un "
    "pourcentage, multiplié par 100."
)


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

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["niveau"] == "erreur"]

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

    def changes_count(self) -> int:
        c = self.counts()
        return c["créés"] + c["modifiés"]


ETAT_COUNT = {"créé": "créés", "modifié": "modifiés", "inchangé": "inchangés", "ignoré": "ignorés"}


def check_file(
    conn: Connection, data: bytes, filename: str, settings: Settings | None = None
) -> Check:
    """Read and check a file. Raises reader.FileRefused when the file cannot be read at all."""
    settings = settings or Settings()
    book = reader.read_file(
        data,
        filename,
        max_bytes=settings.max_upload_mb * 2**20,
        max_rows=settings.max_rows,
    )
    problems: list[dict[str, Any]] = [_remark(None, None, None, None, None, n) for n in book.notes]
    layouts: list[tuple[Layout, pa.Table]] = []
    for sheet in book.sheets:
        if sheet.table.num_rows == 0 or header_key(sheet.name) in HELP_SHEETS:
            continue
        layout = recognise(sheet.name, sheet.table)
        if layout is None:
            if _named_like_spec(sheet.name):
                problems.append(_header_missing(sheet.name))
            else:
                problems.append(
                    _remark(
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
        for index, text in layout.extra:
            problems.append(
                _remark(
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
                _error(
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
        revision=revision(conn),
        fichier=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=book.kind,
        problems=pd.DataFrame(columns=PROBLEM_COLUMNS),
    )
    install_macros(conn)
    for kind in KINDS:
        mine = [(lay, t) for lay, t in layouts if lay.spec.kind == kind and not lay.missing()]
        if not mine:
            continue
        _normalise(conn, SPECS[kind], mine)
        try:
            problems_kind, parsed, diff = RULES[kind](conn, mine)
        finally:
            _drop_rows(conn, len(mine))
            conn.unregister(PARSED[kind])
        problems.extend(problems_kind)
        # The parsed rows are kept: publishing compares them again without parsing again.
        check.rows[kind] = parsed
        check.diff[kind] = diff
    check.problems = _problems_frame(problems)
    return check


# --- problems ---------------------------------------------------------------------------------


def _problem(
    niveau: str,
    feuille: str | None,
    ligne: int | None,
    colonne: str | None,
    entete: str | None,
    valeur: Any,
    message: str,
    attendu: str | None = None,
) -> dict[str, Any]:
    return {
        "niveau": niveau,
        "feuille": feuille,
        "ligne": ligne,
        "colonne": colonne,
        "entete": entete,
        "valeur": None if valeur is None else str(valeur),
        "message": message,
        "attendu": attendu,
    }


def _error(*args: Any) -> dict[str, Any]:
    return _problem("erreur", *args)


def _remark(*args: Any) -> dict[str, Any]:
    return _problem("remarque", *args)


def _header_missing(sheet: str) -> dict[str, Any]:
    spec = next(s for s in SPECS.values() if header_key(s.title) == header_key(sheet))
    return _error(
        sheet,
        None,
        None,
        None,
        None,
        "Ligne d'en-tête introuvable dans les premières lignes de la feuille.",
        " | ".join(c.label for c in spec.columns),
    )


def _named_like_spec(sheet: str) -> bool:
    return any(header_key(s.title) == header_key(sheet) for s in SPECS.values())


def _problems_frame(problems: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    frame["ligne"] = frame["ligne"].astype("Int64")
    order = frame["niveau"].map({"erreur": 0, "remarque": 1})
    frame = frame.assign(_o=order).sort_values(
        ["_o", "feuille", "ligne", "colonne"], na_position="first", kind="stable"
    )
    return frame.drop(columns="_o").reset_index(drop=True)


def _present(value: Any) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and pd.isna(value))
        and value is not pd.NA
    )


def format_problem(p: dict[str, Any]) -> str:
    """'Erreur — Indicateurs, ligne 12, colonne D (Année) : « 1890 » — Année hors limites. ; attendu : …'."""
    q = {k: (v if _present(v) else None) for k, v in p.items()}
    where = [str(q["feuille"])] if q.get("feuille") else []
    if q.get("ligne") is not None:
        where.append(f"ligne {int(str(q['ligne']))}")
    if q.get("colonne"):
        where.append(f"colonne {q['colonne']}" + (f" ({q['entete']})" if q.get("entete") else ""))
    elif q.get("entete"):
        where.append(f"colonne « {q['entete']} »")
    body = (f"« {q['valeur']} » — " if q.get("valeur") is not None else "") + str(q["message"])
    if q.get("attendu"):
        body += f" Attendu : {q['attendu']}."
    prefix = "Erreur" if q["niveau"] == "erreur" else "Remarque"
    return f"{prefix} — {', '.join(where)} : {body}" if where else f"{prefix} : {body}"


# --- SQL parsing ------------------------------------------------------------------------------


def install_macros(conn: Connection) -> None:
    """Parsing functions for this connection (temporary macros, nothing stored)."""
    spaces = NUMBER_SPACES.replace("'", "''")
    blanks = " \t\r\n" + spaces  # real tab, CR and LF characters, not backslashes
    no_value = ", ".join("'" + v.replace("'", "''") + "'" for v in NO_VALUE)
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP MACRO ptlcd_clean(t) AS
            NULLIF(trim(t, '{blanks}'), '');
        CREATE OR REPLACE TEMP MACRO ptlcd_key(t) AS
            trim(regexp_replace(regexp_replace(
                ' ' || regexp_replace(strip_accents(lower(t)), '[^a-z0-9]+', ' ', 'g') || ' ',
                ' st ', ' saint ', 'g'), ' ste ', ' sainte ', 'g'));
        CREATE OR REPLACE TEMP MACRO ptlcd_no_value(t) AS
            ptlcd_clean(t) IS NULL OR lower(ptlcd_clean(t)) IN ({no_value});
        CREATE OR REPLACE TEMP MACRO ptlcd_digits(t) AS
            ltrim(rtrim(regexp_replace(t, '[\\s{spaces}]', '', 'g'), '%'), '''');
        CREATE OR REPLACE TEMP MACRO ptlcd_decimal(s) AS
            CASE WHEN contains(s, ',') AND contains(s, '.') THEN
                     CASE WHEN strpos(reverse(s), ',') < strpos(reverse(s), '.')
                          THEN replace(replace(s, '.', ''), ',', '.')
                          ELSE replace(s, ',', '') END
                 WHEN contains(s, ',') THEN replace(s, ',', '.')
                 ELSE s END;
        CREATE OR REPLACE TEMP MACRO ptlcd_number(t) AS
            CASE WHEN ptlcd_no_value(t) THEN NULL
                 ELSE TRY_CAST(ptlcd_decimal(ptlcd_digits(t)) AS DOUBLE) END;
        CREATE OR REPLACE TEMP MACRO ptlcd_bad_number(t) AS
            NOT ptlcd_no_value(t) AND (ptlcd_number(t) IS NULL OR NOT isfinite(ptlcd_number(t)));
        -- "45 %" typed in Excel or LibreOffice is stored as 0.45 in a cell formatted as %.
        CREATE OR REPLACE TEMP MACRO ptlcd_is_fraction(t) AS
            NOT contains(t, '%') AND ptlcd_number(t) > 0 AND ptlcd_number(t) < 1;
        CREATE OR REPLACE TEMP MACRO ptlcd_percent(t) AS
            CASE WHEN ptlcd_is_fraction(t) THEN ptlcd_number(t) * 100 ELSE ptlcd_number(t) END;
        CREATE OR REPLACE TEMP MACRO ptlcd_measure(t, unite) AS
            CASE WHEN unite = '%' THEN ptlcd_percent(t) ELSE ptlcd_number(t) END;
        CREATE OR REPLACE TEMP MACRO ptlcd_year(t) AS
            CASE WHEN regexp_full_match(t, '\\d{{4}}(\\.0+)?') THEN CAST(left(t, 4) AS INTEGER)
                 WHEN regexp_matches(t, '^\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN
                     CASE WHEN CAST(left(t, 4) AS INTEGER) < 1950
                          -- a year typed in a cell formatted as a date: 2019 is 11/07/1905
                          THEN CAST(date_diff('day', DATE '1899-12-30',
                                              TRY_CAST(left(t, 10) AS DATE)) AS INTEGER)
                          ELSE CAST(left(t, 4) AS INTEGER) END
                 WHEN regexp_full_match(t, '\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}')
                     THEN CAST(right(t, 4) AS INTEGER)
                 END;
        CREATE OR REPLACE TEMP MACRO ptlcd_date(t) AS
            CASE WHEN regexp_matches(t, '^\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN TRY_CAST(left(t, 10) AS DATE)
                 WHEN regexp_full_match(t, '\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}')
                     THEN CAST(try_strptime(t, '%d/%m/%Y') AS DATE)
                 WHEN regexp_full_match(t, '\\d{{5}}(\\.0+)?')
                     THEN DATE '1899-12-30' + CAST(CAST(t AS DOUBLE) AS INTEGER)
                 END;
        CREATE OR REPLACE TEMP MACRO ptlcd_action(t) AS
            TRY_CAST(regexp_extract(t, '(\\d+)', 1) AS INTEGER);
        """
    )


def _normalise(conn: Connection, spec: Spec, parts: list[tuple[Layout, pa.Table]]) -> None:
    """`ptlcd_rows`: the data rows of one kind: feuille, ligne, then each field as text with its
    outer spaces removed. Blank rows (every recognised cell empty) are dropped wherever they are.
    """
    selects = []
    for n, (layout, table) in enumerate(parts):
        name = f"ptlcd_raw_{n}"
        # Sheet names are the user's text: a column of the data, never pasted into the SQL.
        conn.register(
            name, table.append_column("_feuille", pa.repeat(layout.sheet, table.num_rows))
        )
        cols = []
        for column in spec.columns:
            if column.key in layout.fields:
                cols.append(f"NULLIF(trim(c{layout.fields[column.key][0]}), '') AS {column.key}")
            else:
                cols.append(f"CAST(NULL AS VARCHAR) AS {column.key}")
        selects.append(
            f"SELECT CAST(_feuille AS VARCHAR) AS feuille, _ligne AS ligne, {', '.join(cols)} "  # noqa: S608 - generated names
            f"FROM {name} WHERE _ligne > {int(layout.header_line)}"
        )
    not_blank = " OR ".join(f"{c.key} IS NOT NULL" for c in spec.columns)
    # A view: each kind's parsing query reads it once, in the same pass.
    conn.execute(
        "CREATE OR REPLACE TEMP VIEW ptlcd_rows AS "  # noqa: S608 - generated names
        f"SELECT * FROM ({' UNION ALL '.join(selects)}) WHERE {not_blank}"
    )


def _materialise(conn: Connection, name: str, sql: str) -> pa.Table:
    """Run `sql` once and make its result readable as `name` (an Arrow table registered on the
    connection). Cheaper than a temporary table: DuckDB does not copy it into its storage.
    """
    table: pa.Table = conn.sql(sql).to_arrow_table()
    conn.register(name, table)
    return table


def _drop_rows(conn: Connection, parts: int) -> None:
    conn.execute("DROP VIEW IF EXISTS ptlcd_rows")
    for n in range(parts):
        conn.unregister(f"ptlcd_raw_{n}")


def _columns(
    parts: list[tuple[Layout, pa.Table]], spec: Spec
) -> dict[str, dict[str, tuple[str, str]]]:
    """sheet -> field -> (letter, header as found): for naming the cell of a problem."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for layout, _ in parts:
        out[layout.sheet] = {
            key: (letter(index), text) for key, (index, text) in layout.fields.items()
        }
    return out


def _collect(
    conn: Connection,
    rules: list[tuple[str, str, str, str, str | None]],
    where: dict[str, dict[str, tuple[str, str]]],
    source: str,
) -> list[dict[str, Any]]:
    """Run each rule (niveau, field, SQL condition, message, expected) over `source`'s rows.

    The rows that break any rule are set apart first, in one pass, then counted rule by rule in
    a second; only the rules broken at least once list their rows (none, for a clean file).
    """
    problems: list[dict[str, Any]] = []
    any_rule = " OR ".join(f"coalesce({condition}, false)" for _, _, condition, _, _ in rules)
    hits_table = _materialise(
        conn,
        "ptlcd_hits",
        f"SELECT * FROM {source} WHERE {any_rule}",  # noqa: S608 - fixed rules
    )
    broken = [False] * len(rules)
    if hits_table.num_rows:
        # One pass to know which rules are broken at all; only those are listed row by row.
        counts = one_row(
            conn,
            "SELECT "  # noqa: S608 - fixed rules
            + ", ".join(
                f"count_if(coalesce({condition}, false))" for _, _, condition, _, _ in rules
            )
            + " FROM ptlcd_hits",
        )
        broken = [bool(n) for n in counts or ()]
    for (niveau, key, condition, message, expected), is_broken in zip(rules, broken, strict=True):
        if not is_broken:
            continue
        hits = conn.sql(
            f"SELECT feuille, ligne, regexp_replace(CAST({key} AS VARCHAR), '^(-?\\d+)\\.0$', '\\1') "  # noqa: S608 - fixed rules
            f"FROM ptlcd_hits WHERE {condition} "
            "ORDER BY feuille, ligne"
        ).fetchall()
        if niveau == "ignoré":
            # One remark per sheet for ignored rows: an untouched template row is not news.
            by_sheet: dict[str, list[int]] = {}
            for feuille, ligne, _ in hits:
                by_sheet.setdefault(feuille, []).append(int(ligne))
            for feuille, lines in by_sheet.items():
                problems.append(
                    _remark(
                        feuille,
                        None,
                        None,
                        None,
                        None,
                        f"{len(lines)} ligne(s) ignorée(s) ({line_ranges(lines)}) : {message}",
                    )
                )
            continue
        for feuille, ligne, value in hits:
            col_letter, header = where.get(feuille, {}).get(key, (None, None))
            problems.append(
                _problem(niveau, feuille, ligne, col_letter, header, value, message, expected)
            )
    conn.unregister("ptlcd_hits")
    return problems


def line_ranges(lines: list[int]) -> str:
    """[2, 3, 4, 9] -> 'lignes 2 à 4, 9'."""
    parts: list[str] = []
    start = prev = lines[0]
    for n in [*lines[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start} à {prev}" if prev > start else str(start))
        if n is not None:
            start = prev = n
    return ("lignes " if len(lines) > 1 else "ligne ") + ", ".join(parts)


def _duplicates(
    conn: Connection, source: str, key_sql: str, what: str, where: dict[str, Any]
) -> list[dict[str, Any]]:
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in key_sql.split(", "))
    rows = conn.sql(
        f"""
        WITH twice AS (
            SELECT {key_sql} FROM {source} WHERE {not_null}
            GROUP BY ALL HAVING count(*) > 1
        )
        SELECT feuille, ligne,
               string_agg(feuille || ' ligne ' || ligne, ', ' ORDER BY feuille, ligne)
                   OVER (PARTITION BY {key_sql}) AS toutes
        FROM {source} SEMI JOIN twice USING ({key_sql})
        ORDER BY feuille, ligne
        """  # noqa: S608 - fixed fragments
    ).fetchall()
    return [
        _error(
            feuille,
            ligne,
            None,
            None,
            None,
            f"Ligne en double : {what} apparaissent plusieurs fois ({toutes}).",
            "une seule ligne par " + what.replace("mêmes ", "").replace(" et ", ", "),
        )
        for feuille, ligne, toutes in rows
    ]


def _territories_sql() -> str:
    """Every way of naming a territory: its code and its label, as keys."""
    return (
        "SELECT DISTINCT ptlcd_key(code) AS k, code FROM territoire "
        "UNION SELECT DISTINCT ptlcd_key(libelle), code FROM territoire"
    )


def _territory_list(conn: Connection) -> str:
    return ", ".join(
        r[0] for r in conn.execute("SELECT libelle FROM territoire ORDER BY ordre").fetchall()
    )


# --- indicateurs -----------------------------------------------------------------------------


def _number_layers(source: str, *cols: str) -> str:
    """CTEs `digits` then `numbers` over `source`, which has `<col>` and `<col>_fast`.

    A number cell ('137.0') was cast directly (`_fast`); only the other cells ('1 234,5',
    '45 %', 'n.c.') go through the regular expressions. Adds, per column: `<col>_raw` (the
    number, or NULL), `<col>_bad` (text that is neither a number nor a no-value word), and
    `<col>_frac` (a fraction read in a percentage column, to be multiplied by 100).
    """
    no_value = ", ".join("'" + v.replace("'", "''") + "'" for v in NO_VALUE)
    digits = ", ".join(
        f"CASE WHEN {c} IS NOT NULL AND {c}_fast IS NULL THEN ptlcd_digits({c}) END AS {c}_d"
        for c in cols
    )
    numbers, flags = [], []
    for c in cols:
        none = f"({c}_d IS NOT NULL AND ({c}_d = '' OR lower({c}) IN ({no_value})))"
        numbers.append(
            f"CASE WHEN {c}_fast IS NOT NULL THEN {c}_fast WHEN {c}_d IS NULL OR {none} "
            f"THEN NULL ELSE TRY_CAST(ptlcd_decimal({c}_d) AS DOUBLE) END AS {c}_raw"
        )
        numbers.append(f"coalesce({none}, false) AS {c}_none")
        flags.append(
            f"{c} IS NOT NULL AND NOT {c}_none AND ({c}_raw IS NULL OR NOT isfinite({c}_raw)) "
            f"AS {c}_bad"
        )
        flags.append(
            f"coalesce(unite = '%' AND NOT contains({c}, '%') AND {c}_raw > 0 AND {c}_raw < 1, "
            f"false) AS {c}_frac"
        )
    return (
        f"digits AS (SELECT *, {digits} FROM {source}),\n"  # noqa: S608 - fixed fragments
        f"        raws AS (SELECT *, {', '.join(numbers)} FROM digits),\n"
        f"        numbers AS (SELECT *, {', '.join(flags)} FROM raws)"
    )


def _check_indicateurs(
    conn: Connection, parts: list[tuple[Layout, pa.Table]]
) -> tuple[list[dict[str, Any]], pa.Table, pa.Table]:
    year_max = date.today().year + YEARS_AHEAD
    # Codes, territories and years take few distinct values: each is parsed once, then joined.
    parsed = _materialise(
        conn,
        "ptlcd_ind",
        f"""
        WITH rows AS MATERIALIZED (SELECT * FROM ptlcd_rows),
        codes AS (
            SELECT c.code AS code_txt, i.code, i.unite
            FROM (SELECT DISTINCT code FROM rows WHERE code IS NOT NULL) c
            JOIN indicateur i ON upper(replace(c.code, ' ', '')) = upper(i.code)
        ),
        labels AS (
            SELECT l.libelle AS libelle_txt, il.code, il.unite
            FROM (SELECT DISTINCT libelle FROM rows WHERE code IS NULL AND libelle IS NOT NULL) l
            JOIN (SELECT ptlcd_key(libelle) AS k, any_value(code) AS code,
                         any_value(unite) AS unite
                  FROM indicateur GROUP BY 1 HAVING count(*) = 1) il
              ON ptlcd_key(l.libelle) = il.k
        ),
        places AS (
            SELECT p.territoire AS territoire_txt, t.code
            FROM (SELECT DISTINCT territoire FROM rows WHERE territoire IS NOT NULL) p
            JOIN ({_territories_sql()}) t ON ptlcd_key(p.territoire) = t.k
        ),
        years AS (
            SELECT annee AS annee_txt, ptlcd_year(ptlcd_clean(annee)) AS annee_n
            FROM (SELECT DISTINCT annee FROM rows WHERE annee IS NOT NULL)
        ),
        parsed AS (
            SELECT r.*,
                   coalesce(c.code, l.code) AS indicateur_code,
                   coalesce(c.unite, l.unite) AS unite,
                   p.code AS territoire_code,
                   y.annee_n,
                   TRY_CAST(r.valeur AS DOUBLE) AS valeur_fast,
                   TRY_CAST(r.cible AS DOUBLE) AS cible_fast
            FROM rows r
            LEFT JOIN codes c ON c.code_txt = r.code
            LEFT JOIN labels l ON l.libelle_txt = r.libelle
            LEFT JOIN places p ON p.territoire_txt = r.territoire
            LEFT JOIN years y ON y.annee_txt = r.annee
        ),
        {_number_layers("parsed", "valeur", "cible")}
        SELECT feuille, ligne, code, libelle, territoire, annee, valeur, cible, source,
               commentaire, indicateur_code, unite, territoire_code, annee_n,
               CASE WHEN valeur_frac THEN valeur_raw * 100 ELSE valeur_raw END AS valeur_n,
               CASE WHEN cible_frac THEN cible_raw * 100 ELSE cible_raw END AS cible_n,
               valeur_frac, cible_frac, valeur_bad, cible_bad
        FROM numbers
        """,  # noqa: S608 - fixed fragments
    )
    where = _columns(parts, SPECS["indicateurs"])
    codes = one_row(conn, "SELECT count(*) FROM indicateur")
    example = _first(conn, "SELECT code FROM indicateur ORDER BY ordre")
    territories = _territory_list(conn)
    rules: list[tuple[str, str, str, str, str | None]] = [
        (
            "erreur",
            "code",
            "code IS NULL AND libelle IS NULL",
            "Code indicateur manquant.",
            "un code de la feuille Référentiel",
        ),
        (
            "erreur",
            "code",
            "indicateur_code IS NULL AND (code IS NOT NULL OR libelle IS NOT NULL)",
            "Code indicateur inconnu.",
            f"un des {codes[0] if codes else 0} codes de la feuille Référentiel (ex. « {example} »)",
        ),
        ("erreur", "territoire", "territoire IS NULL", "Territoire manquant.", territories),
        (
            "erreur",
            "territoire",
            "territoire IS NOT NULL AND territoire_code IS NULL",
            "Territoire inconnu.",
            territories,
        ),
        ("erreur", "annee", "annee IS NULL", "Année manquante.", "une année sur quatre chiffres"),
        (
            "erreur",
            "annee",
            "annee IS NOT NULL AND annee_n IS NULL",
            "Année illisible.",
            "une année sur quatre chiffres, par exemple 2019",
        ),
        (
            "erreur",
            "annee",
            f"annee_n NOT BETWEEN {FIRST_YEAR} AND {year_max}",
            "Année hors limites.",
            f"une année entre {FIRST_YEAR} et {year_max}",
        ),
    ]
    for key, label in (("valeur", "Valeur"), ("cible", "Cible")):
        n = f"{key}_n"
        rules += [
            (
                "erreur",
                key,
                f"{key}_bad",
                f"{label} : ce n'est pas un nombre.",
                "un nombre (12 ; 12,5 ; 1 234 ; 45 %), ou vide, « n.c. », « ND », « - » s'il n'y a "
                "pas de valeur",
            ),
            (
                "erreur",
                key,
                f"{n} < 0 AND unite = 'nombre'",
                f"{label} : un effectif ne peut pas être négatif.",
                "un nombre positif ou nul",
            ),
            (
                "erreur",
                key,
                f"({n} < 0 OR {n} > 100) AND unite = '%'",
                f"{label} : un pourcentage doit être entre 0 et 100.",
                "un pourcentage entre 0 et 100",
            ),
            ("remarque", key, f"{key}_frac", FRACTION_NOTE, None),
        ]
    rules.append(
        (
            "ignoré",
            "valeur",
            "valeur_n IS NULL AND cible_n IS NULL AND indicateur_code IS NOT NULL "
            "AND NOT valeur_bad AND NOT cible_bad",
            "ni valeur ni cible",
            None,
        )
    )
    problems = _collect(conn, rules, where, "ptlcd_ind")
    problems += _duplicates(
        conn,
        "ptlcd_ind",
        "indicateur_code, territoire_code, annee_n",
        "mêmes indicateur, territoire et année",
        where,
    )
    return problems, parsed, diff_indicateurs(conn)


def one_row(conn: Connection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The first row, reading the whole result (DuckDB refuses new work on a half-read one)."""
    rows = conn.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else None


def revision(conn: Connection) -> int:
    """store.revision(), reading its result to the end (DuckDB 2 refuses work on a half-read one)."""
    row = one_row(conn, "SELECT valeur FROM meta WHERE cle = 'revision'")
    return int(row[0]) if row else 0


def _first(conn: Connection, sql: str) -> str:
    row = one_row(conn, sql)
    return str(row[0]) if row else ""


def diff_indicateurs(conn: Connection) -> pa.Table:
    """Each valid row of `ptlcd_ind` with the current value and the value after publishing.

    Empty cells do not erase: a row with only a target keeps the value already recorded.
    Columns: feuille, ligne, indicateur_code, territoire_code, annee, etat ('créé', 'modifié',
    'inchangé', 'ignoré'), ancien_/nouveau_ valeur, cible, source, commentaire.
    """
    table: pa.Table = conn.sql(
        """
        WITH f AS (
            SELECT * FROM ptlcd_ind
            WHERE indicateur_code IS NOT NULL AND territoire_code IS NOT NULL
              AND annee_n IS NOT NULL
        ),
        cur AS (
            SELECT * FROM (
                SELECT v.indicateur_code, v.territoire_code, v.annee, v.valeur, v.cible,
                       v.source, v.commentaire, v.supprime
                FROM indicateur_valeur v
                SEMI JOIN f ON f.indicateur_code = v.indicateur_code
                           AND f.territoire_code = v.territoire_code AND f.annee_n = v.annee
                WHERE v.periode = 'A'
                QUALIFY row_number() OVER (
                    PARTITION BY v.indicateur_code, v.territoire_code, v.annee
                    ORDER BY v.enregistre_le DESC, v.id DESC) = 1
            ) WHERE NOT supprime
        ),
        m AS (
            SELECT f.feuille, f.ligne, f.indicateur_code, f.territoire_code, f.annee_n AS annee,
                   c.indicateur_code IS NOT NULL AS existe,
                   f.valeur_n IS NULL AND f.cible_n IS NULL AS vide,
                   c.valeur AS ancien_valeur, c.cible AS ancien_cible,
                   c.source AS ancien_source, c.commentaire AS ancien_commentaire,
                   coalesce(f.valeur_n, c.valeur) AS nouveau_valeur,
                   coalesce(f.cible_n, c.cible) AS nouveau_cible,
                   coalesce(f.source, c.source) AS nouveau_source,
                   coalesce(f.commentaire, c.commentaire) AS nouveau_commentaire
            FROM f LEFT JOIN cur c
              ON c.indicateur_code = f.indicateur_code AND c.territoire_code = f.territoire_code
             AND c.annee = f.annee_n
        )
        SELECT feuille, ligne, indicateur_code, territoire_code,
               (SELECT libelle FROM territoire t WHERE t.code = m.territoire_code) AS territoire,
               annee,
               CASE WHEN vide THEN 'ignoré'
                    WHEN NOT existe THEN 'créé'
                    WHEN ancien_valeur IS NOT DISTINCT FROM nouveau_valeur
                     AND ancien_cible IS NOT DISTINCT FROM nouveau_cible
                     AND ancien_source IS NOT DISTINCT FROM nouveau_source
                     AND ancien_commentaire IS NOT DISTINCT FROM nouveau_commentaire
                    THEN 'inchangé' ELSE 'modifié' END AS etat,
               ancien_valeur, nouveau_valeur, ancien_cible, nouveau_cible,
               ancien_source, nouveau_source, ancien_commentaire, nouveau_commentaire
        FROM m
        """
    ).to_arrow_table()
    return table


# --- avancement (statuses) -------------------------------------------------------------------


def _vocabulary_sql(values: tuple[str, ...]) -> str:
    return " UNION ALL ".join(
        "SELECT ptlcd_key('" + v.replace("'", "''") + "') AS k, '" + v.replace("'", "''") + "' AS v"
        for v in values
    )


def _check_avancement(
    conn: Connection, parts: list[tuple[Layout, pa.Table]]
) -> tuple[list[dict[str, Any]], pa.Table, pa.Table]:
    parsed = _materialise(
        conn,
        "ptlcd_av",
        f"""
        SELECT r.*, a.action_no, ptlcd_date(ptlcd_clean(r.date)) AS date_n, s.v AS statut_n,
               ptlcd_percent(r.avancement) AS avancement_n,
               r.statut IS NULL AND r.avancement IS NULL AND r.commentaire IS NULL AS vide
        FROM ptlcd_rows r
        LEFT JOIN action a ON a.action_no = ptlcd_action(r.action)
        LEFT JOIN ({_vocabulary_sql(vocabulary.STATUTS)}) s ON s.k = ptlcd_key(r.statut)
        """,  # noqa: S608 - fixed fragments
    )
    where = _columns(parts, SPECS["avancement"])
    statuts = ", ".join(vocabulary.STATUTS)
    rules: list[tuple[str, str, str, str, str | None]] = [
        (
            "erreur",
            "action",
            "action IS NULL AND NOT vide",
            "N° d'action manquant.",
            "un numéro d'action du plan",
        ),
        (
            "erreur",
            "action",
            "action IS NOT NULL AND action_no IS NULL",
            "Action inconnue.",
            "un numéro d'action du plan (feuille Référentiel)",
        ),
        ("erreur", "date", "date IS NULL AND NOT vide", "Date manquante.", "une date JJ/MM/AAAA"),
        (
            "erreur",
            "date",
            "date IS NOT NULL AND date_n IS NULL",
            "Date illisible.",
            "une date JJ/MM/AAAA",
        ),
        (
            "erreur",
            "date",
            "date_n > current_date",
            "Date dans le futur.",
            "une date passée ou aujourd'hui",
        ),
        ("erreur", "statut", "statut IS NULL AND NOT vide", "Statut manquant.", statuts),
        ("erreur", "statut", "statut IS NOT NULL AND statut_n IS NULL", "Statut inconnu.", statuts),
        (
            "erreur",
            "avancement",
            "ptlcd_bad_number(avancement)",
            "Avancement : ce n'est pas un nombre.",
            "un pourcentage entre 0 et 100",
        ),
        (
            "erreur",
            "avancement",
            "avancement_n < 0 OR avancement_n > 100",
            "Avancement : un pourcentage doit être entre 0 et 100.",
            "un pourcentage entre 0 et 100",
        ),
        (
            "remarque",
            "avancement",
            "ptlcd_is_fraction(avancement)",
            FRACTION_NOTE,
            None,
        ),
        (
            "ignoré",
            "action",
            "vide",
            "ni statut, ni avancement, ni commentaire",
            None,
        ),
    ]
    problems = _collect(conn, rules, where, "ptlcd_av")
    problems += _duplicates(conn, "ptlcd_av", "action_no, date_n", "mêmes action et date", where)
    return problems, parsed, diff_avancement(conn)


def diff_avancement(conn: Connection) -> pa.Table:
    """Valid status rows against the latest record of the same action and date."""
    table: pa.Table = conn.sql(
        """
        WITH f AS (SELECT * FROM ptlcd_av WHERE action_no IS NOT NULL AND date_n IS NOT NULL),
        cur AS (
            SELECT action_no, date_effet, statut, avancement, commentaire FROM statut_record s
            SEMI JOIN f ON f.action_no = s.action_no AND f.date_n = s.date_effet
            QUALIFY row_number() OVER (PARTITION BY action_no, date_effet
                                       ORDER BY enregistre_le DESC, id DESC) = 1
        )
        SELECT f.feuille, f.ligne, f.action_no, f.date_n AS date_effet,
               CASE WHEN f.vide THEN 'ignoré'
                    WHEN c.action_no IS NULL THEN 'créé'
                    WHEN c.statut IS NOT DISTINCT FROM f.statut_n
                     AND c.avancement IS NOT DISTINCT FROM CAST(round(f.avancement_n) AS INTEGER)
                     AND c.commentaire IS NOT DISTINCT FROM f.commentaire THEN 'inchangé'
                    ELSE 'modifié' END AS etat,
               c.statut AS ancien_statut, f.statut_n AS nouveau_statut,
               c.avancement AS ancien_avancement,
               CAST(round(f.avancement_n) AS INTEGER) AS nouveau_avancement,
               c.commentaire AS ancien_commentaire, f.commentaire AS nouveau_commentaire
        FROM f LEFT JOIN cur c ON c.action_no = f.action_no AND c.date_effet = f.date_n
        """
    ).to_arrow_table()
    return table


# --- engagement ------------------------------------------------------------------------------


def _check_engagement(
    conn: Connection, parts: list[tuple[Layout, pa.Table]]
) -> tuple[list[dict[str, Any]], pa.Table, pa.Table]:
    parsed = _materialise(
        conn,
        "ptlcd_eng",
        f"""
        SELECT r.*, a.action_no, t.code AS territoire_code, n.v AS niveau_n,
               r.niveau IS NULL AS vide
        FROM ptlcd_rows r
        LEFT JOIN action a ON a.action_no = ptlcd_action(r.action)
        LEFT JOIN ({_territories_sql()}) t ON ptlcd_key(r.territoire) = t.k
        LEFT JOIN ({_vocabulary_sql(vocabulary.NIVEAUX)}) n ON n.k = ptlcd_key(r.niveau)
        """,  # noqa: S608 - fixed fragments
    )
    where = _columns(parts, SPECS["engagement"])
    niveaux = ", ".join(vocabulary.NIVEAUX)
    rules: list[tuple[str, str, str, str, str | None]] = [
        (
            "erreur",
            "action",
            "action IS NULL",
            "N° d'action manquant.",
            "un numéro d'action du plan",
        ),
        (
            "erreur",
            "action",
            "action IS NOT NULL AND action_no IS NULL",
            "Action inconnue.",
            "un numéro d'action du plan (feuille Référentiel)",
        ),
        (
            "erreur",
            "territoire",
            "territoire IS NULL",
            "Territoire manquant.",
            _territory_list(conn),
        ),
        (
            "erreur",
            "territoire",
            "territoire IS NOT NULL AND territoire_code IS NULL",
            "Territoire inconnu.",
            _territory_list(conn),
        ),
        (
            "erreur",
            "niveau",
            "niveau IS NOT NULL AND niveau_n IS NULL",
            "Niveau d'engagement inconnu.",
            niveaux,
        ),
        (
            "ignoré",
            "niveau",
            "vide AND action_no IS NOT NULL",
            "engagement vide",
            None,
        ),
    ]
    problems = _collect(conn, rules, where, "ptlcd_eng")
    problems += _duplicates(
        conn, "ptlcd_eng", "action_no, territoire_code", "mêmes action et territoire", where
    )
    return problems, parsed, diff_engagement(conn)


def diff_engagement(conn: Connection) -> pa.Table:
    """Valid engagement rows against the territory's current level for the action."""
    table: pa.Table = conn.sql(
        """
        WITH f AS (SELECT * FROM ptlcd_eng WHERE action_no IS NOT NULL AND territoire_code IS NOT NULL),
        cur AS (
            SELECT action_no, territoire_code, niveau FROM engagement_record e
            SEMI JOIN f ON f.action_no = e.action_no AND f.territoire_code = e.territoire_code
            QUALIFY row_number() OVER (PARTITION BY action_no, territoire_code
                                       ORDER BY date_effet DESC, enregistre_le DESC, id DESC) = 1
        )
        SELECT f.feuille, f.ligne, f.action_no, f.territoire_code,
               (SELECT libelle FROM territoire t WHERE t.code = f.territoire_code) AS territoire,
               CASE WHEN f.vide THEN 'ignoré'
                    WHEN c.action_no IS NULL THEN 'créé'
                    WHEN c.niveau = f.niveau_n THEN 'inchangé'
                    ELSE 'modifié' END AS etat,
               c.niveau AS ancien_niveau, f.niveau_n AS nouveau_niveau
        FROM f LEFT JOIN cur c ON c.action_no = f.action_no AND c.territoire_code = f.territoire_code
        """
    ).to_arrow_table()
    return table


# The name each kind's checks register their parsed rows under, and its diff reads from.
PARSED = {"indicateurs": "ptlcd_ind", "avancement": "ptlcd_av", "engagement": "ptlcd_eng"}
DIFFS = {
    "indicateurs": diff_indicateurs,
    "avancement": diff_avancement,
    "engagement": diff_engagement,
}

RULES = {
    "indicateurs": _check_indicateurs,
    "avancement": _check_avancement,
    "engagement": _check_engagement,
}


# --- preview ---------------------------------------------------------------------------------

PREVIEW_FIELDS = {
    "indicateurs": (
        ("valeur", "Valeur"),
        ("cible", "Cible"),
        ("source", "Source"),
        ("commentaire", "Commentaire"),
    ),
    "avancement": (
        ("statut", "Statut"),
        ("avancement", "Avancement (%)"),
        ("commentaire", "Commentaire"),
    ),
    "engagement": (("niveau", "Engagement"),),
}


def preview(check: Check, limit: int | None = None) -> pd.DataFrame:
    """Every cell that publishing would change: feuille, ligne, objet, champ, ancien, nouveau."""
    import duckdb

    frames = []
    with duckdb.connect() as con:
        for kind, table in check.diff.items():
            con.register("d", table)
            objet = {
                "indicateurs": "indicateur_code || ' · ' || territoire || ' · ' || annee",
                "avancement": "'action ' || action_no || ' · ' || strftime(date_effet, '%d/%m/%Y')",
                "engagement": "'action ' || action_no || ' · ' || territoire",
            }[kind]
            parts = [
                f"SELECT feuille, ligne, {n} AS ordre, {objet} AS objet, '{label}' AS champ, "  # noqa: S608 - fixed fragments
                f"CAST(ancien_{key} AS VARCHAR) AS ancien, CAST(nouveau_{key} AS VARCHAR) AS nouveau "
                f"FROM d WHERE etat IN ('créé', 'modifié') "
                f"AND ancien_{key} IS DISTINCT FROM nouveau_{key}"
                for n, (key, label) in enumerate(PREVIEW_FIELDS[kind])
            ]
            sql = " UNION ALL ".join(parts) + " ORDER BY feuille, ligne, ordre"
            if limit:
                sql += f" LIMIT {int(limit)}"
            frames.append(con.sql(sql).df().drop(columns="ordre"))  # noqa: S608 - fixed fragments
            con.unregister("d")
    if not frames:
        return pd.DataFrame(columns=["feuille", "ligne", "objet", "champ", "ancien", "nouveau"])
    out = pd.concat(frames, ignore_index=True)
    if limit:
        out = out.head(limit)
    numeric = out["champ"].isin(["Valeur", "Cible"])
    for col in ("ancien", "nouveau"):
        out.loc[numeric, col] = out.loc[numeric, col].map(french_number)
    return out


def french_number(text: object) -> object:
    """'1234.5' -> '1 234,5' (thin no-break space), '10.0' -> '10'; None stays None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    value = float(str(text))
    decimals = 0 if value.is_integer() else min(len(repr(value).split(".")[-1]), 6)
    return formats.number(value, decimals)
