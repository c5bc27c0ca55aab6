"""Dated versions of the plan: its types, and the plan as it stood at a date.

Every territory, porteur, axis, objective, action and indicator is stored as one row per version
(migration 0013): a change is a new row with its date d'effet, author, reason (motif) and the
moment it was recorded; nothing is updated nor deleted. A retired item is a version with
`retire = true`: absent from that date on, present before. An action's territory texts and
porteurs belong to one version of the action. The SQL table macros `plan_<table>(d)` of the
migration (plan_territoire, plan_axe, plan_objectif, plan_action, plan_action_territoire,
plan_indicateur) are the one place the "version at a date" rule is written; every read of the
plan goes through them, and this module reads them too.

Contract with the plan editing page (branch `planedit`): `ENTITIES`, `PlanSnapshot`,
`snapshot`, `PlanChange`, `next_action_no`, `history` below; `diff` in `version_diff`;
`publish` in `publishing`. Additions to the contract: `snapshot(..., demo=False)` leaves out the
large demonstration's synthetic territories and indicators; `FIELDS` names each entity's
editable fields (a porteur has an `ordre`, like a territory); `history` returns a DataFrame
(columns documented there); `apply` and `check` (`version_diff`) and `write_changes`
(`publishing`: the writer without the transaction, role check and journal, for `init` and other
writers holding their own transaction); `later_versions` (the changed items that a version dated
later will override again).

Before the plan's first version (date_plan), the first version counts: there is no older plan,
and observation dates before it (values since 2011) still show the plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ptlcd_data import dates
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import one_row, scalar

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
# The columns of every version row, besides the entity's own fields.
_VERSION_COLUMNS = ("version_id", "date_effet", "retire", "auteur", "motif", "enregistre_le")

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
        return dict(getattr(self, PLURAL[entity]))


# Each entity's attribute in a PlanSnapshot (also used by `version_diff` and `publishing`).
PLURAL = {
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


# --- reading ---------------------------------------------------------------------------------


def table_columns(conn: Connection, table: str) -> list[str]:
    """The columns of `table` in the current schema, in order (none: no such table)."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def table_exists(conn: Connection, table: str) -> bool:
    """True when the base has `table` (an older base may lack one, like action_porteur)."""
    return bool(table_columns(conn, table))


def _read(conn: Connection, entity: str, as_of: date, demo: bool) -> dict[Any, Item]:
    table, key = TABLES[entity]
    columns = table_columns(conn, table)
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
    if table_exists(conn, "action_porteur"):
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
    return int(scalar(conn, "SELECT coalesce(max(action_no), 0) FROM action") or 0) + 1


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
        if not table_exists(conn, table):
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
    return one_row(conn, "SELECT 1 FROM action UNION ALL SELECT 1 FROM axe LIMIT 1") is not None


def history(conn: Connection, entity: str, key: str | int) -> pd.DataFrame:
    """Every version of one item, oldest first.

    Columns: version_id, date_effet, retire, auteur, motif, enregistre_le, then the entity's
    stored fields (for an action: its territory texts as `territoires`, "CODE : texte" joined
    by " ; ", and its porteur codes as `porteurs`).
    """
    if entity not in ENTITIES:
        raise ValueError(entity)
    table, key_column = TABLES[entity]
    columns = table_columns(conn, table)
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
        if table_exists(conn, "action_porteur"):
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
        if table_exists(conn, "action_porteur"):
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
