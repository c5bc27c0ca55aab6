from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from ptlcd_data import exports, store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns, workbooks
from ptlcd_data.cli import main
from ptlcd_data.imports import template
from ptlcd_data.opendata import package
from tests.helpers import import_files as f


@pytest.mark.parametrize(
    "payload", ["=1+1", "+33 6", "-2+3", "@SUM(A1)", "\tcmd", '=HYPERLINK("x")']
)
def test_formula_like_text_stays_text_in_xlsx(payload):
    data = exports.workbook_bytes({"T": pd.DataFrame({"commentaire": [payload]})})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("T").to_python()
    assert rows[1][0] == payload
    cell = load_workbook(io.BytesIO(data))["T"]["A2"]
    assert cell.data_type == "s"


def test_formula_like_text_is_neutralised_in_csv():
    text = exports.to_csv_bytes(pd.DataFrame({"c": ["=1+1", "normal"]})).decode("utf-8-sig")
    assert "'=1+1" in text
    assert "\nnormal" in text


def test_csv_is_french_spreadsheet_shaped():
    text = exports.to_csv_bytes(pd.DataFrame({"a": [1.5], "b": ["x"]})).decode("utf-8-sig")
    assert text.splitlines() == ["a;b", "1,5;x"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Synthèse 2019", "Synthese_2019"),
        ("../../etc/passwd", "etc_passwd"),
        ("", "export"),
        ("a<b>.pdf", "a_b_.pdf"),
    ],
)
def test_safe_filename(name, expected):
    assert exports.safe_filename(name) == expected


FORMULA_LIKE = "=1+1"


def _formula_cells(data: bytes) -> tuple[list[str], list[str]]:
    """(data types, values) of the cells of a workbook that read « =1+1 » or hold a formula."""
    cells = [
        c
        for ws in load_workbook(io.BytesIO(data)).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value == FORMULA_LIKE or c.data_type == "f"
    ]
    return [c.data_type for c in cells], [c.value for c in cells]


def test_a_formula_like_comment_imported_then_exported_comes_back_as_text(db_path, tmp_path):
    """Typed « =1+1 » after a space (a spreadsheet keeps it as text): the import trims the space,
    keeps the text; every spreadsheet export writes it as text, the open data raw."""
    typed = " " + FORMULA_LIKE
    data = f.xlsx(
        {
            "Indicateurs": [f.IND_HEADER, ["I1.1.a", "", "Nantes", 2019, 12, None, None, typed]],
            "Avancement": [f.AV_HEADER, [1, "01/06/2019", "En cours", 40, typed]],
        }
    )
    with store.connect(db_path) as conn:
        f.published(conn, data)
        stored = conn.execute(
            "SELECT commentaire FROM indicateur_valeur UNION ALL "
            "SELECT commentaire FROM statut_record WHERE import_id IS NOT NULL"
        ).fetchall()
        assert stored == [(FORMULA_LIKE,), (FORMULA_LIKE,)]  # trimmed, kept as typed
        model = template.workbook(conn, 2019)  # the template lists the values already known
        campaign = campaigns.open_campaign(conn, SYSTEM, "Suivi", date.today() + timedelta(30))
        returned = workbooks.workbook_bytes(conn, campaign.id, "NM_EGALITE")  # carries action 1
        opendata = package.package_zip(conn, SYSTEM, date.today())
    assert _formula_cells(model) == (["s"], [FORMULA_LIKE])  # the indicator's comment
    assert _formula_cells(returned) == (["s"], [FORMULA_LIKE])  # action 1's last comment

    xlsx, csv_path = tmp_path / "tout.xlsx", tmp_path / "indicateurs.csv"
    assert main(["--db", str(db_path), "export", "all", "--format", "xlsx", "-o", str(xlsx)]) == 0
    types, values = _formula_cells(xlsx.read_bytes())
    assert values and set(types) == {"s"}  # text cells, none a formula
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.read_bytes()))
    assert FORMULA_LIKE in sheet.get_sheet_by_name("Indicateurs").to_python()[1]
    assert main(["--db", str(db_path), "export", "indicators", "-o", str(csv_path)]) == 0
    assert ";'=1+1" in csv_path.read_text(encoding="utf-8-sig")  # the spreadsheet CSV escapes

    with zipfile.ZipFile(io.BytesIO(opendata)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".csv")]
        texts = [archive.read(n).decode("utf-8") for n in names]
    raw = [v for t in texts for row in csv.reader(io.StringIO(t)) for v in row]
    assert raw.count(FORMULA_LIKE) == 2 and "'" + FORMULA_LIKE not in raw  # open data: raw


def test_every_text_of_the_template_is_a_text_cell(conn):
    """Not only the comment columns: a code or a territory that looks like a formula too."""
    ind = template.indicateurs_sheet(conn, 2019).head(2)
    ind["Territoire"] = FORMULA_LIKE
    data = template.save(template.build(template.referentiel(conn), ind))
    assert _formula_cells(data) == (["s", "s"], [FORMULA_LIKE, FORMULA_LIKE])
