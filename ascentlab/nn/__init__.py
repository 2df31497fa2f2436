r"""The neural-network evidence at laptop scale (issue 11, in progress): data, small MLPs in pure JAX,
ensembles trained at once with `vmap`.

`ascentlab.nn.data`: a real small data set (scikit-learn's bundled handwritten digits, the optional
`data` extra) and a synthetic generator with controllable class structure and near-duplicates, with a
fixed train/validation split by seed. `ascentlab.nn.mlp`: MLP parameters as pytrees, multiclass
margins $z_y-\log\sum_{k\ne y}e^{z_k}$ (the KLoM benchmark's margin), minibatch SGD with a fixed
batch size, and N models trained in one vmapped program.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 and App. K (the experiments this
reproduces at small scale); docs/theory.md §4 (what the paper ran).
"""
