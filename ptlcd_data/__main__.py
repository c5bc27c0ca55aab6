"""`python -m ptlcd_data`: the command line."""

from __future__ import annotations

import sys

from ptlcd_data.cli import main

if __name__ == "__main__":
    sys.exit(main())
