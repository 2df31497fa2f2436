"""Figure `finetune_trap`. Toy example: finetuning on the retain set from the GDA minimum stays in the
wrong basin.

`ascentlab figure finetune_trap` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import toy
from ..plots import PALETTE, figure_grid
from ._common import to_numpy

ORDER = 8
CAPTION = "Toy example: finetuning on the retain set from the GDA minimum stays in the wrong basin."
DESCRIPTION = ("the toy's finetuning trap: descent on the retain loss from the GDA minimum stays in the "
               "(−,+,−,−) basin")


def data(fast: bool) -> dict:
    """Toy finetuning on the retain loss from the DA minimum (stays trapped) and from the pretrained minimum."""
    reading, eta = "tanh", 0.01
    steps = 20_000 if fast else 200_000
    every = steps // 200
    grad = jax.grad(lambda th_: toy.toy_loss(th_, toy.WEIGHTS["retrain"], reading))

    def path(theta0):
        def body(th_, _):
            th_ = jax.lax.fori_loop(0, every, lambda _, v: v - eta * grad(v), th_)
            return th_, th_
        _, pts = jax.lax.scan(body, jnp.asarray(theta0), length=steps // every)
        return jnp.concatenate([jnp.asarray(theta0)[None], pts])

    da_min = toy.toy_minima(toy.WEIGHTS["da"], reading)[0].theta
    d_min = toy.toy_minima(toy.WEIGHTS["original"], reading)[0].theta
    n = 60 if fast else 240
    a = np.linspace(1.5, 4.0, n)
    b = np.linspace(-2.0, 0.0, n)
    A, B = np.meshgrid(a, b)
    p_da, p_d = path(da_min), path(d_min)
    return {"params": {"reading": reading, "eta": eta, "steps": steps, "record_every": every},
            "arrays": {**to_numpy({"a": a, "b": b, "retain_landscape": toy.loss_ab(A, B, "retrain", reading),
                              "from_da_min": p_da, "from_pretrained_min": p_d,
                              "retrain_minima": [m.theta for m in toy.toy_minima(toy.WEIGHTS["retrain"], reading)]}),
                       "end_pattern_from_da": toy.patterns(p_da[-1]),
                       "end_pattern_from_pretrained": toy.patterns(p_d[-1])}}


def draw(data):
    arr = data["arrays"]
    fig, axes = figure_grid(1, 1, 8, 6)
    ax = axes[0, 0]
    A, B = np.meshgrid(np.asarray(arr["a"]), np.asarray(arr["b"]))
    ax.contourf(A, B, np.log(np.asarray(arr["retain_landscape"])), levels=30, cmap="cividis")
    for key, color, label in (("from_da_min", PALETTE["da"], f"from the GDA minimum: stays {arr['end_pattern_from_da']}"),
                              ("from_pretrained_min", PALETTE["oracle"], f"from the pretrained minimum: {arr['end_pattern_from_pretrained']}")):
        p = np.asarray(arr[key])
        ax.plot(p[:, 0], p[:, 1], ".-", color=color, ms=3, label=label)
        ax.plot(*p[0], "o", color=color, mfc="none", ms=10, mew=2)
    for i, m in enumerate(arr["retrain_minima"]):
        ax.plot(*np.asarray(m), "x" if i == 0 else "P", color="w", ms=12, mew=3)
    ax.set_xlabel("$a$")
    ax.set_ylabel("$b$")
    ax.set_title("finetuning on the retain set cannot leave the GDA basin\n"
                 "(retain loss; × global minimum, + local minimum)")
    ax.legend(loc="lower left", fontsize="x-small")
    return fig
