"""The sections of docs/fiabilite.md for the faults the second outside test found: a restore
under a running app, two bases in one folder, interrupted reminders, a slow SMTP server, imports
full of duplicate rows.

Each section runs the scenario a test asserts on (`tests/helpers/scenarios.py`), over more
rounds, and returns the lines it adds to the page.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from benchmarks import import_duplicates
from benchmarks.common import ROOT
from ptlcd_data import formats, store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns, relances
from tests.helpers import CLI
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.databases import Templates
from tests.helpers.scenarios import restore_under_running_app, two_bases_in_one_folder
from tests.helpers.smtp import HOST, Handler, smtp_server

STALL_S = 2.0  # the slow server answers MAIL, RCPT and DATA after this long


def _count(flags: list[bool]) -> str:
    return f"{sum(flags)} / {len(flags)}"


def restore_section(templates: Templates, work: Path, rounds: int) -> list[str]:
    """`restore` while `streamlit run` serves the base, `rounds` times (a server each)."""
    from playwright.sync_api import sync_playwright

    seen = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for i in range(rounds):
                folder = work / f"restauration-{i}"
                db = templates.copy("plan", folder / "ptlcd.duckdb")
                seen.append(restore_under_running_app(db, browser, folder))
        finally:
            browser.close()
    return [
        "## Restauration sous l'application en marche",
        "",
        f"{rounds} tour(s), un serveur `streamlit run` chacun : un porteur se connecte ; "
        "`backup` ; un import écrit le commentaire MARQUEUR-42 (qu'un visiteur voit) ; "
        "`restore`. Puis un nouveau visiteur ouvre la fiche de l'action, et l'onglet du porteur "
        "fait un clic.",
        "",
        "| | tours |",
        "|---|---|",
        f"| la restauration ferme la session du porteur | {_count(['1 session' in s.sessions_closed for s in seen])} |",
        f"| MARQUEUR-42 montré avant la restauration | {_count([s.marker_seen_before for s in seen])} |",
        f"| MARQUEUR-42 encore montré après (le défaut) | {_count([s.marker_shown_after for s in seen])} |",
        f"| l'onglet du porteur encore connecté après (le défaut) | {_count([s.tab_logged_in_after for s in seen])} |",
        "",
        "Avant la correction, le test extérieur voyait MARQUEUR-42 et l'onglet connecté : la base "
        "remise reprenait la révision de l'import qu'elle défaisait.",
        "",
    ]


def two_bases_section(templates: Templates, work: Path, publications: int) -> list[str]:
    """Two bases in one folder, PTLCD_BACKUPS_KEPT=2: a's two copies, then b's publications."""
    a = templates.copy("plan", work / "deux" / "a.duckdb")
    b = templates.copy("plan", work / "deux" / "b.duckdb")
    seen = two_bases_in_one_folder(a, b, work / "deux", publications)
    offered_b = (
        "b.duckdb" in seen.a_diagnosis or str(b.parent / "sauvegardes" / "b") in seen.a_diagnosis
    )
    named_a = all(str(p) in seen.a_diagnosis for p in seen.a_copies_made)
    return [
        "## Deux bases dans un même dossier",
        "",
        f"`PTLCD_BACKUPS_KEPT=2`. Deux `backup` de `a.duckdb`, puis {publications} publications "
        "dans `b.duckdb` (chacune précédée de sa copie automatique), puis `a.duckdb` tronquée.",
        "",
        f"- copies de a : {len(seen.a_copies_made)} faites, {len(seen.a_copies_left)} encore là "
        f"après les publications de b (avant la correction : 0) ;",
        f"- copies de b gardées : {len(seen.b_copies_left)} (sa propre rotation) ;",
        f"- le diagnostic de a nomme ses {len(seen.a_copies_made)} copies : {'oui' if named_a else 'non'} ; "
        f"il propose une copie de b : {'oui' if offered_b else 'non'}.",
        "",
    ]


def _campaign(templates: Templates, folder: Path) -> tuple[Path, int]:
    """The mini plan (two porteurs with an address, one without) and an open campaign."""
    db = templates.copy("mini", folder / "mini.duckdb")
    with store.connect(db) as conn:
        opened = campaigns.open_campaign(conn, SYSTEM, "Suivi", date.today() + timedelta(days=20))
    return db, opened.id


def _smtp_env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PTLCD_SMTP")}
    return {
        **env,
        "PTLCD_SMTP_HOST": HOST,
        "PTLCD_SMTP_PORT": str(port),
        "PTLCD_SMTP_FROM": "ptlcd@exemple.invalid",
        "PTLCD_SMTP_TLS": "none",
    }


def _remind(db: Path, campaign_id: int, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "--db", str(db), "campaign", "remind", str(campaign_id)],
        cwd=ROOT,
        env=_smtp_env(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _recorded_sent(db: Path, campaign_id: int) -> int:
    with store.connect(db) as conn:
        rows = relances.reminders(conn, campaign_id)
    return int((rows["statut"] == "envoyé").sum()) if len(rows) else 0


def interrupted_reminders_section(
    templates: Templates, work: Path, rounds: int, rng: random.Random
) -> list[str]:
    """`campaign remind` killed (SIGKILL) at a random moment of its run, then run again."""
    delivered = recorded = twice = 0
    with smtp_server() as (port, handler):
        db, campaign_id = _campaign(templates, work / "relances-reference")
        start = time.monotonic()
        _remind(db, campaign_id, port).communicate(timeout=120)
        duration = time.monotonic() - start
    for i in range(rounds):
        db, campaign_id = _campaign(templates, work / f"relances-{i}")
        with smtp_server() as (port, handler):
            remind = _remind(db, campaign_id, port)
            time.sleep(rng.uniform(0.0, duration))  # the kill's random moment, as in fiabilite
            remind.send_signal(signal.SIGKILL)
            remind.communicate()
            delivered += len(handler.received)
            recorded += _recorded_sent(db, campaign_id)
            _remind(db, campaign_id, port).communicate(timeout=120)  # the re-run it invites
            per_address = Counter(a for r in handler.received for a in r.rcpt_tos)
            twice += sum(1 for n in per_address.values() if n > 1)
    return [
        "## Relances interrompues, puis relancées",
        "",
        f"{rounds} tour(s) : `campaign remind` (deux porteurs avec adresse, sur un vrai serveur "
        f"SMTP local) tué (SIGKILL) à un moment tiré au hasard dans sa durée normale "
        f"({formats.number(duration, 1)}\u00a0s), puis relancé.",
        "",
        f"- messages remis avant la mort : {delivered} ; enregistrés « envoyé » : {recorded} "
        "(avant la correction : aucun n'était enregistré avant la fin du lot) ;",
        f"- remis mais pas enregistrés : {delivered - recorded}, le processus tué entre la réponse "
        "du serveur et l'écriture (une ouverture de la base et une transaction, quelques dizaines "
        "de millisecondes par message) ;",
        f"- porteurs relancés deux fois après la relance suivante : {twice} (seuls peuvent "
        "l'être ceux remis mais pas enregistrés ; avant la correction, la relance renvoyait tout, "
        "y compris ce qui était enregistré « envoyé »).",
        "",
    ]


def slow_server_section(templates: Templates, work: Path) -> list[str]:
    """A server that answers each command after STALL_S, while other processes use the base."""
    db, campaign_id = _campaign(templates, work / "lent")
    others: list[tuple[str, float, int]] = []
    with smtp_server(Handler(fail_after=0, failure="stall", stall_s=STALL_S)) as (port, handler):
        start = time.monotonic()
        remind = _remind(db, campaign_id, port)
        handler.stalled.wait(60)
        for argv in (
            ["campaign", "list"],
            ["user", "add", "lecteur1", "--role", "lecture", "--password-stdin"],
            ["campaign", "status", str(campaign_id)],
            ["user", "add", "lecteur2", "--role", "lecture", "--password-stdin"],
        ):
            began = time.monotonic()
            done = subprocess.run(
                [*CLI, "--db", str(db), *argv],
                cwd=ROOT,
                capture_output=True,
                text=True,
                input="mot-de-passe-lecteur-fiabilite\n",
            )
            others.append((" ".join(argv[:2]), time.monotonic() - began, done.returncode))
        remind.communicate(timeout=120)
        total = time.monotonic() - start
    slowest = max(t for _, t, _ in others)
    ok = sum(1 for _, _, rc in others if rc == 0)
    return [
        "## Serveur SMTP lent, pendant que d'autres écrivent",
        "",
        f"Le serveur répond à chaque commande après {formats.number(STALL_S, 0)}\u00a0s ; "
        f"`campaign remind` a duré {formats.number(total, 1)}\u00a0s. Pendant ce temps, "
        f"{len(others)} commandes dans un autre processus, dont deux écritures (`user add`) : "
        f"{ok} réussies sur {len(others)}, la plus longue en {formats.number(slowest, 2)}\u00a0s "
        f"(médiane {formats.number(statistics.median(t for _, t, _ in others), 2)}\u00a0s). "
        "Avant la correction, `campaign list` échouait au bout de 17\u00a0s sur « Base de données "
        "occupée » : l'envoi tenait la base pendant toute la conversation SMTP.",
        "",
    ]


def duplicates_section(rows: int = 150_000) -> list[str]:
    """Vérifier and the dry run of a sheet full of duplicate rows against distinct rows (the
    measurement of `benchmarks/import_duplicates.py`, once each)."""
    times = import_duplicates.measure(rows=rows, keys=30, repeat=1)
    return [
        "## Imports pleins de lignes en double",
        "",
        *import_duplicates.lines(times, rows=rows, keys=30, repeat=1),
        "",
        "Avant la correction, le test extérieur mesurait 6 min 30 s (CSV) et 4 min 53 s (XLSX) "
        "pour la simulation de 150 000 lignes sur 30 clés, contre 64 s pour autant de lignes "
        "distinctes, et 150 000 problèmes « Ligne en double » affichés : la ligne de commande "
        "interrogeait toute la table des problèmes pour chaque problème affiché. Un groupe de "
        "doublons est maintenant un seul problème, avec son nombre de lignes et les premières.",
        "",
    ]


def sections(work: Path, rounds: int) -> list[str]:
    """Every section of this module, in the page's order."""
    templates = Templates(Path(tempfile.mkdtemp(dir=work, prefix="modeles-")))
    lines = restore_section(templates, work, rounds)
    lines += two_bases_section(templates, work, publications=3)
    lines += interrupted_reminders_section(templates, work, rounds * 4, random.Random(14))
    lines += slow_server_section(templates, work)
    lines += duplicates_section()
    return lines
