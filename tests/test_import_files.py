"""Reading what people really send, and refusing cleanly what cannot be read."""

from __future__ import annotations

import io
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ptlcd_data.classeurs import reader
from ptlcd_data.imports import preview
from tests.helpers import import_files as f
from tests.helpers.import_files import check, published

# --- refusals: the file as a whole ------------------------------------------------------------

REFUSALS = [
    (
        "renamed_pdf",
        "rapport.xlsx",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj",
        "PDF",
    ),
    ("image", "tableau.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image PNG"),
    (
        "truncated",
        "coupe.xlsx",
        lambda: f.indicateurs(["I1.1.a", "", "Nantes", 2019, 3])[:900],
        "endommagé ou incomplet",
    ),
    ("corrupt", "abime.xlsx", f.corrupt_sheet, "endommagé ou illisible"),
    ("zero_bytes", "vide.xlsx", lambda: b"", "est vide"),
    ("empty_workbook", "vide.xlsx", lambda: f.xlsx({"Feuil1": []}), "aucune cellule"),
    (
        "no_sheet_recognised",
        "autre.xlsx",
        lambda: f.xlsx({"Budget": [["Poste", "Montant"], ["Repas", 12]]}),
        "aucune feuille reconnaissable",
    ),
    ("word_document", "note.docx", lambda: _zip_with("word/document.xml"), "document Word"),
    ("binary", "donnees.csv", lambda: b"\x00\x01\x02garbage" * 20, "ni un tableur ni un texte"),
    ("zip_bomb", "bombe.xlsx", f.zip_bomb, "bombe de décompression"),
    ("far_cell_bomb", "bombe.xlsx", f.far_cell_bomb, "mémoire permise"),
]


def _zip_with(name: str) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("case", "name", "make", "expected"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_unreadable_files_are_refused_in_french_and_nothing_is_written(
    conn, case, name, make, expected
):
    before = f.state(conn)
    started = time.monotonic()
    with pytest.raises(reader.FileRefused) as refused:
        check(conn, make(), name)
    assert expected in refused.value.message
    assert name in refused.value.message
    assert time.monotonic() - started < 30, "refused in bounded time"
    assert f.state(conn) == before


def test_the_server_process_survives_a_far_cell_bomb(conn):
    with pytest.raises(reader.FileRefused):
        check(conn, f.far_cell_bomb(), "bombe.xlsx")
    # The same process goes on reading normal files.
    assert check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 3])).ok


def test_file_over_the_size_limit_is_refused(conn):
    before = f.state(conn)
    big = f.csv_bytes([f.IND_HEADER] + [["I1.1.a", "x" * 500, "Nantes", 2019, 1]] * 2500)
    assert len(big) > 2**20
    with pytest.raises(reader.FileRefused, match="limite est de 1\u00a0Mo"):
        check(conn, big, "gros.csv", max_upload_mb=1)
    assert f.state(conn) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_more_rows_than_the_limit_is_refused(conn, fmt):
    rows = [["I1.1.a", "", "Nantes", 2000 + i % 30, i] for i in range(60)]
    data = f.indicateurs(*rows) if fmt == "xlsx" else f.csv_bytes([f.IND_HEADER, *rows])
    before = f.state(conn)
    with pytest.raises(reader.FileRefused) as refused:
        check(conn, data, f"lignes.{fmt}", max_rows=50)
    assert "60 lignes" in refused.value.message and "50" in refused.value.message
    if fmt == "xlsx":
        assert "feuille « Indicateurs »" in refused.value.message
    assert f.state(conn) == before


# A name with the characters the messages used to rewrite: dots, commas, double spaces.
AWKWARD_NAME = "relevé 2.1, version finale"


def _rows(n: int) -> list[list[object]]:
    return [["I1.1.a", "", "Nantes", 2000 + i % 30, i] for i in range(n)]


@pytest.mark.parametrize(
    ("case", "make", "limits", "expected"),
    [
        (
            "size",
            lambda: f.csv_bytes([f.IND_HEADER] + [["I1.1.a", "x" * 500, "Nantes", 2019, 1]] * 2500),
            {"max_bytes": 2**20, "max_rows": 200_000},
            ["pèse 1,2\u00a0Mo ; la limite est de 1\u00a0Mo (réglage PTLCD_MAX_UPLOAD_MB)."],
        ),
        (
            "csv_rows",
            lambda: f.csv_bytes([f.IND_HEADER, *_rows(1_200)]),
            {"max_bytes": 2**30, "max_rows": 1_000},
            [
                "compte 1\u202f200 lignes ; la limite est de 1\u202f000 lignes (réglage "
                "PTLCD_MAX_ROWS). Découpez le fichier."
            ],
        ),
        (
            "xlsx_rows",
            lambda: f.indicateurs(*_rows(1_200)),
            {"max_bytes": 2**30, "max_rows": 1_000},
            ["feuille « Indicateurs »", "compte 1\u202f200 lignes ; la limite est de 1\u202f000"],
        ),
        (
            "bomb",
            f.zip_bomb,
            {"max_bytes": 2**30, "max_rows": 1_000},
            [
                "se décompresse en 64\u00a0Mo pour 0,1\u00a0Mo",
                "« bombe de décompression », refusée",
            ],
        ),
    ],
    ids=["size", "csv_rows", "xlsx_rows", "bomb"],
)
def test_limit_messages_keep_the_file_name_as_it_is(case, make, limits, expected):
    ext = "csv" if case in ("size", "csv_rows") else "xlsx"
    name = f"{AWKWARD_NAME}.{ext}"
    with pytest.raises(reader.FileRefused) as refused:
        reader.read_file(make(), name, **limits)
    message = refused.value.message
    assert f"« {name} »" in message, message
    for part in expected:
        assert part in message, message
    assert message.endswith("."), message


def test_macro_workbook_values_are_read_and_macros_never_run(conn, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "temoin.txt").write_text("toujours là")
    data = f.with_macros(f.indicateurs(["I1.1.a", "", "Nantes", 2019, 7]))
    result = check(conn, data, "avec_macros.xlsm")
    assert result.kind == "xlsm"
    assert result.ok
    assert any("macros n'ont pas été exécutées" in m for m in result.problems["message"])
    assert result.counts()["créés"] == 1
    assert (tmp_path / "temoin.txt").exists()


# --- what people really type ------------------------------------------------------------------

VALUES = [
    ("decimal_comma_and_space", "I1.1.a", "1 234,5", 1234.5),
    ("no_break_space", "I1.1.a", "1\u00a0234,5", 1234.5),
    ("narrow_no_break_space", "I1.1.a", "12\u202f345", 12345.0),
    ("number_stored_as_text", "I1.1.a", "12.5", 12.5),
    ("number_cell", "I1.1.a", 42, 42.0),
    ("leading_apostrophe", "I1.1.a", "'17", 17.0),
    ("english_thousands", "I1.1.a", "1,234.5", 1234.5),
    ("percent_sign", "I4.1.b", "45 %", 45.0),
    ("percent_sign_decimal", "I4.1.b", "12,5%", 12.5),
    ("percent_formatted_cell", "I4.1.b", f.percent(0.45), 45.0),
    ("fraction_of_a_count_stays", "I1.1.a", 0.5, 0.5),
]


@pytest.mark.parametrize(("case", "code", "cell", "stored"), VALUES, ids=[v[0] for v in VALUES])
def test_numbers_as_people_type_them(conn, case, code, cell, stored):
    values = published(conn, f.indicateurs([code, "", "Nantes", 2019, cell]))
    assert values[(code, "NANTES", 2019)] == (stored, None)


@pytest.mark.parametrize("token", ["n.c.", "NC", "-", "ND", "", "  ", "n.d."])
def test_no_value_words_are_never_zero(conn, token):
    values = published(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, token, 10]))
    assert values[("I1.1.a", "NANTES", 2019)] == (None, 10.0)


TERRITORIES = [
    ("Reze", "REZE"),
    ("REZÉ", "REZE"),
    ("St-Herblain", "ST_HERBLAIN"),
    ("SAINT HERBLAIN", "ST_HERBLAIN"),
    ("st herblain", "ST_HERBLAIN"),
    ("  nantes   métropole ", "NM"),
    ("Nantes-Metropole", "NM"),
    ("ST_HERBLAIN", "ST_HERBLAIN"),
    ("orvault", "ORVAULT"),
]


@pytest.mark.parametrize(("cell", "code"), TERRITORIES)
def test_territory_names_with_or_without_accents_hyphens_or_st(conn, cell, code):
    values = published(conn, f.indicateurs(["I1.1.a", "", cell, 2019, 1]))
    assert set(values) == {("I1.1.a", code, 2019)}


YEARS = [
    ("text", "2019"),
    ("text_with_spaces", " 2019 "),
    ("number", 2019),
    ("float", 2019.0),
    ("date", date(2019, 12, 31)),
    ("datetime", datetime(2019, 1, 1)),
    ("year_in_date_formatted_cell", datetime(1905, 7, 11)),  # 2019 typed in a date cell
    ("french_date_text", "31/12/2019"),
]


@pytest.mark.parametrize(("case", "cell"), YEARS, ids=[y[0] for y in YEARS])
def test_years_as_text_number_or_date(conn, case, cell):
    values = published(conn, f.indicateurs(["I1.1.a", "", "Nantes", cell, 1]))
    assert set(values) == {("I1.1.a", "NANTES", 2019)}


def test_codes_with_spaces_and_other_case(conn):
    values = published(conn, f.indicateurs([" i1.1.A ", "", "Nantes", 2019, 1]))
    assert set(values) == {("I1.1.a", "NANTES", 2019)}


def test_blank_rows_title_line_extra_and_reordered_columns(conn):
    header = ["Territoire", "Code indicateur", "Notes internes", "Année", "Valeur", None, None]
    data = f.xlsx(
        {
            "Feuil1": [
                ["Relevé des indicateurs 2019"],
                [],
                header,
                [],
                ["Nantes", "I1.1.a", "à revoir", 2019, 3],
                [None, None, None, None, None, None, None],
                ["Rezé", "I1.1.a", None, 2019, 4],
                [],
                [],
            ]
        }
    )
    result = check(conn, data)
    assert result.ok, result.errors.to_dict("records")
    assert result.counts()["créés"] == 2
    extra = result.problems[result.problems["message"].str.contains("Colonne non reconnue")]
    assert extra[["ligne", "colonne", "entete"]].values.tolist() == [[3, "C", "Notes internes"]]
    lines = sorted(preview.changes(result)["ligne"].unique().tolist())
    assert lines == [5, 7]


def test_a_table_that_starts_further_right_keeps_its_column_letters(conn):
    """Calamine leaves out leading empty columns: problems still name the real letters."""
    pad = [None, None]
    data = f.xlsx(
        {
            "Indicateurs": [
                [],
                [*pad, *f.IND_HEADER],
                [*pad, "I1.1.a", "", "Nantes", 2019, "beaucoup"],
                [*pad, "I1.1.a", "", "Rezé", 2019, 4],
            ]
        }
    )
    result = check(conn, data)
    errors = result.errors[["ligne", "colonne", "entete", "valeur"]].values.tolist()
    assert errors == [[3, "G", "Valeur", "beaucoup"]]


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8-sig", ";"), ("utf-8", ";"), ("cp1252", ";"), ("utf-8", ","), ("utf-16", "\t")],
)
def test_csv_as_french_spreadsheets_write_it(conn, encoding, sep):
    rows = [
        f.IND_HEADER,
        ["I1.1.a", "Dépôts", "Rezé", "2019", "1 234,5", "", "Mission égalité", "é à ç"],
    ]
    if sep == ",":
        rows[1][4] = "1234.5"
    values = published(conn, f.csv_bytes(rows, encoding=encoding, sep=sep), "export.csv")
    assert values == {("I1.1.a", "REZE", 2019): (1234.5, None)}
    source, comment = conn.execute("SELECT source, commentaire FROM indicateur_valeur").fetchall()[
        0
    ]
    assert (source, comment) == ("Mission égalité", "é à ç")


# --- files written by LibreOffice itself ------------------------------------------------------


@pytest.fixture(scope="session")
def libreoffice_files(tmp_path_factory) -> dict[str, Path]:
    """Converted once per session: a French CSV and a workbook with formulas, as LibreOffice saves them."""
    if f.SOFFICE is None:
        pytest.skip("LibreOffice (soffice) absent : scripts/test.sh l'installe")
    src = tmp_path_factory.mktemp("lo-src")
    out = tmp_path_factory.mktemp("lo-out")
    (src / "releve.csv").write_bytes(
        f.csv_bytes(
            [
                f.IND_HEADER,
                ["I1.1.a", "", "Reze", "2019", "1 234,5", "", "", ""],
                ["", "", "", "", "", "", "", ""],
                ["I1.1.b", "", "St-Herblain", "2019", "n.c.", "12", "", ""],
                ["I4.1.b", "", "SAINT HERBLAIN", "2019", "45 %", "", "", ""],
            ],
            encoding="utf-8",
        )
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicateurs"
    ws.append(f.IND_HEADER)
    ws.append(["I1.1.a", "", "Nantes", 2019, 10])
    ws.append(["I1.1.a", "", "Orvault", "=D2", "=E2*2+1", None])
    wb.create_sheet("Mode d'emploi").append(["Remplir la feuille Indicateurs."])
    wb.save(src / "formules.xlsx")
    f.soffice_convert([src / "releve.csv"], "xlsx", out, infilter="CSV:59,34,76,1")
    f.soffice_convert([src / "formules.xlsx"], "ods", out)
    (out / "xlsx").mkdir()
    f.soffice_convert([src / "formules.xlsx"], "xlsx", out / "xlsx")
    f.soffice_convert([out / "releve.xlsx"], "xls", out)
    return {
        "csv_to_xlsx": out / "releve.xlsx",
        "csv_to_xls": out / "releve.xls",
        "formulas_ods": out / "formules.ods",
        "formulas_xlsx": out / "xlsx" / "formules.xlsx",
    }


@pytest.mark.parametrize("key", ["csv_to_xlsx", "csv_to_xls"])
def test_libreoffice_workbooks_are_read(conn, libreoffice_files, key):
    path = libreoffice_files[key]
    values = published(conn, path.read_bytes(), path.name)
    assert values == {
        ("I1.1.a", "REZE", 2019): (1234.5, None),
        ("I1.1.b", "ST_HERBLAIN", 2019): (None, 12.0),
        ("I4.1.b", "ST_HERBLAIN", 2019): (45.0, None),
    }


@pytest.mark.parametrize("key", ["formulas_ods", "formulas_xlsx"])
def test_formulas_give_their_computed_value(conn, libreoffice_files, key):
    path = libreoffice_files[key]
    values = published(conn, path.read_bytes(), path.name)
    assert values[("I1.1.a", "ORVAULT", 2019)] == (21.0, None)
    assert values[("I1.1.a", "NANTES", 2019)] == (10.0, None)
