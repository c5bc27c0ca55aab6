"""The coordinators' weekly digest: what happened since the last one, in one plain French e-mail.

`gather` reads the base (the caller then lets go of it) into a `Digest`; `body` writes it as plain
text, with a link to each page when PTLCD_APP_URL is set. What it lists:
- the replies to the open campaign since the last digest (per porteur);
- the dépôts waiting for a coordinator, and since when;
- the actions that became late since the last digest (late today, not on its day);
- the indicators newly in alert (a series with an alert today and none on that day);
- the décisions of the GOLD due within a week, or late (`decisions.queries.due_decisions`);
- the campaign's reply rate against its deadline.
« Since the last digest » is from the day of the last digest sent (`records.last_digest`), or a
week ago for the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, completion, etapes
from ptlcd_data.campagnes.campaigns import Campaign
from ptlcd_data.decisions import queries as decision_queries
from ptlcd_data.depots import queries as depot_queries
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.store import Connection
from ptlcd_data.suivi import status_queries
from ptlcd_data.veille import records

# An e-mail is read, not searched: past this many lines a section says how many more there are
# and links to its page.
MAX_LINES = 15
# The url_path of each page the digest links to (ui.navigation; a test checks they exist).
PAGES = {
    "campagne": "campagne",
    "depots": "depots",
    "retards": "calendrier",
    "indicateurs": "indicateurs",
    "decisions": "decisions",
}


@dataclass(frozen=True)
class Digest:
    """What one week's digest says; the same for every coordinator."""

    today: date
    since: date  # the day of the last digest, or a week before `today`
    campaign: Campaign | None
    rate: float | None  # the open campaign's reply rate (0–100), None without one
    replies: list[str]
    depots: list[str]
    late: list[str]
    alerts: list[str]
    decisions: list[str]
    first: bool = False  # no digest before: « since » is a week back


def gather(conn: Connection, user: User, today: date) -> Digest:
    """Read what the digest of `today`'s week says (`user`: who runs the job, staff)."""
    last = records.last_digest(conn, today)
    since = last[0] if last else today - timedelta(days=7)
    # From the day of the last digest (as the run dated it: `--date` in a catch-up), not the
    # moment the machine sent it.
    since_moment = datetime.combine(since, datetime.min.time())
    campaign = campaigns.current(conn)
    rate = completion.overall_rate(conn, campaign.id) if campaign else None
    return Digest(
        today=today,
        since=since,
        campaign=campaign,
        rate=rate,
        replies=_replies(conn, campaign, since_moment) if campaign else [],
        depots=_depots(conn, user, today),
        late=_late(conn, since, today),
        alerts=_alerts(conn, since, today),
        decisions=_decisions(conn, today),
        first=last is None,
    )


def _replies(conn: Connection, campaign: Campaign, since: datetime) -> list[str]:
    """« Maison de l'emploi (MDE) : 2 réponse(s), la dernière le 04/05/2026 14:05 »."""
    items = completion.items(conn, campaign)
    last = pd.to_datetime(items["derniere_reponse"])
    recent = items[last.notna() & (last > pd.Timestamp(since))]
    labels = plan_porteurs.porteur_labels(conn)
    lines = []
    for code, mine in recent.groupby("porteur", sort=False):
        when = pd.to_datetime(mine["derniere_reponse"]).max().to_pydatetime()
        lines.append(
            f"{labels.get(str(code), str(code))} ({code}) : "
            f"{formats.count(len(mine), 'réponse')}, la dernière le {formats.timestamp(when)}"
        )
    return lines


def _depots(conn: Connection, user: User, today: date) -> list[str]:
    """« Dépôt n° 4 · Maison de l'emploi, déposé le 01/05/2026 (depuis 6 jours) »."""
    waiting = depot_queries.depots(conn, user, etat="a_valider")
    lines = []
    for r in waiting.itertuples(index=False):
        deposited = pd.Timestamp(r.depose_le).to_pydatetime()
        age = max(0, (today - deposited.date()).days)
        lines.append(
            f"Dépôt n° {r.id} · {r.porteur_libelle}, déposé le {formats.day(deposited)} "
            f"(depuis {formats.count(age, 'jour')})"
        )
    return lines


def _late(conn: Connection, since: date, today: date) -> list[str]:
    """« Action n° 12 : libellé — Fin prévue le 31/12/2025 dépassée »: late today, not `since`."""
    now = status_queries.action_states(conn, today)
    before = status_queries.action_states(conn, since)
    was_late = set(before.loc[before["en_retard"], "action_no"])
    newly = now[now["en_retard"] & ~now["action_no"].isin(was_late)]
    return [
        f"Action n° {int(r.action_no)} : {r.action} — {r.motif_retard}"
        for r in newly.itertuples(index=False)
    ]


def _alerts(conn: Connection, since: date, today: date) -> list[str]:
    """« I3 · Nantes : libellé — alerte(s) »: series with an alert today and none `since`."""
    now = valeurs.series_summary(conn, today)
    before = valeurs.series_summary(conn, since)
    quiet = {
        (r.indicateur_code, r.territoire_code)
        for r in before.itertuples(index=False)
        if len(r.alertes) == 0
    }
    known = set(zip(before["indicateur_code"], before["territoire_code"], strict=True))
    return [
        f"{r.indicateur_code} · {r.territoire} : {r.libelle} — {' '.join(r.alertes)}"
        for r in now.itertuples(index=False)
        if len(r.alertes) > 0
        and (
            (r.indicateur_code, r.territoire_code) in quiet
            or (r.indicateur_code, r.territoire_code) not in known
        )
    ]


def _decisions(conn: Connection, today: date) -> list[str]:
    """« Décision n° 5 (Action n° 12) : texte — Maison de l'emploi, échéance le 04/05/2026, en
    retard »."""
    due = decision_queries.due_decisions(conn, today)
    lines = []
    for r in due.itertuples(index=False):
        about = decision_queries.subject(r.action_no, r.indicateur)
        late = ", en retard" if bool(r.en_retard) else ""
        lines.append(
            f"Décision n° {r.id} ({about}) : {r.texte} — {r.responsable_libelle}, échéance le "
            f"{formats.day(pd.Timestamp(r.echeance).to_pydatetime())}{late}"
        )
    return lines


def subject(digest: Digest) -> str:
    return f"PTLCD – récapitulatif de la semaine du {formats.day(records.week_start(digest.today))}"


def _link(url: str, page: str) -> str:
    return f"{url}/{PAGES[page]}" if url else ""


def _section(title: str, lines: list[str], empty: str, link: str) -> list[str]:
    out = ["", title, "-" * len(title)]
    if not lines:
        out.append(empty)
    else:
        out += [f"  - {line}" for line in lines[:MAX_LINES]]
        if len(lines) > MAX_LINES:
            out.append(f"  … et {len(lines) - MAX_LINES} autre(s).")
    if link:
        out.append(f"Voir : {link}")
    return out


def _campaign_lines(digest: Digest, url: str) -> list[str]:
    """The campaign's reply rate against its deadline."""
    title = "Campagne de suivi"
    c = digest.campaign
    if c is None:
        return ["", title, "-" * len(title), "Aucune campagne ouverte."]
    left = (c.echeance - digest.today).days
    if left > 0:
        when = f"échéance le {formats.day(c.echeance)}, dans {formats.count(left, 'jour')}"
    elif left == 0:
        when = f"échéance aujourd'hui, {formats.day(c.echeance)}"
    else:
        when = f"échéance du {formats.day(c.echeance)} dépassée de {formats.count(-left, 'jour')}"
    coming = etapes.next_step(c.echeance, c.reminder_days, digest.today)
    lines = [
        "",
        title,
        "-" * len(title),
        f"« {c.nom} » (n° {c.id}) : taux de réponse {formats.percent(digest.rate)} ; {when}.",
    ]
    if coming is not None:
        lines.append(
            f"Prochaine relance automatique : {etapes.step_words(coming)}, le "
            f"{formats.day(etapes.step_day(c.echeance, coming))}."
        )
    if url:
        lines.append(f"Voir : {_link(url, 'campagne')}")
    return lines


def body(digest: Digest, app_url: str) -> str:
    """The digest as plain French text."""
    url = app_url.strip().rstrip("/")
    since = formats.day(digest.since)
    lines = [
        "Bonjour,",
        "",
        f"Voici le récapitulatif hebdomadaire du suivi du PTLCD, au {formats.day(digest.today)}, "
        + (
            f"sur les sept derniers jours (depuis le {since})."
            if digest.first
            else f"depuis le précédent (le {since})."
        ),
    ]
    lines += _campaign_lines(digest, url)
    if digest.campaign is not None:
        lines += _section(
            "Réponses depuis le précédent récapitulatif",
            digest.replies,
            "Aucune nouvelle réponse.",
            _link(url, "campagne"),
        )
    lines += _section(
        "Dépôts à valider",
        digest.depots,
        "Aucun dépôt en attente.",
        _link(url, "depots"),
    )
    lines += _section(
        f"Actions passées en retard depuis le {since}",
        digest.late,
        "Aucune action nouvellement en retard.",
        _link(url, "retards"),
    )
    lines += _section(
        f"Indicateurs passés en alerte depuis le {since}",
        digest.alerts,
        "Aucun indicateur nouvellement en alerte.",
        _link(url, "indicateurs"),
    )
    lines += _section(
        "Décisions du GOLD à échéance dans la semaine ou en retard",
        digest.decisions,
        "Aucune décision à échéance.",
        _link(url, "decisions"),
    )
    lines += [
        "",
        "--",
        "Message automatique du tableau de bord du PTLCD. Pour ne plus le recevoir : décochez "
        "« Recevoir le récapitulatif hebdomadaire » sur la page « Connexion » de l'application, "
        "ou demandez à un administrateur (commande « user set LOGIN --digest off »).",
    ]
    return "\n".join(lines) + "\n"
