"""
A character-level LSTM language model
=====================================

Note 001 §10.7: a recurrent network read character by character learns to predict
the next character of a text, ``p(c_{t+1} | c_1, ..., c_t)``; sampling from it one
character at a time, feeding each sample back in, writes new text in the style of
the training text.  A temperature τ reshapes the predicted distribution,
``p_τ(c) ∝ p(c)^(1/τ)`` (the softmax of the logits divided by τ): τ < 1 is more
conservative (closer to the training text), τ = 1 samples the model as learnt.

The text is four of Shakespeare's sonnets (18, 73, 116 and 130; public domain,
``examples/data/sonnets.txt``, 2.4 kB), lower-cased.  Each training sample is a
window of ``T = 24`` one-hot characters ``(n, T, vocabulary)`` and its target the
next character, so :class:`skdl.LSTMClassifier` (sequence to one) is the language
model.  The figure shows the training cross-entropy (in bits per character) and
the samples at τ = 0.5 and τ = 1.  About 15 s on CPU.

Run: ``python examples/plot_char_lstm.py`` (writes ``examples/figures/char_lstm.png``).
"""

import textwrap
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skdl import LSTMClassifier

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures"
FIGURES.mkdir(exist_ok=True)

text = (HERE / "data" / "sonnets.txt").read_text().lower()
vocab = np.array(sorted(set(text)))
index = {c: i for i, c in enumerate(vocab)}
codes = np.array([index[c] for c in text])
T = 24
onehot = np.eye(len(vocab), dtype=np.float32)
windows = np.lib.stride_tricks.sliding_window_view(codes[:-1], T)  # (n, T)
X = onehot[windows]  # (n, T, vocabulary)
y = vocab[codes[T:]]  # the character after each window
print(f"{len(text)} characters, vocabulary of {len(vocab)}, {len(X)} windows of {T}")

model = LSTMClassifier(
    hidden_size=64,
    learning_rate_init=0.01,
    batch_size=64,
    max_iter=15,
    clip_grad_norm=5.0,
    random_state=0,
)
start = time.perf_counter()
model.fit(X, y)
print(
    f"trained in {time.perf_counter() - start:.1f} s; next-character accuracy on the text "
    f"{model.score(X, y):.3f}"
)


def sample(model, seed, n_chars, temperature, rng):
    """Generate ``n_chars`` characters after ``seed`` (at least T characters)."""
    out = list(seed)
    for _ in range(n_chars):
        window = onehot[[index[c] for c in out[-T:]]][None]
        logp = model.predict_log_proba(window)[0] / temperature
        p = np.exp(logp - logp.max())
        out.append(rng.choice(model.classes_, p=p / p.sum()))
    return "".join(out)


seed = text[:T]
samples = {}
for tau in (0.5, 1.0):
    samples[tau] = sample(model, seed, 200, tau, np.random.default_rng(0))
    print(f"\n--- temperature {tau} ---\n{samples[tau]}")

bits = np.array(model.loss_curve_) / np.log(2)
fig, (ax, tax) = plt.subplots(1, 2, figsize=(14, 6), gridspec_kw={"width_ratios": [1, 1.6]})
ax.plot(np.arange(1, len(bits) + 1), bits, marker="o", ms=3)
ax.axhline(np.log2(len(vocab)), color="0.5", ls="--", label="uniform guess log₂|V|")
ax.set_xlabel("epoch")
ax.set_ylabel("training cross-entropy (bits per character)")
ax.set_title("Character-level LSTM on four sonnets")
ax.legend()
tax.axis("off")
y0 = 1.0
for tau, s in samples.items():
    body = "\n".join(textwrap.fill(line, 70) for line in s.splitlines())
    tax.text(0, y0, f"sample at temperature τ = {tau}:", fontsize=11, weight="bold", va="top")
    tax.text(0, y0 - 0.06, body, fontsize=8.5, family="monospace", va="top")
    y0 -= 0.5
tax.set_title(f'Sampled text, seeded with "{seed}"')
fig.tight_layout()
out = FIGURES / "char_lstm.png"
fig.savefig(out, dpi=110)
print(f"\nwrote {out}")
