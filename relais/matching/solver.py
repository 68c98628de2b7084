"""Maximum-weight bipartite matching, exact, on sparse integer weights, with its dual certificate.

Rows are consultants, columns tasks; a matching need not be full. The reduction to scipy's
`min_weight_full_bipartite_matching` gives every row a "dummy" column of its own (the row stays
unassigned): every row can then be matched, and with cost K - w on real edges and K on the dummy
ones (K = max weight + 1, all costs positive), minimising the cost of a row-full matching is
maximising the total weight of its real edges. Integers below 2**53 are exact in floats.

The duals come from shortest paths on the residual graph of the optimal matching: with y the
potential of a row and z of a column, y_c + z_t >= w_ct on every edge, y, z >= 0, tight on the
matching and zero on unmatched vertices; then sum(y) + sum(z) equals the objective (strong
duality), which proves the matching optimal for the pairs given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

Array = np.ndarray


@dataclass
class Solution:
    row_of_col: Array  # -1 when the column is unassigned
    col_of_row: Array  # -1 when the row is unassigned
    objective: int
    y: Array  # row potentials (int64)
    z: Array  # column potentials (int64)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        rows = np.flatnonzero(self.col_of_row >= 0)
        return [(int(r), int(self.col_of_row[r])) for r in rows]


def solve(n_rows: int, n_cols: int, rows: Array, cols: Array, weights: Array) -> Solution:
    """The maximum-weight matching of the edges (rows[i], cols[i], weights[i]) (no duplicates);
    edges of weight <= 0 are never worth taking and are left out."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    keep = weights > 0
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    col_of_row = np.full(n_rows, -1, dtype=np.int64)
    row_of_col = np.full(n_cols, -1, dtype=np.int64)
    if n_rows == 0 or len(weights) == 0:
        return Solution(row_of_col, col_of_row, 0, np.zeros(n_rows, np.int64), _zeros(n_cols))
    fixed_rows, fixed_cols = _forced(n_rows, n_cols, rows, cols, weights)
    col_of_row[fixed_rows] = fixed_cols
    rest = col_of_row[rows] < 0
    _assign(n_rows, rows[rest], cols[rest], weights[rest], col_of_row)
    real = col_of_row >= 0
    row_of_col[col_of_row[real]] = np.flatnonzero(real)
    weight_of = _edge_weights(n_cols, rows, cols, weights)
    matched = np.flatnonzero(real)
    matched_w = weight_of(matched, col_of_row[matched])
    objective = int(matched_w.sum())
    y = _row_potentials(n_rows, rows, cols, weights, col_of_row, row_of_col, weight_of)
    z = np.zeros(n_cols, dtype=np.int64)
    z[col_of_row[matched]] = matched_w - y[matched]
    return Solution(row_of_col, col_of_row, objective, y, z)


def _forced(
    n_rows: int, n_cols: int, rows: Array, cols: Array, weights: Array
) -> tuple[Array, Array]:
    """Rows whose best edge goes to a column no other remaining row reaches: some optimal
    matching takes that edge (swapping it in loses nothing, the column being free otherwise), so
    the row and its column leave the problem; repeated while it frees more columns. (The potentials
    computed afterwards on every edge prove the whole matching optimal all the same.)"""
    order = np.lexsort((-weights, rows))
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    best_row, best_col = sorted_rows[starts], cols[order][starts]
    ends = np.r_[starts[1:], len(order)]
    degree = np.bincount(cols, minlength=n_cols)
    open_ = np.ones(len(best_row), dtype=bool)
    taken_rows: list[Array] = []
    taken_cols: list[Array] = []
    for _round in range(100):
        now = np.flatnonzero(open_ & (degree[best_col] == 1))
        if not len(now):
            break
        open_[now] = False
        taken_rows.append(best_row[now])
        taken_cols.append(best_col[now])
        # Their other edges leave: the columns they reached lose a row.
        span = ends[now] - starts[now]
        edge = (
            np.repeat(starts[now], span)
            + np.arange(span.sum())
            - np.repeat(np.cumsum(span) - span, span)
        )
        np.subtract.at(degree, cols[order[edge]], 1)
        degree[best_col[now]] = 0
    if not taken_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(taken_rows), np.concatenate(taken_cols)


def _assign(n_rows: int, rows: Array, cols: Array, weights: Array, col_of_row: Array) -> None:
    """The maximum-weight matching of these edges by scipy's sparse solver, written into
    col_of_row (see the module's docstring for the reduction)."""
    if len(weights) == 0:
        return
    big = int(weights.max()) + 1
    # Only the rows and columns some edge reaches take part: the solver's time grows with them.
    used_rows, row_compact = np.unique(rows, return_inverse=True)
    used, compact = np.unique(cols, return_inverse=True)
    n_r, n_used = len(used_rows), len(used)
    all_rows = np.concatenate([row_compact, np.arange(n_r)])
    all_cols = np.concatenate([compact, n_used + np.arange(n_r)])
    costs = np.concatenate([big - weights, np.full(n_r, big)]).astype(np.float64)
    graph = csr_matrix((costs, (all_rows, all_cols)), shape=(n_r, n_used + n_r))
    _matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    real = matched_cols < n_used
    col_of_row[used_rows[real]] = used[matched_cols[real]]


def _zeros(n: int) -> Array:
    return np.zeros(n, dtype=np.int64)


def _edge_weights(n_cols: int, rows: Array, cols: Array, weights: Array) -> Any:
    keys = rows * n_cols + cols
    order = np.argsort(keys)
    sorted_keys, sorted_w = keys[order], weights[order]

    def weight_of(r: Array, c: Array) -> Array:
        where = np.searchsorted(sorted_keys, r * n_cols + c)
        return sorted_w[where]

    return weight_of


def _row_potentials(
    n_rows: int,
    rows: Array,
    cols: Array,
    weights: Array,
    col_of_row: Array,
    row_of_col: Array,
    weight_of: Any,
) -> Array:
    """The smallest feasible row potentials: y_c = max(0, w_ct for t unassigned, y_c' + w_ct -
    w_c't for t assigned to c'), a longest path on the residual graph (arcs c' -> c), found by
    Bellman-Ford relaxation rounds vectorised with numpy, stopping at the fixed point. (scipy's
    csgraph Bellman-Ford gives the same potentials, but on 20k consultants it took 20 s where
    these rounds take 4 passes.) The matching being optimal, there is no positive cycle: more than
    n passes would prove it was not, and raise."""
    unassigned_col = row_of_col[cols] < 0
    start = np.zeros(n_rows, dtype=np.int64)
    np.maximum.at(start, rows[unassigned_col], weights[unassigned_col])
    assigned = ~unassigned_col & (row_of_col[cols] != rows)
    other = row_of_col[cols[assigned]]
    gain = weights[assigned] - weight_of(other, cols[assigned])
    to = rows[assigned]
    y = start
    if len(to) == 0:
        return y
    order = np.argsort(to, kind="stable")
    other, gain, to = other[order], gain[order], to[order]
    segments = np.flatnonzero(np.r_[True, to[1:] != to[:-1]])
    heads = to[segments]
    for _pass in range(n_rows + 1):
        best = np.maximum.reduceat(y[other] + gain, segments)
        new = y.copy()
        new[heads] = np.maximum(y[heads], best)
        if np.array_equal(new, y):
            return y
        y = new
    raise ArithmeticError("positive cycle: the matching is not optimal")


@dataclass
class Check:
    feasible: bool
    dual_objective: int
    min_slack: int | None


def check_duals(rows: Array, cols: Array, weights: Array, solution: Solution) -> Check:
    """Whether the potentials prove the matching optimal on these edges: y, z >= 0, y + z >= w on
    every edge, and sum(y) + sum(z) == objective."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    slack = solution.y[rows] + solution.z[cols] - weights if len(rows) else np.zeros(0, np.int64)
    dual = int(solution.y.sum() + solution.z.sum())
    feasible = (
        bool((solution.y >= 0).all() and (solution.z >= 0).all())
        and bool((slack >= 0).all())
        and dual == solution.objective
    )
    return Check(feasible, dual, int(slack.min()) if len(slack) else None)
