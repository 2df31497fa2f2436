"""`python -m proofs` (in a clone) or `ascentlab proofs`: run every derivation's check() and print a table."""

import sys

from . import run_all

if __name__ == "__main__":
    sys.exit(1 if run_all() else 0)
