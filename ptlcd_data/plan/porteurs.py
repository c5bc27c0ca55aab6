"""The porteurs: the organisations that carry the actions and supply indicator values.

`data/porteurs.csv` lists them; plan.csv's `porteurs` column links actions to them and
indicateurs.csv's `fournisseur` names who supplies an indicator's values. Their contact and
address can be completed later (`porteurs set`) without touching the plan's files.
"""

from __future__ import annotations

import re
from typing import Any

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.access.auth import User
from ptlcd_data.errors import InputError
from ptlcd_data.store import Connection

# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Row = dict[str, Any]


def porteur_rows(conn: Connection) -> list[Row]:
    """Every porteur in the plan's order, with the number of actions it carries and of
    indicators it supplies.

    Keys: code, libelle, type, contact, email, nb_actions, nb_indicateurs.
    """
    cursor = conn.execute(
        """
        SELECT p.code, p.libelle, p.type, p.contact, p.email,
               (SELECT count(*) FROM action_porteur ap WHERE ap.porteur_code = p.code)
                   AS nb_actions,
               (SELECT count(*) FROM indicateur i WHERE i.fournisseur = p.code)
                   AS nb_indicateurs
        FROM porteur p
        ORDER BY p.ordre
        """
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def porteur_labels(conn: Connection) -> dict[str, str]:
    """code → libelle, in the plan's order."""
    return dict(conn.execute("SELECT code, libelle FROM porteur ORDER BY ordre").fetchall())


def check_codes(conn: Connection, codes: list[str]) -> list[str]:
    """The codes, each checked against the plan; an unknown one is refused in French."""
    known = porteur_labels(conn)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError(
            f"Porteur inconnu : {', '.join(unknown)}. Porteurs du plan : {', '.join(known)}."
        )
    return codes


def set_contact(
    conn: Connection,
    user: User | None,
    code: str,
    *,
    email: str | None = None,
    contact: str | None = None,
) -> Row:
    """Record a porteur's address and/or contact name (admin). "" clears a value; None keeps it.

    Returns the porteur's row after the change.
    """
    auth.require(user, "admin")
    assert user is not None
    check_codes(conn, [code])
    if email is not None:
        email = email.strip()
        if email and not EMAIL.match(email):
            raise InputError(f"Adresse e-mail invalide : « {email} ».")
    if contact is not None:
        contact = contact.strip()
    if email is None and contact is None:
        raise InputError("Rien à modifier : indiquez --email ou --contact.")
    with store.transaction(conn):
        before = conn.execute(
            "SELECT contact, email FROM porteur WHERE code = ?", [code]
        ).fetchone()
        assert before is not None
        new_contact = before[0] if contact is None else (contact or None)
        new_email = before[1] if email is None else (email or None)
        conn.execute(
            "UPDATE porteur SET contact = ?, email = ? WHERE code = ?",
            [new_contact, new_email, code],
        )
        journal.log(
            conn,
            user,
            "porteur",
            f"porteur {code}",
            {"contact": before[0], "email": before[1]},
            {"contact": new_contact, "email": new_email},
        )
    return next(r for r in porteur_rows(conn) if r["code"] == code)
