"""The tables of the annual summary, built from the follow-up and indicator questions.

Each builder returns a table with French headers (`columns`) and numbers left as
numbers; `synthese.synthese_annuelle` calls them for one year.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ptlcd_data import formats
from ptlcd_data.access.auth import author_name_sql
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.indicateurs.rules import SENS_LABELS
from ptlcd_data.store import Connection
from ptlcd_data.suivi import engagements
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo
from ptlcd_data.vocabulary import NIVEAUX_AFFICHES, STATUTS_AFFICHES


def as_days(series: pd.Series) -> pd.Series:
    """Timestamps as plain dates (NaT -> None), so spreadsheets and tables show days."""
    out = pd.to_datetime(series).dt.date
    return out.astype("object").where(pd.notna(series), None)


def actions_dans_annee(etat: pd.DataFrame, column: str, start: date, end: date) -> pd.DataFrame:
    when = pd.to_datetime(etat[column])
    keep = when.notna() & (when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))
    return etat[keep]


def _action_columns(etat: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        col.COL_AXE_NO: etat["axe_no"].astype("int64"),
        col.COL_AXE: etat["axe"],
        col.COL_ACTION_NO: etat["action_no"].astype("int64"),
        col.COL_ACTION: etat["action"],
        col.COL_PORTEUR: etat["porteur"],
        col.COL_CALENDRIER: etat["calendrier"],
    }


def table_realisees(etat: pd.DataFrame) -> pd.DataFrame:
    """Actions completed during the year: … Réalisée le, Glissement de la fin (mois)."""
    return pd.DataFrame(
        {
            **_action_columns(etat),
            col.COL_REALISEE_LE: as_days(etat["fin_reelle"]),
            col.COL_GLISSEMENT_FIN: etat["glissement_fin_mois"].astype("Int64"),
        }
    ).reset_index(drop=True)


def table_commencees(etat: pd.DataFrame) -> pd.DataFrame:
    """Actions started during the year: … Commencée le, Statut, Glissement du début (mois)."""
    return pd.DataFrame(
        {
            **_action_columns(etat),
            col.COL_COMMENCEE_LE: as_days(etat["debut_reel"]),
            col.COL_STATUT: etat["statut"],
            col.COL_GLISSEMENT_DEBUT: etat["glissement_debut_mois"].astype("Int64"),
        }
    ).reset_index(drop=True)


def table_retards(etat: pd.DataFrame) -> pd.DataFrame:
    """Late actions, the longest slippage first: … Statut, Pourquoi en retard, both slippages."""
    late = etat[etat["en_retard"]]
    late = late.sort_values(
        ["glissement_fin_mois", "glissement_debut_mois", "action_no"],
        ascending=[False, False, True],
        na_position="last",
    )
    return pd.DataFrame(
        {
            **_action_columns(late),
            col.COL_STATUT: late["statut"],
            col.COL_POURQUOI_RETARD: late["motif_retard"],
            col.COL_GLISSEMENT_DEBUT: late["glissement_debut_mois"].astype("Int64"),
            col.COL_GLISSEMENT_FIN: late["glissement_fin_mois"].astype("Int64"),
        }
    ).reset_index(drop=True)


def table_statuts(etat: pd.DataFrame) -> pd.DataFrame:
    """Statut, Actions, Part (%) — every status, in vocabulary order, zeros included."""
    counts = etat["statut"].value_counts().reindex(list(STATUTS_AFFICHES), fill_value=0)
    total = max(1, len(etat))
    return pd.DataFrame(
        {
            col.COL_STATUT: list(STATUTS_AFFICHES),
            col.COL_ACTIONS: counts.to_numpy().astype("int64"),
            col.COL_PART: (100.0 * counts.to_numpy() / total).round(1),
        }
    )


def _en_difficulte(etat: pd.DataFrame) -> pd.Series:
    return etat["en_retard"].astype(bool) | etat["statut"].isin(meteo.STATUTS_DIFFICULTE)


def avancement_par_axe(catalogue: pd.DataFrame, summary: pd.DataFrame) -> dict[int, float]:
    """Mean progress toward target of each axis's series followed for two years or more."""
    if summary.empty:
        return {}
    years = summary["annee_actuelle"] - summary["annee_initiale"] + 1
    followed = summary[(years >= meteo.MIN_ANNEES_INDICATEUR) & summary["avancement"].notna()]
    axes = catalogue.set_index("code")["axe_no"]
    means = followed.assign(axe_no=followed["indicateur_code"].map(axes)).groupby("axe_no")[
        "avancement"
    ]
    return {int(k): float(v) for k, v in means.mean().items()}


def table_axes(etat: pd.DataFrame, avancement: dict[int, float]) -> pd.DataFrame:
    """One row per axis: N° axe, Axe, Actions, one column per status, Part réalisée (%),
    En retard, En difficulté, Avancement des indicateurs (%), Météo, Pourquoi."""
    rows = []
    difficulte = _en_difficulte(etat)
    for (axe_no, axe), part in etat.groupby(["axe_no", "axe"], sort=True):
        n = len(part)
        counts = part["statut"].value_counts()
        ind = avancement.get(int(axe_no))
        ind = None if ind is None else round(ind, 1)  # the rule reads the figure shown
        m = meteo.meteo(
            meteo.AxeEtat(
                nb_actions=n,
                nb_avancees=int(part["statut"].isin(meteo.STATUTS_AVANCES).sum()),
                nb_en_difficulte=int(difficulte.loc[part.index].sum()),
                avancement_indicateurs=ind,
            )
        )
        rows.append(
            {
                col.COL_AXE_NO: int(axe_no),
                col.COL_AXE: axe,
                col.COL_ACTIONS: n,
                **{s: int(counts.get(s, 0)) for s in STATUTS_AFFICHES},
                col.COL_PART_REALISEE: round(100.0 * counts.get("Réalisé", 0) / n, 1),
                col.COL_EN_RETARD: int(part["en_retard"].sum()),
                col.COL_EN_DIFFICULTE: int(difficulte.loc[part.index].sum()),
                col.COL_AVANCEMENT_INDICATEURS: np.nan if ind is None else ind,
                col.COL_METEO: m.label,
                col.COL_POURQUOI: m.raison,
            }
        )
    columns = [
        col.COL_AXE_NO,
        col.COL_AXE,
        col.COL_ACTIONS,
        *STATUTS_AFFICHES,
        col.COL_PART_REALISEE,
        col.COL_EN_RETARD,
        col.COL_EN_DIFFICULTE,
        col.COL_AVANCEMENT_INDICATEURS,
        col.COL_METEO,
        col.COL_POURQUOI,
    ]
    return pd.DataFrame(rows, columns=columns)


def table_engagement(
    conn: Connection, obs: date, fin_precedente: date, debut: date
) -> pd.DataFrame:
    """Per territory: Territoire, one column per level, Engagée ou réalisée, the same at the end
    of the previous year, Changements dans l'année (engagement records dated in the year)."""
    now = engagements.engagement_by_territory(conn, obs)
    before = engagements.engagement_by_territory(conn, fin_precedente)
    changes = conn.execute(
        """
        SELECT t.libelle AS territoire, count(e.id) AS changements
        FROM plan_territoire($obs) t
        LEFT JOIN engagement_record e
            ON e.territoire_code = t.code AND e.date_effet BETWEEN $debut AND $obs
        GROUP BY t.libelle, t.ordre ORDER BY t.ordre
        """,
        {"debut": debut, "obs": obs},
    ).df()
    out = pd.DataFrame({col.COL_TERRITOIRE: now["territoire"]})
    for niveau in reversed(NIVEAUX_AFFICHES):  # Réalisée first: what is done reads first
        out[niveau] = now[niveau].astype("int64")
    out[col.COL_ENGAGES] = now["engagees"].astype("int64")
    previous = dict(zip(before["territoire"], before["engagees"], strict=False))
    out[col.COL_ENGAGES_AVANT] = out[col.COL_TERRITOIRE].map(previous).fillna(0).astype("int64")
    counted = dict(zip(changes["territoire"], changes["changements"], strict=False))
    out[col.COL_CHANGEMENTS] = out[col.COL_TERRITOIRE].map(counted).fillna(0).astype("int64")
    return out


def _meets(values: pd.Series, targets: pd.Series, sens: pd.Series) -> pd.Series:
    down = sens.eq("baisse")
    return (down & (values <= targets)) | (~down & (values >= targets))


def table_indicateurs(
    catalogue: pd.DataFrame, summary: pd.DataFrame, last_year: int
) -> pd.DataFrame:
    """One row per indicator of the plan, with its reference territory (the first, in the plan's
    order, that has values): N° axe, Axe, Code, Indicateur, Unité, Sens, Territoire de référence,
    Année initiale, Valeur initiale, Dernière année, Dernière valeur, Année de la cible, Cible,
    Cible de la dernière année, À la cible (oui / non / —), Avancement (%), Tendance, Alertes,
    Territoires suivis, Territoires avec une cible pour l'année, Territoires à la cible de
    l'année. `summary` comes without words (its reference rows get theirs here); `last_year` is
    the last complete year of the observation date."""
    with_target = summary["cible_annee_actuelle"].notna() & summary["valeur_actuelle"].notna()
    summary = summary.assign(
        a_cible=with_target,
        cible_tenue=with_target
        & _meets(summary["valeur_actuelle"], summary["cible_annee_actuelle"], summary["sens"]),
    )
    per = summary.groupby("indicateur_code").agg(
        suivis=("territoire_code", "size"),
        a_cible=("a_cible", "sum"),
        tenues=("cible_tenue", "sum"),
    )
    ref = valeurs.with_words(summary.drop_duplicates("indicateur_code"), last_year)
    ref = ref.set_index("indicateur_code")
    cat = catalogue.set_index("code")
    r = ref.reindex(cat.index)
    p = per.reindex(cat.index)
    return pd.DataFrame(
        {
            col.COL_AXE_NO: cat["axe_no"].astype("int64"),
            col.COL_AXE: cat["axe"],
            col.COL_CODE: cat.index,
            col.COL_INDICATEUR: cat["libelle"],
            col.COL_UNITE: cat["unite"],
            col.COL_SENS: cat["sens"].map(lambda s: SENS_LABELS.get(s, s)),
            col.COL_TERRITOIRE_REFERENCE: r["territoire"],
            col.COL_ANNEE_INITIALE: r["annee_initiale"].astype("Int64"),
            col.COL_VALEUR_INITIALE: r["valeur_initiale"].astype("float64"),
            col.COL_DERNIERE_ANNEE: r["annee_actuelle"].astype("Int64"),
            col.COL_DERNIERE_VALEUR: r["valeur_actuelle"].astype("float64"),
            col.COL_ANNEE_CIBLE: r["annee_cible"].astype("Int64"),
            col.COL_CIBLE: r["cible_finale"].astype("float64"),
            col.COL_CIBLE_DERNIERE_ANNEE: r["cible_annee_actuelle"].astype("float64"),
            "À la cible": _a_la_cible(r),
            col.COL_AVANCEMENT: r["avancement"].astype("float64").round(1),
            col.COL_TENDANCE: r["tendance"].fillna("—"),
            col.COL_ALERTES: r["alertes"].map(lambda a: " ".join(a) if isinstance(a, list) else ""),
            col.COL_TERRITOIRES_SUIVIS: p["suivis"].fillna(0).astype("int64"),
            "Territoires avec une cible pour l'année": p["a_cible"].fillna(0).astype("int64"),
            col.COL_TERRITOIRES_A_LA_CIBLE: p["tenues"].fillna(0).astype("int64"),
        }
    ).reset_index(drop=True)


def table_series(conn: Connection, obs: date, summary: pd.DataFrame) -> pd.DataFrame:
    """The yearly values of each indicator in its reference territory, for the charts.

    Columns: Code, Territoire, Année, Valeur, Cible.
    """
    ref = summary.drop_duplicates("indicateur_code")
    columns = [col.COL_CODE, col.COL_TERRITOIRE, col.COL_ANNEE, col.COL_VALEUR, col.COL_CIBLE]
    if ref.empty:
        return pd.DataFrame(columns=columns)
    values = valeurs.current_values(
        conn,
        obs,
        indicateurs=ref["indicateur_code"].tolist(),
        territoires=sorted(set(ref["territoire_code"])),
    )
    pairs = set(zip(ref["indicateur_code"], ref["territoire_code"], strict=True))
    keep = [
        (i, t) in pairs
        for i, t in zip(values["indicateur_code"], values["territoire_code"], strict=True)
    ]
    values = values[keep]
    out = pd.DataFrame(
        {
            col.COL_CODE: values["indicateur_code"],
            col.COL_TERRITOIRE: values["territoire"],
            col.COL_ANNEE: values["annee"].astype("int64"),
            col.COL_VALEUR: values["valeur"].astype("float64"),
            col.COL_CIBLE: values["cible"].astype("float64"),
        }
    )
    return out.reset_index(drop=True)


def _a_la_cible(ref: pd.DataFrame) -> pd.Series:
    """'oui' / 'non' when the latest value has a target for its own year, else '—'."""
    known = ref["cible_annee_actuelle"].notna() & ref["valeur_actuelle"].notna()
    tenue = _meets(ref["valeur_actuelle"], ref["cible_annee_actuelle"], ref["sens"].fillna(""))
    return pd.Series(np.where(known, np.where(tenue, "oui", "non"), "—"), index=ref.index)


def table_commentaires(conn: Connection, start: date, end: date) -> tuple[pd.DataFrame, int]:
    """Comments of status and engagement records dated in the year, oldest first.

    One decision recorded for an action (a status and engagements with the same note, the
    same day, by the same author) is one comment: its subjects are joined in `Sujet`.
    Columns: Date, N°, Action, Sujet, Commentaire, Auteur. At most col.COMMENTS_MAX rows; the
    second value is the total.
    """
    df = conn.execute(
        f"""
        WITH c AS (
            SELECT r.date_effet, r.action_no, 0 AS genre, 0 AS ordre,
                   'Statut : ' || r.statut AS sujet, r.commentaire,
                   {author_name_sql("r.auteur")} AS auteur, r.enregistre_le
            FROM statut_record r
            WHERE r.date_effet BETWEEN $start AND $end AND trim(r.commentaire) <> ''
            UNION ALL
            SELECT e.date_effet, e.action_no, 1, t.ordre,
                   'Engagement de ' || t.libelle || ' : ' || e.niveau, e.commentaire,
                   {author_name_sql("e.auteur")}, e.enregistre_le
            FROM engagement_record e JOIN plan_territoire($end) t ON t.code = e.territoire_code
            WHERE e.date_effet BETWEEN $start AND $end AND trim(e.commentaire) <> ''
        ),
        g AS (
            SELECT date_effet, action_no, commentaire, auteur,
                   string_agg(sujet, ' ; ' ORDER BY genre, ordre) AS sujet,
                   min(genre) AS genre, min(enregistre_le) AS enregistre_le
            FROM c GROUP BY date_effet, action_no, commentaire, auteur
        )
        SELECT g.date_effet, g.action_no, x.libelle AS action, g.sujet, g.commentaire, g.auteur,
               count(*) OVER () AS total
        FROM g JOIN plan_action($end) x ON x.action_no = g.action_no
        ORDER BY g.date_effet, g.action_no, g.genre, g.enregistre_le, g.sujet
        LIMIT $max
        """,  # noqa: S608 - fixed fragments; values are bound
        {"start": start, "end": end, "max": col.COMMENTS_MAX},
    ).df()
    total = int(df["total"].iloc[0]) if not df.empty else 0
    out = pd.DataFrame(
        {
            col.COL_DATE: as_days(df["date_effet"]),
            col.COL_ACTION_NO: df["action_no"].astype("int64"),
            col.COL_ACTION: df["action"],
            col.COL_SUJET: df["sujet"],
            col.COL_COMMENTAIRE: df["commentaire"],
            col.COL_AUTEUR: df["auteur"],
        }
    )
    return out, total


def derniere_donnee(conn: Connection, obs: date) -> date | None:
    rows = conn.execute(
        """
        SELECT max(d) FROM (
            SELECT max(date_effet) AS d FROM statut_record WHERE date_effet <= $obs
            UNION ALL SELECT max(date_effet) FROM engagement_record WHERE date_effet <= $obs
            UNION ALL SELECT max(CAST(enregistre_le AS DATE)) FROM indicateur_valeur
                      WHERE enregistre_le < CAST($obs AS DATE) + INTERVAL 1 DAY)
        """,
        {"obs": obs},
    ).fetchall()
    found = rows[0][0] if rows else None
    return found if isinstance(found, date) else None


def table_chiffres(
    etat: pd.DataFrame,
    etat_avant: pd.DataFrame,
    realisees: pd.DataFrame,
    commencees: pd.DataFrame,
    engagement: pd.DataFrame,
    ind: pd.DataFrame,
) -> pd.DataFrame:
    """Chiffre, Valeur, Début d'année (the same at the end of the previous year, where it
    means something), Précision: the key figures, in CH_* order."""
    n = len(etat)
    done = int(etat["statut"].eq("Réalisé").sum())
    done_before = int(etat_avant["statut"].eq("Réalisé").sum())
    engaged = int((engagement[col.COL_ENGAGES] > 0).sum())
    engaged_before = int((engagement[col.COL_ENGAGES_AVANT] > 0).sum())
    with_target = int(ind["À la cible"].ne("—").sum())
    nan = float("nan")
    rows = [
        (col.CH_ACTIONS, n, nan, f"réparties en {formats.count(etat['axe_no'].nunique(), 'axe')}"),
        (col.CH_REALISEES, done, done_before, "statut « Réalisé »"),
        (
            col.CH_PART,
            round(100.0 * done / n, 1) if n else 0.0,
            round(100.0 * done_before / n, 1) if n else 0.0,
            "des actions du plan",
        ),
        (
            col.CH_EN_COURS,
            int(etat["statut"].eq("En cours").sum()),
            int(etat_avant["statut"].eq("En cours").sum()),
            "y compris les actions annuelles",
        ),
        (
            col.CH_RETARD,
            int(etat["en_retard"].sum()),
            int(etat_avant["en_retard"].sum()),
            "fin prévue dépassée, ou pas encore commencées",
        ),
        (col.CH_REALISEES_ANNEE, len(realisees), nan, "terminées pendant l'année"),
        (col.CH_COMMENCEES_ANNEE, len(commencees), nan, "lancées pendant l'année"),
        (
            col.CH_TERRITOIRES,
            engaged,
            engaged_before,
            f"sur {len(engagement)} : au moins une action engagée ou réalisée",
        ),
        (
            col.CH_CIBLES,
            int(ind["À la cible"].eq("oui").sum()),
            nan,
            f"sur {with_target} ayant une cible pour leur dernière valeur connue",
        ),
    ]
    return pd.DataFrame(
        rows, columns=[col.COL_CHIFFRE, col.COL_VALEUR, col.COL_DEBUT_ANNEE, col.COL_PRECISION]
    )
