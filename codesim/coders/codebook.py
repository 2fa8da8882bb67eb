"""A prefix code's table as text: each symbol's codeword and length, the Kraft sum, and (given
p) the expected length beside H(p, q)."""

from __future__ import annotations

from ..measures import cross_entropy
from ..sources.labels import checked_labels, with_labels
from ..tables import SHOWN_ROWS, format_table

__all__ = ["codebook_text"]


def codebook_text(coder, p=None, limit: int = SHOWN_ROWS, labels=None) -> str:
    """The code table of a prefix coder, with its Kraft sum (and E_p[l] against H(p, q) given p).

    Only the first ``limit`` rows are built. Each symbol's label (a letter, a byte) is shown
    beside its number: ``labels``, or the coder's own (``coder.labels``, from a labelled q)."""
    rows = coder.codebook(p, limit)
    if labels is not None and coder.labels is None:
        rows = with_labels(rows, checked_labels(labels, coder.alphabet_size))
    text = format_table(rows)
    if coder.alphabet_size > limit:
        text += f"\n... {coder.alphabet_size - limit} more symbols"
    kraft = coder.kraft_sum()
    text += f"\nKraft sum: {float(kraft):.6g}" + (" (complete)" if kraft == 1 else "")
    if coder.block > 1:
        text += f"  [block code on {coder.block}-tuples; table shows the per-symbol code]"
    if p is not None:
        text += (f"\nexpected length under p: {coder.expected_bits_per_symbol(p):.6f} bits/symbol"
                 f"   H(p, q) = {cross_entropy(p, coder.q):.6f} (theory)")
    return text
