"""Loading the plan from its data files (data/*.csv) into the store.

The plan is data: another contrat de ville replaces these files and nothing else. Every check
here names the file, the line and the value, in French.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ptlcd_data.errors import PlanDataError
from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.store import Connection

FILES: dict[str, list[str]] = {
    "plan_meta.csv": ["cle", "valeur"],
    "territoires.csv": ["code", "libelle", "type", "ordre"],
    "axes.csv": ["axe_no", "libelle"],
    "objectifs.csv": ["code", "axe_no", "libelle", "domaine"],
    "plan.csv": [
        "action_no",
        "axe_no",
        "axe",
        "objectif_code",
        "objectif",
        "action",
        "porteur",
        "calendrier",
        "observations",
        "source_ocr",
    ],
    "indicateurs.csv": ["code", "objectif_code", "libelle", "unite", "sens"],
}
ENGAGEMENT_PREFIX = "engagement_"
# territoires.csv may add `code_officiel`: a commune's INSEE code (Corsica's start 2A or 2B) or an
# intercommunality's SIREN. Written as a Table Schema pattern too (the open-data package).
CODE_OFFICIEL_PATTERN = "(([0-9]{2}|2A|2B)[0-9]{3}|[0-9]{9})"


@dataclass
class PlanFiles:
    """The rows of every data file, as text, with their line numbers in the file."""

    rows: dict[str, list[tuple[int, dict[str, str]]]]

    def __getitem__(self, name: str) -> list[tuple[int, dict[str, str]]]:
        return self.rows[name]


def read_plan_files(data_dir: Path) -> PlanFiles:
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for name, required in FILES.items():
        path = data_dir / name
        if not path.is_file():
            raise PlanDataError(f"Fichier du plan manquant : {path}.")
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise PlanDataError(f"{name} : colonne(s) manquante(s) : {', '.join(missing)}.")
            # Line 1 is the header, so the first data row is line 2 (as a spreadsheet shows it).
            rows[name] = [
                (i, {k: (v or "").strip() for k, v in row.items() if k is not None})
                for i, row in enumerate(reader, start=2)
                if any((v or "").strip() for v in row.values() if isinstance(v, str))
            ]
    return PlanFiles(rows)


def _int(name: str, line: int, column: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise PlanDataError(
            f"{name}, ligne {line}, colonne {column} : « {value} » n'est pas un nombre entier."
        ) from None


def _unique(name: str, items: list[tuple[int, object]], what: str) -> None:
    seen: dict[object, int] = {}
    for line, key in items:
        if key in seen:
            raise PlanDataError(
                f"{name}, ligne {line} : {what} « {key} » déjà présent(e) ligne {seen[key]}."
            )
        seen[key] = line


def load_plan(conn: Connection, data_dir: Path) -> dict[str, int]:
    """Replace the plan tables with the content of `data_dir`. Must run inside a transaction.

    User records (statuses, engagements, indicator values) live in other tables and are kept.
    Returns counts per table.
    """
    files = read_plan_files(data_dir)

    territoires = [
        (
            r["code"],
            r["libelle"],
            r["type"],
            _int("territoires.csv", n, "ordre", r["ordre"]),
            r.get("code_officiel") or None,
        )
        for n, r in files["territoires.csv"]
    ]
    _unique("territoires.csv", [(n, r["code"]) for n, r in files["territoires.csv"]], "code")
    for n, r in files["territoires.csv"]:
        if r.get("code_officiel") and not re.fullmatch(CODE_OFFICIEL_PATTERN, r["code_officiel"]):
            raise PlanDataError(
                f"territoires.csv, ligne {n}, colonne code_officiel : « {r['code_officiel']} » "
                "n'est ni un code commune Insee (5 caractères) ni un SIREN (9 chiffres)."
            )
    codes_territoire = [t[0] for t in territoires]

    axes = {_int("axes.csv", n, "axe_no", r["axe_no"]): r["libelle"] for n, r in files["axes.csv"]}
    _unique("axes.csv", [(n, r["axe_no"]) for n, r in files["axes.csv"]], "axe")

    objectifs: dict[str, tuple[int, str, str | None, int]] = {}
    _unique("objectifs.csv", [(n, r["code"]) for n, r in files["objectifs.csv"]], "objectif")
    for order, (n, r) in enumerate(files["objectifs.csv"], start=1):
        axe_no = _int("objectifs.csv", n, "axe_no", r["axe_no"])
        if axe_no not in axes:
            raise PlanDataError(f"objectifs.csv, ligne {n} : axe {axe_no} absent de axes.csv.")
        objectifs[r["code"]] = (axe_no, r["libelle"], r["domaine"] or None, order)

    actions = []
    engagements = []
    plan_rows = files["plan.csv"]
    _unique("plan.csv", [(n, r["action_no"]) for n, r in plan_rows], "action n°")
    if plan_rows:
        extra = {
            c[len(ENGAGEMENT_PREFIX) :] for c in plan_rows[0][1] if c.startswith(ENGAGEMENT_PREFIX)
        }
        unknown = extra - set(codes_territoire)
        if unknown:
            raise PlanDataError(
                f"plan.csv : colonne(s) d'engagement pour des territoires absents de "
                f"territoires.csv : {', '.join(sorted(unknown))}."
            )
    for n, r in plan_rows:
        no = _int("plan.csv", n, "action_no", r["action_no"])
        axe_no = _int("plan.csv", n, "axe_no", r["axe_no"])
        code = r["objectif_code"]
        if code not in objectifs:
            raise PlanDataError(
                f"plan.csv, ligne {n} : objectif « {code} » absent de objectifs.csv."
            )
        if objectifs[code][0] != axe_no:
            raise PlanDataError(
                f"plan.csv, ligne {n} : l'objectif {code} appartient à l'axe {objectifs[code][0]}, "
                f"pas à l'axe {axe_no}."
            )
        if r["axe"] and r["axe"] != axes[axe_no]:
            raise PlanDataError(
                f"plan.csv, ligne {n} : libellé d'axe « {r['axe']} » différent de axes.csv "
                f"(« {axes[axe_no]} »)."
            )
        if r["objectif"] and r["objectif"] != objectifs[code][1]:
            raise PlanDataError(
                f"plan.csv, ligne {n} : libellé d'objectif « {r['objectif']} » différent de "
                f"objectifs.csv (« {objectifs[code][1]} »)."
            )
        if not r["action"]:
            raise PlanDataError(f"plan.csv, ligne {n} : le libellé de l'action est vide.")
        try:
            cal = parse_calendrier(r["calendrier"])
        except PlanDataError as exc:
            raise PlanDataError(f"plan.csv, ligne {n} (action {no}) : {exc.message}") from None
        actions.append(
            (
                no,
                axe_no,
                code,
                r["action"],
                r["porteur"] or None,
                r["calendrier"] or None,
                r["observations"] or None,
                r["source_ocr"] or None,
                cal.debut_prevu,
                cal.fin_prevue,
                cal.recurrente,
                cal.deja_engagee,
                cal.forme,
            )
        )
        for territoire in codes_territoire:
            texte = r.get(ENGAGEMENT_PREFIX + territoire, "")
            if texte:
                engagements.append((no, territoire, texte))

    indicateurs = []
    _unique("indicateurs.csv", [(n, r["code"]) for n, r in files["indicateurs.csv"]], "code")
    for order, (n, r) in enumerate(files["indicateurs.csv"], start=1):
        if r["objectif_code"] not in objectifs:
            raise PlanDataError(
                f"indicateurs.csv, ligne {n} : objectif « {r['objectif_code']} » absent de "
                "objectifs.csv."
            )
        if r["sens"] not in {"hausse", "baisse"}:
            raise PlanDataError(
                f"indicateurs.csv, ligne {n}, colonne sens : « {r['sens']} » ; attendu "
                "« hausse » ou « baisse »."
            )
        indicateurs.append(
            (r["code"], r["objectif_code"], r["libelle"], r["unite"] or "nombre", r["sens"], order)
        )

    for table in (
        "plan_meta",
        "territoire",
        "axe",
        "objectif",
        "action",
        "action_territoire",
        "indicateur",
    ):
        # Synthetic territories and indicators of the large demonstration stay (demo = true).
        keep_demo = (
            " WHERE NOT coalesce(demo, false)" if table in ("territoire", "indicateur") else ""
        )
        conn.execute(f"DELETE FROM {table}{keep_demo}")  # noqa: S608 - fixed table names
    conn.executemany(
        "INSERT INTO plan_meta VALUES (?, ?)",
        [(r["cle"], r["valeur"]) for _, r in files["plan_meta.csv"]],
    )
    conn.executemany(
        "INSERT INTO territoire (code, libelle, type, ordre, code_officiel) VALUES (?, ?, ?, ?, ?)",
        territoires,
    )
    conn.executemany("INSERT INTO axe VALUES (?, ?)", list(axes.items()))
    conn.executemany(
        "INSERT INTO objectif VALUES (?, ?, ?, ?, ?)",
        [(code, *rest) for code, rest in objectifs.items()],
    )
    if actions:
        conn.executemany(
            "INSERT INTO action VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", actions
        )
    if engagements:
        conn.executemany("INSERT INTO action_territoire VALUES (?, ?, ?)", engagements)
    if indicateurs:
        conn.executemany(
            "INSERT INTO indicateur (code, objectif_code, libelle, unite, sens, ordre) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            indicateurs,
        )
    return {
        "territoires": len(territoires),
        "axes": len(axes),
        "objectifs": len(objectifs),
        "actions": len(actions),
        "indicateurs": len(indicateurs),
    }
