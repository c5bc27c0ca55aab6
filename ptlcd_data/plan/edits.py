"""Changing the plan: from the page « Modifier le plan » (one item at a time) or from a whole
plan workbook (`plan import`). Both build the plan as it would be, compare it with the plan at
the date d'effet (`version_diff.diff`), show that comparison field by field, and publish it through
`publishing.publish` (one transaction, admin checked at write time, journal).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from ptlcd_data import formats
from ptlcd_data.access import auth
from ptlcd_data.access.auth import User
from ptlcd_data.classeurs import problems
from ptlcd_data.errors import InputError, PlanDataError
from ptlcd_data.plan import publishing, version_diff, versions, workbook_layout, workbook_read
from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.plan.versions import PlanChange, PlanSnapshot
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection, backups

# entity -> the PlanSnapshot attribute holding it
ATTRIBUTES = {
    "territoire": "territoires",
    "porteur": "porteurs",
    "axe": "axes",
    "objectif": "objectifs",
    "action": "actions",
    "indicateur": "indicateurs",
}
ENTITY_LABELS = {
    "territoire": "Territoire",
    "porteur": "Porteur",
    "axe": "Axe",
    "objectif": "Objectif",
    "action": "Action",
    "indicateur": "Indicateur",
}
KIND_LABELS = {"ajout": "ajout", "modification": "modification", "retrait": "RETRAIT"}
FIELD_LABELS = {
    "libelle": "Libellé",
    "objectif_code": "Objectif",
    "axe_no": "Axe",
    "porteur": "Porteurs (texte du plan)",
    "porteurs": "Codes porteurs",
    "calendrier": "Calendrier",
    "observations": "Observations",
    "domaine": "Domaine",
    "ordre": "Ordre",
    "unite": "Unité",
    "sens": "Sens",
    "fournisseur": "Fournisseur",
    "type": "Type",
    "contact": "Contact",
    "email": "Courriel",
    "code_officiel": "Code officiel",
}
PREVIEW_COLUMNS = ["objet", "changement", "champ", "avant", "apres"]


# --- one item at a time (the page) --------------------------------------------------------------


def with_item(
    plan: PlanSnapshot, entity: str, key: Any, values: dict[str, Any] | None
) -> PlanSnapshot:
    """`plan` with one item set to `values` (added or changed), or retired when `values` is None."""
    attr = ATTRIBUTES[entity]
    items = dict(getattr(plan, attr))
    if values is None:
        items.pop(key, None)
    else:
        items[key] = {**items.get(key, {}), **values}
    return dataclasses.replace(plan, **{attr: items})


def _text(values: dict[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def clean_action(plan: PlanSnapshot, values: dict[str, Any]) -> dict[str, Any]:
    """An action's fields as typed in the page, checked; refused with a French message."""
    libelle = _text(values, "libelle")
    if not libelle:
        raise InputError("Le libellé de l'action est vide.")
    code = values.get("objectif_code")
    if code not in plan.objectifs:
        raise InputError(f"Objectif « {code} » inconnu à la date d'effet.")
    calendrier = _text(values, "calendrier")
    try:
        parse_calendrier(calendrier or "")
    except PlanDataError as exc:
        raise InputError(f"Calendrier : {exc.message}") from None
    porteurs = tuple(sorted(set(values.get("porteurs") or ())))
    unknown = [p for p in porteurs if p not in plan.porteurs]
    if unknown:
        raise InputError(f"Porteur(s) inconnu(s) : {', '.join(unknown)}.")
    territoires = {
        t: " ".join(str(x).split())
        for t, x in (values.get("territoires") or {}).items()
        if x is not None and str(x).strip()
    }
    unknown = [t for t in territoires if t not in plan.territoires]
    if unknown:
        raise InputError(f"Territoire(s) inconnu(s) : {', '.join(unknown)}.")
    return {
        "objectif_code": code,
        "libelle": libelle,
        "porteur": _text(values, "porteur"),
        "porteurs": porteurs,
        "calendrier": calendrier,
        "observations": _text(values, "observations"),
        "territoires": territoires,
    }


def clean_objectif(plan: PlanSnapshot, code: str, values: dict[str, Any]) -> dict[str, Any]:
    libelle = _text(values, "libelle")
    if not code.strip():
        raise InputError("Le code de l'objectif est vide.")
    if not libelle:
        raise InputError("Le libellé de l'objectif est vide.")
    if values.get("axe_no") not in plan.axes:
        raise InputError(f"Axe « {values.get('axe_no')} » inconnu.")
    ordre = plan.objectifs.get(code, {}).get("ordre") or _next_order(plan.objectifs)
    return {
        "axe_no": values["axe_no"],
        "libelle": libelle,
        "domaine": _text(values, "domaine"),
        "ordre": ordre,
    }


def clean_indicateur(plan: PlanSnapshot, code: str, values: dict[str, Any]) -> dict[str, Any]:
    libelle = _text(values, "libelle")
    if not code.strip():
        raise InputError("Le code de l'indicateur est vide.")
    if not libelle:
        raise InputError("Le libellé de l'indicateur est vide.")
    if values.get("objectif_code") not in plan.objectifs:
        raise InputError(f"Objectif « {values.get('objectif_code')} » inconnu.")
    if values.get("sens") not in workbook_layout.SENS:
        raise InputError("Sens : « hausse » ou « baisse ».")
    fournisseur = _text(values, "fournisseur")
    if fournisseur and fournisseur not in plan.porteurs:
        raise InputError(f"Porteur « {fournisseur} » inconnu.")
    ordre = plan.indicateurs.get(code, {}).get("ordre") or _next_order(plan.indicateurs)
    return {
        "objectif_code": values["objectif_code"],
        "libelle": libelle,
        "unite": _text(values, "unite") or "nombre",
        "sens": values["sens"],
        "fournisseur": fournisseur,
        "ordre": ordre,
    }


def _next_order(items: dict[Any, dict[str, Any]]) -> int:
    return max((int(v.get("ordre") or 0) for v in items.values()), default=0) + 1


def retire_check(plan: PlanSnapshot, entity: str, key: Any) -> None:
    """Refuse retiring what the plan still uses: an objective with actions or indicators."""
    if key not in getattr(plan, ATTRIBUTES[entity]):
        raise InputError(f"{ENTITY_LABELS[entity]} « {key} » absent(e) à la date d'effet.")
    if entity == "objectif":
        used = [f"action {n}" for n, a in plan.actions.items() if a["objectif_code"] == key]
        used += [
            f"indicateur {c}" for c, i in plan.indicateurs.items() if i["objectif_code"] == key
        ]
        if used:
            raise InputError(
                f"L'objectif {key} porte encore : {', '.join(used)}. Déplacez-les ou retirez-les "
                "d'abord."
            )


def edit_changes(
    conn: Connection, date_effet: date, entity: str, key: Any, values: dict[str, Any] | None
) -> list[PlanChange]:
    """What one edit of the page changes, against the plan at `date_effet`.

    `values` None retires the item; an action's, objective's or indicator's fields are checked
    (InputError in French).
    """
    before = versions.snapshot(conn, date_effet, demo=False)
    if values is None:
        retire_check(before, entity, key)
    elif entity == "action":
        values = clean_action(before, values)
    elif entity == "objectif":
        values = clean_objectif(before, str(key), values)
    elif entity == "indicateur":
        values = clean_indicateur(before, str(key), values)
    return version_diff.diff(before, with_item(before, entity, key, values))


def publish(
    conn: Connection,
    changes: list[PlanChange],
    *,
    date_effet: date,
    user: User,
    motif: str,
    backup_keep: int = 0,
) -> int:
    """Publish `changes` (one transaction, through `publishing.publish`). With `backup_keep`, a
    copy of the whole database is taken first, as before an import (the last `backup_keep`
    copies are kept)."""
    if not changes:
        return 0
    auth.require(user, "admin")
    if not motif.strip():
        raise InputError("Le motif est obligatoire : dites pourquoi le plan change.")
    backups.before_write(conn, "avant-modification-du-plan", backup_keep)
    return publishing.publish(conn, changes, date_effet=date_effet, user=user, motif=motif.strip())


# --- a whole workbook (plan import) -------------------------------------------------------------


@dataclass(frozen=True)
class PlanCheck:
    """Vérifier on a plan workbook: its problems, and the changes it would publish."""

    fichier: str
    date_effet: date
    problems: list[dict[str, Any]]
    changes: list[PlanChange]

    @property
    def ok(self) -> bool:
        return not any(p["gravite"] == "erreur" for p in self.problems)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p["gravite"] == "erreur"]

    def retired_actions(self) -> list[int]:
        return [int(c.key) for c in self.changes if c.entity == "action" and c.kind == "retrait"]

    def counts(self) -> dict[str, int]:
        out = {"ajout(s)": 0, "modification(s)": 0, "retrait(s)": 0}
        for c in self.changes:
            out[f"{c.kind}(s)"] += 1
        return out


def with_kept_orders(current: PlanSnapshot, new: PlanSnapshot) -> PlanSnapshot:
    """Objectives, indicators and porteurs keep their order when still there; new ones come
    after.

    The workbook has no order column for them (its rows are written in that order): without
    this, a plan whose orders are not 1, 2, 3… would change on a round trip.
    """

    def kept(
        before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        nxt = _next_order({k: v for k, v in before.items() if k in after})
        out = {}
        for key, values in after.items():
            if key in before:
                out[key] = {**values, "ordre": before[key]["ordre"]}
            else:
                out[key] = {**values, "ordre": nxt}
                nxt += 1
        return out

    return dataclasses.replace(
        new,
        objectifs=kept(current.objectifs, new.objectifs),
        indicateurs=kept(current.indicateurs, new.indicateurs),
        porteurs=kept(current.porteurs, new.porteurs),
    )


def check_workbook(
    conn: Connection, data: bytes, filename: str, settings: Settings, date_effet: date
) -> PlanCheck:
    """Read a plan workbook and compare it with the plan at `date_effet`; nothing is written.

    A file that is not a readable workbook raises `reader.FileRefused`.
    """
    book = workbook_read.read(
        data,
        filename,
        max_bytes=settings.max_upload_mb * 2**20,
        max_rows=settings.max_rows,
    )
    if not book.ok or book.plan is None:
        return PlanCheck(filename, date_effet, book.problems, [])
    current = versions.snapshot(conn, date_effet, demo=False)
    new = with_kept_orders(current, book.plan)
    if "porteurs" not in book.sheets:  # a workbook without the sheet leaves porteurs alone
        new = dataclasses.replace(new, porteurs=current.porteurs)
    changes = version_diff.diff(current, new)
    highest = versions.next_action_no(conn) - 1
    reused = [
        problems.error(
            workbook_layout.PLAN,
            *book.action_cells[int(c.key)],
            "N°",
            c.key,
            "Ce numéro a déjà servi (action retirée ou plus ancienne) : un nouveau numéro ne "
            "réutilise jamais celui d'une action retirée.",
            f"{highest + 1} ou plus",
        )
        for c in changes
        if c.entity == "action" and c.kind == "ajout" and int(c.key) <= highest
    ]
    if reused:
        return PlanCheck(filename, date_effet, [*book.problems, *reused], [])
    return PlanCheck(filename, date_effet, book.problems, changes)


# --- the preview, field by field ----------------------------------------------------------------


def _shown(value: Any) -> str | None:
    if value is None or value == "" or value == ():
        return None
    if isinstance(value, tuple | list):
        return "; ".join(str(v) for v in value)
    return str(value)


def preview(changes: list[PlanChange]) -> pd.DataFrame:
    """One row per changed field: objet, changement, champ, avant, apres (French text).

    A retirement is one row saying so; an action's territories are one row per territory.
    """
    return pd.DataFrame(preview_rows(changes), columns=PREVIEW_COLUMNS)


def preview_rows(changes: list[PlanChange]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for c in changes:
        objet = f"{ENTITY_LABELS[c.entity]} {c.key}"
        kind = KIND_LABELS[c.kind]
        if c.kind == "retrait":
            libelle = c.fields.get("libelle", (None, None))[0]
            rows.append(
                {
                    "objet": objet,
                    "changement": kind,
                    "champ": "—",
                    "avant": _shown(libelle),
                    "apres": "retiré(e)",
                }
            )
            continue
        for name, (before, after) in c.fields.items():
            if name == "territoires":
                b, a = before or {}, after or {}
                for t in sorted(set(b) | set(a)):
                    if b.get(t) != a.get(t):
                        rows.append(
                            {
                                "objet": objet,
                                "changement": kind,
                                "champ": f"Territoire {t}",
                                "avant": _shown(b.get(t)),
                                "apres": _shown(a.get(t)),
                            }
                        )
                continue
            if c.kind == "ajout" and after in (None, "", (), {}):
                continue
            rows.append(
                {
                    "objet": objet,
                    "changement": kind,
                    "champ": FIELD_LABELS.get(name, name),
                    "avant": _shown(before),
                    "apres": _shown(after),
                }
            )
    return rows


HISTORY_COLUMNS = ["date_effet", "changement", "detail", "auteur", "motif", "enregistre_le"]


def item_history(conn: Connection, entity: str, key: str | int) -> pd.DataFrame:
    """Every version of one item, oldest first, display-ready (French text): date d'effet,
    what changed (« création », « modification », « retrait »), each changed field as
    « Champ : avant → après », author, reason and when it was recorded."""
    rows: list[dict[str, Any]] = []
    before: dict[str, Any] | None = None
    for version, item in versions.item_versions(conn, entity, key):
        if before is None:
            kind, detail = "création", ""
        elif version["retire"]:
            kind, detail = "retrait", ""
        else:
            change = PlanChange(
                entity, key, "modification", version_diff.changed_fields(before, item)
            )
            kind = "modification" if change.fields else "nouvelle version, sans changement"
            detail = " · ".join(
                f"{r['champ']} : {r['avant'] or '—'} → {r['apres'] or '—'}"
                for r in preview_rows([change])
            )
        rows.append(
            {
                "date_effet": formats.day(version["date_effet"]),
                "changement": kind,
                "detail": detail,
                "auteur": version["auteur"] or "—",
                "motif": version["motif"] or "—",
                "enregistre_le": formats.timestamp(version["enregistre_le"]),
            }
        )
        before = item
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def retired_warning(numbers: list[int]) -> str:
    """The sentence that says, before anything else, which actions a workbook retires."""
    listed = ", ".join(str(n) for n in numbers)
    return (
        f"ATTENTION : {len(numbers)} action(s) absente(s) du classeur seront RETIRÉE(S) du plan "
        f"à la date d'effet : {listed}."
    )


def preview_lines(changes: list[PlanChange]) -> list[str]:
    """The preview as lines for the command line: 'Action 3 · Libellé : avant → après'."""
    return [
        f"{r['objet']} ({r['changement']}) · {r['champ']} : {r['avant'] or '—'} → "
        f"{r['apres'] or '—'}"
        for r in preview_rows(changes)
    ]


def later_warnings(conn: Connection, changes: list[PlanChange], date_effet: date) -> list[str]:
    """One French sentence per changed item that a version dated after `date_effet` will
    override again from that date (`versions.later_versions`): publishing is still allowed."""
    return [
        f"{ENTITY_LABELS[v.entity]} {v.key} : une version datée du {formats.day(v.date_effet)} "
        "existe déjà ; elle s'appliquera de nouveau à partir de cette date."
        for v in versions.later_versions(conn, changes, date_effet)
    ]
