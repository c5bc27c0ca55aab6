"""`python -m benchmarks [--write]`: every benchmark; --write records the figures in docs/."""

from __future__ import annotations

import sys

from benchmarks import import_speed

if __name__ == "__main__":
    sys.exit(import_speed.main(sys.argv[1:]))
