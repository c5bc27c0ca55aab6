from __future__ import annotations

import json

import pytest

from ptlcd_data import store
from ptlcd_data.access import journal
from ptlcd_data.access.auth import SYSTEM, User, require
from ptlcd_data.errors import PermissionDenied


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        ("lecture", "lecture", True),
        ("lecture", "saisie", False),
        ("saisie", "saisie", True),
        ("saisie", "admin", False),
        ("admin", "saisie", True),
    ],
)
def test_role_ladder(role, needed, allowed):
    user = User("u", "U", role)
    if allowed:
        assert require(user, needed) is user
    else:
        with pytest.raises(PermissionDenied, match=f"« {needed} »"):
            require(user, needed)


def test_anonymous_is_refused():
    with pytest.raises(PermissionDenied, match="pas connecté"):
        require(None, "lecture")


def test_journal_rows_are_written_with_the_transaction(conn):
    with store.transaction(conn):
        journal.log(
            conn, SYSTEM, "statut", "action 3", {"statut": "À venir"}, {"statut": "En cours"}
        )
    with pytest.raises(RuntimeError):
        with store.transaction(conn):
            journal.log(conn, SYSTEM, "statut", "action 4")
            raise RuntimeError
    rows = journal.entries(conn)
    assert rows["objet"].tolist() == ["action 3"]
    assert json.loads(rows.iloc[0]["nouveau"]) == {"statut": "En cours"}
