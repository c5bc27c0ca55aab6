"""The porteurs: the organisations that carry the actions and supply indicator values.

`data/porteurs.csv` lists them; plan.csv's `porteurs` column links actions to them and
indicateurs.csv's `fournisseur` names who supplies an indicator's values. Their contact and
address can be completed later (`porteurs set`) without touching the plan's files.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from ptlcd_data import dates, store
from ptlcd_data.access import auth, journal, liens
from ptlcd_data.access.auth import User
from ptlcd_data.access.scope import Scope
from ptlcd_data.errors import InputError
from ptlcd_data.plan import publishing, versions
from ptlcd_data.store import Connection

# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

if TYPE_CHECKING:  # pandas is imported where a table is made: the home page never needs it
    import pandas as pd

Row = dict[str, Any]


def porteur_rows(conn: Connection, as_of: date | None = None) -> list[Row]:
    """Every porteur of the plan at `as_of` (default: today) in the plan's order, with the
    number of actions it carries and of indicators it supplies.

    Keys: code, libelle, type, contact, email, nb_actions, nb_indicateurs.
    """
    day = dates.or_today(as_of)
    cursor = conn.execute(
        "SELECT code, libelle, type, contact, email FROM plan_porteur(?) ORDER BY ordre, code",
        [day],
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    nb_actions = carried_actions(conn, day)["porteur"].value_counts()
    nb_indicateurs = supplied_indicators(conn, day)["porteur"].value_counts()
    for row in rows:
        row["nb_actions"] = int(nb_actions.get(row["code"], 0))
        row["nb_indicateurs"] = int(nb_indicateurs.get(row["code"], 0))
    return rows


def carried_actions(conn: Connection, as_of: date | None = None) -> pd.DataFrame:
    """One row per porteur and action it carries at `as_of` (default: today), by porteur code
    then action number. Columns: porteur (code), action_no, action (its label), calendrier.

    With `supplied_indicators`, the only reader of the links between porteurs and the plan.
    """
    return conn.execute(
        """
        SELECT ap.porteur_code AS porteur, a.action_no, a.libelle AS action, a.calendrier
        FROM plan_action_porteur($d) ap JOIN plan_action($d) a ON a.action_no = ap.action_no
        ORDER BY ap.porteur_code, a.action_no
        """,
        {"d": dates.or_today(as_of)},
    ).df()


def supplied_indicators(conn: Connection, as_of: date | None = None) -> pd.DataFrame:
    """One row per indicator whose values a porteur supplies at `as_of` (default: today), in the
    plan's order. Columns: porteur (the fournisseur's code), code, libelle."""
    return conn.execute(
        "SELECT fournisseur AS porteur, code, libelle FROM plan_indicateur(?) "
        "WHERE fournisseur IS NOT NULL ORDER BY ordre",
        [dates.or_today(as_of)],
    ).df()


def porteurs_with_items(conn: Connection) -> pd.DataFrame:
    """The porteurs carrying at least one action or supplying at least one indicator today, in
    the plan's order (what a campaign asks). Columns: porteur (code), libelle, email, contact."""
    import pandas as pd

    rows = [r for r in porteur_rows(conn) if r["nb_actions"] or r["nb_indicateurs"]]
    return pd.DataFrame(
        [(r["code"], r["libelle"], r["email"], r["contact"]) for r in rows],
        columns=["porteur", "libelle", "email", "contact"],
    )


def porteur_labels(conn: Connection, as_of: date | None = None) -> dict[str, str]:
    """code → libelle, in the plan's order (at `as_of`, default: today)."""
    return dict(
        conn.execute(
            "SELECT code, libelle FROM plan_porteur(?) ORDER BY ordre, code",
            [dates.or_today(as_of)],
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
            publishing.write_changes(
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
    links = carried_actions(conn)
    return sorted({int(n) for n in links.loc[links["porteur"].isin(codes), "action_no"]})


def indicateurs_of(conn: Connection, codes: tuple[str, ...]) -> list[str]:
    """The codes of the indicators whose values these porteurs supply, in the plan's order."""
    supplied = supplied_indicators(conn)
    return [str(c) for c in supplied.loc[supplied["porteur"].isin(codes), "code"]]


def scope_of(conn: Connection, user: User | None) -> Scope | None:
    """The scope of a porteur account, read from the plan now; None for every other user (no
    limit beyond the role). What a write open to porteurs hands to `access.scope`'s checks.
    A reply link's session is refused here (PermissionDenied) once its link is no longer valid."""
    if user is None or not user.is_porteur:
        return None
    if user.lien is not None:  # a reply link writes only while it is valid
        liens.check_live(conn, user.lien)
    return porteurs_scope(conn, user.porteurs)


def porteurs_scope(conn: Connection, codes: tuple[str, ...]) -> Scope:
    """What these porteurs may record: the actions they carry, the indicators they supply; and,
    for the refusals, who carries every action and supplies every indicator of the plan."""
    links = carried_actions(conn)
    supplied = supplied_indicators(conn)
    labels = porteur_labels(conn)
    return Scope(
        codes,
        frozenset(int(n) for n in links.loc[links["porteur"].isin(codes), "action_no"]),
        frozenset(str(c) for c in supplied.loc[supplied["porteur"].isin(codes), "code"]),
        owners=_owners(links, labels),
        suppliers=_suppliers(supplied, labels),
    )


def _owners(links: pd.DataFrame, labels: dict[str, str]) -> dict[int, tuple[str, ...]]:
    """action_no -> the labels of the porteurs that carry it, in the plan's order (an action with
    none is absent). `links`: `carried_actions`; `labels`: `porteur_labels`."""
    carriers: dict[int, set[str]] = {}
    for action_no, porteur in zip(links["action_no"], links["porteur"], strict=True):
        carriers.setdefault(int(action_no), set()).add(str(porteur))
    out = {}
    for action_no, codes in sorted(carriers.items()):
        owners = tuple(lib for code, lib in labels.items() if code in codes)
        if owners:
            out[action_no] = owners
    return out


def _suppliers(supplied: pd.DataFrame, labels: dict[str, str]) -> dict[str, str]:
    """indicator code -> the label of the porteur that supplies it (the plan team's are absent).
    `supplied`: `supplied_indicators`; `labels`: `porteur_labels`."""
    return {
        str(code): labels[porteur]
        for code, porteur in zip(supplied["code"], supplied["porteur"], strict=True)
        if porteur in labels
    }
