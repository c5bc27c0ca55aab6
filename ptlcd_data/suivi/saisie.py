"""Recording follow-up decisions (review mode): status, avancement, comment, engagements.

Staff record for any action; a porteur account for its own actions only (`access.scope`, given
the scope `plan.porteurs.scope_of` reads at the moment of writing).

One call writes everything the GOLD decided for one action, atomically, with who and when, and
a journal entry in the same transaction. Nothing is overwritten: each change is a new record.
Records store the author's login, as the journal does; queries show the account's name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ptlcd_data import dates
from ptlcd_data.access import auth, journal, scope
from ptlcd_data.errors import InputError
from ptlcd_data.plan import porteurs
from ptlcd_data.store import Connection, transaction
from ptlcd_data.suivi.engagements import engagement_cells as current_engagements
from ptlcd_data.suivi.status_queries import action_state
from ptlcd_data.vocabulary import NIVEAUX, SANS_STATUT, SOURCE_REVUE, STATUTS

# A comment is a decision's note, not a report: long texts belong in documents.
COMMENT_MAX_CHARS = 2000


def _check(
    conn: Connection,
    action_no: int,
    date_effet: date,
    statut: str | None,
    avancement: int | None,
    engagements: dict[str, str],
    today: date,
) -> None:
    # The action and territories must be in the plan on the date the decision takes effect.
    if not conn.execute(
        "SELECT 1 FROM plan_action(?) WHERE action_no = ?", [date_effet, action_no]
    ).fetchall():
        raise InputError(
            f"L'action n° {action_no} n'est pas dans le plan au {date_effet:%d/%m/%Y}."
        )
    if date_effet > today:
        raise InputError(
            f"La date d'effet ({date_effet:%d/%m/%Y}) est dans le futur : on enregistre ce qui "
            "est décidé ou constaté, au plus tard aujourd'hui."
        )
    if statut is not None and statut not in STATUTS:
        raise InputError(f"Statut « {statut} » inconnu ; statuts possibles : {', '.join(STATUTS)}.")
    if avancement is not None and not 0 <= avancement <= 100:
        raise InputError(f"Avancement {avancement} % impossible : attendu de 0 à 100 %.")
    codes = {
        r[0] for r in conn.execute("SELECT code FROM plan_territoire(?)", [date_effet]).fetchall()
    }
    for code, niveau in engagements.items():
        if code not in codes:
            raise InputError(f"Territoire « {code} » absent du plan.")
        if niveau not in NIVEAUX:
            raise InputError(
                f"Niveau d'engagement « {niveau} » inconnu ; niveaux possibles : "
                f"{', '.join(NIVEAUX)}."
            )


def enregistrer_revue(
    conn: Connection,
    user: auth.User,
    action_no: int,
    *,
    date_effet: date | None = None,
    statut: str | None = None,
    avancement: int | None = None,
    commentaire: str | None = None,
    engagements: dict[str, str] | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """Record what was decided for one action, effective at `date_effet` (default: today).

    Only what is given is recorded: a status record when `statut`, `avancement` or `commentaire`
    is given (the current status is kept when `statut` is None), and one engagement record per
    territory code in `engagements` (code -> level). All or nothing. Returns the counts written.
    A porteur account records only for the actions its porteurs carry (`access.scope`).
    """
    auth.require(user, "porteur")
    today = dates.or_today(today)
    date_effet = date_effet or today
    engagements = dict(engagements or {})
    note = (commentaire or "").strip() or None
    if note and len(note) > COMMENT_MAX_CHARS:
        raise InputError(
            f"Commentaire trop long ({len(note)} caractères) : {COMMENT_MAX_CHARS} au plus."
        )
    if statut is None and avancement is None and note is None and not engagements:
        raise InputError(
            "Rien à enregistrer : choisissez un statut, un avancement ou un niveau "
            "d'engagement, ou écrivez un commentaire."
        )
    _check(conn, action_no, date_effet, statut, avancement, engagements, today)
    scope.check_action(porteurs.scope_of(conn, user), action_no)

    written = {"statut": 0, "engagements": 0}
    with transaction(conn):
        before = action_state(conn, action_no, date_effet) or {}
        ancien: dict[str, Any] = {
            "statut": before.get("statut"),
            "avancement": before.get("avancement"),
        }
        nouveau: dict[str, Any] = {"date_effet": date_effet}
        if statut is not None or avancement is not None or note is not None:
            kept = statut or before.get("statut")
            if kept in (None, SANS_STATUT):
                raise InputError(
                    f"L'action n° {action_no} n'a pas encore de statut à cette date : "
                    "choisissez-en un."
                )
            conn.execute(
                "INSERT INTO statut_record (action_no, date_effet, statut, avancement, "
                "commentaire, auteur, source, enregistre_le) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
                [action_no, date_effet, kept, avancement, note, user.login, SOURCE_REVUE],
            )
            nouveau.update(statut=kept, avancement=avancement, commentaire=note)
            written["statut"] = 1
        if engagements:
            cells = current_engagements(conn, date_effet, actions=(action_no,))
            ancien["engagements"] = {
                code: cells.loc[cells["territoire_code"] == code, "niveau"].iloc[0]
                for code in engagements
            }
            conn.executemany(
                "INSERT INTO engagement_record (action_no, territoire_code, date_effet, niveau, "
                "commentaire, auteur, source, enregistre_le) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
                [
                    (action_no, code, date_effet, niveau, note, user.login, SOURCE_REVUE)
                    for code, niveau in engagements.items()
                ],
            )
            nouveau["engagements"] = engagements
            written["engagements"] = len(engagements)
        journal.log(conn, user, "revue", f"action {action_no}", ancien, nouveau)
    return written
