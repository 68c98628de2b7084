"""The matching is exact: on random instances its total equals the dense optimum over every
pair, whatever was pruned, and its certificate holds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from relais.matching.engine import Weights, match, score, score_total
from relais.matching.solver import check_duals, solve
from relais.matching.tests.random_instances import random_instance


def dense_optimum(instance, weights) -> int:  # type: ignore[no-untyped-def]
    n_c, n_t = instance.n_consultants, instance.n_tasks
    cc, tt = np.meshgrid(np.arange(n_c), np.arange(n_t), indexing="ij")
    scores, _parts, _flags = score(instance, weights, cc.ravel(), tt.ravel())
    scores = scores.reshape(n_c, n_t)
    for key in instance.declined:
        scores[key // n_t, key % n_t] = 0
    dense = np.hstack([np.maximum(scores, 0), np.zeros((n_c, n_c))])
    rows, cols = linear_sum_assignment(dense, maximize=True)
    return int(dense[rows, cols].sum())


@pytest.mark.parametrize("seed", range(60))
def test_the_round_total_is_the_dense_optimum_and_certified(seed):
    rng = np.random.default_rng(seed)
    instance = random_instance(seed, int(rng.integers(1, 20)), int(rng.integers(1, 50)))
    weights = Weights(candidates_per_skill=int(rng.integers(1, 5)))
    result = match(instance, weights)
    assert result.objective == dense_optimum(instance, weights)
    assert result.figures["certified"]
    assert result.figures["dual_objective"] == result.objective
    # One task per consultant, one consultant per task.
    assert len(set(result.consultants.tolist())) == len(result.consultants)
    assert len(set(result.tasks.tolist())) == len(result.tasks)


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_total_is_the_sum_of_the_parts(seed):
    rng = np.random.default_rng(seed)
    instance = random_instance(seed, 15, 40, continuity=0.3)
    weights = Weights(knows_lead=int(rng.integers(0, 9)), cause=int(rng.integers(0, 9)))
    cc, tt = np.meshgrid(np.arange(15), np.arange(40), indexing="ij")
    total, parts, _flags = score(instance, weights, cc.ravel(), tt.ravel())
    assert (score_total(instance, weights, cc.ravel(), tt.ravel()) == total).all()
    assert (sum(parts.values()) == total).all()


def test_pruning_never_loses_the_optimum_even_with_one_candidate_per_skill():
    added = 0
    for seed in range(40):
        instance = random_instance(1000 + seed, 12, 60, skills=3)
        weights = Weights(candidates_per_skill=1, priority=9, age_per_week=3)
        result = match(instance, weights)
        assert result.objective == dense_optimum(instance, weights)
        assert result.figures["certified"]
        added += result.figures["pairs_added_back"]
    # The certificate did its job: pairs were added back and the problem solved again.
    assert added > 0


def test_declined_pairs_are_never_matched():
    instance = random_instance(5, 10, 30, continuity=0.3)
    result = match(instance, Weights())
    keys = set((result.consultants * instance.n_tasks + result.tasks).tolist())
    assert not keys & set(instance.declined.tolist())


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 8),
    st.integers(1, 10),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 9), st.integers(-5, 40)), max_size=60),
)
def test_the_solver_matches_the_dense_optimum_with_a_feasible_dual(n_rows, n_cols, edges):
    unique = {(r % n_rows, c % n_cols): w for r, c, w in edges}
    rows = np.array([r for r, _c in unique], dtype=np.int64)
    cols = np.array([c for _r, c in unique], dtype=np.int64)
    weights = np.array(list(unique.values()), dtype=np.int64)
    solution = solve(n_rows, n_cols, rows, cols, weights)
    dense = np.zeros((n_rows, n_cols + n_rows))
    if len(rows):
        dense[rows, cols] = np.maximum(weights, 0)
    r, c = linear_sum_assignment(dense, maximize=True)
    assert solution.objective == int(dense[r, c].sum())
    positive = weights > 0
    assert check_duals(rows[positive], cols[positive], weights[positive], solution).feasible
