"""Building and refreshing the store from the plan's data files.

`build()` is what `python -m ptlcd_data init` runs, and what the app runs on first start.
"""

from __future__ import annotations

from pathlib import Path

from ptlcd_data import store
from ptlcd_data.settings import Settings


def build(conn: store.Connection, data_dir: Path, *, demo: bool = True) -> dict[str, int]:
    """Load or refresh the plan in one transaction; records made by users are kept.

    The initial follow-up state is rebuilt from the plan's remarks; with `demo`, the
    demonstration history is regenerated (deterministically) on top of it.
    """
    # Imported here, not above: `open_store` runs on every start of the app, and these loaders
    # (and pandas, which they use) are only needed when the plan is (re)built.
    from ptlcd_data.demo import indicateurs as demo_indicateurs
    from ptlcd_data.demo import suivi as demo_suivi
    from ptlcd_data.plan.loader import load_plan
    from ptlcd_data.suivi import etat_initial

    store.migrate(conn)
    with store.transaction(conn):
        counts = load_plan(conn, data_dir)
        counts.update(etat_initial.load_initial_state(conn, data_dir))
        if demo:
            counts.update(demo_suivi.generate(conn))
            counts["valeurs d'indicateurs (démonstration)"] = demo_indicateurs.generate(conn)
    return counts


def build_from_workbook(
    conn: store.Connection, data: bytes, filename: str, settings: Settings, *, demo: bool = True
) -> dict[str, int]:
    """Build the store from one plan workbook (`plan export`'s form) instead of `data/`.

    The workbook is written out as the files of `data/` in a temporary folder, then loaded by
    the same `build`: the same checks apply, and the plan's version 1 is made the same way.
    A workbook with problems raises `PlanWorkbookRefused` (each problem with sheet, row, column).
    """
    import shutil
    import tempfile

    from ptlcd_data.plan import workbook_read, workbook_write

    book = workbook_read.read(
        data, filename, max_bytes=settings.max_upload_mb * 2**20, max_rows=settings.max_rows
    )
    if not book.ok:
        raise workbook_read.PlanWorkbookRefused(filename, book.problems)
    with tempfile.TemporaryDirectory(prefix="ptlcd-plan-") as folder:
        workbook_write.write_data_files(book, Path(folder))
        # The plan's words that give the initial statuses ("Engagé", "À valider"…) are not in
        # the workbook: those of the data folder apply, when it has them.
        words = settings.data_dir / "suivi_initial.csv"
        if words.is_file():
            shutil.copyfile(words, Path(folder) / words.name)
        return build(conn, Path(folder), demo=demo)


def open_store(settings: Settings) -> store.Connection:
    """Connect (a damaged file is refused with its diagnosis), migrate forward, and build the
    plan on first run."""
    conn = store.connect(settings.db_path, check=True)
    try:
        store.migrate(conn)
        if not store.is_built(conn):
            build(conn, settings.data_dir)
    except BaseException:
        conn.close()
        raise
    return conn
