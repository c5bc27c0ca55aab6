"""Follow-up campaigns: opening and closing, each porteur's workbook, returns, completion."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.campagnes import campaigns, completion, relances, returns, workbooks
from ptlcd_data.classeurs import problems
from ptlcd_data.classeurs.reader import FileRefused
from ptlcd_data.demo import large as demo_large
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.imports import batches, hooks, stamp, template, verify
from ptlcd_data.plan import porteurs
from ptlcd_data.suivi import status_queries
from ptlcd_data.synthese import model
from ptlcd_data.vocabulary import SOURCE_CONFIRMATION
from tests.helpers import MINI_PLAN, ROOT, run_cli
from tests.helpers import import_files as f
from tests.helpers.databases import Templates

ADMIN = auth.User("admin", "Admin", "admin")
AGENT = auth.User("agent", "Agent", "saisie")
SOON = date.today() + timedelta(days=20)


@dataclass(frozen=True)
class PorteurUser(auth.User):
    """An account acting for porteurs (the porteur role gives accounts their codes)."""

    porteurs: tuple[str, ...] = ()


def _open(conn, **kwargs):
    return campaigns.open_campaign(conn, ADMIN, "Suivi 2025", SOON, **kwargs)


def _rate(conn, campaign_id, code):
    table = completion.completion(conn, campaign_id).set_index("porteur")
    return int(table.loc[code, "taux_reponse"])


def _publish(conn, data, name, user=AGENT, **kwargs):
    check = verify.check_file(conn, data, name, **kwargs)
    assert check.ok, check.errors.to_dict("records")
    return check, batches.publish(conn, user, check)


# -- opening and closing -------------------------------------------------------------------------


def test_open_defaults_to_the_last_complete_year_and_is_journaled(mini_conn):
    before = store.revision(mini_conn)
    c = _open(mini_conn)
    assert (c.nom, c.annee, c.echeance, c.is_open) == (
        "Suivi 2025",
        template.default_year(),
        SOON,
        True,
    )
    assert store.revision(mini_conn) == before + 1
    entry = journal.entries(mini_conn, operation="campagne").iloc[0]
    assert entry["objet"] == f"campagne {c.id}" and "ouverte" in entry["nouveau"]
    assert campaigns.current(mini_conn) == c


@pytest.mark.parametrize(
    ("user", "nom", "echeance", "message"),
    [
        (ADMIN, "  ", SOON, "nom de la campagne est vide"),
        (ADMIN, "Suivi", date.today() - timedelta(days=1), "est passée"),
        (AGENT, "Suivi", SOON, "admin"),
        (None, "Suivi", SOON, "connecté"),
    ],
)
def test_a_refused_opening_writes_nothing(mini_conn, user, nom, echeance, message):
    before = store.revision(mini_conn)
    with pytest.raises((InputError, PermissionDenied), match=message):
        campaigns.open_campaign(mini_conn, user, nom, echeance)
    assert campaigns.campaigns(mini_conn) == []
    assert store.revision(mini_conn) == before


def test_one_campaign_is_open_at_a_time(mini_conn):
    first = _open(mini_conn)
    with pytest.raises(InputError, match="encore ouverte"):
        _open(mini_conn)
    closed = campaigns.close_campaign(mini_conn, ADMIN, first.id)
    assert not closed.is_open and closed.close_par == "admin"
    with pytest.raises(InputError, match="déjà close"):
        campaigns.close_campaign(mini_conn, ADMIN, first.id)
    with pytest.raises(PermissionDenied):
        campaigns.close_campaign(mini_conn, AGENT, first.id)
    second = _open(mini_conn, annee=2024)
    assert [c.id for c in campaigns.campaigns(mini_conn)] == [second.id, first.id]
    assert campaigns.of_year(mini_conn, 2024) == second


# -- workbooks -----------------------------------------------------------------------------------


def test_each_porteur_gets_the_template_prefilled_with_its_rows(mini_conn, tmp_path):
    c = _open(mini_conn)
    paths = workbooks.write_workbooks(mini_conn, c.id, tmp_path)
    assert sorted(p.name for p in paths) == ["AGGLO_EGALITE.xlsx", "MDE.xlsx", "UNIV.xlsx"]
    plain = load_workbook(io.BytesIO(template.workbook(mini_conn, c.annee)))
    wb = load_workbook(tmp_path / "MDE.xlsx")
    assert wb.sheetnames == [*plain.sheetnames, stamp.STAMP_SHEET]
    assert wb[stamp.STAMP_SHEET].sheet_state == "hidden"
    av = wb["Avancement"]
    header = [cell.value for cell in av[1]]
    assert header == [*f.AV_HEADER, *workbooks.CONTEXT_AVANCEMENT]
    assert [cell.value for cell in av[2]][:1] == [3]  # MDE carries action 3 only
    assert av.cell(3, 1).value is None
    assert av[2][5].value == "Former les recruteurs"
    ind = wb["Indicateurs"]
    assert [cell.value for cell in ind[1]] == f.IND_HEADER
    codes = {ind.cell(r, 1).value for r in range(2, ind.max_row + 1)} - {None}
    assert codes == {"E1"} and ind.cell(2, 4).value == c.annee
    # Drop-downs kept; header, context columns and Référentiel protected; own columns open.
    assert {dv.formula1 for dv in av.data_validations.dataValidation} >= {
        dv.formula1 for dv in plain["Avancement"].data_validations.dataValidation
    }
    assert av.protection.sheet and wb[template.REFERENTIEL].protection.sheet
    assert av["A1"].protection.locked and av["F2"].protection.locked
    assert not av["A2"].protection.locked and not av["E500"].protection.locked


def test_univ_workbook_repeats_the_current_record(mini_conn):
    c = _open(mini_conn)
    wb = load_workbook(io.BytesIO(workbooks.workbook_bytes(mini_conn, c.id, "UNIV")))
    row = [cell.value for cell in wb["Avancement"][2]][:5]
    state = status_queries.action_state(mini_conn, 2, date.today())
    assert row[0] == 2 and row[2] == state["statut"] and row[4] == state["commentaire"]


def test_workbooks_of_the_demo_data_one_per_porteur_asked(demo_conn):
    c = _open(demo_conn)
    with zipfile.ZipFile(io.BytesIO(workbooks.workbooks_zip(demo_conn, c.id))) as zf:
        names = zf.namelist()
        assert names == [
            f"{code}.xlsx" for code in porteurs.porteurs_with_items(demo_conn)["porteur"]
        ]
        assert "MDE.xlsx" in names and len(names) >= 5
        mde = load_workbook(io.BytesIO(zf.read("MDE.xlsx")))
    av_actions = {r[0].value for r in mde["Avancement"].iter_rows(min_row=2)} - {None}
    actions = porteurs.carried_actions(demo_conn)
    assert av_actions == set(actions.loc[actions["porteur"] == "MDE", "action_no"])


def test_no_workbook_for_an_unknown_porteur_or_a_closed_campaign(mini_conn):
    c = _open(mini_conn)
    with pytest.raises(InputError, match="Porteur « NOPE » inconnu"):
        workbooks.workbook_bytes(mini_conn, c.id, "NOPE")
    campaigns.close_campaign(mini_conn, ADMIN, c.id)
    with pytest.raises(InputError, match="close"):
        workbooks.workbook_bytes(mini_conn, c.id, "MDE")
    with pytest.raises(InputError, match="n'existe pas"):
        workbooks.workbook_bytes(mini_conn, 99, "MDE")


# -- returns -------------------------------------------------------------------------------------


def _filled_mde(data: bytes) -> bytes:
    """MDE's workbook filled in: action 3 now « En cours », E1's values for every territory."""
    wb = load_workbook(io.BytesIO(data))
    av = wb["Avancement"]
    av["B2"] = date.today()
    av["C2"] = "En cours"
    av["D2"] = 40
    av["E2"] = "Deux sessions faites"
    ind = wb["Indicateurs"]
    for r in range(2, ind.max_row + 1):
        if ind.cell(r, 1).value == "E1":
            ind.cell(r, 5).value = 10 + r
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.skipif(f.SOFFICE is None, reason="LibreOffice absent")
def test_a_libreoffice_resaved_workbook_takes_the_reply_rate_from_0_to_100(mini_conn, tmp_path):
    c = _open(mini_conn)
    assert _rate(mini_conn, c.id, "MDE") == 0
    source = tmp_path / "rempli" / "MDE.xlsx"
    source.parent.mkdir()
    source.write_bytes(_filled_mde(workbooks.workbook_bytes(mini_conn, c.id, "MDE")))
    out = tmp_path / "libreoffice"
    out.mkdir()
    f.soffice_convert([source], "xlsx", out)
    resaved = (out / "MDE.xlsx").read_bytes()
    assert resaved != source.read_bytes()
    check, batch_id = _publish(mini_conn, resaved, "MDE.xlsx")
    assert (check.campagne_id, check.porteur_code) == (c.id, "MDE")
    assert batch_id is not None
    row = mini_conn.execute(
        "SELECT campagne_id, porteur_code FROM import_batch WHERE id = ?", [batch_id]
    ).fetchone()
    assert row == (c.id, "MDE")
    table = completion.completion(mini_conn, c.id).set_index("porteur")
    assert table.loc["MDE", ["actions_a_jour", "indicateurs_fournis", "taux_reponse"]].tolist() == [
        1,
        1,
        100,
    ]
    assert table.loc["UNIV", "taux_reponse"] == 0
    assert completion.missing(mini_conn, c.id, "MDE").empty
    assert status_queries.action_state(mini_conn, 3, date.today())["statut"] == "En cours"


def test_an_unchanged_row_is_a_confirmation_counted_and_shown(mini_conn):
    c = _open(mini_conn)
    data = workbooks.workbook_bytes(mini_conn, c.id, "UNIV")
    check, batch_id = _publish(mini_conn, data, "UNIV.xlsx")
    assert check.changes_count() == 0 and check.confirmations_count() == 1
    assert batch_id is not None
    history = status_queries.status_history(mini_conn, 2, date.today())
    assert history.iloc[0]["source"] == SOURCE_CONFIRMATION == "confirmé sans changement"
    assert history.iloc[0]["statut"] == history.iloc[1]["statut"]
    assert _rate(mini_conn, c.id, "UNIV") == 100
    assert (
        completion.completion(mini_conn, c.id).set_index("porteur").loc["UNIV", "derniere_reponse"]
        >= c.ouverte_le
    )
    # The same workbook again: already answered, nothing to publish.
    again, second = _publish(mini_conn, data, "UNIV.xlsx")
    assert again.confirmations_count() == 0 and second is None
    # Undone, the confirmation goes and the reply with it.
    batches.undo(mini_conn, ADMIN, batch_id)
    assert _rate(mini_conn, c.id, "UNIV") == 0


def test_outside_a_campaign_the_same_rows_change_nothing(mini_conn):
    c = _open(mini_conn)
    data = workbooks.workbook_bytes(mini_conn, c.id, "UNIV")
    wb = load_workbook(io.BytesIO(data))
    del wb[stamp.STAMP_SHEET]  # the template's rows alone, as any staff file
    buf = io.BytesIO()
    wb.save(buf)
    check, batch_id = _publish(mini_conn, buf.getvalue(), "suivi.xlsx")
    assert check.campagne_id is None and check.counts()["inchangés"] == 1
    assert batch_id is None


def _state(conn):
    return {**f.state(conn), "campagnes": len(campaigns.campaigns(conn))}


def test_a_workbook_of_a_closed_or_other_campaign_is_refused_whole(mini_conn):
    first = _open(mini_conn)
    old = _filled_mde(workbooks.workbook_bytes(mini_conn, first.id, "MDE"))
    campaigns.close_campaign(mini_conn, ADMIN, first.id)
    second = _open(mini_conn)
    before = _state(mini_conn)
    with pytest.raises(FileRefused, match="close le .* n'est plus accepté"):
        verify.check_file(mini_conn, old, "MDE.xlsx")
    current = _filled_mde(workbooks.workbook_bytes(mini_conn, second.id, "MDE"))
    with pytest.raises(FileRefused, match="pas de la campagne n° 99"):
        verify.check_file(mini_conn, current, "MDE.xlsx", campagne_id=99)
    assert _state(mini_conn) == before


def test_a_campaign_closed_after_verifier_publishes_nothing(mini_conn):
    c = _open(mini_conn)
    check = verify.check_file(
        mini_conn, _filled_mde(workbooks.workbook_bytes(mini_conn, c.id, "MDE")), "MDE.xlsx"
    )
    campaigns.close_campaign(mini_conn, ADMIN, c.id)
    before = _state(mini_conn)
    with pytest.raises(InputError, match="close depuis la vérification"):
        batches.publish(mini_conn, AGENT, check)
    assert _state(mini_conn) == before


def test_rows_of_another_porteur_are_errors_naming_sheet_row_and_action(mini_conn):
    c = _open(mini_conn)
    wb = load_workbook(io.BytesIO(workbooks.workbook_bytes(mini_conn, c.id, "MDE")))
    for column, value in zip(
        "ABCDE", [2, date.today(), "En cours", 10, "pas le mien"], strict=True
    ):
        wb["Avancement"][f"{column}3"] = value
    ind = wb["Indicateurs"]
    territoire = ind.cell(2, 3).value
    ind.append(["M1", None, territoire, c.annee, 5])  # M1 is supplied by Agglo, not MDE
    buf = io.BytesIO()
    wb.save(buf)
    before = _state(mini_conn)
    check = verify.check_file(mini_conn, buf.getvalue(), "MDE.xlsx")
    assert not check.ok
    err = check.errors.iloc[0]
    assert (err["feuille"], err["ligne"]) == ("Avancement", 3)
    # The pronoun agrees: an action is « la sienne », an indicator « le sien ».
    assert "l'action n° 2 n'est pas la sienne." in err["message"]
    messages = list(check.errors["message"])
    assert any("l'indicateur M1 n'est pas le sien." in m for m in messages), messages
    # Staff see the column as a porteur account does (`check_scope`): its letter and header.
    assert (err["colonne"], err["entete"]) == ("A", "N° action")
    assert problems.format_problem(err.to_dict()).startswith(
        "Erreur — Avancement, ligne 3, colonne A (N° action) : « 2 » — Ce classeur est celui"
    )
    indicator = check.errors[check.errors["feuille"] == "Indicateurs"].iloc[0]
    assert (indicator["colonne"], indicator["entete"]) == ("A", "Code indicateur")
    with pytest.raises(InputError, match="erreur"):
        batches.publish(mini_conn, AGENT, check)
    assert _state(mini_conn) == before


def test_a_porteur_account_cannot_return_another_porteurs_workbook(mini_conn):
    c = _open(mini_conn)
    data = workbooks.workbook_bytes(mini_conn, c.id, "MDE")
    univ = PorteurUser("univ", "Université", "saisie", porteurs=("UNIV",))
    with pytest.raises(FileRefused, match=r"celui de Maison de l'emploi \(MDE\), pas le vôtre"):
        verify.check_file(mini_conn, data, "MDE.xlsx", user=univ)
    mde = PorteurUser("mde", "MDE", "saisie", porteurs=("MDE",))
    assert verify.check_file(mini_conn, data, "MDE.xlsx", user=mde).porteur_code == "MDE"


def test_a_stamp_naming_an_unknown_porteur_is_refused(mini_conn):
    c = _open(mini_conn)
    wb = load_workbook(io.BytesIO(workbooks.workbook_bytes(mini_conn, c.id, "MDE")))
    wb[stamp.STAMP_SHEET]["B3"] = "INCONNU"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(FileRefused, match="porteur « INCONNU » inconnu"):
        verify.check_file(mini_conn, buf.getvalue(), "MDE.xlsx")


# -- the campaign checks, plugged into imports (fail closed) ---------------------------------------


def test_importing_campagnes_returns_plugs_its_checks_into_imports():
    assert hooks.plugged() is returns.RETURNS


def test_without_the_campaign_checks_a_campaign_workbook_is_refused_whole(mini_conn, monkeypatch):
    """Fail closed: with nothing plugged into `imports.hooks`, a stamped workbook is refused at
    Vérifier, and a check made before (with the checks) is refused at Publier; nothing is
    written, and the same rows without the stamp still read as a plain file."""
    c = _open(mini_conn)
    data = _filled_mde(workbooks.workbook_bytes(mini_conn, c.id, "MDE"))
    checked = verify.check_file(mini_conn, data, "MDE.xlsx")
    assert checked.ok and checked.campagne_id == c.id
    monkeypatch.setattr(hooks, "_plugged", None)
    before = _state(mini_conn)
    for user in (AGENT, PorteurUser("mde", "MDE", "saisie", porteurs=("MDE",))):
        with pytest.raises(FileRefused, match="classeur de campagne de suivi.*rien n'est publié"):
            verify.check_file(mini_conn, data, "MDE.xlsx", user=user)
    with pytest.raises(FileRefused, match="contrôles des campagnes ne sont pas chargés"):
        batches.publish(mini_conn, AGENT, checked)
    assert _state(mini_conn) == before
    wb = load_workbook(io.BytesIO(data))
    del wb[stamp.STAMP_SHEET]
    buf = io.BytesIO()
    wb.save(buf)
    assert verify.check_file(mini_conn, buf.getvalue(), "MDE.xlsx").campagne_id is None


def test_every_entry_point_that_reads_files_plugs_the_campaign_checks():
    """The command line (a fresh process) and the import page load `campagnes.returns`."""
    code = (
        "import ptlcd_data.cli\n"
        "from ptlcd_data.imports import hooks\n"
        "print(type(hooks.plugged()).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "Returns"
    page = (ROOT / "app_pages" / "import_donnees.py").read_text(encoding="utf-8")
    assert "\nimport ptlcd_data.campagnes.returns  # noqa: F401" in page


# -- completion, reminders, summary --------------------------------------------------------------


def test_completion_lists_every_porteur_asked_with_the_status_columns(mini_conn):
    c = _open(mini_conn)
    table = completion.completion(mini_conn, c.id)
    assert list(table.columns) == completion.STATUS_COLUMNS
    assert table["porteur"].tolist() == ["AGGLO_EGALITE", "UNIV", "MDE"]
    assert table["taux_reponse"].tolist() == [0, 0, 0]
    assert table.set_index("porteur").loc["MDE", ["actions_dues", "indicateurs_dus"]].tolist() == [
        1,
        1,
    ]
    missing = completion.missing(mini_conn, c.id, "MDE")
    assert missing[["objet", "cle"]].values.tolist() == [["action", "3"], ["indicateur", "E1"]]
    by_day = completion.replies_by_day(mini_conn, c.id)
    assert by_day["jour"].iloc[-1].date() == SOON and by_day["taux"].max() == 0


def test_a_recorded_reminder_shows_in_the_status(mini_conn):
    c = _open(mini_conn)
    sent = datetime(2026, 1, 2, 9, 30)
    relances.record_reminder(mini_conn, ADMIN, c.id, "MDE", detail="contact@mde", when=sent)
    relances.record_reminder(mini_conn, ADMIN, c.id, "UNIV", "sans adresse")
    table = completion.completion(mini_conn, c.id).set_index("porteur")
    assert table.loc["MDE", "relance_le"] == sent
    assert table["relance_le"].isna()[["UNIV", "AGGLO_EGALITE"]].all()
    assert journal.entries(mini_conn, operation="relance").shape[0] == 2
    with pytest.raises(PermissionDenied):
        relances.record_reminder(mini_conn, AGENT, c.id, "MDE")
    with pytest.raises(InputError, match="Porteur inconnu"):
        relances.record_reminder(mini_conn, ADMIN, c.id, "NOPE")


def test_the_annual_summary_states_the_reply_rate(mini_conn):
    year = date.today().year - 1
    s = model.synthese_annuelle(mini_conn, year)
    assert (
        f"Aucune campagne de suivi n'a demandé aux porteurs les informations de {year}"
        in (model.resume(s)[-1])
    )
    c = _open(mini_conn, annee=year)
    _publish(mini_conn, workbooks.workbook_bytes(mini_conn, c.id, "UNIV"), "UNIV.xlsx")
    line = model.resume(model.synthese_annuelle(mini_conn, year))[-1]
    # UNIV answered 1 of the 5 items asked (3 actions, 2 indicators).
    assert "taux de réponse des porteurs 20\u202f%" in line and "1 réponse(s) sur 5" in line


def test_large_demo_indicators_are_supplied_by_porteurs(mini_conn):
    with store.transaction(mini_conn):
        demo_large.generate_large(
            mini_conn, demo_large.Scale(territoires=5, indicateurs=9, years=1)
        )
    supplied = mini_conn.execute(
        "SELECT count(*), count(fournisseur) FROM indicateur WHERE demo"
    ).fetchone()
    assert supplied[0] > 0 and supplied[0] == supplied[1]


# -- command line --------------------------------------------------------------------------------


@pytest.fixture
def mini_db(tmp_path: Path, templates: Templates) -> Path:
    return templates.copy("mini", tmp_path / "mini.duckdb")


def _cli(db, *args):
    return run_cli("--db", str(db), "--data", str(MINI_PLAN), "campaign", *args)


def test_cli_campaign_open_list_workbooks_status_close(mini_db, tmp_path):
    opened = _cli(mini_db, "open", "Suivi 2025", "--deadline", SOON.strftime("%d/%m/%Y"))
    assert opened.returncode == 0, opened.stderr
    campaign_id = opened.stdout.strip()
    assert campaign_id.isdigit()
    listed = _cli(mini_db, "list")
    assert "Suivi 2025" in listed.stdout and "ouverte" in listed.stdout
    out = tmp_path / "classeurs"
    done = _cli(mini_db, "workbooks", campaign_id, "-o", str(out))
    assert done.returncode == 0 and "3 classeur(s)" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["AGGLO_EGALITE.xlsx", "MDE.xlsx", "UNIV.xlsx"]
    status = _cli(mini_db, "status", campaign_id)
    assert status.stdout.splitlines()[0].split("\t") == completion.STATUS_COLUMNS
    csv_path = tmp_path / "etat.csv"
    written = _cli(mini_db, "status", campaign_id, "--format", "csv", "-o", str(csv_path))
    assert written.returncode == 0
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(completion.STATUS_COLUMNS)
    assert _cli(mini_db, "close", campaign_id).returncode == 0
    assert "close le" in _cli(mini_db, "list").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("open", "Suivi", "--deadline", "01/01/2020"), 1, "est passée"),
        (("open", "", "--deadline", SOON.isoformat()), 1, "est vide"),
        (("open", "Suivi"), 2, "--deadline"),
        (("open", "Suivi", "--deadline", "demain"), 2, "invalide"),
        (("close", "7"), 1, "n'existe pas"),
        (("close", "sept"), 2, "invalide"),
        (("workbooks", "7", "-o", "x"), 1, "n'existe pas"),
    ],
)
def test_cli_campaign_refusals_write_nothing(mini_db, args, code, message):
    result = _cli(mini_db, *args)
    assert result.returncode == code
    assert message in result.stderr
    with store.connect(mini_db) as conn:
        assert campaigns.campaigns(conn) == []


def test_cli_import_of_a_campaign_workbook(mini_db, tmp_path):
    with store.connect(mini_db) as conn:
        c = _open(conn)
        data = workbooks.workbook_bytes(conn, c.id, "UNIV")
    path = tmp_path / "UNIV.xlsx"
    path.write_bytes(data)
    cli = ("--db", str(mini_db), "--data", str(MINI_PLAN), "import", str(path))
    first = run_cli(*cli)
    assert first.returncode == 0, first.stderr
    assert "porteur UNIV : 1 confirmation(s) sans changement" in first.stdout
    assert "Lot n° 1 publié" in first.stdout
    again = run_cli(*cli)
    assert again.returncode == 0 and "Rien à publier" in again.stdout
    assert _cli(mini_db, "close", str(c.id)).returncode == 0
    closed = run_cli(*cli)
    assert closed.returncode == 1 and "n'est plus accepté" in closed.stderr
