r"""The neural-network experiment: ensembles, oracles, unlearning grids and KLoM, with an on-disk cache.

`run(config)` reproduces, at laptop scale, the pipeline of the paper's Sec. 6 and App. K (CIFAR-10,
100 ResNet-9 per side) with small MLPs (`ascentlab.nn.mlp`) trained all at once with `vmap`:

1. **Data** (`ascentlab.nn.data`): each entry of `config["datasets"]` — scikit-learn's bundled digits,
   or the synthetic generator with or without near-duplicates (the switch behind the paper's Table 1).
2. **Pretrained ensemble**: $N$ = `n_models` MLPs trained on $\mathcal D$ with minibatch SGD
   (`config["train"]`), one vmapped program; the parameters after `rewind_epoch` epochs are kept for
   rewinding.
3. **Forget sets** (`ascentlab.nn.forget_sets`): random, and aligned with PC1/PC2 of the influence proxy
   (the ensemble-averaged Gram of per-sample last-layer gradients) of the pretrained ensemble.
4. **Oracles**: per forget set, $2N$ models trained on $\mathcal R$ with the same recipe, in one vmapped
   program: the first $N$ are *the* oracle ensemble, the other $N$ an independent second oracle ensemble
   whose KLoM against the first is the **noise floor** of KLoM at this $N$ (the paper places the oracle at
   the origin by definition; with finitely many models two oracle ensembles are not at KLoM 0).
5. **Unlearning grids** (`ascentlab.nn.unlearn`, `config["grids"]`): every method on every model of the
   pretrained ensemble, vmapped over the models and over the traced hyper-parameters (learning rate,
   ascent epochs, $\beta$, $\sigma$); the epoch axis comes from one run's snapshots. Model $i$ uses the
   key `fold_in(k, i)` of its set, the same for every configuration (common random numbers).
6. **Scores**: margins $m(x)=z_y-\log\sum_{k\ne y}e^{z_k}$ of every model on train + validation,
   per-point KLoM (`ascentlab.metrics.klom`, 20 bins, $D_{KL}(\text{oracle}\|\text{unlearned})$) of each
   configuration's $N$ models against the $N$ oracles, and its 95th percentile on the forget, retain and
   validation groups; accuracies; the benchmark's relative cost (`unlearn.relative_cost`).

**Table 1 analogue** (`table1`): the pretrained-vs-oracle KLoM per data set and random forget set, next
to the oracle-vs-oracle noise floor, with and without near-duplicates.

**Cache and resume.** Every stage (a data set's pretrained ensemble and forget sets; a forget set's
oracles; one method's grid on one forget set) is a file named by the SHA-256 of everything it depends on
(the stage's part of the configuration, `FORMAT`, the ascentlab and JAX versions), written atomically
when the stage ends. A second `run` with the same configuration loads every stage; an interrupted run
(Ctrl-C, a killed process) resumes at the first missing stage; changing only the grids reuses the
ensembles and oracles. Same configuration, same bits (tested): every random draw comes from
`config["seed"]` through JAX's counter-based PRNG.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6, App. K, L (Figs 1, 3, 6, 7, Table 1);
docs/theory.md §1.3, §1.4, §3, §4; RoyRin/data-unlearning-bench (the KLoM and cost definitions).
"""

import copy
import functools
import hashlib
import io
import itertools
import json
import os
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v
from .. import metrics as _metrics
from . import data as _data
from . import forget_sets as _fs
from . import mlp
from . import unlearn as _unlearn

__all__ = ["PRESETS", "FORMAT", "GRID_METHODS", "preset", "check_config", "run", "table1", "table1_markdown",
           "write_outputs", "default_cache_dir"]

FORMAT = 1
GRID_METHODS = ("ga", "gda", "scrub", "neggrad_plus", "finetune", "rewind", "noisy_descent")
GROUPS = ("forget", "retain", "val")

# Which grid entries are traced (vmapped inside one compiled program), which are static (one program
# each), and the method's other keyword arguments. "epochs" is always the snapshot axis of one run.
_TRACED = {"ga": ("lr",), "gda": ("lr", "ascent_epochs"), "scrub": ("lr", "ascent_epochs"),
           "neggrad_plus": ("lr", "beta"), "finetune": ("lr",), "rewind": ("lr",), "noisy_descent": ("lr", "sigma")}
_STATIC = {"gda": ("forget_batch",), "scrub": ("forget_batch",), "neggrad_plus": ("forget_batch",)}
_FORGET_PASSES = ("ga", "gda", "scrub", "neggrad_plus")  # methods that take max_forget

_DIGITS_SHAPE = {"n": 1797, "p": 64}  # synthetic sets of the presets match digits' shapes: one compile for all

_TRAIN = {"epochs": 16, "batch_size": 64, "lr": 0.05, "momentum": 0.9, "weight_decay": 5e-4,
          "schedule": "triangular"}


def _datasets(separation):
    syn = {"kind": "synthetic", **_DIGITS_SHAPE, "n_classes": 10, "latent_dim": 10, "separation": separation,
           "duplicate_noise": 0.01}
    return [{"label": "digits", "kind": "digits"},
            {"label": "synthetic", **syn, "duplicate_fraction": 0.0},
            {"label": "synthetic+dup", **syn, "duplicate_fraction": 1.0}]


_PAPER_SETS = list(_fs.FORGET_SETS)

PRESETS = {
    # CI-sized: three data sets for the Table 1 analogue, grids on digits only, few cells.
    "tiny": {
        "name": "tiny", "seed": 0, "n_models": 64, "dtype": "float32",
        "model": {"hidden": [32], "activation": "relu"},
        "train": dict(_TRAIN, epochs=12),
        "datasets": _datasets(2.0),
        "forget_sets": ["random_small", "random_large", "pc1_top_large"],
        "grid_datasets": ["digits"],
        "grid_sets": ["random_large", "pc1_top_large"],
        "rewind_epoch": 3,
        "unlearn_batch_size": 64,
        "grids": {
            "ga": {"lr": [1e-3, 1e-2, 1e-1], "epochs": [1, 5]},
            "gda": {"lr": [1e-3, 1e-2], "epochs": [3, 5], "ascent_epochs": [1], "forget_batch": [32]},
            "scrub": {"lr": [1e-3, 1e-2], "epochs": [3, 5], "ascent_epochs": [1], "forget_batch": [32]},
        },
        "klom": {"bins": 20, "mode": "ascentlab", "q": 95.0},
    },
    # <= 15 minutes on two cores: the nine forget sets on digits, every method.
    "small": {
        "name": "small", "seed": 0, "n_models": 80, "dtype": "float32",
        "model": {"hidden": [64], "activation": "relu"},
        "train": dict(_TRAIN),
        "datasets": _datasets(2.0),
        "forget_sets": _PAPER_SETS,
        "grid_datasets": ["digits"],
        "grid_sets": _PAPER_SETS,
        "rewind_epoch": 4,
        "unlearn_batch_size": 64,
        "grids": {
            "ga": {"lr": [1e-4, 1e-3, 1e-2, 5e-2, 1e-1, 3e-1], "epochs": [1, 3, 5, 7, 10]},
            "gda": {"lr": [1e-3, 1e-2, 5e-2], "epochs": [5, 7, 10], "ascent_epochs": [3, 5], "forget_batch": [32]},
            "scrub": {"lr": [1e-3, 1e-2, 5e-2], "epochs": [5, 7, 10], "ascent_epochs": [3, 5], "forget_batch": [32]},
            "neggrad_plus": {"lr": [1e-2, 5e-2], "epochs": [1, 3, 5], "beta": [0.9, 0.99], "forget_batch": [32]},
            "finetune": {"lr": [1e-2, 5e-2], "epochs": [1, 3, 5]},
            "rewind": {"lr": [1e-2, 5e-2], "epochs": [3, 5, 10]},
            "noisy_descent": {"lr": [5e-2], "epochs": [3, 5], "sigma": [1e-3, 1e-2]},
        },
        "klom": {"bins": 20, "mode": "ascentlab", "q": 95.0},
    },
    # The paper's N = 100 and its full GA/GDA/SCRUB grids (learning rates rescaled to the MLP).
    "full": {
        "name": "full", "seed": 0, "n_models": 100, "dtype": "float32",
        "model": {"hidden": [64], "activation": "relu"},
        "train": dict(_TRAIN, epochs=24),
        "datasets": _datasets(2.0),
        "forget_sets": _PAPER_SETS,
        "grid_datasets": ["digits", "synthetic", "synthetic+dup"],
        "grid_sets": _PAPER_SETS,
        "rewind_epoch": 5,
        "unlearn_batch_size": 64,
        "grids": {
            "ga": {"lr": [1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 1e-2, 5e-2, 1e-1, 3e-1], "epochs": [1, 3, 5, 7, 10]},
            "gda": {"lr": [5e-5, 5e-4, 1e-3, 5e-3, 5e-2], "epochs": [5, 7, 10], "ascent_epochs": [3, 5],
                    "forget_batch": [32, 64]},
            "scrub": {"lr": [5e-5, 5e-4, 1e-3, 5e-3, 5e-2], "epochs": [5, 7, 10], "ascent_epochs": [3, 5],
                      "forget_batch": [32, 64]},
            "neggrad_plus": {"lr": [1e-2, 5e-2], "epochs": [1, 3, 5], "beta": [0.9, 0.99], "forget_batch": [64]},
            "finetune": {"lr": [1e-2, 5e-2], "epochs": [1, 3, 5, 10]},
            "rewind": {"lr": [1e-2, 5e-2], "epochs": [3, 5, 10]},
            "noisy_descent": {"lr": [5e-2], "epochs": [3, 5, 10], "sigma": [1e-3, 1e-2]},
        },
        "klom": {"bins": 20, "mode": "ascentlab", "q": 95.0},
    },
}


def preset(name: str) -> dict:
    """A deep copy of a preset's configuration ("tiny", "small" or "full"): edit it and pass it to `run`."""
    v.check_choice("experiment.preset", "name", name, tuple(PRESETS))
    return copy.deepcopy(PRESETS[name])


def default_cache_dir() -> str:
    """`$ASCENTLAB_EXPERIMENT_CACHE`, else `$XDG_CACHE_HOME/ascentlab/experiments`, else
    `~/.cache/ascentlab/experiments`."""
    from .._cache import user_cache_dir

    return user_cache_dir("ASCENTLAB_EXPERIMENT_CACHE", "experiments")


# ----------------------------------------------------------------------------------------------- validation

_KEYS = {"name", "seed", "n_models", "dtype", "model", "train", "datasets", "forget_sets", "grid_datasets",
         "grid_sets", "rewind_epoch", "unlearn_batch_size", "grids", "klom"}
_GRID_KEYS = {"ga": {"lr", "epochs"}, "gda": {"lr", "epochs", "ascent_epochs", "forget_batch"},
              "scrub": {"lr", "epochs", "ascent_epochs", "forget_batch"},
              "neggrad_plus": {"lr", "epochs", "beta", "forget_batch"}, "finetune": {"lr", "epochs"},
              "rewind": {"lr", "epochs"}, "noisy_descent": {"lr", "epochs", "sigma"}}
_DATA_KEYS = {"digits": {"label", "kind", "val_fraction"},
              "synthetic": {"label", "kind", "n", "p", "n_classes", "latent_dim", "separation",
                            "duplicate_fraction", "duplicate_noise", "val_fraction"}}

W = "experiment.run"


def _list(name, value, kind, *, minimum=None, positive=False, distinct=True):
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        v.fail(W, name, value, "must be a non-empty list")
    out = []
    for x in value:
        if kind is int:
            out.append(v.check_int(W, name, x, minimum=minimum))
        else:
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not np.isfinite(x) or (positive and x <= 0):
                v.fail(W, name, value, "must hold finite " + ("positive " if positive else "") + "numbers")
            out.append(float(x))
    if distinct and len(set(out)) != len(out):
        v.fail(W, name, value, "must not repeat a value")
    return out


def check_config(config) -> dict:
    """Validate an experiment configuration (a preset's structure); return a normalised deep copy.

    Raises:
        ValueError: naming the first bad entry and its value (unknown keys included: a typo never
            silently falls back to a default).
    """
    if not isinstance(config, dict):
        v.fail(W, "config", type(config).__name__, "must be a dict (see experiment.preset('tiny'))")
    c = copy.deepcopy(config)
    missing = sorted(_KEYS - set(c))
    extra = sorted(set(c) - _KEYS)
    if missing or extra:
        v.fail(W, "config", f"missing {missing}, unknown {extra}", f"must have exactly the keys {sorted(_KEYS)}")
    if not isinstance(c["name"], str) or not c["name"]:
        v.fail(W, "config['name']", c["name"], "must be a non-empty string")
    c["seed"] = v.check_int(W, "config['seed']", c["seed"], minimum=0)
    if c["seed"] > 2**32 - 1:
        v.fail(W, "config['seed']", c["seed"], "must be < 2**32")
    c["n_models"] = v.check_int(W, "config['n_models']", c["n_models"], minimum=2)
    v.check_choice(W, "config['dtype']", c["dtype"], ("float32", "float64"))
    if c["dtype"] == "float64" and not jax.config.jax_enable_x64:
        v.fail(W, "config['dtype']", "float64", "needs jax_enable_x64 (jax.config.update('jax_enable_x64', True))")
    m = c["model"]
    if not isinstance(m, dict) or set(m) != {"hidden", "activation"}:
        v.fail(W, "config['model']", m, "must be {'hidden': [widths], 'activation': 'relu' or 'tanh'}")
    m["hidden"] = (_list("config['model']['hidden']", m["hidden"], int, minimum=1, distinct=False)
                   if m["hidden"] != [] else [])
    v.check_choice(W, "config['model']['activation']", m["activation"], mlp.ACTIVATIONS)
    t = c["train"]
    if not isinstance(t, dict) or set(t) != set(_TRAIN):
        v.fail(W, "config['train']", t, f"must have exactly the keys {sorted(_TRAIN)}")
    t["epochs"] = v.check_int(W, "config['train']['epochs']", t["epochs"], minimum=1)
    t["batch_size"] = v.check_int(W, "config['train']['batch_size']", t["batch_size"], minimum=1)
    for k in ("lr", "momentum", "weight_decay"):
        v.check_positive_scalar(W, f"config['train'][{k!r}]", t[k], allow_zero=k != "lr")
    v.check_choice(W, "config['train']['schedule']", t["schedule"], mlp.SCHEDULES)
    ds = c["datasets"]
    if not isinstance(ds, list) or not ds:
        v.fail(W, "config['datasets']", ds, "must be a non-empty list of data set entries")
    labels = []
    for i, d in enumerate(ds):
        name = f"config['datasets'][{i}]"
        if not isinstance(d, dict) or d.get("kind") not in _DATA_KEYS:
            v.fail(W, name, d, "must be a dict with 'kind' 'digits' or 'synthetic' and a 'label'")
        if not set(d) <= _DATA_KEYS[d["kind"]] or "label" not in d:
            v.fail(W, name, sorted(d), f"must have a 'label' and only the keys {sorted(_DATA_KEYS[d['kind']])}")
        if not isinstance(d["label"], str) or not d["label"] or "/" in d["label"]:
            v.fail(W, name + "['label']", d["label"], "must be a non-empty string without '/'")
        labels.append(d["label"])
    if len(set(labels)) != len(labels) or len({_slug(x) for x in labels}) != len(labels):
        v.fail(W, "config['datasets']", labels, "must have distinct labels, also after replacing the characters "
               "other than letters, digits, '-' and '_' by '-' (the file names)")
    c["forget_sets"] = list(_fs._check_names(W, c["forget_sets"]))
    for key, pool in (("grid_datasets", labels), ("grid_sets", c["forget_sets"])):
        val = c[key]
        if not isinstance(val, list) or any(x not in pool for x in val) or len(set(val)) != len(val):
            v.fail(W, f"config[{key!r}]", val, f"must be a list of distinct entries of {pool}")
    c["unlearn_batch_size"] = v.check_int(W, "config['unlearn_batch_size']", c["unlearn_batch_size"], minimum=1)
    c["rewind_epoch"] = v.check_int(W, "config['rewind_epoch']", c["rewind_epoch"], minimum=0)
    if c["rewind_epoch"] > t["epochs"]:
        v.fail(W, "config['rewind_epoch']", c["rewind_epoch"], f"must be <= config['train']['epochs'] = {t['epochs']}")
    g = c["grids"]
    if not isinstance(g, dict):
        v.fail(W, "config['grids']", g, "must be a dict {method: grid}")
    for method, grid in g.items():
        v.check_choice(W, "config['grids'] method", method, GRID_METHODS)
        if not isinstance(grid, dict) or set(grid) != _GRID_KEYS[method]:
            v.fail(W, f"config['grids'][{method!r}]", grid, f"must have exactly the keys {sorted(_GRID_KEYS[method])}")
        name = f"config['grids'][{method!r}]"
        grid["epochs"] = sorted(_list(name + "['epochs']", grid["epochs"], int, minimum=1))
        grid["lr"] = _list(name + "['lr']", grid["lr"], float, positive=True)
        if "ascent_epochs" in grid:
            grid["ascent_epochs"] = _list(name + "['ascent_epochs']", grid["ascent_epochs"], int, minimum=0)
        if "forget_batch" in grid:
            grid["forget_batch"] = _list(name + "['forget_batch']", grid["forget_batch"], int, minimum=1)
        if "beta" in grid:
            grid["beta"] = _list(name + "['beta']", grid["beta"], float, positive=True)
            if any(b > 1 for b in grid["beta"]):
                v.fail(W, name + "['beta']", grid["beta"], "must lie in (0, 1]")
        if "sigma" in grid:
            grid["sigma"] = _list(name + "['sigma']", grid["sigma"], float)
            if any(s < 0 for s in grid["sigma"]):
                v.fail(W, name + "['sigma']", grid["sigma"], "must be >= 0")
    k = c["klom"]
    if not isinstance(k, dict) or set(k) != {"bins", "mode", "q"}:
        v.fail(W, "config['klom']", k, "must be {'bins': int, 'mode': 'ascentlab' or 'benchmark', 'q': percentile}")
    k["bins"] = v.check_int(W, "config['klom']['bins']", k["bins"], minimum=1)
    v.check_choice(W, "config['klom']['mode']", k["mode"], _metrics.MODES)
    v.check_positive_scalar(W, "config['klom']['q']", k["q"], allow_zero=True)
    if not float(k["q"]) <= 100:
        v.fail(W, "config['klom']['q']", k["q"], "must satisfy 0 <= q <= 100")
    return c


# ----------------------------------------------------------------------------------------------- the cache


def _stage_key(stage: str, deps: dict) -> str:
    blob = json.dumps({"format": FORMAT, "stage": stage, "deps": deps, "jax": jax.__version__,
                       "ascentlab": _version(), "code": _code_hash()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def _code_hash() -> str:
    """SHA-256 of the sources the stages' numbers come from: an edited method never loads a stale stage."""
    from .. import metrics as m

    h = hashlib.sha256()
    for mod in (_data, mlp, _fs, _unlearn, m, sys.modules[__name__]):
        h.update(Path(mod.__file__).read_bytes())
    return h.hexdigest()[:16]


def _version():
    from .. import __version__
    return __version__


class _Cache:
    """Stage files `<folder>/<stage>-<key>.npz`, written atomically; None folder: nothing kept."""

    def __init__(self, folder):
        self.folder = None if folder is None else Path(folder)
        if self.folder is not None:  # an unusable folder is found now, not after the first stage's training
            from ..figures import check_output_folder

            try:
                check_output_folder(self.folder)
            except ValueError as err:
                v.fail(W, "cache_dir", str(self.folder), f"must be a writable folder ({err})")
        self.hits = 0
        self.misses = 0

    def path(self, stage, key):
        return None if self.folder is None else self.folder / f"{stage}-{key}.npz"

    def load(self, stage, key, expect=()):
        """The stage's arrays, or None (counted as a miss) when the file is missing, unreadable or lacks a key
        in `expect`: a damaged file (empty, truncated, not an npz) is recomputed, never an error."""
        p = self.path(stage, key)
        if p is None or not p.exists():
            self.misses += 1
            return None
        try:
            with np.load(p, allow_pickle=False) as z:
                out = {k: z[k] for k in z.files}
        except Exception:  # noqa: BLE001  (zipfile.BadZipFile, EOFError, ValueError, OSError, ...)
            out = None
        if out is None or any(k not in out for k in expect):
            self.misses += 1
            return None
        self.hits += 1
        return out

    def save(self, stage, key, arrays: dict):
        p = self.path(stage, key)
        if p is None:
            return
        from ..figures._common import write_atomic

        buf = io.BytesIO()
        np.savez(buf, **arrays)
        write_atomic(p, buf.getvalue())


# ----------------------------------------------------------------------------------------------- progress


class _Progress:
    def __init__(self, enabled, name):
        self.enabled = enabled
        self.name = name
        self.t0 = time.perf_counter()

    def __call__(self, msg):
        if self.enabled:
            print(f"[nn {self.name} {time.perf_counter() - self.t0:6.1f} s] {msg}", file=sys.stderr, flush=True)


def _check_interrupt():
    from .._interrupt import check
    check()


# ----------------------------------------------------------------------------------------------- compiled pieces


def _flat(tree, lead):
    """Merge the first `lead` axes of every leaf into one."""
    return jax.tree.map(lambda a: a.reshape((-1,) + a.shape[lead:]), tree)


@functools.partial(jax.jit, static_argnames=("activation",))
def _scores(params, X, y, *, activation):
    """Margins and correctness (argmax = label) of every model (leading axis) on every row of X."""
    def one(p):
        z = mlp._forward(p, X, activation)
        return mlp._margins(z, y), jnp.argmax(z, axis=-1).astype(y.dtype) == y

    return jax.lax.map(one, params)


@functools.partial(jax.jit, static_argnames=("bins", "mode"))
def _klom_rows(unlearned, oracle, *, bins, mode):
    """Per-point KLoM of each configuration (leading axis of `unlearned`, (C, N, m)) against `oracle` (N, m)."""
    return jax.lax.map(lambda u: _metrics._klom(u, oracle, bins, 100.0, 1e-5, "oracle||unlearned", mode), unlearned)


def _method_fn(method, static, epochs, snapshots, batch_size, max_forget, activation):
    fn = getattr(_unlearn, method)
    kw = dict(epochs=epochs, snapshots=tuple(snapshots), activation=activation, batch_size=batch_size)
    if method in _FORGET_PASSES:
        kw["max_forget"] = max_forget
    kw.update(static)
    return fn, kw


@functools.partial(jax.jit, static_argnames=("method", "static", "epochs", "snapshots", "batch_size", "max_forget",
                                             "activation", "names"))
def _grid_program(start, keys, X, y, forget, hyper, *, method, static, epochs, snapshots, batch_size, max_forget,
                  activation, names):
    """The snapshots of every (configuration, model): vmap over the traced hyper-parameters' rows, then models."""
    fn, kw = _method_fn(method, dict(static), epochs, snapshots, batch_size, max_forget, activation)

    def one(p, k, h):
        return fn(k, p, X, y, forget, **kw, **dict(zip(names, h))).snapshots

    per_model = jax.vmap(one, in_axes=(0, 0, None))
    return jax.vmap(per_model, in_axes=(None, None, 0))(start, keys, hyper)


# ----------------------------------------------------------------------------------------------- stages


def _dtype(config):
    return jnp.float64 if config["dtype"] == "float64" else jnp.float32


def _load_data(entry, key, dtype):
    kw = {k: val for k, val in entry.items() if k not in ("label", "kind")}
    if entry["kind"] == "digits":
        return _data.digits(key, dtype=dtype, **kw)
    return _data.synthetic(key, dtype=dtype, **kw)


def _load_checked(config, index):
    """Data set `index` of the configuration, with a validation set and a forget set that leaves a retain set."""
    entry = config["datasets"][index]
    try:
        data = _load_data(entry, _dataset_keys(config, index)[0], _dtype(config))
    except ValueError as err:
        raise ValueError(f"{W}: config['datasets'][{index}] ({entry['label']!r}): {err}") from None
    n, n_val = int(data.X_train.shape[0]), int(data.X_val.shape[0])
    if n_val < 1:
        v.fail(W, f"config['datasets'][{index}]", entry, "must have a validation set (val_fraction > 0): KLoM's "
               "validation group")
    _fs.default_sizes(n)  # n >= 2
    return data


def _sizes(config, data):
    """The MLP's layer widths for this data set: inputs, the configured hidden widths, classes."""
    return (data.X_train.shape[1],) + tuple(config["model"]["hidden"]) + (data.n_classes,)


def _train_val(data):
    """The rows every model is scored on: training then validation (X, y)."""
    return jnp.concatenate([data.X_train, data.X_val]), jnp.concatenate([data.y_train, data.y_val])


def _train_kwargs(config):
    t = config["train"]
    return dict(epochs=t["epochs"], batch_size=t["batch_size"], lr=t["lr"], momentum=t["momentum"],
                weight_decay=t["weight_decay"], schedule=t["schedule"], activation=config["model"]["activation"])


def _group_masks(forget, n_val):
    forget = np.asarray(forget, bool)
    n = forget.shape[0]
    f = np.concatenate([forget, np.zeros(n_val, bool)])
    r = np.concatenate([~forget, np.zeros(n_val, bool)])
    val = np.concatenate([np.zeros(n, bool), np.ones(n_val, bool)])
    return {"forget": f, "retain": r, "val": val}


def _twin_kept(forget, twin, n_val):
    """The forget points (on train + validation) that have a near-duplicate twin and whose twin is in R."""
    forget = np.asarray(forget, bool)
    has = twin >= 0
    kept = forget & has & ~forget[np.where(has, twin, 0)]
    return np.concatenate([kept, np.zeros(n_val, bool)])


def _summ(klom_rows, correct_rows, groups, q):
    """Per configuration: q-th percentile and mean of per-point KLoM, and accuracy, per group."""
    out = {}
    for g, mask in groups.items():
        # NaN points (KLoM's "benchmark" mode where the oracle side has every sample at the pooled maximum)
        # are left out and counted; a configuration whose group is all NaN gets NaN (reported as None)
        vals = klom_rows[:, mask]
        nan = np.isnan(vals)
        safe = np.where(nan, 0.0, vals)
        ok = ~nan.all(axis=1)
        pct = np.array([np.percentile(row[~m], q) if (~m).any() else np.nan for row, m in zip(safe, nan)])
        ok &= mask.any()  # an empty group (no forget point keeps its twin) has no score
        out[f"klom_{g}"] = np.where(ok, pct, np.nan)
        out[f"klom_mean_{g}"] = np.where(ok, np.where(nan, 0.0, vals).sum(axis=1) / np.maximum((~nan).sum(axis=1), 1),
                                         np.nan)
        out[f"klom_nan_points_{g}"] = nan.sum(axis=1).astype(float)
        out[f"acc_{g}"] = (correct_rows[:, :, mask].mean(axis=(1, 2)) if mask.any()
                           else np.full(correct_rows.shape[0], np.nan))
    return out


def _dataset_keys(config, index):
    """(data, pretrained, forget sets, oracles, grids) keys of data set `index`, all from `config["seed"]`."""
    k = jax.random.fold_in(jax.random.key(config["seed"]), index)
    k_data, k_pre, k_sets = jax.random.split(k, 3)
    return k_data, k_pre, k_sets, jax.random.fold_in(k, 1), jax.random.fold_in(k, 2)


def _set_key(k, set_name):
    """A forget set's key: by its place in the nine `forget_sets.FORGET_SETS`, not in the configuration's list."""
    return jax.random.fold_in(k, _fs.FORGET_SETS.index(set_name))


def _dataset_stage(config, index, data, cache, progress):
    entry = config["datasets"][index]
    deps = {k: config[k] for k in ("seed", "n_models", "dtype", "model", "train", "rewind_epoch")}
    deps.update(dataset=entry, index=index)
    key = _stage_key("dataset", deps)
    label = entry["label"]
    _, k_pre, k_sets, _, _ = _dataset_keys(config, index)
    expect = ("margins", "correct", "pc_scores", "set_masks")
    hit = cache.load(f"dataset-{_slug(label)}", key, expect)
    if hit is not None:
        progress(f"{label}: pretrained ensemble and forget sets loaded from the cache")
        return hit
    sizes = _sizes(config, data)
    t = time.perf_counter()
    res = mlp.train_ensemble(k_pre, sizes, data.X_train, data.y_train, n_models=config["n_models"],
                             checkpoints=True, **_train_kwargs(config))
    params = res.params
    rewind = jax.tree.map(lambda a: a[:, config["rewind_epoch"]], res.checkpoints)
    X_all, y_all = _train_val(data)
    margins, correct = _scores(params, X_all, y_all, activation=config["model"]["activation"])
    jax.block_until_ready(margins)
    progress(f"{label}: {config['n_models']} pretrained models trained ({time.perf_counter() - t:.1f} s; "
             f"validation accuracy {float(np.asarray(correct)[:, data.X_train.shape[0]:].mean()):.3f})")
    pcs = _fs.influence_pcs(params, data.X_train, data.y_train, activation=config["model"]["activation"])
    sets = _fs.forget_sets(k_sets, pcs)  # all nine (a set does not depend on which others are asked for)
    out = {"margins": np.asarray(margins), "correct": np.asarray(correct), "pc_scores": np.asarray(pcs.scores),
           "set_masks": np.stack([np.asarray(sets[s]) for s in _fs.FORGET_SETS])}
    for i, leaf in enumerate(jax.tree.leaves(params)):
        out[f"params_{i}"] = np.asarray(leaf)
    for i, leaf in enumerate(jax.tree.leaves(rewind)):
        out[f"rewind_{i}"] = np.asarray(leaf)
    cache.save(f"dataset-{_slug(label)}", key, out)
    return out


def _params_from(stage, prefix, sizes):
    leaves = [jnp.asarray(stage[f"{prefix}_{i}"]) for i in range(2 * (len(sizes) - 1))]
    return [(leaves[2 * i], leaves[2 * i + 1]) for i in range(len(sizes) - 1)]


def _oracle_stage(config, index, set_name, data, forget, cache, progress):
    entry = config["datasets"][index]
    deps = {k: config[k] for k in ("seed", "n_models", "dtype", "model", "train")}
    deps.update(dataset=entry, index=index, set=set_name)
    key = _stage_key("oracle", deps)
    stage = f"oracle-{_slug(entry['label'])}-{set_name}"
    hit = cache.load(stage, key, ("margins", "correct", "margins2", "correct2"))
    if hit is not None:
        return hit
    N = config["n_models"]
    k_or = _set_key(_dataset_keys(config, index)[3], set_name)
    sizes = _sizes(config, data)
    retain = np.broadcast_to(~np.asarray(forget, bool), (2 * N, forget.shape[0])).astype(np.dtype(config["dtype"]))
    t = time.perf_counter()
    params = mlp.train_ensemble(k_or, sizes, data.X_train, data.y_train, jnp.asarray(retain), n_models=2 * N,
                                **_train_kwargs(config))
    X_all, y_all = _train_val(data)
    margins, correct = _scores(params, X_all, y_all, activation=config["model"]["activation"])
    out = {"margins": np.asarray(margins[:N]), "correct": np.asarray(correct[:N]),
           "margins2": np.asarray(margins[N:]), "correct2": np.asarray(correct[N:])}
    progress(f"{entry['label']}: {set_name} (|F| = {int(np.sum(forget))}): {2 * N} oracles trained on R "
             f"({time.perf_counter() - t:.1f} s)")
    cache.save(stage, key, out)
    return out


def _grid_cells(method, grid):
    """(static dict, traced rows) pairs: static combinations x the product of the traced values."""
    statics = [dict(zip(_STATIC.get(method, ()), combo))
               for combo in itertools.product(*[grid[s] for s in _STATIC.get(method, ())])]
    names = _TRACED[method]
    rows = list(itertools.product(*[grid[nm] for nm in names]))
    return statics, names, rows


def _grid_stage(config, index, set_name, method, data, forget, pre, oracle, cache, progress):
    entry = config["datasets"][index]
    grid = config["grids"][method]
    deps = {k: config[k] for k in ("seed", "n_models", "dtype", "model", "train", "rewind_epoch",
                                   "unlearn_batch_size", "klom")}
    deps.update(dataset=entry, index=index, set=set_name, method=method, grid=grid,
                max_forget=_max_forget(config, pre))
    key = _stage_key("grid", deps)
    stage = f"grid-{_slug(entry['label'])}-{set_name}-{method}"
    hit = cache.load(stage, key, ("records", "klom"))
    if hit is not None:
        return hit
    t0 = time.perf_counter()
    N = config["n_models"]
    act = config["model"]["activation"]
    sizes = _sizes(config, data)
    start = _params_from(pre, "rewind" if method == "rewind" else "params", sizes)
    k_set = _set_key(_dataset_keys(config, index)[4], set_name)
    keys = jax.vmap(lambda i: jax.random.fold_in(k_set, i))(jnp.arange(N))
    X_all, y_all = _train_val(data)
    groups = _group_masks(forget, data.X_val.shape[0])
    epochs = grid["epochs"]
    statics, names, rows = _grid_cells(method, grid)
    dt = _dtype(config)
    o_margins = jnp.asarray(oracle["margins"])
    n_forget = int(np.sum(forget))
    n_retain = int(forget.shape[0]) - n_forget
    records, kloms = [], []
    for static in statics:
        _check_interrupt()
        hyper = jnp.asarray(np.array(rows, dtype=np.float64), dt)
        snaps = _grid_program(start, keys, data.X_train, data.y_train, jnp.asarray(forget, dt), hyper, method=method,
                              static=tuple(sorted(static.items())), epochs=max(epochs), snapshots=tuple(epochs),
                              batch_size=config["unlearn_batch_size"], max_forget=_max_forget(config, pre), activation=act,
                              names=names)
        # snapshots: leaves (rows, N, n_epochs, ...) -> configurations (rows * n_epochs, N, ...)
        snaps = jax.tree.map(lambda a: jnp.swapaxes(a, 1, 2), snaps)
        flat = _flat(snaps, 3)
        margins, correct = _scores(flat, X_all, y_all, activation=act)
        C = len(rows) * len(epochs)
        margins = margins.reshape(C, N, -1)
        correct = np.asarray(correct).reshape(C, N, -1)
        finite = np.isfinite(np.asarray(margins)).all(axis=(1, 2))
        margins = jnp.where(jnp.isfinite(margins), margins, jnp.zeros_like(margins))
        kl = np.array(_klom_rows(margins, o_margins, bins=config["klom"]["bins"], mode=config["klom"]["mode"]))
        kl[~finite] = np.nan
        summ = _summ(kl, correct, groups, config["klom"]["q"])
        for k in summ:  # a diverged configuration has no accuracy either (argmax of NaN logits means nothing)
            summ[k] = np.where(finite, summ[k], np.nan)
        for c, (row, e) in enumerate(itertools.product(rows, epochs)):
            hp = dict(zip(names, row))
            asc = int(hp.get("ascent_epochs", 0))
            fb = int(static.get("forget_batch", config["unlearn_batch_size"]))
            cost = _unlearn.relative_cost(method, n_forget, n_retain, int(data.X_val.shape[0]), e, asc,
                                          config["train"]["epochs"], batch_size=config["unlearn_batch_size"],
                                          forget_batch=fb)
            rec = {"method": method, "epochs": e, **{k: (int(x) if k == "ascent_epochs" else float(x))
                                                      for k, x in hp.items()}, **static,
                   "cost": cost, "diverged": not bool(finite[c])}
            rec.update({k: (None if not np.isfinite(a[c]) else float(a[c])) for k, a in summ.items()})
            records.append(rec)
        kloms.append(kl.astype(np.float32))
    out = {"records": np.array(json.dumps(records)), "klom": np.concatenate(kloms)}
    progress(f"{entry['label']}: {set_name}: {method} grid, {len(records)} configurations x {N} models "
             f"({time.perf_counter() - t0:.1f} s)")
    cache.save(stage, key, out)
    return out


def _max_forget(config, pre):
    """The largest forget set of the configuration: every grid program is compiled once, for this bound."""
    sizes = np.asarray(pre["set_masks"]).sum(axis=1)
    return int(max(sizes[_fs.FORGET_SETS.index(s)] for s in config["forget_sets"]))


def _slug(label):
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in label)


def _reference(pre_or_oracle2_margins, pre_correct, oracle, groups, config):
    kl = np.asarray(_klom_rows(jnp.asarray(pre_or_oracle2_margins)[None], jnp.asarray(oracle["margins"]),
                               bins=config["klom"]["bins"], mode=config["klom"]["mode"]))
    summ = _summ(kl, np.asarray(pre_correct)[None], groups, config["klom"]["q"])
    return {k: (float(a[0]) if np.isfinite(a[0]) else None) for k, a in summ.items()}, kl[0].astype(np.float32)


# ----------------------------------------------------------------------------------------------- run


def run(config, *, cache_dir=None, use_cache: bool = True, progress: bool = True) -> dict:
    """Run (or load from the cache) the neural-network experiment described by `config`.

    Args:
        config: a preset name ("tiny", "small", "full") or a configuration dict (`preset(name)`, edited).
        cache_dir: the stage cache folder (default `default_cache_dir()`); `use_cache=False` keeps nothing.
        progress: print one line per stage to stderr (elapsed time, what was trained, how long).

    Returns:
        A dict with "config" (normalised), "datasets" (label -> n_train, n_val, n_classes, forget-set
        sizes, pretrained accuracies), "references" (one entry per data set and forget set: the
        pretrained-vs-oracle and oracle-vs-oracle scores), "records" (one per unlearning configuration:
        method, hyper-parameters, epochs, relative cost, KLoM percentile and mean per group, accuracy per
        group, "diverged" when a model's margins were not finite), "per_point" ({name: per-point KLoM}
        for every reference and grid; names "<dataset>/<set>/pretrained", ".../oracle2", ".../<method>"
        with one row per record of that method in order), and "cache" (hits, misses, folder).
    """
    if isinstance(config, str):
        config = preset(config)
    config = check_config(config)
    folder = None if not use_cache else (default_cache_dir() if cache_dir is None else os.fspath(cache_dir))
    cache = _Cache(folder)
    say = _Progress(progress, config["name"])
    say(f"N = {config['n_models']} models per ensemble, {len(config['datasets'])} data sets, forget sets "
        f"{config['forget_sets']}; cache {folder or 'off'}")
    results = {"config": config, "datasets": {}, "references": [], "records": [], "per_point": {}}
    # every data set first (seconds): a bad data-set value is an error now, not after the others' training
    datas = [_load_checked(config, index) for index in range(len(config["datasets"]))]
    for index, entry in enumerate(config["datasets"]):
        _check_interrupt()
        label = entry["label"]
        data = datas[index]
        pre = _dataset_stage(config, index, data, cache, say)
        n, n_val = int(data.X_train.shape[0]), int(data.X_val.shape[0])
        masks = {s: np.asarray(pre["set_masks"][_fs.FORGET_SETS.index(s)]) for s in config["forget_sets"]}
        pre_correct = np.asarray(pre["correct"])
        results["datasets"][label] = {
            "n_train": n, "n_val": n_val, "n_classes": int(data.n_classes),
            "forget_sizes": {s: int(m.sum()) for s, m in masks.items()},
            "pretrained_acc_train": float(pre_correct[:, :n].mean()),
            "pretrained_acc_val": float(pre_correct[:, n:].mean())}
        for set_name in config["forget_sets"]:
            _check_interrupt()
            forget = masks[set_name]
            oracle = _oracle_stage(config, index, set_name, data, forget, cache, say)
            groups = _group_masks(forget, n_val)
            if data.twin is not None and bool((np.asarray(data.twin) >= 0).any()):  # points whose twin stays in R
                groups["forget_twin_kept"] = _twin_kept(forget, np.asarray(data.twin), n_val)
            ref_pre, kl_pre = _reference(pre["margins"], pre_correct, oracle, groups, config)
            ref_o2, kl_o2 = _reference(oracle["margins2"], oracle["correct2"], oracle, groups, config)
            ref_or = {f"acc_{g}": (float(np.asarray(oracle["correct"])[:, m].mean()) if m.any() else None)
                      for g, m in groups.items()}
            results["references"].append({"dataset": label, "set": set_name, "n_forget": int(forget.sum()),
                                          "n_twin_kept": (int(groups["forget_twin_kept"].sum())
                                                          if "forget_twin_kept" in groups else None),
                                          "forget_fraction": float(forget.sum() / n), "pretrained": ref_pre,
                                          "oracle2": ref_o2, "oracle": ref_or})
            results["per_point"][f"{label}/{set_name}/pretrained"] = kl_pre
            results["per_point"][f"{label}/{set_name}/oracle2"] = kl_o2
            if label not in config["grid_datasets"] or set_name not in config["grid_sets"]:
                continue
            for method in config["grids"]:
                _check_interrupt()
                out = _grid_stage(config, index, set_name, method, data, forget, pre, oracle, cache, say)
                for rec in json.loads(str(out["records"])):
                    results["records"].append({"dataset": label, "set": set_name, **rec})
                results["per_point"][f"{label}/{set_name}/{method}"] = out["klom"]
    results["cache"] = {"folder": folder, "hits": cache.hits, "misses": cache.misses}
    say(f"done: {len(results['records'])} unlearning configurations, {len(results['references'])} forget sets "
        f"(cache: {cache.hits} stages loaded, {cache.misses} computed)")
    return results


# ----------------------------------------------------------------------------------------------- Table 1


def table1(results) -> list:
    """The Table 1 analogue: pretrained-vs-oracle KLoM (95th percentile) per data set and random forget set.

    One row per (data set, random forget set) with the forget fraction, the pretrained model's forget,
    retain and validation KLoM against the oracle ensemble, and the same three for an independent
    oracle ensemble (the noise floor at this N). For a data set with near-duplicate twins also the forget
    KLoM over the forget points whose twin stays in R ("forget_twin_kept", None elsewhere): the 95th
    percentile over the whole forget set is set by the pairs forgotten together (for a random set, a
    fraction of the pairs about the forget fraction), whose points the pretrained model saw twice."""
    rows = []
    for ref in results["references"]:
        if not ref["set"].startswith("random"):
            continue
        rows.append({"dataset": ref["dataset"], "set": ref["set"], "n_forget": ref["n_forget"],
                     "forget_percent": 100 * ref["forget_fraction"],
                     **{f"pretrained_{g}": ref["pretrained"][f"klom_{g}"] for g in GROUPS},
                     "pretrained_forget_twin_kept": ref["pretrained"].get("klom_forget_twin_kept"),
                     "n_twin_kept": ref["n_twin_kept"],
                     **{f"oracle2_{g}": ref["oracle2"][f"klom_{g}"] for g in GROUPS}})
    return rows


def table1_markdown(rows) -> str:
    """`table1`'s rows as a Markdown table."""
    head = ("| data set | forget set | forget % | forget KLoM | forget, twin in R | retain KLoM | val KLoM | "
            "noise floor: forget | retain | val |\n|---|---|---|---|---|---|---|---|---|---|\n")
    f = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731  (None: no finite point in the group)
    tw = lambda r: "–" if r["n_twin_kept"] is None else f"{f(r['pretrained_forget_twin_kept'])} ({r['n_twin_kept']})"  # noqa: E731
    body = "".join(f"| {r['dataset']} | {r['set']} ({r['n_forget']}) | {r['forget_percent']:.2f} | "
                   f"{f(r['pretrained_forget'])} | {tw(r)} | {f(r['pretrained_retain'])} | {f(r['pretrained_val'])} | "
                   f"{f(r['oracle2_forget'])} | {f(r['oracle2_retain'])} | {f(r['oracle2_val'])} |\n"
                   for r in rows)
    return head + body


# ----------------------------------------------------------------------------------------------- outputs


def write_outputs(results, out) -> list:
    """Write the figures (PNG and PDF), the Table 1 analogue (Markdown, JSON), every score (JSON) and the
    per-point KLoM arrays (npz) into folder `out`; return the paths written."""
    from ..figures._common import to_json, write_atomic
    from . import plots

    from ..figures import check_output_folder

    out = check_output_folder(out)
    paths = []
    rows = table1(results)
    for name, payload in (("nn_table1.md", table1_markdown(rows).encode()),
                          ("nn_table1.json", json.dumps(to_json(rows), indent=1).encode()),
                          ("nn_scores.json", json.dumps(to_json({k: results[k] for k in
                                                                 ("config", "datasets", "references", "records")}),
                                                        indent=1).encode())):
        write_atomic(out / name, payload)
        paths.append(out / name)
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k.replace("/", "__"): a for k, a in results["per_point"].items()})
    write_atomic(out / "nn_klom_per_point.npz", buf.getvalue())
    paths.append(out / "nn_klom_per_point.npz")
    paths += plots.write_figures(results, out)
    return paths
