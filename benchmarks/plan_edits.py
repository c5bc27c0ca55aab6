"""Pages at the large scale with 500 plan edits in the history, beside the same base without them.

`python -m benchmarks versions` builds the large base, copies it, records 500 dated edits of the
plan in the copy (rewordings, calendars, moves to another objective, territory texts, porteurs,
new actions, retirements, objectives and indicators reworded), then measures every page on both
bases side by side (fresh process per measure, the two bases alternating), and writes its
section into docs/benchmarks.md. Target: each page within 1,2 × its time without edits.
"""

from __future__ import annotations

import random
import re
import shutil
import statistics
import tempfile
from datetime import date, timedelta
from pathlib import Path

from benchmarks import pages
from benchmarks.common import ROOT, build_db, machine, now_label, ratio
from ptlcd_data import formats, store
from ptlcd_data.access import auth
from ptlcd_data.plan import publishing, versions
from ptlcd_data.plan.versions import PlanChange
from ui.navigation import PAGES

EDITS = 500
TARGET = 1.2
REPEATS = 5
SEED = 16
DOC = ROOT / "docs" / "benchmarks.md"
TITLE = "## Pages à grande échelle avec 500 modifications du plan dans l'historique"
EDITOR = auth.User("banc-essai", "Banc d'essai", "admin")
CALENDARS = ("2018", "Fin 2019", "2020-2022", "Dès 2021", "annuelle", "2024", "Engagé", "2026")


def _change(snap: versions.PlanSnapshot, rng: random.Random, next_no: int) -> PlanChange:
    """One realistic edit of the plan as it stands in `snap`."""
    kind = rng.random()
    numbers = sorted(snap.actions)
    no = rng.choice(numbers)
    action = snap.actions[no]

    def edit(entity: str, key: object, **fields: object) -> PlanChange:
        item = snap.of(entity)[key]
        return PlanChange(entity, key, "modification", {f: (item[f], v) for f, v in fields.items()})  # type: ignore[arg-type]

    if kind < 0.35:
        return edit(
            "action", no, libelle=f"{action['libelle'].split(' — ')[0]} — v{rng.randint(2, 999)}"
        )
    if kind < 0.50:
        return edit("action", no, calendrier=rng.choice(CALENDARS))
    if kind < 0.62:
        others = sorted(set(snap.objectifs) - {action["objectif_code"]})
        return edit("action", no, objectif_code=rng.choice(others))
    if kind < 0.72:
        texts = dict(action["territoires"])
        code = rng.choice(sorted(snap.territoires))
        texts[code] = rng.choice(("oui", "À déf.", "engagé"))
        return edit("action", no, territoires=texts)
    if kind < 0.80 and snap.porteurs:
        chosen = tuple(sorted(rng.sample(sorted(snap.porteurs), k=rng.randint(1, 3))))
        return edit("action", no, porteurs=chosen)
    if kind < 0.86:
        code = rng.choice(sorted(snap.objectifs))
        return edit(
            "objectif",
            code,
            libelle=f"{snap.objectifs[code]['libelle'].split(' — ')[0]} — v{rng.randint(2, 99)}",
        )
    if kind < 0.92:
        code = rng.choice(sorted(snap.indicateurs))
        return edit(
            "indicateur",
            code,
            libelle=f"{snap.indicateurs[code]['libelle'].split(' — ')[0]} — v{rng.randint(2, 99)}",
        )
    new = action | {"libelle": f"Nouvelle action {next_no}"}
    return PlanChange("action", next_no, "ajout", {f: (None, v) for f, v in new.items()})


def _revert(change: PlanChange, snap: versions.PlanSnapshot) -> PlanChange:
    """The edit that undoes `change` (an added action is retired)."""
    if change.kind == "ajout":
        item = snap.of(change.entity)[change.key]
        return PlanChange(
            change.entity, change.key, "retrait", {f: (v, None) for f, v in item.items()}
        )
    return PlanChange(
        change.entity,
        change.key,
        "modification",
        {f: (a, b) for f, (b, a) in change.fields.items()},
    )


def record_edits(db: Path, count: int = EDITS) -> None:
    """`count` edits of the plan, dated from the plan's date to today, deterministic.

    Each edit is undone by the next one (an added action is retired), so that the plan of today
    is the plan without edits: the pages show the same content on both bases, and the measure
    is the cost of the history alone. Written by `publishing.write_changes`, the writer of
    `publish` without its journal entries: the two bases differ by the plan's versions only.
    """
    rng = random.Random(SEED)
    first = date(2017, 7, 2)
    span = (date.today() - first).days
    with store.connect(db) as conn, store.transaction(conn):
        change: PlanChange | None = None
        for i in range(count):
            day = first + timedelta(days=span * i // count)
            snap = versions.snapshot(conn, day)
            if change is None:
                change = _change(snap, rng, versions.next_action_no(conn))
                done = change
            else:
                done, change = _revert(change, snap), None
            publishing.write_changes(
                conn, [done], date_effet=day, auteur=EDITOR.login, motif=f"Banc d'essai {i + 1}"
            )


def page_times(plain: Path, edited: Path) -> dict[str, tuple[float, float]]:
    """Per page, median seconds on both bases, measured alternately in fresh processes."""
    results: dict[str, tuple[float, float]] = {}
    for spec in PAGES:
        a: list[float] = []
        b: list[float] = []
        for _ in range(REPEATS):
            a.append(pages._run_in_fresh_process(plain, spec.path))
            b.append(pages._run_in_fresh_process(edited, spec.path))
        results[spec.title] = (statistics.median(a), statistics.median(b))
    return results


QUERY_REPEATS = 20


def query_times(plain: Path, edited: Path) -> dict[str, tuple[float, float]]:
    """The plan-reading questions behind the pages, in one process, the two bases alternating:
    median milliseconds of `QUERY_REPEATS` runs each (finer than a page, less machine noise)."""
    import time

    from ptlcd_data.indicateurs import valeurs
    from ptlcd_data.plan import queries
    from ptlcd_data.suivi import engagements, status_queries
    from ptlcd_data.synthese import model

    today = date.today()
    questions = {
        "action_states": lambda c: status_queries.action_states(c, today),
        "status_counts_by_year_end": lambda c: status_queries.status_counts_by_year_end(c, today),
        "gantt_bars": lambda c: status_queries.gantt_bars(c, today),
        "engagement_cells": lambda c: engagements.engagement_cells(c, today),
        "actions_list": lambda c: queries.actions_list(c, as_of=today),
        "plan_shape": lambda c: queries.plan_shape(c, today),
        "catalogue": lambda c: valeurs.catalogue(c, today),
        "series_summary": lambda c: valeurs.series_summary(c, today),
        "synthese_annuelle": lambda c: model.synthese_annuelle(c, today.year - 1, today),
        "snapshot": lambda c: versions.snapshot(c, today),
    }
    results: dict[str, tuple[float, float]] = {}
    with store.connect(plain) as a, store.connect(edited) as b:
        for name, ask in questions.items():
            runs: dict[int, list[float]] = {0: [], 1: []}
            for conn in (a, b):
                ask(conn)  # warm
            repeats = QUERY_REPEATS if name != "synthese_annuelle" else 5
            for _ in range(repeats):
                for i, conn in enumerate((a, b)):
                    start = time.perf_counter()
                    ask(conn)
                    runs[i].append((time.perf_counter() - start) * 1000)
            results[name] = (statistics.median(runs[0]), statistics.median(runs[1]))
    return results


def section(
    times: dict[str, tuple[float, float]],
    versions_count: int,
    questions: dict[str, tuple[float, float]] | None = None,
) -> str:
    lines = [
        TITLE,
        "",
        f"Mesuré le {now_label()} sur : {machine()}. Relancer : `python -m benchmarks versions`.",
        "",
        f"La base à grande échelle, puis sa copie où {EDITS} modifications du plan ont été "
        "enregistrées, datées du 02/07/2017 à aujourd'hui (reformulations, calendriers, "
        "changements d'objectif, textes des territoires, porteurs, actions ajoutées puis "
        "retirées, objectifs et indicateurs reformulés ; "
        f"{formats.number(versions_count)} versions d'éléments du plan dans la copie). Chaque "
        "modification est défaite par la suivante : le plan d'aujourd'hui est le même dans les "
        "deux bases, les pages montrent le même contenu, et l'écart mesure le coût de "
        "l'historique seul. Elles sont écrites par `publishing.write_changes` (ce qu'écrit "
        "`publish`, sans ses entrées de journal : la page Journal en listerait 500 de plus, "
        "ce qui n'est pas le coût des versions du plan). Temps serveur de chaque page (AppTest, caches vides, processus neuf à "
        f"chaque mesure, les deux bases en alternance), médiane de {REPEATS}. Cible : chaque page "
        f"≤ {formats.number(TARGET, 1)} × son temps sans modifications.",
        "",
        "| page | sans modifications | avec 500 modifications | ratio |",
        "|---|---|---|---|",
    ]
    for title, (plain, edited) in times.items():
        r = ratio(edited, plain)
        verdict = "tenue" if r <= TARGET else "manquée"
        lines.append(
            f"| {title} | {formats.number(plain, 2)}\u202fs | {formats.number(edited, 2)}\u202fs | "
            f"{formats.number(r, 2)} ({verdict}) |"
        )
    if questions:
        lines += [
            "",
            "Les questions de la couche de données que ces pages posent, dans un même processus, "
            f"les deux bases en alternance, médiane de {QUERY_REPEATS} (5 pour la synthèse) :",
            "",
            "| question | sans modifications | avec 500 modifications | ratio |",
            "|---|---|---|---|",
        ]
        for name, (plain, edited) in questions.items():
            lines.append(
                f"| `{name}` | {formats.number(plain, 1)}\u202fms | "
                f"{formats.number(edited, 1)}\u202fms | {formats.number(ratio(edited, plain), 2)} |"
            )
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Put the section in docs/benchmarks.md, replacing its previous run."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Mesures de performance\n"
    pattern = re.compile(re.escape(TITLE) + r".*?(?=\n## |\Z)", re.S)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: text + "\n", doc)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    DOC.write_text(doc, encoding="utf-8")


def measure(plain: Path, folder: Path) -> str:
    """The section, for the large base `plan`: its edited copy is made in `folder`."""
    edited = folder / "large_modifie.duckdb"
    shutil.copy(plain, edited)
    print(f"Publication de {EDITS} modifications du plan…", flush=True)
    record_edits(edited)
    with store.connect(edited) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM action) + (SELECT count(*) FROM objectif) "
            "+ (SELECT count(*) FROM indicateur) + (SELECT count(*) FROM territoire) "
            "+ (SELECT count(*) FROM axe) + (SELECT count(*) FROM porteur)"
        ).fetchone()
    print("Mesure des pages…", flush=True)
    times = page_times(plain, edited)
    print("Mesure des questions…", flush=True)
    return section(times, int(row[0]) if row else 0, query_times(plain, edited))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
        folder = Path(tmp)
        print("Construction de la base à grande échelle…", flush=True)
        text = measure(build_db(folder, "large"), folder)
    print(text)
    write_section(text)
    print(f"Écrit : {DOC}")
    return 0
