"""Multilayer perceptrons on skorch (notes 000 §2, 001 ch. 8, 002).

``MLPClassifier`` minimises the cross-entropy of a softmax over the output logits,
``MLPRegressor`` the mean squared error; both by minibatch gradient descent with a
torch.optim rule, through skorch (see ``_base.py``).  Each is a task mixin
(``_tasks.py``) over ``BaseNeuralNetwork``, the dense-layer network.

The parameter docs below are shared: the CNN, recurrent and autoencoder estimators
compose theirs from these pieces.
"""

import numpy as np

from ..utils._sklearn_compat import StrOptions
from ._base import BaseNeuralNetwork
from ._tasks import _ClassifierNetMixin, _RegressorNetMixin

_PARAMS_DOC = """
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Number of units of each hidden layer; ``()`` gives no hidden layer (a
        linear model on the inputs).
    activation : {"relu", "leaky_relu", "tanh", "logistic", "sigmoid", "elu", \
"gelu", "identity"}, default="relu"
        Activation of the hidden layers ("logistic" and "sigmoid" are the same).
    solver : {"adam", "sgd", "lbfgs", "adamw", "adagrad", "rmsprop", "adadelta"}, \
default="adam"
        The weight optimisation, a torch.optim rule: "adam" (with ``beta_1``,
        ``beta_2``, ``epsilon``), "sgd" (with ``momentum`` and
        ``nesterovs_momentum``), "lbfgs" (``torch.optim.LBFGS`` on the whole
        training set, one iteration per epoch, strong-Wolfe line search; converges
        faster and better on small data), and skdl's "adamw" (Adam with decoupled
        weight decay, set through ``optimizer__weight_decay``), "adagrad",
        "rmsprop", "adadelta".
    alpha : float, default=0.0001
        Strength of the L2 penalty, as sklearn's: ``0.5 * alpha * sum(W ** 2) /
        n_batch`` is added to each batch's loss, over the weight matrices and
        kernels (not the biases, nor batch norm's scales), ``n_batch`` being the
        batch's sample count (its sum of sample weights when weighted).
    batch_size : int or "auto", default="auto"
        Minibatch size of the stochastic solvers; "auto" is ``min(200,
        n_samples)``; a larger int is clipped to the training samples (with a
        warning).  "lbfgs" uses the whole training set.
    learning_rate : {"constant", "invscaling", "adaptive", "step", "exponential", \
"cosine", "plateau"}, default="constant"
        Step-size schedule.  sklearn's, for ``solver="sgd"`` only (ignored by the
        other solvers, as sklearn): "constant" keeps ``learning_rate_init``;
        "invscaling" sets it to ``learning_rate_init / (t + 1) ** power_t`` after
        each epoch, t counting the samples seen; "adaptive" divides it by 5 each
        time the training loss (the validation score with ``early_stopping``) has
        not improved by ``tol`` for more than ``n_iter_no_change`` epochs, and
        stops once it is below 1e-6.  skdl's torch.optim.lr_scheduler schedules,
        stepped each epoch, for every solver but "lbfgs": ``StepLR`` (x0.1 every
        third of ``max_iter``), ``ExponentialLR`` (down to 1 % at the end),
        ``CosineAnnealingLR`` over ``max_iter``, ``ReduceLROnPlateau`` (x0.1 after
        ``n_iter_no_change // 2`` epochs without progress of the training or
        validation loss).
    learning_rate_init : float, default=0.001
        Initial step size (not used by "lbfgs").
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Maximum number of epochs (passes over the training data; iterations for
        "lbfgs").  Reaching it without converging raises a ``ConvergenceWarning``.
    shuffle : bool, default=True
        Shuffle the samples at each epoch (stochastic solvers).
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the shuffling, dropout and the validation split.  The
        global torch RNG is left untouched.
    tol : float, default=1e-4
        Tolerance of the stopping rule, as sklearn's: training stops when the
        training loss (the validation score with ``early_stopping``) has not
        improved by at least ``tol`` for more than ``n_iter_no_change``
        consecutive epochs (set ``n_iter_no_change=np.inf`` to always run
        ``max_iter`` epochs).  "lbfgs" stops when the largest gradient entry is
        below ``tol``.
    verbose : bool or int, default=False
        Print skorch's table of per-epoch losses, sklearn's ``Iteration i, loss =
        ...`` line (and validation score) per epoch, and the stopping messages.
    warm_start : bool, default=False
        ``fit`` continues from the weights of the previous fit (a new optimizer, the
        same classes), instead of starting afresh.
    momentum : float in [0, 1], default=0.9
        Momentum of ``solver="sgd"``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum (``solver="sgd"`` with ``momentum > 0``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        single-label classifiers: always for two classes, as sklearn, and for more
        classes when every class has two members) and stop when its score
        (accuracy for classifiers, R² for regressors, minus the validation loss
        for the autoencoders) has not improved by ``tol`` for more than
        ``n_iter_no_change`` epochs, restoring the best weights.  Not used by
        "lbfgs"; refused by ``partial_fit``.  Fewer than 2 validation samples is a
        ``ValueError``, as sklearn's.  Should the training loss stop being finite
        after a first validated epoch, training stops there with a
        ``ConvergenceWarning`` and keeps the best epoch's weights (sklearn's MLP
        records NaN scores and restores its best weights too); without early
        stopping it is a ``DivergenceError``.
    validation_fraction : float in (0, 1), default=0.1
        Share of the training data held out for early stopping.
    beta_1 : float in [0, 1), default=0.9
        Decay of Adam's first-moment estimates ("adam", "adamw").
    beta_2 : float in [0, 1), default=0.999
        Decay of Adam's second-moment estimates ("adam", "adamw").
    epsilon : float, default=1e-8
        Adam's numerical stability term ("adam", "adamw").
    n_iter_no_change : int or np.inf, default=10
        Epochs without an improvement by ``tol`` tolerated before stopping (or
        lowering the step of "adaptive").
    max_fun : int, default=15000
        Maximum number of loss evaluations of "lbfgs" (line-search steps included);
        reaching it raises a ``ConvergenceWarning``.
    callbacks : list of skorch callbacks or (name, callback) pairs, default=None
        Callbacks added to skdl's own (checkpointing, progress bars, logging, ...),
        run after them each epoch.  An unnamed callback is named after its class.
        As in skorch, ``callbacks__<name>=cb`` replaces a callback (``None``
        removes it) and ``callbacks__<name>__<param>=v`` sets one of its
        parameters; a name that matches no callback is refused at fit.  The
        callback objects are used as given (not copied), as skorch does.
    dropout : float in [0, 1), default=0.0
        Probability of zeroing each hidden unit during training.
    batch_norm : bool, default=False
        Batch-normalise each hidden pre-activation.
    init : {"kaiming", "kaiming_uniform", "xavier", "xavier_uniform", "lecun", \
"normal", "constant", "default"}, default="kaiming"
        Weight initialisation (note 002, "Initialize weights"): variance ``2/u_in``
        (He/Kaiming), ``2/(u_in + u_out)`` (Xavier/Glorot), ``1/u_in`` (LeCun), a
        fixed ``0.01**2`` ("normal"), every weight ``1/u_in`` ("constant"), or
        torch's own default; normal laws unless ``*_uniform``.  Biases start at 0.
    dtype : {np.float32, np.float64}, default=np.float32
        Floating-point type of training: weights, inputs, targets and sample
        weights.  float32 is torch's default and the fastest.  np.float64 trains in
        double precision, as sklearn's MLP does for float64 input: slower, but
        results no longer depend on float32 summation order (fitting with integer
        ``sample_weight`` then matches repeating the rows to ~1e-12).  Predictions
        are computed in float64 either way.
    device : str, default="cpu"
        "cpu", "cuda", "cuda:N", "mps" or "auto" (the best available).
    **kwargs
        skorch parameters routed as is, for power users: ``module__*`` (passed to
        the module builder), ``optimizer__*``, ``criterion__*``, ``callbacks__*``,
        ``iterator_train__*``, ``iterator_valid__*``.
"""

_ATTRS_DOC = """
    loss_ : float
        Training loss (L2 penalty included) of the last epoch.
    best_loss_ : float or None
        Lowest training loss of the epochs; None with ``early_stopping`` (see
        ``best_validation_score_``).
    loss_curve_ : list of float
        Training loss of each epoch (of every fit, with ``warm_start`` and
        ``partial_fit``).
    validation_scores_ : list of float or None
        Validation score of each epoch with ``early_stopping`` (accuracy for
        classifiers, R² for regressors, minus the validation loss for the
        autoencoders; NaN for an epoch whose outputs are not finite); None
        otherwise.
    best_validation_score_ : float or None
        Best validation score (its weights are the ones kept); None without
        ``early_stopping``.
    n_iter_ : int
        Number of epochs run by the last call to ``fit`` (1 for ``partial_fit``).
    t_ : int
        Number of training samples seen (epochs times training rows).
    out_activation_ : str
        Activation of the output: "softmax", "logistic", "identity" or "exp"
        (``MLPRegressor(loss="poisson")``); for the autoencoders, of the decoder's
        output ("logistic" for ``likelihood="bernoulli"``).
    net_ : skorch.NeuralNet
        The fitted skorch net (``net_.module_`` is the torch module).
    history_ : skorch.History
        Per-epoch training (and validation) losses and scores.
    n_outputs_ : int
        Number of outputs of the network (1 for a binary classifier).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` has string column names.
"""

# the pieces of _PARAMS_DOC, for the estimators that put their own parameters between
_i = _PARAMS_DOC.index
_HEAD_DOC = _PARAMS_DOC[: _i("    solver :")]
_TRAIN_DOC = _PARAMS_DOC[_i("    solver :") : _i("    dropout :")]
_EXTRAS_DOC = _PARAMS_DOC[_i("    dropout :") : _i("    dtype :")]
_TAIL_DOC = _PARAMS_DOC[_i("    dtype :") :]
del _i

_MLP_ATTRS_DOC = """
    coefs_ : list of ndarray
        Numpy copies of the weight matrices, ``coefs_[i]`` of shape
        ``(units of layer i, units of layer i + 1)`` as sklearn's, in the training
        ``X``'s dtype as sklearn's (float32 for float32 ``X``, float64 otherwise:
        exact copies of float32 weights), or float64 when ``dtype=np.float64``.
    intercepts_ : list of ndarray
        Numpy copies of the bias vectors, ``intercepts_[i]`` of the units of layer
        ``i + 1`` (the dtype of ``coefs_``).
    n_layers_ : int
        Number of layers, the input and output layers included."""


class MLPClassifier(_ClassifierNetMixin, BaseNeuralNetwork):
    __doc__ = f"""Multilayer perceptron classifier, trained with torch through skorch.

    Minimises the cross-entropy of the softmax of the output logits (of the logistic
    of a single logit for two classes, as sklearn), averaged over minibatches
    (weighted by ``sample_weight`` when given).

    Parameters
    ----------{_PARAMS_DOC}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.{_ATTRS_DOC}{_MLP_ATTRS_DOC}

    See Also
    --------
    MLPRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : scikit-learn's numpy implementation.

    Notes
    -----
    The network is ``h = g(W x + b)`` per hidden layer and softmax output
    (note 002, "Create a statistical model"); the loss is the negative
    log-likelihood of the categorical distribution (note 001 ch. 8), minimised by
    backpropagation with a torch.optim rule (note 002, "Train a statistical
    model").  Inputs are cast to ``dtype`` (float32) for training; predictions are computed in
    float64, so they do not depend on how the rows are batched.

    On ``load_digits`` (70/30 split, ``StandardScaler`` first),
    ``MLPClassifier(hidden_layer_sizes=(100,), max_iter=50, alpha=0, batch_size=64,
    n_iter_no_change=np.inf, random_state=0)``
    reaches 0.976 ± 0.004 test accuracy (mean ± sd over ``random_state`` 0-7, the same
    under torch's AVX-512, AVX2 and generic kernels: ``benchmarks/bench_quality.py``;
    tested: the median of three seeds at least 0.96).

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import MLPClassifier
    >>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]] * 25)
    >>> y = np.array([0, 1, 1, 0] * 25)
    >>> clf = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh",
    ...                     learning_rate_init=0.05, max_iter=100, random_state=0)
    >>> clf.fit(X, y).predict([[0., 1.], [1., 1.]]).shape
    (2,)
    >>> clf.classes_
    array([0, 1])
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _accepts_sparse = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callbacks=None,
        dropout=0.0,
        batch_norm=False,
        init="kaiming",
        dtype=np.float32,
        device="cpu",
        **kwargs,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callbacks=callbacks,
            dropout=dropout,
            batch_norm=batch_norm,
            init=init,
            dtype=dtype,
            device=device,
            **kwargs,
        )


class MLPRegressor(_RegressorNetMixin, BaseNeuralNetwork):
    __doc__ = f"""Multilayer perceptron regressor, trained with torch through skorch.

    Minimises the mean squared error of the (linear) outputs, averaged over the
    targets and the minibatch samples (weighted by ``sample_weight`` when given), or
    the Poisson deviance of log-link outputs (``loss="poisson"``).

    Parameters
    ----------
    loss : {{"squared_error", "poisson"}}, default="squared_error"
        The loss: the squared error of linear outputs, or (as sklearn's) the half
        Poisson deviance of ``exp`` outputs, for non-negative counts or rates.{_PARAMS_DOC}
    Attributes
    ----------{_ATTRS_DOC}{_MLP_ATTRS_DOC}

    See Also
    --------
    MLPClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : scikit-learn's numpy implementation.

    Notes
    -----
    The squared error is the negative log-likelihood of a Gaussian with fixed
    variance (note 001 ch. 8); the network and training are those of note 002.
    Targets are ``dtype`` (float32) during training and 2-D internally; predictions are
    computed in float64 (so they do not depend on how the rows are batched) and
    returned in the dtype of ``X`` as sklearn's (float32 for float32 ``X``, float64
    otherwise; float64 whenever ``dtype=np.float64``), in the shape of the training
    ``y`` (1-D for 1-D ``y``).  Standardise the
    targets (e.g. ``TransformedTargetRegressor``) when they are large.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 1))
    >>> y = np.sin(3 * X[:, 0])
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh",
    ...                    learning_rate_init=0.01, max_iter=100, random_state=0)
    >>> reg.fit(X, y).predict(X[:5]).shape
    (5,)
    >>> len(reg.loss_curve_) == reg.n_iter_ <= 100
    True
    >>> [c.shape for c in reg.coefs_]
    [(1, 32), (32, 1)]
    """

    _parameter_constraints = {
        **BaseNeuralNetwork._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }
    _accepts_sparse = True

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callbacks=None,
        dropout=0.0,
        batch_norm=False,
        init="kaiming",
        dtype=np.float32,
        device="cpu",
        **kwargs,
    ):
        self.loss = loss
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callbacks=callbacks,
            dropout=dropout,
            batch_norm=batch_norm,
            init=init,
            dtype=dtype,
            device=device,
            **kwargs,
        )

    def _poisson(self):
        return self.loss == "poisson"
