"""Writing and reading the conversation of an action: who may, what is checked, each message
journaled.

Staff (`saisie`, `admin`) write and read on any action of the plan; a porteur account only on the
actions its porteurs carry, checked here at the moment of writing or reading (an action given to
another porteur since the page was drawn is refused); `lecture` neither writes nor reads. A
message is stored as typed (trimmed), shown literally, never changed nor deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ptlcd_data.access import auth, journal
from ptlcd_data.access.auth import User
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row, scalar

if TYPE_CHECKING:
    import pandas as pd

# A message is a question or an answer, not a report: a report is a pièce justificative.
MESSAGE_MAX_CHARS = 2000
PORTEUR, EQUIPE = "porteur", "equipe"
COTE_LABELS = {PORTEUR: "porteur", EQUIPE: "équipe du PTLCD"}
# Actions named in a refusal: enough to see which ones are meant.
LISTED_MAX = 12
COLUMNS = ["id", "envoye_le", "auteur", "auteur_nom", "cote", "porteur_code", "texte", "depot_id"]


def carriers(conn: Connection, action_no: int) -> list[str]:
    """The codes of the porteurs carrying `action_no` today, in code order."""
    links = plan_porteurs.carried_actions(conn)
    return [str(c) for c in links.loc[links["action_no"] == action_no, "porteur"]]


def _refusal(user: User, action_no: int, mine: list[int]) -> PermissionDenied:
    shown = ", ".join(f"n° {n}" for n in mine[:LISTED_MAX]) or "aucune"
    if len(mine) > LISTED_MAX:
        shown += f" et {len(mine) - LISTED_MAX} autre(s)"
    who = ", ".join(user.porteurs) or "aucun porteur"
    return PermissionDenied(
        f"L'action n° {action_no} n'est pas portée par ce compte ({who}) : il n'échange des "
        f"messages que sur ses propres actions ({shown})."
    )


def check_access(conn: Connection, user: User | None, action_no: int) -> User:
    """The user, when it may read and write the conversation of `action_no`: staff, or a porteur
    account whose porteurs carry it today; PermissionDenied (French) otherwise."""
    checked = auth.require(user, "porteur")
    scope = plan_porteurs.scope_of(conn, checked)
    if scope is not None and action_no not in scope.actions:
        raise _refusal(checked, action_no, sorted(scope.actions))
    return checked


def may_converse(conn: Connection, user: User | None, action_no: int) -> bool:
    """True when `user` may read and write the conversation of `action_no` (what a page asks
    before showing it; the writing and reading functions check again)."""
    try:
        check_access(conn, user, action_no)
    except PermissionDenied:
        return False
    return True


def _text(texte: str | None) -> str:
    text = (texte or "").strip()
    if not text:
        raise InputError("Message vide : écrivez votre message avant de l'envoyer.")
    if len(text) > MESSAGE_MAX_CHARS:
        raise InputError(
            f"Message trop long ({len(text)} caractères) : {MESSAGE_MAX_CHARS} au plus. Un "
            "document plus long se joint comme pièce justificative."
        )
    return text


def _depot_porteur(conn: Connection, user: User, depot_id: int) -> str:
    """The porteur of dépôt `depot_id`; refused when there is none, or when a porteur account
    does not speak for it."""
    code = scalar(conn, "SELECT porteur_code FROM depot WHERE id = ?", [depot_id])
    if code is None:
        raise InputError(f"Le dépôt n° {depot_id} n'existe pas.")
    if user.is_porteur and code not in user.porteurs:
        raise PermissionDenied(
            f"Le dépôt n° {depot_id} est celui du porteur {code} : ce compte "
            f"({', '.join(user.porteurs)}) n'écrit que dans ses propres dépôts."
        )
    return str(code)


def add_message(
    conn: Connection,
    user: User | None,
    action_no: int,
    texte: str,
    *,
    depot_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a message on the conversation of `action_no` (from inside dépôt `depot_id` when
    given); its number. A porteur account writes as the porteur, staff as the team."""
    checked = check_access(conn, user, action_no)
    text = _text(texte)
    if not checked.is_porteur and (
        one_row(conn, "SELECT 1 FROM plan_action(?) WHERE action_no = ?", [date.today(), action_no])
        is None
    ):
        raise InputError(f"L'action n° {action_no} n'est pas dans le plan aujourd'hui.")
    carried = carriers(conn, action_no)
    if depot_id is not None:
        code: str | None = _depot_porteur(conn, checked, depot_id)
    elif checked.is_porteur:
        code = next(c for c in checked.porteurs if c in carried)
    else:
        code = carried[0] if carried else None
    cote = PORTEUR if checked.is_porteur else EQUIPE
    with transaction(conn):
        message_id = int(
            scalar(
                conn,
                "INSERT INTO message (action_no, porteur_code, auteur, cote, texte, envoye_le, "
                "depot_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [action_no, code, checked.login, cote, text, now or datetime.now(), depot_id],
            )
        )
        journal.log(
            conn,
            checked,
            "message",
            f"action {action_no}",
            None,
            {
                "message": message_id,
                "cote": cote,
                "porteur": code,
                "texte": text,
                "depot": depot_id,
            },
        )
    return message_id


def conversation(conn: Connection, user: User | None, action_no: int) -> pd.DataFrame:
    """The messages of `action_no`, oldest first (staff, or a porteur account carrying it).

    Columns: id, envoye_le, auteur (login), auteur_nom (the account's name, else the login),
    cote (porteur or equipe), porteur_code, texte, depot_id (None: written from the action)."""
    import pandas as pd

    check_access(conn, user, action_no)
    table = conn.execute(
        f"""
        SELECT m.id, m.envoye_le, m.auteur, {auth.author_name_sql("m.auteur")} AS auteur_nom,
               m.cote, m.porteur_code, m.texte, m.depot_id
        FROM message m WHERE m.action_no = ? ORDER BY m.envoye_le, m.id
        """,  # noqa: S608 - a fixed fragment; the value is bound
        [action_no],
    ).df()[COLUMNS]
    # A number or None, whatever pandas made of the column (NaN, <NA>).
    table["depot_id"] = [None if pd.isna(v) else int(v) for v in table["depot_id"]]
    return table
