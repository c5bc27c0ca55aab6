"""A4 PDF documents in French, rendered in pure Python (fpdf2), charts drawn with matplotlib.

No browser and no network: the fonts are the DejaVu faces that matplotlib ships (they cover
French typography: œ, —, narrow no-break spaces), and charts are rasterised by matplotlib.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display, no GUI toolkit

import matplotlib.pyplot as plt  # noqa: E402
from fpdf import FPDF  # noqa: E402
from fpdf.enums import XPos, YPos  # noqa: E402

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
# Chart raster resolution: sharp when printed, small enough to keep a report under a few MB.
CHART_DPI = 150
MARGIN_MM = 15
# A table row must fit on one page (fpdf2 refuses otherwise): a cell longer than this is cut
# with "…" — at 8.5 pt in the narrowest column that is still well under a page. The XLSX of the
# same report keeps the whole text.
CELL_CHARS_MAX = 500
# Control characters have no glyph in any font: a tab pasted from a spreadsheet into a comment
# would print as a blank box, with a warning on stderr. Line breaks are kept.
CONTROL_CHARS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class ReportPDF(FPDF):
    """A4 portrait, DejaVu fonts, running footer with the title and "page n / N"."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM + 5)
        self.set_font(FONT, size=10)
        self.alias_nb_pages()

    def normalize_text(self, text: str) -> str:
        """Every text fpdf2 writes passes here: control characters become spaces."""
        return str(super().normalize_text(CONTROL_CHARS.sub(" ", text)))

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FONT, "I", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"page {self.page_no()} / {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # --- building blocks ---------------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> None:
        sizes = {1: 16, 2: 13, 3: 11}
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(3 if level > 1 else 1)
        self.set_font(FONT, "B", sizes.get(level, 11))
        self.set_text_color(31, 78, 121)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)
        self.ln(1)

    def paragraph(self, text: str, size: float = 10, style: str = "") -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, 5.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=10)
        self.ln(1)

    def bullet_list(self, items: list[str]) -> None:
        for item in items:
            self.set_x(self.l_margin + 3)
            self.multi_cell(0, 5.2, f"• {item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def key_figures(self, figures: list[tuple[str, str]]) -> None:
        """A row of boxed figures: (value, label)."""
        width = (self.w - 2 * MARGIN_MM) / max(1, len(figures))
        y = self.get_y()
        for i, (value, label) in enumerate(figures):
            x = MARGIN_MM + i * width
            self.set_draw_color(200, 200, 200)
            self.rect(x + 1, y, width - 2, 20)
            self.set_xy(x + 1, y + 2)
            self.set_font(FONT, "B", 15)
            self.cell(width - 2, 8, value, align="C")
            self.set_xy(x + 1, y + 11)
            self.set_font(FONT, "", 8)
            self.multi_cell(width - 2, 3.8, label, align="C")
        self.set_xy(MARGIN_MM, y + 23)
        self.set_font(FONT, size=10)

    def data_table(
        self, header: list[str], rows: list[list[str]], widths: list[float] | None = None
    ) -> None:
        if not rows:
            return
        self.set_font(FONT, size=8.5)
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=4.6,
            first_row_as_headings=True,
            headings_style=_headings_style(),
            cell_fill_color=(246, 248, 251),
            cell_fill_mode="ROWS",  # every other row shaded: long rows stay easy to follow
        ) as t:
            t.row(header)
            for row in rows:
                t.row([_fit(str(c)) for c in row])
        self.set_font(FONT, size=10)
        self.ln(2)

    def figure_height(self, fig: Any, width_mm: float | None = None) -> float:
        """Height in mm that `figure(fig, width_mm)` will take (before tight cropping)."""
        width = width_mm or (self.w - 2 * MARGIN_MM)
        fig_w, fig_h = fig.get_size_inches()
        return float(width * fig_h / fig_w)

    def figure(self, fig: Any, width_mm: float | None = None) -> None:
        """Insert a matplotlib figure, then close it."""
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=CHART_DPI, bbox_inches="tight")
        plt.close(fig)
        buf.seek(0)
        width = width_mm or (self.w - 2 * MARGIN_MM)
        height = self.figure_height(fig, width)
        if self.get_y() + height > self.h - MARGIN_MM - 5:
            self.add_page()
        self.image(buf, x=MARGIN_MM, w=width)
        self.ln(2)


def _fit(text: str) -> str:
    return text if len(text) <= CELL_CHARS_MAX else text[: CELL_CHARS_MAX - 1].rstrip() + "…"


def _headings_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(230, 236, 243))


def new_figure(width_in: float = 7.5, height_in: float = 3.0) -> tuple[Any, Any]:
    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt.subplots(figsize=(width_in, height_in))


def french_axis(ax: Any, axis: str = "y", decimals: int = 0, suffix: str = "") -> None:
    """Tick labels with a decimal comma and a thin space for thousands."""
    from matplotlib.ticker import FuncFormatter

    from ptlcd_data.formats import number

    fmt = FuncFormatter(lambda v, _pos: number(v, decimals) + suffix)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
