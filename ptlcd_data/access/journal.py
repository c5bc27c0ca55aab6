"""The journal: one append-only row per write, inside the writer's own transaction."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ptlcd_data.access.auth import User
from ptlcd_data.store import Connection

if TYPE_CHECKING:  # writing an entry (at every login) needs no pandas
    import pandas as pd


def _json(value: Any) -> str | None:
    if value is None:
        return None

    def default(o: Any) -> Any:
        if isinstance(o, datetime | date):
            return o.isoformat()
        return str(o)

    return json.dumps(value, ensure_ascii=False, default=default, sort_keys=True)


def log(
    conn: Connection,
    user: User,
    operation: str,
    objet: str,
    ancien: Any = None,
    nouveau: Any = None,
) -> None:
    """Record one write. Call it inside the same `store.transaction()` as the write itself."""
    conn.execute(
        "INSERT INTO journal (horodatage, auteur, role, operation, objet, ancien, nouveau) "
        "VALUES (current_localtimestamp(), ?, ?, ?, ?, ?, ?)",
        [user.login, user.journal_role, operation, objet, _json(ancien), _json(nouveau)],
    )


def entries(
    conn: Connection,
    *,
    auteur: str | None = None,
    operation: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Newest first. Columns: id, horodatage, auteur, role, operation, objet, ancien, nouveau."""
    where = ["TRUE"]
    params: list[Any] = []
    if auteur:
        where.append("auteur = ?")
        params.append(auteur)
    if operation:
        where.append("operation = ?")
        params.append(operation)
    if since:
        where.append("horodatage >= ?")
        params.append(since)
    if until:
        where.append("horodatage < ? + INTERVAL 1 DAY")
        params.append(until)
    params.append(limit)
    condition = " AND ".join(where)
    sql = f"SELECT id, horodatage, auteur, role, operation, objet, ancien, nouveau FROM journal WHERE {condition} ORDER BY id DESC LIMIT ?"  # noqa: S608 - fixed fragments, values bound
    return conn.execute(sql, params).df()
