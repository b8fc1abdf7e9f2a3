"""A tour of skdl: every available estimator inside a sklearn Pipeline.

Run with ``make demo`` (or ``python examples/tour.py``).  Each estimator listed by
``skdl.utils.all_estimators()`` is put in a ``Pipeline`` after a ``StandardScaler``,
cross-validated on a dataset bundled with scikit-learn (diabetes for regressors,
digits for classifiers, breast cancer for binary-only classifiers; transformers feed
sklearn's RidgeClassifier on digits), and a small ``GridSearchCV`` is run.  Prints a table.
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from skdl.utils import all_estimators

# settings that keep the tour to seconds (documented defaults are for real use)
TOUR_PARAMS = {
    "MLPClassifier": {"max_iter": 30, "random_state": 0},
    "MLPRegressor": {"max_iter": 200, "learning_rate_init": 0.01, "random_state": 0},
    "CNNClassifier": {"max_iter": 10, "random_state": 0},
    "CNNRegressor": {"max_iter": 15, "random_state": 0},
    "Autoencoder": {"n_components": 16, "max_iter": 40, "random_state": 0},
    "VAE": {"n_components": 16, "max_iter": 40, "random_state": 0},
    "PCA": {"n_components": 20},
    "RBFFeatures": {"n_centers": 200, "random_state": 0},
    "RidgeRBF": {"n_centers": 100, "random_state": 0},
}
# estimators that need inputs other than a flat table (sequences), or labels with
# unlabelled rows: shown by their own examples instead
SKIP = {"LSTMClassifier", "LSTMRegressor", "SemiSupervisedVAE"}


def _data():
    X_reg, y_reg = load_diabetes(return_X_y=True)
    X_clf, y_clf = load_digits(return_X_y=True)
    X_bin, y_bin = load_breast_cancer(return_X_y=True)
    return {
        "diabetes": (X_reg, y_reg),
        "digits": (X_clf, y_clf),
        "digits (y as a number)": (X_clf, y_clf.astype(float)),
        "breast_cancer": (X_bin, y_bin),
    }


def _task(est):
    tags = get_tags(est)
    if is_regressor(est):
        # a convolutional regressor wants images: the digits, with the digit as a number
        dataset = "digits (y as a number)" if "CNN" in type(est).__name__ else "diabetes"
        return "regression", dataset, "r2", KFold(5, shuffle=True, random_state=0)
    if is_classifier(est):
        dataset = "digits" if tags.classifier_tags.multi_class else "breast_cancer"
        return "classification", dataset, "accuracy", StratifiedKFold(5, shuffle=True,
                                                                      random_state=0)
    return "transform", "digits", "accuracy", StratifiedKFold(5, shuffle=True, random_state=0)


def main():
    data = _data()
    rows = []
    for name, cls in all_estimators():
        if name in SKIP:
            continue
        est = cls(**{k: v for k, v in TOUR_PARAMS.get(name, {}).items()
                     if k in cls().get_params()})
        task, dataset, scoring, cv = _task(est)
        X, y = data[dataset]
        if task == "transform":
            pipe = make_pipeline(StandardScaler(), est, RidgeClassifier())
        else:
            pipe = make_pipeline(StandardScaler(), est)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = cross_validate(pipe, X, y, cv=cv, scoring=scoring)["test_score"]
        rows.append({
            "estimator": name,
            "task": task,
            "dataset": dataset,
            "metric": scoring if task != "transform" else "accuracy (+RidgeClassifier)",
            "5-fold CV score": f"{np.mean(scores):.3f} ± {np.std(scores):.3f}",
            "time (s)": f"{time.perf_counter() - t0:.2f}",
        })
    pd.set_option("display.width", 200)
    print("skdl tour: every estimator in Pipeline(StandardScaler, estimator)\n")
    print(pd.DataFrame(rows).to_string(index=False))

    from skdl import Ridge

    X, y = data["diabetes"]
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Ridge()),
        {"ridge__alpha": np.logspace(-3, 3, 7), "ridge__solver": ["cholesky", "svd"]},
        cv=KFold(5, shuffle=True, random_state=0),
        scoring="r2",
    ).fit(X, y)
    print("\nGridSearchCV over Ridge(alpha, solver) on diabetes:")
    res = pd.DataFrame(search.cv_results_)[
        ["param_ridge__alpha", "param_ridge__solver", "mean_test_score", "rank_test_score"]
    ].sort_values("rank_test_score")
    print(res.head(6).to_string(index=False))
    print(f"best: {search.best_params_}  (R² {search.best_score_:.3f})")


if __name__ == "__main__":
    main()
