"""Writing séances and décisions: who may, what is checked, each write journaled.

Staff (`saisie`, `admin`) open séances, record décisions and change any décision's state. A
porteur account only marks as done the décisions whose responsable is one of its porteur
codes. The role and that ownership are checked here, at the moment of writing, so that no page
or command can forget them. Nothing is overwritten or deleted: a change of state is a new
dated `decision_etat` record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ptlcd_data import dates, formats
from ptlcd_data.access import auth, journal, liens
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row, scalar

OUVERTE, FAITE, ABANDONNEE = "ouverte", "faite", "abandonnee"
ETATS = (OUVERTE, FAITE, ABANDONNEE)
ETAT_LABELS = {OUVERTE: "ouverte", FAITE: "faite", ABANDONNEE: "abandonnée"}
# A décision is a sentence or two, not a report: long texts belong in documents.
TEXT_MAX_CHARS = 2000
# A title, a list of participants, a responsable's name: one line each, or a short paragraph.
TITLE_MAX_CHARS = 200
PARTICIPANTS_MAX_CHARS = 2000
RESPONSABLE_MAX_CHARS = 120


def _text(value: str | None, what: str, limit: int, *, required: bool) -> str | None:
    text = (value or "").strip() or None
    if text is None and required:
        raise InputError(f"{what} manquant(e) : écrivez-le.")
    if text is not None and len(text) > limit:
        raise InputError(f"{what} trop long ({len(text)} caractères) : {limit} au plus.")
    return text


def _not_future(day: date, what: str, today: date) -> None:
    if day > today:
        raise InputError(
            f"{what} ({formats.day(day)}) est dans le futur : on enregistre ce qui est décidé "
            "ou constaté, au plus tard aujourd'hui."
        )


def open_seance(
    conn: Connection,
    user: auth.User,
    date_seance: date,
    *,
    titre: str | None = None,
    participants: str | None = None,
    today: date | None = None,
) -> int:
    """Open a séance of the GOLD on `date_seance` (at the latest today); its number."""
    auth.require(user, "saisie")
    _not_future(date_seance, "La date de la séance", dates.or_today(today))
    title = _text(titre, "Titre", TITLE_MAX_CHARS, required=False) or (
        f"Séance du {formats.day(date_seance)}"
    )
    who = _text(participants, "Liste des participants", PARTICIPANTS_MAX_CHARS, required=False)
    with transaction(conn):
        seance_id = int(
            scalar(
                conn,
                "INSERT INTO seance (date_seance, titre, participants, auteur, enregistre_le) "
                "VALUES (?, ?, ?, ?, current_localtimestamp()) RETURNING id",
                [date_seance, title, who, user.login],
            )
        )
        journal.log(
            conn,
            user,
            "seance",
            f"séance {seance_id}",
            None,
            {"date": date_seance, "titre": title, "participants": who},
        )
    return seance_id


def seance_date(conn: Connection, seance_id: int) -> date:
    """The date of séance `seance_id`; refused in French when there is no such séance."""
    found = scalar(conn, "SELECT date_seance FROM seance WHERE id = ?", [seance_id])
    if found is None:
        raise InputError(f"La séance n° {seance_id} n'existe pas.")
    return found  # type: ignore[no-any-return]


def responsable_code(conn: Connection, responsable: str, day: date) -> str:
    """A porteur code when `responsable` names a porteur of the plan (its code, or its label
    in any case), else the name as typed: a named person."""
    text = _text(responsable, "Responsable", RESPONSABLE_MAX_CHARS, required=True)
    assert text is not None
    code = scalar(
        conn,
        "SELECT code FROM plan_porteur(?) WHERE code = ? OR lower(libelle) = lower(?) "
        "ORDER BY code = ? DESC LIMIT 1",
        [day, text, text, text],
    )
    return str(code) if code is not None else text


def add_decision(
    conn: Connection,
    user: auth.User,
    seance_id: int,
    *,
    texte: str,
    responsable: str,
    echeance: date,
    action_no: int | None = None,
    indicateur: str | None = None,
) -> int:
    """Record a décision of séance `seance_id`, on an action, an indicator or neither (a
    décision générale); it is `ouverte` from the séance's date. Its number."""
    auth.require(user, "saisie")
    day = seance_date(conn, seance_id)
    text = _text(texte, "Texte de la décision", TEXT_MAX_CHARS, required=True)
    if action_no is not None and indicateur:
        raise InputError("Une décision porte sur une action ou sur un indicateur, pas les deux.")
    if (
        action_no is not None
        and one_row(conn, "SELECT 1 FROM plan_action(?) WHERE action_no = ?", [day, action_no])
        is None
    ):
        raise InputError(f"L'action n° {action_no} n'est pas dans le plan au {formats.day(day)}.")
    code = (indicateur or "").strip() or None
    if (
        code
        and one_row(conn, "SELECT 1 FROM plan_indicateur(?) WHERE code = ?", [day, code]) is None
    ):
        raise InputError(f"L'indicateur « {code} » n'est pas dans le plan au {formats.day(day)}.")
    if echeance < day:
        raise InputError(
            f"L'échéance ({formats.day(echeance)}) précède la séance du {formats.day(day)}."
        )
    who = responsable_code(conn, responsable, day)
    with transaction(conn):
        decision_id = int(
            scalar(
                conn,
                "INSERT INTO decision (seance_id, action_no, indicateur_code, texte, responsable, "
                "echeance, auteur, enregistre_le) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp()) RETURNING id",
                [seance_id, action_no, code, text, who, echeance, user.login],
            )
        )
        conn.execute(
            "INSERT INTO decision_etat (decision_id, date_effet, etat, auteur, enregistre_le) "
            "VALUES (?, ?, ?, ?, current_localtimestamp())",
            [decision_id, day, OUVERTE, user.login],
        )
        nouveau: dict[str, Any] = {
            "seance": seance_id,
            "action_no": action_no,
            "indicateur": code,
            "texte": text,
            "responsable": who,
            "echeance": echeance,
        }
        journal.log(conn, user, "decision", f"décision {decision_id}", None, nouveau)
    return decision_id


def set_etat(
    conn: Connection,
    user: auth.User,
    decision_id: int,
    etat: str,
    *,
    commentaire: str | None = None,
    date_effet: date | None = None,
    today: date | None = None,
) -> None:
    """Change the state of décision `decision_id`, effective `date_effet` (default: today).

    Staff set any state; a porteur account only says `faite`, and only for the décisions whose
    responsable is one of its porteurs."""
    note, day = check_etat(
        conn, user, decision_id, etat, commentaire=commentaire, date_effet=date_effet, today=today
    )
    with transaction(conn):
        write_etat(conn, user, decision_id, etat, note, day)


def check_etat(
    conn: Connection,
    user: auth.User,
    decision_id: int,
    etat: str,
    *,
    commentaire: str | None = None,
    date_effet: date | None = None,
    today: date | None = None,
) -> tuple[str | None, date]:
    """`set_etat`'s checks, without writing: (the comment as recorded, the date d'effet)."""
    auth.require(user, "porteur")
    liens.require_live(conn, user)
    today = dates.or_today(today)
    day = date_effet or today
    if etat not in ETATS:
        raise InputError(f"État « {etat} » inconnu ; états possibles : {', '.join(ETATS)}.")
    note = _text(commentaire, "Commentaire", TEXT_MAX_CHARS, required=False)
    row = one_row(
        conn,
        "SELECT d.responsable, s.date_seance FROM decision d JOIN seance s ON s.id = d.seance_id "
        "WHERE d.id = ?",
        [decision_id],
    )
    if row is None:
        raise InputError(f"La décision n° {decision_id} n'existe pas.")
    responsable, day_seance = row
    if user.is_porteur:
        if responsable not in user.porteurs:
            raise PermissionDenied(
                f"La décision n° {decision_id} a pour responsable « {responsable} » : ce compte "
                f"({', '.join(user.porteurs) or 'aucun porteur'}) ne marque que ses propres "
                "décisions."
            )
        if etat != FAITE:
            raise PermissionDenied(
                "Un compte porteur indique qu'une décision est faite ; la rouvrir ou "
                "l'abandonner revient au secrétariat du GOLD (rôle « saisie »)."
            )
    _not_future(day, "La date du changement", today)
    if day < day_seance:
        raise InputError(
            f"La date du changement ({formats.day(day)}) précède la séance du "
            f"{formats.day(day_seance)}."
        )
    return note, day


def current_etat(conn: Connection, decision_id: int) -> str | None:
    """The state of décision `decision_id` as last recorded (whatever its date d'effet)."""
    value = scalar(
        conn,
        "SELECT etat FROM decision_etat WHERE decision_id = ? "
        "ORDER BY date_effet DESC, enregistre_le DESC, id DESC LIMIT 1",
        [decision_id],
    )
    return None if value is None else str(value)


def write_etat(
    conn: Connection,
    user: auth.User,
    decision_id: int,
    etat: str,
    note: str | None,
    day: date,
    *,
    auteur: str | None = None,
) -> None:
    """Record the change `check_etat` accepted, inside the caller's transaction. `auteur`: the
    login recorded as its author when it is not `user`'s (a dépôt's porteur, published by a
    coordinator: `user` is then the one journaled)."""
    before = scalar(
        conn,
        "SELECT etat FROM decision_etat WHERE decision_id = ? AND date_effet <= ? "
        "ORDER BY date_effet DESC, enregistre_le DESC, id DESC LIMIT 1",
        [decision_id, day],
    )
    if before == etat:
        raise InputError(
            f"La décision n° {decision_id} est déjà « {ETAT_LABELS[etat]} » au {formats.day(day)}."
        )
    conn.execute(
        "INSERT INTO decision_etat (decision_id, date_effet, etat, commentaire, auteur, "
        "enregistre_le) VALUES (?, ?, ?, ?, ?, current_localtimestamp())",
        [decision_id, day, etat, note, auteur or user.login],
    )
    journal.log(
        conn,
        user,
        "decision_etat",
        f"décision {decision_id}",
        {"etat": before},
        {"etat": etat, "commentaire": note, "date_effet": day, "auteur": auteur or user.login},
    )
