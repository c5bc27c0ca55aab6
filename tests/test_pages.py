"""Every page with Streamlit's AppTest: no exception, and the figures shown are the data's."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import accounts, store
from ptlcd_data.auth import SYSTEM
from tests.conftest import ROOT
from ui.navigation import PAGES as SPECS

PAGES = [spec.path for spec in SPECS]
TIMEOUT = 60


def run_page(page: str | None = None, login: str | None = None) -> AppTest:
    """Run app.py (as `login`, a local account, when given), then switch to `page`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if login:
        at.session_state["ptlcd_login"] = login
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def actions_table(at: AppTest):
    """The home page's table of actions (the one with a porteur column)."""
    return next(d.value for d in at.dataframe if "porteur" in d.value.columns)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error], [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app_env, page):
    """As an administrator, who may open every page."""
    with store.connect(app_env) as conn:
        accounts.add_user(conn, SYSTEM, "chef", "Chef", "admin", "correct-horse-battery")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["ptlcd_login"] = "chef"
    at.run()
    at.switch_page(page).run()
    assert_clean(at)
    assert at.title, "chaque page a un titre"


def test_home_shows_plan_shape(app_env):
    at = run_page()
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Actions"] == "34"
    assert metrics["Axes"] == "5"


def test_home_search_filters_actions(app_env):
    at = run_page()
    at.text_input(key="home_search").input("GOLD").run()
    assert_clean(at)
    table = actions_table(at)
    assert 1 <= len(table) < 34
    assert table["action"].str.contains("groupe opérationnel", case=False).any()


def test_home_search_is_accent_insensitive(app_env):
    at = run_page()
    at.text_input(key="home_search").input("egalite").run()
    table = actions_table(at)
    assert len(table) >= 1


def test_home_search_without_match_says_so(app_env):
    at = run_page()
    at.text_input(key="home_search").input("zzzz-introuvable").run()
    assert_clean(at)
    assert any("Aucune action" in i.value for i in at.info)


def test_home_axis_filter(app_env):
    at = run_page()
    at.multiselect(key="home_axes").select(5).run()
    table = actions_table(at)
    assert set(table["axe"]) == {"Évaluer"}
    assert set(table["action_no"]) >= {33, 34}


def test_fiche_shows_every_field_of_the_chosen_action(app_env):
    at = run_page("app_pages/fiche_action.py")
    at.selectbox(key="action_no").select(9).run()
    assert_clean(at)
    texts = " ".join(t.value for t in at.text)
    assert "GOLD" in texts or "groupe opérationnel" in texts.lower()
    assert at.header[0].value == "Action n° 9"


def test_home_shows_actions_per_objective(app_env):
    at = run_page()
    shape = next(d.value for d in at.dataframe if "nb_actions" in d.value.columns)
    assert int(shape["nb_actions"].sum()) == 34
    assert len(shape) == 11
