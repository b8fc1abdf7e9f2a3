"""Draw docs/images/architecture.png, the diagram of the Architecture page.

Run from the repository root after a structural change:
``MPLBACKEND=Agg python docs/images/architecture.py``.
"""

import pathlib

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

OUT = pathlib.Path(__file__).with_name("architecture.png")
COLOURS = {"api": "#dbe9f6", "core": "#fde9c9", "shared": "#e3f1df", "net": "#efe1f3"}


def box(ax, x, y, w, h, text, kind, size=8.5):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.01,rounding_size=0.015",
                                fc=COLOURS[kind], ec="#555555", lw=0.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size,
            family="monospace")
    return (x, y, w, h)


def arrow(ax, a, b, text=None, style="-|>"):
    (x0, y0), (x1, y1) = a, b
    ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle=style, mutation_scale=10,
                                 lw=0.8, color="#333333"))
    if text:
        ax.text((x0 + x1) / 2 + 0.005, (y0 + y1) / 2, text, fontsize=7, color="#333333",
                va="center")


def below(b):
    x, y, w, _ = b
    return (x + w / 2, y)


def above(b):
    x, y, w, h = b
    return (x + w / 2, y + h)


def main():
    fig, ax = plt.subplots(figsize=(13, 8.2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")

    # -- left: the fit pipeline --------------------------------------------------------
    ax.text(0.02, 0.975, "the fit pipeline (every estimator)", fontsize=11, weight="bold")
    steps = [
        ("est.fit(X, y)", "api"),
        ("@_fit_context: parameters validated once\n(skip_parameter_validation honoured)",
         "shared"),
        ("AtomicFitMixin: the state is saved", "shared"),
        ("validate_data(X, y), sample weights", "core"),
        ("pure solver -> SolverResult\n(networks: skorch's training loop)", "core"),
        ("publish: every fitted attribute\nset in one place", "core"),
    ]
    boxes, y = [], 0.88
    for text, kind in steps:
        boxes.append(box(ax, 0.03, y, 0.3, 0.065, text, kind))
        y -= 0.11
    for a, b in zip(boxes, boxes[1:], strict=False):
        arrow(ax, below(a), above(b))
    ax.text(0.03, y + 0.035, "a solver that raises: the saved state is put back\n"
            "(the estimator is as it was)", fontsize=7.5, style="italic")

    # -- right top: the package map ----------------------------------------------------
    ax.text(0.38, 0.975, "the package", fontsize=11, weight="bold")
    top = box(ax, 0.55, 0.88, 0.28, 0.06, "skdl  (public names, resolved lazily:\n"
              "import skdl never imports torch)", "api")
    subs = [
        "linear_model\n_linear _lstsq\n_gd _basis\n_logistic _softmax",
        "decomposition\n_pca",
        "neural_network\n(torch, skorch:\nthe nn extra)",
        "optim\nrules, schedules,\n_loop: the one\ngradient loop",
        "metrics\ndatasets",
    ]
    sub_boxes = []
    for i, text in enumerate(subs):
        sub_boxes.append(box(ax, 0.385 + 0.123 * i, 0.7, 0.098, 0.13, text, "core", size=7))
        arrow(ax, below(top), above(sub_boxes[-1]))
    shared = box(ax, 0.38, 0.54, 0.605, 0.1,
                 "utils: _results (SolverResult)  _atomic (all-or-nothing)  _threads (one\n"
                 "thread mechanism)  _sklearn_compat (the one door to sklearn's privates)\n"
                 "_moments/_dask (one pass of moments)  _warn  _discovery; "
                 "exceptions.py", "shared", size=8)
    for b in sub_boxes:
        arrow(ax, below(b), above(shared))

    # -- right bottom: the network family -----------------------------------------------
    ax.text(0.38, 0.48, "the network family (neural_network)", fontsize=11, weight="bold")
    base = box(ax, 0.38, 0.37, 0.3, 0.07, "_NetworkBase  (_base.py)\nskorch _SkdlNet, "
               "training, _infer", "net")
    dense = box(ax, 0.38, 0.25, 0.3, 0.06, "BaseNeuralNetwork\n(dense layers)", "net")
    box(ax, 0.72, 0.37, 0.26, 0.07, "LSTMClassifier / LSTMRegressor\n(_recurrent.py)",
               "net")
    box(ax, 0.72, 0.25, 0.26, 0.07, "task mixins (_tasks.py)\n"
                 "_ClassifierNetMixin / _RegressorNetMixin", "net", size=7.5)
    mlp = box(ax, 0.38, 0.13, 0.14, 0.07, "MLPClassifier\nMLPRegressor", "net")
    cnn = box(ax, 0.54, 0.13, 0.14, 0.07, "CNNClassifier\nCNNRegressor", "net")
    ae = box(ax, 0.72, 0.13, 0.26, 0.07, "_BaseAutoencoder  (_autoencoder.py)\n"
             "subclasses differ by a loss object", "net", size=7.5)
    kinds = box(ax, 0.72, 0.01, 0.26, 0.09, "Autoencoder  <- ReconstructionLoss\n"
                "VAE  <- ELBOLoss\nSemiSupervisedVAE(VAE)\n   <- SemiSupervisedELBOLoss",
                "net", size=7.5)
    arrow(ax, below(base), above(dense))
    arrow(ax, (0.68, 0.405), (0.72, 0.405))
    arrow(ax, (0.45, 0.25), above(mlp))
    arrow(ax, (0.61, 0.25), above(cnn))
    arrow(ax, (0.68, 0.27), (0.72, 0.165))
    arrow(ax, below(ae), above(kinds))
    ax.text(0.38, 0.03, "every nn.Module and loss: _modules.py\n"
            "every skorch callback: _callbacks.py\n"
            "MLPClassifier(_ClassifierNetMixin, BaseNeuralNetwork)\n"
            "LSTMRegressor(_RecurrentMixin, _RegressorNetMixin, _NetworkBase)",
            fontsize=7.5, style="italic")
    fig.savefig(OUT, dpi=110, bbox_inches="tight")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
