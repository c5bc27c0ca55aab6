"""Files named by their SHA-256, in a folder beside the base: `<folder>/<sha[:2]>/<sha>`.

The pièces justificatives live here (their metadata in the `piece` table). A file is written to
a temporary name in its own folder and renamed when whole, so that a crash never leaves a file
under a name its content does not match; the same content is stored once. Files are never
changed nor deleted: a backup may link to them. Reading always checks the content against its
name. This module knows nothing of pièces: the backups (`store.backups`) copy such folders too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# Hashing reads a file by pieces of this size, never whole.
CHUNK_BYTES = 1 * 2**20


def digest(data: bytes) -> str:
    """The SHA-256 of `data`, in lowercase hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def path_of(folder: Path, sha: str) -> Path:
    """Where the file of content `sha` lies in `folder`."""
    return Path(folder) / sha[:2] / sha


def file_digest(path: Path) -> str | None:
    """The SHA-256 of the file at `path`; None when there is no such file."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                h.update(chunk)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return h.hexdigest()


def is_intact(folder: Path, sha: str) -> bool:
    """True when `folder` holds the file of content `sha` with that very content."""
    return file_digest(path_of(folder, sha)) == sha


def _replace_atomically(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a temporary file beside `target` with `write(file)`, then rename it to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(folder: Path, data: bytes) -> str:
    """Store `data` in `folder` (once: an intact file of the same content is kept); its SHA-256.

    A file of that name whose content differs (damaged on disk) is replaced by the right one."""
    sha = digest(data)
    target = path_of(folder, sha)
    if not is_intact(folder, sha):
        _replace_atomically(target, lambda f: f.write(data))
    return sha


def read(folder: Path, sha: str) -> bytes | None:
    """The content of `sha` in `folder`; None when the file is missing or its content differs."""
    try:
        data = path_of(folder, sha).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return data if digest(data) == sha else None


def copy(source: Path, target: Path, sha: str, *, link: bool = False) -> bool:
    """Put the file of `sha` from folder `source` into folder `target`; False when `source` has
    no such file. With `link`, a hard link (no space used) when both are on one disk; else a
    copy, checked against `sha` (a damaged file is not copied: False)."""
    src, dst = path_of(source, sha), path_of(target, sha)
    if not src.is_file():
        return False
    if dst.exists() and is_intact(target, sha):
        return True
    if link:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.lien")
        tmp.unlink(missing_ok=True)
        try:
            os.link(src, tmp)
            os.replace(tmp, dst)
            return True
        except OSError:  # another disk, or a file system without hard links: copy it
            tmp.unlink(missing_ok=True)
    h = hashlib.sha256()

    def copy_checked(f: BinaryIO) -> None:
        with open(src, "rb") as s:
            while chunk := s.read(CHUNK_BYTES):
                h.update(chunk)
                f.write(chunk)
        if h.hexdigest() != sha:
            raise ValueError(sha)

    try:
        _replace_atomically(dst, copy_checked)
    except ValueError:
        return False
    return True


def remove_folder(folder: Path) -> None:
    """Remove a whole folder of such files (a backup's copy, rotated out)."""
    shutil.rmtree(folder, ignore_errors=True)


def write_private(path: Path, data: bytes, *, new: bool = False) -> None:
    """Write `data` to `path`, readable by its owner only (0600), e.g. a reminder that carries a
    porteur's reply link, which opens its « Mes actions » to whoever reads the file. With `new`,
    FileExistsError rather than overwrite."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if new else os.O_TRUNC)
    with os.fdopen(os.open(path, flags, 0o600), "wb") as file:
        file.write(data)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_TRUNC
