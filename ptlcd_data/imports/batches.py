"""Publier, the history of import batches, and their undo.

A batch is one transaction: the import_batch row, the appended records, the journal line. Indicator
values are append-only: an undo appends the values that were current before the batch (or a
`supprime` record where there was none). Status and engagement records added by a batch carry its
`import_id`; undoing it removes them (their content stays in the journal and the undo's report),
so that every reader of those tables sees the state from before the batch without knowing
about undos.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from ptlcd_data import formats, store
from ptlcd_data.access import auth, journal
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.imports import check_scope, hooks
from ptlcd_data.imports.verify import DIFFS, PARSED, Check
from ptlcd_data.plan import porteurs
from ptlcd_data.store import Connection, backups
from ptlcd_data.store.sql import BY_RECORDING, latest, one_row

# The report stored with a batch keeps at most this many remarks (a batch has no errors).
REPORT_MAX_PROBLEMS = 5_000
SOURCE_IMPORT = "import"


def publish(conn: Connection, user: auth.User, check: Check, *, backup_keep: int = 0) -> int | None:
    """Publish a checked file in one transaction. Returns the batch id, or None if nothing changes.

    The diff is computed again inside the transaction, so a batch published after another one
    applies to the values current at that moment. With `backup_keep`, a copy of the whole
    database is taken first (the last `backup_keep` copies are kept). A porteur account publishes
    only rows about its own actions and indicators, checked again on the rows being written.
    """
    auth.require(user, "porteur")
    # A porteur account's scope (its own actions and indicators) is checked here, at write time.
    _check_scope(conn, user, check.diff)
    if not check.ok:
        raise InputError(
            f"Le fichier « {check.fichier} » contient {len(check.errors)} erreur(s) : rien n'est "
            "publié. Corrigez-les puis vérifiez de nouveau."
        )
    now = datetime.now()
    backups.before_write(conn, "avant-publication", backup_keep)
    try:
        with store.transaction(conn):
            return _publish(conn, user, check, now)
    except _NothingToPublish:
        return None  # rolled back: no batch, and the revision is unchanged


def _check_scope(conn: Connection, user: auth.User, diffs: dict[str, Any]) -> None:
    """PermissionDenied naming the sheet, row and action or indicator of the rows a porteur
    account may not write (nothing for staff)."""
    limits = porteurs.scope_of(conn, user)
    if limits is None:
        return
    refused = check_scope.refusal(conn, limits, diffs)
    if refused:
        raise PermissionDenied(refused, "Import refusé")


class _NothingToPublish(Exception):
    """Raised inside the transaction to roll it back when no value changes."""


@dataclass(frozen=True)
class Validated:
    """A dépôt published by a coordinator: the porteur account that sent it is the author of
    the batch and of its records; the coordinator publishing it is its validator."""

    depot_id: int
    author: str  # login of the account that sent the dépôt


def write_validated(
    conn: Connection, validator: auth.User, check: Check, validated: Validated
) -> int | None:
    """Publish a dépôt's check inside the caller's transaction (`depots` holds it, with the
    dépôt's own state change); None when it changes and confirms nothing. The caller has checked
    that `check.diff` is still what publishing writes (nothing it overwrites changed)."""
    try:
        return _publish(conn, validator, check, datetime.now(), validated)
    except _NothingToPublish:
        return None


def _publish(
    conn: Connection,
    user: auth.User,
    check: Check,
    now: datetime,
    validated: Validated | None = None,
) -> int:
    # Unchanged revision: nothing was written since Vérifier, its comparison still holds.
    diffs = check.diff if store.revision(conn) == check.revision else _rediff(conn, check)
    _check_scope(conn, user, diffs)  # at write time, on the very rows written
    author = validated.author if validated is not None else user.login
    # Each sheet's counts once: they make the batch's totals and its report.
    per_sheet = {kind: _etats(conn, table) for kind, table in diffs.items()}
    counts = {e: 0 for e in ("créé", "modifié", "inchangé", "ignoré")}
    for etats in per_sheet.values():
        for etat, n in etats.items():
            counts[etat] += n
    confirmed: dict[str, Any] = {}
    returns = None
    if check.campagne_id is not None:  # a campaign workbook: its checks again (`hooks`)
        returns = hooks.campaign_returns(check.fichier)
        returns.check_still_open(conn, check.campagne_id, check.fichier)
        # Computed again here: another batch may have answered the same items since Vérifier.
        confirmed = returns.confirmations(conn, check.campagne_id, diffs)
    n_confirmed = sum(t.num_rows for t in confirmed.values())
    if counts["créé"] + counts["modifié"] + n_confirmed == 0:
        raise _NothingToPublish
    row = one_row(conn, "SELECT nextval('import_batch_id')")
    assert row is not None
    batch_id = int(row[0])
    report = {
        "type": check.kind,
        "feuilles": per_sheet,
        "remarques": check.problems.head(REPORT_MAX_PROBLEMS)
        .astype(object)
        .where(check.problems.head(REPORT_MAX_PROBLEMS).notna(), None)
        .to_dict("records"),
        "remarques_tronquees": len(check.problems) > REPORT_MAX_PROBLEMS,
        "confirmations": n_confirmed,
    }
    conn.execute(
        "INSERT INTO import_batch (id, fichier, sha256, auteur, cree_le, statut, nb_crees, "
        "nb_modifies, nb_inchanges, nb_ignores, rapport, campagne_id, porteur_code, "
        "nb_confirmes, depot_id, valide_par) "
        "VALUES (?, ?, ?, ?, ?, 'publié', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            check.fichier,
            check.sha256,
            author,
            now,
            counts["créé"],
            counts["modifié"],
            counts["inchangé"],
            counts["ignoré"],
            json.dumps(report, ensure_ascii=False, default=str),
            check.campagne_id,
            check.porteur_code,
            n_confirmed,
            validated.depot_id if validated is not None else None,
            user.login if validated is not None else None,
        ],
    )
    # Before the batch's own records: an item it changes is then not also confirmed twice.
    if returns is not None:
        returns.write_confirmations(conn, confirmed, author, now, batch_id)
    params = [author, now, batch_id]
    if "indicateurs" in diffs:
        conn.register("ptlcd_diff", diffs["indicateurs"])
        conn.execute(
            "INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, periode, "
            "valeur, cible, source, commentaire, auteur, enregistre_le, import_id) "
            "SELECT indicateur_code, territoire_code, annee, 'A', nouveau_valeur, "
            "nouveau_cible, nouveau_source, nouveau_commentaire, ?, ?, ? "
            "FROM ptlcd_diff WHERE etat IN ('créé', 'modifié')",
            params,
        )
        conn.unregister("ptlcd_diff")
    if "avancement" in diffs:
        conn.register("ptlcd_diff", diffs["avancement"])
        conn.execute(
            "INSERT INTO statut_record (action_no, date_effet, statut, avancement, "
            "commentaire, auteur, source, enregistre_le, import_id) "
            "SELECT action_no, date_effet, nouveau_statut, nouveau_avancement, "
            "nouveau_commentaire, ?, ?, ?, ? "
            "FROM ptlcd_diff WHERE etat IN ('créé', 'modifié')",
            [author, SOURCE_IMPORT, now, batch_id],
        )
        conn.unregister("ptlcd_diff")
    if "engagement" in diffs:
        conn.register("ptlcd_diff", diffs["engagement"])
        conn.execute(
            "INSERT INTO engagement_record (action_no, territoire_code, date_effet, niveau, "
            "auteur, source, enregistre_le, import_id) "
            "SELECT action_no, territoire_code, CAST(? AS DATE), nouveau_niveau, ?, ?, ?, ? "
            "FROM ptlcd_diff WHERE etat IN ('créé', 'modifié')",
            [now, author, SOURCE_IMPORT, now, batch_id],
        )
        conn.unregister("ptlcd_diff")
    journal.log(
        conn,
        user,
        "import",
        f"lot {batch_id}",
        None,
        {
            "fichier": check.fichier,
            "sha256": check.sha256,
            **counts,
            **({"dépôt": validated.depot_id, "auteur": author} if validated is not None else {}),
            **(
                {
                    "campagne": check.campagne_id,
                    "porteur": check.porteur_code,
                    "confirmé": n_confirmed,
                }
                if check.campagne_id is not None
                else {}
            ),
        },
    )
    return batch_id


def _rediff(conn: Connection, check: Check) -> dict[str, Any]:
    """Each kind's diff again, from the parsed rows kept in the check, against the store now."""
    out = {}
    for kind, parsed in check.rows.items():
        conn.register(PARSED[kind], parsed)
        try:
            out[kind] = DIFFS[kind](conn)
        finally:
            conn.unregister(PARSED[kind])
    return out


def _etats(conn: Connection, table: Any) -> dict[str, int]:
    conn.register("ptlcd_etats", table)
    rows = conn.execute("SELECT etat, count(*) FROM ptlcd_etats GROUP BY etat").fetchall()
    conn.unregister("ptlcd_etats")
    return {str(e): int(n) for e, n in rows}


# --- history and undo ------------------------------------------------------------------------


def history(conn: Connection, limit: int = 200, auteur: str | None = None) -> pd.DataFrame:
    """Newest first; only the batches of the login `auteur` when given. Columns: id, cree_le,
    fichier, auteur, valide_par (who published a porteur's dépôt), statut, nb_crees,
    nb_modifies, nb_inchanges, nb_ignores, sha256, annule_batch, annulable."""
    return conn.execute(
        """
        SELECT id, cree_le, fichier, auteur, valide_par, statut, nb_crees, nb_modifies,
               nb_inchanges, nb_ignores, sha256, annule_batch, statut = 'publié' AS annulable
        FROM import_batch WHERE $auteur IS NULL OR auteur = $auteur
        ORDER BY id DESC LIMIT $limit
        """,
        {"limit": limit, "auteur": auteur},
    ).df()


# The batch history as the import page shows it: column of `history` -> French header.
HISTORY_HEADERS = {
    "id": "Lot",
    "quand": "Publié le",
    "fichier": "Fichier",
    "auteur": "Par",
    "valide_par": "Validé par",
    "statut": "Statut",
    "nb_crees": "Créés",
    "nb_modifies": "Modifiés",
    "nb_inchanges": "Inchangés",
    "nb_ignores": "Ignorés",
    "annule_batch": "Annule le lot",
    "empreinte": "SHA-256 (début)",
}


@dataclass(frozen=True)
class HistoryView:
    """The batch history, display-ready (`HISTORY_HEADERS`), and the batches that can be undone."""

    table: pd.DataFrame
    undoable: list[int]


def history_view(conn: Connection, limit: int = 200, auteur: str | None = None) -> HistoryView:
    """`history` with dates and hashes as people read them, '—' where a batch undoes none."""
    df = history(conn, limit, auteur)
    shown = df.assign(
        quand=df["cree_le"].map(formats.timestamp),
        empreinte=df["sha256"].str.slice(0, 12),
        annule_batch=df["annule_batch"].astype(object).where(df["annule_batch"].notna(), "—"),
        valide_par=df["valide_par"].astype(object).where(df["valide_par"].notna(), "—"),
    )
    table = shown[list(HISTORY_HEADERS)].rename(columns=HISTORY_HEADERS)
    return HistoryView(table, [int(n) for n in df.loc[df["annulable"], "id"]])


def batch_report(conn: Connection, batch_id: int) -> dict[str, Any] | None:
    row = one_row(conn, "SELECT rapport FROM import_batch WHERE id = ?", [batch_id])
    if row is None:
        return None
    return dict(json.loads(row[0])) if row[0] else {}


def undo(conn: Connection, user: auth.User, batch_id: int, *, backup_keep: int = 0) -> int:
    """Undo a published batch; returns the id of the undo batch (statut 'annulation').

    With `backup_keep`, a copy of the whole database is taken first.
    """
    auth.require(user, "admin")
    row = one_row(conn, "SELECT fichier, sha256, statut FROM import_batch WHERE id = ?", [batch_id])
    if row is None:
        raise InputError(f"Le lot n° {batch_id} n'existe pas (voir l'historique des imports).")
    fichier, sha256, statut = row
    if statut == "annulé":
        raise InputError(f"Le lot n° {batch_id} a déjà été annulé.")
    if statut != "publié":
        raise InputError(f"Le lot n° {batch_id} est lui-même une annulation : il ne s'annule pas.")
    later = conn.execute(
        """
        SELECT DISTINCT coalesce(CAST(v.import_id AS VARCHAR), 'saisie directe')
        FROM indicateur_valeur v
        JOIN indicateur_valeur b ON b.import_id = ?
         AND v.indicateur_code = b.indicateur_code AND v.territoire_code = b.territoire_code
         AND v.annee = b.annee AND v.periode = b.periode
        WHERE v.import_id IS DISTINCT FROM ? AND v.id > b.id
          -- batches since undone, and their undos, no longer hold those values
          AND v.import_id NOT IN (SELECT id FROM import_batch WHERE statut <> 'publié')
        ORDER BY 1
        """,
        [batch_id, batch_id],
    ).fetchall()
    if later:
        raise InputError(
            f"Des valeurs du lot n° {batch_id} ont été modifiées depuis (lot(s) "
            f"{', '.join(r[0] for r in later)}) : annulez d'abord ces lots, du plus récent au "
            "plus ancien."
        )
    now = datetime.now()
    backups.before_write(conn, "avant-annulation", backup_keep)
    with store.transaction(conn):
        new = one_row(conn, "SELECT nextval('import_batch_id')")
        assert new is not None
        undo_id = int(new[0])
        restored = conn.execute(
            f"""
            INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, periode, valeur,
                cible, source, commentaire, supprime, auteur, enregistre_le, import_id)
            WITH b AS (SELECT * FROM indicateur_valeur WHERE import_id = ?),
            prev AS (
                SELECT b.id AS bid, v.valeur, v.cible, v.source, v.commentaire, v.supprime
                FROM b JOIN indicateur_valeur v
                  ON v.indicateur_code = b.indicateur_code AND v.territoire_code = b.territoire_code
                 AND v.annee = b.annee AND v.periode = b.periode
                 AND (v.enregistre_le < b.enregistre_le
                      OR (v.enregistre_le = b.enregistre_le AND v.id < b.id))
                {latest(["b.id"], BY_RECORDING, "v")}
            )
            SELECT b.indicateur_code, b.territoire_code, b.annee, b.periode, p.valeur, p.cible,
                   p.source, p.commentaire, coalesce(p.supprime, true), ?, ?, ?
            FROM b LEFT JOIN prev p ON p.bid = b.id
            ORDER BY b.id
            RETURNING supprime
            """,  # noqa: S608 - identifiers from store.sql; values are bound
            [batch_id, user.login, now, undo_id],
        ).fetchall()
        n_restored = sum(1 for (s,) in restored if not s)
        n_removed = len(restored) - n_restored
        statuts = conn.execute(
            "SELECT action_no, date_effet, statut, avancement, commentaire FROM statut_record "
            "WHERE import_id = ? ORDER BY id",
            [batch_id],
        ).fetchall()
        engagements = conn.execute(
            "SELECT action_no, territoire_code, date_effet, niveau FROM engagement_record "
            "WHERE import_id = ? ORDER BY id",
            [batch_id],
        ).fetchall()
        conn.execute("DELETE FROM statut_record WHERE import_id = ?", [batch_id])
        conn.execute("DELETE FROM engagement_record WHERE import_id = ?", [batch_id])
        report = {
            "annule": batch_id,
            "valeurs_restaurees": n_restored,
            "valeurs_retirees": n_removed,
            "statuts_retires": [list(map(str, s)) for s in statuts],
            "engagements_retires": [list(map(str, e)) for e in engagements],
        }
        conn.execute(
            "INSERT INTO import_batch (id, fichier, sha256, auteur, cree_le, statut, nb_crees, "
            "nb_modifies, nb_inchanges, nb_ignores, rapport, annule_batch) "
            "VALUES (?, ?, ?, ?, ?, 'annulation', 0, ?, 0, 0, ?, ?)",
            [
                undo_id,
                fichier,
                sha256,
                user.login,
                now,
                len(restored) + len(statuts) + len(engagements),
                json.dumps(report, ensure_ascii=False),
                batch_id,
            ],
        )
        conn.execute("UPDATE import_batch SET statut = 'annulé' WHERE id = ?", [batch_id])
        # A porteur's dépôt published by this batch no longer stands (`depots`): nor does it
        # count as a reply to its campaign any more.
        conn.execute("UPDATE depot SET etat = 'annule' WHERE import_id = ?", [batch_id])
        journal.log(
            conn,
            user,
            "annulation import",
            f"lot {batch_id}",
            {"statuts": len(statuts), "engagements": len(engagements)},
            {"lot_annulation": undo_id, "restaurees": n_restored, "retirees": n_removed},
        )
    return undo_id
