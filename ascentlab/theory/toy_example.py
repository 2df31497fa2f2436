r"""The toy example of Sec. 5.2 as a checked result: claims C1-C5 across the ridge $\lambda$.

The model, its readings and the minima search live in `ascentlab.toy`.
Under the `"tanh"` reading the five claims (the original global minimum has
the pattern $(-,+,+,+)$ and a $(-,+,-,-)$ local minimum; so has the retrained
objective; DA's global minimum is $(-,+,-,-)$: the basin finetuning cannot
leave) hold for every $\lambda\in[10^{-5},0.0769817]$; C2 fails above
0.0769817 and C5 above 0.1496493 (for $\lambda\le0.3$). `check_toy` tests
both sides of that range.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 5.2, Fig. 5;
proofs/toy.py; docs/theory.md#toy.
"""

import jax
import jax.numpy as jnp
import numpy as np

from ..toy import TANH_C2_LAMBDA, TANH_C5_LAMBDA, check_claims
from ._check import make_check
from ._registry import Part, Result, gather
from ._sampling import log_uniform, strata, uniform

__all__ = [
    "expected_claims",
    "check_toy",
    "toy_instances",
]

def expected_claims(lam) -> dict:
    r"""Which of C1-C5 hold for the `"tanh"` reading at ridge $\lambda$ (`lam`) [N]: all five on
    `TANH_CLAIMS_LAMBDA`; C2 fails above 0.0769817 and C5 above 0.1496493 (for $\lambda\le0.3$)."""
    lam = float(lam)
    return {"C1": True, "C2": lam <= TANH_C2_LAMBDA, "C3": True, "C4": True, "C5": lam <= TANH_C5_LAMBDA}


def check_toy(lam):
    r"""The toy claims C1-C5 found by `check_claims("tanh", lam=lam)` against `expected_claims(lam)`.

    Eager (a minima search per call). Holds when every claim is as
    expected -- true where it should hold, false where the statement says
    it fails -- so both sides of the $\lambda$ range are tested. Margin 1 or
    -1; `prediction` and `measured` are the five booleans.
    """
    got = check_claims("tanh", lam=lam)["claims"]
    want = expected_claims(lam)
    pred = np.array([want[k] for k in sorted(want)])
    meas = np.array([got[k] for k in sorted(got)])
    return make_check(jnp.asarray(pred), jnp.asarray(meas), jnp.asarray(1.0 if (pred == meas).all() else -1.0))


# --------------------------------------------------------------- instances --

def toy_instances(key, n, dtype):
    """lambda for the toy claims, 8 strata: five log-uniform on [1e-5, 0.07698] (all five claims hold);
    one on (0.07698, 0.1] and one on (0.1, 0.14965] (C2 fails, C5 holds); one on (0.14965, 0.3] (C2 and
    C5 fail)."""
    k = jax.random.split(key, 4)
    c2, c5 = TANH_C2_LAMBDA, TANH_C5_LAMBDA
    s = strata(n, 8)
    lam = log_uniform(k[0], n, 1e-5, c2 * 0.999, dtype)
    lam = jnp.where(s == 5, uniform(k[1], n, c2 * 1.001, 0.1, dtype), lam)
    lam = jnp.where(s == 6, uniform(k[2], n, 0.1, c5 * 0.999, dtype), lam)
    lam = jnp.where(s == 7, uniform(k[3], n, c5 * 1.001, 0.3, dtype), lam)
    return {"lam": lam}


def _toy_details(collected):
    lam = gather(collected, 0, lambda p, c: p["lam"])
    return {"lam_sampled": [round(float(x), 6) for x in lam[:8]]}


# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="toy",
        order=16,
        stream=16,
        statement=("Sec. 5.2 toy: C1-C5 (DA lands in a basin that finetuning cannot leave) for lam in [1e-5, "
                   "0.07698]; C2 fails above, C5 above 0.14965"),
        tag="[T, reading D]",
        verdict="ambiguous: reading 'tanh' (h = tanh(z/2), target y; lam = 0.05 in the figures)",
        parts=(Part(check_toy, toy_instances, 1 / 250, None, vmap=False),  # 8 minima searches at n = 2000
        ),
        summary=("Sec. 5.2: C1–C5 for λ ∈ [1e-5, 0.07698] (C2 fails above, C5 above 0.14965); **ambiguous**: reading"
                 " `tanh`; `literal` fails C3, `target01` C2/C5"),
        measures="`check_toy` (both sides of the range)",
        details=_toy_details,
    ),
)
