"""Dépôts à valider (issue 23): what a porteur sends waits, verified, until a coordinator decides."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ptlcd_data import store
from ptlcd_data.access import journal
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, completion
from ptlcd_data.decisions import records as decision_records
from ptlcd_data.depots import drafts, forms, notify, queries, records
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.imports import batches, verify
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.settings import Settings
from ptlcd_data.store.sql import scalar
from ptlcd_data.suivi import status_queries

SAISIE = User("sec", "Secrétariat", "saisie")
ADMIN = User("adm", "Admin", "admin")
LECTURE = User("lec", "Lecteur", "lecture")
MDE = User("mde", "Maison de l'emploi", "porteur", porteurs=("MDE",))
TODAY = date.today()


def _indicator_file(rows: list[tuple[str, str, int, float]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Indicateurs"
    sheet.append(["Code indicateur", "Territoire", "Année", "Valeur"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(conn: store.Connection, code: str = "I4.2.b", annee: int = 2025) -> float | None:
    found = valeurs.current_values(conn, date.max, indicateurs=[code])
    found = found[(found["annee"] == annee) & (found["territoire_code"] == "NM")]
    return None if found.empty else float(found["valeur"].iloc[0])


def _file_depot(conn: store.Connection, value: float = 12.0, user: User = MDE) -> int:
    data = _indicator_file([("I4.2.b", "NM", 2025, value)])
    check = verify.check_file(conn, data, "mde.xlsx", user=user)
    return records.submit_check(conn, user, check, commentaire="Chiffres 2025")


def test_validation_applies_to_porteur_accounts_only_and_can_be_turned_off() -> None:
    on, off = Settings(), Settings(validation=False)
    assert records.applies(on, MDE)
    assert not records.applies(on, SAISIE)
    assert not records.applies(off, MDE)


def test_a_porteur_file_becomes_a_depot_a_valider_and_publishes_nothing(
    conn: store.Connection,
) -> None:
    before = store.revision(conn)
    depot = _file_depot(conn)
    assert _value(conn) is None  # nothing published
    assert store.revision(conn) > before
    row = queries.depots(conn, SAISIE).set_index("id").loc[depot]
    assert (row["porteur"], row["etat"], row["lignes"], row["commentaire"]) == (
        "MDE",
        "a_valider",
        1,
        "Chiffres 2025",
    )
    view = queries.view(conn, SAISIE, depot)
    changes = view.changes()
    assert list(changes["champ"]) == ["Valeur"] and list(changes["nouveau"]) == ["12"]
    assert "dépôt" in set(journal.entries(conn)["operation"])


def test_publishing_writes_one_undoable_batch_authored_by_the_porteur(
    conn: store.Connection,
) -> None:
    depot = _file_depot(conn, 12.0)
    batch = records.publish(conn, SAISIE, depot)
    assert batch is not None and _value(conn) == 12.0
    row = conn.execute(
        "SELECT auteur, valide_par, depot_id FROM import_batch WHERE id = ?", [batch]
    ).fetchone()
    assert row == ("mde", "sec", depot)
    shown = batches.history_view(conn).table.iloc[0]
    assert (shown["Par"], shown["Validé par"]) == ("mde", "sec")
    assert queries.depots(conn, SAISIE).set_index("id").loc[depot, "etat"] == "publie"
    batches.undo(conn, ADMIN, batch)
    assert _value(conn) is None
    with pytest.raises(InputError, match="n'est plus à valider"):
        records.publish(conn, SAISIE, depot)


def test_publication_refuses_when_a_value_it_overwrites_changed_and_says_which(
    conn: store.Connection,
) -> None:
    depot = _file_depot(conn, 12.0)
    valeurs.record_values(conn, SAISIE, [valeurs.ValueRow("I4.2.b", "NM", 2025, 9.0)])
    revision = store.revision(conn)
    with pytest.raises(InputError, match=r"I4\.2\.b · .* · 2025"):
        records.publish(conn, SAISIE, depot)
    assert _value(conn) == 9.0 and store.revision(conn) == revision  # nothing written


def test_a_new_depot_supersedes_the_waiting_one_which_is_kept(conn: store.Connection) -> None:
    first = _file_depot(conn, 12.0)
    second = _file_depot(conn, 13.0)
    table = queries.depots(conn, SAISIE).set_index("id")
    assert table.loc[first, "etat"] == "remplace" and table.loc[first, "remplace_par"] == second
    assert table.loc[second, "etat"] == "a_valider"
    assert list(queries.queue(conn, SAISIE)["id"]) == [second]


def test_return_needs_a_reason_and_the_porteur_sees_it(conn: store.Connection) -> None:
    depot = _file_depot(conn)
    with pytest.raises(InputError, match="obligatoire"):
        records.return_to_porteur(conn, SAISIE, depot, "  ")
    records.return_to_porteur(conn, SAISIE, depot, "La valeur 2025 semble être celle de 2024.")
    mine = queries.porteur_depots(conn, MDE, ("MDE",))
    assert list(mine["etat"]) == ["renvoyé au porteur"]
    assert mine["motif"].iloc[0] == "La valeur 2025 semble être celle de 2024."
    with pytest.raises(InputError, match="n'est plus à valider"):
        records.publish(conn, SAISIE, depot)


def test_the_return_e_mail_is_saved_as_eml_without_a_server(
    conn: store.Connection, db_path: Path
) -> None:
    conn.execute("UPDATE porteur SET email = 'mde@example.org' WHERE code = 'MDE'")
    depot = _file_depot(conn)
    records.return_to_porteur(conn, SAISIE, depot, "Il manque la source.")
    envoi = notify.notify_return(Settings(db_path=db_path), SAISIE, depot)
    assert envoi.statut == "fichier_eml"
    saved = list((db_path.parent / "courriels").glob("*.eml"))
    assert len(saved) == 1 and "Il manque la source." in saved[0].read_text(encoding="utf-8")
    with store.connect(db_path) as again:
        assert "courriel dépôt renvoyé" in set(journal.entries(again)["operation"])


def test_rights_are_checked_at_write_time(conn: store.Connection) -> None:
    depot = _file_depot(conn)
    for who in (MDE, LECTURE):
        with pytest.raises(PermissionDenied):
            records.publish(conn, who, depot)
        with pytest.raises(PermissionDenied):
            records.return_to_porteur(conn, who, depot, "non")
    other = User("v", "Ville", "porteur", porteurs=("VILLE_NANTES",))
    with pytest.raises(PermissionDenied):
        queries.view(conn, other, depot)
    assert queries.depots(conn, other).empty
    # A porteur's file about another porteur's indicator is refused as an import is.
    data = _indicator_file([("I4.2.b", "NM", 2025, 3.0)])
    check = verify.check_file(conn, data, "autre.xlsx", user=other)
    assert not check.ok
    with pytest.raises(InputError):
        records.submit_check(conn, other, check)


def test_forms_prepare_a_depot_verified_as_an_import_then_sent(conn: store.Connection) -> None:
    lines = [
        forms.status_line(19, TODAY, "En cours", 40, "Deux sessions faites"),
        forms.value_line("I4.2.b", "NM", 2025, 7.0, "Bilan MDE", None),
    ]
    draft = drafts.add_lines(conn, MDE, "MDE", lines)
    # The same key again replaces the line.
    drafts.add_lines(conn, MDE, "MDE", [forms.value_line("I4.2.b", "NM", 2025, 8.0, None, None)])
    found, kept = queries.draft(conn, MDE, "MDE")
    assert found == draft and len(kept) == 2
    with pytest.raises(drafts.DraftRefused, match="Statut inconnu"):
        drafts.add_lines(conn, MDE, "MDE", [forms.status_line(19, TODAY, "Fini ?", None, None)])
    with pytest.raises(InputError):  # action 1 is not the MDE's
        drafts.add_lines(conn, MDE, "MDE", [forms.status_line(1, TODAY, "En cours", 10, None)])
    assert drafts.send_draft(conn, MDE, draft, "Voici") == draft
    assert queries.draft(conn, MDE, "MDE") == (None, [])
    assert status_queries.action_state(conn, 19, TODAY)["avancement"] != 40  # not published
    records.publish(conn, SAISIE, draft)
    assert _value(conn) == 8.0
    assert status_queries.action_state(conn, 19, TODAY)["avancement"] == 40


def test_a_new_draft_starts_from_the_returned_depot_so_sending_again_loses_nothing(
    conn: store.Connection,
) -> None:
    lines = [
        forms.status_line(19, TODAY, "En cours", 40, None),
        forms.value_line("I4.2.b", "NM", 2025, 7.0, None, None),
    ]
    first = drafts.send_draft(conn, MDE, drafts.add_lines(conn, MDE, "MDE", lines))
    records.return_to_porteur(conn, SAISIE, first, "La valeur est en %, pas en nombre.")
    second = drafts.add_lines(
        conn, MDE, "MDE", [forms.value_line("I4.2.b", "NM", 2025, 70.0, None, None)]
    )
    assert second != first
    _, kept = queries.draft(conn, MDE, "MDE")
    assert {line.genre for line in kept} == {"avancement", "indicateurs"}
    drafts.send_draft(conn, MDE, second)
    records.publish(conn, SAISIE, second)
    assert _value(conn) == 70.0


def test_a_sent_depot_counts_as_a_reply_and_fills_the_campaign_column(
    conn: store.Connection,
) -> None:
    campaign = campaigns.open_campaign(conn, ADMIN, "Suivi 2025", date(2026, 12, 20), 2025)
    _file_depot(conn)
    row = completion.completion(conn, campaign.id).set_index("porteur").loc["MDE"]
    assert row["indicateurs_fournis"] == 1 and row["depots_a_valider"] == 1
    assert scalar(conn, "SELECT campagne_id FROM depot") == campaign.id


def test_a_porteur_says_a_decision_done_through_a_depot(conn: store.Connection) -> None:
    seance = decision_records.open_seance(conn, SAISIE, TODAY, titre="GOLD")
    decision = decision_records.add_decision(
        conn, SAISIE, seance, texte="Envoyer le bilan", responsable="MDE", echeance=TODAY
    )
    draft = drafts.add_lines(conn, MDE, "MDE", [forms.decision_line(decision, "Envoyé")])
    drafts.send_draft(conn, MDE, draft)
    state = "SELECT etat FROM decision_etat WHERE decision_id = ? ORDER BY id DESC LIMIT 1"
    assert scalar(conn, state, [decision]) == "ouverte"
    records.publish(conn, SAISIE, draft)
    assert scalar(conn, state, [decision]) == "faite"
    author = "SELECT auteur FROM decision_etat WHERE decision_id = ? ORDER BY id DESC LIMIT 1"
    assert scalar(conn, author, [decision]) == "mde"


def test_a_sent_depot_never_changes(conn: store.Connection) -> None:
    draft = drafts.add_lines(
        conn, MDE, "MDE", [forms.value_line("I4.2.b", "NM", 2025, 7.0, None, None)]
    )
    drafts.send_draft(conn, MDE, draft)
    with pytest.raises(InputError, match="déjà envoyé"):
        drafts.remove_line(conn, MDE, draft, "indicateurs", "I4.2.b|NM|2025")
    with pytest.raises(InputError, match="déjà envoyé"):
        drafts.send_draft(conn, MDE, draft)
    assert list(queries.depots(conn, SAISIE)["etat"]) == ["a_valider"]


def test_after_publication_a_new_draft_starts_empty_and_nothing_old_comes_back(
    conn: store.Connection,
) -> None:
    line = forms.value_line("I4.2.b", "NM", 2025, 5.0, None, None)
    first = drafts.send_draft(conn, MDE, drafts.add_lines(conn, MDE, "MDE", [line]))
    records.return_to_porteur(conn, SAISIE, first, "Non")
    second = drafts.reopen(conn, MDE, first)
    drafts.add_lines(conn, MDE, "MDE", [forms.value_line("I4.2.b", "NM", 2025, 7.0, None, None)])
    drafts.send_draft(conn, MDE, second)
    records.publish(conn, SAISIE, second)
    with pytest.raises(InputError, match="plus récent"):
        drafts.reopen(conn, MDE, first)
    third = drafts.add_lines(conn, MDE, "MDE", [forms.status_line(19, TODAY, "En cours", 10, None)])
    _, kept = queries.draft(conn, MDE, "MDE")
    assert third not in (first, second) and [line.genre for line in kept] == ["avancement"]
    assert queries.porteur_depots(conn, MDE, ("MDE",))["etat"].iloc[0] == "publié"


def test_a_form_depot_is_no_campaign_workbook_it_publishes_only_its_changes(
    conn: store.Connection,
) -> None:
    campaign = campaigns.open_campaign(conn, ADMIN, "Suivi 2025", date(2026, 12, 20), 2025)
    valeurs.record_values(conn, SAISIE, [valeurs.ValueRow("I4.2.c", "NM", 2025, 3.0)])
    lines = [
        forms.value_line("I4.2.b", "NM", 2025, 5.0, None, None),
        forms.value_line("I4.2.c", "NM", 2025, 3.0, None, None),  # unchanged
    ]
    depot = drafts.send_draft(conn, MDE, drafts.add_lines(conn, MDE, "MDE", lines))
    campaigns.close_campaign(conn, ADMIN, campaign.id)  # closed before the coordinator decides
    batch = records.publish(conn, SAISIE, depot)
    counts = "SELECT nb_crees, nb_modifies, nb_confirmes FROM import_batch WHERE id = ?"
    assert conn.execute(counts, [batch]).fetchone() == (1, 0, 0)


def test_a_decision_already_done_does_not_block_the_publication(conn: store.Connection) -> None:
    seance = decision_records.open_seance(conn, SAISIE, TODAY, titre="GOLD")
    decision = decision_records.add_decision(
        conn, SAISIE, seance, texte="Envoyer le bilan", responsable="MDE", echeance=TODAY
    )
    lines = [
        forms.decision_line(decision, "Envoyé"),
        forms.value_line("I4.2.b", "NM", 2025, 5.0, None, None),
    ]
    depot = drafts.send_draft(conn, MDE, drafts.add_lines(conn, MDE, "MDE", lines))
    decision_records.set_etat(conn, SAISIE, decision, "faite")  # the GOLD said it first
    assert records.publish(conn, SAISIE, depot) is not None
    assert _value(conn) == 5.0


def test_undoing_a_published_depot_s_batch_withdraws_the_depot_and_its_reply(
    conn: store.Connection,
) -> None:
    campaign = campaigns.open_campaign(conn, ADMIN, "Suivi 2025", date(2026, 12, 20), 2025)
    batch = records.publish(conn, SAISIE, _file_depot(conn))
    assert batch is not None
    batches.undo(conn, ADMIN, batch)
    assert list(queries.depots(conn, SAISIE)["etat"]) == ["annule"]
    row = completion.completion(conn, campaign.id).set_index("porteur").loc["MDE"]
    assert row["indicateurs_fournis"] == 0


def test_a_depot_that_must_not_supersede_waits_beside_the_porteurs_own(
    conn: store.Connection,
) -> None:
    own = _file_depot(conn, 12.0)
    data = _indicator_file([("I4.2.b", "NM", 2025, 99.0)])
    check = verify.check_file(conn, data, "inconnu.xlsx", user=MDE)
    other = records.submit_check(conn, MDE, check, origine="courriel", supersede=False)
    assert list(queries.queue(conn, SAISIE)["id"]) == [own, other]


def test_a_porteur_account_without_porteur_sees_no_depot(conn: store.Connection) -> None:
    _file_depot(conn)
    nobody = User("x", "Sans porteur", "porteur", porteurs=())
    assert queries.depots(conn, nobody).empty
