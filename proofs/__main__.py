"""`python -m proofs`: run every derivation's check() and print a table."""

import importlib
import sys
import time

from proofs import MODULES


def main() -> int:
    failures = 0
    print(f"{'proof':<14}{'result':<8}{'closed forms':>13}{'seconds':>9}")
    for name in MODULES:
        module = importlib.import_module(f"proofs.{name}")
        t0 = time.perf_counter()
        try:
            module.check()
            status = "ok"
        except AssertionError as err:  # a failed derivation step
            status = "FAILED"
            failures += 1
            print(f"  {name}: {err!r}", file=sys.stderr)
        print(f"{name:<14}{status:<8}{len(module.closed_forms()):>13}{time.perf_counter() - t0:>9.2f}")
    print(f"\n{len(MODULES) - failures}/{len(MODULES)} derivations check")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
