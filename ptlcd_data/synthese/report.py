"""The annual summary as a file: PDF to hand out, XLSX to reuse the figures.

One entry point for the command line (`report --year YYYY --format pdf|xlsx -o FILE`) and the
page's download buttons, so both write the same files with the same safe names.
"""

from __future__ import annotations

from datetime import date

from ptlcd_data import exports
from ptlcd_data.errors import InputError
from ptlcd_data.store import Connection
from ptlcd_data.synthese import model

FORMATS = ("pdf", "xlsx")
MIME_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(
            f"Format « {fmt or '(aucun)'} » inconnu pour la synthèse ; formats possibles : "
            f"{', '.join(FORMATS)}."
        )
    return fmt


def render(s: model.Synthese, fmt: str, produced: date | None = None) -> bytes:
    """The summary in `fmt` ('pdf' or 'xlsx')."""
    if check_format(fmt) == "pdf":
        # Imported here: the PDF's fonts and charts (fpdf2, matplotlib) take half a second to
        # load, which every other command and page would otherwise pay at start-up.
        from ptlcd_data.synthese import render_pdf

        return render_pdf.render(s, produced)
    # Imported here too: openpyxl took the page a tenth of a second to load before its buttons.
    from ptlcd_data.synthese import render_xlsx

    return render_xlsx.render(s, produced)


def build(conn: Connection, annee: int, fmt: str, as_of: date | None = None) -> bytes:
    """Assemble the summary of `annee` and render it (the command line's path)."""
    fmt = check_format(fmt)
    return render(model.synthese_annuelle(conn, annee, as_of), fmt)


def file_name(s: model.Synthese, fmt: str) -> str:
    """'synthese_annuelle_2019.pdf' ('…_au_2026-11-28' while the year is not over)."""
    stem = f"synthese_annuelle_{s.annee}"
    if s.annee_en_cours:
        stem += f"_au_{s.date_observation.isoformat()}"
    return f"{exports.safe_filename(stem)}.{check_format(fmt)}"
