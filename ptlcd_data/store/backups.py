"""Backups: a consistent copy of the whole database, automatic copies before risky writes, restore.

A copy is made with DuckDB's `COPY FROM DATABASE` inside the engine, so it is consistent even
while the app is reading. It is written to `NAME.partiel` first and renamed when complete: a
copy interrupted (a killed process, a full disk) leaves a partial file, never a backup that
looks whole. Partial files that no running copy is writing are removed at the next automatic
backup, and never count among the copies kept.

A backup holds the base and its pièces justificatives: the files its `piece` table names are
put in a folder beside the copy, `NAME.duckdb.pieces/`, laid out as the pièces folder itself
(`<sha[:2]>/<sha>`, `store.files`). A copy made with `-o` (to be taken elsewhere) copies them;
an automatic copy (in `sauvegardes/NOM/`) hard-links them when it can: a pièce is never changed
in place, and ten copies of a folder of pièces would otherwise cost ten times its size.
`restore` checks every pièce the backup's base names against its SHA-256 before changing
anything.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ptlcd_data import store
from ptlcd_data.errors import DatabaseDamagedError, InputError, PtlcdError
from ptlcd_data.settings import Settings
from ptlcd_data.store import files
from ptlcd_data.store.sql import one_row

PARTIAL = ".partiel"
PIECES = ".pieces"
# Missing or altered pièces named when a restore is refused (then "and N more").
PIECES_LISTED = 10
# Partial files this process is writing right now (the app copies from several threads).
_writing: set[Path] = set()
_writing_lock = threading.Lock()


def backup_dir(db_path: Path) -> Path:
    """Where the automatic copies of the base at `db_path` go: `sauvegardes/<NAME>/` beside it.

    One folder per base, so that two bases in one folder (another contrat de ville, a test
    base) never prune, nor offer, each other's copies.
    """
    return shared_dir(db_path) / Path(db_path).stem


def shared_dir(db_path: Path) -> Path:
    """`sauvegardes/` beside the base; before the copies were kept per base, they lay here."""
    return Path(db_path).parent / "sauvegardes"


def unsorted(db_path: Path) -> list[Path]:
    """Copies left directly in `sauvegardes/` by an earlier version: any base of the folder may
    have made them, so they are never pruned nor listed as this base's own."""
    folder = shared_dir(db_path)
    return sorted(folder.glob("*.duckdb")) if folder.is_dir() else []


@contextmanager
def writing(partial: Path) -> Iterator[Path]:
    """Mark `partial` as being written by this process for the time of the block."""
    partial = Path(partial).resolve()
    with _writing_lock:
        _writing.add(partial)
    try:
        yield partial
    finally:
        with _writing_lock:
            _writing.discard(partial)


def _unlink_partial(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    partial.with_name(partial.name + ".wal").unlink(missing_ok=True)


def pieces_beside(path: Path) -> Path:
    """The folder of a backup's pièces justificatives: `NAME.duckdb.pieces/` beside it."""
    path = Path(path)
    return path.with_name(path.name + PIECES)


def pieces_of(db_path: Path) -> Path:
    """The pièces folder of the base at `db_path` (PTLCD_PIECES, or `pieces/` beside it)."""
    return Settings.from_env(db_path=Path(db_path)).pieces_path


def _copied_hashes(conn: store.Connection) -> list[str]:
    """The SHA-256 of every pièce the copy being written (attached as ptlcd_sauvegarde) names."""
    has_table = one_row(
        conn,
        "SELECT 1 FROM duckdb_tables() WHERE database_name = 'ptlcd_sauvegarde' "
        "AND table_name = 'piece'",
    )
    if has_table is None:  # a base from before the pièces
        return []
    rows = conn.execute("SELECT DISTINCT sha256 FROM ptlcd_sauvegarde.piece").fetchall()
    return [str(r[0]) for r in rows]


def backup(
    conn: store.Connection, target: Path, *, pieces: Path | None = None, link: bool = False
) -> Path:
    """Write a complete copy of the open database to `target` (must not exist), with the
    pièces its base names in `NAME.pieces/` beside it, from the folder `pieces` (default: the
    base's, `pieces_of`); hard-linked with `link` when possible, else copied. A pièce missing
    from `pieces` is left out: `piece_problems` names it, and `restore` refuses the copy
    unless the pièces folder then holds it."""
    target = Path(target)
    if target.exists():
        raise InputError(f"Le fichier « {target} » existe déjà : choisissez un autre nom.")
    target.parent.mkdir(parents=True, exist_ok=True)
    db_name = one_row(conn, "SELECT current_database()")
    assert db_name is not None
    source = pieces if pieces is not None else pieces_of(database_file(conn))
    folder = pieces_beside(target)
    made_folder = not folder.exists()
    with writing(target.with_name(target.name + PARTIAL)) as tmp:
        _unlink_partial(tmp)
        try:
            conn.execute("ATTACH ? AS ptlcd_sauvegarde", [str(tmp)])
            try:
                conn.execute(f'COPY FROM DATABASE "{db_name[0]}" TO ptlcd_sauvegarde')
                # Read from the copy itself: exactly the pièces its base names.
                hashes = _copied_hashes(conn)
            finally:
                conn.execute("DETACH ptlcd_sauvegarde")
            for sha in hashes:
                files.copy(source, folder, sha, link=link)
        except BaseException:
            _unlink_partial(tmp)  # nothing half-written stays behind
            if made_folder:
                files.remove_folder(folder)
            raise
        os.replace(tmp, target)
    return target


def _held_by_another_process(partial: Path) -> bool:
    """True when another process holds DuckDB's lock on `partial` (it is copying into it)."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: cannot tell, so the file is left alone
        return True
    try:
        fd = os.open(partial, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases the probe's lock too
    return False


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the partial copies in `folder` that no running copy is writing; returns them.

    A copy running in this process is known by name (probing its file would release DuckDB's
    own lock on it: POSIX locks belong to the process); one in another process, by its lock.
    """
    removed = []
    for partial in sorted(Path(folder).glob(f"*{PARTIAL}")):
        with _writing_lock:
            running = partial.resolve() in _writing
        if running or _held_by_another_process(partial):
            continue
        _unlink_partial(partial)
        removed.append(partial)
    for wal in Path(folder).glob(f"*{PARTIAL}.wal"):  # a journal whose partial is gone
        base = wal.with_name(wal.name.removesuffix(".wal"))
        with _writing_lock:
            running = base.resolve() in _writing
        if not base.exists() and not running:
            wal.unlink(missing_ok=True)
    return removed


def database_file(conn: store.Connection) -> Path:
    """The file behind an open connection."""
    row = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(row[0][0])


def before_write(conn: store.Connection, reason: str, keep: int) -> Path | None:
    """The automatic copy taken before a publish or an undo (none when `keep` is 0)."""
    if keep <= 0:
        return None
    return auto_backup(conn, database_file(conn), reason, keep)


def auto_backup(
    conn: store.Connection, db_path: Path, reason: str, keep: int, *, pieces: Path | None = None
) -> Path:
    """A timestamped copy in `backup_dir` (its own folder), its pièces hard-linked beside it;
    only its last `keep` are kept (each with its pièces)."""
    folder = backup_dir(Path(db_path))
    if folder.is_dir():
        remove_stale_partials(folder)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = backup(
        conn,
        folder / f"auto-{stamp}-{reason}.duckdb",
        pieces=pieces if pieces is not None else pieces_of(db_path),
        link=True,
    )
    copies = sorted(folder.glob("auto-*.duckdb"))
    for old in copies[: max(0, len(copies) - keep)]:
        old.unlink(missing_ok=True)
        files.remove_folder(pieces_beside(old))
    return path


def found(db_path: Path) -> list[Path]:
    """The base's own backups (`backup_dir`), the most recent first."""
    folder = backup_dir(Path(db_path))
    if not folder.is_dir():
        return []

    def modified(f: Path) -> float:
        try:
            return f.stat().st_mtime
        except OSError:  # removed meanwhile (the rotation of automatic copies)
            return 0.0

    return sorted(folder.glob("*.duckdb"), key=modified, reverse=True)


def check_backup(path: Path) -> int:
    """The backup's schema version; PtlcdError if the file is not a whole PTLCD database."""
    if not Path(path).is_file():
        raise InputError(f"Sauvegarde introuvable : {path}.")
    name = Path(path).name
    try:
        with duckdb.connect(str(path), read_only=True) as conn:
            if not store.is_complete(conn, Path(path)):
                raise InputError(
                    f"« {name} » est incomplète (copie tronquée) : choisissez une autre sauvegarde."
                )
            version = store.schema_version(conn)
            if version == 0 or not store.is_built(conn):
                raise InputError(f"« {name} » n'est pas une base du suivi PTLCD.")
            return version
    except duckdb.Error as exc:
        raise InputError(f"« {name} » n'est pas une base DuckDB lisible.") from exc


def _piece_rows(path: Path) -> list[tuple[int, str, str]]:
    """(id, nom, sha256) of every pièce the base file at `path` names (none before the pièces)."""
    with duckdb.connect(str(path), read_only=True) as conn:
        if one_row(conn, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'piece'") is None:
            return []
        rows = conn.execute("SELECT id, nom, sha256 FROM piece ORDER BY id").fetchall()
    return [(int(i), str(n), str(h)) for i, n, h in rows]


def piece_problems(path: Path, pieces: Path | None = None) -> list[str]:
    """What is wrong with the pièces of the backup at `path`, one French phrase each: every
    pièce its base names must have its file, with the right SHA-256, in the backup's own
    folder (`NAME.pieces/`); when that folder lacks it, in `pieces` (the base's own folder,
    where pièces are never changed nor deleted). A file present but altered in the backup is a
    problem even when `pieces` holds a good one: the backup is damaged."""
    beside = pieces_beside(path)
    verdicts: dict[str, str | None] = {}
    problems = []
    for piece_id, nom, sha in _piece_rows(path):
        if sha not in verdicts:
            if files.path_of(beside, sha).exists():
                verdicts[sha] = None if files.is_intact(beside, sha) else "contenu modifié"
            elif pieces is not None and files.is_intact(pieces, sha):
                verdicts[sha] = None
            else:
                verdicts[sha] = "fichier absent"
        if verdicts[sha]:
            problems.append(f"pièce n° {piece_id} « {nom} » : {verdicts[sha]}")
    return problems


def _check_pieces(source: Path, pieces: Path) -> None:
    """Refuse the restore (in French, before anything changes) when a pièce is not whole."""
    problems = piece_problems(source, pieces)
    if not problems:
        return
    listed = " ; ".join(problems[:PIECES_LISTED])
    more = len(problems) - PIECES_LISTED
    raise InputError(
        f"La sauvegarde « {Path(source).name} » nomme {len(problems)} pièce(s) justificative(s) "
        f"introuvable(s) ou modifiée(s) (empreinte SHA-256 différente) dans « "
        f"{pieces_beside(source)} » et dans « {pieces} » : {listed}"
        + (f" ; et {more} autre(s)" if more > 0 else "")
        + ". Rien n'a été changé : choisissez une autre sauvegarde, ou remettez son dossier "
        "de pièces à côté d'elle.",
        "Restauration refusée",
    )


def _restore_pieces(source: Path, pieces: Path) -> None:
    """Put the backup's pièces the base's folder lacks (or holds altered) back into it."""
    beside = pieces_beside(source)
    for sha in {sha for _, _, sha in _piece_rows(source)}:
        if not files.is_intact(pieces, sha):
            files.copy(beside, pieces, sha)


@dataclass(frozen=True)
class Restored:
    """What `restore` did with the base it replaced."""

    copy: Path | None = None  # a readable base: its copy in sauvegardes/
    damaged_moved_to: Path | None = None  # a damaged base: where it was moved, whole


def _move_aside(db_path: Path) -> Path:
    """Move a damaged base (and its WAL) beside itself under a dated name; nothing is deleted."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.stem}-endommagee-{stamp}{db_path.suffix}")
    n = 1
    while aside.exists():
        n += 1
        aside = db_path.with_name(f"{db_path.stem}-endommagee-{stamp}-{n}{db_path.suffix}")
    os.replace(db_path, aside)
    wal = Path(f"{db_path}.wal")
    if wal.exists():
        os.replace(wal, Path(f"{aside}.wal"))
    return aside


def _copy_current(db_path: Path, keep: int, pieces: Path) -> tuple[Path | None, int | None]:
    """A copy of the current base before it is replaced, and its revision; (None, None) when
    the base is damaged."""
    try:
        conn = store.connect(db_path, check=True)
    except DatabaseDamagedError:
        return None, None
    try:
        copy = auto_backup(conn, db_path, "avant-restauration", keep, pieces=pieces)
        return copy, store.revision(conn)
    except duckdb.Error as exc:
        if store.is_damage(exc):  # readable header, but a table lies past the cut
            return None, None
        raise
    finally:
        conn.close()


def fresh_revision(replaced: int | None, restored: int, now_ms: int) -> int:
    """The revision a restored base starts from: one that no process can have seen for its file.

    The app keys its query cache and each tab's login check on the revision. The backup's own
    revision (plus the restore's write) is a number the running app has usually seen already,
    with other data and other sessions: it must not come back. Past both the replaced base's and
    the backup's revisions, and never below the time in milliseconds: a base whose revision
    could not be read (damaged) was restored at an earlier moment, and has since counted one
    per write, far fewer writes than milliseconds.
    """
    return max(restored + 1, (replaced or 0) + 1, now_ms)


def _renew_revision(db_path: Path, replaced: int | None) -> None:
    """Give the base at `db_path` (the restored copy, before it takes its place) its fresh revision."""
    conn = store.connect(db_path)
    try:
        rev = fresh_revision(replaced, store.revision(conn), time.time_ns() // 1_000_000)
        conn.execute("UPDATE meta SET valeur = ? WHERE cle = 'revision'", [str(rev)])
    finally:
        conn.close()


def restore(source: Path, db_path: Path, keep: int, *, pieces: Path | None = None) -> Restored:
    """Replace the database with the backup `source`, then check the result opens.

    Every pièce the backup names is checked first (`piece_problems`): one missing or altered
    refuses the restore, changing nothing. The backup's pièces are then put into the base's
    pièces folder `pieces` (default: `pieces_of(db_path)`). A readable base is copied first
    (sauvegardes/, like any automatic copy). A damaged one (truncated, corrupted: the case
    restoring exists for) cannot be copied: it is moved aside under a dated name beside it,
    never deleted. A busy base (another program holds it) is refused and left alone.
    """
    check_backup(source)
    db_path = Path(db_path)
    pieces = pieces if pieces is not None else pieces_of(db_path)
    _check_pieces(Path(source), pieces)
    # Before the base: a pièce added to the folder changes nothing for the base in place.
    _restore_pieces(Path(source), pieces)
    done = Restored()
    tmp = db_path.with_name(db_path.name + ".restauration")
    try:
        # The backup is copied beside the base first: a restore interrupted before the swap
        # leaves the base where it was.
        shutil.copyfile(source, tmp)
        replaced: int | None = None
        if db_path.exists():
            copy, replaced = _copy_current(db_path, keep, pieces)
            done = Restored(copy=copy) if copy else Restored(damaged_moved_to=_move_aside(db_path))
        # Before the swap, so that the restored base never stands in place with a used revision.
        _renew_revision(tmp, replaced)
        # The current base's copy went through a connection that is now closed, which
        # checkpointed the WAL; nobody else held the file (connect() refuses a busy database).
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    Path(f"{db_path}.wal").unlink(missing_ok=True)
    try:
        check_backup(db_path)
    except PtlcdError as exc:
        aside = (
            f" La base endommagée est dans « {done.damaged_moved_to} »."
            if done.damaged_moved_to
            else ""
        )
        raise PtlcdError(
            f"La base restaurée ne s'ouvre pas ({exc.message}) : vérifiez la place libre sur le "
            f"disque, puis recommencez.{aside}",
            "Restauration échouée",
        ) from exc
    return done
