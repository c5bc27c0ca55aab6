"""The import page with AppTest: Vérifier, then Publier, then the history and undo."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers import import_files as f
from tests.helpers.apptest import add_account, assert_clean, table_having, texts
from tests.helpers.apptest import run_page as _run_page

PAGE = "app_pages/import_donnees.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run_page(page: str, role: str = "saisie"):
    """The page as a logged-in local account named after `role` (created on first use)."""
    from ui import data

    return _run_page(page, login=add_account(data.settings().db_path, role, role))


def upload(at, name: str, content: bytes):
    at.file_uploader(key="import_file").upload(name, content, XLSX).run()
    at.button(key="import_verify").click().run()
    return at


def test_verify_then_publish_in_two_steps(app_env):
    at = run_page(PAGE)
    assert_clean(at)
    assert "Déposez un fichier" in texts(at.info)
    data = f.indicateurs(
        ["I1.1.a", "", "Reze", 2019, "1 234,5", 2000], ["I1.1.b", "", "Nantes", 2019, "n.c."]
    )
    upload(at, "releve.xlsx", data)
    assert_clean(at)
    assert "Aucune erreur" in texts(at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Créés": "1", "Modifiés": "0", "Inchangés": "0", "Ignorés": "1"}
    preview = table_having(at, "Après")
    assert preview[["Champ", "Avant", "Après"]].values.tolist() == [
        ["Valeur", "—", "1\u202f234,5"],
        ["Cible", "—", "2\u202f000"],
    ]
    with store.connect(app_env) as conn:
        assert f.state(conn)["indicateur_valeur"] == 0  # Vérifier wrote nothing
    at.button(key="import_publish").click().run()
    assert_clean(at)
    assert "Lot n° 1 publié : 1 créé(s)" in texts(at.success)
    history = table_having(at, "Annule le lot")
    assert history[["Lot", "Fichier", "Statut"]].values.tolist() == [[1, "releve.xlsx", "publié"]]
    with store.connect(app_env) as conn:
        assert conn.execute("SELECT valeur, cible FROM indicateur_valeur").fetchall() == [
            (1234.5, 2000.0)
        ]


def test_reimporting_the_same_file_says_nothing_changes(app_env):
    data = f.indicateurs(["I1.1.a", "", "Nantes", 2019, 4])
    at = upload(run_page(PAGE), "a.xlsx", data)
    at.button(key="import_publish").click().run()
    at = upload(run_page(PAGE), "a.xlsx", data)
    assert "Rien à publier" in texts(at.info)
    assert not [b for b in at.button if b.key == "import_publish"]


def test_errors_are_listed_with_row_and_column_and_nothing_can_be_published(app_env):
    at = upload(run_page(PAGE), "faux.xlsx", f.indicateurs(["I1.1.a", "", "Paris", 1890, 1]))
    assert "2 erreur(s)" in texts(at.error)
    problems = table_having(at, "Valeur trouvée")
    assert problems[["Ligne", "Colonne", "En-tête", "Valeur trouvée"]].values.tolist() == [
        ["2", "C", "Territoire", "Paris"],
        ["2", "D", "Année", "1890"],
    ]
    assert not [b for b in at.button if b.key == "import_publish"]
    assert [b for b in at.get("download_button") if b.proto.id and "import_report" in b.proto.id]


def test_duplicate_rows_are_one_problem_per_group(app_env):
    at = upload(run_page(PAGE), "doublons.xlsx", f.indicateurs(*f.over_30_keys(300)))
    assert "30 erreur(s)" in texts(at.error)
    problems = table_having(at, "Valeur trouvée")
    assert problems["Ligne"].tolist() == [str(n) for n in range(2, 32)]
    assert problems["Problème"][0] == (
        "Ligne en double : mêmes indicateur, territoire et année sur 10 lignes "
        "(Indicateurs lignes 2, 32, 62, 92, 122 et 5 autres)."
    )


def test_refused_file_is_said_in_french(app_env):
    at = upload(run_page(PAGE), "scan.xlsx", b"%PDF-1.5 faux")
    assert_clean_except_refusal = [e.value for e in at.exception]
    assert not assert_clean_except_refusal
    assert "Fichier refusé" in texts(at.error) and "PDF" in texts(at.error)


def test_file_names_and_cells_are_never_markdown(app_env):
    at = upload(
        run_page(PAGE), "**gras**.xlsx", f.indicateurs(["[lien](http://x)", "", "Nantes", 2019, 1])
    )
    problems = table_having(at, "Valeur trouvée")
    assert problems["Valeur trouvée"].tolist() == ["[lien](http://x)"]
    for element in [*at.markdown, *at.error, *at.success, *at.caption]:
        assert "[lien](http" not in element.value


@pytest.mark.parametrize(("role", "undone"), [("saisie", False), ("admin", True)])
def test_undo_from_the_page_needs_the_admin_role(app_env, role, undone):
    at = upload(run_page(PAGE, role), "a.xlsx", f.indicateurs(["I1.1.a", "", "Nantes", 2019, 4]))
    at.button(key="import_publish").click().run()
    at.selectbox(key="import_undo_batch").select(1).run()
    at.button(key="import_undo").click().run()
    if undone:
        assert "Lot n° 1 annulé" in texts(at.success)
        statuts = table_having(at, "Annule le lot")["Statut"].tolist()
        assert statuts == ["annulation", "annulé"]
    else:
        assert "administration" in texts(at.error) or "admin" in texts(at.error)
        with store.connect(app_env) as conn:
            assert conn.execute("SELECT statut FROM import_batch").fetchall() == [("publié",)]


def test_anonymous_and_reader_accounts_cannot_open_the_import_page(app_env):
    for login in (None, "lecture"):
        if login:
            with store.connect(app_env) as conn:
                accounts.add_user(conn, SYSTEM, login, "Élu", "lecture", "mot-de-passe-elu")
        at = _run_page(None, login=login)
        at.switch_page(PAGE).run()  # its address: the French refusal, nothing of the page
        assert not at.exception
        assert not at.get("file_uploader") and not at.button
        assert "rôle « porteur »" in texts(at.warning)
        assert [link.proto.page for link in at.get("page_link")] == ["connexion"]


def test_problem_table_shows_a_dash_never_none_in_empty_cells(app_env):
    # A workbook with macros: a remark about the whole file (no row, no column), and an error.
    data = f.with_macros(f.indicateurs(["I1.1.a", "", "Paris", 2019, 1]))
    at = upload(run_page(PAGE), "avec_macros.xlsm", data)
    problems = table_having(at, "Valeur trouvée")
    assert len(problems) == 2
    assert not problems.isna().any().any(), problems.to_dict("records")
    whole_file = problems[problems["Problème"].str.contains("macros")].iloc[0]
    assert (whole_file["Ligne"], whole_file["Colonne"], whole_file["Valeur trouvée"]) == (
        "—",
        "—",
        "—",
    )
    cell = problems[problems["Colonne"] == "C"].iloc[0]
    assert (cell["Ligne"], cell["Valeur trouvée"]) == ("2", "Paris")
