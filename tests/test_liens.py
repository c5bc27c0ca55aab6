"""Reply links of a campaign (`access.liens`): minted per reminder, stored as a hash, valid until
the deadline plus PTLCD_LIEN_JOURS, revoked by closing or by the command line, and writing only
as their porteur would (a dépôt, journaled under « lien de campagne (porteur CODE) »)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy

import pytest

from ptlcd_data import store
from ptlcd_data.access import journal, liens, sessions
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.campagnes import campaigns, relances_envoi
from ptlcd_data.cli import main
from ptlcd_data.depots import drafts, forms, queries, records
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.settings import Settings
from ptlcd_data.suivi import saisie
from ptlcd_data.veille import run as veille_run
from tests.helpers.smtp import HOST, smtp_server

SECRET = b"s" * 40
SOON = date.today() + timedelta(days=20)
SAISIE = User("sec", "Secrétariat", "saisie")
TODAY = date.today()


@pytest.fixture
def campaign(conn):
    return campaigns.open_campaign(conn, SYSTEM, "Suivi 2025", SOON, 2025)


def _mint(conn, campaign, code="MDE", days=30, now=None) -> str:
    return liens.mint(conn, SYSTEM, campaign.id, [code], days=days, now=now)[code][0]


def _open(conn, token, now=None):
    return sessions.open_link_session(conn, token, SECRET, 12, now=now)


def test_only_the_hash_of_a_link_is_stored(conn, campaign):
    token = _mint(conn, campaign)
    assert liens.is_token_shaped(token)
    rows = conn.execute("SELECT * FROM lien_campagne").fetchall()
    assert len(rows) == 1
    assert token not in repr(rows)
    assert hashlib.sha256(token.encode()).hexdigest() in repr(rows)
    session, _ = _open(conn, token)
    everything = repr(conn.execute("SELECT * FROM session_connexion").fetchall())
    assert token not in everything and session.value not in everything
    # The journal says a link was made, for whom and until when; never the token.
    entry = journal.entries(conn, operation="liens de campagne").iloc[0]
    assert "MDE" in entry["nouveau"] and token not in entry["nouveau"]


def test_a_link_opens_a_session_of_its_porteur_alone_for_its_campaign(conn, campaign):
    token = _mint(conn, campaign)
    session, user = _open(conn, token)
    assert (user.login, user.role, user.porteurs) == (
        "lien de campagne (porteur MDE)",
        "porteur",
        ("MDE",),
    )
    assert user.lien is not None and user.lien.campagne_id == campaign.id
    assert sessions.session_user(conn, session.value, SECRET) == user
    # Each opening is counted, and several links of one porteur may be valid at once.
    _open(conn, token)
    second = _mint(conn, campaign)
    _open(conn, second)
    shown = liens.links(conn, campaign.id)
    assert sorted(shown["ouvertures"]) == [1, 2] and set(shown["etat"]) == {"valide"}


def test_a_link_lasts_until_the_deadline_plus_the_setting_and_its_sessions_no_longer(
    conn, campaign
):
    token = _mint(conn, campaign, days=30)
    end = datetime.combine(SOON + timedelta(days=31), datetime.min.time())
    assert liens.links(conn).iloc[0]["expire_le"] == end
    late = end - timedelta(hours=1)
    session, user = _open(conn, token, now=late)
    # The session ends with the link, however long PTLCD_SESSION_HOURS is.
    assert session.expires == end and session.max_age == 3600
    assert sessions.session_user(conn, session.value, SECRET, now=late) == user
    assert sessions.session_user(conn, session.value, SECRET, now=end) is None
    with pytest.raises(liens.LinkRefused) as refused:
        _open(conn, token, now=end)
    assert refused.value.gone
    assert liens.links(conn, now=end).iloc[0]["etat"] == "expiré"


def test_unknown_or_malformed_links_open_nothing(conn, campaign):
    _mint(conn, campaign)
    for token in ("A" * 43, "court", "A" * 42 + "!", ""):
        with pytest.raises(liens.LinkRefused) as refused:
            _open(conn, token)
        assert not refused.value.gone
    assert conn.execute("SELECT count(*) FROM session_connexion").fetchone()[0] == 0


def test_closing_the_campaign_revokes_its_links_and_ends_their_sessions(conn, campaign):
    token = _mint(conn, campaign)
    session, user = _open(conn, token)
    campaigns.close_campaign(conn, SYSTEM, campaign.id)
    assert sessions.session_user(conn, session.value, SECRET) is None
    with pytest.raises(liens.LinkRefused) as refused:
        _open(conn, token)
    assert refused.value.gone
    assert list(liens.links(conn)["etat"]) == ["révoqué"]
    closing = journal.entries(conn, operation="campagne").iloc[0]
    assert '"liens_revoques": 1' in closing["nouveau"]
    # A page drawn before the closing writes nothing: the link is checked when writing.
    with pytest.raises(PermissionDenied, match="plus valable"):
        drafts.add_lines(
            conn, user, None, [forms.value_line("I4.2.b", "NM", 2025, 7.0, None, None)]
        )
    # No link is minted for a closed campaign.
    assert liens.mint(conn, SYSTEM, campaign.id, ["MDE"], days=30) == {}


def test_every_write_mes_actions_reaches_refuses_a_revoked_link(conn, campaign):
    """A page drawn before the revocation: each write open to a porteur asks the link again
    (a décision said « faite », a décision line, a line removed, the draft sent or taken up, a
    pièce joined to the dépôt), and nothing is written."""
    from ptlcd_data.decisions import records as decisions
    from ptlcd_data.pieces import records as pieces

    _, user = _open(conn, _mint(conn, campaign))
    value = forms.value_line("I4.2.b", "NM", 2025, 7.0, None, None)
    draft = drafts.add_lines(conn, user, None, [value])
    liens.revoke_porteur(conn, SYSTEM, "MDE")
    before = conn.execute("SELECT count(*) FROM depot_ligne").fetchone()
    attempts = [
        lambda: decisions.set_etat(conn, user, 1, "faite"),
        lambda: drafts.add_lines(conn, user, None, [forms.decision_line(1, None)]),
        lambda: drafts.remove_line(conn, user, draft, value.genre, value.cle),
        lambda: drafts.send_draft(conn, user, draft, "Voici"),
        lambda: drafts.reopen(conn, user, draft),
        lambda: pieces.add_piece(
            conn, Settings(), user, b"%PDF-1.4\n", "bilan.pdf", depot_id=draft
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="plus valable"):
            attempt()
    assert conn.execute("SELECT count(*) FROM depot_ligne").fetchone() == before
    assert conn.execute("SELECT etat FROM depot WHERE id = ?", [draft]).fetchone() == ("brouillon",)
    assert conn.execute("SELECT count(*) FROM piece").fetchone() == (0,)


def test_revoking_a_porteurs_links_from_the_command_line(conn, db_path, campaign, capsys):
    mde = _mint(conn, campaign)
    session, user = _open(conn, mde)
    other = _mint(conn, campaign, code="VILLE_NANTES")
    conn.close()
    assert main(["--db", str(db_path), "campaign", "links", "revoke", "MDE"]) == 0
    assert "1 lien(s) révoqué(s) pour le porteur MDE" in capsys.readouterr().out
    assert main(["--db", str(db_path), "campaign", "links", "list", str(campaign.id)]) == 0
    listed = capsys.readouterr().out
    assert "MDE\t" in listed and "révoqué" in listed and "VILLE_NANTES" in listed
    assert mde not in listed and other not in listed  # tokens are nowhere to be printed
    assert main(["--db", str(db_path), "campaign", "links", "revoke", "MDE"]) == 0
    assert "Aucun lien valable pour le porteur MDE" in capsys.readouterr().out
    assert main(["--db", str(db_path), "campaign", "links", "revoke", "INCONNU"]) == 1
    assert "Porteur inconnu : INCONNU" in capsys.readouterr().err
    with store.connect(db_path) as again:
        assert sessions.session_user(again, session.value, SECRET) is None
        with pytest.raises(liens.LinkRefused):
            _open(again, mde)
        _open(again, other)  # another porteur's link still works
        assert journal.entries(again, operation="liens de campagne révoqués").iloc[0]["objet"] == (
            "porteur MDE"
        )
        with pytest.raises(PermissionDenied, match="plus valable"):
            saisie.enregistrer_revue(again, user, 19, statut="En cours", avancement=10)
        # A porteur that left the plan since its link was made: its links are still revoked.
        gone = _mint(again, campaign, code="VILLE_NANTES")
        again.execute(
            "UPDATE lien_campagne SET porteur_code = 'ANCIEN' WHERE porteur_code = ?",
            ["VILLE_NANTES"],
        )
    assert main(["--db", str(db_path), "campaign", "links", "revoke", "ANCIEN"]) == 0
    assert "2 lien(s) révoqué(s) pour le porteur ANCIEN" in capsys.readouterr().out
    with store.connect(db_path) as again, pytest.raises(liens.LinkRefused):
        _open(again, gone)


def test_a_restored_backup_revives_no_link(conn, db_path, campaign, tmp_path, capsys):
    """A link revoked after the backup (it leaked) must not work again once the backup is
    restored: the restore revokes every link of the backup, and says so."""
    token = _mint(conn, campaign)
    conn.close()
    copy = tmp_path / "copie.duckdb"
    assert main(["--db", str(db_path), "backup", "-o", str(copy)]) == 0
    assert main(["--db", str(db_path), "campaign", "links", "revoke", "MDE"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "restore", str(copy)]) == 0
    assert "1 lien(s) de campagne révoqué(s)" in capsys.readouterr().out
    with store.connect(db_path) as again:
        with pytest.raises(liens.LinkRefused):
            _open(again, token)
        assert '"liens_revoques": 1' in str(
            journal.entries(again, operation="restauration").iloc[0]["nouveau"]
        )


def test_what_a_link_sends_is_a_depot_journaled_as_the_link(conn, campaign):
    _, user = _open(conn, _mint(conn, campaign))
    lines = [
        forms.status_line(19, TODAY, "En cours", 40, "Deux sessions faites"),
        forms.value_line("I4.2.b", "NM", 2025, 7.0, "Bilan MDE", None),
    ]
    assert records.applies(Settings(), user)  # validation is on by default
    depot = drafts.send_draft(conn, user, drafts.add_lines(conn, user, None, lines), "Voici")
    row = conn.execute(
        "SELECT porteur_code, campagne_id, etat, depose_par FROM depot WHERE id = ?", [depot]
    ).fetchone()
    assert row == ("MDE", campaign.id, "a_valider", "lien de campagne (porteur MDE)")
    entry = journal.entries(conn, operation="dépôt").iloc[0]
    assert (entry["auteur"], entry["role"]) == ("lien de campagne (porteur MDE)", "porteur")
    assert list(queries.porteur_depots(conn, user, ("MDE",))["id"]) == [depot]
    # The coordinator publishes it as any porteur's dépôt: its author stays the link.
    batch = records.publish(conn, SAISIE, depot)
    assert conn.execute("SELECT auteur FROM import_batch WHERE id = ?", [batch]).fetchone() == (
        "lien de campagne (porteur MDE)",
    )


def test_a_link_writes_nothing_for_another_porteurs_action(conn, campaign):
    _, user = _open(conn, _mint(conn, campaign))
    with pytest.raises((PermissionDenied, InputError)):  # action 1 is not the MDE's
        drafts.add_lines(conn, user, None, [forms.status_line(1, TODAY, "En cours", 10, None)])
    with pytest.raises(PermissionDenied):
        drafts.add_lines(
            conn, user, "VILLE_NANTES", [forms.value_line("I4.2.b", "NM", 2025, 7.0, None, None)]
        )
    with pytest.raises(PermissionDenied, match="action n° 1"):  # validation off: same rule
        saisie.enregistrer_revue(conn, user, 1, statut="En cours", avancement=10)
    assert conn.execute("SELECT count(*) FROM depot_ligne").fetchone()[0] == 0


def test_a_link_sees_only_its_campaigns_depots(conn, campaign):
    _, user = _open(conn, _mint(conn, campaign))
    mde = User("mde", "MDE", "porteur", porteurs=("MDE",))
    line = forms.value_line("I4.2.b", "NM", 2025, 5.0, None, None)
    before = drafts.submit_lines(conn, mde, [line])
    conn.execute("UPDATE depot SET campagne_id = NULL WHERE id = ?", [before])  # outside any
    assert list(queries.porteur_depots(conn, mde, ("MDE",))["id"]) == [before]
    assert queries.porteur_depots(conn, user, ("MDE",)).empty


def test_only_an_administrator_mints_or_revokes(conn, campaign):
    with pytest.raises(PermissionDenied):
        liens.mint(conn, SAISIE, campaign.id, ["MDE"], days=30)
    with pytest.raises(PermissionDenied):
        liens.revoke_porteur(conn, SAISIE, "MDE")
    # Links that would be born expired (a reminder long after the deadline) are not minted.
    late = datetime.combine(SOON + timedelta(days=3), datetime.min.time())
    assert liens.mint(conn, SYSTEM, campaign.id, ["MDE"], days=2, now=late) == {}


# -- links in the reminders ----------------------------------------------------------------------

APP_URL = "https://ptlcd.example/"
LINK = re.compile(r"https://ptlcd\.example/r/([A-Za-z0-9_-]{43})\s")


@pytest.fixture
def mini_db(tmp_path, templates):
    """The mini plan (MDE and AGGLO_EGALITE have an address, UNIV none) with an open campaign."""
    path = templates.copy("mini", tmp_path / "mini.duckdb")
    with store.connect(path) as conn:
        campaigns.open_campaign(conn, SYSTEM, "Suivi 2025", SOON)
    return path


def _mail_settings(db, port: int, **more: object) -> Settings:
    return Settings(
        db_path=db,
        smtp_host=HOST,
        smtp_port=port,
        smtp_from="ptlcd@example.org",
        smtp_tls="none",
        **more,  # type: ignore[arg-type]
    )


def _bodies(handler) -> dict[str, str]:
    return {r.rcpt_tos[0]: r.message.get_body(("plain",)).get_content() for r in handler.received}


def test_each_reminder_that_leaves_carries_a_new_link_of_its_porteur(mini_db):
    with smtp_server() as (port, handler):
        relances_envoi.send(_mail_settings(mini_db, port, app_url=APP_URL), SYSTEM, 1)
        first = _bodies(handler)["contact@mde-villeneuve.example"]
        relances_envoi.send(
            _mail_settings(mini_db, port, app_url=APP_URL), SYSTEM, 1, renvoyer=["MDE"]
        )
        second = _bodies(handler)["contact@mde-villeneuve.example"]
    last_day = SOON + timedelta(days=30)
    assert f"Il est valable jusqu'au {last_day:%d/%m/%Y} inclus" in first
    tokens = [LINK.search(body)[1] for body in (first, second)]  # type: ignore[index]
    assert tokens[0] != tokens[1]
    with store.connect(mini_db) as conn:
        # One link per reminder sent, none for the porteur without an address (UNIV).
        assert sorted(liens.links(conn)["porteur_code"]) == ["AGGLO_EGALITE", "MDE", "MDE"]
        for token in tokens:  # both valid at once
            assert _open(conn, token)[1].porteurs == ("MDE",)


def test_without_the_apps_address_no_link_is_minted(mini_db):
    with smtp_server() as (port, handler):
        relances_envoi.send(_mail_settings(mini_db, port), SYSTEM, 1)
    assert handler.received and not any("/r/" in body for body in _bodies(handler).values())
    with store.connect(mini_db) as conn:
        assert liens.links(conn).empty


def test_a_scheduled_reminder_written_as_eml_carries_its_link(mini_db):
    settings = Settings(db_path=mini_db, smtp_from="ptlcd@example.org", app_url=APP_URL)
    veille_run.run(settings, SOON - timedelta(days=7), user=SYSTEM, fetch=None)
    folder = mini_db.parent / "courriels" / f"relances-campagne-1-{SOON - timedelta(days=7)}"
    draft = message_from_bytes((folder / "MDE.eml").read_bytes(), policy=policy.default)
    token = LINK.search(draft.get_body(("plain",)).get_content())[1]  # type: ignore[index,union-attr]
    with store.connect(mini_db) as conn:
        assert _open(conn, token)[1].porteurs == ("MDE",)


def test_eml_files_to_send_by_hand_carry_links_and_a_listing_mints_none(
    mini_db, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("PTLCD_APP_URL", APP_URL)
    monkeypatch.delenv("PTLCD_SMTP_HOST", raising=False)
    db = str(mini_db)
    assert main(["--db", db, "campaign", "remind", "1", "--dry-run"]) == 0
    with store.connect(mini_db) as conn:
        assert liens.links(conn).empty  # nothing leaves, nothing is minted
    out = tmp_path / "eml"
    assert main(["--db", db, "campaign", "remind", "1", "-o", str(out)]) == 0
    draft = message_from_bytes((out / "MDE.eml").read_bytes(), policy=policy.default)
    # It carries a working link: readable by its owner only, whatever the umask.
    assert {p.stat().st_mode & 0o777 for p in out.glob("*.eml")} == {0o600}
    assert LINK.search(draft.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    settings = Settings(db_path=mini_db, app_url=APP_URL)
    with store.connect(mini_db) as conn:
        archive = zipfile.ZipFile(io.BytesIO(relances_envoi.eml_zip(conn, SYSTEM, 1, settings)))
        zipped = message_from_bytes(archive.read("MDE.eml"), policy=policy.default)
        assert LINK.search(zipped.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert sorted(liens.links(conn)["porteur_code"]) == [
            "AGGLO_EGALITE",
            "AGGLO_EGALITE",
            "MDE",
            "MDE",
        ]
