"""Who has replied to a campaign: per porteur, per item, and over time.

An action is up to date when a status record was made for it while the campaign was open (an
import, a confirmation, the review, a porteur's own form), or a dépôt of the campaign that
answers it was sent (waiting, superseded or published: `depots`); an indicator is supplied when a value
or a target for the campaign's year was recorded in that time. Demonstration records and the
plan's initial state never count. The reply rate is the share of a porteur's items (actions and
indicators) answered, from 0 to 100.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from ptlcd_data import dates, exports, formats
from ptlcd_data.campagnes import campaigns
from ptlcd_data.campagnes.campaigns import Campaign
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.store import Connection
from ptlcd_data.vocabulary import AUTEUR_PLAN

# `campaign status` and the page: one row per porteur, these columns, in this order.
STATUS_COLUMNS = [
    "porteur",
    "libelle",
    "actions_dues",
    "actions_a_jour",
    "indicateurs_dus",
    "indicateurs_fournis",
    "taux_reponse",
    "derniere_reponse",
    "relance_le",
    "depots_a_valider",
]
# What the reminder code records in campagne_relance.statut when a message left.
RELANCE_ENVOYEE = "envoyé"


def _window(campaign: Campaign) -> tuple[datetime, datetime]:
    return campaign.ouverte_le, campaign.close_le or datetime.max


def items(conn: Connection, campaign: Campaign) -> pd.DataFrame:
    """One row per item asked of a porteur. Columns: porteur, objet ('action' or
    'indicateur'), cle (action number or indicator code, as text), libelle, premiere_reponse and
    derniere_reponse (timestamps of the first and last reply in the campaign, NaT if none)."""
    since, until = _window(campaign)
    actions = plan_porteurs.carried_actions(conn)  # noqa: F841 - read by the SQL below
    supplied = plan_porteurs.supplied_indicators(conn)  # noqa: F841 - read by the SQL below
    conn.register("ptlcd_actions", actions)
    conn.register("ptlcd_supplied", supplied)
    try:
        return conn.execute(
            """
            WITH sent AS (
                -- A sent dépôt answers its items, before it is published (`depots`).
                SELECT i.objet, i.cle, d.depose_le AS t FROM depot_item i
                JOIN depot d ON d.id = i.depot_id
                WHERE d.etat IN ('a_valider', 'remplace', 'publie') AND d.campagne_id = ?
            ),
            act AS (
                SELECT action_no, min(t) AS premiere, max(t) AS derniere FROM (
                    SELECT action_no, enregistre_le AS t FROM statut_record
                    WHERE NOT demo AND auteur <> ? AND enregistre_le >= ? AND enregistre_le <= ?
                    UNION ALL
                    SELECT CAST(cle AS INTEGER), t FROM sent WHERE objet = 'action'
                ) GROUP BY action_no
            ),
            ind AS (
                SELECT indicateur_code, min(t) AS premiere, max(t) AS derniere FROM (
                    SELECT indicateur_code, enregistre_le AS t FROM indicateur_valeur
                    WHERE periode = 'A' AND annee = ? AND NOT demo AND NOT supprime
                      AND (valeur IS NOT NULL OR cible IS NOT NULL)
                      AND enregistre_le >= ? AND enregistre_le <= ?
                      -- an undone batch, and its undo, answer nothing
                      AND (import_id IS NULL OR import_id NOT IN (
                          SELECT id FROM import_batch WHERE statut <> 'publié'))
                    UNION ALL
                    SELECT cle, t FROM sent WHERE objet = 'indicateur'
                ) GROUP BY indicateur_code
            )
            SELECT a.porteur, 'action' AS objet, CAST(a.action_no AS VARCHAR) AS cle,
                   a.action AS libelle, act.premiere AS premiere_reponse,
                   act.derniere AS derniere_reponse, 1 AS rang, a.action_no AS ordre
            FROM ptlcd_actions a LEFT JOIN act ON act.action_no = a.action_no
            UNION ALL
            SELECT s.porteur, 'indicateur', s.code, s.libelle, ind.premiere, ind.derniere, 2,
                   row_number() OVER ()
            FROM ptlcd_supplied s LEFT JOIN ind ON ind.indicateur_code = s.code
            ORDER BY porteur, rang, ordre
            """,
            [campaign.id, AUTEUR_PLAN, since, until, campaign.annee, since, until],
        ).df()[["porteur", "objet", "cle", "libelle", "premiere_reponse", "derniere_reponse"]]
    finally:
        conn.unregister("ptlcd_actions")
        conn.unregister("ptlcd_supplied")


def last_reminders(conn: Connection, campaign_id: int) -> dict[str, datetime]:
    """porteur code → when the last reminder left (RELANCE_ENVOYEE)."""
    rows = conn.execute(
        "SELECT porteur_code, max(envoye_le) FROM campagne_relance "
        "WHERE campagne_id = ? AND statut = ? GROUP BY porteur_code",
        [campaign_id, RELANCE_ENVOYEE],
    ).fetchall()
    return {str(code): when for code, when in rows}


def completion(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """One row per porteur with at least one item, in the plan's order: STATUS_COLUMNS
    (taux_reponse 0–100, rounded; derniere_reponse and relance_le NaT when none;
    depots_a_valider: its dépôts waiting for a coordinator)."""
    campaign = campaigns.get(conn, campaign_id)
    found = items(conn, campaign)
    porteurs = plan_porteurs.porteurs_with_items(conn)
    reminders = last_reminders(conn, campaign_id)
    waiting = dict(
        conn.execute(
            "SELECT porteur_code, count(*) FROM depot WHERE campagne_id = ? AND etat = 'a_valider' "
            "GROUP BY porteur_code",
            [campaign_id],
        ).fetchall()
    )
    rows: list[dict[str, Any]] = []
    for p in porteurs.itertuples(index=False):
        mine = found[found["porteur"] == p.porteur]
        act = mine[mine["objet"] == "action"]
        ind = mine[mine["objet"] == "indicateur"]
        answered = int(mine["premiere_reponse"].notna().sum())
        rows.append(
            {
                "porteur": p.porteur,
                "libelle": p.libelle,
                "actions_dues": len(act),
                "actions_a_jour": int(act["premiere_reponse"].notna().sum()),
                "indicateurs_dus": len(ind),
                "indicateurs_fournis": int(ind["premiere_reponse"].notna().sum()),
                "taux_reponse": round(100 * answered / len(mine)) if len(mine) else 0,
                "derniere_reponse": mine["derniere_reponse"].max(),
                "relance_le": reminders.get(str(p.porteur)),
                "depots_a_valider": int(waiting.get(str(p.porteur), 0)),
            }
        )
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    for column in ("derniere_reponse", "relance_le"):
        out[column] = pd.to_datetime(out[column])
    return out


def completion_view(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """`completion` as the page shows it: derniere_reponse and relance_le as French text
    (« 02/12/2026 14:05 », « — » when none)."""
    table = completion(conn, campaign_id)
    return table.assign(
        derniere_reponse=[formats.timestamp(v) for v in _or_none(table["derniere_reponse"])],
        relance_le=[formats.day(v) for v in _or_none(table["relance_le"])],
    )


def _or_none(column: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v.to_pydatetime() for v in column]


def status_csv(conn: Connection, campaign_id: int) -> bytes:
    """`completion` as a CSV French spreadsheets read (what `campaign status --format csv`
    writes)."""
    return exports.to_csv_bytes(completion(conn, campaign_id))


def overall_rate(conn: Connection, campaign_id: int) -> float | None:
    """The share (0–100) of every item asked that was answered; None when nothing is asked."""
    found = items(conn, campaigns.get(conn, campaign_id))
    if found.empty:
        return None
    return float(100 * found["premiere_reponse"].notna().sum() / len(found))


def missing(conn: Connection, campaign_id: int, code: str) -> pd.DataFrame:
    """What a porteur has not answered yet (a reminder lists it). Columns: objet ('action' or
    'indicateur'), cle, libelle."""
    found = items(conn, campaigns.get(conn, campaign_id))
    mine = found[(found["porteur"] == code) & found["premiere_reponse"].isna()]
    return mine[["objet", "cle", "libelle"]].reset_index(drop=True)


def replies_by_day(conn: Connection, campaign_id: int, today: date | None = None) -> pd.DataFrame:
    """Each day from the opening to the later of the deadline and today (or the closing):
    jour, reponses (items first answered that day), taux (cumulated share answered, 0–100)."""
    campaign = campaigns.get(conn, campaign_id)
    found = items(conn, campaign)
    end = campaign.close_le.date() if campaign.close_le else dates.or_today(today)
    days = pd.date_range(campaign.ouverte_le.date(), max(end, campaign.echeance), freq="D")
    first = pd.to_datetime(found["premiere_reponse"]).dt.normalize()
    per_day = first.value_counts().reindex(days, fill_value=0).astype(int)
    total = len(found)
    cumul = per_day.cumsum()
    return pd.DataFrame(
        {
            "jour": days,
            "reponses": per_day.to_numpy(),
            "taux": (100 * cumul / total).to_numpy() if total else 0.0,
        }
    )


def describe_replies(by_day: pd.DataFrame, campaign: Campaign) -> str:
    """The chart's text alternative: where the overall rate stands against the deadline."""
    if by_day.empty:
        return f"Aucune réponse à la campagne « {campaign.nom} »."
    upto = by_day[by_day["jour"].dt.date <= min(date.today(), campaign.echeance)]
    rate = float(upto["taux"].iloc[-1]) if not upto.empty else 0.0
    return (
        f"Taux de réponse cumulé de la campagne « {campaign.nom} », jour par jour depuis son "
        f"ouverture le {formats.day(campaign.ouverte_le)} : {formats.percent(rate)} au "
        f"{formats.day(upto['jour'].iloc[-1] if not upto.empty else campaign.ouverte_le)}, "
        f"{int(by_day['reponses'].sum())} réponse(s) en tout ; échéance le "
        f"{formats.day(campaign.echeance)}."
    )


def year_sentence(conn: Connection, year: int) -> str:
    """The annual summary's sentence on the campaign that asked for `year`'s values (the latest
    one), or that there was none."""
    campaign = campaigns.of_year(conn, year)
    if campaign is None:
        return f"Aucune campagne de suivi n'a demandé aux porteurs les informations de {year}."
    found = items(conn, campaign)
    answered = int(found["premiere_reponse"].notna().sum())
    rate = 100 * answered / len(found) if len(found) else 0.0
    state = "en cours" if campaign.is_open else "close"
    return (
        f"Campagne de suivi « {campaign.nom} » ({state}, échéance "
        f"{formats.day(campaign.echeance)}) : taux de réponse des porteurs "
        f"{formats.percent(rate)} ({answered} réponse(s) sur {len(found)} demandée(s))."
    )
