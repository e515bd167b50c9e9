"""The Archived results tab: listing, provenance and plots of stored run files, no re-running."""

import copy
import dataclasses
import json

import gradio as gr
import pytest
from matplotlib.figure import Figure

from jobs.runfile import read_run_file, write_atomic
from lib import schema
from lib.experiments import EXPERIMENTS
from space.tabs import archive


def committed_files():
    return sorted(archive.ARCHIVE_DIR.glob("*.json"))


def test_archive_has_committed_run_files():
    assert committed_files()


@pytest.mark.parametrize("path", committed_files(), ids=lambda path: path.name)
def test_committed_run_file_is_valid(path):
    document = read_run_file(path)
    assert document["records"]


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    """An archive folder with a valid run file, a file of another schema and one with NaN."""
    source = read_run_file(committed_files()[0])
    document = copy.deepcopy(source)
    document["records"] = [next(r for r in source["records"]
                                if r["experiment"] == "normal_vs_gd")]
    unknown = copy.deepcopy(document["records"][0])
    unknown["experiment"] = "adam_vs_sgd"
    document["records"].append(unknown)
    write_atomic(tmp_path / "good.json", document)

    (tmp_path / "old.json").write_text(json.dumps(dict(document, schema="lab-run/0")))
    (tmp_path / "nan.json").write_text('{"schema": "lab-run/1", "wall_s": NaN}')
    monkeypatch.setattr(archive, "ARCHIVE_DIR", tmp_path)
    return tmp_path, document


def test_listing_shows_valid_file_provenance(folder):
    _, document = folder
    row = next(line for line in archive.archive_listing().splitlines() if "good.json" in line)
    assert "| valid |" in row
    assert document["finished_at"] in row
    assert document["environment"]["device_name"] in row


@pytest.mark.parametrize(("name", "reason"), [
    ("old.json", "schema is 'lab-run/0'"),
    ("nan.json", "not strict JSON: non-standard JSON constant NaN"),
])
def test_listing_shows_invalid_file_reason(folder, name, reason):
    row = next(line for line in archive.archive_listing().splitlines() if name in line)
    assert "**invalid**" in row
    assert reason in row


def test_invalid_file_is_not_loaded(folder):
    provenance, records = archive.archive_file("old.json")
    assert "**invalid** and was not loaded" in provenance
    assert records.choices == []
    with pytest.raises(gr.Error, match="old.json is invalid"):
        archive.archive_record("old.json", 0)


def test_file_shows_provenance_and_records(folder):
    _, document = folder
    provenance, records = archive.archive_file("good.json")
    assert document["command"] in provenance
    assert document["environment"]["git_commit"][:12] in provenance
    assert document["started_at"] in provenance
    assert [value for _, value in records.choices] == [0, 1]
    assert records.choices[0][0].startswith("1. normal_vs_gd")


def test_record_is_plotted_from_the_file(folder):
    _, document = folder
    record = document["records"][0]
    *slots, summary, shown = archive.archive_record("good.json", 0)
    figures = [slot["value"] for slot in slots if slot["visible"]]
    expected = EXPERIMENTS["normal_vs_gd"].plot(record)
    assert len(figures) == len(expected)
    assert all(isinstance(figure, Figure) for figure in figures)
    assert [f.axes[0].get_title() for f in figures] == [f.axes[0].get_title() for f in expected]
    assert summary == EXPERIMENTS["normal_vs_gd"].summarize(record)
    assert shown == record


def test_plotting_does_not_run_the_experiment(folder, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the archive re-ran an experiment")

    monkeypatch.setattr("lib.experiments.run_experiment", refuse)
    monkeypatch.setitem(EXPERIMENTS, "normal_vs_gd",
                        dataclasses.replace(EXPERIMENTS["normal_vs_gd"], run_record=refuse))
    *slots, _, _ = archive.archive_record("good.json", 0)
    assert slots[0]["visible"]


def test_unknown_experiment_shown_without_plots(folder):
    *slots, summary, shown = archive.archive_record("good.json", 1)
    assert not any(slot["visible"] for slot in slots)
    assert "no experiment `adam_vs_sgd`" in summary
    assert shown["experiment"] == "adam_vs_sgd"


@pytest.mark.parametrize("index", [2, -1, "0", 1.5])
def test_bad_record_index_raises(folder, index):
    with pytest.raises(gr.Error, match="record must be a whole number from 0 to 1"):
        archive.archive_record("good.json", index)


@pytest.mark.parametrize("name", ["missing.json", "../good.json", "/etc/passwd"])
def test_unknown_file_name_raises(folder, name):
    with pytest.raises(gr.Error, match="no archived run file named"):
        archive.archive_file(name)


def test_no_record_clears_outputs(folder):
    *slots, summary, shown = archive.archive_record("good.json", None)
    assert all(slot["value"] is None for slot in slots)
    assert summary == ""
    assert shown is None


def test_every_committed_record_plots():
    for path in committed_files():
        document = read_run_file(path)
        for index, record in enumerate(document["records"]):
            *slots, _, shown = archive.archive_record(path.name, index)
            schema.validate(shown, "run_record")
            assert sum(slot["visible"] for slot in slots) == len(
                EXPERIMENTS[record["experiment"]].plot(record))


def test_endpoint_plots_committed_record(client):
    name = committed_files()[0].name
    *figures, summary, record = client.predict(name, 0, api_name="/archive_record")
    document = read_run_file(archive.ARCHIVE_DIR / name)
    assert record == document["records"][0]
    assert summary
    assert figures[0] is not None
