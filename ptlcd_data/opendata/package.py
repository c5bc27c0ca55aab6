"""Writing the open-data package: one CSV per resource of `schema.py`, and its datapackage.json.

The CSVs follow the open-data convention, not the French-spreadsheet one of `exports.py`: UTF-8
without BOM, comma separator, ISO 8601 dates, a dot before decimals, `true`/`false`, an empty cell
for "no value". Texts are written exactly as stored (no apostrophe before "=" as in a spreadsheet
export): the package is read by programs, and its values must be the recorded ones.

Demonstration rows (`demo = true`) are left out unless asked for. Every row's references are in the
package (a record of an action or territory no longer in the plan is left out), so the foreign keys
of the schemas hold. The package is written in a hidden folder beside the target, then renamed: a
failure leaves no half package.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ptlcd_data import formats
from ptlcd_data.access.auth import User, require
from ptlcd_data.errors import InputError
from ptlcd_data.opendata.schema import LICENCE, RESOURCES, Resource
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import BY_RECORDING, is_latest, one_row

DESCRIPTOR = "datapackage.json"


def _keep(alias: str = "") -> str:
    """SQL, true for a row to keep: a real row, or any row when $avec_demo (bound) is true."""
    demo = f"{alias}.demo" if alias else "demo"
    return f"($avec_demo OR NOT coalesce({demo}, false))"


_TERRITOIRES_GARDES = f"SELECT code FROM plan_territoire($as_of) WHERE {_keep()}"  # noqa: S608

# One query per resource, returning its schema's columns in order, the plan as it stood at
# $as_of. Values are bound ($as_of, $avec_demo); the fragments pasted in are fixed text of this
# module.
QUERIES: dict[str, str] = {
    "territoires": f"""
        SELECT code, libelle, type, ordre, code_officiel, coalesce(demo, false) AS demo
        FROM plan_territoire($as_of) WHERE {_keep()} ORDER BY ordre, code""",  # noqa: S608
    "axes": "SELECT axe_no, libelle FROM plan_axe($as_of) ORDER BY axe_no",
    "objectifs": "SELECT code, axe_no, libelle, domaine, ordre FROM plan_objectif($as_of) ORDER BY ordre, code",
    "actions": """
        SELECT action_no, axe_no, objectif_code, libelle, porteur, calendrier, observations,
               debut_prevu, fin_prevue, recurrente, deja_engagee, calendrier_forme
        FROM plan_action($as_of) ORDER BY action_no""",
    "indicateurs": f"""
        SELECT code, objectif_code, libelle, unite, sens, ordre, coalesce(demo, false) AS demo
        FROM plan_indicateur($as_of) WHERE {_keep()} ORDER BY ordre, code""",  # noqa: S608
    # The current value of each key at the end of $as_of, among the rows kept: the base as it
    # would read after `demo --remove` when demonstration rows are left out.
    "valeurs_indicateurs": f"""
        SELECT indicateur_code, territoire_code, annee, periode, valeur, cible, commentaire,
               source, import_id, enregistre_le, demo
        FROM (
            SELECT v.* FROM indicateur_valeur v
            WHERE v.enregistre_le < CAST($as_of AS DATE) + INTERVAL 1 DAY AND {_keep("v")}
            QUALIFY {is_latest(["v.indicateur_code", "v.territoire_code", "v.annee", "v.periode"], BY_RECORDING, "v")}
        )
        WHERE NOT supprime
          AND indicateur_code IN (SELECT code FROM plan_indicateur($as_of) WHERE {_keep()})
          AND territoire_code IN ({_TERRITOIRES_GARDES})
        ORDER BY indicateur_code, territoire_code, annee, periode""",  # noqa: S608
    "historique_statuts": f"""
        SELECT id, action_no, date_effet, statut, avancement, commentaire, source, import_id,
               enregistre_le, demo
        FROM statut_record
        WHERE date_effet <= $as_of AND {_keep()}
          AND action_no IN (SELECT action_no FROM plan_action($as_of))
        ORDER BY action_no, date_effet, enregistre_le, id""",  # noqa: S608
    "historique_engagements": f"""
        SELECT id, action_no, territoire_code, date_effet, niveau, commentaire, source,
               import_id, enregistre_le, demo
        FROM engagement_record
        WHERE date_effet <= $as_of AND {_keep()}
          AND action_no IN (SELECT action_no FROM plan_action($as_of))
          AND territoire_code IN ({_TERRITOIRES_GARDES})
        ORDER BY action_no, territoire_code, date_effet, enregistre_le, id""",  # noqa: S608
    # A décision from its séance's day, in its latest state at $as_of; a responsable that is
    # not a porteur of the plan is a named person: not published.
    "decisions": f"""
        SELECT d.id, d.seance_id, s.date_seance AS seance_date, d.action_no,
               d.indicateur_code, d.texte,
               CASE WHEN d.responsable IN (SELECT code FROM plan_porteur($as_of))
                    THEN d.responsable END AS responsable,
               d.echeance, e.etat, (e.etat = 'ouverte' AND d.echeance < $as_of) AS en_retard,
               e.enregistre_le AS modifie_le
        FROM decision d
        JOIN seance s ON s.id = d.seance_id
        JOIN (SELECT decision_id, etat, enregistre_le FROM decision_etat
              WHERE date_effet <= $as_of QUALIFY {is_latest(["decision_id"])}) e
          ON e.decision_id = d.id
        WHERE s.date_seance <= $as_of
        ORDER BY d.id""",  # noqa: S608
}


def _params(sql: str, as_of: date, avec_demo: bool) -> dict[str, Any]:
    """The named values `sql` uses (DuckDB refuses a value the statement does not name)."""
    values: dict[str, Any] = {"as_of": as_of, "avec_demo": avec_demo}
    return {name: value for name, value in values.items() if f"${name}" in sql}


# How DuckDB writes a resource: the open-data convention (NULL is an empty cell, a boolean
# true/false, a number with a dot), in the order of the query.
_COPY_OPTIONS = (
    "HEADER, DELIMITER ',', QUOTE '\"', DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S'"
)


def _write_csv(
    conn: Connection, resource: Resource, path: Path, as_of: date, avec_demo: bool
) -> int:
    """Write one resource with DuckDB's own CSV writer (millions of values in seconds, never
    held in Python's memory). Returns its number of rows."""
    sql = QUERIES[resource.name]
    params = _params(sql, as_of, avec_demo)
    probe = conn.execute(f"SELECT * FROM ({sql}) LIMIT 0", params)  # noqa: S608 - our query
    names = [d[0] for d in probe.description or []]
    if names != resource.columns:  # a query and its schema written apart: caught by the tests
        raise RuntimeError(f"{resource.name}: colonnes {names} ≠ schéma {resource.columns}")
    copied = one_row(
        conn,
        f"COPY ({sql}) TO $path ({_COPY_OPTIONS})",  # noqa: S608 - our query; the path is bound
        {**params, "path": str(path)},
    )
    return int(copied[0]) if copied else 0


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def descriptor(conn: Connection, as_of: date, avec_demo: bool) -> dict[str, Any]:
    """The datapackage.json of a package of the plan at `as_of`, as a dict."""
    meta = dict(conn.execute("SELECT cle, valeur FROM plan_meta").fetchall())
    nom = meta.get("nom", "Plan territorial de lutte contre les discriminations")
    territoire = meta.get("territoire", "")
    document = ", ".join(v for v in (meta.get("statut_document"), meta.get("date_plan")) if v)
    demo_text = (
        "Il contient aussi les données de démonstration (fictives), marquées demo = true."
        if avec_demo
        else "Il ne contient aucune donnée de démonstration."
    )
    return {
        "profile": "tabular-data-package",
        "name": "-".join(p for p in ("ptlcd", _slug(territoire)) if p),
        "title": f"{nom} — {territoire}" if territoire else nom,
        "description": (
            f"Le plan « {nom} » et son suivi, tels que connus le {formats.day(as_of)} : "
            "territoires, axes, objectifs opérationnels, actions, indicateurs, valeurs des "
            "indicateurs avec leurs cibles et leur provenance, historique des statuts des actions "
            f"et des engagements des territoires. {demo_text} Fichiers CSV en UTF-8, séparés "
            "par des virgules, dates au format ISO 8601 (AAAA-MM-JJ), point décimal ; une "
            "cellule vide signifie « pas de valeur »."
        ),
        "licenses": [LICENCE],
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sources": [
            {"title": f"{nom} ({document})" if document else nom},
            {"title": "Suivi du plan enregistré dans l'outil de suivi (revues, imports)"},
        ],
        "resources": [
            {
                "name": r.name,
                "path": r.path,
                "title": r.title,
                "description": r.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": r.table_schema(),
            }
            for r in RESOURCES
        ],
    }


@dataclass(frozen=True)
class Written:
    """A package written: where, and the rows of each resource."""

    directory: Path
    rows: dict[str, int]


def package_files() -> set[str]:
    """The names of the files a package holds."""
    return {DESCRIPTOR, *(r.path for r in RESOURCES)}


def _check_target(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise InputError(f"« {directory} » existe et n'est pas un dossier.")
    if directory.is_dir():
        others = sorted(p.name for p in directory.iterdir() if p.name not in package_files())
        if others:
            raise InputError(
                f"Le dossier « {directory} » contient d'autres fichiers que ceux d'un paquet de "
                f"données ouvertes ({', '.join(others[:5])}) : choisissez un dossier nouveau ou "
                "vide (un paquet déjà écrit là est remplacé)."
            )


def write_package(
    conn: Connection, directory: Path, as_of: date, *, avec_demo: bool = False
) -> Written:
    """Write the package into `directory` (created, or replaced when it holds a package)."""
    directory = Path(directory)
    _check_target(directory)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        work = Path(
            tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".partiel", dir=directory.parent)
        )
    except OSError as exc:
        raise InputError(
            f"Impossible d'écrire dans le dossier « {directory.parent} » ({exc.strerror})."
        ) from exc
    try:
        rows = {r.name: _write_csv(conn, r, work / r.path, as_of, avec_demo) for r in RESOURCES}
        text = json.dumps(descriptor(conn, as_of, avec_demo), ensure_ascii=False, indent=2)
        (work / DESCRIPTOR).write_text(text + "\n", encoding="utf-8")
        work.chmod(0o755)  # mkdtemp's folder is private; a package is meant to be shared
        _replace(work, directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Written(directory, rows)


def _replace(work: Path, directory: Path) -> None:
    """Rename `work` to `directory`; a previous package there is set aside first, then removed."""
    if not directory.exists():
        work.rename(directory)
        return
    old = directory.with_name(f".{directory.name}.{secrets.token_hex(4)}.ancien")
    directory.rename(old)
    try:
        work.rename(directory)
    except BaseException:
        old.rename(directory)
        raise
    shutil.rmtree(old, ignore_errors=True)


def zip_bytes(directory: Path) -> bytes:
    """The files of a written package, zipped (datapackage.json at the root of the archive)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(package_files()):
            archive.write(directory / name, arcname=name)
    return buf.getvalue()


def package_zip(conn: Connection, user: User | None, as_of: date, avec_demo: bool = False) -> bytes:
    """The package as a zip, for an administrator (the role is checked here, when it is built)."""
    require(user, "admin")
    with tempfile.TemporaryDirectory(prefix="ptlcd-donnees-ouvertes-") as tmp:
        written = write_package(conn, Path(tmp) / "paquet", as_of, avec_demo=avec_demo)
        return zip_bytes(written.directory)


def contents(conn: Connection, as_of: date, avec_demo: bool = False) -> list[dict[str, Any]]:
    """What a package at `as_of` would hold: one row per resource (Fichier, Contenu, Lignes)."""
    out = []
    for r in RESOURCES:
        sql = QUERIES[r.name]
        row = one_row(
            conn,
            f"SELECT count(*) FROM ({sql})",  # noqa: S608 - a query of this module
            _params(sql, as_of, avec_demo),
        )
        out.append({"Fichier": r.path, "Contenu": r.title, "Lignes": int(row[0]) if row else 0})
    return out
