"""Sharding: --shard K/N and Slurm job arrays split a sweep, `merge` joins the shards."""

import json
import subprocess
import sys

import pytest

from jobs.plan import Shard, parse_shard, plan, shard_from_slurm
from jobs.runfile import write_atomic
from jobs_helpers import REPOSITORY, jobs_environment, read, run_jobs, written_path
from lib import limits
from lib.experiments import run_experiment
from lib.validation import ConfigError

JOB = ["learning_rate", "--preset", "sweep", "--quick", "--device", "cpu"]
STEM = "learning_rate-sweep-quick-cpu"


@pytest.mark.parametrize(("text", "index", "count"), [("1/1", 1, 1), ("2/4", 2, 4),
                                                      ("4/4", 4, 4)])
def test_parse_shard_accepts(text, index, count):
    shard = parse_shard(text)
    assert (shard.index, shard.count) == (index, count)


@pytest.mark.parametrize("text", ["0/4", "5/4", "1", "a/b", "1/2/3", "-1/2", ""])
def test_parse_shard_rejects(text):
    with pytest.raises(ConfigError, match="--shard must be K/N"):
        parse_shard(text)


@pytest.mark.parametrize(("environ", "label"), [
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, "1/4"),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4",
      "SLURM_ARRAY_TASK_MIN": "0"}, "4/4"),
    ({"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3",
      "SLURM_ARRAY_TASK_MIN": "1"}, "1/3"),
    ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4",
      "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_STEP": "2"}, "3/4"),
])
def test_slurm_array_task_gives_shard(environ, label):
    assert shard_from_slurm(environ).label == label


def test_no_slurm_array_gives_no_shard():
    assert shard_from_slurm({"SLURM_JOB_ID": "7"}) is None


@pytest.mark.parametrize("environ", [
    {"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"},
    {"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1",
     "SLURM_ARRAY_TASK_STEP": "2"},
    {"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"},
])
def test_slurm_array_task_outside_range_rejected(environ):
    with pytest.raises(ConfigError, match="SLURM_ARRAY_TASK"):
        shard_from_slurm(environ)


def test_shards_cover_every_config_once():
    owners = [[k for k in range(1, 4) if Shard(k, 3).owns(position)] for position in range(10)]
    assert owners == [[position % 3 + 1] for position in range(10)]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """Run JOB as three processes at once (shard 3 from Slurm variables) and merge them."""
    out = tmp_path_factory.mktemp("shards")
    processes = []
    for index in (1, 2, 3):
        if index == 3:
            args, env = [], jobs_environment(SLURM_ARRAY_TASK_ID="2", SLURM_ARRAY_TASK_COUNT="3",
                                             SLURM_ARRAY_TASK_MIN="0")
        else:
            args, env = ["--shard", f"{index}/3"], jobs_environment()
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "jobs", *JOB, "--out", str(out), *args], cwd=REPOSITORY,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr

    merged = run_jobs("merge", out)
    assert merged.returncode == 0, merged.stderr
    return out, [stdout for stdout, _ in outputs], merged


def test_shard_from_slurm_is_reported(sharded):
    _, stdouts, _ = sharded
    assert "shard: 3/3 (Slurm job array)" in stdouts[2]
    assert "shard: 1/3 (--shard)" in stdouts[0]


def test_each_shard_writes_its_file(sharded):
    out, _, _ = sharded
    for index in (1, 2, 3):
        document = read(out / f"{STEM}.shard-{index}-of-3.json")
        assert document["shard"]["index"] == index
        assert document["shard"]["count"] == 3


def test_merged_file_equals_unsharded_run(sharded):
    out, _, merged = sharded
    document = read(written_path(merged))
    with limits.use(limits.JOBS):
        work = plan("learning_rate", "sweep", quick=True)
        assert len(document["records"]) == len(work)
        for record, (experiment_id, config) in zip(document["records"], work):
            assert record["experiment"] == experiment_id
            assert record["results"] == run_experiment(experiment_id, config)["results"]


def test_merged_file_keeps_each_shard_provenance(sharded):
    _, _, merged = sharded
    document = read(written_path(merged))
    assert [shard["index"] for shard in document["shards"]] == [1, 2, 3]
    assert "--shard 1/3" in document["shards"][0]["command"]
    assert document["command"].startswith("python -m jobs merge")
    assert document["started_at"] == min(shard["started_at"] for shard in document["shards"])
    assert "shard" not in document


def test_merge_reports_missing_shard(sharded, tmp_path):
    out, _, _ = sharded
    for index in (1, 3):
        name = f"{STEM}.shard-{index}-of-3.json"
        (tmp_path / name).write_bytes((out / name).read_bytes())
    completed = run_jobs("merge", tmp_path)
    assert completed.returncode == 2
    assert "2/3 are missing" in completed.stderr
    assert not (tmp_path / f"{STEM}.json").exists()


def test_merge_rejects_shards_of_other_commits(sharded, tmp_path):
    out, _, _ = sharded
    for index in (1, 2, 3):
        name = f"{STEM}.shard-{index}-of-3.json"
        document = read(out / name)
        if index == 2:
            document["environment"]["git_commit"] = "0" * 40
        write_atomic(tmp_path / name, document)
    completed = run_jobs("merge", tmp_path)
    assert completed.returncode == 2
    assert "shard 2 ran with git_commit '0000000000" in completed.stderr


def test_merge_of_folder_without_shards_fails(tmp_path):
    completed = run_jobs("merge", tmp_path)
    assert completed.returncode == 2
    assert "no shard files" in completed.stderr


def test_merge_rejects_invalid_shard(sharded, tmp_path):
    out, _, _ = sharded
    for index in (1, 2, 3):
        name = f"{STEM}.shard-{index}-of-3.json"
        (tmp_path / name).write_bytes((out / name).read_bytes())
    broken = tmp_path / f"{STEM}.shard-3-of-3.json"
    document = json.loads(broken.read_text())
    del document["records"][0]["results"]["runs"]
    broken.write_text(json.dumps(document))
    completed = run_jobs("merge", tmp_path)
    assert completed.returncode == 2
    assert "'runs' is a required property" in completed.stderr
