"""What a sent dépôt holds, frozen: its verified rows, their before → after, its remarks.

A dépôt keeps the `Check` it was verified with (`imports.verify`): per kind of sheet the parsed
rows and the diff against the base at that moment, the rows that only confirm an item of the
campaign, and the remarks. They are stored as one BLOB, a zip of Arrow IPC files, and read back
into a `Check` that the import's own preview and Publier accept. Nothing in it is ever rewritten.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pandas as pd
import pyarrow as pa

from ptlcd_data.classeurs.problems import PROBLEM_COLUMNS
from ptlcd_data.imports.verify import KINDS, Check

PARTS = ("rows", "diff", "confirmations")


def _ipc(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _table(data: bytes) -> pa.Table:
    table: pa.Table = pa.ipc.open_file(pa.BufferReader(data)).read_all()
    return table


def pack(check: Check, decisions: pd.DataFrame | None = None) -> bytes:
    """The check's tables (and the décisions said done, if any) as one BLOB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in PARTS:
            for kind, table in getattr(check, part).items():
                archive.writestr(f"{part}/{kind}.arrow", _ipc(table))
        problems = check.problems.astype(object).where(check.problems.notna(), None)
        archive.writestr(
            "problems.arrow", _ipc(pa.Table.from_pandas(problems.astype(str), preserve_index=False))
        )
        if decisions is not None and not decisions.empty:
            archive.writestr(
                "decisions.arrow", _ipc(pa.Table.from_pandas(decisions, preserve_index=False))
            )
        # The campaign workbook the file was (its stamp): not the dépôt's campaign, which a
        # form dépôt has too. Only a stamped workbook's rows are campaign confirmations.
        stamp = {"campagne_id": check.campagne_id, "porteur_code": check.porteur_code}
        archive.writestr("stamp.json", json.dumps(stamp))
    return buffer.getvalue()


def unpack(blob: bytes, meta: dict[str, Any]) -> tuple[Check, pd.DataFrame]:
    """The `Check` a dépôt was sent with, and its décisions said done (decision_id, commentaire).

    `meta`: revision, fichier, sha256 (the dépôt's row). The campaign and porteur of the check
    are the stamp's, as verified (none for a form or a plain file)."""
    check = Check(
        revision=int(meta["revision"] or 0),
        fichier=str(meta["fichier"] or ""),
        sha256=str(meta["sha256"] or ""),
        kind="dépôt",
        problems=pd.DataFrame(columns=PROBLEM_COLUMNS),
    )
    decisions = pd.DataFrame(columns=["decision_id", "commentaire"])
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = set(archive.namelist())
        for part in PARTS:
            tables = getattr(check, part)
            for kind in KINDS:
                name = f"{part}/{kind}.arrow"
                if name in names:
                    tables[kind] = _table(archive.read(name))
        if "problems.arrow" in names:
            problems = _table(archive.read("problems.arrow")).to_pandas()
            check.problems = problems.where(problems != "None", None)
        if "decisions.arrow" in names:
            decisions = _table(archive.read("decisions.arrow")).to_pandas()
        if "stamp.json" in names:
            stamp = json.loads(archive.read("stamp.json"))
            check.campagne_id, check.porteur_code = stamp["campagne_id"], stamp["porteur_code"]
    return check, decisions
