"""The annual summary's section on the GOLD's décisions (issue 25, item 5): page, PDF, XLSX."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from ptlcd_data import store
from ptlcd_data.access.auth import User
from ptlcd_data.decisions import records
from ptlcd_data.synthese import model, render_pdf, render_xlsx
from ptlcd_data.synthese import section_decisions as sd
from tests.helpers.apptest import open_page, open_view, table_having

SAISIE = User("sec", "Secrétariat", "saisie")
TODAY = date(2020, 6, 1)
FORMULA = "=1+1"


def _seed(conn: store.Connection) -> None:
    first = records.open_seance(conn, SAISIE, date(2019, 3, 1), titre="GOLD", today=TODAY)
    done = records.add_decision(
        conn, SAISIE, first, texte="Demander les chiffres", responsable="MDE",
        echeance=date(2019, 4, 1), action_no=4,
    )  # fmt: skip
    records.add_decision(
        conn, SAISIE, first, texte=FORMULA, responsable="Mme Durand", echeance=date(2019, 6, 1)
    )
    records.add_decision(
        conn, SAISIE, first, texte="Plus tard", responsable="MDE", echeance=date(2020, 3, 1)
    )
    records.set_etat(conn, SAISIE, done, "faite", date_effet=date(2019, 3, 20), today=TODAY)
    later = records.open_seance(conn, SAISIE, date(2020, 2, 1), today=TODAY)
    records.add_decision(
        conn, SAISIE, later, texte="Décision de 2020", responsable="MDE", echeance=date(2020, 5, 1)
    )


def test_the_year_section_counts_taken_done_and_late(conn: store.Connection) -> None:
    _seed(conn)
    s = model.synthese_annuelle(conn, 2019, TODAY)
    assert list(s.decisions.columns) == sd.COLUMNS
    assert len(s.decisions) == 3  # the 2020 décision is not in 2019's
    assert s.decisions[sd.COL_DECISION].iloc[0] == FORMULA  # late first
    assert s.bilan_decisions == (
        "3 décisions prises en séance en 2019 : 1 faite(s), 1 en retard, 0 abandonnée(s), "
        "2 encore ouverte(s)."
    )
    empty = model.synthese_annuelle(conn, 2018, TODAY)
    assert empty.decisions.empty
    assert empty.bilan_decisions == "Aucune décision du GOLD n'a été enregistrée en 2018."


def test_pdf_and_xlsx_tell_the_decisions_and_keep_a_formula_as_text(
    conn: store.Connection,
) -> None:
    _seed(conn)
    s = model.synthese_annuelle(conn, 2019, TODAY)
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf.render(s))).pages)
    assert "Les décisions du GOLD en 2019" in pdf
    assert "Demander les chiffres" in pdf and "ouverte — en retard" in pdf
    data = render_xlsx.render(s, TODAY)
    ws = load_workbook(io.BytesIO(data))[render_xlsx.SHEET_DECISIONS]
    header = [c.value for c in ws[1]]
    column = header.index(sd.COL_DECISION)
    cells = [row[column] for row in ws.iter_rows(min_row=2) if row[column].value == FORMULA]
    assert cells and cells[0].data_type == "s"


def test_the_synthese_page_shows_the_section(app_env) -> None:  # type: ignore[no-untyped-def]
    with store.connect(app_env) as conn:
        _seed(conn)
    at = open_page("app_pages/synthese.py")
    at.selectbox(key="synthese_annee").select(2019).run()
    assert "Décisions du GOLD" in [t.label for t in at.tabs]
    open_view(at, "synthese_vue", "Décisions du GOLD")  # its tab, drawn once opened
    assert any(h.value == "Les décisions du GOLD en 2019" for h in at.header)
    assert FORMULA in set(table_having(at, sd.COL_DECISION, sd.COL_ECHEANCE)[sd.COL_DECISION])
