# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Cross-dimensional correlation (Lemmas 6–10, Fig. 4)
#
# Retained samples $x=(1,\epsilon)$ and forgotten ones $x=(\epsilon,1)$ share weight through the
# correlation $\epsilon$. In the margins $x=w_1+\epsilon w_2$, $y=\epsilon w_1+w_2$ the retrain
# solution is explicit (Lemma 6), the original and DA solutions are bracketed (Lemmas 7–8), and the
# brackets give the $\alpha$ window in which DA is provably detrimental (Lemmas 9–10).

# %%
import os

import jax

import ascentlab as al

jax.config.update("jax_enable_x64", True)
# compile once per machine: compiled programs are kept in ~/.cache/ascentlab/jax (ASCENTLAB_JAX_CACHE=off turns it off)
al.enable_compilation_cache()
key = jax.random.key(0)
FAST = os.environ.get("ASCENTLAB_FAST") == "1"  # CI runs every notebook at reduced size

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

from ascentlab import plots, theory

plt.style.use("ascentlab.styles.lecture")

# %% [markdown]
# ## The C-9 instance
# $|\mathcal R|=1000$, $|\mathcal F|=250$, $|\mathcal R_{ij}|=100$, $\lambda=1$, $\epsilon=0.6$.

# %%
n_r, n_f, r_ij, lam, eps = 1000.0, 250.0, 100.0, 1.0, 0.6
b, p, q, _, _ = theory.pair_coefficients(r_ij, 0.1, n_r - r_ij, n_f - 0.1 * r_ij, lam)
print("alpha_D>DA =", float(theory.lemma9_threshold(n_r, n_f, eps)))
print("alpha_R>D (derived, x and y) =", [float(v) for v in theory.lemma10_thresholds(b, p, eps)])
print("exact crossings =", [float(v) for v in theory.lemma10_crossing(r_ij, n_r, n_f, eps, lam)])

# %%
for alpha in (0.02, 0.10, 0.18, 0.22):
    prob = theory.pair_problem(r_ij, alpha, n_r - r_ij, n_f - alpha * r_ij, eps, lam)
    w = {k: al.solve(prob, k).w for k in ("original", "oracle", "da")}
    print(f"alpha={alpha:.2f}  |w^D - w^R| = {float(jnp.linalg.norm(w['original'] - w['oracle'])):.4f}"
          f"  |w^DA - w^R| = {float(jnp.linalg.norm(w['da'] - w['oracle'])):.4f}")

# %% [markdown]
# ## Lemmas 6–8 on one instance

# %%
for check in (theory.check_lemma6, theory.check_lemma7, theory.check_lemma8, theory.check_lemma12):
    c = check(r_ij, 0.1, n_r - r_ij, n_f - 0.1 * r_ij, eps, lam)
    print(f"{check.__name__:>14}: holds {bool(c.holds)}, margin {float(c.margin):.3g}")

# %% [markdown]
# ## Fig. 4
# Dashed: $\alpha_{D>DA}$ (Lemma 9); solid: the derived sufficient $\alpha_{R>D}$; dotted: the exact
# crossing; shaded: where exact solves find DA detrimental. The true window is wider than the
# guaranteed one, and widens with the forget fraction.

# %%
from ascentlab import figures

fig = figures.draw("fig4", figures.figure_data("fig4", FAST))
