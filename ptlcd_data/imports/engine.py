"""The rule engine of Vérifier, in SQL: parsing macros, the rows of a kind, rules and duplicates.

A file's sheets are registered as Arrow tables and parsed by SQL macros (numbers with decimal
commas and non-breaking spaces, '45 %', years as text, number or date, territory names without
accents or with "St"). A rule is (gravite, field, SQL condition, message, expected): `collect`
runs them all in one pass and lists the rows of the rules that are broken.

Percentages: a number is multiplied by 100 only when its cell is formatted as a percentage
(`<field>_pct`, from the reader's marks): that is how Excel and LibreOffice store "45 %". A plain
0,5 is read as 0,5, and a remark asks to check it. A formula saved without its result
(`_no_result`, the fields whose cell is one) is an error for that cell, and no other rule reads
the cell as empty.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

import pyarrow as pa

from ptlcd_data.classeurs import reader
from ptlcd_data.classeurs.headers import letter
from ptlcd_data.classeurs.problems import error, line_ranges, problem, remark
from ptlcd_data.formats import number
from ptlcd_data.imports.sheets import Layout, Spec
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import one_row, scalar

# Texts that mean "no value" in French statistics: never read as zero.
NO_VALUE = ("", "n.c.", "n.c", "nc", "nd", "n.d.", "n.d", "-", "–", "—", "s.o.", "so", "ns")
# Spaces people and spreadsheets put in numbers: space, no-break, narrow no-break, thin.
NUMBER_SPACES = " \u00a0\u202f\u2009"
NO_RESULT = "Formule sans valeur calculée : ouvrez et enregistrez le fichier dans votre tableur."
NO_RESULT_EXPECTED = (
    "la valeur calculée de la formule, que le tableur enregistre avec le fichier (certains "
    "programmes écrivent les formules sans les calculer)"
)
Rule = tuple[str, str, str, str, str | None]
# The sheets of one kind, each with the layout recognised in it.
Parts = list[tuple[Layout, pa.Table]]
# What each kind's check returns: its problems, its parsed rows and their diff.
Checked = tuple[list[dict[str, Any]], pa.Table, pa.Table]


def fraction_rule(key: str, label: str, condition: str) -> Rule:
    """The remark on a plain number between 0 and 1 in a percentage column: it is read as it
    is (0,5 %), and the user says whether 50 % was meant. `{valeur}` is the cell's number."""
    return (
        "remarque",
        key,
        condition,
        f"{label} : {{valeur}} % ? vérifiez. Un nombre entre 0 et 1 est lu tel quel ; seul un "
        "nombre mis en forme en pourcentage dans le tableur est multiplié par 100.",
        "un pourcentage de 0 à 100 : 50 ou « 50 % » pour la moitié",
    )


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
        -- The number of text `t` whose digits `d = ptlcd_digits(t)` are already computed (a
        -- macro's argument is pasted wherever it is used: a column keeps the regex to one run).
        CREATE OR REPLACE TEMP MACRO ptlcd_number_of(t, d) AS
            CASE WHEN ptlcd_no_value(t) THEN NULL ELSE TRY_CAST(ptlcd_decimal(d) AS DOUBLE) END;
        CREATE OR REPLACE TEMP MACRO ptlcd_number(t) AS ptlcd_number_of(t, ptlcd_digits(t));
        -- Text that is neither a number nor a no-value word; `n` is its number read (or NULL).
        CREATE OR REPLACE TEMP MACRO ptlcd_bad_of(t, n) AS
            NOT ptlcd_no_value(t) AND (n IS NULL OR NOT isfinite(n));
        CREATE OR REPLACE TEMP MACRO ptlcd_bad_number(t) AS ptlcd_bad_of(t, ptlcd_number(t));
        -- A number between 0 and 1 without a '%': 0,5 % or a fraction meant as 50 %?
        CREATE OR REPLACE TEMP MACRO ptlcd_fraction_of(t, n) AS
            NOT contains(t, '%') AND n > 0 AND n < 1;
        CREATE OR REPLACE TEMP MACRO ptlcd_is_fraction(t) AS ptlcd_fraction_of(t, ptlcd_number(t));
        -- "45 %" typed in Excel or LibreOffice is stored as 0.45 in a cell formatted as %:
        -- only such a cell (pct) is multiplied by 100, rounded to undo 0.07 * 100 = 7.000…01.
        CREATE OR REPLACE TEMP MACRO ptlcd_scaled(n, pct) AS
            CASE WHEN pct THEN round(n * 100, 9) ELSE n END;
        CREATE OR REPLACE TEMP MACRO ptlcd_percent(t, pct) AS
            ptlcd_scaled(ptlcd_number(t), pct);
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


def normalise(conn: Connection, spec: Spec, parts: list[tuple[Layout, pa.Table]]) -> None:
    """`ptlcd_rows`: the data rows of one kind: feuille, ligne, then each field as text with its
    outer spaces removed, `<field>_pct` for each percentage field (its cell is formatted as %),
    and `_no_result` (the fields whose cell is a formula without result, or NULL). Blank rows
    (every recognised cell empty) are dropped wherever they are.
    """
    selects = []
    for n, (layout, table) in enumerate(parts):
        name = f"ptlcd_raw_{n}"
        # Sheet names are the user's text: a column of the data, never pasted into the SQL.
        conn.register(
            name, table.append_column("_feuille", pa.repeat(layout.sheet, table.num_rows))
        )
        names = set(table.column_names)
        cols, no_result = [], []
        for column in spec.columns:
            index = layout.fields.get(column.key, (-1, ""))[0]
            if index >= 0:
                cols.append(f"NULLIF(trim(c{index}), '') AS {column.key}")
            else:
                cols.append(f"CAST(NULL AS VARCHAR) AS {column.key}")
            if column.percent:
                flag = reader.percent_column(index)
                cols.append(
                    f"coalesce({flag}, false) AS {column.key}_pct"
                    if flag in names
                    else f"false AS {column.key}_pct"
                )
            if reader.no_result_column(index) in names:
                no_result.append((reader.no_result_column(index), column.key))
        if no_result:
            any_cell = " OR ".join(f"coalesce({flag}, false)" for flag, _ in no_result)
            keys = ", ".join(f"CASE WHEN {flag} THEN '{key}' END" for flag, key in no_result)
            cols.append(
                f"CASE WHEN {any_cell} THEN list_filter([{keys}], lambda k: k IS NOT NULL) "
                "END AS _no_result"
            )
        else:
            cols.append("CAST(NULL AS VARCHAR[]) AS _no_result")
        selects.append(
            f"SELECT CAST(_feuille AS VARCHAR) AS feuille, _ligne AS ligne, {', '.join(cols)} "  # noqa: S608 - generated names
            f"FROM {name} WHERE _ligne > {int(layout.header_line)}"
        )
    not_blank = " OR ".join(
        [f"{c.key} IS NOT NULL" for c in spec.columns] + ["_no_result IS NOT NULL"]
    )
    # A view: each kind's parsing query reads it once, in the same pass.
    conn.execute(
        "CREATE OR REPLACE TEMP VIEW ptlcd_rows AS "  # noqa: S608 - generated names
        f"SELECT * FROM ({' UNION ALL '.join(selects)}) WHERE {not_blank}"
    )


def materialise(conn: Connection, name: str, sql: str) -> pa.Table:
    """Run `sql` once and make its result readable as `name` (an Arrow table registered on the
    connection). Cheaper than a temporary table: DuckDB does not copy it into its storage.
    """
    table: pa.Table = conn.sql(sql).to_arrow_table()
    conn.register(name, table)
    return table


def drop_rows(conn: Connection, parts: int) -> None:
    conn.execute("DROP VIEW IF EXISTS ptlcd_rows")
    for n in range(parts):
        conn.unregister(f"ptlcd_raw_{n}")


def columns(
    parts: list[tuple[Layout, pa.Table]], spec: Spec
) -> dict[str, dict[str, tuple[str, str]]]:
    """sheet -> field -> (letter, header as found): for naming the cell of a problem."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for layout, _ in parts:
        out[layout.sheet] = {
            key: (letter(index), text) for key, (index, text) in layout.fields.items()
        }
    return out


def collect(
    conn: Connection,
    rules: list[tuple[str, str, str, str, str | None]],
    where: dict[str, dict[str, tuple[str, str]]],
    source: str,
) -> list[dict[str, Any]]:
    """Run each rule (gravite, field, SQL condition, message, expected) over `source`'s rows.

    The rows that break any rule are set apart first, in one pass, then counted rule by rule in
    a second; only the rules broken at least once list their rows (none, for a clean file).
    When a row holds a formula without result, every field gets one more rule, that error; a
    field's own rules skip such a cell (it is not empty, its value is unknown), and a row
    holding one is never ignored.
    A message may show the cell's number, French-written, with `{valeur}`.
    """
    problems: list[dict[str, Any]] = []
    # Most files have no formula without result: their rules stay as they are.
    if scalar(conn, f"SELECT bool_or(_no_result IS NOT NULL) FROM {source}"):  # noqa: S608 - fixed names
        fields = sorted({key for sheet in where.values() for key in sheet})
        rules = [_unless_no_result(rule) for rule in rules] + [
            ("erreur", key, f"list_contains(_no_result, '{key}')", NO_RESULT, NO_RESULT_EXPECTED)
            for key in fields
        ]
    any_rule = " OR ".join(f"coalesce({condition}, false)" for _, _, condition, _, _ in rules)
    hits_table = materialise(
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
    for (gravite, key, condition, message, expected), is_broken in zip(rules, broken, strict=True):
        if not is_broken:
            continue
        hits = conn.sql(
            f"SELECT feuille, ligne, regexp_replace(CAST({key} AS VARCHAR), '^(-?\\d+)\\.0$', '\\1') "  # noqa: S608 - fixed rules
            f"FROM ptlcd_hits WHERE {condition} "
            "ORDER BY feuille, ligne"
        ).fetchall()
        if gravite == "ignoré":
            # One remark per sheet for ignored rows: an untouched template row is not news.
            by_sheet: dict[str, list[int]] = {}
            for feuille, ligne, _ in hits:
                by_sheet.setdefault(feuille, []).append(int(ligne))
            for feuille, lines in by_sheet.items():
                problems.append(
                    remark(
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
            text = message.replace("{valeur}", str(value).replace(".", ","))
            problems.append(
                problem(gravite, feuille, ligne, col_letter, header, value, text, expected)
            )
    conn.unregister("ptlcd_hits")
    return problems


def _unless_no_result(rule: Rule) -> Rule:
    niveau, key, condition, message, expected = rule
    if niveau == "ignoré":
        guard = "_no_result IS NULL"
    else:
        guard = f"NOT coalesce(list_contains(_no_result, '{key}'), false)"
    return niveau, key, f"({condition}) AND {guard}", message, expected


DUPLICATES_NAMED = 5  # a group of duplicate rows names its first lines, then counts them


def duplicates(
    conn: Connection, source: str, key_sql: str, what: str, where: dict[str, Any]
) -> list[dict[str, Any]]:
    """One error per group of rows sharing the key `key_sql`, at its first line: how many rows
    it has, its first DUPLICATES_NAMED lines and the count of the others.

    One error per group, not per row: a sheet of 150,000 rows over 30 keys makes 30 errors, not
    150,000 that the page and the command line would sort, format and print one by one. Every
    row of a group is still counted, and found by the key of the first lines named. The first
    lines are taken by `min_by(…, n)` (a heap of n per group, no list of the group's lines), and
    only for the keys found twice: a clean sheet builds nothing per row.
    """
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in key_sql.split(", "))
    rows = conn.sql(
        f"""
        WITH twice AS (
            SELECT {key_sql} FROM {source} WHERE {not_null}
            GROUP BY ALL HAVING count(*) > 1
        )
        SELECT count(*) AS n, min_by((feuille, ligne), (feuille, ligne), {DUPLICATES_NAMED})
        FROM {source} SEMI JOIN twice USING ({key_sql})
        GROUP BY {key_sql}
        ORDER BY min((feuille, ligne))
        """  # noqa: S608 - fixed fragments
    ).fetchall()
    expected = "une seule ligne par " + what.replace("mêmes ", "").replace(" et ", ", ")
    out = []
    for n, firsts in rows:
        # Sorted here too: at most DUPLICATES_NAMED items, whatever order min_by lists them in.
        lines = sorted((str(feuille), int(ligne)) for feuille, ligne in firsts)
        out.append(
            error(
                lines[0][0],
                lines[0][1],
                None,
                None,
                None,
                f"Ligne en double : {what} sur {number(n)} lignes ({named_lines(lines, n)}).",
                expected,
            )
        )
    return out


def named_lines(lines: list[tuple[str, int]], total: int) -> str:
    """The first `lines` (sheet, line) of a group of `total` rows, then the count of the others:
    'Indicateurs lignes 2, 32, 62, 92, 122 et 4 995 autres', 'Feuil2 ligne 7 et Indicateurs
    ligne 2'. Each sheet is named once, before its first line."""
    items: list[str] = []
    for sheet, group in groupby(lines, key=lambda line: line[0]):
        numbers = [str(line) for _, line in group]
        items.append(f"{sheet} {'lignes' if len(numbers) > 1 else 'ligne'} {numbers[0]}")
        items += numbers[1:]
    others = total - len(lines)
    if others:
        items.append(f"{number(others)} {'autres' if others > 1 else 'autre'}")
    return ", ".join(items[:-1]) + " et " + items[-1]


def territories_sql() -> str:
    """Every way of naming a territory: its code and its label, as keys."""
    return (
        "SELECT DISTINCT ptlcd_key(code) AS k, code FROM plan_territoire(current_date) "
        "UNION SELECT DISTINCT ptlcd_key(libelle), code FROM plan_territoire(current_date)"
    )


def territory_list(conn: Connection) -> str:
    return ", ".join(
        r[0]
        for r in conn.execute(
            "SELECT libelle FROM plan_territoire(current_date) ORDER BY ordre"
        ).fetchall()
    )


def vocabulary_sql(values: tuple[str, ...]) -> str:
    return " UNION ALL ".join(
        "SELECT ptlcd_key('" + v.replace("'", "''") + "') AS k, '" + v.replace("'", "''") + "' AS v"
        for v in values
    )


def number_layers(source: str, *cols: str) -> str:
    """CTEs `raw_numbers` and `numbers` over `source`, which has `<col>`, `<col>_fast` and
    `<col>_pct` (its cell is formatted as %) for each column in `cols`, and `unite`.

    The number rule is the macros' (`ptlcd_number_of`, `ptlcd_bad_of`, `ptlcd_fraction_of`,
    `ptlcd_scaled`: the same as `ptlcd_number`, `ptlcd_bad_number`, `ptlcd_is_fraction`), applied
    only to the cells that are not numbers already: a number cell ('137.0') was cast directly
    (`_fast`), and only the other cells ('1 234,5', '45 %', 'n.c.') go through the regular
    expression, once each (`<col>_d`, their digits). Adds `<col>_raw` (the number as written, or
    NULL), `<col>_n` (the number, × 100 in a cell formatted as %), `<col>_bad` (text that is
    neither a number nor a no-value word) and `<col>_frac` (a plain number between 0 and 1 for an
    indicator in %: read as it is, and questioned).
    """
    digits, fields, flags = [], [], []
    for c in cols:
        digits.append(
            f"CASE WHEN {c} IS NOT NULL AND {c}_fast IS NULL THEN ptlcd_digits({c}) END AS {c}_d"
        )
        fields.append(
            f"CASE WHEN {c}_fast IS NOT NULL THEN {c}_fast "
            f"WHEN {c}_d IS NOT NULL THEN ptlcd_number_of({c}, {c}_d) END AS {c}_raw"
        )
        flags += [
            f"ptlcd_scaled({c}_raw, {c}_pct) AS {c}_n",
            # Only a cell with digits to read (`_d`: not empty, not a number cell) can be bad.
            # A CASE, not `_fast IS NULL AND ptlcd_bad_of(…)`: in a projection DuckDB computed
            # both sides of that AND on every row, trimming and comparing every text (02/12:
            # the parsing query of 100,000 rows took 0.33 s, 0.27 s with the CASE). Same
            # result: an empty cell is a no-value, a number cell is not bad.
            f"CASE WHEN {c}_d IS NOT NULL THEN coalesce(ptlcd_bad_of({c}, {c}_raw), false) "
            f"ELSE false END AS {c}_bad",
            f"coalesce(unite = '%' AND NOT {c}_pct AND ptlcd_fraction_of({c}, {c}_raw), false) "
            f"AS {c}_frac",
        ]
    return (
        f"digits AS (SELECT *, {', '.join(digits)} FROM {source}),\n"  # noqa: S608 - fixed fragments
        f"        raw_numbers AS (SELECT *, {', '.join(fields)} FROM digits),\n"
        f"        numbers AS (SELECT *, {', '.join(flags)} FROM raw_numbers)"
    )


def action_rules(missing: str) -> list[Rule]:
    """The rules of the "N° action" column (sheets Avancement and Engagement); `missing` is the
    condition under which an empty number is an error."""
    return [
        ("erreur", "action", missing, "N° d'action manquant.", "un numéro d'action du plan"),
        (
            "erreur",
            "action",
            "action IS NOT NULL AND action_no IS NULL",
            "Action inconnue.",
            "un numéro d'action du plan (feuille Référentiel)",
        ),
    ]


def territory_rules(conn: Connection) -> list[Rule]:
    """The rules of the "Territoire" column (sheets Indicateurs and Engagement)."""
    territories = territory_list(conn)
    return [
        ("erreur", "territoire", "territoire IS NULL", "Territoire manquant.", territories),
        (
            "erreur",
            "territoire",
            "territoire IS NOT NULL AND territoire_code IS NULL",
            "Territoire inconnu.",
            territories,
        ),
    ]


def ignored(key: str, condition: str, why: str) -> Rule:
    """Rows that hold nothing to publish: one remark per sheet, never an error."""
    return ("ignoré", key, condition, why, None)


def sheet_problems(
    conn: Connection,
    rules: list[Rule],
    where: dict[str, dict[str, tuple[str, str]]],
    source: str,
    key_sql: str,
    what: str,
) -> list[dict[str, Any]]:
    """Every broken rule of `source`'s rows, then its rows repeating the key `key_sql`."""
    return collect(conn, rules, where, source) + duplicates(conn, source, key_sql, what, where)


def arrow(conn: Connection, sql: str) -> pa.Table:
    """The result of `sql` as an Arrow table (the diffs stay Arrow until they are published)."""
    table: pa.Table = conn.sql(sql).to_arrow_table()
    return table
