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

jax.config.update("jax_enable_x64", True)
key = jax.random.key(0)
FAST = os.environ.get("ASCENTLAB_FAST") == "1"  # CI runs every notebook at reduced size

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import ascentlab as al
from ascentlab import plots, theory

plt.style.use("ascentlab.styles.lecture")

# %%
for n, eps in ((100, 0.1), (500, 0.05), (1000, 0.05)):
    key, sub = jax.random.split(key)
    c = theory.check_lemma1(sub, float(n), eps, 0.8, trials=2000 if FAST else 20_000)
    print(f"|F|={n:5d} eps={eps}: bound {float(c.prediction):.5f}, Monte-Carlo {float(c.measured):.5f}")

# %%
from ascentlab import figdata

fig = plots.build_hoeffding(figdata.hoeffding_data(FAST))
