"""A dépôt prepared from the forms of « Mes actions », line by line, then sent.

Each form adds lines (`forms.Line`) to the porteur's dépôt being prepared (`brouillon`), verified
alone first, as an import's rows are: nothing is added when one is refused. A new dépôt being
prepared starts from the lines and pièces of the porteur's last dépôt from the forms that is
still waiting or was returned, so that sending it again loses nothing. Sending verifies the
lines whole and freezes them (`records.send`). The command line sends its lines at once
(`submit_lines`). Rights are checked here, at the moment of writing.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd

from ptlcd_data import formats, store
from ptlcd_data.access import auth, liens
from ptlcd_data.classeurs.problems import problems_frame
from ptlcd_data.decisions import records as decision_records
from ptlcd_data.depots import forms, records
from ptlcd_data.depots.forms import Line
from ptlcd_data.errors import InputError
from ptlcd_data.imports import verify
from ptlcd_data.imports.verify import Check
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row
from ptlcd_data.suivi.status_queries import action_state
from ptlcd_data.vocabulary import SANS_STATUT


class DraftRefused(InputError):
    """The lines of a dépôt being prepared do not pass Vérifier: `check` lists why."""

    title = "Dépôt refusé"

    def __init__(self, message: str, check: Check) -> None:
        super().__init__(message)
        self.check = check


def draft_id(conn: Connection, porteur_code: str) -> int | None:
    """The dépôt being prepared for this porteur in the open campaign (or outside any)."""
    row = one_row(
        conn,
        "SELECT id FROM depot WHERE porteur_code = ? AND etat = 'brouillon' "
        "AND campagne_id IS NOT DISTINCT FROM ? ORDER BY id DESC LIMIT 1",
        [porteur_code, records.open_campaign_id(conn)],
    )
    return int(row[0]) if row else None


def draft_lines(conn: Connection, depot_id: int) -> list[Line]:
    """The lines of a dépôt prepared from the forms, in the order typed."""
    rows = conn.execute(
        "SELECT genre, cle, valeurs FROM depot_ligne WHERE depot_id = ? ORDER BY saisi_le, cle",
        [depot_id],
    ).fetchall()
    return [Line(str(g), str(c), dict(json.loads(v))) for g, c, v in rows]


def _check_lines(conn: Connection, user: auth.User, lines: list[Line]) -> Check:
    """Vérifier on the lines, as on a file; DraftRefused with its problems on any error."""
    rows = [line for line in lines if line.genre != "decision"]
    if not rows:  # only décisions said done: no sheet to verify
        return Check(
            store.revision(conn),
            forms.FORM_NAME,
            forms.fingerprint(lines),
            "formulaire",
            problems_frame([]),
        )
    check = verify.check_book(
        conn, forms.as_book(rows), forms.FORM_NAME, forms.fingerprint(lines), user=user
    )
    if not check.ok:
        first = check.errors.iloc[0]
        raise DraftRefused(
            f"{formats.count(len(check.errors), 'erreur', 'erreurs')} : rien n'est ajouté au "
            f"dépôt. {first['message']}",
            check,
        )
    return check


def _decisions_of(conn: Connection, user: auth.User, lines: list[Line]) -> pd.DataFrame:
    """The décisions said done, each checked as `decisions.records.check_etat` checks it."""
    out = []
    for line in lines:
        if line.genre != "decision":
            continue
        decision_id = int(line.valeurs["decision_id"])
        note, _ = decision_records.check_etat(
            conn,
            user,
            decision_id,
            decision_records.FAITE,
            commentaire=line.valeurs.get("commentaire"),
        )
        out.append({"decision_id": decision_id, "commentaire": note or ""})
    return pd.DataFrame(out, columns=["decision_id", "commentaire"])


def add_revue(
    conn: Connection,
    user: auth.User,
    action_no: int,
    *,
    date_effet: date,
    statut: str | None = None,
    avancement: int | None = None,
    commentaire: str | None = None,
    engagements: dict[str, str] | None = None,
) -> int:
    """What the action form of « Mes actions » says, added to the dépôt being prepared: a status
    line (the current status kept when none is chosen) and one line per territory's level, as
    `suivi.saisie.enregistrer_revue` would record them. Returns the dépôt's number."""
    note = records.clean_text(commentaire, "Commentaire", required=False)
    engagements = dict(engagements or {})
    if statut is None and avancement is None and note is None and not engagements:
        raise InputError(
            "Rien à enregistrer : choisissez un statut, un avancement ou un niveau "
            "d'engagement, ou écrivez un commentaire."
        )
    lines = []
    if statut is not None or avancement is not None or note is not None:
        kept = statut or (action_state(conn, action_no, date_effet) or {}).get("statut")
        if kept in (None, SANS_STATUT):
            raise InputError(
                f"L'action n° {action_no} n'a pas encore de statut à cette date : choisissez-en un."
            )
        lines.append(forms.status_line(action_no, date_effet, str(kept), avancement, note))
    lines += [forms.engagement_line(action_no, c, n) for c, n in engagements.items()]
    return add_lines(conn, user, None, lines)


def add_lines(
    conn: Connection,
    user: auth.User,
    porteur_code: str | None,
    lines: list[Line],
    *,
    now: datetime | None = None,
) -> int:
    """Add what a form says to this porteur's dépôt being prepared (made when there is none).

    The lines are verified first, alone (scope, vocabulary, numbers): nothing is added when one
    is refused. A line replaces the one of the same key. A new dépôt being prepared starts from
    the lines of the porteur's last dépôt from the forms that is still waiting or was returned,
    so that sending it again loses nothing. Returns the dépôt's number."""
    auth.require(user, "porteur")
    liens.require_live(conn, user)
    if not lines:
        raise InputError("Rien à ajouter au dépôt.")
    check = _check_lines(conn, user, lines)
    porteur_code = porteur_code or records.porteur_of(conn, user, check, lines)
    records.own_porteur(user, porteur_code)
    _decisions_of(conn, user, lines)
    when = now or datetime.now()
    with transaction(conn):
        found = draft_id(conn, porteur_code)
        if found is None:
            found = _new_draft(conn, user, porteur_code, when)
        for line in lines:
            conn.execute(
                "DELETE FROM depot_ligne WHERE depot_id = ? AND genre = ? AND cle = ?",
                [found, line.genre, line.cle],
            )
            conn.execute(
                "INSERT INTO depot_ligne (depot_id, genre, cle, valeurs, saisi_le) "
                "VALUES (?, ?, ?, ?, ?)",
                [found, line.genre, line.cle, line.as_json(), when],
            )
    return found


def _new_draft(conn: Connection, user: auth.User, porteur_code: str, now: datetime) -> int:
    depot_id = records.next_id(conn)
    campagne_id = records.open_campaign_id(conn)
    conn.execute(
        "INSERT INTO depot (id, porteur_code, campagne_id, etat, origine, fichier, depose_par, "
        "cree_le) VALUES (?, ?, ?, 'brouillon', 'formulaire', ?, ?, ?)",
        [depot_id, porteur_code, campagne_id, forms.FORM_NAME, user.login, now],
    )
    previous = last_sent(conn, porteur_code, campagne_id)
    if previous is not None and previous[1] in (records.A_VALIDER, records.RENVOYE):
        if previous[2] == "formulaire":
            _copy_into(conn, previous[0], depot_id, user, now)
    return depot_id


def last_sent(
    conn: Connection, porteur_code: str, campagne_id: int | None
) -> tuple[int, str, str] | None:
    """(id, etat, origine) of the porteur's latest sent dépôt for this campaign. Only that one
    is taken up again: once a later one was sent, or it was published, nothing older returns."""
    row = one_row(
        conn,
        "SELECT id, etat, origine FROM depot WHERE porteur_code = ? "
        "AND campagne_id IS NOT DISTINCT FROM ? AND etat <> 'brouillon' "
        "ORDER BY depose_le DESC, id DESC LIMIT 1",
        [porteur_code, campagne_id],
    )
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


def _copy_into(conn: Connection, source: int, target: int, user: auth.User, now: datetime) -> None:
    """The lines and pièces of dépôt `source` into the dépôt being prepared `target` (a pièce's
    content is stored once: only its record is repeated)."""
    conn.execute(
        "INSERT INTO depot_ligne (depot_id, genre, cle, valeurs, saisi_le) "
        "SELECT ?, genre, cle, valeurs, saisi_le FROM depot_ligne WHERE depot_id = ?",
        [target, source],
    )
    conn.execute(
        "INSERT INTO piece (sha256, nom, type, taille, depot_id, porteur_code, ajoute_par, "
        "ajoute_le) SELECT sha256, nom, type, taille, ?, porteur_code, ?, ? FROM piece "
        "WHERE depot_id = ? ORDER BY id",
        [target, user.login, now, source],
    )


def reopen(conn: Connection, user: auth.User, depot_id: int, *, now: datetime | None = None) -> int:
    """Start preparing a new dépôt from a returned one (its lines and pièces), to correct it and
    send it again. The dépôt being prepared when there is one already. Its number."""
    auth.require(user, "porteur")
    liens.require_live(conn, user)
    row = one_row(conn, "SELECT porteur_code, etat, origine FROM depot WHERE id = ?", [depot_id])
    if row is None:
        raise InputError(f"Le dépôt n° {depot_id} n'existe pas.")
    code, etat, origine = str(row[0]), str(row[1]), str(row[2])
    records.own_porteur(user, code)
    if etat != records.RENVOYE or origine != "formulaire":
        raise InputError(
            f"Le dépôt n° {depot_id} n'est pas un dépôt de formulaires renvoyé : il ne se reprend "
            "pas (un fichier se corrige dans le tableur, puis s'importe de nouveau)."
        )
    when = now or datetime.now()
    with transaction(conn):
        latest = last_sent(conn, code, records.open_campaign_id(conn))
        if latest is None or latest[0] != depot_id:
            raise InputError(
                f"Un dépôt plus récent que le n° {depot_id} a été envoyé : c'est lui qui compte, "
                f"le n° {depot_id} ne se reprend plus."
            )
        found = draft_id(conn, code)
        if found is not None:
            return found
        new = records.next_id(conn)
        conn.execute(
            "INSERT INTO depot (id, porteur_code, campagne_id, etat, origine, fichier, "
            "depose_par, cree_le) VALUES (?, ?, ?, 'brouillon', 'formulaire', ?, ?, ?)",
            [new, code, records.open_campaign_id(conn), forms.FORM_NAME, user.login, when],
        )
        _copy_into(conn, depot_id, new, user, when)
    return new


def _draft_of(conn: Connection, user: auth.User, depot_id: int) -> str:
    liens.require_live(conn, user)
    row = one_row(conn, "SELECT porteur_code, etat FROM depot WHERE id = ?", [depot_id])
    if row is None:
        raise InputError(f"Le dépôt n° {depot_id} n'existe pas.")
    code, etat = str(row[0]), str(row[1])
    records.own_porteur(user, code)
    if etat != records.BROUILLON:
        raise InputError(
            f"Le dépôt n° {depot_id} est déjà envoyé ({records.ETAT_LABELS.get(etat, etat)}) : il ne "
            "change plus."
        )
    return code


def remove_line(conn: Connection, user: auth.User, depot_id: int, genre: str, cle: str) -> None:
    """Take one line out of a dépôt being prepared."""
    auth.require(user, "porteur")
    _draft_of(conn, user, depot_id)
    with transaction(conn):
        _draft_of(conn, user, depot_id)  # again, inside: it may have been sent meanwhile
        conn.execute(
            "DELETE FROM depot_ligne WHERE depot_id = ? AND genre = ? AND cle = ?",
            [depot_id, genre, cle],
        )


def send_draft(
    conn: Connection,
    user: auth.User,
    depot_id: int,
    commentaire: str | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Send the dépôt being prepared: verified whole, then à valider. Its number."""
    auth.require(user, "porteur")
    _draft_of(conn, user, depot_id)
    note = records.clean_text(commentaire, "Commentaire", required=False)
    lines = draft_lines(conn, depot_id)
    if not lines:
        raise InputError("Le dépôt en préparation est vide : ajoutez d'abord une mise à jour.")
    check = _check_lines(conn, user, lines)
    decisions = _decisions_of(conn, user, lines)
    if records.counted_rows(check) == 0 and decisions.empty:
        raise InputError(
            "Ce dépôt ne change rien à ce qui est publié : rien n'est envoyé. Modifiez une "
            "valeur, ou retirez les lignes inchangées."
        )
    with transaction(conn):
        records.send(conn, user, depot_id, check, decisions, note, now or datetime.now())
    return depot_id


def submit_lines(
    conn: Connection,
    user: auth.User,
    lines: list[Line],
    commentaire: str | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Send these lines at once as a dépôt of their own (the command line's way), leaving any
    dépôt being prepared on the page as it is. Its number."""
    auth.require(user, "porteur")
    note = records.clean_text(commentaire, "Commentaire", required=False)
    if not lines:
        raise InputError("Rien à déposer.")
    check = _check_lines(conn, user, lines)
    decisions = _decisions_of(conn, user, lines)
    code = records.porteur_of(conn, user, check, lines)
    records.own_porteur(user, code)
    when = now or datetime.now()
    with transaction(conn):
        depot_id = records.next_id(conn)
        conn.execute(
            "INSERT INTO depot (id, porteur_code, campagne_id, etat, origine, fichier, "
            "depose_par, cree_le) VALUES (?, ?, ?, 'brouillon', 'formulaire', ?, ?, ?)",
            [depot_id, code, records.open_campaign_id(conn), "Ligne de commande", user.login, when],
        )
        conn.executemany(
            "INSERT INTO depot_ligne (depot_id, genre, cle, valeurs, saisi_le) "
            "VALUES (?, ?, ?, ?, ?)",
            [(depot_id, line.genre, line.cle, line.as_json(), when) for line in lines],
        )
        records.send(conn, user, depot_id, check, decisions, note, when)
    return depot_id
