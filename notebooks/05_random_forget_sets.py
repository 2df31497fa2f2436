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
# # 05 · Random forget sets (Lemma 1)
#
# A forget set drawn uniformly at random is, for the oracle that never saw it, a sample of the test
# distribution: its accuracy concentrates around the test accuracy,
# $\Pr(|\mathrm{Acc}_T-\mathrm{Acc}_{\mathcal F}|\ge\epsilon)\le2e^{-2|\mathcal F|\epsilon^2}$. An unlearning
# method that drives forget accuracy *down* therefore moves away from the oracle.

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

# %%
# A trained model (the oracle of a Gaussian problem) scored on 500 held-out samples: random forget
# sets of n of them, 10,000 draws each (`theory.check_lemma1`; the bound is tightest for small sets).
for n, eps in ((2, 0.45), (10, 0.3), (50, 0.15), (100, 0.1)):
    c = theory.check_lemma1(7, 1.0, n, eps, trials=2000 if FAST else 10_000)
    freq, acc = (float(x) for x in c.measured)
    print(f"|F|={n:4d} eps={eps}: Acc_T {acc:.3f}, bound {float(c.prediction):.4f}, frequency {freq:.4f}")

# %%
from ascentlab import figures

fig = figures.draw("hoeffding", figures.figure_data("hoeffding", FAST))
