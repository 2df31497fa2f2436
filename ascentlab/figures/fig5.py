"""Figure `fig5`. Fig. 5: toy loss landscapes; GDA's global minimum is the retain set's local minimum
(reading 'tanh').

`ascentlab figure fig5` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import numpy as np

from .. import toy
from ..plots import figure_grid, plot_toy_feature_space, plot_toy_landscape

ORDER = 1
CAPTION = "Fig. 5: toy loss landscapes; GDA's global minimum is the retain set's local minimum (reading 'tanh')."
DESCRIPTION = ("**Fig. 5**: toy landscapes over (a, b) for pretrained, retrain and GDA objectives, global × and"
               " local ○ minima, decision boundaries in feature space, forgotten points shaded; reading `tanh`")


def data(fast: bool) -> dict:
    """Fig. 5: toy loss landscapes over (a, b), their minima and decision boundaries (reading "tanh")."""
    reading = "tanh"
    n = 60 if fast else 240
    a = np.linspace(0.0, 5.0, n)
    b = np.linspace(-2.5, 0.5, n)
    A, B = np.meshgrid(a, b)
    land, mins = {}, {}
    for name in toy.WEIGHTS:
        land[name] = np.asarray(toy.loss_ab(A, B, name, reading))
        mins[name] = [{"theta": m.theta, "loss": m.loss, "pattern": m.pattern}
                      for m in toy.toy_minima(toy.WEIGHTS[name], reading, grid=15 if fast else 25)]
    return {"params": {"reading": reading, "reading_detail": "h = tanh(z/2), z = a x + b x^2, target y, "
                       "loss sum_i w_i (h - y_i)^2 + lam ||theta||^2, lam = 0.05",
                       "x": toy.X_POINTS, "labels": toy.LABELS, "weights": toy.WEIGHTS},
            "arrays": {"a": a, "b": b, "landscapes": land, "minima": mins}}


def draw(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = figure_grid(1, 4, 20, 4.8)
    titles = {"original": "pretrained ($\\mathcal{D}$)", "retrain": "retrain ($\\mathcal{R}$)", "da": "GDA"}
    for ax, name in zip(axes[0], ("original", "retrain", "da")):
        plot_toy_landscape(ax, np.asarray(arr["a"]), np.asarray(arr["b"]), np.asarray(arr["landscapes"][name]),
                           arr["minima"][name], titles[name])
    plot_toy_feature_space(axes[0, 3], par, arr["minima"])
    fig.suptitle(f"Fig. 5: GDA picks the wrong basin (reading '{par['reading']}': {par['reading_detail']})",
                 fontsize="small")
    return fig
