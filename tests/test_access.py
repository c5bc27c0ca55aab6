"""Accounts, login, roles in the app, journal, backups."""

from __future__ import annotations

import io
import statistics
import time
from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.access import accounts, journal, roles_config, sessions
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.cli import main
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.settings import Settings
from ptlcd_data.store import backups
from tests.helpers import ROOT

PASSWORD = "correct-horse-battery"


@pytest.fixture
def with_accounts(db_path):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "admin1", "Admin Une", "admin", PASSWORD)
        accounts.add_user(conn, SYSTEM, "saisie1", "Agent Saisie", "saisie", PASSWORD)
        accounts.add_user(conn, SYSTEM, "lecteur", "Élu Lecteur", "lecture", PASSWORD)
    return db_path


def test_password_is_hashed_with_argon2_never_stored(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)
    stored = conn.execute("SELECT hash FROM compte WHERE login = 'alice'").fetchone()[0]
    assert stored.startswith("$argon2") and PASSWORD not in stored
    assert "hash" not in accounts.list_users(conn).columns


@pytest.mark.parametrize("password", ["court", "aaaaaaaaaaaaaaaa", " espace-au-bord-x "])
def test_weak_passwords_are_refused(conn, password):
    with pytest.raises(InputError, match="Mot de passe"):
        accounts.add_user(conn, SYSTEM, "bob", "Bob", "lecture", password)


def test_only_admin_manages_accounts(conn):
    with pytest.raises(PermissionDenied):
        accounts.add_user(conn, User("x", "X", "saisie"), "bob", "Bob", "lecture", PASSWORD)


def test_authenticate_and_delay_after_repeated_failures(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)
    now = datetime(2026, 1, 1, 12, 0, 0)
    assert accounts.authenticate(conn, "Alice", PASSWORD, now).role == "saisie"
    for i in range(3):
        with pytest.raises(PermissionDenied, match="incorrect"):
            accounts.authenticate(conn, "alice", "mauvais", now + timedelta(seconds=i))
    with pytest.raises(PermissionDenied, match="Trop d'essais"):
        accounts.authenticate(conn, "alice", PASSWORD, now + timedelta(seconds=3))
    # After the delay the right password works again.
    assert (
        accounts.authenticate(conn, "alice", PASSWORD, now + timedelta(seconds=60)).login == "alice"
    )


def test_unknown_login_and_wrong_password_say_the_same(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)
    messages = []
    for login in ("inconnu", "alice"):
        with pytest.raises(PermissionDenied) as err:
            accounts.authenticate(conn, login, "mauvais-mot-de-passe")
        messages.append(err.value.message)
    assert messages[0] == messages[1]


# Timing: rounds alternate the two logins, so that whatever else the machine does weighs on both.
TIMING_ROUNDS = 7


@pytest.mark.serial  # a timing: measured on a machine that runs nothing else of the suite
def test_an_unknown_login_costs_the_same_password_hash_as_a_known_one(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)
    times: dict[str, list[float]] = {"alice": [], "inconnu": []}
    start = datetime(2026, 1, 1)
    for i in range(TIMING_ROUNDS):
        order = ["alice", "inconnu"] if i % 2 == 0 else ["inconnu", "alice"]
        for login in order:
            # A new hour each round: no delay after failures ever short-cuts the check.
            now = start + timedelta(hours=i)
            began = time.perf_counter()
            with pytest.raises(PermissionDenied, match="incorrect"):
                accounts.authenticate(conn, login, "mauvais-mot-de-passe", now)
            times[login].append(time.perf_counter() - began)
    ratio = statistics.median(times["inconnu"]) / statistics.median(times["alice"])
    # Before: about 0,03 (4 ms against 125 ms). Same work now: about 1.
    assert 0.6 < ratio < 1.6, (ratio, times)


def test_a_guesser_is_slowed_but_the_owner_elsewhere_logs_in_at_once(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)
    now = datetime(2026, 1, 1, 12, 0, 0)
    guesser, owner = "203.0.113.9", "192.0.2.10"
    for i in range(20):
        with pytest.raises(PermissionDenied):
            accounts.authenticate(conn, "alice", f"essai-{i}", now + timedelta(seconds=i), guesser)
    later = now + timedelta(seconds=21)
    # The guesser waits, even with the right password: guessing is slowed...
    with pytest.raises(PermissionDenied, match="Trop d'essais"):
        accounts.authenticate(conn, "alice", PASSWORD, later, guesser)
    # ...but the owner, from her own address, is not locked out.
    assert accounts.authenticate(conn, "alice", PASSWORD, later, owner).login == "alice"
    # Her login does not lift the guesser's delay either.
    with pytest.raises(PermissionDenied, match="Trop d'essais"):
        accounts.authenticate(conn, "alice", PASSWORD, later + timedelta(seconds=1), guesser)


def test_one_address_trying_many_logins_is_slowed_on_all_of_them(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)
    now = datetime(2026, 1, 1, 12, 0, 0)
    sprayer = "203.0.113.9"
    for i in range(accounts.FAILURES_PER_ADDRESS_BEFORE_DELAY):
        with pytest.raises(PermissionDenied, match="incorrect"):
            accounts.authenticate(conn, f"agent{i}", "Nantes2026!", now, sprayer)
    with pytest.raises(PermissionDenied, match="Trop d'essais"):
        accounts.authenticate(conn, "alice", PASSWORD, now + timedelta(seconds=1), sprayer)
    assert accounts.authenticate(conn, "alice", PASSWORD, now, "192.0.2.10").login == "alice"


def test_failures_older_than_the_window_are_forgotten(conn):
    now = datetime(2026, 1, 1, 12, 0, 0)
    for i in range(5):
        with pytest.raises(PermissionDenied):
            accounts.authenticate(conn, "x", "y", now + timedelta(seconds=10 * i), "203.0.113.9")
    later = now + accounts.FAILURE_WINDOW + timedelta(minutes=5)
    with pytest.raises(PermissionDenied, match="incorrect"):
        accounts.authenticate(conn, "x", "y", later, "203.0.113.9")
    assert conn.execute("SELECT count(*) FROM connexion_echec").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("198.51.100.7", None, False, "198.51.100.7"),
        (None, None, False, None),  # local access: Streamlit gives no address
        # Without a declared proxy the header is anyone's word: ignored.
        ("198.51.100.7", "203.0.113.9", False, "198.51.100.7"),
        # Behind the declared proxy: the address it appended, the last one.
        (None, "10.0.0.1, 203.0.113.9", True, "203.0.113.9"),
        (None, "", True, None),
    ],
)
def test_source_address_trusts_forwarded_for_only_behind_a_declared_proxy(
    peer, forwarded, trusted, expected
):
    assert accounts.source_address(peer, forwarded, trusted_proxy=trusted) == expected


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [
        (True, "127.0.0.1", ("203.0.113.9", "https")),  # the declared proxy, on this machine
        (True, "198.51.100.7", ("198.51.100.7", "http")),  # anyone else: never believed
        (False, "127.0.0.1", ("127.0.0.1", "http")),  # no proxy declared: not even from here
    ],
)
def test_uvicorn_believes_forwarded_headers_only_from_the_declared_proxy(trusted, peer, expected):
    """What scripts/run.sh gives uvicorn (FORWARDED_ALLOW_IPS) means to uvicorn what we mean."""
    import asyncio

    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    seen = {}

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        seen["client"], seen["scheme"] = scope["client"][0], scope["scheme"]

    allowed = Settings(trusted_proxy=trusted).forwarded_allow_ips
    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 40000),
        "headers": [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-proto", b"https")],
    }
    asyncio.run(ProxyHeadersMiddleware(app, trusted_hosts=allowed)(scope, None, None))
    assert (seen["client"], seen["scheme"]) == expected


def test_login_page_delays_the_guessers_address_not_the_owners(app_env, with_accounts, monkeypatch):
    from ui import session

    monkeypatch.setattr(session, "client_address", lambda: "203.0.113.9")
    # A one-minute wait after the threshold: a loaded machine's slow reruns cannot outlast it.
    real_delay = accounts._delay
    monkeypatch.setattr(
        accounts, "_delay", lambda f, t, last, now: 60 * bool(real_delay(f, t, last, now))
    )
    at = _app().run()
    for i in range(accounts.FAILURES_BEFORE_DELAY + 1):
        at = _login(at, "admin1", f"essai-{i}-faux")
    at = _login(at, "admin1")
    assert any("Trop d'essais" in e.value for e in at.error)
    monkeypatch.setattr(session, "client_address", lambda: "192.0.2.10")
    at = _login(_app().run(), "admin1")
    assert "Connecté(e) : Admin Une (admin)" in " ".join(c.value for c in at.sidebar.caption)


def test_last_admin_cannot_be_removed(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "admin", PASSWORD)
    with pytest.raises(InputError, match="dernier compte administrateur"):
        accounts.remove_user(conn, SYSTEM, "alice")


def test_account_changes_are_journalled(conn):
    accounts.add_user(conn, SYSTEM, "alice", "Alice", "saisie", PASSWORD)
    accounts.set_role(conn, SYSTEM, "alice", "admin")
    ops = journal.entries(conn)["operation"].tolist()
    assert ops == ["rôle changé", "compte créé"]


def test_cli_user_commands(db_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        main(
            [
                "--db",
                str(db_path),
                "user",
                "add",
                "Chef",
                "--role",
                "admin",
                "--nom",
                "Chef",
                "--password-stdin",
            ]
        )
        == 0
    )
    assert main(["--db", str(db_path), "user", "list"]) == 0
    assert "chef\tadmin\tChef" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert main(["--db", str(db_path), "user", "passwd", "chef", "--password-stdin"]) == 1
    assert "trop court" in capsys.readouterr().err
    assert main(["--db", str(db_path), "journal"]) == 0
    assert "compte créé" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("password", "length"), [("", "0 caractère"), ("a", "1 caractère"), ("abc", "3 caractères")]
)
def test_a_short_password_names_its_length_agreed(password, length):
    with pytest.raises(InputError, match=f"Mot de passe trop court : {length}, "):
        accounts.check_password_strength(password)


def test_roles_file(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('defaut = ""\n[roles]\n"Alice@Exemple.fr" = "admin"\n', encoding="utf-8")
    assert roles_config.role_for_email(path, "alice@exemple.fr") == "admin"
    assert roles_config.role_for_email(path, "autre@exemple.fr") is None
    assert roles_config.role_for_email(tmp_path / "absent.toml", "x@y.fr") == "lecture"


def test_backup_and_restore_round_trip(db_path, tmp_path, capsys):
    copy = tmp_path / "copie.duckdb"
    assert main(["--db", str(db_path), "backup", "-o", str(copy)]) == 0
    with store.connect(db_path) as conn:
        with store.transaction(conn):
            conn.execute("DELETE FROM action WHERE action_no > 30")
    assert main(["--db", str(db_path), "restore", str(copy)]) == 0
    with store.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM action").fetchone()[0] == 34
        assert journal.entries(conn)["operation"].tolist()[0] == "restauration"
    assert len(list(backups.backup_dir(db_path).glob("auto-*avant-restauration*"))) == 1


def test_restore_refuses_a_file_that_is_not_a_ptlcd_database(db_path, tmp_path, capsys):
    bogus = tmp_path / "photo.duckdb"
    bogus.write_bytes(b"\x89PNG not a database")
    assert main(["--db", str(db_path), "restore", str(bogus)]) == 1
    assert "n'est pas une base" in capsys.readouterr().err


def test_auto_backups_keep_the_last_n(conn, db_path):
    for _ in range(4):
        backups.auto_backup(conn, db_path, "test", keep=2)
    assert len(list(backups.backup_dir(db_path).glob("auto-*.duckdb"))) == 2


# --- In the app -------------------------------------------------------------------------------


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def _login(at: AppTest, login: str, password: str = PASSWORD) -> AppTest:
    at.switch_page("app_pages/connexion.py").run()
    at.text_input(key="login_id").input(login)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.label == "Se connecter").click().run()
    return at


def _refused(at: AppTest, title: str) -> str:
    """The French refusal shown at a page's address: its title, why, and a link to Connexion."""
    assert not at.exception
    assert [t.value for t in at.title] == [title]
    assert not at.dataframe, "nothing of the refused page is drawn"
    assert [(link.proto.label, link.proto.page) for link in at.get("page_link")] == [
        ("Connexion", "connexion")
    ]
    return " ".join(w.value for w in at.warning)


def _follow_login_link(at: AppTest, login: str) -> AppTest:
    """Click the refusal's link to Connexion (with its « retour » parameter), then log in."""
    (link,) = at.get("page_link")
    at.switch_page("app_pages/connexion.py")
    for pair in link.proto.query_string.split("&"):
        name, _, value = pair.partition("=")
        at.query_params[name] = value
    at.run()
    at.text_input(key="login_id").input(login)
    at.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Se connecter").click().run()
    return at


def test_after_logging_in_from_a_refusal_the_admin_is_back_on_the_journal(app_env, with_accounts):
    at = _app().run()
    at.switch_page("app_pages/journal.py").run()
    _refused(at, "Journal")
    assert at.get("page_link")[0].proto.query_string == "retour=journal"
    _follow_login_link(at, "admin1")
    assert not at.exception
    assert [t.value for t in at.title] == ["Journal des écritures"]
    assert "compte créé" in at.dataframe[0].value["operation"].tolist()


def test_a_login_that_cannot_open_the_page_stays_on_connexion(app_env, with_accounts):
    at = _app().run()
    at.switch_page("app_pages/journal.py").run()
    _refused(at, "Journal")
    _follow_login_link(at, "lecteur")
    assert not at.exception
    assert [t.value for t in at.title] == ["Connexion"]
    assert "Connecté(e) : Élu Lecteur" in " ".join(s.value for s in at.success)


@pytest.mark.parametrize("retour", ["https://exemple.invalid/piege", "../journal", ""])
def test_a_retour_that_is_not_a_page_of_the_app_is_ignored(app_env, with_accounts, retour):
    at = _app().run()
    at.switch_page("app_pages/connexion.py")
    at.query_params["retour"] = retour
    at.run()
    at.text_input(key="login_id").input("admin1")
    at.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Se connecter").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Connexion"]


def test_anonymous_visitor_is_told_in_french_to_log_in_for_the_journal(app_env, with_accounts):
    at = _app().run()
    # Registered, hidden from the menu: its address shows why and where to log in.
    at.switch_page("app_pages/journal.py").run()
    text = _refused(at, "Journal")
    assert "réservée aux comptes ayant le rôle « administration »" in text
    assert "Connexion" in text and "Page not found" not in text


def test_admin_logs_in_and_reads_the_journal(app_env, with_accounts):
    at = _login(_app().run(), "admin1")
    assert not at.exception
    at.switch_page("app_pages/journal.py").run()
    assert at.title[0].value == "Journal des écritures"
    assert "compte créé" in at.dataframe[0].value["operation"].tolist()


def test_reader_account_is_told_its_role_cannot_open_the_journal(app_env, with_accounts):
    at = _login(_app().run(), "lecteur")
    assert "Connecté(e) : Élu Lecteur (lecture)" in " ".join(c.value for c in at.sidebar.caption)
    at.switch_page("app_pages/journal.py").run()
    text = _refused(at, "Journal")
    assert "Votre compte (rôle « lecture ») ne permet pas d'ouvrir cette page" in text


def test_admin_logs_out_and_loses_the_journal(app_env, with_accounts):
    at = _login(_app().run(), "admin1")
    at.button(key="logout").click().run()
    assert "Lecture publique" in " ".join(c.value for c in at.sidebar.caption)
    assert at.text_input(key="login_id")  # the login form is back
    at.switch_page("app_pages/journal.py").run()
    _refused(at, "Journal")


def test_wrong_password_is_refused_in_french(app_env, with_accounts):
    at = _login(_app().run(), "admin1", "pas-le-bon-mot")
    assert any("incorrect" in e.value for e in at.error)
    assert "Connecté(e)" not in " ".join(c.value for c in at.sidebar.caption)


def test_downgraded_account_loses_rights_at_once(app_env, with_accounts):
    at = _login(_app().run(), "admin1")
    with store.connect(app_env) as conn:
        accounts.add_user(conn, SYSTEM, "admin2", "Deux", "admin", PASSWORD)
        accounts.set_role(conn, SYSTEM, "admin1", "lecture")
    at.switch_page("app_pages/journal.py").run()
    # The rerun re-reads the role: the journal page is no longer served.
    assert "Votre compte (rôle « lecture »)" in _refused(at, "Journal")


def test_publish_and_undo_take_an_automatic_backup_first(db_path, tmp_path, capsys):
    from tests.helpers import import_files as f

    sheet = tmp_path / "releve.xlsx"
    sheet.write_bytes(f.indicateurs(["I1.1.a", "", "Nantes", 2019, 4]))
    assert main(["--db", str(db_path), "import", str(sheet)]) == 0
    copies = sorted(backups.backup_dir(db_path).glob("auto-*avant-publication*"))
    assert len(copies) == 1
    with store.connect(copies[0]) as conn:  # the copy is the state before the batch
        assert conn.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
    assert main(["--db", str(db_path), "undo", "1"]) == 0
    assert len(list(backups.backup_dir(db_path).glob("auto-*avant-annulation*"))) == 1


def test_a_restored_backup_does_not_revive_a_session_closed_since(db_path, tmp_path, capsys):
    secret = b"s" * 32
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "agent", "Agent", "saisie", PASSWORD)
        user = accounts.get_user(conn, "agent")
        kept = sessions.open_session(conn, user, secret, 8)
    copy = tmp_path / "copie.duckdb"
    assert main(["--db", str(db_path), "backup", "-o", str(copy)]) == 0
    with store.connect(db_path) as conn:
        assert sessions.close_session(conn, kept.value)  # logged out after the backup
    assert main(["--db", str(db_path), "restore", str(copy)]) == 0
    assert "1 session(s) de connexion fermée(s)" in capsys.readouterr().out
    with store.connect(db_path) as conn:
        assert sessions.session_user(conn, kept.value, secret) is None
        last = journal.entries(conn).iloc[0]
        assert last["operation"] == "restauration"
        assert '"sessions_fermees": 1' in str(last["nouveau"])
