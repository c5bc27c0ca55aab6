"""Writing dépôts: prepared, sent, then published or returned by a coordinator.

With validation on (PTLCD_VALIDATION, `applies`), everything a porteur account writes becomes a
dépôt: a file it imports (`submit_check`), the forms of « Mes actions » (lines of a dépôt being
prepared, `add_lines`, then `send_draft`). A dépôt is verified as an import is verified
(`imports.verify`: the same problems, the same scope rule) and sent with its before → after
(`content`), then never changes. A newer dépôt of the same porteur and campaign supersedes the
one still waiting (`remplace`, kept).

A coordinator (saisie, admin) publishes it (`publish`: one import batch, undoable, whose author
is the porteur account and whose validator is the coordinator), unless a value it would
overwrite changed since it was verified; or returns it with a reason (`return_to_porteur`).
Every change of state is journaled, in the transaction that makes it. The rights are checked
here, at the moment of writing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ptlcd_data import formats
from ptlcd_data.access import accounts, auth, journal, scope
from ptlcd_data.campagnes import campaigns
from ptlcd_data.decisions import records as decision_records
from ptlcd_data.depots import content
from ptlcd_data.depots.forms import Line
from ptlcd_data.depots.stale import stale_rows
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.imports import batches, check_scope
from ptlcd_data.imports.verify import Check
from ptlcd_data.plan import porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection, backups, transaction
from ptlcd_data.store.sql import one_row

BROUILLON, A_VALIDER, RENVOYE, PUBLIE, REMPLACE, ANNULE = (
    "brouillon",
    "a_valider",
    "renvoye",
    "publie",
    "remplace",
    "annule",  # published, then its batch undone (`imports.batches.undo`)
)
ETATS = (BROUILLON, A_VALIDER, RENVOYE, PUBLIE, REMPLACE, ANNULE)
ETAT_LABELS = {
    BROUILLON: "en préparation",
    A_VALIDER: "à valider",
    RENVOYE: "renvoyé au porteur",
    PUBLIE: "publié",
    REMPLACE: "remplacé",
    ANNULE: "publié puis annulé",
}
ORIGINES = {"formulaire": "formulaires", "fichier": "fichier", "courriel": "courriel"}
TEXT_MAX_CHARS = 2000


def applies(settings: Settings, user: auth.User | None) -> bool:
    """True when what `user` writes becomes a dépôt: validation is on and it is a porteur
    account. Staff writing for themselves publish as before."""
    return bool(settings.validation and user is not None and user.is_porteur)


def clean_text(value: str | None, what: str, *, required: bool) -> str | None:
    text = (value or "").strip() or None
    if text is None and required:
        raise InputError(f"{what} : écrivez-le, il est obligatoire.")
    if text and len(text) > TEXT_MAX_CHARS:
        raise InputError(f"{what} trop long ({len(text)} caractères) : {TEXT_MAX_CHARS} au plus.")
    return text


def own_porteur(user: auth.User, porteur_code: str) -> None:
    if user.is_porteur and porteur_code not in user.porteurs:
        raise PermissionDenied(
            f"Ce compte ({', '.join(user.porteurs) or 'aucun porteur'}) ne dépose que pour ses "
            f"propres porteurs, pas pour « {porteur_code} »."
        )


def open_campaign_id(conn: Connection) -> int | None:
    found = campaigns.current(conn)
    return found.id if found is not None else None


def _answered(check: Check, annee: int | None = None) -> list[tuple[str, str]]:
    """The items of the plan the dépôt answers: (objet, cle), each once; with `annee` (the
    campaign's year), an indicator only by a value of that year."""
    found: set[tuple[str, str]] = set()
    for kind, table in check.diff.items():
        counted = pc.is_in(table.column("etat"), value_set=pa.array(["créé", "modifié"]))
        rows = table.filter(counted)
        extra = check.confirmations.get(kind)
        column = "indicateur_code" if kind == "indicateurs" else "action_no"
        if kind == "indicateurs" and annee is not None:
            rows = rows.filter(pc.equal(rows.column("annee"), annee))
            if extra is not None and "annee" in extra.column_names:
                extra = extra.filter(pc.equal(extra.column("annee"), annee))
        values = rows.column(column).to_pylist()
        if extra is not None and column in extra.column_names:
            values += extra.column(column).to_pylist()
        objet = "indicateur" if kind == "indicateurs" else "action"
        found.update((objet, str(v)) for v in values if v is not None)
    return sorted(found)


def counted_rows(check: Check) -> int:
    return check.changes_count() + check.confirmations_count()


def porteur_of(
    conn: Connection, user: auth.User, check: Check, lines: list[Line] | None = None
) -> str:
    """Whose dépôt this is: the campaign workbook's porteur, or the account's porteur carrying
    its rows (the first of the account's when several do)."""
    if check.porteur_code:
        return check.porteur_code
    if not user.porteurs:
        raise PermissionDenied("Aucun porteur n'est associé à ce compte : il ne peut rien déposer.")
    if len(user.porteurs) == 1:
        return user.porteurs[0]
    items = {cle for _, cle in _answered(check)}
    items |= {
        str(v) for line in lines or [] for k, v in line.valeurs.items() if k in ("action", "code")
    }
    for code in user.porteurs:
        mine = porteurs.porteurs_scope(conn, (code,))
        if items & ({str(n) for n in mine.actions} | set(mine.indicateurs)):
            return code
    return user.porteurs[0]


def submit_check(
    conn: Connection,
    user: auth.User,
    check: Check,
    *,
    origine: str = "fichier",
    commentaire: str | None = None,
    expediteur: str | None = None,
    now: datetime | None = None,
    supersede: bool = True,
) -> int:
    """Send a verified file as a dépôt à valider (nothing is published). Its number.

    With `supersede` False (a workbook mailed from an address that is not the porteur's: anyone
    can write a porteur's code in a stamp), it waits beside the porteur's dépôt, never replacing
    it."""
    auth.require(user, "porteur")
    note = clean_text(commentaire, "Commentaire", required=False)
    if not check.ok:
        raise InputError(
            f"Le fichier « {check.fichier} » contient {len(check.errors)} erreur(s) : rien n'est "
            "déposé. Corrigez-les puis vérifiez de nouveau."
        )
    _check_rows_scope(conn, porteurs.scope_of(conn, user), check)
    code = porteur_of(conn, user, check)
    own_porteur(user, code)
    if counted_rows(check) == 0:
        raise InputError(
            f"Le fichier « {check.fichier} » ne change rien et ne répond à aucune demande de la "
            "campagne : aucun dépôt n'est enregistré."
        )
    campagne_id = check.campagne_id or open_campaign_id(conn)
    with transaction(conn):
        depot_id = next_id(conn)
        conn.execute(
            "INSERT INTO depot (id, porteur_code, campagne_id, etat, origine, fichier, sha256, "
            "depose_par, cree_le, expediteur) VALUES (?, ?, ?, 'brouillon', ?, ?, ?, ?, ?, ?)",
            [
                depot_id,
                code,
                campagne_id,
                origine,
                check.fichier,
                check.sha256,
                user.login,
                now or datetime.now(),
                expediteur,
            ],
        )
        send(conn, user, depot_id, check, None, note, now or datetime.now(), supersede=supersede)
    return depot_id


def next_id(conn: Connection) -> int:
    row = one_row(conn, "SELECT nextval('depot_id')")
    assert row is not None
    return int(row[0])


def _check_rows_scope(conn: Connection, limits: scope.Scope | None, check: Check) -> None:
    if limits is None:
        return
    refused = check_scope.refusal(conn, limits, check.diff)
    if refused:
        raise PermissionDenied(refused, "Dépôt refusé")


def send(
    conn: Connection,
    user: auth.User,
    depot_id: int,
    check: Check,
    decisions: pd.DataFrame | None,
    note: str | None,
    now: datetime,
    *,
    supersede: bool = True,
) -> None:
    """Inside a transaction: the prepared dépôt `depot_id` becomes à valider, frozen; the one of
    the same porteur and campaign still waiting is superseded (unless `supersede` is False)."""
    row = one_row(
        conn, "SELECT porteur_code, campagne_id, etat FROM depot WHERE id = ?", [depot_id]
    )
    assert row is not None
    code, campagne_id, etat = row
    if etat != BROUILLON:
        raise InputError(f"Le dépôt n° {depot_id} est déjà envoyé : il ne change plus.")
    replaced = [
        int(r[0])
        for r in conn.execute(
            "UPDATE depot SET etat = 'remplace', remplace_par = ? "
            "WHERE porteur_code = ? AND campagne_id IS NOT DISTINCT FROM ? AND etat = 'a_valider' "
            "AND id <> ? AND ? RETURNING id",
            [depot_id, code, campagne_id, depot_id, supersede],
        ).fetchall()
    ]
    year = campaigns.get(conn, int(campagne_id)).annee if campagne_id is not None else None
    answered = _answered(check, year)
    n_rows = counted_rows(check) + (0 if decisions is None else len(decisions))
    conn.execute(
        "UPDATE depot SET etat = 'a_valider', depose_le = ?, depose_par = ?, commentaire = ?, "
        "revision = ?, contenu = ?, nb_lignes = ? WHERE id = ?",
        [
            now,
            user.login,
            note,
            check.revision,
            content.pack(check, decisions),
            n_rows,
            depot_id,
        ],
    )
    if answered:
        conn.executemany(
            "INSERT INTO depot_item (depot_id, objet, cle) VALUES (?, ?, ?)",
            [(depot_id, objet, cle) for objet, cle in answered],
        )
    for old in replaced:
        journal.log(
            conn,
            user,
            "dépôt remplacé",
            f"dépôt {old}",
            {"etat": A_VALIDER},
            {"remplace_par": depot_id},
        )
    journal.log(
        conn,
        user,
        "dépôt",
        f"dépôt {depot_id}",
        None,
        {
            "porteur": code,
            "campagne": campagne_id,
            "fichier": check.fichier,
            "lignes": n_rows,
            "remplace": replaced,
            "commentaire": note,
        },
    )


# --- a coordinator's decision -----------------------------------------------------------------


def _waiting(conn: Connection, depot_id: int) -> dict[str, Any]:
    row = conn.execute(
        "SELECT id, porteur_code, campagne_id, etat, fichier, sha256, depose_par, revision, "
        "contenu FROM depot WHERE id = ?",
        [depot_id],
    ).fetchdf()
    if row.empty:
        raise InputError(f"Le dépôt n° {depot_id} n'existe pas (la liste : « depots list »).")
    found: dict[str, Any] = row.iloc[0].to_dict()
    if found["etat"] != A_VALIDER:
        label = ETAT_LABELS.get(str(found["etat"]), str(found["etat"]))
        raise InputError(f"Le dépôt n° {depot_id} est « {label} » : il n'est plus à valider.")
    for key in ("campagne_id", "revision"):
        found[key] = None if pd.isna(found[key]) else int(found[key])
    return found


def publish(
    conn: Connection, user: auth.User, depot_id: int, *, backup_keep: int = 0
) -> int | None:
    """Publish a dépôt à valider as its import batch (None when it changes and confirms nothing
    any more, e.g. only décisions said done). Refused, naming them, when values it would
    overwrite changed since it was verified."""
    auth.require(user, "saisie")
    found = _waiting(conn, depot_id)
    check, decisions = content.unpack(bytes(found["contenu"]), found)
    author = str(found["depose_par"])
    backups.before_write(conn, "avant-publication", backup_keep)
    with transaction(conn):
        _waiting(conn, depot_id)  # again, inside: another coordinator may have decided
        stale = stale_rows(conn, check)
        if stale:
            raise InputError(
                f"Le dépôt n° {depot_id} n'est pas publié : depuis qu'il a été vérifié, "
                f"{formats.count(len(stale), 'valeur a changé', 'valeurs ont changé')} dans la "
                f"base ({' ; '.join(stale[:10])}{' ; …' if len(stale) > 10 else ''}). "
                "Renvoyez-le au porteur pour qu'il le refasse sur les valeurs actuelles."
            )
        # The porteur's scope now: an action given to another porteur since is refused.
        # The scope of the account that sent it, now (its porteurs; the dépôt's porteur for a
        # workbook received by e-mail, sent by no account).
        codes = accounts.porteurs_of(conn, author) or (str(found["porteur_code"]),)
        _check_rows_scope(conn, porteurs.porteurs_scope(conn, codes), check)
        batch_id = batches.write_validated(conn, user, check, batches.Validated(depot_id, author))
        for d in decisions.itertuples(index=False):
            if decision_records.current_etat(conn, int(d.decision_id)) == decision_records.FAITE:
                continue  # said done meanwhile (by the GOLD, or another dépôt): nothing to add
            decision_records.write_etat(
                conn,
                user,
                int(d.decision_id),
                decision_records.FAITE,
                str(d.commentaire) or None,
                datetime.now().date(),
                auteur=author,
            )
        conn.execute(
            "UPDATE depot SET etat = 'publie', traite_par = ?, traite_le = ?, import_id = ? "
            "WHERE id = ?",
            [user.login, datetime.now(), batch_id, depot_id],
        )
        journal.log(
            conn,
            user,
            "dépôt publié",
            f"dépôt {depot_id}",
            {"etat": A_VALIDER},
            {"etat": PUBLIE, "lot": batch_id, "auteur": author, "décisions": len(decisions)},
        )
    return batch_id


def return_to_porteur(
    conn: Connection, user: auth.User, depot_id: int, motif: str, *, now: datetime | None = None
) -> None:
    """Send a dépôt à valider back to its porteur, with the reason (required). The porteur is
    told by e-mail afterwards (`notify.return_notice`), outside this transaction."""
    auth.require(user, "saisie")
    reason = clean_text(motif, "Motif du renvoi", required=True)
    with transaction(conn):
        _waiting(conn, depot_id)
        conn.execute(
            "UPDATE depot SET etat = 'renvoye', motif = ?, traite_par = ?, traite_le = ? "
            "WHERE id = ?",
            [reason, user.login, now or datetime.now(), depot_id],
        )
        journal.log(
            conn,
            user,
            "dépôt renvoyé",
            f"dépôt {depot_id}",
            {"etat": A_VALIDER},
            {"etat": RENVOYE, "motif": reason},
        )
