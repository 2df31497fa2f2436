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
# # 08 · The neural evidence at laptop scale
#
# Lectures 02–07 work with logistic regression, where the oracle (the model retrained on the retain set
# $\mathcal R$) is exact. The paper's evidence for deep networks (Sec. 6, App. K–L) is different in kind:
# 100 ResNet-9 models trained on CIFAR-10 and 100 oracles per forget set, unlearned with gradient ascent
# (GA), descent–ascent (GDA) and SCRUB over large grids, and scored with **KLoM** — per data point, the
# KL divergence between the margin distribution of the unlearned models and that of the oracles, reported
# as the 95th percentile over the forget, retain and validation points.
#
# `ascentlab.nn.experiment` runs the same pipeline with small MLPs trained all at once with `vmap`, on
# scikit-learn's bundled handwritten digits and on a synthetic data set with and without near-duplicates:
#
# 1. the experiment and its noise floor (two independent oracle ensembles are not at KLoM 0);
# 2. the Table 1 analogue: how far the pretrained model is from the oracle, and what near-duplicates do;
# 3. Fig. 1: GA and GDA on a forget set aligned with the first principal component of an influence proxy;
# 4. Figs 3, 6, 7: every forget set, every method;
# 5. what it shows next to the paper's claims.
#
# Every number is computed by `ascentlab`; every statement is an `assert` in the cell that makes it. The
# `small` preset (80 models per ensemble, nine forget sets, seven methods) takes 4 minutes on two
# CPU cores the first time and seconds afterwards (its stages are cached on disk); with `FAST` the
# lecture runs the `tiny` preset (64 models, three forget sets, GA/GDA/SCRUB).

# %%
import os

import jax

import ascentlab as al

jax.config.update("jax_enable_x64", True)
# compile once per machine: compiled programs are kept in ~/.cache/ascentlab/jax (ASCENTLAB_JAX_CACHE=off turns it off)
al.enable_compilation_cache()
key = jax.random.key(0)  # house style; the experiment derives every key from its configuration's seed
FAST = os.environ.get("ASCENTLAB_FAST") == "1"  # CI runs every notebook at reduced size

import matplotlib.pyplot as plt
import numpy as np

from ascentlab.nn import experiment, plots

plt.style.use("ascentlab.styles.lecture")
PRESET = "tiny" if FAST else "small"

# %% [markdown]
# ## 1 · The experiment, and the noise floor of KLoM
#
# `experiment.run(PRESET)` trains, per data set, $N$ pretrained MLPs on $\mathcal D$, finds the forget sets
# (random ones and ones aligned with PC1/PC2 of the ensemble-averaged Gram matrix of per-sample last-layer
# gradients — our stand-in for the paper's datamodel matrix), trains $2N$ oracles on $\mathcal R$ per forget
# set, runs every unlearning grid and scores it. The second $N$ oracles are a control the paper does not
# show: their KLoM against the first $N$ is what an *exact* retraining scores at this $N$.

# %%
res = experiment.run(PRESET)
cfg = res["config"]
print(f"N = {cfg['n_models']} models per ensemble; forget sets {cfg['forget_sets']}")
for name, info in res["datasets"].items():
    print(f"{name:14s} n = {info['n_train']}, validation {info['n_val']}, pretrained accuracy "
          f"train {info['pretrained_acc_train']:.3f} / validation {info['pretrained_acc_val']:.3f}")


def ref(dataset, s):
    (r,) = [r for r in res["references"] if r["dataset"] == dataset and r["set"] == s]
    return r


floor = ref("digits", "pc1_top_large")["oracle2"]
pre = ref("digits", "pc1_top_large")["pretrained"]
print(f"digits, PC1 set: independent oracles forget KLoM {floor['klom_forget']:.2f}, "
      f"pretrained {pre['klom_forget']:.2f}")
# the noise floor is well above 0 (finite N, 20 bins) but far below the pretrained model's forget KLoM
assert 0.3 < floor["klom_forget"] < 0.3 * pre["klom_forget"]

# %% [markdown]
# ## 2 · The Table 1 analogue
#
# The paper's Table 1 gives the pretrained-vs-oracle KLoM on MNIST and FashionMNIST and calls those data sets
# "degenerate" for unlearning evaluation: near-duplicates make the pretrained model already look like the
# oracle on the forget points. Our switch is the synthetic generator's `duplicate_fraction`: with 1.0 every
# training point has a near-duplicate twin (same label, distance ~0.01·√p), which stays in $\mathcal R$ when a
# random forget set takes the point.

# %%
rows = experiment.table1(res)
print(experiment.table1_markdown(rows))
by = {(r["dataset"], r["set"]): r for r in rows}
for s in [s for s in cfg["forget_sets"] if s.startswith("random")]:
    plain, dup = by[("synthetic", s)], by[("synthetic+dup", s)]
    # near-duplicates pull the pretrained model toward the oracle on the forget points whose twin stays in R
    # (by 30-43 % at tiny over seeds 0-3, 13-28 % at small: the longer the training, the less a twin helps)
    assert dup["pretrained_forget_twin_kept"] < 0.9 * plain["pretrained_forget"]
    # ... without reaching the noise floor: a twin is one duplicate, and the pretrained model saw the point
    # twice (itself and its twin) where the oracle saw it once
    assert dup["pretrained_forget_twin_kept"] > 1.5 * dup["oracle2_forget"]

# %% [markdown]
# Over a whole random forget set the 95th percentile can hide this: in a random 10 % set about 10 % of the
# points have their twin forgotten too, and on those the pretrained model (which saw the point twice) is
# *farther* from the oracle (which saw it never) than without duplicates — the "forget KLoM" column moves
# either way from seed to seed, the "twin in R" column does not. The paper's MNIST near-duplicates are
# clusters, not pairs: removing 10 % of the data rarely removes a whole cluster.

# %% [markdown]
# ## 3 · Fig. 1: GA and GDA on a PC1-aligned forget set
#
# Each point is one configuration (learning rate × epochs, and ascent epochs for GDA), at (forget KLoM,
# validation KLoM) of its $N$ unlearned models against the $N$ oracles; colour = relative cost (gradient work
# as a fraction of training an oracle, the benchmark's definition). ○ is doing nothing, ★ the oracle, ✚ the
# independent oracles.

# %%
figs = plots.figures(res)
fig = figs["nn_fig1_digits"]
plt.show()
recs = [r for r in res["records"]
        if r["dataset"] == "digits" and r["set"] == "pc1_top_large" and r["method"] in ("ga", "gda")]
near_floor = [r for r in recs if r["klom_forget"] is not None and r["klom_forget"] < 3 * floor["klom_forget"]]
broke = [r for r in recs if r["klom_val"] is None or r["klom_val"] > 2 * pre["klom_val"]]
print(f"{len(recs)} runs: {len(near_floor)} reach forget KLoM < 3x the noise floor; "
      f"{len(broke)} more than double the validation KLoM (break the model)")
# the paper's finding: GA/GDA either stay near the pretrained point or break the model; none forgets well
for r in near_floor:
    assert r["klom_val"] > 3 * floor["klom_val"], r
assert broke, "the largest GA learning rate breaks the model"

# %% [markdown]
# ## 4 · Figs 3, 6 and 7: every forget set, every method
#
# Fig. 6's panels put every method on every forget set (Fig. 7 is the same with the retain KLoM on the
# y-axis; the paper found "very little difference", and so do we). With the `small` preset this includes
# the alternatives of lecture 07: finetuning and rewinding (descent on $\mathcal R$ only, from the
# pretrained model or from an early checkpoint), NegGrad+ and noisy descent.

# %%
fig = figs["nn_fig6_digits"]
plt.show()


def worst(r):
    """A run's worst group: the KLoM a user must trust (None when a model diverged)."""
    vals = [r[f"klom_{g}"] for g in ("forget", "retain", "val")]
    return None if None in vals else max(vals)


ASCENT = ("ga", "gda", "scrub", "neggrad_plus")
for s in cfg["grid_sets"]:
    r0 = ref("digits", s)
    fl, pr = worst(r0["oracle2"]), worst(r0["pretrained"])
    best = {}
    for r in res["records"]:
        if r["dataset"] == "digits" and r["set"] == s and worst(r) is not None:
            if r["method"] not in best or worst(r) < worst(best[r["method"]]):
                best[r["method"]] = r
    print(f"{s:15s} noise floor {fl:4.2f}, do nothing {pr:4.2f}; best run: "
          + ", ".join(f"{m} {worst(r):.2f}" for m, r in sorted(best.items(), key=lambda kv: worst(kv[1]))))
    if s in ("pc1_top_large", "pc1_top_bottom", "pc2_top_large", "pc2_top_bottom"):
        # large influential sets: no ascent-based run gets within 3x the noise floor, whatever its grid point
        assert all(worst(best[m]) > 3 * fl for m in ASCENT if m in best)
    if "scrub" in best:
        # SCRUB stays near the pretrained model (the paper's App. L)
        assert worst(best["scrub"]) > 0.8 * pr
    if s == "random_small" and "ga" in best:
        # the "ascent forgets" illusion (the paper's Fig. 2): on 10 random points the best of the GA grid,
        # picked *with* the oracle's scores, lands near the noise floor
        assert worst(best["ga"]) < 2 * fl

# %%
fig = figs["nn_fig7_digits"]
plt.show()
recs = [r for r in res["records"] if r["dataset"] == "digits" and r["klom_val"] is not None]
val = np.array([r["klom_val"] for r in recs])
ret = np.array([r["klom_retain"] for r in recs])
for s in cfg["grid_sets"]:
    m = np.array([r["set"] == s for r in recs])
    print(f"{s:15s} median |validation KLoM - retain KLoM| over {m.sum()} runs = {np.median(np.abs(val - ret)[m]):.2f}")
# Fig. 7 vs Fig. 6: over all runs, retain and validation KLoM move together (Pearson; the runs that break the
# model dominate it, as they dominate the figures; near the pretrained point the two differ by noise)
r_val_ret = np.corrcoef(val, ret)[0, 1]
print(f"correlation(validation KLoM, retain KLoM) over all {len(recs)} runs = {r_val_ret:.3f}")
assert r_val_ret > 0.9

# %% [markdown]
# ## 5 · What it shows, next to the paper
#
# * **Agrees:** on the PC1-aligned (influential) sets the pretrained model is far from the oracle on the
#   forget points only, and no GA/GDA/SCRUB configuration closes that gap without breaking the model — each
#   run either stays near ○ or moves up and right (Fig. 1). Validation and retain KLoM tell the same story
#   (Fig. 7). Near-duplicates lower the pretrained-vs-oracle forget KLoM (Table 1's message).
# * **Adds:** the noise floor. With $N$ models per side and 20 bins, two independent oracle ensembles score a
#   95th-percentile KLoM of about 1 (N = 64–80), not 0: a run "at the oracle" lands at ✚, not at ★.
# * **Differs / not reproduced:** the MLPs and data are small, so absolute KLoM values are not the paper's;
#   our near-duplicates are pairs, so they shrink the gap (by 10–35 %) rather than remove it; the influence proxy is a
#   gradient Gram matrix, not a datamodel matrix.
