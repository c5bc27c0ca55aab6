"""Pure work on plan snapshots, without the database: the changes from one plan to another
(`diff`), a plan with changes applied (`apply`), and the rules every plan must keep (`check`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ptlcd_data.errors import InputError, PlanDataError
from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.plan.versions import (
    ENTITIES,
    FIELDS,
    PLURAL,
    REQUIRED,
    Item,
    PlanChange,
    PlanSnapshot,
    describe,
)

# --- differences -----------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    return bool(_normal(a) == _normal(b))


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list | tuple):
        return tuple(value)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if _normal(v) is not None}
    return value


def changed_fields(before: Item, after: Item) -> dict[str, tuple[Any, Any]]:
    """The fields that differ between two states of one item: field -> (before, after)."""
    return {
        f: (before.get(f), after.get(f))
        for f in dict.fromkeys([*before, *after])
        if not _same(before.get(f), after.get(f))
    }


def diff(before: PlanSnapshot, after: PlanSnapshot) -> list[PlanChange]:
    """The changes from `before` to `after`: entity order, then key order."""
    changes: list[PlanChange] = []
    for entity in ENTITIES:
        old, new = before.of(entity), after.of(entity)
        for key in sorted(set(old) | set(new), key=lambda k: (str(type(k)), k)):
            if key not in old:
                changes.append(
                    PlanChange(entity, key, "ajout", {f: (None, v) for f, v in new[key].items()})
                )
            elif key not in new:
                changes.append(
                    PlanChange(entity, key, "retrait", {f: (v, None) for f, v in old[key].items()})
                )
            else:
                fields = changed_fields(old[key], new[key])
                if fields:
                    changes.append(PlanChange(entity, key, "modification", fields))
    return changes


def apply(
    state: PlanSnapshot, changes: Iterable[PlanChange], *, strict: bool = True
) -> PlanSnapshot:
    """`state` with `changes` applied. `strict` refuses (InputError) an addition of an item
    already there and a change or retirement of an absent one; otherwise those are merged (an
    addition of a present item changes it, a change of an absent item adds it) or skipped."""
    items = {entity: {k: dict(v) for k, v in state.of(entity).items()} for entity in ENTITIES}
    for change in changes:
        if change.entity not in ENTITIES:
            raise InputError(f"Élément du plan « {change.entity} » inconnu.")
        current = items[change.entity]
        label = describe(change.entity, change.key)
        unknown = set(change.fields) - set(FIELDS[change.entity]) - {"source_ocr"}
        if unknown and change.kind != "retrait":
            raise InputError(f"{label} : champ(s) inconnu(s) : {', '.join(sorted(unknown))}.")
        present = change.key in current
        if change.kind == "retrait":
            if not present:
                if strict:
                    raise InputError(f"{label} : absent(e) du plan à cette date, rien à retirer.")
                continue
            del current[change.key]
            continue
        if change.kind == "ajout" and present and strict:
            raise InputError(f"{label} : existe déjà dans le plan à cette date.")
        if change.kind == "modification" and not present and strict:
            raise InputError(f"{label} : absent(e) du plan à cette date, rien à modifier.")
        base = current.get(change.key) or {f: None for f in FIELDS[change.entity]}
        if change.entity == "action":
            base.setdefault("territoires", {})
            base.setdefault("porteurs", ())
        current[change.key] = {**base, **{f: after for f, (_, after) in change.fields.items()}}
    return PlanSnapshot(**{PLURAL[e]: items[e] for e in ENTITIES})


# --- checks ----------------------------------------------------------------------------------


def check(state: PlanSnapshot) -> None:
    """Refuse (InputError, in French) a plan whose items are empty or point to absent ones."""
    for entity in ENTITIES:
        for key, item in state.of(entity).items():
            for name in REQUIRED[entity]:
                if item.get(name) is None or not str(item.get(name)).strip():
                    what = "le libellé" if name == "libelle" else f"le champ « {name} »"
                    raise InputError(f"{describe(entity, key)} : {what} est vide.")
    for code, o in state.objectifs.items():
        if o.get("axe_no") not in state.axes:
            raise InputError(
                f"Objectif {code} : l'axe {o.get('axe_no')} n'est pas dans le plan à cette date."
            )
    for no, a in state.actions.items():
        if a.get("objectif_code") not in state.objectifs:
            raise InputError(
                f"Action n° {no} : l'objectif « {a.get('objectif_code')} » n'est pas dans le plan "
                "à cette date."
            )
        absent = sorted(set(a.get("territoires") or {}) - set(state.territoires))
        if absent:
            raise InputError(
                f"Action n° {no} : territoire(s) absent(s) du plan à cette date : "
                f"{', '.join(absent)}."
            )
        absent = sorted(set(a.get("porteurs") or ()) - set(state.porteurs))
        if absent:
            raise InputError(
                f"Action n° {no} : porteur(s) absent(s) du plan à cette date : {', '.join(absent)}."
            )
        try:
            parse_calendrier(a.get("calendrier") or "")
        except PlanDataError as exc:
            raise InputError(f"Action n° {no} : {exc.message}") from None
    for code, i in state.indicateurs.items():
        if i.get("objectif_code") not in state.objectifs:
            raise InputError(
                f"Indicateur « {code} » : l'objectif « {i.get('objectif_code')} » n'est pas dans "
                "le plan à cette date."
            )
        if i.get("sens") not in ("hausse", "baisse"):
            raise InputError(
                f"Indicateur « {code} » : sens « {i.get('sens')} » ; attendu « hausse » ou « baisse »."
            )
        fournisseur = i.get("fournisseur")
        if fournisseur and fournisseur not in state.porteurs:
            raise InputError(
                f"Indicateur « {code} » : le fournisseur « {fournisseur} » n'est pas un porteur "
                "du plan à cette date."
            )
