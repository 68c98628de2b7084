"""Random instances of the engine, for the tests and the benchmark."""

from __future__ import annotations

import numpy as np

from relais.matching.engine import Instance


def _bits(rng: np.random.Generator, n: int, vocabulary: int, most: int) -> np.ndarray:
    out = np.zeros((n, 1), dtype=np.uint64)
    for i in range(n):
        for bit in rng.choice(vocabulary, size=rng.integers(0, most + 1), replace=False):
            out[i, 0] |= np.uint64(1) << np.uint64(bit)
    return out


def random_instance(
    seed: int,
    consultants: int,
    tasks: int,
    *,
    skills: int = 6,
    projects: int = 4,
    continuity: float = 0.1,
) -> Instance:
    rng = np.random.default_rng(seed)
    levels = np.zeros((consultants, skills), dtype=np.int8)
    for c in range(consultants):
        held = rng.choice(skills, size=rng.integers(0, min(3, skills) + 1), replace=False)
        levels[c, held] = rng.integers(1, 4, size=len(held))
    ptr = [0]
    idx: list[int] = []
    for _t in range(tasks):
        need = rng.choice(skills, size=rng.integers(0, min(3, skills) + 1), replace=False)
        idx += sorted(need.tolist())
        ptr.append(len(idx))
    task_project = rng.integers(0, projects, size=tasks)
    leads = rng.integers(0, 4, size=projects)  # 0: no lead; otherwise a lead id 1..3
    n_keys = consultants * tasks

    def some_keys(count: int, space: int) -> np.ndarray:
        if space == 0:
            return np.zeros(0, dtype=np.int64)
        return np.unique(rng.integers(0, space, size=count)).astype(np.int64)

    pairs = int(continuity * n_keys)
    return Instance(
        consultant_ids=np.arange(1, consultants + 1),
        levels=levels,
        consultant_causes=_bits(rng, consultants, 5, 2),
        consultant_languages=_bits(rng, consultants, 3, 2),
        mode=rng.integers(0, 3, size=consultants),
        task_ids=np.arange(1, tasks + 1),
        task_project=task_project,
        task_priority=rng.integers(1, 4, size=tasks),
        task_age_weeks=rng.integers(0, 12, size=tasks),
        task_skill_ptr=np.array(ptr, dtype=np.int64),
        task_skill_idx=np.array(idx, dtype=np.int64),
        project_causes=_bits(rng, projects, 5, 2),
        project_languages=_bits(rng, projects, 3, 2),
        project_eligible=rng.random(projects) < 0.5,
        project_lead=leads,
        team=some_keys(max(1, consultants // 3), consultants * projects),
        follows=some_keys(pairs // 4, n_keys),
        handed_over=some_keys(pairs // 4, n_keys),
        knows_lead=some_keys(max(1, consultants // 2), consultants * 4),
        declined=some_keys(pairs // 4, n_keys),
        lead_base=4,
    )
