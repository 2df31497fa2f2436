r"""Case `ensemble`: 1,000 step sizes in one vmapped call against a Python loop of `al.unlearn`.

DA on a logistic `al.gaussian_problem` (n = 2,000, d = 20, T = 200 steps; quick: 1,000, 10, 100),
step sizes $\eta$ on `logspace(-3, 0, 1000)`, references solved once:
`jax.jit(jax.vmap(lambda eta: al.unlearn(problem, "da", eta=eta, steps=T, references=refs)))`
against `[al.unlearn(problem, "da", eta=e, steps=T, references=refs) for e in etas]`,
the loop timed on an evenly spaced sample of the step sizes and extrapolated
to all 1,000; and the same grid through `al.sweep({"eta": etas})`. All must give the same iterates.
"""

import numpy as np

from ._core import CaseResult, Row, Timing, progress, time_call

NAME = "ensemble"
K = 1000


def sizes(cfg):
    """(n, d, T, loop sample) of the problem the step sizes run on."""
    return (1_000, 10, 100, 50) if cfg.quick else (2_000, 20, 200, 200)


def run(cfg) -> CaseResult:
    import jax
    import jax.numpy as jnp

    import ascentlab as al

    N, D, T, n_loop = sizes(cfg)
    res = CaseResult(NAME, sizes=f"logistic gaussian_problem n={N:,} d={D}, T={T}, {K} step sizes; "
                                 f"Python loop on {n_loop} of them, extrapolated")
    problem = al.gaussian_problem(jax.random.key(2), N, D, 0.1, 0.1, 1e-3, n_test=100)
    refs = al.solve_references(problem, da=False)
    etas = jnp.logspace(-3, 0, K, dtype=problem.X.dtype)
    batched = jax.jit(jax.vmap(lambda eta: al.unlearn(problem, "da", eta=eta, steps=T, references=refs)))
    progress(f"{NAME}: vmapped over {K} step sizes")
    t_v, traj = time_call(lambda: batched(etas), repeats=cfg.long_repeats, budget_s=cfg.budget_s)
    res.timings[f"vmap over {K} step sizes"] = t_v

    sample = np.linspace(0, K - 1, n_loop).round().astype(int)
    progress(f"{NAME}: Python loop over {n_loop} step sizes")
    t_loop, outs = time_call(lambda: [al.unlearn(problem, "da", eta=etas[i], steps=T, references=refs)
                                      for i in sample], repeats=cfg.long_repeats, budget_s=cfg.budget_s)
    t_loop = Timing(t_loop.first, t_loop.repeats, K / n_loop)
    res.timings[f"Python loop (extrapolated from {n_loop})"] = t_loop

    w_loop = np.stack([np.asarray(o.w[-1]) for o in outs])
    w_vmap = np.asarray(traj.w[sample, -1])
    div_loop = np.array([int(o.diverged_at) for o in outs])
    div_vmap = np.asarray(traj.diverged_at)[sample]
    ok = div_loop == div_vmap
    fin = ok & (div_loop < 0)
    rel = float(np.max(np.linalg.norm(w_loop[fin] - w_vmap[fin], axis=1) / np.linalg.norm(w_loop[fin], axis=1))) \
        if fin.any() else 0.0
    # vmap turns T matrix-vector products into matrix-matrix ones (another summation order): the iterates
    # differ by rounding, ~1e-16 per step carried through T = 200 steps of a map with gain near 1.
    res.check("vmap = loop", bool(ok.all()) and rel <= 1e-9,
              f"diverged_at equal on {int(ok.sum())} of {n_loop}; max relative difference of w_T {rel:.1e}")
    res.rows.append(Row(NAME, f"{K} step sizes, one vmapped call", t_v.median,
                        "Python loop of al.unlearn (extrapolated)", t_loop.median, compile_s=t_v.compile))
    if hasattr(al, "sweep"):
        def cell(eta):
            return al.unlearn(problem, "da", eta=eta, steps=T, references=refs)

        progress(f"{NAME}: al.sweep over {K} step sizes")
        t_s, traj_s = time_call(lambda: al.sweep(cell, {"eta": np.asarray(etas)}, progress=False),
                                repeats=cfg.long_repeats, budget_s=cfg.budget_s)
        res.timings[f"al.sweep over {K} step sizes"] = t_s
        w_s, w_v = np.asarray(traj_s.w[:, -1]), np.asarray(traj.w[:, -1])
        same_div = np.array_equal(np.asarray(traj_s.diverged_at), np.asarray(traj.diverged_at))
        ok_rows = np.all(np.isfinite(w_v), axis=1)
        rel_s = float(np.max(np.linalg.norm(w_s[ok_rows] - w_v[ok_rows], axis=1)
                             / np.linalg.norm(w_v[ok_rows], axis=1))) if ok_rows.any() else 0.0
        # the same vmapped program in chunks: equal up to the rounding of another batch width (see above)
        res.check("al.sweep = vmap", same_div and rel_s <= 1e-9,
                  f"diverged_at {'equal' if same_div else 'DIFFER'}; max relative difference of w_T {rel_s:.1e}")
        res.rows.append(Row(NAME, f"{K} step sizes, al.sweep", t_s.median, "Python loop of al.unlearn (extrapolated)",
                            t_loop.median, compile_s=t_s.compile))
    return res
