"""`python -m benchmarks [--quick] [--json] [--markdown] [--only CASE ...]`: run the cases, print the report.

Progress goes to stderr, the report to stdout: the text report by default,
the README table with `--markdown`, machine-readable results with `--json`
(both, in that order, when both are given). Exit status 1 when a case fails
or one of its correctness checks does (a timing of a wrong answer is no
timing), 2 on a usage error.
"""

import argparse
import importlib
import sys
import traceback

from . import CASES
from ._core import CaseResult, Config, format_markdown, format_text, from_json, machine_info, progress, to_json


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="reduced sizes, under 5 minutes on 2 cores (trajectory T=100, phase 200x200 only, "
                        "lambertw 1e6 points, smaller scipy and loop samples, one warm latency run)")
    p.add_argument("--json", action="store_true", help="print machine-readable results (JSON)")
    p.add_argument("--markdown", action="store_true", help="print the README performance table")
    p.add_argument("--only", nargs="+", metavar="CASE", choices=CASES, help=f"run only these cases: {', '.join(CASES)}")
    p.add_argument("--from-json", metavar="FILE", help="run nothing: print the report of an earlier --json run")
    return p.parse_args(argv)


def run_cases(names, cfg):
    results = []
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        progress(f"case {name} ...")
        try:
            res = module.run(cfg)
        except Exception as err:  # a broken case is reported and the others still run
            traceback.print_exc(file=sys.stderr)
            res = CaseResult(name, error=f"{type(err).__name__}: {err}")
        results.append(res)
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.from_json:
        try:
            with open(args.from_json) as f:
                results, machine, quick = from_json(f.read())
        except (OSError, ValueError, KeyError, TypeError) as err:
            print(f"python -m benchmarks: error: --from-json {args.from_json}: {err}", file=sys.stderr)
            return 2
    else:
        import jax

        jax.config.update("jax_enable_x64", True)  # exact float64 results (the benchmark, not the library, sets it)
        cfg = Config(quick=args.quick, gpu=jax.default_backend() == "gpu")
        machine = machine_info()
        quick = args.quick
        progress(f"machine: {machine.get('cpu')}, backend {machine.get('backend')} ({machine.get('device_kind')})")
        results = run_cases(args.only or CASES, cfg)
    if args.markdown:
        print(format_markdown(results, machine, quick=quick))
    if args.json:
        print(to_json(results, machine, quick=quick))
    if not (args.markdown or args.json):
        print(format_text(results, machine, quick=quick))
    failed = [r.name for r in results if r.error or not all(ok for ok, _ in r.checks.values())]
    if failed:
        progress(f"failed (error or check): {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
