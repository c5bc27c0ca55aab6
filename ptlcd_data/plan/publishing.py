"""Publishing plan versions: checked changes written as new dated versions (`publish`, with
its role check and journal; `write_changes`, the writer alone), and the plan as the data files
last described it (`files_state`, `remember_files`, for `init` re-runs).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ptlcd_data.access import auth, journal
from ptlcd_data.errors import InputError
from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.plan.version_diff import apply, check
from ptlcd_data.plan.versions import (
    ENTITIES,
    PLURAL,
    TABLES,
    Item,
    PlanChange,
    PlanSnapshot,
    describe,
    next_action_no,
    snapshot,
    table_columns,
    table_exists,
)
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row, scalar

# Fields stored beside the action's row rather than in it.
_ACTION_SIDE_FIELDS = ("porteurs", "territoires")
# The authors (and motif) of versions no person wrote: the transcription of the working document
# (the plan's first version) and later `init` runs over changed data files.
AUTEUR_TRANSCRIPTION = "transcription"
MOTIF_TRANSCRIPTION = "Transcription du document de travail"
AUTEUR_INIT = "init"
# The journal's operation for each published change.
OPERATION = "plan modifié"


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
    columns = {e: table_columns(conn, TABLES[e][0]) for e in ENTITIES}
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
        last = scalar(conn, f"SELECT coalesce(max(ordre), 0) FROM {table}")  # noqa: S608
        row["ordre"] = int(last or 0) + 1
    row.update(retire=retire, date_effet=date_effet, auteur=auteur, motif=motif)
    names = [c for c in columns if c not in ("version_id", "enregistre_le") and c in row]
    placeholders = ", ".join("?" for _ in names)
    version_id = one_row(
        conn,
        f"INSERT INTO {table} ({', '.join(names)}, enregistre_le) "  # noqa: S608 - fixed names
        f"VALUES ({placeholders}, current_localtimestamp()) RETURNING version_id",
        [row[c] for c in names],
    )
    if entity == "action" and version_id is not None:
        texts = [
            (version_id[0], key, code, str(texte))
            for code, texte in (item.get("territoires") or {}).items()
            if texte is not None and str(texte).strip()
        ]
        if texts:
            conn.executemany("INSERT INTO action_territoire VALUES (?, ?, ?, ?)", texts)
        porteurs = [(version_id[0], key, code) for code in item.get("porteurs") or ()]
        if porteurs and table_exists(conn, "action_porteur"):
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
    row = one_row(conn, "SELECT valeur FROM meta WHERE cle = ?", [_FILES_KEY])
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
        parts[PLURAL[entity]] = parsed
    return PlanSnapshot(**parts)


def remember_files(conn: Connection, state: PlanSnapshot) -> None:
    """Store what the data files describe, to compare with them at the next `init`."""
    raw = {e: {str(k): v for k, v in state.of(e).items()} for e in ENTITIES}
    conn.execute("DELETE FROM meta WHERE cle = ?", [_FILES_KEY])
    conn.execute(
        "INSERT INTO meta VALUES (?, ?)",
        [_FILES_KEY, json.dumps(raw, ensure_ascii=False, default=str)],
    )
