"""The porteur role in the app (AppTest): the page "Mes actions", and the import page limited to
the account's own actions and indicators."""

from __future__ import annotations

from datetime import date

import pytest

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.imports import batches, verify
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import publishing, queries, versions
from ptlcd_data.plan.versions import PlanChange
from ptlcd_data.suivi import status_queries
from tests.helpers import MINI_PLAN
from tests.helpers import import_files as f
from tests.helpers.apptest import (
    add_account,
    assert_clean,
    open_page,
    open_view,
    run_page,
    table_having,
    texts,
)
from tests.helpers.databases import app_on
from ui import navigation

PAGE = "app_pages/mes_actions.py"
IMPORT = "app_pages/import_donnees.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _porteur(db, login="mde", codes=("MDE",)):
    return add_account(db, login, "porteur", nom="Maison de l'emploi", porteurs=codes)


def _give_action_to(db, no: int, codes: tuple[str, ...]) -> None:
    """Action `no` carried by `codes` from today on (a plan change, as the plan page makes)."""
    with store.connect(db) as conn:
        before = versions.snapshot(conn).actions[no]["porteurs"]
        change = PlanChange("action", no, "modification", {"porteurs": (before, codes)})
        publishing.publish(conn, [change], date_effet=date.today(), user=SYSTEM, motif="essai")


def _shown(at, columns):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_a_porteur_sees_only_its_actions_and_indicators(app_env):
    at = open_page(PAGE, login=_porteur(app_env))
    assert at.title[0].value == "Mes actions"
    actions = _shown(at, ["action_no", "statut"])
    assert actions["action_no"].tolist() == [19]
    with store.connect(app_env) as conn:
        assert actions["calendrier"].tolist() == [queries.action_detail(conn, 19)["calendrier"]]
    indicators = _shown(at, ["code", "annee_attendue"])
    assert indicators["code"].tolist() == ["I4.2.b", "I4.2.c"]
    assert [e.label for e in at.expander] == [
        e.label for e in at.expander if e.label.startswith("Action n° 19 ·")
    ]
    assert "Maison de l'emploi" in texts(at.caption)


def test_a_porteur_records_its_action_and_it_appears(app_env, monkeypatch):
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    at = open_page(PAGE, login=_porteur(app_env))
    open_view(at, "mes_action_ouverte_19", True)  # its form, drawn while its expander is open
    at.selectbox(key="mes_19_statut_19_0").select("En cours")
    at.number_input(key="mes_19_avancement_19_0").set_value(30)
    at.text_area(key="mes_19_commentaire_19_0").input("Première session faite")
    at.button(key="mes_19_submit").click().run()
    assert_clean(at)
    assert any("Action n° 19" in s.value and "Maison de l'emploi" in s.value for s in at.success)
    row = _shown(at, ["action_no", "statut"]).iloc[0]
    assert (row["statut"], row["avancement"], row["commentaire"]) == (
        "En cours",
        30,
        "Première session faite",
    )
    with store.connect(app_env) as conn:
        state = status_queries.action_state(conn, 19, date.today())
    assert (state["statut"], state["auteur"]) == ("En cours", "Maison de l'emploi")


def test_a_porteur_records_a_value_of_its_indicator(app_env, monkeypatch):
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    at = open_page(PAGE, login=_porteur(app_env))
    expected = date.today().year - 1
    at.selectbox(key="mes_valeur_code_0").select("I4.2.c")
    at.selectbox(key="mes_valeur_territoire_0").select("NANTES")
    assert at.number_input(key="mes_valeur_annee_0").value == expected
    at.number_input(key="mes_valeur_valeur_0").set_value(17)
    at.button(key="mes_valeur_submit").click().run()
    assert_clean(at)
    assert any("Valeur enregistrée : I4.2.c, Nantes" in s.value for s in at.success)
    row = _shown(at, ["code", "fourni"]).set_index("code").loc["I4.2.c"]
    assert (row["derniere_valeur"], row["derniere_annee"], bool(row["fourni"])) == (
        "17",
        expected,
        True,
    )
    with store.connect(app_env) as conn:
        values = valeurs.current_values(conn, date.today(), indicateurs=["I4.2.c"])
    assert values[["territoire_code", "annee", "valeur"]].values.tolist() == [
        ["NANTES", expected, 17.0]
    ]


def test_an_action_given_away_while_its_form_is_filled_says_so_and_keeps_the_input(app_env):
    at = open_page(PAGE, login=_porteur(app_env))
    open_view(at, "mes_action_ouverte_19", True)  # its form, drawn while its expander is open
    at.selectbox(key="mes_19_statut_19_0").select("En cours")
    at.number_input(key="mes_19_avancement_19_0").set_value(30)
    at.text_area(key="mes_19_commentaire_19_0").input("Première session faite")
    at.selectbox(key="mes_19_eng_NANTES_19_0").select("Engagée")
    _give_action_to(app_env, 19, ("GOLD",))  # between drawing the form and sending it
    with store.connect(app_env) as conn:
        before = f.state(conn)
    at.button(key="mes_19_submit").click().run()
    assert not at.exception
    assert (
        "L'action n° 19 n'est plus portée par Maison de l'emploi : rien n'a été enregistré. "
        "Vos saisies sont reprises ci-dessous."
    ) in texts(at.error).replace("\\", "")  # shown Markdown-escaped
    kept = texts(at.code)
    for line in (
        "Action n° 19",
        "Statut : En cours",
        "Avancement : 30\u202f%",
        f"Date d'effet : {date.today():%d/%m/%Y}",
        "Commentaire : Première session faite",
        "Engagement : Nantes : Engagée",
    ):
        assert line in kept, kept
    at.run()  # still there after another click anywhere on the page
    assert "Première session faite" in texts(at.code)
    at.button(key="mes_lost_dismiss").click().run()
    assert not at.code and not at.error
    with store.connect(app_env) as conn:
        assert f.state(conn) == before


def test_staff_choose_a_porteur_and_readers_have_no_such_page(app_env):
    at = open_page(PAGE, login=add_account(app_env, "mme.a", "saisie", nom="Mme A"))
    assert at.selectbox(key="mes_actions_porteur").value == "NM_EGALITE"
    assert _shown(at, ["action_no", "statut"])["action_no"].tolist() == [1, 3, 6, 18]
    at.selectbox(key="mes_actions_porteur").select("GOLD").run()
    assert_clean(at)
    assert _shown(at, ["action_no", "statut"])["action_no"].tolist() == [9]
    assert "ne fournit aucun indicateur" in texts(at.info)
    spec = next(s for s in navigation.PAGES if s.path == PAGE)
    assert not navigation.allowed(spec, User("m.b", "M. B", "lecture"), False)
    assert not navigation.allowed(spec, None, False)
    # Not in a reader's navigation: its address says, in French, which role it needs.
    at = run_page(PAGE, login=add_account(app_env, "m.b", "lecture"))
    assert "ne permet pas d'ouvrir cette page" in texts(at.warning)


def test_the_porteur_page_says_when_there_is_nothing(app_env):
    # A porteur with no action and no indicator: a porteur account whose codes were emptied.
    with store.connect(app_env) as conn:
        change = PlanChange(
            "porteur",
            "SEUL",
            "ajout",
            {f: (None, v) for f, v in {"libelle": "Porteur seul", "type": "autre"}.items()},
        )
        publishing.publish(conn, [change], date_effet=date.today(), user=SYSTEM, motif="essai")
    at = open_page(PAGE, login=_porteur(app_env, "seul", ("SEUL",)))
    assert "Aucune action du plan n'est portée par ce porteur" in texts(at.info)
    assert "ne fournit aucun indicateur" in texts(at.info)


@pytest.fixture
def mini_env(tmp_path, monkeypatch, templates):
    """The app on the mini plan (porteurs AGGLO_EGALITE, UNIV, MDE)."""
    monkeypatch.setenv("PTLCD_DATA", str(MINI_PLAN))
    yield from app_on(templates.copy("mini_demo", tmp_path / "mini.duckdb"), monkeypatch)


def test_mes_actions_on_the_mini_plan(mini_env):
    at = open_page(PAGE, login=_porteur(mini_env, "univ", ("UNIV",)))
    assert _shown(at, ["action_no", "statut"])["action_no"].tolist() == [2]
    assert "ne fournit aucun indicateur" in texts(at.info)
    at = open_page(PAGE, login=_porteur(mini_env, "mde", ("MDE",)))
    assert _shown(at, ["code", "annee_attendue"])["code"].tolist() == ["E1"]


# --- the import page --------------------------------------------------------------------------


def _upload(at, content):
    at.file_uploader(key="import_file").upload("retour.xlsx", content, XLSX).run()
    at.button(key="import_verify").click().run()
    return at


def test_the_import_page_refuses_another_porteurs_rows_for_a_porteur(app_env):
    at = open_page(IMPORT, login=_porteur(app_env))
    assert "Compte porteur" in texts(at.info)
    with store.connect(app_env) as conn:
        before = f.state(conn)
    content = f.xlsx(
        {
            "Avancement": [
                f.AV_HEADER,
                [19, "01/06/2024", "En cours", 40, None],
                [18, "01/06/2024", "En cours", 10, None],
            ]
        }
    )
    _upload(at, content)
    assert "1 erreur(s)" in texts(at.error)
    problems = _shown(at, ["Problème", "Ligne"])
    assert problems[["Feuille", "Ligne", "Valeur trouvée"]].values.tolist() == [
        ["Avancement", "3", "18"]
    ]
    assert problems["Problème"].iloc[0].startswith("L'action n° 18 est portée par")
    assert not [b for b in at.button if b.key == "import_publish"]
    with store.connect(app_env) as conn:
        assert f.state(conn) == before


def test_the_import_page_publishes_a_porteurs_own_rows(app_env, monkeypatch):
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    at = open_page(IMPORT, login=_porteur(app_env))
    _upload(at, f.xlsx({"Avancement": [f.AV_HEADER, [19, "01/06/2024", "En cours", 40, None]]}))
    assert "Aucune erreur" in texts(at.success)
    at.button(key="import_publish").click().run()
    assert_clean(at)
    assert "Lot n° 1 publié : 1 créé(s)" in texts(at.success)


def test_a_refused_publish_is_said_and_the_stale_check_is_gone(app_env, monkeypatch):
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    at = open_page(IMPORT, login=_porteur(app_env))
    _upload(at, f.xlsx({"Avancement": [f.AV_HEADER, [19, "01/06/2024", "En cours", 40, None]]}))
    assert "Aucune erreur" in texts(at.success)
    _give_action_to(app_env, 19, ("GOLD",))  # between Vérifier and Publier
    with store.connect(app_env) as conn:
        before = f.state(conn)
    at.button(key="import_publish").click().run()
    assert not at.exception
    assert "Import refusé — 1 ligne" in texts(at.error)
    assert "Aucune erreur" not in texts(at.success)
    assert not [b for b in at.button if b.key == "import_publish"]
    assert "Cliquez sur « Vérifier »" in texts(at.caption)
    at.run()  # the refusal is said once; the page then asks for Vérifier again
    assert "Aucune erreur" not in texts(at.success)
    with store.connect(app_env) as conn:
        assert f.state(conn) == before


def test_a_porteur_sees_only_its_own_batches_and_cannot_undo(app_env, monkeypatch):
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    with store.connect(app_env) as conn:  # a staff batch first: not the porteur's to see
        staff = f.xlsx({"Avancement": [f.AV_HEADER, [1, "01/06/2024", "En cours", 10, None]]})
        batches.publish(conn, SYSTEM, verify.check_file(conn, staff, "equipe.xlsx"))
    at = open_page(IMPORT, login=_porteur(app_env))
    assert "Aucun import n'a encore été publié par ce compte." in texts(at.info)
    _upload(at, f.xlsx({"Avancement": [f.AV_HEADER, [19, "01/06/2024", "En cours", 40, None]]}))
    at.button(key="import_publish").click().run()
    history = table_having(at, "Fichier")
    assert history["Lot"].tolist() == [2]
    assert not [b for b in at.button if b.key == "import_undo"]
