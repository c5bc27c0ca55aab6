"""The "Synthèse annuelle" page with AppTest: the year changes the figures, which are the XLSX's."""

from __future__ import annotations

import io
import re
from datetime import date

from python_calamine import CalamineWorkbook
from streamlit.testing.v1 import AppTest

from ptlcd_data import formats, store
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo, model, render_xlsx
from tests.helpers.apptest import app, assert_clean, markdown, metrics, open_view, table_having
from ui.widgets import escape_md

PAGE = "app_pages/synthese.py"
YEAR_KEY = "synthese_annee"


def open_page(year: int | None = None, as_of: date | None = None) -> AppTest:
    at = app()
    if as_of is not None:
        at.session_state["as_of"] = as_of
    at.run()
    at.switch_page(PAGE).run()
    if year is not None:
        at.selectbox(key=YEAR_KEY).select(year).run()
    assert_clean(at)
    return at


def test_two_years_show_different_figures(demo_app_env):
    at = open_page(2018)
    m2018 = metrics(at)
    assert at.selectbox(key=YEAR_KEY).value == 2018
    assert any("Situation au 31/12/2018" in c.value for c in at.caption)
    assert any(h.value == "L'année 2018 en bref" for h in at.header)
    at.selectbox(key=YEAR_KEY).select(2021).run()
    m2021 = metrics(at)
    assert any("Situation au 31/12/2021" in c.value for c in at.caption)
    assert m2018[col.CH_ACTIONS] == m2021[col.CH_ACTIONS] == "34"
    assert int(m2021[col.CH_REALISEES]) > int(m2018[col.CH_REALISEES])
    assert m2018[col.CH_PART] != m2021[col.CH_PART]
    assert "Au 31/12/2021" in markdown(at)
    with store.connect(demo_app_env) as conn:
        expected = model.synthese_annuelle(conn, 2021, date.today())
    assert int(m2021[col.CH_REALISEES]) == expected.chiffre(col.CH_REALISEES)
    shown = table_having(at, "Réalisée le")
    assert list(shown[col.COL_ACTION_NO]) == list(expected.realisees[col.COL_ACTION_NO])


def test_page_figures_equal_the_xlsx(demo_app_env):
    at = open_page(2019)
    shown = metrics(at)
    with store.connect(demo_app_env) as conn:
        s = model.synthese_annuelle(conn, 2019, date.today())
    wb = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx.render(s)))
    rows = wb.get_sheet_by_name(render_xlsx.SHEET_CHIFFRES).to_python()
    assert [r[0] for r in rows[1:]] == list(shown)
    for label, value, *_ in rows[1:]:
        written = formats.percent(value) if label in col.CHIFFRES_UNITES else formats.number(value)
        assert shown[label].split(" sur ")[0] == written, label
    axes_sheet = wb.get_sheet_by_name(render_xlsx.SHEET_AXES).to_python()
    header, body = axes_sheet[0], axes_sheet[1:]
    open_view(at, "synthese_vue", "Statuts par axe")
    axes_page = table_having(at, col.COL_METEO, "Pourquoi")
    assert len(axes_page) == len(body) == 5
    for (_, page_row), xlsx_row in zip(axes_page.iterrows(), body, strict=True):
        xlsx = dict(zip(header, xlsx_row, strict=True))
        for column in ("Actions", "Réalisé", "En retard", "En difficulté", col.COL_METEO):
            assert page_row[column] == xlsx[column], column
    open_view(at, "synthese_vue", "En retard")
    late_page = table_having(at, "Pourquoi en retard")
    late_sheet = wb.get_sheet_by_name(render_xlsx.SHEET_RETARDS).to_python()
    assert list(late_page[col.COL_ACTION_NO]) == [r[2] for r in late_sheet[1:]]


def test_page_shows_the_meteo_of_each_axis_and_its_rule(demo_app_env):
    at = open_page(2019)
    text = markdown(at)
    for rule in meteo.RULES_METEO:
        assert escape_md(rule) in text
    assert "Comment la météo est calculée" in text
    assert "Axe 4 · Agir" in text
    # One line per axis, its badge in Markdown: ":orange-badge[:material/umbrella: Appuis
    # nécessaires]", then why.
    [meteo_list] = [m.value for m in at.markdown if "-badge[" in m.value]
    badges = re.findall(r":[a-z]+-badge\[([^\]]*)\]", meteo_list)
    assert len(badges) == 5, "une pastille météo par axe"
    with store.connect(demo_app_env) as conn:
        s = model.synthese_annuelle(conn, 2019, date.today())
    for badge, niveau in zip(badges, s.axes[col.COL_METEO], strict=True):
        assert badge.endswith(f" {escape_md(niveau)}")


def test_current_year_stops_at_the_observation_date(demo_app_env):
    at = open_page(as_of=date(2020, 6, 30))
    assert at.selectbox(key=YEAR_KEY).options == ["2020", "2019", "2018", "2017"]
    at.selectbox(key=YEAR_KEY).select(2020).run()
    assert any("Situation au 30/06/2020 (année en cours)" in c.value for c in at.caption)


def test_a_year_without_completed_actions_says_so(demo_app_env):
    at = open_page(2017)
    assert any("Aucune action n'a été terminée en 2017" in i.value for i in at.info)
