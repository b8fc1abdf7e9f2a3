"""All-or-nothing fits.

Every ``fit``, ``partial_fit`` and ``fit_transform`` of an estimator that inherits
:class:`AtomicFitMixin` is wrapped so that

* a call that raises leaves the estimator exactly as it was: its ``__dict__`` is put
  back as it stood before the call (the same objects: solvers are pure functions that
  change none of them), and what a network's partial_fit changes in place (weights,
  optimizer, history) is restored by ``_partial_fit_snapshot``;
* a complete fit (``fit`` or ``fit_transform`` without ``warm_start``) that succeeds
  leaves only what it set itself: any fitted attribute of an earlier fit that this one
  did not assign (e.g. ``loss_curve_`` of a gradient fit after a refit by normal
  equations) is removed, so the estimator has the attributes of a fresh fit.

Only fitted attributes (names ending in ``_``) are removed, never constructor
parameters, private state or what other code attached (scikit-learn's configuration,
a Pipeline's callback context).  Nested calls (``fit_transform`` calling ``fit``) are
guarded once, by the outermost call.
"""

import functools

_FIT_METHODS = ("fit", "partial_fit", "fit_transform")
_ASSIGNED = "_skdl_assigned"


def _is_fitted_attribute(name):
    """scikit-learn's convention: a fitted attribute's name ends with an underscore
    (private state and what other code attaches, e.g. a Pipeline's callback context,
    is left alone)."""
    return name.endswith("_") and not name.startswith("__")


def _atomic(method):
    incremental = method.__name__ == "partial_fit"

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        state = self.__dict__
        if _ASSIGNED in state:  # nested in another fit method: the outer call guards
            return method(self, *args, **kwargs)
        before = dict(state)
        restore = self._partial_fit_snapshot() if incremental else None
        state[_ASSIGNED] = assigned = set()
        try:
            result = method(self, *args, **kwargs)
        except BaseException:
            state.clear()
            state.update(before)
            if restore is not None:
                restore()
            raise
        finally:
            state.pop(_ASSIGNED, None)
        if not incremental and not getattr(self, "warm_start", False):
            keep = set(self.get_params(deep=False))
            for name in before.keys() - assigned - keep:
                if name in state and _is_fitted_attribute(name):
                    del state[name]
        return result

    wrapper._skdl_atomic = True
    return wrapper


class AtomicFitMixin:
    """Make the fit methods of every subclass all-or-nothing (see the module doc)."""

    def _partial_fit_snapshot(self):
        """A callable that undoes what a partial_fit changes in place, or None: for state
        a deep copy would copy too much of (a network's; see
        ``skdl.neural_network._base._NetworkBase``)."""
        return None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _FIT_METHODS:
            method = cls.__dict__.get(name)
            if method is None:
                continue
            if hasattr(method, "fn") and not callable(method):  # sklearn's available_if
                if not getattr(method.fn, "_skdl_atomic", False):
                    method.fn = _atomic(method.fn)
            elif not getattr(method, "_skdl_atomic", False):
                setattr(cls, name, _atomic(method))

    def __setattr__(self, name, value):
        assigned = self.__dict__.get(_ASSIGNED)
        if assigned is not None:
            assigned.add(name)
        super().__setattr__(name, value)
