"""Every page with Streamlit's AppTest: no exception, and the figures shown are the data's."""

from __future__ import annotations

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers import ROOT
from tests.helpers.apptest import app, assert_clean, logged_in, run_page
from ui.navigation import PAGES as SPECS

PAGES = [spec.path for spec in SPECS]


def listed_actions(at: AppTest) -> dict[int, str]:
    """The home page's actions: number -> label of its link, checked to open its fiche."""
    listed = {}
    for link in at.get("page_link"):
        assert link.proto.page == "fiche"
        number = int(link.proto.query_string.removeprefix("action="))
        listed[number] = link.proto.label
    return listed


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app_env, page):
    """As an administrator, who may open every page."""
    with store.connect(app_env) as conn:
        accounts.add_user(conn, SYSTEM, "chef", "Chef", "admin", "correct-horse-battery")
    at = app()
    logged_in(at, "chef")
    at.run()
    at.switch_page(page).run()
    assert_clean(at)
    assert at.title, "chaque page a un titre"
    # Streamlit's "Select all" button of a multiselect is in English: never offered.
    assert all(m.proto.select_all == 0 for m in at.multiselect)


def test_home_shows_plan_shape(app_env):
    at = run_page()
    assert_clean(at)
    counts = next(m.value for m in at.markdown if "axes ·" in m.value)
    assert counts == "**5 axes · 11 objectifs opérationnels · 34 actions · 21 indicateurs**"


def test_home_search_filters_actions(app_env):
    at = run_page()
    at.text_input(key="home_search").input("GOLD").run()
    assert_clean(at)
    actions = listed_actions(at)
    assert 1 <= len(actions) < 34
    assert any("groupe opérationnel" in label.lower() for label in actions.values())


def test_home_search_is_accent_insensitive(app_env):
    at = run_page()
    at.text_input(key="home_search").input("egalite").run()
    assert len(listed_actions(at)) >= 1


def test_home_search_without_match_says_so(app_env):
    at = run_page()
    at.text_input(key="home_search").input("zzzz-introuvable").run()
    assert_clean(at)
    assert any("Aucune action" in i.value for i in at.info)


def test_home_axis_filter(app_env):
    at = run_page()
    at.multiselect(key="home_axes").select(5).run()
    assert set(listed_actions(at)) == {32, 33, 34}
    assert any(c.value == "Filtré par : axe 5" for c in at.caption)


def test_fiche_shows_every_field_of_the_chosen_action(app_env):
    at = run_page("app_pages/fiche_action.py")
    at.selectbox(key="action_no").select(9).run()
    assert_clean(at)
    texts = " ".join(t.value for t in at.text)
    assert "GOLD" in texts or "groupe opérationnel" in texts.lower()
    assert at.header[0].value == "Action n° 9"


def test_home_shows_actions_per_objective(app_env):
    at = run_page()
    table = next(m.value for m in at.markdown if m.value.startswith("| Axe |"))
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    assert len(rows) == 11
    assert sum(int(row[3]) for row in rows) == 34


def test_home_lists_every_action_as_a_link_to_its_fiche(app_env):
    at = run_page()
    assert sorted(listed_actions(at)) == list(range(1, 35))
    assert any("34 action(s)" in c.value for c in at.caption)
    labels = listed_actions(at)
    assert (
        labels[3]
        == "N° 3 — Renouveler l'enquête d'opinion sur le sentiment et le vécu des discriminations"
    )
    assert labels[11].endswith(" …") and len(labels[11]) < 120  # a long wording, cut at a word


def test_home_pages_the_list_beyond_its_bound(app_env):
    """Another plan may have more actions than the list shows at once (40)."""
    with store.connect(app_env) as conn:
        for shift in (100, 200):  # 34 copies of the plan's actions, twice: 102 actions
            conn.execute(
                "INSERT INTO action SELECT * REPLACE (action_no + ? AS action_no, "
                "nextval('plan_version_id') AS version_id) FROM action WHERE action_no <= 34",
                [shift],
            )
    at = run_page()
    assert_clean(at)
    assert sorted(listed_actions(at)) == [*range(1, 35), *range(101, 107)]
    assert any("102 actions correspondent" in c.value for c in at.caption)
    at.selectbox(key="home_page").select(80).run()
    assert sorted(listed_actions(at)) == [*range(213, 235)]


def test_home_runs_without_pandas(app_env):
    """The first page a visitor opens must not pay pandas' import (the cold start's largest
    part, docs/benchmarks.md): run it in a fresh interpreter and look at sys.modules."""
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
        "assert not at.exception, [e.value for e in at.exception]\n"
        "assert len(at.get('page_link')) == 34\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
