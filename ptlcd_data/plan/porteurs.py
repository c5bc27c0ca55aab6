"""The porteurs: the organisations that carry the actions and supply indicator values.

`data/porteurs.csv` lists them; plan.csv's `porteurs` column links actions to them and
indicateurs.csv's `fournisseur` names who supplies an indicator's values. Their contact and
address can be completed later (`porteurs set`) without touching the plan's files.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.access.auth import User
from ptlcd_data.errors import InputError
from ptlcd_data.plan import versions
from ptlcd_data.store import Connection

# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Row = dict[str, Any]


def porteur_rows(conn: Connection, as_of: date | None = None) -> list[Row]:
    """Every porteur of the plan at `as_of` (default: today) in the plan's order, with the
    number of actions it carries and of indicators it supplies.

    Keys: code, libelle, type, contact, email, nb_actions, nb_indicateurs.
    """
    cursor = conn.execute(
        """
        SELECT p.code, p.libelle, p.type, p.contact, p.email,
               (SELECT count(*) FROM plan_action_porteur($d) ap WHERE ap.porteur_code = p.code)
                   AS nb_actions,
               (SELECT count(*) FROM plan_indicateur($d) i WHERE i.fournisseur = p.code)
                   AS nb_indicateurs
        FROM plan_porteur($d) p
        ORDER BY p.ordre, p.code
        """,
        {"d": as_of or date.today()},
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def porteur_labels(conn: Connection, as_of: date | None = None) -> dict[str, str]:
    """code → libelle, in the plan's order (at `as_of`, default: today)."""
    return dict(
        conn.execute(
            "SELECT code, libelle FROM plan_porteur(?) ORDER BY ordre, code",
            [as_of or date.today()],
        ).fetchall()
    )


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
    today = date.today()
    with store.transaction(conn):
        current = versions.snapshot(conn, today).porteurs[code]
        before = (current["contact"], current["email"])
        new_contact = before[0] if contact is None else (contact or None)
        new_email = before[1] if email is None else (email or None)
        # A new version of the porteur, effective today: the plan's history keeps the old one.
        fields = {
            f: (old, new)
            for f, old, new in (
                ("contact", before[0], new_contact),
                ("email", before[1], new_email),
            )
            if old != new
        }
        if fields:
            versions.write_changes(
                conn,
                [versions.PlanChange("porteur", code, "modification", fields)],
                date_effet=today,
                auteur=user.login,
                motif="Contact du porteur complété (porteurs set)",
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


def actions_of(conn: Connection, codes: tuple[str, ...]) -> list[int]:
    """The numbers of the actions carried by any of these porteurs, in the plan's order."""
    rows = conn.execute(
        "SELECT DISTINCT action_no FROM plan_action_porteur(current_date) "
        "WHERE porteur_code IN (SELECT unnest(?::VARCHAR[])) ORDER BY action_no",
        [list(codes)],
    ).fetchall()
    return [int(r[0]) for r in rows]


def indicators_of(conn: Connection, codes: tuple[str, ...]) -> list[str]:
    """The codes of the indicators whose values these porteurs supply, in the plan's order."""
    rows = conn.execute(
        "SELECT code FROM plan_indicateur(current_date) WHERE fournisseur IN (SELECT unnest(?::VARCHAR[])) "
        "ORDER BY ordre",
        [list(codes)],
    ).fetchall()
    return [str(r[0]) for r in rows]


def action_owners(conn: Connection, action_nos: list[int]) -> dict[int, list[str]]:
    """action_no → the labels of the porteurs that carry it (an action with none is absent)."""
    rows = conn.execute(
        "SELECT ap.action_no, p.libelle FROM plan_action_porteur(current_date) ap "
        "JOIN plan_porteur(current_date) p ON p.code = ap.porteur_code "
        "WHERE ap.action_no IN (SELECT unnest(?::INTEGER[])) ORDER BY ap.action_no, p.ordre",
        [action_nos],
    ).fetchall()
    out: dict[int, list[str]] = {}
    for action_no, libelle in rows:
        out.setdefault(int(action_no), []).append(str(libelle))
    return out


def indicator_suppliers(conn: Connection, codes: list[str]) -> dict[str, str]:
    """indicator code → the label of the porteur that supplies it (the plan team's are absent)."""
    rows = conn.execute(
        "SELECT i.code, p.libelle FROM plan_indicateur(current_date) i JOIN plan_porteur(current_date) p ON p.code = i.fournisseur "
        "WHERE i.code IN (SELECT unnest(?::VARCHAR[]))",
        [codes],
    ).fetchall()
    return {str(c): str(lib) for c, lib in rows}
