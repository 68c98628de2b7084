"""The score of consultant-task pairs and the pruned, certified matching, on numpy arrays.

Candidate pairs come from an index: for each skill, the ready tasks that need it, most urgent
first; a consultant takes the first `candidates_per_skill` of each of their skills, plus the
continuity pairs (a project they are on, a task that follows one they did, a task they handed
over). Every other pair is pruned, and bounded from above:

- a task sharing no skill with the consultant: A_c + B_t - skill_missing * k_t;
- a task further down the list of a skill s they hold at level l, their best level being L:
  A_c + skill_level * (l + (k_t - 1) * L) + B_t;

with A_c the most the consultant's side can add (cause, language, mission, knowing the lead),
B_t the task's side (priority, waiting time) and k_t its number of needed skills. With the duals
(y, z) of the optimal matching of the candidates, a pruned pair could improve it only if
y_c + z_t < its bound; such pairs are scored and the problem solved again, until none is left:
the matching is then optimal over every pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from relais.matching.solver import Solution, check_duals, solve

Array = np.ndarray
I64 = np.int64

PARTS = ("skills", "causes", "continuity", "priority", "age", "language", "mission")
# Bits of the flags (same values as models.Flag).
TEAM, FOLLOWS, HANDED_OVER, KNOWS_LEAD, CAUSE, LANGUAGE, MISSION = 1, 2, 4, 8, 16, 32, 64

MODE_NONE, MODE_FEE, MODE_SPONSORSHIP = 0, 1, 2


@dataclass
class Instance:
    """Everything a round reads, as arrays indexed by position (c: consultant, t: task, p:
    project, s: skill)."""

    consultant_ids: Array  # (C,) user ids
    levels: Array  # (C, S) int8, 0 when the skill is not held
    consultant_causes: Array  # (C, W) uint64 bit sets
    consultant_languages: Array  # (C, W) uint64
    mode: Array  # (C,) MODE_*
    task_ids: Array  # (T,)
    task_project: Array  # (T,) project position
    task_priority: Array  # (T,) 1 high .. 3 low
    task_age_weeks: Array  # (T,)
    task_skill_ptr: Array  # (T+1,) CSR of the needed skills
    task_skill_idx: Array  # skill positions
    project_causes: Array  # (P, W) uint64
    project_languages: Array  # (P, W) uint64
    project_eligible: Array  # (P,) bool: the beneficiary may receive skills sponsorship
    project_lead: Array  # (P,) lead user id or 0
    team: Array  # sorted keys c * P + p: active team member of the project
    follows: Array  # sorted keys c * T + t: t depends on a task c did
    handed_over: Array  # sorted keys c * T + t: c held t before
    knows_lead: Array  # sorted keys c * (max lead id + 1) + lead
    declined: Array  # sorted keys c * T + t: never offered again
    lead_base: int = 1

    @property
    def n_consultants(self) -> int:
        return len(self.consultant_ids)

    @property
    def n_tasks(self) -> int:
        return len(self.task_ids)


@dataclass
class Weights:
    skill_level: int = 10
    skill_missing: int = 12
    cause: int = 8
    team: int = 15
    follows: int = 12
    knows_lead: int = 4
    priority: int = 5
    age_per_week: int = 1
    age_cap_weeks: int = 8
    language: int = 4
    mission: int = 6
    candidates_per_skill: int = 20

    @classmethod
    def of(cls, obj: Any) -> Weights:
        return cls(**{name: int(getattr(obj, name)) for name in cls.__dataclass_fields__})


@dataclass
class Result:
    consultants: Array  # positions of the matched consultants
    tasks: Array  # their tasks' positions
    parts: dict[str, Array]  # each part of the score of each matched pair
    scores: Array
    flags: Array
    objective: int
    figures: dict[str, Any] = field(default_factory=dict)


def _isin_sorted(keys: Array, sorted_keys: Array) -> Array:
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    where = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[where] == keys


def _shares(a: Array, b: Array) -> Array:
    if a.shape[1] == 0:
        return np.zeros(len(a), dtype=bool)
    return (np.bitwise_and(a, b) != 0).any(axis=1)


def task_side(inst: Instance, w: Weights) -> Array:
    """B_t: what the task alone adds, priority and waiting time."""
    priority = w.priority * (3 - inst.task_priority.astype(I64))
    age = w.age_per_week * np.minimum(inst.task_age_weeks.astype(I64), w.age_cap_weeks)
    return priority + age


def consultant_side(inst: Instance, w: Weights) -> Array:
    """A_c: the most the consultant's side can add to a pair that is not a continuity pair, the
    mission apart (bounded per task, by the consultant's firm's mode)."""
    knows = np.zeros(inst.n_consultants, dtype=bool)
    if len(inst.knows_lead):
        knows[np.unique(inst.knows_lead // inst.lead_base)] = True
    return (
        w.cause * (inst.consultant_causes != 0).any(axis=1)
        + w.language * (inst.consultant_languages != 0).any(axis=1)
        + w.knows_lead * knows
    ).astype(I64)


def mission_side(inst: Instance, w: Weights, t: Array, mode: Array) -> Array:
    """The mission part of (consultant of that mode, task t)."""
    eligible = inst.project_eligible[inst.task_project[t]]
    ok = (mode == MODE_FEE) | ((mode == MODE_SPONSORSHIP) & eligible)
    return w.mission * ok.astype(I64)


def score(inst: Instance, w: Weights, c: Array, t: Array) -> tuple[Array, dict[str, Array], Array]:
    """The score of each pair (c[i], t[i]), its parts and its flags."""
    c = c.astype(I64)
    t = t.astype(I64)
    n_tasks = inst.n_tasks
    p = inst.task_project[t].astype(I64)
    # Skills: level points for each needed skill held, a penalty for each one not held.
    counts = np.diff(inst.task_skill_ptr)[t]
    pair_of = np.repeat(np.arange(len(t)), counts)
    starts = inst.task_skill_ptr[t]
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    needed = inst.task_skill_idx[np.repeat(starts, counts) + offsets]
    level = inst.levels[c[pair_of], needed].astype(I64)
    per_skill = np.where(level > 0, w.skill_level * level, -w.skill_missing)
    skills = np.bincount(pair_of, weights=per_skill, minlength=len(t)).astype(I64)
    shared_cause = _shares(inst.consultant_causes[c], inst.project_causes[p])
    shared_language = _shares(inst.consultant_languages[c], inst.project_languages[p])
    mode = inst.mode[c]
    mission_ok = (mode == MODE_FEE) | ((mode == MODE_SPONSORSHIP) & inst.project_eligible[p])
    on_team = _isin_sorted(c * max(len(inst.project_lead), 1) + p, inst.team)
    follows = _isin_sorted(c * n_tasks + t, inst.follows)
    handed = _isin_sorted(c * n_tasks + t, inst.handed_over)
    lead = inst.project_lead[p].astype(I64)
    knows = (lead > 0) & _isin_sorted(c * inst.lead_base + lead, inst.knows_lead)
    parts = {
        "skills": skills,
        "causes": w.cause * shared_cause.astype(I64),
        "continuity": (
            w.team * on_team + w.follows * (follows | handed) + w.knows_lead * knows
        ).astype(I64),
        "priority": w.priority * (3 - inst.task_priority[t].astype(I64)),
        "age": w.age_per_week * np.minimum(inst.task_age_weeks[t].astype(I64), w.age_cap_weeks),
        "language": w.language * shared_language.astype(I64),
        "mission": w.mission * mission_ok.astype(I64),
    }
    total = sum(parts.values())
    flags = (
        TEAM * on_team
        + FOLLOWS * follows
        + HANDED_OVER * handed
        + KNOWS_LEAD * knows
        + CAUSE * shared_cause
        + LANGUAGE * shared_language
        + MISSION * mission_ok
    ).astype(I64)
    return np.asarray(total, dtype=I64), parts, flags


def _skills_part(inst: Instance, w: Weights, c: Array, t: Array) -> Array:
    """The skills part of each pair: slot by slot of the needed skills (tasks need few), on
    the rows that still have that slot, with the levels read from the flat matrix."""
    n_skills = inst.levels.shape[1]
    flat = inst.levels.reshape(-1)
    ptr = inst.task_skill_ptr
    counts = ptr[t + 1] - ptr[t]
    skills = np.zeros(len(t), dtype=I64)
    rows = np.arange(len(t))
    slot = 0
    while len(rows):
        rows = rows[counts[rows] > slot]
        if not len(rows):
            break
        needed = inst.task_skill_idx[ptr[t[rows]] + slot]
        level = flat[c[rows] * n_skills + needed].astype(I64)
        skills[rows] += np.where(level > 0, w.skill_level * level, -w.skill_missing)
        slot += 1
    return skills


def _shares_at(a: Array, i: Array, b: Array, j: Array) -> Array:
    """Whether the bit sets a[i] and b[j] share a bit, row by row."""
    if a.shape[1] == 0:
        return np.zeros(len(i), dtype=bool)
    if a.shape[1] == 1:
        return np.bitwise_and(a[:, 0][i], b[:, 0][j]) != 0
    return _shares(a[i], b[j])


def score_total(inst: Instance, w: Weights, c: Array, t: Array) -> Array:
    """The score of each pair (c[i], t[i]) alone, without its parts (the same total as
    `score`, faster: it is what the candidate pairs need)."""
    c = c.astype(I64)
    t = t.astype(I64)
    p = inst.task_project[t]
    total = _skills_part(inst, w, c, t)
    b = w.priority * (3 - inst.task_priority[t].astype(I64)) + w.age_per_week * np.minimum(
        inst.task_age_weeks[t].astype(I64), w.age_cap_weeks
    )
    total += b
    if w.cause:
        total += w.cause * _shares_at(inst.consultant_causes, c, inst.project_causes, p)
    if w.language:
        total += w.language * _shares_at(inst.consultant_languages, c, inst.project_languages, p)
    mode = inst.mode[c]
    ok = (mode == MODE_FEE) | ((mode == MODE_SPONSORSHIP) & inst.project_eligible[p])
    total += w.mission * ok
    n_tasks = inst.n_tasks
    if len(inst.team):
        total += w.team * _isin_sorted(c * max(len(inst.project_lead), 1) + p, inst.team)
    if len(inst.follows) or len(inst.handed_over):
        keys = c * n_tasks + t
        total += w.follows * (
            _isin_sorted(keys, inst.follows) | _isin_sorted(keys, inst.handed_over)
        )
    if len(inst.knows_lead):
        lead = inst.project_lead[p].astype(I64)
        total += w.knows_lead * (
            (lead > 0) & _isin_sorted(c * inst.lead_base + lead, inst.knows_lead)
        )
    return total


def unique_sorted(keys: Array) -> Array:
    """np.unique for int64 keys, by sorting (faster than the hash of numpy 2 here)."""
    if len(keys) == 0:
        return keys.astype(I64)
    keys = np.sort(keys)
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    return keys[keep]


def _segment_suffix_max(values: Array, ptr: Array) -> Array:
    """For each position of each segment (ptr: CSR offsets), the max of the values from there
    to the end of its segment; vectorised: segments are lifted apart by a large offset."""
    n = len(values)
    if n == 0:
        return values.copy()
    segment = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    span = int(np.abs(values).max()) * 2 + 1
    # Reversed, the segments come last-first: give later (reversed) ones larger offsets.
    lifted = values[::-1] + (len(ptr) - 2 - segment[::-1]).astype(I64) * span
    accumulated = np.maximum.accumulate(lifted)
    return (accumulated - (len(ptr) - 2 - segment[::-1]).astype(I64) * span)[::-1]


@dataclass
class _Lists:
    """The index: lists of tasks (one per skill, one per pair of skills), each sorted by the
    task's side of the bound, most promising first; and the rows (consultant, list) that read
    them, with how far each has read."""

    ptr: Array
    tasks: Array
    base: Array  # the task's side of the bound, without z
    row_c: Array
    row_list: Array
    row_bonus: Array  # the consultant's side of the skills part
    row_pos: Array
    row_len: Array


def _lists(inst: Instance, w: Weights, b: Array) -> _Lists:
    n_skills = inst.levels.shape[1]
    k = np.diff(inst.task_skill_ptr)
    task_of = np.repeat(np.arange(inst.n_tasks), k).astype(I64)
    skill_of = inst.task_skill_idx.astype(I64)
    # Single skills: the task shares exactly this one (pairs sharing two are in the pair lists),
    # the others needed are missing.
    single_key = skill_of
    single_base = b[task_of] - w.skill_missing * (k[task_of] - 1)
    # Pairs of skills: both held; beyond two, assume the rest held at the best level.
    first, second = [], []
    for j in range(1, int(k.max()) if len(k) else 1):
        has = k > j
        starts = inst.task_skill_ptr[:-1][has]
        for i in range(j):
            first.append(starts + i)
            second.append(starts + j)
    if first:
        f, g = np.concatenate(first), np.concatenate(second)
    else:
        f = g = np.zeros(0, dtype=I64)
    pair_task = task_of[f]
    pair_key = n_skills + skill_of[f] * n_skills + skill_of[g]
    pair_base = b[pair_task] + w.skill_level * 3 * (k[pair_task] - 2)
    keys = np.concatenate([single_key, pair_key])
    tasks = np.concatenate([task_of, pair_task])
    base = np.concatenate([single_base, pair_base]).astype(I64)
    list_ids = unique_sorted(keys)
    list_of = np.searchsorted(list_ids, keys)
    order = np.lexsort((tasks, -base, list_of))
    tasks, base, list_of = tasks[order], base[order], list_of[order]
    ptr = np.zeros(len(list_ids) + 1, dtype=I64)
    np.cumsum(np.bincount(list_of, minlength=len(list_ids)), out=ptr[1:])
    # The rows: each skill a consultant holds, each pair of them.
    cs_c, cs_s = np.nonzero(inst.levels)
    cs_c, cs_s = cs_c.astype(I64), cs_s.astype(I64)
    cs_level = inst.levels[cs_c, cs_s].astype(I64)
    row_keys = [cs_s]
    row_c = [cs_c]
    row_bonus = [w.skill_level * cs_level]
    # Pairs of held skills, consultant by consultant (rows are grouped by consultant).
    by_c = np.zeros(inst.n_consultants + 1, dtype=I64)
    np.cumsum(np.bincount(cs_c, minlength=inst.n_consultants), out=by_c[1:])
    held = np.diff(by_c)
    for j in range(1, int(held.max()) if len(held) else 1):
        has_rows = np.flatnonzero(held > j)
        for i in range(j):
            x, y = by_c[has_rows] + i, by_c[has_rows] + j
            row_keys.append(n_skills + cs_s[x] * n_skills + cs_s[y])
            row_c.append(cs_c[x])
            row_bonus.append(w.skill_level * (cs_level[x] + cs_level[y]))
    r_keys = np.concatenate(row_keys)
    r_c = np.concatenate(row_c)
    r_bonus = np.concatenate(row_bonus)
    where = np.minimum(np.searchsorted(list_ids, r_keys), max(len(list_ids) - 1, 0))
    known = (list_ids[where] == r_keys) if len(list_ids) else np.zeros(len(r_keys), dtype=bool)
    r_list = where[known]
    return _Lists(
        ptr=ptr,
        tasks=tasks,
        base=base,
        row_c=r_c[known],
        row_list=r_list,
        row_bonus=r_bonus[known],
        row_pos=np.zeros(len(r_list), dtype=I64),
        row_len=ptr[r_list + 1] - ptr[r_list],
    )


def _read(lists: _Lists, rows: Array, upto: Array) -> tuple[Array, Array]:
    """The pairs of rows' lists from where they stopped up to `upto`; moves them on."""
    take = np.maximum(upto - lists.row_pos[rows], 0)
    c = np.repeat(lists.row_c[rows], take)
    offsets = np.arange(take.sum()) - np.repeat(np.cumsum(take) - take, take)
    start = lists.ptr[lists.row_list[rows]] + lists.row_pos[rows]
    t = lists.tasks[np.repeat(start, take) + offsets]
    lists.row_pos[rows] = np.maximum(upto, lists.row_pos[rows])
    return c, t


def match(
    inst: Instance, w: Weights, *, max_iterations: int = 200, graph_per_consultant: int = 6
) -> Result:
    """The maximum-score assignment over every pair, certified (see the module's docstring)."""
    n_c, n_t = inst.n_consultants, inst.n_tasks
    base_t = max(n_t, 1)
    b = task_side(inst, w)
    a = consultant_side(inst, w)
    lists = _lists(inst, w, b)
    sponsored = inst.mode == MODE_SPONSORSHIP
    a_fee = a + w.mission * (inst.mode == MODE_FEE)
    eligible_bonus = w.mission * inst.project_eligible[inst.task_project].astype(I64)
    declined = inst.declined
    c0, t0 = _read(
        lists, np.arange(len(lists.row_c)), np.minimum(lists.row_len, w.candidates_per_skill)
    )
    # Continuity pairs: every ready task of a project they are on, what follows their work.
    n_p = max(len(inst.project_lead), 1)
    by_project = np.argsort(inst.task_project, kind="stable")
    project_ptr = np.zeros(len(inst.project_lead) + 1, dtype=I64)
    np.cumsum(np.bincount(inst.task_project, minlength=len(inst.project_lead)), out=project_ptr[1:])
    team_c, team_p = inst.team // n_p, inst.team % n_p
    sizes = project_ptr[team_p + 1] - project_ptr[team_p]
    team_t = by_project[
        np.repeat(project_ptr[team_p], sizes)
        + np.arange(sizes.sum())
        - np.repeat(np.cumsum(sizes) - sizes, sizes)
    ]
    keys = np.concatenate(
        [
            c0 * base_t + t0,
            np.repeat(team_c, sizes) * base_t + team_t,
            inst.follows,
            inst.handed_over,
        ]
    ).astype(I64)
    examined = unique_sorted(keys)
    examined = examined[~_isin_sorted(examined, declined)]
    ec, et = examined // base_t, examined % base_t
    es = score_total(inst, w, ec, et)
    # The solver sees each consultant's best `graph_per_consultant` pairs; the others scored are
    # priced exactly against the duals and join when they could improve (column generation).
    in_graph = np.zeros(len(es), dtype=bool)
    if len(es):
        order_g = np.lexsort((-es, ec))
        first_of = np.r_[0, np.flatnonzero(np.diff(ec[order_g])) + 1]
        rank = np.arange(len(es)) - np.repeat(first_of, np.diff(np.r_[first_of, len(es)]))
        in_graph[order_g[rank < graph_per_consultant]] = True
    in_graph &= es > 0
    figures: dict[str, Any] = {"iterations": 0, "pairs_added_back": 0, "certified": False}
    solution: Solution | None = None
    task_k = np.diff(inst.task_skill_ptr)
    graph_changed = True
    for _check in range(max_iterations):
        if graph_changed:
            figures["iterations"] += 1
            solution = solve(n_c, n_t, ec[in_graph], et[in_graph], es[in_graph])
        assert solution is not None
        y, z = solution.y, solution.z
        graph_changed = False
        margins: list[int] = []
        new_keys: list[Array] = []
        advanced = False
        # (b) Further down the lists of the skills they hold.
        if len(lists.row_c):
            values = lists.base - z[lists.tasks]
            plain = _segment_suffix_max(values, lists.ptr)
            with_mission = _segment_suffix_max(values + eligible_bonus[lists.tasks], lists.ptr)
            rows = np.flatnonzero(lists.row_pos < lists.row_len)
            at = lists.ptr[lists.row_list[rows]] + lists.row_pos[rows]
            spons = sponsored[lists.row_c[rows]]
            suffix = np.where(spons, with_mission[at], plain[at])
            threshold = y[lists.row_c[rows]] - a_fee[lists.row_c[rows]] - lists.row_bonus[rows]
            slack = threshold - suffix
            if len(slack):
                margins.append(int(slack.min()))
            violated = slack < 0
            bad = rows[violated]
            if len(bad):
                advanced = True
                # Read each violated list on to where its rest can no longer improve: the first
                # position whose suffix max is at most the threshold (suffix maxima never grow
                # along a list), found by a binary search run on every violated row at once.
                start = lists.ptr[lists.row_list[bad]]
                lo, hi = lists.row_pos[bad].copy(), lists.row_len[bad].copy()
                limit = threshold[violated]
                use_m = spons[violated]
                while True:
                    open_ = lo < hi
                    if not open_.any():
                        break
                    mid = (lo + hi) // 2
                    at_mid = start + np.minimum(mid, lists.row_len[bad] - 1)
                    value = np.where(use_m, with_mission[at_mid], plain[at_mid])
                    above = value > limit
                    lo = np.where(open_ & above, mid + 1, lo)
                    hi = np.where(open_ & ~above, mid, hi)
                c1, t1 = _read(lists, bad, lo)
                new_keys.append(c1 * base_t + t1)
        # (a) Tasks sharing no skill with them.
        if n_t and n_c:
            key0 = b - w.skill_missing * task_k - z
            order = np.argsort(-key0, kind="stable")
            key0_m = key0 + eligible_bonus
            order_m = np.argsort(-key0_m, kind="stable")
            threshold = y - a_fee
            top = np.where(sponsored, key0_m[order_m[0]], key0[order[0]])
            calm = threshold >= top
            if calm.any():
                margins.append(int((threshold - top)[calm].min()))
            for c in np.flatnonzero(~calm).tolist():
                keys_c, order_c = (key0_m, order_m) if sponsored[c] else (key0, order)
                count = int(np.searchsorted(-keys_c[order_c], -threshold[c], side="left"))
                tasks = order_c[:count].astype(I64)
                needs_held = inst.levels[c][inst.task_skill_idx] > 0
                shares = np.add.reduceat(
                    np.r_[needs_held, False].astype(I64), inst.task_skill_ptr[:-1]
                ) * (task_k > 0)
                tasks = tasks[shares[tasks] == 0]
                new_keys.append(c * base_t + tasks)
        figures["min_pruned_slack"] = min(margins) if margins else None
        fresh = unique_sorted(np.concatenate(new_keys)) if new_keys else np.zeros(0, I64)
        fresh = fresh[~_isin_sorted(fresh, examined) & ~_isin_sorted(fresh, declined)]
        if len(fresh):
            nc, nt = fresh // base_t, fresh % base_t
            ns = score_total(inst, w, nc, nt)
            # Merged in order (both sorted, disjoint): no sort of the millions already scored.
            at_new = np.searchsorted(examined, fresh) + np.arange(len(fresh))
            is_old = np.ones(len(examined) + len(fresh), dtype=bool)
            is_old[at_new] = False
            merged = []
            for old_values, new_values in (
                (examined, fresh),
                (ec, nc),
                (et, nt),
                (es, ns),
                (in_graph, np.zeros(len(fresh), dtype=bool)),
            ):
                out = np.empty(len(is_old), dtype=old_values.dtype)
                out[is_old] = old_values
                out[at_new] = new_values
                merged.append(out)
            examined, ec, et, es, in_graph = merged
        # Pricing: a scored pair outside the solver's graph that could improve joins it.
        joins = ~in_graph & (es > 0) & (es > y[ec] + z[et])
        if joins.any():
            in_graph |= joins
            graph_changed = True
            figures["pairs_added_back"] += int(joins.sum())
        figures.setdefault("trace", []).append(
            {"advanced": bool(advanced), "fresh": len(fresh), "joins": int(joins.sum())}
        )
        if not graph_changed and not advanced and not len(fresh):
            figures["certified"] = True
            break
    figures["graph_pairs"] = int(in_graph.sum())
    assert solution is not None
    positive = es > 0
    # The certificate covers every scored pair, in the solver's graph or priced outside it.
    check = check_duals(ec[positive], et[positive], es[positive], solution)
    figures["certified"] = bool(figures["certified"] and check.feasible)
    figures["dual_objective"] = check.dual_objective
    figures["candidate_pairs"] = len(examined)
    figures["pruned_pairs"] = n_c * n_t - len(examined) - len(declined)
    mc = np.flatnonzero(solution.col_of_row >= 0)
    mt = solution.col_of_row[mc]
    scores, parts, flags = score(inst, w, mc, mt)
    return Result(mc, mt, parts, scores, flags, solution.objective, figures)
