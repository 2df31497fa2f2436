r"""The neural-network evidence at laptop scale: data, small MLPs in pure JAX,
ensembles trained at once with `vmap`, scored with KLoM.

`ascentlab.nn.data`: a real small data set (scikit-learn's bundled handwritten digits, the optional
`data` extra) and a synthetic generator with controllable class structure and near-duplicates, with a
fixed train/validation split by seed. `ascentlab.nn.mlp`: MLP parameters as pytrees, multiclass
margins $z_y-\log\sum_{k\ne y}e^{z_k}$ (the KLoM benchmark's margin), minibatch SGD with a fixed
batch size, and N models trained in one vmapped program. `ascentlab.nn.forget_sets`: the paper's nine
forget sets (random, and aligned with PC1/PC2 of an influence proxy: the ensemble-averaged Gram of
per-sample last-layer gradients). `ascentlab.nn.unlearn`: GA, GDA, SCRUB, NegGrad+, noisy descent,
rewinding and finetuning for one model's parameters (vmap over models and hyper-parameters), and the
benchmark's relative cost.

`ascentlab.nn.experiment`: the whole pipeline — ensembles, forget sets, 2N oracles per forget set (the
second N give KLoM's noise floor), vmapped unlearning grids, KLoM per group, the Table 1 analogue, an
on-disk stage cache with resume — behind `ascentlab experiment nn --preset {tiny,small,full}`;
`ascentlab.nn.plots`: the scatter figures (the paper's Figs 1, 3, 6, 7). Import the modules directly:
`from ascentlab.nn import data, mlp, forget_sets, unlearn, experiment`.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 and App. K (the experiments this
reproduces at small scale); docs/theory.md §4 (what the paper ran).
"""
