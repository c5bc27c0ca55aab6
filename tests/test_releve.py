"""The relevé de décisions of a séance, in DOCX and PDF (issue 25, item 4), read back as text."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from ptlcd_data import store
from ptlcd_data.access.auth import User
from ptlcd_data.decisions import records
from ptlcd_data.errors import InputError
from ptlcd_data.releve import content, report

SAISIE = User("sec", "Secrétariat", "saisie")
MDE = User("mde", "Maison de l'emploi", "porteur", porteurs=("MDE",))
TODAY = date(2024, 12, 31)
FORMULA = '=HYPERLINK("http://x","clic")'
MARKUP = "<b>gras</b> **étoiles**"


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def seances(conn: store.Connection) -> tuple[int, int]:
    """Two séances: the first's décisions, one done since, one still open and late at the second."""
    first = records.open_seance(
        conn, SAISIE, date(2024, 1, 15), titre="GOLD de janvier", participants="A, B", today=TODAY
    )
    done = records.add_decision(
        conn, SAISIE, first, texte="Demander les chiffres de 2023", responsable="MDE",
        echeance=date(2024, 2, 1), action_no=5,
    )  # fmt: skip
    records.add_decision(
        conn, SAISIE, first, texte="Relancer les bailleurs avant mars", responsable="Mme Durand",
        echeance=date(2024, 2, 28), action_no=7,
    )  # fmt: skip
    records.set_etat(conn, MDE, done, "faite", date_effet=date(2024, 2, 1), today=TODAY)
    second = records.open_seance(
        conn, SAISIE, date(2024, 4, 2), titre="GOLD d'avril", participants=MARKUP, today=TODAY
    )
    records.add_decision(
        conn, SAISIE, second, texte=FORMULA, responsable="MDE", echeance=date(2024, 6, 30)
    )
    return first, second


@pytest.mark.parametrize(("fmt", "read"), [("docx", docx_text), ("pdf", pdf_text)])
def test_the_next_releve_lists_earlier_open_decisions_and_which_are_late(
    conn: store.Connection, seances: tuple[int, int], fmt: str, read: object
) -> None:
    text = read(report.build(conn, seances[1], fmt, produced=TODAY))  # type: ignore[operator]
    assert "GOLD d'avril" in text and "02/04/2024" in text
    assert MARKUP in text  # participants, literally
    assert "Relancer les bailleurs avant mars" in text
    assert "ouverte — en retard" in text
    assert "Demander les chiffres de 2023" not in text  # done before the séance
    assert "Générale" in text and "30/06/2024" in text


def test_the_docx_keeps_a_formula_as_text_and_lists_the_seance(
    conn: store.Connection, seances: tuple[int, int]
) -> None:
    text = docx_text(report.build(conn, seances[1], "docx", produced=TODAY))
    assert FORMULA in text
    first = docx_text(report.build(conn, seances[0], "docx", produced=TODAY))
    assert "GOLD de janvier" in first and "A, B" in first
    assert "Action n° 5" in first and "Action n° 7" in first
    assert "Aucune décision des séances précédentes n'est encore ouverte." in first


def test_a_releve_in_another_format_is_refused_in_french(
    conn: store.Connection, seances: tuple[int, int]
) -> None:
    with pytest.raises(InputError, match="docx ou pdf"):
        report.build(conn, seances[0], "odt")
    assert content.file_name(3, date(2024, 4, 2), "pdf") == "releve_seance_3_2024-04-02.pdf"
