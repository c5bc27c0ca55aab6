"""A restore under a running app: the app serves the restored base, and its logins, at once.

The outside test that found it: a porteur logs in; `backup`; an import writes the comment
MARQUEUR-42; `restore`. The restore closed every login session, yet a new visitor still saw
MARQUEUR-42 and the porteur's open tab stayed logged in: the restored base came back with the
revision of the import it undid, and the app's cache and login check are keyed on it.
"""

from __future__ import annotations

import pytest

from tests.helpers.scenarios import restore_under_running_app

pytestmark = pytest.mark.browser


def test_after_a_restore_the_running_app_serves_the_restored_data_and_logins(
    db_path, browser, tmp_path
):
    seen = restore_under_running_app(db_path, browser, tmp_path)
    assert (
        seen.sessions_closed
        == "1 session(s) de connexion fermée(s) : chacun se connecte de nouveau."
    )
    assert seen.marker_seen_before  # the scenario proves something: the import was shown
    assert not seen.marker_shown_after
    assert not seen.tab_logged_in_after
