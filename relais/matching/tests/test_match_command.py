"""`manage.py match` solves a stored instance exactly and refuses bad input clearly."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from scipy.optimize import linear_sum_assignment


def run(tmp_path, instance):  # type: ignore[no-untyped-def]
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(instance if isinstance(instance, str) else json.dumps(instance))
    call_command("match", instance=str(source), out=str(target))
    return json.loads(target.read_text())


def test_it_finds_the_best_total_for_everyone(tmp_path):
    out = run(
        tmp_path,
        {"consultants": [1, 2], "tasks": [10, 11], "pairs": [[1, 10, 5], [1, 11, 4], [2, 10, 6]]},
    )
    assert sorted(out["assignment"]) == [[1, 11], [2, 10]]
    assert out["objective"] == 10
    assert out["certified"] is True


def test_it_matches_the_dense_optimum_on_a_random_instance(tmp_path):
    rng = np.random.default_rng(3)
    weights = rng.integers(-5, 30, size=(30, 40))
    mask = rng.random((30, 40)) < 0.3
    rows, cols = np.nonzero(mask)
    pairs = [[int(c), int(t) + 100, int(weights[c, t])] for c, t in zip(rows, cols, strict=True)]
    out = run(
        tmp_path, {"consultants": list(range(30)), "tasks": list(range(100, 140)), "pairs": pairs}
    )
    dense = np.zeros((30, 70))
    dense[:, :40] = np.where(mask, np.maximum(weights, 0), 0)
    rows, cols = linear_sum_assignment(dense, maximize=True)
    assert out["objective"] == int(dense[rows, cols].sum())
    assert len({c for c, _t in out["assignment"]}) == len(out["assignment"])
    assert len({t for _c, t in out["assignment"]}) == len(out["assignment"])


@pytest.mark.parametrize(
    ("instance", "words"),
    [
        ({"consultants": [1], "tasks": [10], "pairs": [[2, 10, 5]]}, "unknown consultant"),
        ({"consultants": [1], "tasks": [10], "pairs": [[1, 11, 5]]}, "unknown task"),
        ({"consultants": [1], "tasks": [10], "pairs": [[1, 10, 5.5]]}, "must be an integer"),
        ({"consultants": [1], "tasks": [10], "pairs": [[1, 10, "5"]]}, "must be an integer"),
        ({"consultants": [1], "tasks": [10], "pairs": [[1, 10, 5], [1, 10, 6]]}, "twice"),
        ({"consultants": [1], "tasks": [10], "pairs": [[1, 10]]}, "expected [consultant"),
        ({"consultants": "1", "tasks": [10], "pairs": []}, "list of integer ids"),
        ("[1, 2", "not valid JSON"),
        ([], "JSON object"),
    ],
)
def test_bad_input_gets_a_clear_message(tmp_path, instance, words):
    with pytest.raises(CommandError, match=None) as raised:
        run(tmp_path, instance)
    assert words in str(raised.value)
    assert not (tmp_path / "out.json").exists()


def test_on_the_command_line_bad_input_exits_non_zero_without_a_traceback(tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"consultants": [1], "tasks": [10], "pairs": [[9, 10, 1]]}))
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "match",
            "--instance",
            str(source),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        env={"RELAIS_SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode != 0
    assert "unknown consultant" in done.stderr
    assert "Traceback" not in done.stderr
