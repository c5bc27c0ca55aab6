"""The annual summary as a PDF to hand out at a council meeting: A4, French, no browser, no network.

Layout: a cover (the year, the data's date, the key figures, the contents), "L'année en bref",
one section per axis (its météo, what was done, started, is late, its indicators), the
engagement of the territories, the comments of the year, then the method. Every figure comes
from the `Synthese`, the same structure the page and the XLSX read. When demonstration records
are in the store, the cover says so in a framed box and every page says so at its top and foot.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from fpdf.enums import XPos, YPos

from ptlcd_data import dates, formats
from ptlcd_data.indicateurs.rules import PROGRESS_FORMULA, format_value
from ptlcd_data.suivi.retards import RULES_GLISSEMENT, RULES_RETARD
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo, model, render_charts
from ptlcd_data.synthese import section_decisions as sd
from ptlcd_data.synthese.pdf_document import FONT, MARGIN_MM, ReportPDF
from ptlcd_data.vocabulary import NIVEAUX

# Rows printed in the long tables; the XLSX has them all.
PDF_COMMENTS_MAX = 40
# Action wordings are cut in the comments table, to keep one comment on a few lines.
PDF_ACTION_CHARS = 70
PDF_TERRITORIES_MAX = 40
DEMO_MENTION = "Données de démonstration"
DEMO_TEXT = (
    "Ce document contient des données de démonstration : une partie des statuts, engagements "
    "ou valeurs d'indicateurs a été générée pour montrer l'outil et ne décrit pas la réalité."
)
BLUE = (31, 78, 121)
DEMO_RED = (176, 0, 32)
GREY = (90, 90, 90)
COVER_FIGURES = (
    col.CH_ACTIONS,
    col.CH_REALISEES,
    col.CH_PART,
    col.CH_RETARD,
    col.CH_REALISEES_ANNEE,
    col.CH_COMMENCEES_ANNEE,
    col.CH_TERRITOIRES,
    col.CH_CIBLES,
)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    return str(value)


class SynthesePDF(ReportPDF):
    """ReportPDF with a red mention at the top of every page but the cover when `demo`."""

    def __init__(self, footer_text: str, demo: bool) -> None:
        super().__init__(footer_text)
        self.demo = demo

    def header(self) -> None:
        if self.page_no() == 1 or not self.demo:
            return
        self.set_y(6)
        self.set_font(FONT, "B", 8)
        self.set_text_color(*DEMO_RED)
        self.cell(0, 4, f"{DEMO_MENTION.upper()} — ne décrivent pas la réalité", align="R")
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)
        self.set_y(MARGIN_MM)

    def badge(self, meteo_label: str, raison: str = "") -> None:
        """The météo of an axis: a coloured box with its pictogram and words, then the facts."""
        label = f"{meteo.METEO_SYMBOLS[meteo_label]}  {meteo_label}"
        self.set_font(FONT, "B", 11)
        # One width for every level, so the badges of a page line up.
        width = (
            max(self.get_string_width(f"{meteo.METEO_SYMBOLS[m]}  {m}") for m in meteo.METEOS) + 8
        )
        x, y = self.l_margin, self.get_y()
        self.set_fill_color(*_rgb(meteo.METEO_COLORS[meteo_label]))
        self.rect(x, y, width, 8, style="F", round_corners=True, corner_radius=1.5)
        self.set_fill_color(255, 255, 255)  # tables drawn next must not inherit the colour
        self.set_xy(x, y)
        self.cell(width, 8, label, align="C")
        if raison:
            self.set_xy(x + width + 3, y + 0.6)
            self.set_font(FONT, "", 9)
            self.multi_cell(0, 4.2, raison, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), y + 8) + 3)
        self.set_font(FONT, size=10)

    def keep_space(self, height_mm: float) -> None:
        """Start a new page unless `height_mm` still fits on this one (a title stays with its
        chart)."""
        if self.get_y() + height_mm > self.h - self.b_margin:
            self.add_page()

    def note(self, text: str) -> None:
        self.set_text_color(*GREY)
        self.paragraph(text, size=8.5, style="I")
        self.set_text_color(0, 0, 0)


def render(s: model.Synthese, produced: date | None = None) -> bytes:
    """The PDF of one annual summary, as bytes."""
    footer = f"Synthèse annuelle {s.annee}"
    if s.demo:
        footer += f" — {DEMO_MENTION.lower()}"
    pdf = SynthesePDF(footer, s.demo)
    pdf.set_title(f"Synthèse annuelle {s.annee} — {s.plan_nom}")
    pdf.set_lang("fr")
    pdf.set_creator("Outil de suivi du PTLCD")
    _cover(pdf, s, dates.or_today(produced))
    _annee_en_bref(pdf, s)
    for axe_no, axe in zip(s.axes[col.COL_AXE_NO], s.axes[col.COL_AXE], strict=True):
        _axe(pdf, s, int(axe_no), str(axe))
    _engagement(pdf, s)
    _commentaires(pdf, s)
    _decisions(pdf, s)
    _methode(pdf, s)
    return bytes(pdf.output())


# -- cover ---------------------------------------------------------------------------------------


def _cover(pdf: SynthesePDF, s: model.Synthese, produced: date) -> None:
    pdf.add_page()
    pdf.set_fill_color(*BLUE)
    pdf.rect(0, 0, pdf.w, 72, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN_MM, 14)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 5.5, s.plan_nom, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 30)
    pdf.cell(0, 14, f"Synthèse annuelle {s.annee}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(0, 6, s.plan_territoire, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)

    pdf.set_y(80)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 6, model.situation(s), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9.5)
    latest = formats.day(s.derniere_donnee, empty="aucune")
    pdf.multi_cell(
        0,
        5,
        f"Dernière information enregistrée avant cette date : {latest}. Document produit le "
        f"{formats.day(produced)} par l'outil de suivi du plan.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)
    if s.demo:
        _demo_box(pdf)
    figures = [_figure(s, label) for label in COVER_FIGURES]
    pdf.key_figures(figures[:4])
    pdf.key_figures(figures[4:])
    pdf.ln(4)
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(*BLUE)
    pdf.cell(0, 7, "Sommaire", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.insert_toc_placeholder(_render_toc, pages=1)


def _figure(s: model.Synthese, label: str) -> tuple[str, str]:
    return model.chiffre_texte(s, label), label


def _demo_box(pdf: SynthesePDF) -> None:
    y = pdf.get_y()
    pdf.set_draw_color(*DEMO_RED)
    pdf.set_line_width(0.8)
    pdf.rect(MARGIN_MM, y, pdf.w - 2 * MARGIN_MM, 17)
    pdf.set_line_width(0.2)
    pdf.set_xy(MARGIN_MM + 3, y + 2)
    pdf.set_text_color(*DEMO_RED)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 5.5, f"⚠ {DEMO_MENTION}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(MARGIN_MM + 3)
    pdf.set_font(FONT, "", 8.5)
    pdf.multi_cell(pdf.w - 2 * MARGIN_MM - 6, 4, DEMO_TEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(y + 21)


def _render_toc(pdf: Any, outline: list[Any]) -> None:
    pdf.set_font(FONT, "", 10)
    sections = [section for section in outline if section.level == 0]
    # The contents must fit on the cover, however many axes the plan has.
    line = min(6.0, (pdf.h - pdf.b_margin - pdf.get_y()) / max(1, len(sections)))
    for section in sections:
        link = pdf.add_link(page=section.page_number)
        indent = 0 if not section.name.startswith(col.COL_AXE) else 5
        pdf.set_x(MARGIN_MM + indent)
        width = pdf.w - 2 * MARGIN_MM - indent - 15
        pdf.cell(width, line, section.name, link=link)
        pdf.cell(15, line, str(section.page_number), align="R", link=link)
        pdf.ln(line)


# -- sections ------------------------------------------------------------------------------------


def _section(pdf: SynthesePDF, title: str, new_page: bool = True) -> None:
    if new_page:
        pdf.add_page()
    pdf.start_section(title)
    pdf.heading(title, 1)


def _annee_en_bref(pdf: SynthesePDF, s: model.Synthese) -> None:
    # The contents' placeholder has just opened this page.
    _section(pdf, f"L'année {s.annee} en bref", new_page=False)
    pdf.bullet_list(model.resume(s))
    pdf.paragraph(s.bilan_decisions)
    pdf.heading("La météo des axes", 2)
    pdf.note(
        "Quatre niveaux, du plus favorable au moins favorable : "
        + " · ".join(f"{meteo.METEO_SYMBOLS[m]} {m}" for m in meteo.METEOS)
        + ". La règle est rappelée à la fin du document (« Méthode »)."
    )
    for _, row in s.axes.iterrows():
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(
            0,
            5.5,
            f"Axe {row[col.COL_AXE_NO]} · {row[col.COL_AXE]}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.badge(str(row[col.COL_METEO]), str(row[col.COL_POURQUOI]))
    if not s.axes.empty:
        fig = render_charts.status_counts_by_axis(s.axes)
        pdf.keep_space(20 + pdf.figure_height(fig))
        pdf.heading("Où en sont les actions de chaque axe", 2)
        pdf.figure(fig)


def _axe(pdf: SynthesePDF, s: model.Synthese, axe_no: int, axe: str) -> None:
    _section(pdf, f"Axe {axe_no} · {axe}")
    row = s.axes[s.axes[col.COL_AXE_NO] == axe_no].iloc[0]
    pdf.badge(str(row[col.COL_METEO]), str(row[col.COL_POURQUOI]))
    ind = row[col.COL_AVANCEMENT_INDICATEURS]
    pdf.key_figures(
        [
            (formats.number(row[col.COL_ACTIONS]), "actions"),
            (formats.number(row["Réalisé"]), "réalisées"),
            (formats.number(row["En cours"]), "en cours"),
            (formats.number(row[col.COL_EN_RETARD]), "en retard"),
            (
                formats.number(row[col.COL_EN_DIFFICULTE]),
                "en difficulté",
            ),
            (formats.percent(ind), "avancement des indicateurs"),
        ]
    )
    year = s.annee
    done = s.realisees[s.realisees[col.COL_AXE_NO] == axe_no]
    pdf.heading(f"Réalisées en {year}", 2)
    if done.empty:
        pdf.paragraph(f"Aucune action de cet axe n'a été terminée en {year}.")
    else:
        pdf.bullet_list(
            [
                f"N° {r[col.COL_ACTION_NO]} — {r[col.COL_ACTION]} : réalisée le "
                f"{formats.day(r['Réalisée le'])}" + _slip(r[col.COL_GLISSEMENT_FIN]) + "."
                for _, r in done.iterrows()
            ]
        )
    started = s.commencees[s.commencees[col.COL_AXE_NO] == axe_no]
    pdf.heading(f"Lancées en {year}", 2)
    if started.empty:
        pdf.paragraph(f"Aucune action de cet axe n'a commencé en {year}.")
    else:
        pdf.bullet_list(
            [
                f"N° {r[col.COL_ACTION_NO]} — {r[col.COL_ACTION]} : commencée le "
                f"{formats.day(r['Commencée le'])}"
                + _slip(r[col.COL_GLISSEMENT_DEBUT])
                + f" ; statut : {r[col.COL_STATUT]}."
                for _, r in started.iterrows()
            ]
        )
    late = s.retards[s.retards[col.COL_AXE_NO] == axe_no]
    pdf.heading(f"En retard au {formats.day(s.date_observation)}", 2)
    if late.empty:
        pdf.paragraph("Aucune action de cet axe n'est en retard.")
    else:
        pdf.data_table(
            [
                col.COL_ACTION_NO,
                col.COL_ACTION,
                col.COL_STATUT,
                col.COL_POURQUOI,
                "Retard au début",
                "Retard à la fin",
            ],
            [
                [
                    str(r[col.COL_ACTION_NO]),
                    str(r[col.COL_ACTION]),
                    str(r[col.COL_STATUT]),
                    _text(r[col.COL_POURQUOI_RETARD]),
                    _months(r[col.COL_GLISSEMENT_DEBUT]),
                    _months(r[col.COL_GLISSEMENT_FIN]),
                ]
                for _, r in late.iterrows()
            ],
            widths=[8, 62, 18, 40, 16, 16],
        )
    _indicateurs_axe(pdf, s, axe_no)


def _slip(months: Any) -> str:
    words = model.glissement_mots(months)
    return f" ({words})" if words else ""


def _months(value: Any) -> str:
    return formats.months(None if value is None or pd.isna(value) else float(value))


def _indicateurs_axe(pdf: SynthesePDF, s: model.Synthese, axe_no: int) -> None:
    of_axe = s.indicateurs[s.indicateurs[col.COL_AXE_NO] == axe_no]
    if of_axe.empty:
        return
    pdf.heading("Les indicateurs", 2)
    ind = of_axe[of_axe[col.COL_TERRITOIRES_SUIVIS] > 0]
    missing = len(of_axe) - len(ind)
    if ind.empty:
        pdf.paragraph(
            f"Aucune valeur annuelle n'est enregistrée au {formats.day(s.date_observation)} "
            + (
                "pour l'indicateur de cet axe."
                if len(of_axe) == 1
                else f"pour les {formats.count(len(of_axe), 'indicateur')} de cet axe."
            )
        )
        return
    pdf.note(
        "Chaque indicateur est lu dans son territoire de référence (le premier du plan qui a "
        "des valeurs). Avancement : chemin parcouru de la valeur initiale vers la cible."
    )
    pdf.data_table(
        [
            col.COL_INDICATEUR,
            col.COL_TERRITOIRE,
            col.COL_DERNIERE_VALEUR,
            col.COL_CIBLE,
            "À la cible",
            col.COL_TENDANCE,
            "Avancement",
        ],
        [
            [
                f"{r['Code']} · {r['Indicateur']}",
                _text(r[col.COL_TERRITOIRE_REFERENCE]),
                _with_year(
                    r[col.COL_DERNIERE_VALEUR], r[col.COL_DERNIERE_ANNEE], str(r[col.COL_UNITE])
                ),
                _with_year(r[col.COL_CIBLE], r[col.COL_ANNEE_CIBLE], str(r[col.COL_UNITE])),
                str(r["À la cible"]),
                _text(r[col.COL_TENDANCE]),
                formats.percent(r[col.COL_AVANCEMENT]),
            ]
            for _, r in ind.iterrows()
        ],
        widths=[47, 24, 22, 22, 14, 25, 26],
    )
    if missing:
        pdf.note(
            f"{formats.count(missing, 'autre indicateur')} de l'axe "
            f"{'n’ont' if missing > 1 else 'n’a'} encore aucune valeur annuelle."
        )
    fig = render_charts.indicateurs_axe(ind, s.series)
    if fig is not None:
        share = fig.get_figwidth() / render_charts.FULL_WIDTH_IN
        pdf.figure(fig, width_mm=(pdf.w - 2 * MARGIN_MM) * share)
        shown = min(len(ind), render_charts.MAX_INDICATOR_PANELS)
        if len(ind) > shown:
            pdf.note(
                f"Courbes des {shown} premiers indicateurs de l'axe ; le tableau ci-dessus "
                "les donne tous."
            )


def _with_year(value: Any, year: Any, unite: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{format_value(float(value), unite)} ({int(year)})"


def _engagement(pdf: SynthesePDF, s: model.Synthese) -> None:
    _section(pdf, "L'engagement des territoires")
    e = s.engagement
    pdf.paragraph(
        "Pour chaque territoire, le nombre d'actions du plan dans lesquelles il est engagé, au "
        f"{formats.day(s.date_observation)}. « Engagée » : le territoire s'est engagé dans "
        "l'action ; « Réalisée » : il l'a menée à bien ; « À engager » : son engagement est "
        "attendu."
    )
    if e.empty:
        pdf.paragraph("Le plan ne compte aucun territoire.")
        return
    fig = render_charts.engagement_by_territory(e)
    if fig is None:
        pdf.paragraph("Aucun territoire n'est engagé ni attendu dans une action à cette date.")
    else:
        pdf.figure(fig)
    if len(e) > render_charts.MAX_ENGAGEMENT_BARS:
        pdf.note(
            f"Le graphique montre au plus les {render_charts.MAX_ENGAGEMENT_BARS} territoires "
            "les plus engagés."
        )
    # Territories with nothing recorded would fill pages with zeros: the XLSX lists them.
    recorded = e[e[list(NIVEAUX)].sum(axis=1) > 0]
    shown = recorded.head(PDF_TERRITORIES_MAX)
    pdf.data_table(
        [
            col.COL_TERRITOIRE,
            "Réalisée",
            "Engagée",
            "À engager",
            "Non concernée",
            "Non renseignée",
            "Engagée ou réalisée : début → fin d'année",
            col.COL_CHANGEMENTS,
        ],
        [
            [
                str(r[col.COL_TERRITOIRE]),
                formats.number(r["Réalisée"]),
                formats.number(r["Engagée"]),
                formats.number(r["À engager"]),
                formats.number(r["Non concernée"]),
                formats.number(r["Non renseignée"]),
                f"{formats.number(r[col.COL_ENGAGES_AVANT])} → {formats.number(r[col.COL_ENGAGES])}",
                formats.number(r[col.COL_CHANGEMENTS]),
            ]
            for _, r in shown.iterrows()
        ],
        widths=[30, 18, 18, 18, 20, 22, 30, 24],
    )
    if len(e) > len(shown):
        pdf.note(
            f"{formats.count(len(e) - len(shown), 'autre territoire')} (dont "
            f"{len(e) - len(recorded)} sans aucun engagement enregistré) "
            f"figure{'nt' if len(e) - len(shown) > 1 else ''} dans le classeur XLSX de la "
            "synthèse."
        )


def _commentaires(pdf: SynthesePDF, s: model.Synthese) -> None:
    _section(pdf, f"Les commentaires de {s.annee}")
    c = s.commentaires
    if c.empty:
        pdf.paragraph(f"Aucun commentaire n'a été enregistré en {s.annee}.")
        return
    shown = c.tail(PDF_COMMENTS_MAX)
    pdf.paragraph(
        f"{formats.count(s.nb_commentaires, 'commentaire')} "
        f"accompagne{'nt' if s.nb_commentaires > 1 else ''} les statuts et engagements "
        f"enregistrés en {s.annee}"
        + (
            f" ; voici les {len(shown)} plus récents, du plus ancien au plus récent."
            if len(shown) < s.nb_commentaires
            else ", du plus ancien au plus récent."
        )
    )
    pdf.data_table(
        [col.COL_DATE, col.COL_ACTION_NO, col.COL_ACTION, col.COL_SUJET, col.COL_COMMENTAIRE],
        [
            [
                formats.day(r[col.COL_DATE]),
                str(r[col.COL_ACTION_NO]),
                render_charts.short(r[col.COL_ACTION], PDF_ACTION_CHARS),
                str(r[col.COL_SUJET]),
                _text(r[col.COL_COMMENTAIRE]),
            ]
            for _, r in shown.iterrows()
        ],
        widths=[19, 8, 55, 40, 58],
    )


def _decisions(pdf: SynthesePDF, s: model.Synthese) -> None:
    if s.decisions.empty:  # « L'année en bref » says so: no page for an empty table
        return
    _section(pdf, f"Les décisions du GOLD en {s.annee}")
    pdf.paragraph(s.bilan_decisions + " Les décisions en retard d'abord.")
    pdf.data_table(
        [sd.COL_NO, sd.COL_SEANCE, sd.COL_DECISION, sd.COL_SUR, sd.COL_RESPONSABLE,
         sd.COL_ECHEANCE, sd.COL_ETAT],
        [
            [
                str(r[sd.COL_NO]),
                formats.day(r[sd.COL_SEANCE]),
                _text(r[sd.COL_DECISION]),
                str(r[sd.COL_SUR]),
                _text(r[sd.COL_RESPONSABLE]),
                formats.day(r[sd.COL_ECHEANCE]),
                str(r[sd.COL_ETAT]) + (" — en retard" if r[sd.COL_RETARD] == "oui" else ""),
            ]
            for _, r in s.decisions.iterrows()
        ],
        widths=[9, 19, 62, 22, 30, 19, 19],
    )  # fmt: skip


def _methode(pdf: SynthesePDF, s: model.Synthese) -> None:
    _section(pdf, "Méthode et définitions")
    pdf.heading("La météo d'un axe", 2)
    pdf.bullet_list(meteo.RULES_METEO)
    pdf.heading("Le retard d'une action", 2)
    pdf.bullet_list(RULES_RETARD)
    pdf.heading("Le glissement du calendrier", 2)
    pdf.bullet_list(RULES_GLISSEMENT)
    pdf.heading("Les indicateurs", 2)
    pdf.bullet_list(
        [
            PROGRESS_FORMULA,
            "Territoire de référence : le premier territoire, dans l'ordre du plan, qui a des "
            "valeurs pour l'indicateur (d'ordinaire l'ensemble de l'agglomération).",
            "« À la cible » : la dernière valeur connue atteint la cible fixée pour la même année.",
            "Tendance : sens de la droite qui passe au plus près des trois dernières valeurs.",
        ]
    )
    pdf.heading("Les données", 2)
    lines = [
        f"{model.situation(s)} : le plan tel qu'il était enregistré à cette date ; ce qui a "
        "été saisi après n'y figure pas.",
        "« Pendant l'année » : du 1er janvier à la date de la situation, selon la date d'effet "
        "de chaque statut ou engagement.",
        "Les mêmes chiffres se lisent à l'écran (page « Synthèse annuelle ») et dans le "
        "classeur XLSX de la synthèse, qui donne aussi toutes les lignes des tableaux.",
    ]
    if s.demo:
        lines.append(DEMO_TEXT)
    pdf.bullet_list(lines)
