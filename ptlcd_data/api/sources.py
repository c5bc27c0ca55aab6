"""The listings computed in Python before they are paged: action states (the lateness rules are
pandas functions), campaigns and their completion. Each returns a DataFrame with the listing's
columns (and `_rang`, the order to page in), which `listings` reads through DuckDB like a table."""

from __future__ import annotations

import pandas as pd

from ptlcd_data.api.params import Args
from ptlcd_data.campagnes import campaigns, completion
from ptlcd_data.errors import NotFound
from ptlcd_data.store import Connection
from ptlcd_data.suivi.status_queries import action_states


def _ranked(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index(drop=True)
    out.insert(0, "_rang", range(len(out)))
    return out


def etats(conn: Connection, args: Args) -> pd.DataFrame:
    """Every action's state at `args.as_of` (`suivi.status_queries.action_states`)."""
    df = action_states(conn, args.as_of, avec_demo=args.avec_demo)
    return _ranked(df.rename(columns={"action": "libelle", "date_dernier": "dernier"}))


def campagnes(conn: Connection, args: Args) -> pd.DataFrame:
    """Every campaign, newest first, with its overall reply rate."""
    rows = [
        {
            "id": c.id,
            "nom": c.nom,
            "annee": c.annee,
            "echeance": c.echeance,
            "ouverte_le": c.ouverte_le,
            "close_le": c.close_le,
            "ouverte": c.is_open,
            "taux_reponse": completion.overall_rate(conn, c.id),
        }
        for c in campaigns.campaigns(conn)
    ]
    columns = ["id", "nom", "annee", "echeance", "ouverte_le", "close_le", "ouverte"]
    frame = pd.DataFrame(rows, columns=[*columns, "taux_reponse"])
    frame["close_le"] = pd.to_datetime(frame["close_le"])
    frame["taux_reponse"] = frame["taux_reponse"].astype("Float64")
    return _ranked(frame)


def campaign_completion(conn: Connection, args: Args) -> pd.DataFrame:
    """One campaign's completion per porteur (`campagnes.completion`); NotFound when there is
    no campaign with that number."""
    number = int(args.path["campagne"])
    if number not in {c.id for c in campaigns.campaigns(conn)}:
        raise NotFound(
            f"Aucune campagne n° {number} (la liste : /api/v1/campagnes, ou la commande "
            "« campaign list »)."
        )
    return _ranked(completion.completion(conn, number))
