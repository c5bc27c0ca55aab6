"""Vérifier → Publier → history → undo, against real DuckDB files."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from ptlcd_data.access import journal
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.classeurs import problems
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.imports import batches, preview, template, verify
from ptlcd_data.settings import Settings
from tests.helpers import import_files as f
from tests.helpers.import_files import check
from tests.helpers.spec import STATUTS_TET

STAFF = User("agent", "Agent de la Mission égalité", "saisie")


def current(conn) -> dict:
    df = template.filled_rows(conn)
    return {
        (r["Code indicateur"], r["Territoire"], int(r["Année"])): (
            None if r["Valeur"] != r["Valeur"] else r["Valeur"],
            None if r["Cible"] != r["Cible"] else r["Cible"],
        )
        for r in df.to_dict("records")
    }


# --- Vérifier: every problem names its sheet, row, column, value, and what is expected --------

ROW_ERRORS = [
    # (case, sheets, (feuille, ligne, colonne, entete), value found, message, expected fragment)
    (
        "unknown_code",
        {
            "Indicateurs": [
                f.IND_HEADER,
                ["I1.1.a", "", "Nantes", 2019, 1],
                ["I9.9.z", "", "Nantes", 2019, 1],
            ]
        },
        ("Indicateurs", 3, "A", "Code indicateur"),
        "I9.9.z",
        "Code indicateur inconnu",
        "I1.1.a",
    ),
    (
        "unknown_territory",
        {"Indicateurs": [f.IND_HEADER, ["I1.1.a", "", "Paris", 2019, 1]]},
        ("Indicateurs", 2, "C", "Territoire"),
        "Paris",
        "Territoire inconnu",
        "Saint-Herblain",
    ),
    (
        "year_out_of_range",
        {"Indicateurs": [f.IND_HEADER, [], ["I1.1.a", "", "Nantes", 1890, 1]]},
        ("Indicateurs", 3, "D", "Année"),
        "1890",
        "Année hors limites",
        "entre 2000 et",
    ),
    (
        "year_unreadable",
        {"Indicateurs": [f.IND_HEADER, ["I1.1.a", "", "Nantes", "l'an dernier", 1]]},
        ("Indicateurs", 2, "D", "Année"),
        "l'an dernier",
        "Année illisible",
        "quatre chiffres",
    ),
    (
        "negative_count",
        {"Indicateurs": [f.IND_HEADER, ["I1.1.a", "", "Nantes", 2019, -4]]},
        ("Indicateurs", 2, "E", "Valeur"),
        "-4",
        "ne peut pas être négatif",
        "positif",
    ),
    (
        "percentage_above_100",
        {"Indicateurs": [f.IND_HEADER, ["I4.1.b", "", "Nantes", 2019, "145 %"]]},
        ("Indicateurs", 2, "E", "Valeur"),
        "145 %",
        "entre 0 et 100",
        "entre 0 et 100",
    ),
    (
        "target_not_a_number",
        {"Indicateurs": [f.IND_HEADER, ["I1.1.a", "", "Nantes", 2019, 3, "beaucoup"]]},
        ("Indicateurs", 2, "F", "Cible"),
        "beaucoup",
        "ce n'est pas un nombre",
        "n.c.",
    ),
    (
        "status_unknown",
        {"Avancement": [f.AV_HEADER, [3, "01/02/2019", "Presque fini", 80]]},
        ("Avancement", 2, "C", "Statut"),
        "Presque fini",
        "Statut inconnu",
        "À discuter",
    ),
    (
        "action_unknown",
        {"Avancement": [f.AV_HEADER, [999, "01/02/2019", "En cours", 80]]},
        ("Avancement", 2, "A", "N° action"),
        "999",
        "Action inconnue",
        "numéro d'action",
    ),
    (
        "date_unreadable",
        {"Avancement": [f.AV_HEADER, [3, "début 2019", "En cours"]]},
        ("Avancement", 2, "B", "Date"),
        "début 2019",
        "Date illisible",
        "JJ/MM/AAAA",
    ),
    (
        "progress_above_100",
        {"Avancement": [f.AV_HEADER, [3, "01/02/2019", "En cours", 120]]},
        ("Avancement", 2, "D", "Avancement (%)"),
        "120",
        "entre 0 et 100",
        "entre 0 et 100",
    ),
    (
        "engagement_level_unknown",
        {"Engagement": [f.ENG_HEADER, [3, "Rezé", "Peut-être"]]},
        ("Engagement", 2, "C", "Engagement"),
        "Peut-être",
        "Niveau d'engagement inconnu",
        "Non concernée",
    ),
]


@pytest.mark.parametrize(
    ("case", "sheets", "where", "found", "message", "expected"),
    ROW_ERRORS,
    ids=[r[0] for r in ROW_ERRORS],
)
def test_each_problem_names_sheet_row_column_value_and_expectation(
    conn, case, sheets, where, found, message, expected
):
    before = f.state(conn)
    result = check(conn, f.xlsx(sheets))
    errors = result.errors.to_dict("records")
    assert len(errors) == 1, errors
    error = errors[0]
    assert (error["feuille"], error["ligne"], error["colonne"], error["entete"]) == where
    assert error["valeur"] == found
    assert message in error["message"]
    assert expected in error["attendu"]
    line = problems.format_problem(error)
    assert f"{where[0]}, ligne {where[1]}, colonne {where[2]} ({where[3]})" in line
    with pytest.raises(InputError, match="rien n'est publié"):
        batches.publish(conn, STAFF, result)
    assert f.state(conn) == before


def test_only_text_that_is_neither_a_number_nor_a_no_value_word_is_not_a_number(conn):
    # Number cells, numbers written as text, no-value words and empty cells are never "not a
    # number" (Vérifier reads that flag only for the cells that are not number cells).
    result = check(
        conn,
        f.indicateurs(
            ["I1.1.a", "", "Nantes", 2015, 12],
            ["I1.1.a", "", "Nantes", 2016, "1 234,5"],
            ["I1.1.a", "", "Nantes", 2017, "n.c.", 5],
            ["I1.1.a", "", "Nantes", 2018, "12abc"],
            ["I1.1.a", "", "Nantes", 2019, 3, "-"],
            ["I1.1.a", "", "Nantes", 2020, 3, "beaucoup"],
            ["I1.1.a", "", "Nantes", 2021, None, 4],
        ),
    )
    errors = result.errors
    assert errors[["ligne", "entete", "valeur"]].values.tolist() == [
        [5, "Valeur", "12abc"],
        [7, "Cible", "beaucoup"],
    ]
    assert all("ce n'est pas un nombre" in m for m in errors["message"])


def test_duplicate_rows_are_one_error_naming_both_rows(conn):
    result = check(
        conn,
        f.indicateurs(
            ["I1.1.a", "", "Nantes", 2019, 1],
            ["I1.1.b", "", "Nantes", 2019, 1],
            ["i1.1.a", "", "NANTES", "2019", 2],
        ),
    )
    assert result.errors[["feuille", "ligne", "message", "attendu"]].values.tolist() == [
        [
            "Indicateurs",
            2,
            "Ligne en double : mêmes indicateur, territoire et année sur 2 lignes "
            "(Indicateurs lignes 2 et 4).",
            "une seule ligne par indicateur, territoire, année",
        ]
    ]


def test_a_large_group_of_duplicate_rows_names_its_first_lines_and_counts_them(conn):
    rows = [["I1.1.a", "", "Nantes", 2019, 1]] * 2_000
    dups = check(conn, f.indicateurs(*rows)).errors
    assert dups["message"].tolist() == [
        "Ligne en double : mêmes indicateur, territoire et année sur 2\u202f000 lignes "
        "(Indicateurs lignes 2, 3, 4, 5, 6 et 1\u202f995 autres)."
    ]


def test_many_duplicate_rows_over_few_keys_make_one_error_per_key(conn):
    """3,000 rows over 30 keys: 30 errors, each at its key's first line with its 100 rows (one
    error per row made the command line's dry run of 150,000 such rows take minutes)."""
    dups = check(conn, f.indicateurs(*f.over_30_keys(3_000))).problems
    assert len(dups) == 30 and set(dups["gravite"]) == {"erreur"}
    assert dups["ligne"].tolist() == list(range(2, 32))
    assert all(
        m.startswith("Ligne en double : mêmes indicateur, territoire et année sur 100 lignes ")
        for m in dups["message"]
    )
    assert dups["message"][0].endswith("(Indicateurs lignes 2, 32, 62, 92, 122 et 95 autres).")


def test_duplicate_rows_across_two_sheets_name_each_sheet(conn):
    row = ["I1.1.a", "", "Nantes", 2019, 1]
    data = f.xlsx({"Indicateurs": [f.IND_HEADER, row, row], "Indicateurs 2": [f.IND_HEADER, row]})
    assert check(conn, data).errors["message"].tolist() == [
        "Ligne en double : mêmes indicateur, territoire et année sur 3 lignes "
        "(Indicateurs lignes 2, 3 et Indicateurs 2 ligne 2)."
    ]


def test_missing_required_column_is_named(conn):
    header = ["Code indicateur", "Territoire", "Valeur"]
    result = check(conn, f.indicateurs(["I1.1.a", "Nantes", 1], header=header))
    errors = result.errors.to_dict("records")
    assert [(e["feuille"], e["ligne"], e["entete"]) for e in errors] == [
        ("Indicateurs", 1, "Année")
    ]
    assert "Colonne obligatoire manquante" in errors[0]["message"]


def test_a_file_with_any_error_publishes_nothing(conn):
    data = f.xlsx(
        {
            "Indicateurs": [f.IND_HEADER, ["I1.1.a", "", "Nantes", 2019, 1]],
            "Avancement": [f.AV_HEADER, [3, "01/02/2019", "Inconnu"]],
        }
    )
    before = f.state(conn)
    result = check(conn, data)
    assert not result.ok
    with pytest.raises(InputError):
        batches.publish(conn, STAFF, result)
    assert f.state(conn) == before


# --- Publier ----------------------------------------------------------------------------------


def test_publish_summary_preview_and_reimport_changes_nothing(conn):
    data = f.xlsx(
        {
            "Indicateurs": [
                f.IND_HEADER,
                ["I1.1.a", "", "Nantes", 2019, 10, 20, "Mission égalité"],
                ["I1.1.a", "", "Rezé", 2019, None, None],
            ],
            "Avancement": [f.AV_HEADER, [3, "01/02/2019", "en cours", "45 %", "lancé"]],
            "Engagement": [f.ENG_HEADER, [3, "St-Herblain", "engagee"]],
        }
    )
    first = check(conn, data)
    assert first.ok
    assert first.counts() == {"créés": 3, "modifiés": 0, "inchangés": 0, "ignorés": 1}
    shown = preview.changes(first)
    assert {"Valeur", "Cible", "Source", "Statut", "Avancement (%)", "Engagement"} <= set(
        shown["champ"]
    )
    batch = batches.publish(conn, STAFF, first)
    assert batch is not None
    assert conn.execute(
        "SELECT statut, avancement, source, import_id FROM statut_record WHERE import_id IS NOT NULL"
    ).fetchall() == [("En cours", 45, "import", batch)]
    assert conn.execute(
        "SELECT niveau, territoire_code FROM engagement_record WHERE import_id IS NOT NULL"
    ).fetchall() == [("Engagée", "ST_HERBLAIN")]
    before = f.state(conn)
    again = check(conn, data)
    assert again.counts() == {"créés": 0, "modifiés": 0, "inchangés": 3, "ignorés": 1}
    assert preview.changes(again).empty
    assert batches.publish(conn, STAFF, again) is None
    assert f.state(conn) == before


def test_update_shows_old_and_new_and_empty_cells_do_not_erase(conn):
    batches.publish(conn, STAFF, check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 10, 20])))
    second = check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, "12,5", None]))
    assert second.counts()["modifiés"] == 1
    shown = preview.changes(second)
    assert shown[["champ", "ancien", "nouveau"]].values.tolist() == [["Valeur", "10", "12,5"]]
    batches.publish(conn, STAFF, second)
    assert current(conn) == {("I1.1.a", "Nantes", 2019): (12.5, 20.0)}


def test_publish_is_one_transaction(conn, monkeypatch):
    result = check(conn, f.indicateurs(*[["I1.1.a", "", "Nantes", 2000 + i, i] for i in range(20)]))
    before = f.state(conn)

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(journal, "log", broken)
    with pytest.raises(RuntimeError):
        batches.publish(conn, STAFF, result)
    assert f.state(conn) == before


def test_publish_needs_the_saisie_role(conn):
    result = check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 1]))
    with pytest.raises(PermissionDenied):
        batches.publish(conn, User("lecteur", "Lecteur", "lecture"), result)


def test_batch_records_file_hash_author_counts_and_report(conn):
    data = f.indicateurs(["I1.1.a", "", "Nantes", 2019, 1], ["I1.1.a", "", "Rezé", 2019, None])
    batch = batches.publish(conn, STAFF, check(conn, data, "releve 2019.xlsx"))
    row = batches.history(conn).iloc[0]
    import hashlib

    assert row["id"] == batch
    assert row["fichier"] == "releve 2019.xlsx"
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert row["auteur"] == "agent"
    assert (row["nb_crees"], row["nb_modifies"], row["nb_ignores"]) == (1, 0, 1)
    report = batches.batch_report(conn, batch)
    assert report["feuilles"]["indicateurs"] == {"créé": 1, "ignoré": 1}
    logged = journal.entries(conn, operation="import")
    assert logged.iloc[0]["objet"] == f"lot {batch}"


# --- undo -------------------------------------------------------------------------------------


def test_undo_restores_exactly_the_values_before_the_batch(conn):
    batches.publish(
        conn,
        STAFF,
        check(
            conn,
            f.indicateurs(["I1.1.a", "", "Nantes", 2019, 10, 20], ["I1.1.b", "", "Rezé", 2019, 5]),
        ),
    )
    before = current(conn)
    second = batches.publish(
        conn,
        STAFF,
        check(
            conn,
            f.xlsx(
                {
                    "Indicateurs": [
                        f.IND_HEADER,
                        ["I1.1.a", "", "Nantes", 2019, 11, None, "nouvelle source"],
                        ["I1.1.b", "", "Orvault", 2020, 7],
                    ],
                    "Avancement": [f.AV_HEADER, [5, "01/03/2019", "Bloqué"]],
                    "Engagement": [f.ENG_HEADER, [5, "Nantes", "Engagée"]],
                }
            ),
        ),
    )
    assert current(conn) != before
    undo_id = batches.undo(conn, SYSTEM, second)
    assert current(conn) == before
    source = conn.execute(
        "SELECT source FROM indicateur_valeur WHERE import_id = ? AND indicateur_code = 'I1.1.a'",
        [undo_id],
    ).fetchall()
    assert source == [(None,)]
    assert conn.execute(
        "SELECT count(*) FROM statut_record WHERE import_id IS NOT NULL"
    ).fetchall() == [(0,)]
    assert conn.execute(
        "SELECT count(*) FROM engagement_record WHERE import_id IS NOT NULL"
    ).fetchall() == [(0,)]
    hist = batches.history(conn).set_index("id")
    assert hist.loc[second, "statut"] == "annulé"
    assert hist.loc[undo_id, "statut"] == "annulation"
    assert hist.loc[undo_id, "annule_batch"] == second
    report = batches.batch_report(conn, undo_id)
    assert report["valeurs_restaurees"] == 1 and report["valeurs_retirees"] == 1
    assert report["statuts_retires"][0][2] == "Bloqué"
    assert (
        json.loads(journal.entries(conn, operation="annulation import").iloc[0]["nouveau"])[
            "lot_annulation"
        ]
        == undo_id
    )


def test_undo_twice_or_an_undo_is_refused(conn):
    batch = batches.publish(
        conn, STAFF, check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 1]))
    )
    undo_id = batches.undo(conn, SYSTEM, batch)
    with pytest.raises(InputError, match="déjà été annulé"):
        batches.undo(conn, SYSTEM, batch)
    with pytest.raises(InputError, match="lui-même une annulation"):
        batches.undo(conn, SYSTEM, undo_id)
    with pytest.raises(InputError, match="n'existe pas"):
        batches.undo(conn, SYSTEM, 999)


def test_undo_is_refused_while_a_later_batch_changed_the_same_values(conn):
    first = batches.publish(
        conn, STAFF, check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 1]))
    )
    second = batches.publish(
        conn, STAFF, check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 2]))
    )
    before = f.state(conn)
    with pytest.raises(InputError, match=f"lot\\(s\\) {second}"):
        batches.undo(conn, SYSTEM, first)
    assert f.state(conn) == before
    batches.undo(conn, SYSTEM, second)
    batches.undo(conn, SYSTEM, first)
    assert current(conn) == {}


def test_undo_needs_the_admin_role(conn):
    batch = batches.publish(
        conn, STAFF, check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 1]))
    )
    with pytest.raises(PermissionDenied, match="admin"):
        batches.undo(conn, STAFF, batch)


def test_reimport_after_undo_creates_again(conn):
    data = f.indicateurs(["I1.1.a", "", "Nantes", 2019, 1])
    batch = batches.publish(conn, STAFF, check(conn, data))
    batches.undo(conn, SYSTEM, batch)
    again = check(conn, data)
    assert again.counts()["créés"] == 1
    batches.publish(conn, STAFF, again)
    assert current(conn) == {("I1.1.a", "Nantes", 2019): (1.0, None)}


# --- template and round trip ------------------------------------------------------------------


def test_template_has_its_sheets_headers_and_drop_downs(conn, tmp_path):
    path = tmp_path / "modele.xlsx"
    path.write_bytes(template.workbook(conn, 2019))
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Indicateurs",
        "Avancement",
        "Engagement",
        "Référentiel",
        "Mode d'emploi",
    ]
    assert [c.value for c in wb["Indicateurs"][1]] == f.IND_HEADER
    assert [c.value for c in wb["Avancement"][1]] == f.AV_HEADER
    assert [c.value for c in wb["Engagement"][1]] == f.ENG_HEADER
    lists = {
        (ws.title, str(dv.sqref).split(":")[0]): dv.formula1
        for ws in wb.worksheets
        for dv in ws.data_validations.dataValidation
        if dv.type == "list"
    }
    assert lists[("Indicateurs", "A2")].startswith("'Référentiel'!$A$2")
    assert lists[("Indicateurs", "C2")].startswith("'Référentiel'!$E$2")
    assert lists[("Avancement", "C2")].startswith("'Référentiel'!$I$2")
    assert lists[("Engagement", "C2")].startswith("'Référentiel'!$K$2")
    ref = wb["Référentiel"]
    assert tuple(ref.cell(row=r, column=9).value for r in range(2, 9)) == STATUTS_TET
    n_rows = wb["Indicateurs"].max_row - 1
    assert n_rows == 21 * 5


def test_template_works_for_another_plan(mini_conn):
    wb_bytes = template.workbook(mini_conn, 2021)
    result = verify.check_file(mini_conn, wb_bytes, "modele.xlsx", Settings())
    assert result.ok
    assert result.counts()["ignorés"] == 3 * 3


def test_round_trip_template_fill_import_export(conn, tmp_path):
    from ptlcd_data.cli import main

    path = tmp_path / "modele.xlsx"
    path.write_bytes(template.workbook(conn, 2019))
    wb = load_workbook(path)
    ws = wb["Indicateurs"]
    filled = {}
    for row in ws.iter_rows(min_row=2, max_row=12):
        code, _, territoire, year = (c.value for c in row[:4])
        row[4].value = len(filled) * 3 + 1
        filled[(code, territoire, year)] = float(row[4].value)
    wb["Avancement"].append([3, date(2019, 4, 1), "En cours", 30, "premier point"])
    wb.save(path)
    db = tmp_path / "rt.duckdb"
    assert main(["--db", str(db), "init", "--no-demo"]) == 0
    assert main(["--db", str(db), "import", str(path), "--user", "agent"]) == 0
    out = tmp_path / "indicateurs.csv"
    assert main(["--db", str(db), "export", "indicators", "-o", str(out)]) == 0
    import pandas as pd

    exported = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    label = dict(conn.execute("SELECT code, libelle FROM territoire").fetchall())
    got = {
        (r["code_indicateur"], label[r["territoire"]], r["annee"]): r["valeur"]
        for r in exported.to_dict("records")
    }
    assert got == filled
    # The export is itself importable, and changes nothing.
    assert main(["--db", str(db), "import", str(out)]) == 0


def test_template_csv_is_french_and_importable(conn):
    data = template.csv_bytes(conn, 2019)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.splitlines()[0].decode("utf-8-sig").split(";") == f.IND_HEADER
    result = verify.check_file(conn, data, "modele.csv", Settings())
    assert result.ok


def test_publish_compares_again_when_the_store_changed_since_verifier(conn):
    first = check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 5]))
    batches.publish(conn, STAFF, check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 5])))
    assert first.counts()["créés"] == 1  # as seen at Vérifier time
    assert batches.publish(conn, STAFF, first) is None  # the same value is there now
    later = check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 6]))
    batches.publish(conn, STAFF, check(conn, f.indicateurs(["I1.1.a", "", "Nantes", 2019, 7])))
    batch = batches.publish(conn, STAFF, later)
    assert batches.history(conn).set_index("id").loc[batch, "nb_modifies"] == 1
    assert current(conn) == {("I1.1.a", "Nantes", 2019): (6.0, None)}
