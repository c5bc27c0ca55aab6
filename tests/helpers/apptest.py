"""Driving the app with Streamlit's AppTest: open a page as someone, read what it shows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.access import accounts, sessions
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.settings import Settings
from tests.helpers import ROOT

TIMEOUT = 60
PASSWORD = "mot-de-passe-agent"


def app() -> AppTest:
    """app.py, not yet run."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def logged_in(at: AppTest, login: str) -> AppTest:
    """`at` (not yet run) logged in as the local account `login` of the app's base (PTLCD_DB),
    as the Connexion page does: a session opened in the base, its token in the tab's state."""
    from ui import session

    settings = Settings.from_env()
    with store.connect(settings.db_path) as conn:
        user = accounts.get_user(conn, login)
        assert user is not None, f"pas de compte {login}"
        token = sessions.open_session(
            conn, user, sessions.secret_key(settings), settings.session_hours
        )
    at.session_state[session.TOKEN_KEY] = token.value
    return at


def run_page(page: str | None = None, login: str | None = None) -> AppTest:
    """Run app.py (as `login`, a local account, when given), then switch to `page`."""
    at = app()
    if login:
        logged_in(at, login)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def open_page(page: str, as_of: date | None = None, login: str | None = None) -> AppTest:
    """`page` at the observation date `as_of` (set in the sidebar), checked clean."""
    at = run_page(page, login=login)
    if as_of is not None:
        at.date_input(key="as_of").set_value(as_of).run()
    assert_clean(at)
    return at


def add_account(
    db: Path,
    login: str,
    role: str,
    nom: str | None = None,
    password: str = PASSWORD,
    porteurs: tuple[str, ...] = (),
) -> str:
    """A local account with `role` (and its porteur codes, for a porteur account), left as it
    is when it exists; returns its login."""
    with store.connect(db) as conn:
        exists = conn.execute("SELECT 1 FROM compte WHERE login = ?", [login]).fetchone()
        if exists is None:
            accounts.add_user(
                conn, SYSTEM, login, nom or f"Agent {login}", role, password, porteurs=porteurs
            )
    return login


def open_view(at: AppTest, key: str, view: object) -> AppTest:
    """Open a lazy tab (its label) or expander (True) by its key, as a click does: the page
    reruns and computes what it holds. Returns `at`, checked clean."""
    at.session_state[key] = view
    at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    """No exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error], [e.value for e in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def figure(at: AppTest, key: str) -> dict[str, Any]:
    charts = [c for c in at.get("plotly_chart") if c.key == key]
    assert charts, f"pas de graphique {key}"
    spec: dict[str, Any] = json.loads(charts[0].proto.spec)
    return spec


def table(at: AppTest, key: str) -> Any:
    """A clickable table, by key."""
    frames = [d for d in at.dataframe if d.key == key]
    assert frames, f"pas de tableau {key}"
    return frames[0].value


def vega_chart(at: AppTest) -> tuple[dict[str, Any], Any]:
    """The page's one Vega-Lite chart: its specification (a dict) and its data (a DataFrame)."""
    import pyarrow as pa

    [chart] = at.get("vega_lite_chart")
    data = pa.ipc.open_stream(chart.proto.data.data).read_all().to_pandas()
    return json.loads(chart.proto.spec), data


def table_having(at: AppTest, *columns: str) -> Any:
    """A read-only table (AppTest drops their keys), by the columns it has."""
    frames = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert frames, f"pas de tableau avec {columns}"
    return frames[0]


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def texts(elements: Any) -> str:
    return " ".join(str(e.value) for e in elements)
