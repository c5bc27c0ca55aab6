"""Repeated code as pylint's duplicate-code check (R0801) finds it, counted in pairs of places.

What counts is set here, in one place: a run of MIN_LINES lines or more standing in two files,
once comments, docstrings, imports and function signatures are left out (they repeat by nature:
`from __future__ import annotations`, a signature restated by an override). Like pylint, a file
is compared with the other files, not with itself.

The pairs come from pylint's own engine (`Symilar`, the code behind R0801), one per pair of
places. Its messages would undercount: pylint 4.1.4 reports a run found in three files as one
message naming only two of them, the third place dropped. `Symilar._iter_sims()` is private,
hence the pinned pylint and the test that counts a known set of pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pylint.checkers.symilar import Symilar

MIN_LINES = 6


@dataclass(frozen=True)
class RepeatedPair:
    """One run of lines standing at two places ("path:first-last", lines counted from 1)."""

    first: str
    second: str
    lines: tuple[str, ...]

    def describe(self) -> str:
        shown = "".join(f"\n    | {line.rstrip()}" for line in self.lines)
        return f"{self.first} ~ {self.second} ({len(self.lines)} lignes){shown}"


def repeated_pairs(files: Iterable[Path], root: Path) -> list[RepeatedPair]:
    """Every pair of places in `files` sharing a run of MIN_LINES lines or more (paths are
    shown from `root`), in the order pylint finds them."""
    engine = Symilar(
        min_lines=MIN_LINES,
        ignore_comments=True,
        ignore_docstrings=True,
        ignore_imports=True,
        ignore_signatures=True,
    )
    for path in files:
        with path.open(encoding="utf-8") as stream:
            engine.append_stream(path.relative_to(root).as_posix(), stream)
    pairs = []
    for found in engine._iter_sims():
        # pylint's line numbers: the first counted from 0, the last excluded.
        first, last = found.fst_file_start, found.fst_file_end
        pairs.append(
            RepeatedPair(
                f"{found.fst_lset.name}:{first + 1}-{last}",
                f"{found.snd_lset.name}:{found.snd_file_start + 1}-{found.snd_file_end}",
                tuple(found.fst_lset.real_lines[first:last]),
            )
        )
    return pairs
