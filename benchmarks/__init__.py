"""ascentlab's benchmark suite: `python -m benchmarks [--quick] [--json] [--markdown] [--only CASE ...]`.

Each case times ascentlab's public API against a baseline in the same process
(warm-up first, median of repeats, compile time apart) and checks that the two
compute the same answer; `--markdown` prints the README's performance table.
Cases, one module each: `trajectory`, `phase`, `oracle`, `lambertw`,
`ensemble`, `latency`, `nn_train`. Baselines need the `bench` extra
(`pip install -e ".[bench]"`: scikit-learn, scipy, mpmath); ascentlab itself
never imports them. See issue 9 for the goals.
"""

CASES = ("trajectory", "phase", "oracle", "lambertw", "ensemble", "latency", "nn_train")
