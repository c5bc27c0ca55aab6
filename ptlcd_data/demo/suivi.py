"""Demonstration follow-up history: plausible status and engagement changes, generated.

Deterministic (a seeded `random.Random`, actions and territories taken in a fixed order, no
reference to today's date), every row marked `demo = true`, from the plan's date to the end of
its fifth following year (2017–2022 for a plan dated 2017). It starts from the initial state read
from the plan's remarks, so it must run after `suivi.etat_initial.load_initial_state`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ptlcd_data.store import Connection
from ptlcd_data.suivi.etat_initial import date_plan
from ptlcd_data.vocabulary import AUTEUR_PLAN, SOURCE_DEMO

DEMO_SEED = 33  # any fixed number: the same plan always gets the same history
DEMO_YEARS = 6  # the plan's year and the five following ones
AUTEUR_DEMO = "générateur de démonstration"
# Hour of the (simulated) recording, so `enregistre_le` is deterministic too.
RECORDING_TIME = pd.Timedelta(hours=18)

PROGRESS_NOTES = (
    "Point d'étape présenté au GOLD.",
    "Premiers ateliers tenus avec les partenaires.",
    "Outils en cours de diffusion auprès des acteurs.",
    "Comité de pilotage réuni ; calendrier confirmé.",
    "Financement obtenu dans l'appel à projets.",
)


@dataclass
class _Trajectory:
    """What the generated status history says, so engagements can follow it."""

    debut: date | None = None
    realise: date | None = None


def add_months(day: date, months: int) -> date:
    """Same day of month (capped at 28) `months` later."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


def _statuts_action(
    rng: random.Random,
    action: dict[str, object],
    seed_statut: str | None,
    debut_plan: date,
    fin_demo: date,
) -> tuple[list[tuple[date, str, int | None, str]], _Trajectory]:
    recs: list[tuple[date, str, int | None, str]] = []
    traj = _Trajectory()
    if action["recurrente"]:
        for year in range(debut_plan.year, fin_demo.year + 1):
            month = rng.randint(3, 11)
            if rng.random() < 0.2:
                continue  # a year without any record: the action shows late that year
            day = max(date(year, month, rng.randint(1, 28)), add_months(debut_plan, 1))
            if day.year == year:
                recs.append((day, "En cours", None, f"Édition {year} menée avec les partenaires."))
        traj.debut = recs[0][0] if recs else None
        return recs, traj

    debut_prevu = action["debut_prevu"] if isinstance(action["debut_prevu"], date) else None
    fin_prevue = action["fin_prevue"] if isinstance(action["fin_prevue"], date) else None
    debut_vise = max(debut_prevu or debut_plan, debut_plan)
    fin_visee = fin_prevue or add_months(debut_vise, rng.choice([18, 24, 36]))
    jour = debut_plan
    if seed_statut is None:
        jour = add_months(debut_plan, rng.randint(1, 3))
        recs.append((jour, "À venir", 0, "Action inscrite au plan, lancement à organiser."))
    if seed_statut == "En cours":
        traj.debut = debut_plan
    else:
        fate = rng.random()
        if fate < 0.15:  # never starts
            jour = add_months(jour, rng.randint(6, 18))
            recs.append((jour, "À discuter", None, "Portage à clarifier en GOLD."))
            if rng.random() < 0.35:
                jour = add_months(jour, rng.randint(3, 12))
                recs.append((jour, "Abandonné", None, "Abandon décidé en GOLD."))
            return [r for r in recs if r[0] <= fin_demo], traj
        delay = rng.choice([0, 0, 2, 4, 6, 9, 12, 18, 24, 30])
        traj.debut = max(add_months(debut_vise, delay), add_months(jour, 1))
        recs.append((traj.debut, "En cours", 10, "Lancement de l'action."))
    # About a third of the started actions drag on past the demonstration period.
    slip = rng.choice([-2, 0, 3, 6, 9, 12, 18, 24, 36]) if rng.random() < 0.65 else 120
    fin_reelle = add_months(fin_visee, slip)
    fin_reelle = max(fin_reelle, add_months(traj.debut, 4))
    jour, avancement, plafond = traj.debut, 10, rng.choice([50, 60, 70, 80, 90])
    while True:
        jour = add_months(jour, rng.randint(4, 8))
        if jour >= fin_reelle or jour > fin_demo:
            break
        incident = rng.random()
        if incident < 0.12:
            statut = "En pause" if incident < 0.07 else "Bloqué"
            note = (
                "Mise en pause faute de moyens." if statut == "En pause" else "Partenaire manquant."
            )
            recs.append((jour, statut, avancement, note))
            jour = add_months(jour, rng.randint(3, 8))
            fin_reelle = add_months(fin_reelle, 6)
            recs.append((jour, "En cours", avancement, "Reprise de l'action."))
        elif incident < 0.13:
            recs.append((jour, "Abandonné", avancement, "Abandon décidé en GOLD."))
            return [r for r in recs if r[0] <= fin_demo], traj
        else:
            avancement = min(plafond, avancement + rng.randint(5, 20))
            recs.append((jour, "En cours", avancement, rng.choice(PROGRESS_NOTES)))
    if fin_reelle <= fin_demo:
        traj.realise = fin_reelle
        recs.append((fin_reelle, "Réalisé", 100, "Action réalisée ; bilan présenté au GOLD."))
    return [r for r in recs if r[0] <= fin_demo], traj


def _engagements_cellule(
    rng: random.Random,
    seed_niveau: str | None,
    traj: _Trajectory,
    debut_plan: date,
    fin_demo: date,
) -> list[tuple[date, str, str]]:
    recs: list[tuple[date, str, str]] = []
    niveau, jour = seed_niveau, debut_plan
    if niveau is None:
        draw = rng.random()
        if draw < 0.12:
            return []
        jour = add_months(debut_plan, rng.randint(1, 4))
        niveau = "Non concernée" if draw < 0.35 else "À engager"
        note = "Hors du périmètre de la commune." if niveau == "Non concernée" else "À mobiliser."
        recs.append((jour, niveau, note))
    if niveau == "À engager" and traj.debut and rng.random() < 0.8:
        jour = max(add_months(traj.debut, rng.randint(0, 9)), add_months(jour, 1))
        niveau = "Engagée"
        recs.append((jour, niveau, "Référent désigné, engagement confirmé."))
    if niveau == "Engagée" and traj.realise and rng.random() < 0.8:
        jour = max(add_months(traj.realise, rng.randint(0, 2)), add_months(jour, 1))
        recs.append((jour, "Réalisée", "Mise en œuvre terminée sur le territoire."))
    return [r for r in recs if r[0] <= fin_demo]


def generate(conn: Connection) -> dict[str, int]:
    """Replace the demonstration statuses and engagements. Must run inside a transaction."""
    conn.execute("DELETE FROM statut_record WHERE demo")
    conn.execute("DELETE FROM engagement_record WHERE demo")
    debut_plan = date_plan(conn)
    fin_demo = date(debut_plan.year + DEMO_YEARS - 1, 12, 31)
    actions = conn.execute(
        "SELECT action_no, debut_prevu, fin_prevue, recurrente FROM plan_action(current_date) "
        "ORDER BY action_no"
    ).fetchall()
    territoires = [
        r[0]
        for r in conn.execute(
            "SELECT code FROM plan_territoire(current_date) ORDER BY ordre, code"
        ).fetchall()
    ]
    seed_statuts = dict(
        conn.execute(
            "SELECT action_no, statut FROM statut_record WHERE auteur = ? AND NOT demo",
            [AUTEUR_PLAN],
        ).fetchall()
    )
    seed_niveaux = {
        (a, t): n
        for a, t, n in conn.execute(
            "SELECT action_no, territoire_code, niveau FROM engagement_record "
            "WHERE auteur = ? AND NOT demo",
            [AUTEUR_PLAN],
        ).fetchall()
    }
    rng = random.Random(DEMO_SEED)
    statuts: list[tuple[object, ...]] = []
    engagements: list[tuple[object, ...]] = []
    for no, debut_prevu, fin_prevue, recurrente in actions:
        action = {"debut_prevu": debut_prevu, "fin_prevue": fin_prevue, "recurrente": recurrente}
        recs, traj = _statuts_action(rng, action, seed_statuts.get(no), debut_plan, fin_demo)
        statuts += [(no, *r) for r in recs]
        for code in territoires:
            cell = _engagements_cellule(
                rng, seed_niveaux.get((no, code)), traj, debut_plan, fin_demo
            )
            engagements += [(no, code, *r) for r in cell]
    st = pd.DataFrame(statuts, columns=["action_no", "date_effet", "statut", "avancement", "note"])
    en = pd.DataFrame(
        engagements, columns=["action_no", "territoire_code", "date_effet", "niveau", "note"]
    )
    for df in (st, en):
        df["enregistre_le"] = pd.to_datetime(df["date_effet"]) + RECORDING_TIME
    conn.register("demo_statuts", st)
    conn.register("demo_engagements", en)
    try:
        conn.execute(
            "INSERT INTO statut_record (action_no, date_effet, statut, avancement, commentaire, "
            "auteur, source, enregistre_le, demo) "
            "SELECT action_no, date_effet, statut, CAST(avancement AS INTEGER), note, ?, ?, "
            "enregistre_le, true FROM demo_statuts",
            [AUTEUR_DEMO, SOURCE_DEMO],
        )
        conn.execute(
            "INSERT INTO engagement_record (action_no, territoire_code, date_effet, niveau, "
            "commentaire, auteur, source, enregistre_le, demo) "
            "SELECT action_no, territoire_code, date_effet, niveau, note, ?, ?, enregistre_le, "
            "true FROM demo_engagements",
            [AUTEUR_DEMO, SOURCE_DEMO],
        )
    finally:
        conn.unregister("demo_statuts")
        conn.unregister("demo_engagements")
    return {"statuts (démonstration)": len(st), "engagements (démonstration)": len(en)}
