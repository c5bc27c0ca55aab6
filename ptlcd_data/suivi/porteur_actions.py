"""What a porteur has to report on: its actions as they stand, and the indicators it supplies.

The questions of the page "Mes actions", for one or more porteur codes (a porteur account's, or
the porteur a staff member chose). Which actions and indicators are a porteur's is read from the
plan (`plan/porteurs.py`); their state from the follow-up and the indicator values.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ptlcd_data import formats
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import porteurs
from ptlcd_data.store import Connection
from ptlcd_data.suivi import status_queries

# An action and where it stands: the table of the page "Mes actions" shows these, in this order.
STATE_COLUMNS = [
    "action_no",
    "action",
    "statut",
    "avancement",
    "commentaire",
    "date_dernier",
    "calendrier",
]
ACTION_COLUMNS = [*STATE_COLUMNS, "en_retard", "motif_retard"]
INDICATOR_COLUMNS = [
    "code",
    "libelle",
    "unite",
    "annee_attendue",
    "derniere_valeur",
    "derniere_annee",
    "derniere_territoire",
    "fourni",
]


def porteur_actions(conn: Connection, codes: tuple[str, ...], as_of: date) -> pd.DataFrame:
    """The actions carried by these porteurs as they stood at `as_of`, in the plan's order.

    Columns (`ACTION_COLUMNS`): action_no, action (wording), statut, avancement (0–100 or
    empty), commentaire (of the latest record), date_dernier (its date d'effet), calendrier (the
    plan's text), en_retard, motif_retard. No porteur, or a porteur without actions: no rows.
    """
    numbers = tuple(porteurs.actions_of(conn, codes)) if codes else ()
    if not numbers:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    etat = status_queries.action_states(conn, as_of, actions=numbers)
    return etat[ACTION_COLUMNS].reset_index(drop=True)


def porteur_indicators(conn: Connection, codes: tuple[str, ...], as_of: date) -> pd.DataFrame:
    """The indicators these porteurs supply, with their latest known value at `as_of`.

    The year expected is the last complete year (`valeurs.last_complete_year`). Columns
    (`INDICATOR_COLUMNS`): code, libelle, unite, annee_attendue, derniere_valeur (text, French
    format, "—" without any), derniere_annee, derniere_territoire (of the latest value, the
    first territory in the plan's order when several have one that year), fourni (a value
    exists for the year expected, in at least one territory).
    """
    supplied = porteurs.indicateurs_of(conn, codes) if codes else []
    if not supplied:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    expected = valeurs.last_complete_year(as_of)
    catalogue = valeurs.catalogue(conn).set_index("code")
    current = valeurs.current_values(conn, as_of, indicateurs=supplied)
    current = current[current["valeur"].notna()]
    rows = []
    for code in supplied:
        mine = current[current["indicateur_code"] == code]
        unite = str(catalogue.loc[code, "unite"])
        row = {
            "code": code,
            "libelle": str(catalogue.loc[code, "libelle"]),
            "unite": unite,
            "annee_attendue": expected,
            "derniere_valeur": "—",
            "derniere_annee": None,
            "derniere_territoire": None,
            "fourni": bool((mine["annee"] == expected).any()),
        }
        if not mine.empty:
            # current_values is in the plan's territory order: the first of the latest year.
            last = mine[mine["annee"] == mine["annee"].max()].iloc[0]
            value = float(last["valeur"])
            shown = formats.number(value, 0 if value.is_integer() else 2)
            row.update(
                derniere_valeur=f"{shown}\u00a0%" if unite == "%" else shown,
                derniere_annee=int(last["annee"]),
                derniere_territoire=str(last["territoire"]),
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
