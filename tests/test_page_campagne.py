"""The page « Campagne de suivi » with AppTest: open a campaign, follow the replies, close it."""

from __future__ import annotations

from datetime import date, timedelta

import ptlcd_data.campagnes.returns  # noqa: F401 - plugs the campaign checks into imports
from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns, workbooks
from ptlcd_data.imports import batches, verify
from tests.helpers.apptest import add_account, assert_clean, figure, metrics, texts
from tests.helpers.apptest import run_page as _run_page
from tests.helpers.smtp import HOST, smtp_server

PAGE = "app_pages/campagne.py"


def run_page(role: str):
    from ui import data

    return _run_page(PAGE, login=add_account(data.settings().db_path, role, role))


def test_an_admin_opens_a_campaign_from_the_page(app_env):
    at = run_page("admin")
    assert_clean(at)
    assert "Aucune campagne" in texts(at.info)
    at.text_input(key="campagne_nom").set_value("Suivi de l'année")
    at.button(key="campagne_ouvrir").click().run()
    assert_clean(at)
    assert "ouverte" in texts(at.success)
    with store.connect(app_env) as conn:
        opened = campaigns.current(conn)
    assert opened is not None and opened.nom == "Suivi de l'année"
    assert metrics(at)["Taux de réponse"] == "0\u202f%"
    table = at.dataframe[0].value
    assert "MDE" in set(table["porteur"]) and set(table["taux_reponse"]) == {0}
    assert [b for b in at.get("download_button") if b.proto.label.startswith("Télécharger les")]
    spec = figure(at, "campagne_chart")
    assert {t["name"] for t in spec["data"]} == {"Réponses du jour", "Taux de réponse cumulé (%)"}
    at.button(key="campagne_fermer").click().run()
    assert_clean(at)
    assert "close" in texts(at.success)


def test_a_reply_shows_for_its_porteur_and_staff_see_no_admin_tools(app_env):
    with store.connect(app_env) as conn:
        c = campaigns.open_campaign(conn, SYSTEM, "Suivi", date.today() + timedelta(days=10))
        data = workbooks.workbook_bytes(conn, c.id, "MDE")
        batches.publish(conn, SYSTEM, verify.check_file(conn, data, "MDE.xlsx"))
    at = run_page("saisie")
    assert_clean(at)
    table = at.dataframe[0].value.set_index("porteur")
    assert table.loc["MDE", "actions_a_jour"] == table.loc["MDE", "actions_dues"] > 0
    assert table.loc["VILLE_REZE", "taux_reponse"] == 0
    assert not [b for b in at.button if b.key in ("campagne_fermer", "campagne_ouvrir")]
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Télécharger les")]


def test_the_page_is_for_saisie_and_admin_only():
    from ptlcd_data.access.auth import User
    from ui.navigation import PAGES, allowed

    spec = next(p for p in PAGES if p.path == PAGE)
    reader, agent = User("l", "L", "lecture"), User("s", "S", "saisie")
    assert not allowed(spec, None, False) and not allowed(spec, reader, False)
    assert allowed(spec, agent, False) and allowed(spec, SYSTEM, False)


def test_an_admin_sees_who_to_remind_and_gets_the_eml_files_without_a_server(app_env, monkeypatch):
    monkeypatch.delenv("PTLCD_SMTP_HOST", raising=False)
    with store.connect(app_env) as conn:
        campaigns.open_campaign(conn, SYSTEM, "Suivi", date.today() + timedelta(days=10))
    at = run_page("admin")
    assert_clean(at)
    (owed,) = [d.value for d in at.dataframe if "adresse" in d.value.columns]
    owed = owed.set_index("porteur")
    assert owed.loc["Maison de l'emploi", "actions"] == 1
    assert owed.loc["Maison de l'emploi", "adresse"] == "sans adresse"  # the seed has none
    assert "Aucun serveur d'envoi" in texts(at.info)
    assert [
        b for b in at.get("download_button") if b.proto.label.startswith("Télécharger les relances")
    ]
    assert not [b for b in at.button if b.key == "campagne_relancer"]


def test_an_admin_sends_the_reminders_once_then_chooses_whom_to_remind_again(app_env, monkeypatch):
    from ptlcd_data.plan import porteurs

    with store.connect(app_env) as conn:
        campaigns.open_campaign(conn, SYSTEM, "Suivi", date.today() + timedelta(days=10))
        porteurs.set_contact(conn, SYSTEM, "MDE", email="contact@mde.example")
    with smtp_server() as (port, handler):
        for name, value in {
            "PTLCD_SMTP_HOST": HOST,
            "PTLCD_SMTP_PORT": str(port),
            "PTLCD_SMTP_FROM": "ptlcd@nantes.example",
            "PTLCD_SMTP_TLS": "none",
        }.items():
            monkeypatch.setenv(name, value)
        at = run_page("admin")
        at.button(key="campagne_relancer").click().run()
        assert_clean(at)
        assert [r.rcpt_tos for r in handler.received] == [["contact@mde.example"]]
        assert "1 relance(s) envoyée(s) sur" in texts(at.warning)  # the others have no address
        (owed,) = [d.value for d in at.dataframe if "adresse" in d.value.columns]
        today = date.today().strftime("%d/%m/%Y")
        assert owed.set_index("porteur").loc["Maison de l'emploi", "relance_le"] == today

        at.button(key="campagne_relancer").click().run()
        assert_clean(at)
        assert len(handler.received) == 1  # not sent twice
        assert (
            f"Déjà relancé(s) pour cette étape : Maison de l'emploi (MDE, le {today}) : pas de "
            "nouvel envoi" in texts(at.warning)
        )

        at.multiselect(key="campagne_renvoyer").set_value(["MDE"])
        at.button(key="campagne_relancer").click().run()
        assert_clean(at)
        assert [r.rcpt_tos for r in handler.received] == [["contact@mde.example"]] * 2
        assert at.multiselect(key="campagne_renvoyer").value == []
