"""Solves a stored matching instance, for reproducible benchmarks.

Input: {"consultants": [ids], "tasks": [ids], "pairs": [[consultant, task, score], ...]} with
integer scores; only the listed pairs may be assigned. Output: {"assignment": [[consultant, task],
...], "objective": total, "dual_objective": ..., "certified": ..., "seconds": ...}."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.matching.solver import check_duals, solve

LIMIT = 2**53  # integers beyond are not exact in the solver's floats


def _ids(data: dict[str, Any], name: str) -> list[int]:
    values = data.get(name)
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        raise CommandError(f'"{name}" must be a list of integer ids.')
    if len(set(values)) != len(values):
        raise CommandError(f'"{name}" lists an id twice.')
    return values


def parse(data: Any) -> tuple[list[int], list[int], np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(data, dict):
        raise CommandError(
            'The instance must be a JSON object with "consultants", "tasks" and "pairs".'
        )
    consultants, tasks = _ids(data, "consultants"), _ids(data, "tasks")
    pairs = data.get("pairs")
    if not isinstance(pairs, list):
        raise CommandError('"pairs" must be a list of [consultant, task, score].')
    c_of = {c: i for i, c in enumerate(consultants)}
    t_of = {t: i for i, t in enumerate(tasks)}
    rows, cols, weights, seen = [], [], [], set()
    for n, pair in enumerate(pairs):
        if not isinstance(pair, list) or len(pair) != 3:
            raise CommandError(f"Pair {n}: expected [consultant, task, score], got {pair!r:.80}.")
        consultant, task, score = pair
        if not isinstance(score, int) or isinstance(score, bool) or abs(score) >= LIMIT:
            raise CommandError(
                f"Pair {n}: the score must be an integer (below 2**53), got {score!r:.40}."
            )
        if consultant not in c_of or isinstance(consultant, bool):
            raise CommandError(f"Pair {n}: unknown consultant {consultant!r:.40}.")
        if task not in t_of or isinstance(task, bool):
            raise CommandError(f"Pair {n}: unknown task {task!r:.40}.")
        if (consultant, task) in seen:
            raise CommandError(f"Pair {n}: the pair ({consultant}, {task}) is listed twice.")
        seen.add((consultant, task))
        rows.append(c_of[consultant])
        cols.append(t_of[task])
        weights.append(score)
    return (
        consultants,
        tasks,
        np.array(rows, dtype=np.int64),
        np.array(cols, dtype=np.int64),
        np.array(weights, dtype=np.int64),
    )


class Command(BaseCommand):
    help = "Solves a stored matching instance exactly (maximum total score, not necessarily full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instance", required=True, help="the instance, a JSON file")
        parser.add_argument("--out", required=True, help="where to write the result (JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["instance"], encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as error:
            raise CommandError(f"Cannot read the instance: {error.strerror}.") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"The instance is not valid JSON: {error}.") from None
        consultants, tasks, rows, cols, weights = parse(data)
        clock = time.perf_counter()
        solution = solve(len(consultants), len(tasks), rows, cols, weights)
        seconds = time.perf_counter() - clock
        positive = weights > 0
        check = check_duals(rows[positive], cols[positive], weights[positive], solution)
        result: dict[str, Any] = {
            "assignment": [[consultants[r], tasks[c]] for r, c in solution.pairs],
            "objective": solution.objective,
            "dual_objective": check.dual_objective,
            "certified": check.feasible,
            "seconds": round(seconds, 4),
        }
        try:
            with open(options["out"], "w", encoding="utf-8") as handle:
                json.dump(result, handle)
        except OSError as error:
            raise CommandError(f"Cannot write the result: {error.strerror}.") from None
        self.stdout.write(
            f"{len(solution.pairs)} pairs assigned, total score {solution.objective}."
        )
