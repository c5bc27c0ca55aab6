"""What a cell's format says and its text does not: percentages and formulas without a result.

Excel and LibreOffice store "45 %" typed in a cell formatted as a percentage as 0.45; only such a
cell is read as 45. A plain 0,5 is read as 0,5 and Vérifier asks to check it. A formula saved
without its result (some programs do not compute) is an error naming its cell, never "no value".
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.classeurs import cell_marks, percent_format, reader
from ptlcd_data.errors import InputError
from ptlcd_data.imports import batches
from tests.helpers import import_files as f
from tests.helpers.import_files import check, published

FRACTION = "% ? vérifiez"
NO_RESULT = "Formule sans valeur calculée : ouvrez et enregistrez le fichier dans votre tableur."


def remarks(result, text: str) -> list[list]:
    found = result.problems[result.problems["message"].str.contains(text, regex=False)]
    return found[["gravite", "feuille", "ligne", "colonne", "valeur"]].values.tolist()


# --- percentages, as Excel writes them (openpyxl sets the number format) ----------------------

EXCEL_PERCENT = [
    ("builtin_0%", f.percent(0.45, "0%"), 45.0),
    ("builtin_0.00%", f.percent(0.125, "0.00%"), 12.5),
    ("custom_0.0%", f.percent(0.07, "0.0%"), 7.0),
    ("custom_with_space", f.percent(0.3, '0" "%'), 30.0),
    ("one_hundred_percent", f.percent(1, "0%"), 100.0),
]


@pytest.mark.parametrize(
    ("case", "cell", "stored"), EXCEL_PERCENT, ids=[c[0] for c in EXCEL_PERCENT]
)
def test_a_cell_formatted_as_percentage_is_read_as_the_percentage_it_shows(
    conn, case, cell, stored
):
    data = f.indicateurs(["I4.1.b", "", "Nantes", 2019, cell, f.percent(0.6)])
    result = check(conn, data)
    assert result.ok, result.errors.to_dict("records")
    assert remarks(result, FRACTION) == []
    assert published(conn, data) == {("I4.1.b", "NANTES", 2019): (stored, 60.0)}


PLAIN_FRACTIONS = [
    ("number", 0.5, "0,5"),
    ("text_with_comma", "0,5", "0,5"),
    ("number_in_a_cell_formatted_otherwise", f.Formatted(0.25, "0.00"), "0,25"),
]


@pytest.mark.parametrize(
    ("case", "cell", "shown"), PLAIN_FRACTIONS, ids=[c[0] for c in PLAIN_FRACTIONS]
)
def test_a_plain_fraction_in_a_percent_indicator_stays_and_vérifier_asks_to_check(
    conn, case, cell, shown
):
    data = f.indicateurs(["I4.1.b", "", "Nantes", 2019, cell])
    result = check(conn, data)
    assert result.ok, "a remark, not an error: the user decides"
    [[niveau, feuille, ligne, colonne, _]] = remarks(result, FRACTION)
    assert (niveau, feuille, ligne, colonne) == ("remarque", "Indicateurs", 2, "E")
    message = result.problems.loc[result.problems["gravite"] == "remarque", "message"].tolist()
    assert any(m.startswith(f"Valeur : {shown} % ? vérifiez") for m in message), message
    assert not any("cellule au format %" in m for m in message), "it is not"
    stored = float(shown.replace(",", "."))
    assert published(conn, data) == {("I4.1.b", "NANTES", 2019): (stored, None)}


def test_a_fraction_written_with_its_percent_sign_is_not_questioned(conn):
    data = f.indicateurs(["I4.1.b", "", "Nantes", 2019, "0,5 %"])
    result = check(conn, data)
    assert remarks(result, FRACTION) == []
    assert published(conn, data) == {("I4.1.b", "NANTES", 2019): (0.5, None)}


def test_a_fraction_of_a_count_is_neither_rescaled_nor_questioned(conn):
    data = f.indicateurs(["I1.1.a", "", "Nantes", 2019, 0.5])
    result = check(conn, data)
    assert remarks(result, FRACTION) == []
    assert published(conn, data) == {("I1.1.a", "NANTES", 2019): (0.5, None)}


def test_a_count_in_a_percent_formatted_cell_is_read_as_shown_and_flagged(conn):
    """Typing 12 in a cell formatted as % stores 0.12 and shows "12 %": it is read as 12."""
    data = f.indicateurs(["I1.1.a", "", "Nantes", 2019, f.percent(0.12)])
    result = check(conn, data)
    assert result.ok
    assert remarks(result, "format %") == [["remarque", "Indicateurs", 2, "E", "0.12"]]
    assert published(conn, data) == {("I1.1.a", "NANTES", 2019): (12.0, None)}


def test_csv_percentages_are_read_as_written(conn):
    data = f.csv_bytes(
        [
            f.IND_HEADER,
            ["I4.1.b", "", "Nantes", "2019", "45 %", "", "", ""],
            ["I4.1.b", "", "Rezé", "2019", "0,5", "", "", ""],
        ]
    )
    result = check(conn, data, "releve.csv")
    assert result.ok
    assert remarks(result, FRACTION) == [["remarque", "Indicateurs", 3, "E", "0,5"]]
    assert published(conn, data, "releve.csv") == {
        ("I4.1.b", "NANTES", 2019): (45.0, None),
        ("I4.1.b", "REZE", 2019): (0.5, None),
    }


AVANCEMENT = [
    ("percent_formatted_cell", f.percent(0.45), 45, False),
    ("whole_number", 45, 45, False),
    ("text_with_sign", "45 %", 45, False),
    ("plain_fraction", 0.6, 1, True),
]


@pytest.mark.parametrize(
    ("case", "cell", "stored", "questioned"), AVANCEMENT, ids=[c[0] for c in AVANCEMENT]
)
def test_avancement_follows_the_same_percentage_rule(conn, case, cell, stored, questioned):
    data = f.xlsx({"Avancement": [f.AV_HEADER, [3, "01/02/2019", "En cours", cell]]})
    result = check(conn, data)
    assert result.ok, result.errors.to_dict("records")
    found = remarks(result, FRACTION)
    assert found == ([["remarque", "Avancement", 2, "D", "0.6"]] if questioned else [])
    batches.publish(conn, SYSTEM, result)
    rows = conn.execute(
        "SELECT avancement FROM statut_record WHERE import_id IS NOT NULL"
    ).fetchall()
    assert rows == [(stored,)]


# --- formulas saved without their result --------------------------------------------------------


def test_a_formula_without_stored_result_is_an_error_naming_its_cell(conn):
    """openpyxl writes `<f>` and no `<v>`: the cell is not empty, its value is unknown."""
    before = f.state(conn)
    data = f.indicateurs(
        ["I1.1.a", "", "Nantes", 2019, "=2+3", 8],
        ["I1.1.a", "", "Rezé", "=2018+1", 4],
        ["I1.1.a", "", "Orvault", 2019, "=1+1"],
    )
    result = check(conn, data)
    assert not result.ok
    errors = result.errors[["feuille", "ligne", "colonne", "entete", "message"]]
    assert errors.values.tolist() == [
        ["Indicateurs", 2, "E", "Valeur", NO_RESULT],
        ["Indicateurs", 3, "D", "Année", NO_RESULT],
        ["Indicateurs", 4, "E", "Valeur", NO_RESULT],
    ]
    # Not "no value": neither "Année manquante" nor "ni valeur ni cible".
    assert not result.problems["message"].str.contains("ignorée|manquante").any()
    assert result.counts()["ignorés"] == 0
    with pytest.raises(InputError, match="rien n'est publié"):
        batches.publish(conn, SYSTEM, result)
    assert f.state(conn) == before


def test_a_formula_without_result_alone_on_its_row_is_not_a_blank_row(conn):
    """calamine leaves such a cell out, even on a row past the last filled one (a total row)."""
    data = f.xlsx(
        {
            "Indicateurs": [
                ["Code indicateur", "Territoire", "Année", "Valeur"],
                ["I1.1.a", "Nantes", 2019, 3],
                [None, None, None, None],
                [None, None, None, "=SUM(D2:D3)"],
            ]
        }
    )
    result = check(conn, data)
    errors = result.errors[["ligne", "colonne", "message"]].values.tolist()
    assert [4, "D", NO_RESULT] in errors
    assert {e[0] for e in errors} == {4}


def test_a_header_cell_with_a_formula_without_result_is_named(conn):
    data = f.xlsx(
        {"Indicateurs": [[*f.IND_HEADER[:4], '="Valeur"'], ["I1.1.a", "", "Nantes", 2019, 3]]}
    )
    result = check(conn, data)
    errors = result.errors[["feuille", "ligne", "colonne", "message"]].values.tolist()
    assert ["Indicateurs", 1, "E", NO_RESULT] in errors


# --- the scan itself: positions as the spreadsheet shows them ---------------------------------

FORMATS = [
    ("0%", True),
    ("0.00%", True),
    ("#,##0.0 %", True),
    ("0.0%;[Red]-0.0%", True),
    ('0" %"', False),  # a quoted % is text shown after the number, not a scaling
    ("0\\%", False),
    ("General", False),
    ('[$-40C]0.00" pour cent"', False),
    ("0.00", False),
]


@pytest.mark.parametrize(("code", "is_percent"), FORMATS)
def test_a_number_format_is_a_percentage_only_when_its_percent_sign_is_not_quoted(code, is_percent):
    assert percent_format.is_percent_format(code) is is_percent


def test_ods_positions_count_repeated_rows_and_columns():
    content = (
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        b'<office:spreadsheet><t:table t:name="Feuille &amp; 1">'
        b'<t:table-column t:number-columns-repeated="4"/>'
        b'<t:table-row t:number-rows-repeated="2"><t:table-cell t:number-columns-repeated="3"/>'
        b"</t:table-row>"
        b'<t:table-header-rows><t:table-row><t:table-cell t:number-columns-repeated="2"/>'
        b'<t:covered-table-cell/><t:table-cell office:value-type="percentage" office:value="0.5" '
        b't:number-columns-repeated="2"><text:p>50 %</text:p></t:table-cell></t:table-row>'
        b"</t:table-header-rows>"
        b'<t:table-row><t:table-cell t:formula="of:=1+1"/><t:table-cell t:formula="of:=[.A1]&gt;1"'
        b' office:value-type="float" office:value="1"/></t:table-row>'
        b"</t:table></office:spreadsheet></office:body></office:document-content>"
    )
    marks = cell_marks.scan(_ods_with(content), "ods")
    assert marks == {"Feuille & 1": cell_marks.Marks(percent={(3, 3), (3, 4)}, no_result={(4, 0)})}


def _ods_with(content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return out.getvalue()


def _without_references(xml: bytes) -> bytes:
    """`r` is optional in a sheet's XML: a cell's place is then its order in its row."""
    return re.sub(rb'<c r="[A-Z]+\d+"', b"<c", xml)


def _prefixed(xml: bytes) -> bytes:
    """`<x:worksheet xmlns:x=…><x:sheetData><x:row><x:c>`, as some generators write it."""
    xml = re.sub(rb"<(/?)([A-Za-z]\w*)([\s/>])", rb"<\1x:\2\3", xml)
    return xml.replace(b'xmlns="', b'xmlns:x="', 1)


@pytest.mark.parametrize("rewrite", [_without_references, _prefixed])
def test_cells_are_found_whatever_the_writer_leaves_out_or_prefixes(rewrite):
    data = f.indicateurs(
        ["I4.1.b", "", "Nantes", 2019, f.percent(0.45), "=1+1"],
        ["I4.1.b", "", "Rezé", 2019, 0.5, f.percent(0.25)],
    )
    rewritten = f.part_rewritten(data, "xl/worksheets/sheet1.xml", rewrite)
    assert _sheet(rewritten) != _sheet(data)
    expected = {"Indicateurs": cell_marks.Marks(percent={(2, 4), (3, 5)}, no_result={(2, 5)})}
    assert cell_marks.scan(data, "xlsx") == expected
    assert cell_marks.scan(rewritten, "xlsx") == expected


def test_a_formula_with_its_stored_result_is_not_marked():
    """The usual case (Excel, LibreOffice): `<f>` then `<v>`; nothing to say."""
    data = f.indicateurs(["I1.1.a", "", "Nantes", 2019, 1])
    marks = cell_marks.scan(_with_cached_formula(data), "xlsx")
    assert marks == {}


def _with_cached_formula(data: bytes) -> bytes:
    changed = f.part_rewritten(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>1</v>", b"<f>0+1</f><v>1</v>"),
    )
    assert b"<f>" in _sheet(changed)
    return changed


def _sheet(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_the_reader_hands_marks_as_columns_and_reaches_cells_calamine_leaves_out():
    """calamine drops a formula without result, even past the last filled row and column."""
    data = f.xlsx({"Feuil1": [["a", "b"], [1, f.percent(0.45)], [], [None, None, None, "=1+1"]]})
    [sheet] = reader.read_file(data, "x.xlsx", max_bytes=2**20, max_rows=100).sheets
    table = sheet.table
    assert table.num_rows == 4
    assert table.column("pct_1").to_pylist() == [False, True, False, False]
    assert table.column("noresult_3").to_pylist() == [False, False, False, True]
    assert table.column("c3").to_pylist() == [None, None, None, None]
    assert reader.no_result_cells(table, 4) == [(4, 3)]


# --- files written by LibreOffice itself --------------------------------------------------------


@pytest.fixture(scope="session")
def libreoffice_percent(tmp_path_factory) -> dict[str, Path]:
    """One workbook with cells formatted as % and plain fractions, saved by LibreOffice as .ods,
    .xlsx and .xls (Excel 97-2003)."""
    if f.SOFFICE is None:
        pytest.skip("LibreOffice (soffice) absent : scripts/test.sh l'installe")
    src = tmp_path_factory.mktemp("lo-pct-src")
    out = tmp_path_factory.mktemp("lo-pct-out")
    f.workbook(
        {
            "Indicateurs": [
                f.IND_HEADER,
                ["I4.1.b", "", "Nantes", 2019, f.percent(0.45), f.percent(0.6, "0.0%")],
                ["I4.1.b", "", "Rezé", 2019, 0.5],
                ["I1.1.a", "", "Orvault", 2019, "=E3*10", None],
            ],
            "Avancement": [
                f.AV_HEADER,
                [3, "01/02/2019", "En cours", f.percent(0.3)],
                [4, "01/02/2019", "En cours", 0.6],
            ],
        }
    ).save(src / "pourcentages.xlsx")
    (out / "xlsx").mkdir()
    f.soffice_convert([src / "pourcentages.xlsx"], "xlsx", out / "xlsx")
    f.soffice_convert([src / "pourcentages.xlsx"], "ods", out)
    f.soffice_convert([src / "pourcentages.xlsx"], "xls", out)
    return {
        "ods": out / "pourcentages.ods",
        "xlsx": out / "xlsx" / "pourcentages.xlsx",
        "xls": out / "pourcentages.xls",
    }


@pytest.mark.parametrize("kind", ["ods", "xlsx", "xls"])
def test_libreoffice_files_mark_their_percent_cells(libreoffice_percent, kind):
    marks = cell_marks.scan(libreoffice_percent[kind].read_bytes(), kind)
    assert {name: m.percent for name, m in marks.items()} == {
        "Indicateurs": {(2, 4), (2, 5)},
        "Avancement": {(2, 3)},
    }
    assert not any(m.no_result for m in marks.values()), "LibreOffice stores every result"


@pytest.mark.parametrize("kind", ["ods", "xlsx", "xls"])
def test_libreoffice_percent_cells_are_read_as_shown_and_plain_fractions_as_written(
    conn, libreoffice_percent, kind
):
    path = libreoffice_percent[kind]
    result = check(conn, path.read_bytes(), path.name)
    assert result.ok, result.errors.to_dict("records")
    assert [r[1:4] for r in remarks(result, FRACTION)] == [
        ["Avancement", 3, "D"],
        ["Indicateurs", 3, "E"],
    ]
    batches.publish(conn, SYSTEM, result)
    values = conn.execute(
        "SELECT indicateur_code, territoire_code, valeur, cible FROM indicateur_valeur "
        "ORDER BY 1, 2"
    ).fetchall()
    assert values == [
        ("I1.1.a", "ORVAULT", 5.0, None),
        ("I4.1.b", "NANTES", 45.0, 60.0),
        ("I4.1.b", "REZE", 0.5, None),
    ]
    progress = conn.execute(
        "SELECT action_no, avancement FROM statut_record WHERE import_id IS NOT NULL ORDER BY 1"
    ).fetchall()
    assert progress == [(3, 30), (4, 1)]


def test_an_ods_formula_without_stored_result_is_an_error_naming_its_cell(
    conn, libreoffice_percent
):
    data = f.without_formula_results(libreoffice_percent["ods"].read_bytes())
    result = check(conn, data, "pourcentages.ods")
    errors = result.errors[["feuille", "ligne", "colonne", "message"]].values.tolist()
    assert errors == [["Indicateurs", 4, "E", NO_RESULT]]


def test_one_formula_repeated_over_millions_of_cells_is_refused_quickly(conn, libreoffice_percent):
    before = f.state(conn)
    data = f.repeated_formula_bomb(libreoffice_percent["ods"].read_bytes())
    with pytest.raises(reader.FileRefused, match="plus de 5 000 000 cellules"):
        check(conn, data, "bombe.ods")
    assert f.state(conn) == before


def test_column_letters_are_those_a_spreadsheet_shows():
    """The letter named in a refusal (« colonne E ») as openpyxl writes it, without importing
    it at every page: A…Z, AA…ZZ, AAA…; a negative index is a bug, not a letter."""
    from openpyxl.utils import get_column_letter

    from ptlcd_data.classeurs.headers import letter

    for index in (*range(0, 800), 16_383, 18_277):
        assert letter(index) == get_column_letter(index + 1), index
    with pytest.raises(ValueError):
        letter(-2)
