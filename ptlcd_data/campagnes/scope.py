"""What a campaign asks of each porteur: the actions it carries, the indicators it supplies.

The only module of `campagnes` that reads the plan's tables (porteur, action_porteur,
indicateur.fournisseur): the rest asks it.
"""

from __future__ import annotations

import pandas as pd

from ptlcd_data.store import Connection


def porteurs_asked(conn: Connection) -> pd.DataFrame:
    """The porteurs with at least one action or indicator, in the plan's order.

    Columns: porteur (code), libelle, email, contact.
    """
    return conn.execute(
        """
        SELECT p.code AS porteur, p.libelle, p.email, p.contact
        FROM plan_porteur(current_date) p
        WHERE EXISTS (SELECT 1 FROM plan_action_porteur(current_date) ap WHERE ap.porteur_code = p.code)
           OR EXISTS (SELECT 1 FROM plan_indicateur(current_date) i WHERE i.fournisseur = p.code)
        ORDER BY p.ordre
        """
    ).df()


def actions_asked(conn: Connection) -> pd.DataFrame:
    """One row per porteur and action it carries. Columns: porteur, action_no, action,
    calendrier."""
    return conn.execute(
        """
        SELECT ap.porteur_code AS porteur, a.action_no, a.libelle AS action, a.calendrier
        FROM plan_action_porteur(current_date) ap JOIN plan_action(current_date) a ON a.action_no = ap.action_no
        ORDER BY ap.porteur_code, a.action_no
        """
    ).df()


def indicators_asked(conn: Connection) -> pd.DataFrame:
    """One row per indicator supplied by a porteur. Columns: porteur, code, libelle."""
    return conn.execute(
        """
        SELECT fournisseur AS porteur, code, libelle FROM plan_indicateur(current_date)
        WHERE fournisseur IS NOT NULL ORDER BY ordre
        """
    ).df()


def porteur_label(conn: Connection, code: str) -> str | None:
    row = conn.execute(
        "SELECT libelle FROM plan_porteur(current_date) WHERE code = ?", [code]
    ).fetchone()
    return str(row[0]) if row else None
