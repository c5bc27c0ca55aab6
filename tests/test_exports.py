from __future__ import annotations

import io

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from ptlcd_data import exports


@pytest.mark.parametrize(
    "payload", ["=1+1", "+33 6", "-2+3", "@SUM(A1)", "\tcmd", '=HYPERLINK("x")']
)
def test_formula_like_text_stays_text_in_xlsx(payload):
    data = exports.workbook_bytes({"T": pd.DataFrame({"commentaire": [payload]})})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("T").to_python()
    assert rows[1][0] == payload
    from openpyxl import load_workbook

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
