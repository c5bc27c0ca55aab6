"""Dated versions of the plan: the plan as it stood at a date, its differences, and publishing them.

Every territory, porteur, axis, objective, action and indicator is stored as one row per version
(migration 0013): a change is a new row with its date d'effet, author, reason (motif) and the
moment it was recorded; nothing is updated nor deleted. A retired item is a version with
`retire = true`: absent from that date on, present before. An action's territory texts and
porteurs belong to one version of the action. The SQL table macros `plan_<table>(d)` of the
migration (plan_territoire, plan_axe, plan_objectif, plan_action, plan_action_territoire,
plan_indicateur) are the one place the "version at a date" rule is written; every read of the
plan goes through them, and this module reads them too.

Contract with the plan editing page (branch `planedit`): `ENTITIES`, `PlanSnapshot`,
`snapshot`, `PlanChange`, `diff`, `publish`, `next_action_no`, `history` below.
Additions to the contract: `snapshot(..., demo=False)` leaves out the large demonstration's
synthetic territories and indicators; `FIELDS` names each entity's editable fields (a porteur
has an `ordre`, like a territory); `history` returns a DataFrame (columns documented there);
`apply`, `check` and `write_changes` (the writer without the transaction, role check and
journal, for `init` and other writers holding their own transaction); `later_versions` (the
changed items that a version dated later will override again).

Before the plan's first version (date_plan), the first version counts: there is no older plan,
and observation dates before it (values since 2011) still show the plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ptlcd_data import dates
from ptlcd_data.access import auth, journal
from ptlcd_data.errors import InputError, PlanDataError
from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.store import Connection, transaction

if TYPE_CHECKING:
    import pandas as pd

ENTITIES = ("territoire", "porteur", "axe", "objectif", "action", "indicateur")
Entity = Literal["territoire", "porteur", "axe", "objectif", "action", "indicateur"]
Kind = Literal["ajout", "modification", "retrait"]

# Each entity's table and key column.
TABLES: dict[str, tuple[str, str]] = {
    "territoire": ("territoire", "code"),
    "porteur": ("porteur", "code"),
    "axe": ("axe", "axe_no"),
    "objectif": ("objectif", "code"),
    "action": ("action", "action_no"),
    "indicateur": ("indicateur", "code"),
}
# The fields of each entity in a snapshot (optional ones are None when the base lacks them).
FIELDS: dict[str, tuple[str, ...]] = {
    "territoire": ("libelle", "type", "ordre", "code_officiel"),
    "porteur": ("libelle", "type", "contact", "email", "ordre"),
    "axe": ("libelle",),
    "objectif": ("axe_no", "libelle", "domaine", "ordre"),
    "action": (
        "objectif_code",
        "libelle",
        "porteur",
        "porteurs",
        "calendrier",
        "observations",
        "territoires",
    ),
    "indicateur": ("objectif_code", "libelle", "unite", "sens", "fournisseur", "ordre"),
}
# Fields that may not be empty.
REQUIRED: dict[str, tuple[str, ...]] = {
    "territoire": ("libelle", "type"),
    "porteur": ("libelle", "type"),
    "axe": ("libelle",),
    "objectif": ("axe_no", "libelle"),
    "action": ("objectif_code", "libelle"),
    "indicateur": ("objectif_code", "libelle", "unite", "sens"),
}
# Fields stored beside the action's row rather than in it.
_ACTION_SIDE_FIELDS = ("porteurs", "territoires")
_VERSION_COLUMNS = ("version_id", "date_effet", "retire", "auteur", "motif", "enregistre_le")
AUTEUR_TRANSCRIPTION = "transcription"
MOTIF_TRANSCRIPTION = "Transcription du document de travail"
AUTEUR_INIT = "init"
OPERATION = "plan modifié"

Item = dict[str, Any]


@dataclass(frozen=True)
class PlanSnapshot:
    """The whole plan as it stood at one date (retired items absent). Keys are the entities'
    own numbers/codes; each item holds the fields of `FIELDS`."""

    territoires: dict[str, Item] = field(default_factory=dict)
    porteurs: dict[str, Item] = field(default_factory=dict)
    axes: dict[int, Item] = field(default_factory=dict)
    objectifs: dict[str, Item] = field(default_factory=dict)
    actions: dict[int, Item] = field(default_factory=dict)
    indicateurs: dict[str, Item] = field(default_factory=dict)

    def of(self, entity: str) -> dict[Any, Item]:
        """The items of one entity ("action" -> actions)."""
        return dict(getattr(self, _PLURAL[entity]))


_PLURAL = {
    "territoire": "territoires",
    "porteur": "porteurs",
    "axe": "axes",
    "objectif": "objectifs",
    "action": "actions",
    "indicateur": "indicateurs",
}


@dataclass(frozen=True)
class PlanChange:
    entity: str  # one of ENTITIES
    key: str | int
    kind: Kind
    fields: dict[
        str, tuple[Any, Any]
    ]  # field -> (before, after); ajout: (None, v); retrait: (v, None)


# --- reading ---------------------------------------------------------------------------------


def _columns(conn: Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _exists(conn: Connection, table: str) -> bool:
    return bool(_columns(conn, table))


def _read(conn: Connection, entity: str, as_of: date, demo: bool) -> dict[Any, Item]:
    table, key = TABLES[entity]
    columns = _columns(conn, table)
    if not columns:
        return {}
    stored = [f for f in FIELDS[entity] if f in columns]
    where = "TRUE" if demo or "demo" not in columns else "NOT demo"
    order = "ordre, " if "ordre" in columns else ""
    sql = (
        f"SELECT {key}, {', '.join(stored)} FROM plan_{table}(?) "  # noqa: S608 - fixed names
        f"WHERE {where} ORDER BY {order}{key}"
    )
    items: dict[Any, Item] = {}
    for row in conn.execute(sql, [as_of]).fetchall():
        values = dict(zip(stored, row[1:], strict=True))
        items[row[0]] = {f: values.get(f) for f in FIELDS[entity]}
    return items


def snapshot(conn: Connection, as_of: date | None = None, *, demo: bool = True) -> PlanSnapshot:
    """The plan as it stood at `as_of` (default: today). `demo=False` leaves out the large
    demonstration's synthetic territories and indicators."""
    day = dates.or_today(as_of)
    actions = _read(conn, "action", day, demo)
    for item in actions.values():
        item["territoires"] = {}
        item["porteurs"] = ()
    for no, code, texte in conn.execute(
        "SELECT t.action_no, t.territoire_code, t.texte FROM plan_action_territoire(?) t "
        "JOIN plan_territoire(?) tt ON tt.code = t.territoire_code "
        "ORDER BY t.action_no, tt.ordre, t.territoire_code",
        [day, day],
    ).fetchall():
        if no in actions:
            actions[no]["territoires"][code] = texte
    if _exists(conn, "action_porteur"):
        grouped: dict[int, list[str]] = {}
        for no, code in conn.execute(
            "SELECT action_no, porteur_code FROM plan_action_porteur(?)", [day]
        ).fetchall():
            grouped.setdefault(no, []).append(code)
        for no, codes in grouped.items():
            if no in actions:
                actions[no]["porteurs"] = tuple(sorted(codes))
    return PlanSnapshot(
        territoires=_read(conn, "territoire", day, demo),
        porteurs=_read(conn, "porteur", day, demo),
        axes=_read(conn, "axe", day, demo),
        objectifs=_read(conn, "objectif", day, demo),
        actions=actions,
        indicateurs=_read(conn, "indicateur", day, demo),
    )


def next_action_no(conn: Connection) -> int:
    """The highest action number ever used (retired actions included) + 1."""
    row = conn.execute("SELECT coalesce(max(action_no), 0) FROM action").fetchone()
    return int(row[0] if row else 0) + 1


class LaterVersion(NamedTuple):
    """An item that already has a version dated after a date d'effet: from `date_effet` on,
    that version applies again, whatever was published at the earlier date."""

    entity: str
    key: str | int
    date_effet: date


def later_versions(
    conn: Connection, changes: Iterable[PlanChange], date_effet: date
) -> list[LaterVersion]:
    """The items of `changes` that have a version (a change or a retirement) dated after
    `date_effet`, each with the first such date; in the order of `changes`.

    Publishing at `date_effet` is still allowed: dated versions mean the later one applies
    again from its own date. This says so before publishing.
    """
    keys: dict[str, list[str | int]] = {}
    for change in changes:
        keys.setdefault(change.entity, []).append(change.key)
    found: dict[tuple[str, str | int], date] = {}
    for entity, wanted in keys.items():
        table, key_column = TABLES[entity]
        if not _exists(conn, table):
            continue
        for key, day in conn.execute(
            f"SELECT {key_column}, min(date_effet) FROM {table} "  # noqa: S608 - fixed names
            f"WHERE date_effet > ? AND list_contains(?, {key_column}) GROUP BY {key_column}",
            [date_effet, wanted],
        ).fetchall():
            found[(entity, key)] = day
    return [
        LaterVersion(c.entity, c.key, found[(c.entity, c.key)])
        for c in changes
        if (c.entity, c.key) in found
    ]


def has_versions(conn: Connection) -> bool:
    """True once any version of the plan is stored."""
    return (
        conn.execute("SELECT 1 FROM action UNION ALL SELECT 1 FROM axe LIMIT 1").fetchone()
        is not None
    )


def history(conn: Connection, entity: str, key: str | int) -> pd.DataFrame:
    """Every version of one item, oldest first.

    Columns: version_id, date_effet, retire, auteur, motif, enregistre_le, then the entity's
    stored fields (for an action: its territory texts as `territoires`, "CODE : texte" joined
    by " ; ", and its porteur codes as `porteurs`).
    """
    if entity not in ENTITIES:
        raise ValueError(entity)
    table, key_column = TABLES[entity]
    columns = _columns(conn, table)
    if not columns:
        import pandas as pd

        return pd.DataFrame(columns=[*_VERSION_COLUMNS])
    stored = [f for f in FIELDS[entity] if f in columns]
    extra = ""
    if entity == "action":
        extra = (
            ", (SELECT string_agg(t.territoire_code || ' : ' || t.texte, ' ; ' "
            "ORDER BY t.territoire_code) FROM action_territoire t "
            "WHERE t.version_id = v.version_id) AS territoires"
        )
        if _exists(conn, "action_porteur"):
            extra += (
                ", (SELECT string_agg(p.porteur_code, ', ' ORDER BY p.porteur_code) "
                "FROM action_porteur p WHERE p.version_id = v.version_id) AS porteurs"
            )
    sql = (
        f"SELECT {', '.join('v.' + c for c in _VERSION_COLUMNS)}, "  # noqa: S608 - fixed names
        f"{', '.join('v.' + c for c in stored)}{extra} FROM {table} v "
        f"WHERE v.{key_column} = ? ORDER BY v.date_effet, v.enregistre_le, v.version_id"
    )
    return conn.execute(sql, [key]).df()


def item_versions(conn: Connection, entity: str, key: str | int) -> list[tuple[Item, Item]]:
    """Every version of one item, oldest first, as (version, item): the version's date_effet,
    retire, auteur, motif and enregistre_le; the item's fields as in a snapshot (an action's
    territories as {code: text}, its porteurs as a sorted tuple of codes)."""
    frame = history(conn, entity, key)
    versions = frame.to_dict("records")
    side: dict[str, dict[Any, Any]] = {"territoires": {}, "porteurs": {}}
    if entity == "action" and versions:
        ids = [v["version_id"] for v in versions]
        for vid, code, texte in conn.execute(
            "SELECT version_id, territoire_code, texte FROM action_territoire "
            "WHERE list_contains(?, version_id) ORDER BY territoire_code",
            [ids],
        ).fetchall():
            side["territoires"].setdefault(vid, {})[code] = texte
        if _exists(conn, "action_porteur"):
            for vid, code in conn.execute(
                "SELECT version_id, porteur_code FROM action_porteur "
                "WHERE list_contains(?, version_id) ORDER BY porteur_code",
                [ids],
            ).fetchall():
                side["porteurs"].setdefault(vid, []).append(code)
    found: list[tuple[Item, Item]] = []
    for v in versions:
        item = {f: _none_if_missing(v.get(f)) for f in FIELDS[entity]}
        if entity == "action":
            item["territoires"] = side["territoires"].get(v["version_id"], {})
            item["porteurs"] = tuple(side["porteurs"].get(v["version_id"], ()))
        found.append(({c: _none_if_missing(v[c]) for c in _VERSION_COLUMNS}, item))
    return found


def _none_if_missing(value: Any) -> Any:
    """pandas' missing values (NaN, NaT) as None."""
    import pandas as pd

    return None if not isinstance(value, list | tuple | dict) and pd.isna(value) else value


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
    return PlanSnapshot(**{_PLURAL[e]: items[e] for e in ENTITIES})


def describe(entity: str, key: Any) -> str:
    """French name of one item: « action n° 12 », « objectif 1.2 »."""
    return {
        "territoire": f"Territoire « {key} »",
        "porteur": f"Porteur « {key} »",
        "axe": f"Axe {key}",
        "objectif": f"Objectif {key}",
        "action": f"Action n° {key}",
        "indicateur": f"Indicateur « {key} »",
    }[entity]


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


# --- writing ---------------------------------------------------------------------------------


def publish(
    conn: Connection,
    changes: list[PlanChange],
    *,
    date_effet: date,
    user: auth.User,
    motif: str,
) -> int:
    """Record `changes` as new versions effective at `date_effet`, in one transaction.

    Refused (nothing written): a user without the admin role (checked here, at write time), an
    empty motif, a new action number not above every number ever used (retired included), a
    change that leaves an objective, action, indicator or territory text pointing to something
    absent at `date_effet`, an empty wording. One journal entry per change. Returns the number
    of changes written (0, and nothing written, for an empty list).
    """
    if not changes:
        return 0
    auth.require(user, "admin")
    reason = (motif or "").strip()
    if not reason:
        raise InputError("Le motif de la modification du plan est obligatoire.")
    with transaction(conn):
        written = write_changes(
            conn, changes, date_effet=date_effet, auteur=user.login, motif=reason
        )
        for change in changes:
            ancien = {f: before for f, (before, _) in change.fields.items()}
            nouveau = {f: after for f, (_, after) in change.fields.items()}
            journal.log(
                conn,
                user,
                OPERATION,
                f"{change.kind} : {describe(change.entity, change.key)} (effet le "
                f"{date_effet:%d/%m/%Y} ; motif : {reason})",
                ancien if change.kind != "ajout" else None,
                nouveau if change.kind != "retrait" else None,
            )
    return written


def write_changes(
    conn: Connection,
    changes: list[PlanChange],
    *,
    date_effet: date,
    auteur: str,
    motif: str,
    strict: bool = True,
    check_numbers: bool = True,
) -> int:
    """Check `changes` against the plan at `date_effet`, then write one version row each.
    The caller holds the transaction (and has checked the role). `check_numbers=False` (the
    data files, at `init`) lets an action come back under its former number."""
    if not changes:
        return 0
    before = snapshot(conn, date_effet)
    highest = next_action_no(conn) - 1
    for change in changes:
        if check_numbers and change.entity == "action" and change.kind == "ajout":
            if not isinstance(change.key, int) or change.key <= highest:
                raise InputError(
                    f"Action n° {change.key} : un nouveau numéro doit dépasser le plus grand "
                    f"jamais utilisé (retirées comprises) : {highest + 1} ou plus."
                )
            highest = change.key
    after = apply(before, changes, strict=strict)
    check(after)
    columns = {e: _columns(conn, TABLES[e][0]) for e in ENTITIES}
    for change in changes:
        table, key_column = TABLES[change.entity]
        if not columns[change.entity]:
            raise InputError(f"Cette base ne connaît pas encore les « {change.entity} ».")
        now = after.of(change.entity).get(change.key)
        retire = now is None
        item = before.of(change.entity)[change.key] if now is None else now
        _insert_version(
            conn,
            change.entity,
            change.key,
            item,
            columns[change.entity],
            retire=retire,
            date_effet=date_effet,
            auteur=auteur,
            motif=motif,
        )
    return len(changes)


def _insert_version(
    conn: Connection,
    entity: str,
    key: Any,
    item: Item,
    columns: list[str],
    *,
    retire: bool,
    date_effet: date,
    auteur: str,
    motif: str,
) -> None:
    table, key_column = TABLES[entity]
    # Stored columns not in the item (an action's source_ocr, calendar reading, a demo flag)
    # carry over from the item's previous version.
    previous = conn.execute(
        f"SELECT * FROM {table} WHERE {key_column} = ? "  # noqa: S608 - fixed names
        "ORDER BY date_effet DESC, enregistre_le DESC, version_id DESC LIMIT 1",
        [key],
    ).df()
    row: dict[str, Any] = previous.iloc[0].to_dict() if not previous.empty else {}
    row = {c: (None if _is_missing(v) else v) for c, v in row.items()}
    row.update({f: v for f, v in item.items() if f in columns and f not in _ACTION_SIDE_FIELDS})
    row[key_column] = key
    if entity == "action":
        cal = parse_calendrier(item.get("calendrier") or "")
        row.update(
            debut_prevu=cal.debut_prevu,
            fin_prevue=cal.fin_prevue,
            recurrente=cal.recurrente,
            deja_engagee=cal.deja_engagee,
            calendrier_forme=cal.forme,
        )
    if "demo" in columns:
        row["demo"] = bool(row.get("demo") or False)
    if "ordre" in columns and row.get("ordre") is None:  # a new item goes last
        last = conn.execute(f"SELECT coalesce(max(ordre), 0) FROM {table}").fetchone()  # noqa: S608
        row["ordre"] = int(last[0] if last else 0) + 1
    row.update(retire=retire, date_effet=date_effet, auteur=auteur, motif=motif)
    names = [c for c in columns if c not in ("version_id", "enregistre_le") and c in row]
    placeholders = ", ".join("?" for _ in names)
    version_id = conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}, enregistre_le) "  # noqa: S608 - fixed names
        f"VALUES ({placeholders}, current_localtimestamp()) RETURNING version_id",
        [row[c] for c in names],
    ).fetchone()
    if entity == "action" and version_id is not None:
        texts = [
            (version_id[0], key, code, str(texte))
            for code, texte in (item.get("territoires") or {}).items()
            if texte is not None and str(texte).strip()
        ]
        if texts:
            conn.executemany("INSERT INTO action_territoire VALUES (?, ?, ?, ?)", texts)
        porteurs = [(version_id[0], key, code) for code in item.get("porteurs") or ()]
        if porteurs and _exists(conn, "action_porteur"):
            conn.executemany(
                "INSERT INTO action_porteur (version_id, action_no, porteur_code) VALUES (?, ?, ?)",
                porteurs,
            )


def _is_missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- the data files' own history (init re-run) -----------------------------------------------

_FILES_KEY = "plan_fichiers"


def files_state(conn: Connection) -> PlanSnapshot | None:
    """The plan as the data files described it at the last `init` (None before any)."""
    row = conn.execute("SELECT valeur FROM meta WHERE cle = ?", [_FILES_KEY]).fetchone()
    if not row:
        return None
    raw = json.loads(row[0])
    parts: dict[str, dict[Any, Item]] = {}
    for entity in ENTITIES:
        items = raw.get(entity, {})
        as_int = entity in ("axe", "action")
        parsed: dict[Any, Item] = {}
        for k, v in items.items():
            if entity == "action":
                v["porteurs"] = tuple(v.get("porteurs") or ())
            parsed[int(k) if as_int else k] = v
        parts[_PLURAL[entity]] = parsed
    return PlanSnapshot(**parts)


def remember_files(conn: Connection, state: PlanSnapshot) -> None:
    """Store what the data files describe, to compare with them at the next `init`."""
    raw = {e: {str(k): v for k, v in state.of(e).items()} for e in ENTITIES}
    conn.execute("DELETE FROM meta WHERE cle = ?", [_FILES_KEY])
    conn.execute(
        "INSERT INTO meta VALUES (?, ?)",
        [_FILES_KEY, json.dumps(raw, ensure_ascii=False, default=str)],
    )
