"""The `nn_train` benchmark case runs end to end at a tiny size: its rows, its goal and its vmap = loop check.

The timings themselves are not tested (machine-dependent); `python -m benchmarks --only nn_train` measures them.
"""

import math

from benchmarks import CASES, nn_train
from benchmarks._core import Config


def test_nn_train_case_runs_and_checks_agreement():
    assert "nn_train" in CASES
    res = nn_train.run(Config(quick=True, repeats=1, long_repeats=1), override=(2, 8, 1, 64, 2))
    assert not res.error
    assert res.checks["vmap = loop"][0], res.checks["vmap = loop"][1]
    main, vmapped, loop = res.rows
    assert main.goal.metric == "speedup" and main.goal.threshold == 10
    assert math.isfinite(main.speedup) and main.speedup > 0
    assert vmapped.unit == loop.unit == "GFLOP/s" and vmapped.value > 0 and loop.value > 0
    assert "4 MLPs 64-8-10" in res.sizes  # 2 x N with N = 2
    # the loop sample here is 2 of 4 models, extrapolated x2
    (t_loop,) = [t for name, t in res.timings.items() if name.startswith("Python loop")]
    assert t_loop.scale == 2.0
