"""Open data: official territory codes, and the Frictionless package checked by `frictionless`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import frictionless
import pytest

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.build import build
from ptlcd_data.cli import main
from ptlcd_data.errors import InputError, PermissionDenied, PlanDataError
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.opendata import package, schema
from tests.helpers import MINI_PLAN, run_cli
from tests.helpers.databases import Templates

AS_OF = date(2026, 12, 31)
OFFICIAL_CODES = {
    "NM": "244400404",  # SIREN of Nantes Métropole
    "NANTES": "44109",
    "REZE": "44143",
    "ST_HERBLAIN": "44162",
    "ORVAULT": "44114",
}


def _validate(directory: Path) -> frictionless.Report:
    return frictionless.validate(str(directory / "datapackage.json"))


def _errors(report: frictionless.Report) -> list[list[str]]:
    return report.flatten(["resourceName", "type", "note"])


def _rows(directory: Path, resource: str) -> list[dict[str, str]]:
    with (directory / f"{resource}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _count(conn: store.Connection, sql: str, params: list[object]) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


@pytest.fixture(scope="module")
def demo_base(tmp_path_factory: pytest.TempPathFactory, templates: Templates) -> Path:
    """The real plan with its demonstration history, shared by the tests that only read it."""
    return templates.copy("demo", tmp_path_factory.mktemp("opendata") / "demo.duckdb")


# --- code_officiel in territoires.csv ---------------------------------------------------------


def test_the_real_plans_territories_carry_their_insee_codes_and_the_metropoles_siren(conn):
    rows = dict(conn.execute("SELECT code, code_officiel FROM territoire").fetchall())
    assert rows == OFFICIAL_CODES


def test_code_officiel_may_be_empty_or_absent(tmp_path, mini_conn):
    assert mini_conn.execute("SELECT count(code_officiel) FROM territoire").fetchone()[0] == 0
    plan = tmp_path / "plan"
    shutil.copytree(MINI_PLAN, plan)
    lines = (plan / "territoires.csv").read_text(encoding="utf-8").splitlines()
    (plan / "territoires.csv").write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8"
    )
    assert "code_officiel" not in (plan / "territoires.csv").read_text(encoding="utf-8")
    with store.connect(tmp_path / "sans.duckdb") as conn:
        build(conn, plan, demo=False)
        assert conn.execute("SELECT count(*) FROM territoire").fetchone()[0] == 3


@pytest.mark.parametrize("code", ["4410", "A4109", "24440040", "44 109"])
def test_a_malformed_official_code_is_refused_naming_file_line_and_value(tmp_path, code):
    plan = tmp_path / "plan"
    shutil.copytree(MINI_PLAN, plan)
    text = (plan / "territoires.csv").read_text(encoding="utf-8")
    (plan / "territoires.csv").write_text(
        text.replace("Villeneuve,commune,2,", f'Villeneuve,commune,2,"{code}"'), encoding="utf-8"
    )
    with store.connect(tmp_path / "x.duckdb") as conn:
        with pytest.raises(
            PlanDataError, match=r"territoires\.csv, ligne 3, colonne code_officiel"
        ):
            build(conn, plan, demo=False)


def test_a_corsican_insee_code_is_accepted(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(MINI_PLAN, plan)
    text = (plan / "territoires.csv").read_text(encoding="utf-8")
    (plan / "territoires.csv").write_text(
        text.replace("Villeneuve,commune,2,", "Villeneuve,commune,2,2A004"), encoding="utf-8"
    )
    with store.connect(tmp_path / "x.duckdb") as conn:
        build(conn, plan, demo=False)
        found = conn.execute("SELECT code_officiel FROM territoire WHERE code = 'VN'").fetchone()
    assert found == ("2A004",)


# --- the package ------------------------------------------------------------------------------


@pytest.fixture(
    params=[("demo", "réel"), ("mini_demo", "mini")], ids=["plan_reel", "mini_plan"], scope="module"
)
def base(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, templates: Templates
) -> Path:
    kind, name = request.param
    return templates.copy(kind, tmp_path_factory.mktemp(name) / "base.duckdb")


@pytest.mark.parametrize("avec_demo", [False, True], ids=["sans_demo", "avec_demo"])
def test_the_package_is_valid_and_holds_demo_rows_only_when_asked(base, tmp_path, avec_demo):
    with store.connect(base) as conn:
        written = package.write_package(conn, tmp_path / "paquet", AS_OF, avec_demo=avec_demo)
        real_statuts = _count(
            conn, "SELECT count(*) FROM statut_record WHERE NOT demo AND date_effet <= ?", [AS_OF]
        )
        demo_statuts = _count(
            conn, "SELECT count(*) FROM statut_record WHERE demo AND date_effet <= ?", [AS_OF]
        )
        demo_engagements = _count(
            conn, "SELECT count(*) FROM engagement_record WHERE demo AND date_effet <= ?", [AS_OF]
        )
        actions = _count(conn, "SELECT count(*) FROM action", [])
    report = _validate(written.directory)
    assert report.valid, _errors(report)
    assert demo_statuts > 0 and demo_engagements > 0  # the base has some to leave out
    assert written.rows["actions"] == actions
    statuts = _rows(written.directory, "historique_statuts")
    engagements = _rows(written.directory, "historique_engagements")
    values = _rows(written.directory, "valeurs_indicateurs")
    flags = {r["demo"] for r in [*statuts, *engagements, *values]}
    if avec_demo:
        assert flags == {"true", "false"}
        assert len(statuts) == real_statuts + demo_statuts
        assert sum(r["demo"] == "true" for r in engagements) == demo_engagements
        assert values  # the demonstration's values
    else:
        assert flags <= {"false"}
        assert len(statuts) == real_statuts
        assert not values  # no real value recorded in this base
    assert written.rows["historique_statuts"] == len(statuts)


def test_every_field_is_typed_and_described_in_french_with_the_etalab_licence(demo_base, tmp_path):
    with store.connect(demo_base) as conn:
        package.write_package(conn, tmp_path / "p", AS_OF)
    descriptor = json.loads((tmp_path / "p" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"] == [
        {
            "name": "etalab-2.0",
            "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            "title": "Licence Ouverte / Open Licence 2.0",
        }
    ]
    assert datetime.strptime(descriptor["created"], "%Y-%m-%dT%H:%M:%SZ")
    assert descriptor["sources"] and all(s["title"] for s in descriptor["sources"])
    assert "31/12/2026" in descriptor["description"]
    assert "Plan territorial de lutte contre les discriminations" in descriptor["title"]
    names = [r["name"] for r in descriptor["resources"]]
    assert names == [
        "territoires",
        "axes",
        "objectifs",
        "actions",
        "indicateurs",
        "valeurs_indicateurs",
        "historique_statuts",
        "historique_engagements",
        "decisions",
    ]
    for resource in descriptor["resources"]:
        assert resource["title"] and resource["description"]
        assert (resource["encoding"], resource["dialect"]["delimiter"]) == ("utf-8", ",")
        table = resource["schema"]
        assert table["missingValues"] == [""] and table["primaryKey"]
        for f in table["fields"]:
            assert f["type"] in {"string", "integer", "number", "boolean", "date", "datetime"}
            assert f["title"] and len(f["description"]) > 10, (resource["name"], f["name"])
    fks = {
        r["name"]: {fk["reference"]["resource"] for fk in r["schema"]["foreignKeys"]}
        for r in descriptor["resources"]
    }
    assert fks["historique_engagements"] == {"actions", "territoires"}
    assert fks["valeurs_indicateurs"] == {"indicateurs", "territoires"}


def test_csvs_are_utf8_comma_separated_with_iso_dates_and_dot_decimals(demo_base, tmp_path):
    with store.connect(demo_base) as conn:
        package.write_package(conn, tmp_path / "p", AS_OF, avec_demo=True)
    raw = (tmp_path / "p" / "territoires.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == "code,libelle,type,ordre,code_officiel,demo"
    territoires = {r["code"]: r for r in _rows(tmp_path / "p", "territoires")}
    assert {c: r["code_officiel"] for c, r in territoires.items()} == OFFICIAL_CODES
    assert territoires["REZE"]["libelle"] == "Rezé"
    actions = _rows(tmp_path / "p", "actions")
    assert {a["fin_prevue"] for a in actions if a["calendrier"] == "Fin 2018"} == {"2018-12-31"}
    values = _rows(tmp_path / "p", "valeurs_indicateurs")
    assert any("." in v["valeur"] for v in values) and not any("," in v["valeur"] for v in values)
    assert all(datetime.fromisoformat(v["enregistre_le"]) for v in values)


def test_the_observation_date_leaves_out_what_came_after(demo_base, tmp_path):
    day = date(2019, 12, 31)
    with store.connect(demo_base) as conn:
        package.write_package(conn, tmp_path / "p", day, avec_demo=True)
        later = _count(conn, "SELECT count(*) FROM statut_record WHERE date_effet > ?", [day])
    assert later > 0
    statuts = _rows(tmp_path / "p", "historique_statuts")
    assert statuts and max(date.fromisoformat(r["date_effet"]) for r in statuts) <= day
    values = _rows(tmp_path / "p", "valeurs_indicateurs")
    assert values and max(datetime.fromisoformat(r["enregistre_le"]) for r in values).date() <= day


def test_values_are_the_current_ones_at_the_date_with_their_import_batch(db_path, tmp_path):
    first = valeurs.ValueRow(
        "I1.1.a", "NANTES", 2024, 10.0, 20.0, "INSEE", enregistre_le=datetime(2025, 3, 1)
    )
    newer = replace(first, valeur=12.5, enregistre_le=datetime(2025, 6, 1))
    with store.connect(db_path) as conn:
        with store.transaction(conn):
            valeurs.append_values(conn, SYSTEM, [first])
            valeurs.append_values(conn, SYSTEM, [newer], import_id=7)
        package.write_package(conn, tmp_path / "avant", date(2025, 4, 1))
        package.write_package(conn, tmp_path / "apres", date(2025, 7, 1))
    before = _rows(tmp_path / "avant", "valeurs_indicateurs")
    after = _rows(tmp_path / "apres", "valeurs_indicateurs")
    assert [(r["valeur"], r["import_id"]) for r in before] == [("10.0", "")]
    assert [(r["valeur"], r["cible"], r["source"], r["import_id"]) for r in after] == [
        ("12.5", "20.0", "INSEE", "7")
    ]
    assert after[0]["enregistre_le"] == "2025-06-01T00:00:00"
    assert _validate(tmp_path / "apres").valid


def test_records_of_what_is_not_in_the_package_are_left_out_so_foreign_keys_hold(db_path, tmp_path):
    with store.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO statut_record (action_no, date_effet, statut, auteur, source, "
            "enregistre_le) VALUES (999, DATE '2020-01-01', 'En cours', 'x', 'revue GOLD', "
            "TIMESTAMP '2020-01-01 10:00:00')"
        )
        conn.execute(
            "INSERT INTO engagement_record (action_no, territoire_code, date_effet, niveau, "
            "auteur, source, enregistre_le) VALUES (1, 'ANCIENNE', DATE '2020-01-01', 'Engagée', "
            "'x', 'revue GOLD', TIMESTAMP '2020-01-01 10:00:00')"
        )
        written = package.write_package(conn, tmp_path / "p", AS_OF)
    assert "999" not in {r["action_no"] for r in _rows(written.directory, "historique_statuts")}
    codes = {r["territoire_code"] for r in _rows(written.directory, "historique_engagements")}
    assert "ANCIENNE" not in codes
    assert _validate(written.directory).valid


def test_large_demo_territories_and_indicators_stay_out_unless_asked(db_path, tmp_path):
    from ptlcd_data.demo import large as demo_large

    with store.connect(db_path) as conn:
        with store.transaction(conn):
            demo_large.generate_large(
                conn, demo_large.Scale(territoires=8, indicateurs=23, years=1)
            )
        without = package.write_package(conn, tmp_path / "sans", AS_OF)
        with_demo = package.write_package(conn, tmp_path / "avec", AS_OF, avec_demo=True)
        demo_territoires = _count(conn, "SELECT count(*) FROM territoire WHERE demo", [])
    assert demo_territoires > 0
    assert {r["code"] for r in _rows(without.directory, "territoires")} == set(OFFICIAL_CODES)
    assert without.rows["valeurs_indicateurs"] == 0
    assert with_demo.rows["territoires"] == len(OFFICIAL_CODES) + demo_territoires
    assert with_demo.rows["valeurs_indicateurs"] > 0
    for written in (without, with_demo):
        report = _validate(written.directory)
        assert report.valid, _errors(report)[:5]


# --- a damaged package fails --------------------------------------------------------------------


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_bytes().decode("utf-8")
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))


def _drop_column(path: Path, column: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    at = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:at] + r[at + 1 :] for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")


DAMAGES = {
    # an integer column holding text
    "type": (lambda d: _replace_in(d / "actions.csv", "\n1,1,", "\nun,1,"), "type-error"),
    "colonne_manquante": (
        lambda d: _drop_column(d / "territoires.csv", "code_officiel"),
        "missing-label",
    ),
    # an action of an objective that the package does not have
    "cle_etrangere": (
        lambda d: _replace_in(d / "actions.csv", "\n1,1,1.1,", "\n1,1,9.9,"),
        "foreign-key",
    ),
    "doublon": (lambda d: _replace_in(d / "axes.csv", "\n2,", "\n1,"), "primary-key"),
    "code_officiel": (
        lambda d: _replace_in(d / "territoires.csv", "44109", "4410"),
        "constraint-error",
    ),
    "statut_inconnu": (
        lambda d: _replace_in(d / "historique_statuts.csv", ",En cours,", ",Presque fini,"),
        "constraint-error",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_package_fails_validation(demo_base, tmp_path, damage):
    with store.connect(demo_base) as conn:
        package.write_package(conn, tmp_path / "p", AS_OF, avec_demo=True)
    assert _validate(tmp_path / "p").valid
    harm, expected = DAMAGES[damage]
    harm(tmp_path / "p")
    report = _validate(tmp_path / "p")
    assert not report.valid
    if expected:
        assert expected in {e[1] for e in _errors(report)}, _errors(report)


# --- writing: all or nothing ------------------------------------------------------------------


def test_a_failure_while_writing_leaves_no_half_package(demo_base, tmp_path, monkeypatch):
    real = package._write_csv

    def failing(conn, resource, *args, **kwargs):
        if resource.name == "indicateurs":
            raise OSError("disque plein")
        return real(conn, resource, *args, **kwargs)

    with store.connect(demo_base) as conn:
        package.write_package(conn, tmp_path / "p", date(2018, 1, 1))
        before = {p.name: p.read_bytes() for p in (tmp_path / "p").iterdir()}
        monkeypatch.setattr(package, "_write_csv", failing)
        with pytest.raises(OSError, match="disque plein"):
            package.write_package(conn, tmp_path / "p", AS_OF)
        with pytest.raises(OSError):
            package.write_package(conn, tmp_path / "neuf", AS_OF)
    assert {p.name: p.read_bytes() for p in (tmp_path / "p").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no temporary folder left


def test_a_package_replaces_the_previous_one_but_never_other_files(demo_base, tmp_path):
    target = tmp_path / "p"
    with store.connect(demo_base) as conn:
        package.write_package(conn, target, date(2018, 1, 1))
        written = package.write_package(conn, target, AS_OF, avec_demo=True)
        assert written.rows["valeurs_indicateurs"] > 0
        assert len(_rows(target, "valeurs_indicateurs")) == written.rows["valeurs_indicateurs"]
        (target / "notes.txt").write_text("à garder", encoding="utf-8")
        with pytest.raises(InputError, match="notes.txt"):
            package.write_package(conn, target, AS_OF)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "à garder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_a_folder_that_cannot_be_written_is_refused_in_french(demo_base, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    with store.connect(demo_base) as conn:
        with pytest.raises(InputError, match="Impossible d'écrire dans le dossier"):
            package.write_package(conn, blocker / "paquet", AS_OF)
        with pytest.raises(InputError, match="n'est pas un dossier"):
            package.write_package(conn, blocker, AS_OF)


# --- the zip for the app ------------------------------------------------------------------------


def test_the_zip_holds_the_whole_package_and_validates(demo_base, tmp_path):
    with store.connect(demo_base) as conn:
        data = package.package_zip(conn, User("a", "Admin", "admin"), AS_OF)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(archive.namelist()) == package.package_files()
        archive.extractall(tmp_path / "z")
    report = _validate(tmp_path / "z")
    assert report.valid, _errors(report)
    assert {r["demo"] for r in _rows(tmp_path / "z", "historique_statuts")} == {"false"}


@pytest.mark.parametrize("user", [None, User("l", "L", "lecture"), User("s", "S", "saisie")])
def test_only_an_administrator_gets_the_zip(demo_base, user):
    with store.connect(demo_base) as conn:
        with pytest.raises(PermissionDenied):
            package.package_zip(conn, user, AS_OF)


def test_contents_counts_the_rows_the_package_holds(demo_base, tmp_path):
    with store.connect(demo_base) as conn:
        listed = package.contents(conn, AS_OF, avec_demo=True)
        written = package.write_package(conn, tmp_path / "p", AS_OF, avec_demo=True)
    assert {r["Fichier"]: r["Lignes"] for r in listed} == {
        f"{name}.csv": n for name, n in written.rows.items()
    }
    assert [r["Contenu"] for r in listed] == [r.title for r in schema.RESOURCES]


# --- command line -----------------------------------------------------------------------------


def test_cli_writes_a_valid_package(demo_base, tmp_path, capsys):
    db = tmp_path / "b.duckdb"
    shutil.copy(demo_base, db)
    out = tmp_path / "ouvert"
    argv = ["--db", str(db), "export", "opendata", "-o", str(out), "--as-of", "2022-12-31"]
    assert main([*argv, "--avec-demo"]) == 0
    printed = capsys.readouterr().out
    assert "Paquet de données ouvertes écrit" in printed and "historique_statuts.csv" in printed
    assert _validate(out).valid
    assert "true" in {r["demo"] for r in _rows(out, "historique_statuts")}
    (out / "autre.txt").write_text("x", encoding="utf-8")
    assert main(argv) == 1
    assert "autre.txt" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "opendata", "-o", "{out}", "--format", "csv"],
        ["export", "plan", "-o", "{out}.csv", "--avec-demo"],
        ["export", "opendata"],
        ["export", "opendata", "-o", "{out}", "--as-of", "hier"],
    ],
    ids=["format", "avec_demo_ailleurs", "sans_dossier", "date"],
)
def test_cli_usage_errors_exit_2(demo_base, tmp_path, argv):
    db = tmp_path / "b.duckdb"
    shutil.copy(demo_base, db)
    args = ["--db", str(db), *(a.format(out=tmp_path / "o") for a in argv)]
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    assert code == 2
    assert not (tmp_path / "o").exists()


def test_cli_in_a_fresh_interpreter(demo_base, tmp_path):
    db = tmp_path / "b.duckdb"
    shutil.copy(demo_base, db)
    done = run_cli("--db", str(db), "export", "opendata", "-o", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert _validate(tmp_path / "o").valid


def test_decisions_are_published_as_they_stood_without_named_persons(db_path, tmp_path):
    from ptlcd_data.decisions import records

    today = date(2025, 12, 31)
    with store.connect(db_path) as conn:
        seance = records.open_seance(conn, SYSTEM, date(2025, 3, 1), titre="GOLD", today=today)
        late = records.add_decision(
            conn, SYSTEM, seance, texte="Relancer, « vite »", responsable="MDE",
            echeance=date(2025, 4, 1), action_no=12,
        )  # fmt: skip
        named = records.add_decision(
            conn, SYSTEM, seance, texte="Inviter la CAF", responsable="Mme Durand",
            echeance=date(2025, 9, 1),
        )  # fmt: skip
        records.set_etat(conn, SYSTEM, named, "faite", date_effet=date(2025, 5, 1), today=today)
        package.write_package(conn, tmp_path / "avant", date(2025, 2, 1))
        package.write_package(conn, tmp_path / "apres", date(2025, 6, 1))
    assert _rows(tmp_path / "avant", "decisions") == []
    rows = {int(r["id"]): r for r in _rows(tmp_path / "apres", "decisions")}
    assert (rows[late]["responsable"], rows[late]["etat"], rows[late]["en_retard"]) == (
        "MDE",
        "ouverte",
        "true",
    )
    assert (rows[late]["action_no"], rows[late]["texte"]) == ("12", "Relancer, « vite »")
    assert (rows[named]["responsable"], rows[named]["etat"]) == ("", "faite")
    report = _validate(tmp_path / "apres")
    assert report.valid, _errors(report)
