"""Damaged databases as a disk or a copy leaves them: a real DuckDB file cut short."""

from __future__ import annotations

import os
from pathlib import Path

# The share of the file kept: half, a tenth, a hundredth (the header is cut), nothing.
FRACTIONS = (0.5, 0.1, 0.01, 0.0)
FRACTION_IDS = ("50pc", "10pc", "1pc", "0B")


def truncate(path: Path, fraction: float) -> bytes:
    """Cut the file at `fraction` of its size; returns what is left."""
    os.truncate(path, int(path.stat().st_size * fraction))
    return path.read_bytes()


# DuckDB's file: three 4 KiB headers, then blocks of 256 KiB, each with its own checksum.
HEADERS_BYTES = 3 * 4096
BLOCK_BYTES = 262_144


def corrupt_second_half(path: Path) -> None:
    """Flip one byte in each block of the file's second half: the size is right, the header and
    catalogue read, and every table stored there fails its checksum when read."""
    blocks = (path.stat().st_size - HEADERS_BYTES) // BLOCK_BYTES
    with path.open("r+b") as fh:
        for k in range(blocks // 2, blocks):
            fh.seek(HEADERS_BYTES + k * BLOCK_BYTES + 1000)
            byte = fh.read(1)
            fh.seek(HEADERS_BYTES + k * BLOCK_BYTES + 1000)
            fh.write(bytes([byte[0] ^ 0xFF]))
