"""Loading the plan from its data files (data/*.csv) into the store.

The plan is data: another contrat de ville replaces these files and nothing else. Every check
here names the file, the line and the value, in French.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ptlcd_data import dates
from ptlcd_data.errors import PlanDataError
from ptlcd_data.plan import publishing, version_diff, versions
from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.store import Connection

FILES: dict[str, list[str]] = {
    "plan_meta.csv": ["cle", "valeur"],
    "territoires.csv": ["code", "libelle", "type", "ordre"],
    "porteurs.csv": ["code", "libelle", "type", "contact", "email"],
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
        "porteurs",
        "calendrier",
        "observations",
        "source_ocr",
    ],
    "indicateurs.csv": ["code", "objectif_code", "libelle", "unite", "sens", "fournisseur"],
}
# Porteur codes in a cell of plan.csv's `porteurs` column are separated by this.
PORTEURS_SEPARATOR = ";"
ENGAGEMENT_PREFIX = "engagement_"
# The data file describing each entity (named in the motif of an `init` that records changes).
FILE_OF = {
    "territoire": "territoires.csv",
    "porteur": "porteurs.csv",
    "axe": "axes.csv",
    "objectif": "objectifs.csv",
    "action": "plan.csv",
    "indicateur": "indicateurs.csv",
}
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


def split_porteurs(cell: str) -> list[str]:
    """The porteur codes of a `porteurs` cell, in the order written, without blanks or repeats."""
    codes = [c.strip() for c in cell.split(PORTEURS_SEPARATOR)]
    return list(dict.fromkeys(c for c in codes if c))


def read_plan(data_dir: Path) -> tuple[list[tuple[str, str]], versions.PlanSnapshot]:
    """The plan described by the files of `data_dir`, checked: plan_meta rows and the plan."""
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

    _unique("porteurs.csv", [(n, r["code"]) for n, r in files["porteurs.csv"]], "porteur")
    porteurs: dict[str, dict[str, object]] = {}
    for order, (n, r) in enumerate(files["porteurs.csv"], start=1):
        if not r["code"] or not r["libelle"]:
            raise PlanDataError(
                f"porteurs.csv, ligne {n} : le code et le libellé sont obligatoires."
            )
        porteurs[r["code"]] = {
            "libelle": r["libelle"],
            "type": r["type"],
            "contact": r["contact"] or None,
            "email": r["email"] or None,
            "ordre": order,
        }

    axes = {_int("axes.csv", n, "axe_no", r["axe_no"]): r["libelle"] for n, r in files["axes.csv"]}
    _unique("axes.csv", [(n, r["axe_no"]) for n, r in files["axes.csv"]], "axe")

    objectifs: dict[str, tuple[int, str, str | None, int]] = {}
    _unique("objectifs.csv", [(n, r["code"]) for n, r in files["objectifs.csv"]], "objectif")
    for order, (n, r) in enumerate(files["objectifs.csv"], start=1):
        axe_no = _int("objectifs.csv", n, "axe_no", r["axe_no"])
        if axe_no not in axes:
            raise PlanDataError(f"objectifs.csv, ligne {n} : axe {axe_no} absent de axes.csv.")
        objectifs[r["code"]] = (axe_no, r["libelle"], r["domaine"] or None, order)

    actions: dict[int, dict[str, object]] = {}
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
            parse_calendrier(r["calendrier"])
        except PlanDataError as exc:
            raise PlanDataError(f"plan.csv, ligne {n} (action {no}) : {exc.message}") from None
        for porteur in split_porteurs(r["porteurs"]):
            if porteur not in porteurs:
                raise PlanDataError(
                    f"plan.csv, ligne {n} (action {no}), colonne porteurs : porteur « {porteur} » "
                    "absent de porteurs.csv."
                )
        actions[no] = {
            "objectif_code": code,
            "libelle": r["action"],
            "porteur": r["porteur"] or None,
            "porteurs": tuple(sorted(split_porteurs(r["porteurs"]))),
            "calendrier": r["calendrier"] or None,
            "observations": r["observations"] or None,
            "territoires": {
                t: r[ENGAGEMENT_PREFIX + t]
                for t in codes_territoire
                if r.get(ENGAGEMENT_PREFIX + t, "")
            },
            "source_ocr": r["source_ocr"] or None,
        }

    indicateurs: dict[str, dict[str, object]] = {}
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
        if r["fournisseur"] and r["fournisseur"] not in porteurs:
            raise PlanDataError(
                f"indicateurs.csv, ligne {n}, colonne fournisseur : porteur « {r['fournisseur']} » "
                "absent de porteurs.csv."
            )
        indicateurs[r["code"]] = {
            "objectif_code": r["objectif_code"],
            "libelle": r["libelle"],
            "unite": r["unite"] or "nombre",
            "sens": r["sens"],
            "fournisseur": r["fournisseur"] or None,
            "ordre": order,
        }

    meta = [(r["cle"], r["valeur"]) for _, r in files["plan_meta.csv"]]
    state = versions.PlanSnapshot(
        territoires={
            code: {"libelle": libelle, "type": kind, "ordre": ordre, "code_officiel": officiel}
            for code, libelle, kind, ordre, officiel in territoires
        },
        porteurs=porteurs,
        axes={no: {"libelle": libelle} for no, libelle in axes.items()},
        objectifs={
            code: {"axe_no": axe_no, "libelle": libelle, "domaine": domaine, "ordre": ordre}
            for code, (axe_no, libelle, domaine, ordre) in objectifs.items()
        },
        actions=actions,
        indicateurs=indicateurs,
    )
    return meta, state


def load_plan(conn: Connection, data_dir: Path, *, today: date | None = None) -> dict[str, int]:
    """Load the plan of `data_dir` into the store's plan versions. Must run inside a transaction.

    On an empty store the files become version 1, dated by their `date_plan`, author
    « transcription ». Afterwards, only what changed in the files since the last load is
    recorded, as a new version effective `today` (author « init », the motif naming the files):
    identical files change nothing, and edits made in the app to other items are kept.
    User records (statuses, engagements, indicator values) live in other tables and are kept.
    Returns counts per entity (of the files).
    """
    meta, state = read_plan(data_dir)
    conn.execute("DELETE FROM plan_meta")
    conn.executemany("INSERT INTO plan_meta VALUES (?, ?)", meta)
    if not versions.has_versions(conn):
        day = _date_plan(meta)
        publishing.write_changes(
            conn,
            version_diff.diff(versions.PlanSnapshot(), state),
            date_effet=day,
            auteur=publishing.AUTEUR_TRANSCRIPTION,
            motif=publishing.MOTIF_TRANSCRIPTION,
            check_numbers=False,
        )
    else:
        day = dates.or_today(today)
        previous = publishing.files_state(conn) or _as_files(
            versions.snapshot(conn, day, demo=False), state
        )
        in_files = version_diff.diff(previous, state)
        if in_files:
            current = versions.snapshot(conn, day)
            changes = version_diff.diff(
                current, version_diff.apply(current, in_files, strict=False)
            )
            names = sorted({FILE_OF[c.entity] for c in in_files})
            publishing.write_changes(
                conn,
                changes,
                date_effet=day,
                auteur=publishing.AUTEUR_INIT,
                motif=f"Fichiers du plan modifiés : {', '.join(names)}",
                check_numbers=False,
            )
    publishing.remember_files(conn, state)
    return {
        "territoires": len(state.territoires),
        "porteurs": len(state.porteurs),
        "axes": len(state.axes),
        "objectifs": len(state.objectifs),
        "actions": len(state.actions),
        "indicateurs": len(state.indicateurs),
    }


def _as_files(stored: versions.PlanSnapshot, state: versions.PlanSnapshot) -> versions.PlanSnapshot:
    """What the files said at the last load, for a base that did not remember it (built before
    plan versions): the stored plan, except a porteur's contact and address, which may have
    been completed in the base (`porteurs set`) and are kept where the files leave them empty,
    and the actions' OCR trace."""
    porteurs = {code: dict(item) for code, item in stored.porteurs.items()}
    for code, item in porteurs.items():
        in_file = state.porteurs.get(code, {})
        for field in ("contact", "email"):
            if not in_file.get(field):
                item[field] = in_file.get(field)
    # The OCR trace is stored but not part of a snapshot: taken as unchanged.
    actions = {
        no: {**item, "source_ocr": state.actions.get(no, {}).get("source_ocr")}
        for no, item in stored.actions.items()
    }
    return dataclasses.replace(stored, porteurs=porteurs, actions=actions)


def _date_plan(meta: list[tuple[str, str]]) -> date:
    text = dict(meta).get("date_plan", "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PlanDataError(
            f"plan_meta.csv : date_plan « {text} » absente ou invalide ; attendu AAAA-MM-JJ."
        ) from None
