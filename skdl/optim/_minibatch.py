"""Seeded minibatch iterator (note 002 "SGD on mini-batches")."""

from sklearn.utils import check_random_state


class MinibatchIterator:
    """Index batches of one epoch, reshuffled at every epoch from one seeded generator.

    Iterating over the object yields the batches of one epoch; iterating again
    yields the next epoch's, in a new order.  The sequence of epochs is fixed by
    ``random_state``.

    Parameters
    ----------
    n_samples : int
        Number of samples.
    batch_size : int
        Samples per batch (the last batch of an epoch may be smaller).
    shuffle : bool, default=True
        Reshuffle the samples at every epoch.  Without shuffling the batches are
        contiguous ``slice`` objects (views, no copy when indexing).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling.

    Attributes
    ----------
    n_batches : int
        Batches per epoch.
    epoch : int
        Number of epochs started so far.

    Examples
    --------
    >>> from skdl.optim import MinibatchIterator
    >>> it = MinibatchIterator(5, batch_size=2, random_state=0)
    >>> [b.tolist() for b in it]
    [[2, 0], [1, 3], [4]]
    >>> sorted(i for b in it for i in b.tolist())   # next epoch: a new order, all samples
    [0, 1, 2, 3, 4]
    """

    def __init__(self, n_samples, batch_size, shuffle=True, random_state=None):
        if not (int(n_samples) == n_samples and n_samples >= 1):
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        if not (int(batch_size) == batch_size and batch_size >= 1):
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
        self.n_samples = int(n_samples)
        self.batch_size = min(int(batch_size), self.n_samples)
        self.shuffle = bool(shuffle)
        self._rng = check_random_state(random_state)
        self.epoch = 0

    @property
    def n_batches(self):
        return -(-self.n_samples // self.batch_size)

    def __len__(self):
        return self.n_batches

    def __iter__(self):
        self.epoch += 1
        n, b = self.n_samples, self.batch_size
        if not self.shuffle:
            for start in range(0, n, b):
                yield slice(start, min(start + b, n))
            return
        perm = self._rng.permutation(n)
        for start in range(0, n, b):
            yield perm[start : start + b]
