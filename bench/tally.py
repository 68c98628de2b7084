"""Benchmark of the campaign tally (relais/campaigns/tally.py) against pabutools.

    .venv/bin/python bench/tally.py [--pabutools-timeout SECONDS] [--skip-large]

Generates two approval elections shaped like real municipal ones (Pabulib): 6,500 voters x 64
projects, and 100,000 voters x 300 projects; counts each with MES + completion ("mes"), plain MES
and greedy, and reports the times (wall clock and the CPU time of the counting process) with the
machine's load average beside each. pabutools (a test dependency) counts the smaller election
with plain MES and with MES + completion, each in a child process stopped after the timeout; the
outcomes are compared with ours.
"""

# ruff: noqa: T201, S311 (a benchmark script: it prints, and its elections are random)
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relais.campaigns.tally import Election, PBProject, PBVote, count, lot


def generate(voters: int, projects: int, seed: int = 2024) -> Election:
    """Costs from 10k to 400k, a budget of about a quarter of the total cost, popularity skewed
    (a few projects are very popular), each voter approves 1 to 15 projects."""
    rng = random.Random(seed)
    costs = {str(j + 1): Fraction(rng.randrange(10_000, 400_000, 1000)) for j in range(projects)}
    total = sum(costs.values())
    budget = Fraction(int(total / 4) // 1000 * 1000)
    weights = [rng.paretovariate(1.2) for _ in range(projects)]
    ids = list(costs)
    votes = []
    for i in range(voters):
        k = min(projects, rng.randint(1, 15))
        chosen: set[str] = set()
        while len(chosen) < k:
            chosen.update(rng.choices(ids, weights=weights, k=k - len(chosen)))
        votes.append(PBVote(str(i + 1), tuple(sorted(chosen, key=int))))
    return Election(
        budget=budget,
        projects={pid: PBProject(pid, c) for pid, c in costs.items()},
        votes=votes,
        vote_type="approval",
    )


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def _ours(election: Election, rule: str, queue: multiprocessing.Queue) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    result = count(election, rule)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    queue.put((wall, cpu, result.selected, result.completion_steps))


def ours(
    election: Election, rule: str, timeout: float
) -> tuple[float, float, list[str], int] | None:
    """Our count in a child process, stopped after the timeout (None then)."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_ours, args=(election, rule, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get()


def _pabutools(election: Election, complete: bool, queue: multiprocessing.Queue) -> None:
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    inst = Instance(budget_limit=election.budget)
    projects = {pid: Project(pid, p.cost) for pid, p in election.projects.items()}
    for p in projects.values():
        inst.add(p)
    profile = ApprovalProfile(instance=inst)
    for v in election.votes:
        profile.append(ApprovalBallot([projects[x] for x in v.projects]))
    votes = {pid: sum(pid in v.projects for v in election.votes) for pid in projects}
    tie = TieBreakingRule(lambda i, pr, p: (p.cost, -votes[p.name], lot("", p.name)))
    start = time.perf_counter()
    out = method_of_equal_shares(
        inst,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=tie,
        voter_budget_increment=1 if complete else None,
    )
    queue.put((time.perf_counter() - start, sorted(p.name for p in out)))


def pabutools(election: Election, complete: bool, timeout: float) -> tuple[float, list[str]] | None:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_pabutools, args=(election, complete, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pabutools-timeout", type=float, default=300.0)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--timeout", type=float, default=120.0, help="per count of ours")
    parser.add_argument("--skip-pabutools", action="store_true")
    args = parser.parse_args()
    sizes = [(6_500, 64)] + ([] if args.skip_large else [(100_000, 300)])
    for voters, projects in sizes:
        t0 = time.perf_counter()
        election = generate(voters, projects)
        print(
            f"\n{voters:,} voters x {projects} projects"
            f" (generated in {time.perf_counter() - t0:.1f} s)"
        )
        outcomes: dict[str, list[str]] = {}
        for rule in ("mes", "mes-plain", "greedy"):
            mine = ours(election, rule, args.timeout)
            if mine is None:
                print(f"  relais {rule:10s} > {args.timeout:.0f} s (stopped, {load()})")
                continue
            wall, cpu, selected, steps = mine
            extra = f", {steps} completion steps" if rule == "mes" else ""
            print(
                f"  relais {rule:10s} {wall * 1000:9.1f} ms (CPU {cpu * 1000:.1f} ms, {load()})"
                f"  {len(selected)} selected{extra}"
            )
            outcomes[rule] = sorted(selected)
        if voters <= 10_000 and not args.skip_pabutools:
            for rule, complete in (("mes-plain", False), ("mes", True)):
                theirs = pabutools(election, complete, args.pabutools_timeout)
                if theirs is None:
                    print(
                        f"  pabutools {rule:10s} > {args.pabutools_timeout:.0f} s"
                        f" (stopped, {load()})"
                    )
                    continue
                same = "same outcome" if theirs[1] == outcomes.get(rule) else "outcome differs"
                print(f"  pabutools {rule:10s} {theirs[0] * 1000:9.1f} ms ({load()}, {same})")


if __name__ == "__main__":
    main()
