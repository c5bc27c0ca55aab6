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


def test_cli_journal_shows_a_dash_never_nan_when_there_was_no_old_value(db_path, capsys):
    from ptlcd_data.access import accounts
    from ptlcd_data.cli import main

    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", "correct-horse-battery")
        accounts.set_role(conn, SYSTEM, "alice", "admin")  # an entry with an old value too
        accounts.add_user(conn, SYSTEM, "bob", "Bob", "lecture", "correct-horse-battery")
    capsys.readouterr()
    assert main(["--db", str(db_path), "journal"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if "nan" in line.split("\t")[-1]], lines
    created = [line for line in lines if "\tcompte créé\tbob\t" in line]
    assert created and created[0].endswith('\t— -> {"nom": "Bob", "role": "lecture"}')
    changed = [line for line in lines if "\trôle changé\t" in line]
    assert changed[0].endswith('{"role": "saisie"} -> {"role": "admin"}')
