"""Signed session tokens of local logins: sign, verify, expire, revoke (against real DuckDB files)."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta

import pytest

from ptlcd_data.access import accounts, sessions
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.settings import Settings

SECRET = b"s" * 40
PASSWORD = "correct-horse-battery"
NOW = datetime(2026, 12, 2, 9, 0, 0)


@pytest.fixture
def alice(conn):
    return accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)


def test_a_fresh_token_gives_the_account_back(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 12, now=NOW)
    assert token.expires == NOW + timedelta(hours=12) and token.max_age == 12 * 3600
    assert sessions.session_user(conn, token.value, SECRET, now=NOW) == alice


def test_a_token_expires_after_its_lifetime(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 2, now=NOW)
    assert sessions.session_user(conn, token.value, SECRET, now=NOW + timedelta(minutes=119))
    assert sessions.session_user(conn, token.value, SECRET, now=NOW + timedelta(hours=2)) is None


def test_signature_and_expiry_are_checked_without_the_base(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 1, now=NOW).value
    assert sessions.signed_and_unexpired(token, SECRET, now=NOW)
    assert not sessions.signed_and_unexpired(token, SECRET, now=NOW + timedelta(hours=1))
    assert not sessions.signed_and_unexpired(token, b"t" * 40, now=NOW)


def test_a_longer_expiry_written_into_the_token_breaks_its_signature(conn, alice):
    token_id, expires, signature = sessions.open_session(
        conn, alice, SECRET, 1, now=NOW
    ).value.split(".")
    later = f"{token_id}.{int(expires) + 86_400}.{signature}"
    assert sessions.session_user(conn, later, SECRET, now=NOW + timedelta(hours=2)) is None


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature altered
        lambda t: ("A" if t[0] != "A" else "B") + t[1:],  # id altered
        lambda t: "",
        lambda t: "pas-un-jeton",
        lambda t: t + ".en-trop",
        lambda t: t.replace(".", "%2E"),
    ],
)
def test_a_forged_or_altered_token_is_refused(conn, alice, forge):
    token = sessions.open_session(conn, alice, SECRET, 12, now=NOW)
    assert sessions.session_user(conn, forge(token.value), SECRET, now=NOW) is None


def test_a_token_signed_with_another_secret_is_refused(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 12, now=NOW)
    assert sessions.session_user(conn, token.value, b"t" * 40, now=NOW) is None


def test_a_well_signed_token_unknown_to_the_server_is_refused(conn, alice):
    """Signed with the right secret (the secret leaked), but no session row: refused."""
    token_id, stamp = "A" * 43, int((NOW + timedelta(hours=1)).timestamp())
    forged = f"{token_id}.{stamp}.{sessions._signature(SECRET, token_id, stamp)}"
    assert sessions._signed_id(forged, SECRET, NOW) == token_id  # the signature is right
    assert sessions.session_user(conn, forged, SECRET, now=NOW) is None


def test_logging_out_revokes_the_token_and_every_copy(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 12, now=NOW)
    other = sessions.open_session(conn, alice, SECRET, 12, now=NOW)  # another browser
    assert sessions.close_session(conn, token.value) is True
    assert sessions.session_user(conn, token.value, SECRET, now=NOW) is None
    assert sessions.close_session(conn, token.value) is False
    assert sessions.session_user(conn, other.value, SECRET, now=NOW) == alice


def test_the_role_is_read_from_the_account_at_every_call(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 12, now=NOW)
    accounts.set_role(conn, SYSTEM, "alice", "lecture")
    user = sessions.session_user(conn, token.value, SECRET, now=NOW)
    assert user is not None and user.role == "lecture"
    accounts.add_user(conn, SYSTEM, "chef", "Chef", "admin", PASSWORD)
    accounts.remove_user(conn, SYSTEM, "alice")
    assert sessions.session_user(conn, token.value, SECRET, now=NOW) is None
    # An account created again under the same login does not inherit the old sessions.
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "admin", PASSWORD)
    assert sessions.session_user(conn, token.value, SECRET, now=NOW) is None


def test_a_new_password_ends_the_accounts_sessions(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 12, now=NOW)
    accounts.set_password(conn, SYSTEM, "alice", "un-autre-mot-de-passe")
    assert sessions.session_user(conn, token.value, SECRET, now=NOW) is None


def test_expired_sessions_are_purged_at_the_next_login(conn, alice):
    sessions.open_session(conn, alice, SECRET, 1, now=NOW)
    sessions.open_session(conn, alice, SECRET, 1, now=NOW + timedelta(hours=2))
    assert conn.execute("SELECT count(*) FROM session_connexion").fetchone()[0] == 1


def test_the_base_never_holds_a_usable_token(conn, alice):
    token = sessions.open_session(conn, alice, SECRET, 12, now=NOW)
    stored = conn.execute("SELECT empreinte FROM session_connexion").fetchone()[0]
    assert token.value.split(".")[0] not in stored


@pytest.mark.parametrize(("hours", "expected"), [(12, 12), (0, 1), (-5, 1), (10_000, 720)])
def test_the_lifetime_is_bounded(hours, expected):
    assert sessions.lifetime(hours) == timedelta(hours=expected)


def test_without_a_setting_the_secret_is_generated_once_beside_the_base(tmp_path):
    settings = Settings(db_path=tmp_path / "base" / "ptlcd.duckdb")
    first = sessions.secret_key(settings)
    sessions._generated_secret.cache_clear()
    again = sessions.secret_key(settings)
    assert first == again and len(first) >= sessions.SECRET_MIN_LENGTH
    key_file = tmp_path / "base" / sessions.SECRET_FILE
    assert key_file.read_bytes() == first
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    other = Settings(db_path=tmp_path / "ailleurs" / "ptlcd.duckdb")
    assert sessions.secret_key(other) != first


def test_the_secret_setting_wins_and_must_be_long_enough(tmp_path):
    settings = Settings(db_path=tmp_path / "ptlcd.duckdb", secret_key="k" * 32)
    assert sessions.secret_key(settings) == b"k" * 32
    assert not (tmp_path / sessions.SECRET_FILE).exists()
    with pytest.raises(sessions.SecretError, match="PTLCD_SECRET_KEY est trop courte"):
        sessions.secret_key(Settings(db_path=tmp_path / "ptlcd.duckdb", secret_key="court"))
    with pytest.raises(sessions.SecretError, match=r"trop courte \(1 caractère\) : 32"):
        sessions.secret_key(Settings(db_path=tmp_path / "ptlcd.duckdb", secret_key="k"))


def test_settings_never_show_the_secret():
    assert "k" * 32 not in repr(Settings(secret_key="k" * 32))
    assert Settings.from_env({"PTLCD_SESSION_HOURS": "3"}).session_hours == 3
