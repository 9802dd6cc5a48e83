"""Compiled single-pass kernel for top-label binning (needs numba).

Imported only by :mod:`sklearn_focal.metrics`, lazily, for large inputs and
only when numba can be imported (it is a dependency). Vectorised numpy needs
one pass over ``y_prob`` for each of the row-wise maximum, its index, the
row sums and the value range, and the row-wise ``argmax`` over a few
columns is slow in numpy and torch alike; this kernel reads every row once
and leaves only the per-bin sums. See ``benchmarks/metrics.py``.
"""

import numba
import numpy as np

if numba.config.DISABLE_JIT:  # the kernel would run as a Python loop
    raise ImportError("numba's JIT compiler is disabled (NUMBA_DISABLE_JIT)")


@numba.njit(nogil=True, cache=True)
def top_label_uniform_bins(y_prob, y_encoded, weight, edges, sums, scan):
    """Accumulate per-bin sums of the top label over the rows of ``y_prob``.

    Parameters
    ----------
    y_prob : float64 array (n_rows, n_classes), C-contiguous
    y_encoded : intp array (n_rows,), the true class index of each row
    weight : float64 array (n_rows,), or of length 0 for unit weights
    edges : float64 array (n_bins + 1,), the uniform edges on [0, 1]
    sums : float64 array (3, n_bins), zeroed: written with the count, the
        confidence sum and the hit sum of each bin (weighted)
    scan : float64 array (4,): written with the smallest value, the largest
        value, the smallest and the largest row sum; the row sums are NaN
        when a row holds a non-finite value.

    The binning is that of ``metrics._bin_index`` (right-closed bins, the
    first closed on both ends), and the predicted class is the first column
    holding the row's maximum, as ``numpy.argmax``.
    """
    n_rows, n_classes = y_prob.shape
    n_bins = edges.shape[0] - 1
    weighted = weight.shape[0] > 0
    low = np.inf
    high = -np.inf
    sum_low = np.inf
    sum_high = -np.inf
    finite = True
    for i in range(n_rows):
        best = y_prob[i, 0]
        predicted = 0
        total = best
        row_low = best
        for j in range(1, n_classes):
            value = y_prob[i, j]
            total += value
            if value > best:
                best = value
                predicted = j
            if value < row_low:
                row_low = value
        # Any NaN or infinity in the row makes its sum NaN or infinite.
        if not np.isfinite(total):
            finite = False
            continue
        low = min(low, row_low)
        high = max(high, best)
        sum_low = min(sum_low, total)
        sum_high = max(sum_high, total)
        index = int(np.ceil(best * n_bins)) - 1
        index = min(max(index, 0), n_bins - 1)
        if index < n_bins - 1 and best > edges[index + 1]:
            index += 1
        elif index > 0 and best <= edges[index]:
            index -= 1
        w = weight[i] if weighted else 1.0
        sums[0, index] += w
        sums[1, index] += w * best
        if predicted == y_encoded[i]:
            sums[2, index] += w
    scan[0] = low
    scan[1] = high
    scan[2] = sum_low if finite else np.nan
    scan[3] = sum_high if finite else np.nan
