"""Dépôts à valider in the app (AppTest): a porteur's forms and upload become a dépôt; the
coordinator's page publishes it or sends it back with a reason the porteur then reads."""

from __future__ import annotations

from datetime import date

from ptlcd_data import store
from ptlcd_data.access.auth import User
from ptlcd_data.depots import drafts, forms
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.suivi import status_queries
from tests.helpers import import_files as f
from tests.helpers.apptest import (
    add_account,
    assert_clean,
    open_page,
    open_view,
    table_having,
    texts,
)

MES_ACTIONS = "app_pages/mes_actions.py"
DEPOTS = "app_pages/depots.py"
IMPORT = "app_pages/import_donnees.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MDE = User("mde", "Maison de l'emploi", "porteur", porteurs=("MDE",))


def plain(elements):
    """The text of `elements` as read, without the Markdown escapes of user text."""
    return texts(elements).replace("\\", "")


def _porteur(db):
    return add_account(db, "mde", "porteur", nom="Maison de l'emploi", porteurs=("MDE",))


def _value(db, code="I4.2.b", annee=2025):
    with store.connect(db) as conn:
        found = valeurs.current_values(conn, date.max, indicateurs=[code])
    found = found[(found["annee"] == annee) & (found["territoire_code"] == "NM")]
    return None if found.empty else float(found["valeur"].iloc[0])


def test_a_porteur_form_goes_into_a_draft_then_is_sent_and_nothing_is_published(app_env):
    at = open_page(MES_ACTIONS, login=_porteur(app_env))
    assert "Rien en préparation" in texts(at.info)
    open_view(at, "mes_action_ouverte_19", True)  # its form, drawn while its expander is open
    at.selectbox(key="mes_19_statut_19_0").select("En cours")
    at.number_input(key="mes_19_avancement_19_0").set_value(30)
    at.button(key="mes_19_submit").click().run()
    assert_clean(at)
    assert "ajoutée au dépôt n°" in plain(at.success)
    assert "Action n° 19 au" in texts(at.text)  # the draft's line
    note = next(t for t in at.text_area if str(t.key).startswith("draft_note_"))
    note.input("Première session")
    sent = next(b for b in at.button if b.label == "Envoyer pour validation")
    sent.click().run()
    assert_clean(at)
    assert "le valide avant toute publication" in plain(at.success)
    mine = table_having(at, "etat", "motif")
    assert list(mine["etat"]) == ["à valider"]
    with store.connect(app_env) as conn:
        assert status_queries.action_state(conn, 19, date.today())["avancement"] != 30


def test_the_coordinator_publishes_or_returns_and_the_porteur_reads_the_reason(app_env):
    add_account(app_env, "sec", "saisie")
    with store.connect(app_env) as conn:
        line = forms.value_line("I4.2.b", "NM", 2025, 12.0, "Bilan", None)
        first = drafts.send_draft(conn, MDE, drafts.add_lines(conn, MDE, "MDE", [line]))
    at = open_page(DEPOTS, login="sec")
    queue = table_having(at, "porteur_libelle", "lignes")
    assert list(queue["id"]) == [first]
    changes = table_having(at, "champ", "nouveau")
    assert list(changes["nouveau"]) == ["12", "Bilan"]
    at.text_area(key=f"depot_motif_{first}").input("La valeur de 2025 manque de source.")
    next(b for b in at.button if b.label == "Renvoyer au porteur").click().run()
    assert_clean(at)
    assert f"Dépôt n° {first} renvoyé au porteur" in plain(at.success)
    assert "Aucun dépôt n'attend de validation." in plain(at.success)

    porteur = open_page(MES_ACTIONS, login=_porteur(app_env))
    assert "La valeur de 2025 manque de source." in plain(porteur.warning)

    with store.connect(app_env) as conn:
        line = forms.value_line("I4.2.b", "NM", 2025, 13.0, "Bilan MDE 2025", None)
        second = drafts.send_draft(conn, MDE, drafts.add_lines(conn, MDE, "MDE", [line]))
    at = open_page(DEPOTS, login="sec")
    next(b for b in at.button if b.label == "Publier").click().run()
    assert_clean(at)
    assert f"Dépôt n° {second} publié (lot n°" in plain(at.success)
    assert _value(app_env) == 13.0


def test_a_depot_s_conversations_are_drawn_when_opened(app_env):
    """One expander per action of the dépôt, its messages and form computed once opened."""
    add_account(app_env, "sec", "saisie")
    with store.connect(app_env) as conn:
        line = forms.status_line(19, date.today(), "En cours", 30, "Première session")
        depot = drafts.send_draft(conn, MDE, drafts.add_lines(conn, MDE, "MDE", [line]))
    at = open_page(DEPOTS, login="sec")
    assert "Échanges sur l'action n° 19" in [e.label for e in at.expander]
    assert not [t for t in at.text_area if str(t.key).startswith(f"depot_msg_{depot}_19")]
    open_view(at, f"depot_msg_{depot}_19_ouvert", True)
    assert [t for t in at.text_area if str(t.key).startswith(f"depot_msg_{depot}_19")]


def test_a_porteur_upload_becomes_a_depot(app_env):
    at = open_page(IMPORT, login=_porteur(app_env))
    content = f.xlsx({"Indicateurs": [["Code indicateur", "Territoire", "Année", "Valeur"],
                                      ["I4.2.b", "NM", 2025, 5]]})  # fmt: skip
    at.file_uploader(key="import_file").upload("mde.xlsx", content, XLSX).run()
    at.button(key="import_verify").click().run()
    at.text_area(key="import_depot_note").input("Chiffres provisoires")
    at.button(key="import_publish").click().run()
    assert_clean(at)
    assert "enregistré, à valider" in plain(at.success)
    assert _value(app_env) is None


def test_readers_and_porteurs_have_no_queue_page(app_env):
    _porteur(app_env)
    add_account(app_env, "lec", "lecture")
    for login in ("lec", "mde"):
        refused = open_page("app_pages/accueil.py", login=login)
        refused.switch_page(DEPOTS).run()
        assert "Votre compte (rôle" in texts(refused.warning)
        assert not [h for h in refused.header if h.value == "En attente"]
        assert not refused.button
