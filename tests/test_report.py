"""The annual summary as files: the PDF (read back, rendered to PNG), the XLSX (read back), the
command line that writes them, and the full export workbook."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageStat
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from ptlcd_data import store
from ptlcd_data.access import auth
from ptlcd_data.cli import main
from ptlcd_data.suivi import saisie
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import model as syn
from ptlcd_data.synthese import render_pdf, render_xlsx, report
from tests.helpers.databases import Templates

TODAY = date(2026, 11, 28)
SAISIE = auth.User("gold", "Secrétariat du GOLD", "saisie")
# A rendered page is "not blank" when its grey levels vary and some of it is ink.
MIN_STDDEV = 8.0
MIN_INK_SHARE = 0.01


@pytest.fixture(scope="module")
def demo_summary(tmp_path_factory: pytest.TempPathFactory, templates: Templates) -> syn.Synthese:
    """2019 on the demonstration database (copied once: the tests below only read it)."""
    path = templates.copy("demo", tmp_path_factory.mktemp("synthese") / "demo.duckdb")
    with store.connect(path) as conn:
        return syn.synthese_annuelle(conn, 2019, TODAY)


@pytest.fixture(scope="module")
def demo_pdf(demo_summary: syn.Synthese) -> bytes:
    return render_pdf.render(demo_summary, TODAY)


def _texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    """Extracted text with its line breaks and narrow spaces made plain spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_pdf_has_a_cover_and_one_section_per_axis(demo_pdf, demo_summary):
    reader = PdfReader(io.BytesIO(demo_pdf))
    texts = [_flat(p.extract_text()) for p in reader.pages]
    cover = texts[0]
    assert "Synthèse annuelle 2019" in cover
    assert "Situation au 31/12/2019" in cover
    assert "Sommaire" in cover
    assert "page 1" not in cover  # the cover has no running footer
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    axes = list(zip(demo_summary.axes[col.COL_AXE_NO], demo_summary.axes[col.COL_AXE], strict=True))
    assert len(axes) == 5
    starts = []
    for axe_no, label in axes:
        title = f"Axe {axe_no} · {label}"
        assert title in outline, title
        page = outline[title]
        assert texts[page].startswith(("DONNÉES DE DÉMONSTRATION", title))
        assert title in texts[page]
        assert title in cover  # listed in the contents
        starts.append(page)
    assert starts == sorted(set(starts)), "each axis opens its own page, in the plan's order"
    for section in (
        "L'année 2019 en bref",
        "L'engagement des territoires",
        "Méthode et définitions",
    ):
        assert section in outline
    n = len(reader.pages)
    assert all(f"page {i + 1} / {n}" in texts[i] for i in range(1, n))
    assert reader.metadata.title == f"Synthèse annuelle 2019 — {demo_summary.plan_nom}"


def test_pdf_pages_are_not_blank(demo_pdf, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm manque : bash scripts/test.sh installe poppler-utils"
    pdf = tmp_path / "synthese.pdf"
    pdf.write_bytes(demo_pdf)
    subprocess.run(
        [pdftoppm, "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(demo_pdf)).pages)
    for png in pages:
        image = Image.open(png).convert("L")
        ink = sum(image.histogram()[:200]) / (image.width * image.height)
        assert ImageStat.Stat(image).stddev[0] > MIN_STDDEV, png.name
        assert ink > MIN_INK_SHARE, png.name


def test_pdf_says_when_it_holds_demonstration_data(demo_pdf, conn):
    texts = [_flat(t) for t in _texts(demo_pdf)]
    assert "Données de démonstration" in texts[0]
    assert all("démonstration" in t.lower() for t in texts[1:])
    clean = render_pdf.render(syn.synthese_annuelle(conn, 2019, TODAY), TODAY)
    assert not any("démonstration" in t.lower() for t in _texts(clean))


def test_pdf_is_in_french_with_french_figures(demo_pdf):
    text = " ".join(_texts(demo_pdf))
    assert "24\u202f%" in text or "24 %" in text  # share Réalisé, French percent
    assert "Réalisées en 2019" in text
    for english in (r"\bPage\b", r"\bof\b", r"\bTotal\b", r"\bNone\b", r"\bnan\b", r"\bNaN\b"):
        assert not re.search(english, text), english


def test_xlsx_has_one_sheet_per_section_with_the_summary_figures(demo_summary):
    data = render_xlsx.render(demo_summary, TODAY)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert wb.sheet_names == list(render_xlsx.sheets(demo_summary, TODAY))
    chiffres = wb.get_sheet_by_name(render_xlsx.SHEET_CHIFFRES).to_python()
    assert chiffres[0][:2] == ["Chiffre", "Valeur"]
    read = {row[0]: row[1] for row in chiffres[1:]}
    for label in demo_summary.chiffres["Chiffre"]:
        assert read[label] == pytest.approx(demo_summary.chiffre(label))
    axes = wb.get_sheet_by_name(render_xlsx.SHEET_AXES).to_python()
    header = axes[0]
    for row, (_, expected) in zip(axes[1:], demo_summary.axes.iterrows(), strict=True):
        got = dict(zip(header, row, strict=True))
        assert got[col.COL_METEO] == expected[col.COL_METEO]
        assert got["Actions"] == expected["Actions"]
        assert got["En retard"] == expected["En retard"]
    front = wb.get_sheet_by_name(render_xlsx.SHEET_SYNTHESE).to_python()
    demo_row = next(r for r in front if r[0] == render_xlsx.DEMO_ROW)
    assert demo_row[1].startswith("OUI")
    done = wb.get_sheet_by_name(render_xlsx.SHEET_REALISEES).to_python()
    assert len(done) - 1 == len(demo_summary.realisees) == 5
    assert type(done[1][done[0].index("Réalisée le")]).__name__ in {"date", "datetime"}


def test_formula_like_comment_comes_back_as_text(conn):
    saisie.enregistrer_revue(
        conn, SAISIE, 10, date_effet=date(2019, 5, 2), statut="En cours", commentaire="=1+1",
        today=TODAY,
    )  # fmt: skip
    s = syn.synthese_annuelle(conn, 2019, TODAY)
    data = render_xlsx.render(s, TODAY)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(
        render_xlsx.SHEET_COMMENTAIRES
    )
    rows = sheet.to_python()
    column = rows[0].index("Commentaire")
    assert "=1+1" in [r[column] for r in rows[1:]]
    ws = load_workbook(io.BytesIO(data))[render_xlsx.SHEET_COMMENTAIRES]
    cells = [c for c in ws.iter_rows(min_row=2) if c[column].value == "=1+1"]
    assert cells and cells[0][column].data_type == "s"
    assert "=1+1" in " ".join(_texts(render_pdf.render(s, TODAY)))


def test_file_names_are_safe(demo_summary):
    assert report.file_name(demo_summary, "pdf") == "synthese_annuelle_2019.pdf"
    assert report.file_name(demo_summary, "XLSX") == "synthese_annuelle_2019.xlsx"


def test_another_plan_gets_its_own_pdf(mini_conn):
    s = syn.synthese_annuelle(mini_conn, 2021, TODAY)
    text = _flat(" ".join(_texts(render_pdf.render(s, TODAY))))
    assert "Plan de test de Villeneuve" in text
    assert "Axe 1 · Observer" in text and "Axe 2 · Agir" in text
    assert "Nantes" not in text


# -- command line --------------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path) -> Path:
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "init"]) == 0
    return db


def test_cli_report_writes_pdf_and_xlsx(cli_db, tmp_path, capsys):
    pdf, xlsx = tmp_path / "s.pdf", tmp_path / "sortie" / "s.xlsx"
    assert (
        main(["--db", str(cli_db), "report", "--year", "2019", "--format", "pdf", "-o", str(pdf)])
        == 0
    )
    assert "Synthèse annuelle 2019" in capsys.readouterr().out
    assert "Synthèse annuelle 2019" in _texts(pdf.read_bytes())[0]
    assert main(["--db", str(cli_db), "report", "--year", "2019", "-o", str(xlsx)]) == 0
    names = CalamineWorkbook.from_path(str(xlsx)).sheet_names
    assert render_xlsx.SHEET_CHIFFRES in names


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "2016", "-o", "x.pdf"], "le plan commence en 2017"),
        (["--year", "2019", "-o", "x.docx"], "Format « docx » inconnu"),
        (["--year", "2999", "-o", "x.pdf"], "dernière année possible"),
    ],
)
def test_cli_report_refusals_exit_1_in_french(cli_db, tmp_path, capsys, argv, message):
    argv = [a if a not in ("x.pdf", "x.docx") else str(tmp_path / a) for a in argv]
    assert main(["--db", str(cli_db), "report", *argv]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not list(tmp_path.glob("x.*"))


def test_export_all_is_one_workbook_of_plan_statuses_engagement_indicators(cli_db, tmp_path):
    out = tmp_path / "tout.xlsx"
    argv = ["--db", str(cli_db), "export", "all", "--format", "xlsx", "-o", str(out)]
    assert main(argv) == 0
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["Plan", "Statuts", "Engagements", "Indicateurs"]
    assert len(wb.get_sheet_by_name("Plan").to_python()) == 35
    assert len(wb.get_sheet_by_name("Engagements").to_python()) == 1 + 34 * 5
    assert len(wb.get_sheet_by_name("Indicateurs").to_python()) > 1


def test_export_all_refuses_csv(cli_db, tmp_path, capsys):
    argv = ["--db", str(cli_db), "export", "all", "--format", "csv", "-o", str(tmp_path / "t.csv")]
    assert main(argv) == 1
    assert "choisissez --format xlsx" in capsys.readouterr().err


def test_a_very_long_cell_does_not_break_the_pdf():
    from ptlcd_data.synthese.pdf_document import CELL_CHARS_MAX, ReportPDF

    pdf = ReportPDF("test")
    pdf.add_page()
    pdf.data_table(
        ["Sujet", "Commentaire"], [["territoire, " * 400, "mot " * 2000]], widths=[40, 140]
    )
    data = bytes(pdf.output())
    assert data.startswith(b"%PDF")
    assert CELL_CHARS_MAX < 1000


def test_a_tab_in_a_comment_renders_as_a_space_without_a_glyph_warning(conn, caplog):
    saisie.enregistrer_revue(
        conn,
        SAISIE,
        10,
        date_effet=date(2019, 5, 2),
        statut="En cours",
        commentaire="Point\td'étape\tcollé depuis un tableur",
        today=TODAY,
    )
    s = syn.synthese_annuelle(conn, 2019, TODAY)
    with caplog.at_level("WARNING"):
        data = render_pdf.render(s, TODAY)
    assert not [r.getMessage() for r in caplog.records if "glyph" in r.getMessage()]
    assert "Point d'étape collé depuis un tableur" in _flat(" ".join(_texts(data)))
