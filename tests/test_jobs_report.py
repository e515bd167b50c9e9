"""`python -m jobs report`: PNG figures from the app's plotting code and one HTML page."""

import re

import pytest

from jobs.runfile import write_atomic
from jobs_helpers import read, run_jobs, written_path
from lib.experiments import EXPERIMENTS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Report a folder with one run file, one shard file and one invalid file."""
    out = tmp_path_factory.mktemp("report")
    completed = run_jobs("learning_rate", "--device", "cpu", "--out", out)
    assert completed.returncode == 0, completed.stderr
    run_file = written_path(completed)
    document = read(run_file)

    shard = dict(document, shard={"index": 1, "count": 2, "indices": [0], "total": 2})
    write_atomic(out / "learning_rate-notebook-cpu.shard-1-of-2.json", shard)
    (out / "broken.json").write_text('{"schema": "lab-run/1", "records": NaN}')

    reported = run_jobs("report", out)
    page = (out / "report" / "index.html").read_text(encoding="utf-8")
    return reported, document, run_file, out / "report", page


def test_report_exits_1_for_invalid_file(report):
    reported, _, _, _, _ = report
    assert reported.returncode == 1
    assert "invalid: " in reported.stderr
    assert "broken.json" in reported.stderr


def test_report_writes_each_figure_as_png(report):
    _, document, run_file, folder, _ = report
    expected = sum(len(EXPERIMENTS[record["experiment"]].plot(record))
                   for record in document["records"])
    pngs = sorted(folder.glob(f"{run_file.stem}-*.png"))
    assert len(pngs) == expected
    for png in pngs:
        assert png.read_bytes().startswith(PNG_MAGIC)


def test_report_leaves_out_shard_files(report):
    _, _, _, folder, page = report
    assert not list(folder.glob("*shard*.png"))
    assert "shard-1-of-2" not in page


def test_page_embeds_figures(report):
    _, _, _, folder, page = report
    embedded = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"]+"', page)
    assert len(embedded) == len(list(folder.glob("*.png")))


def test_page_has_key_numbers(report):
    _, document, _, _, page = report
    linear = next(r for r in document["records"] if r["experiment"] == "lr_linear_model")
    critical = f"{linear['results']['critical_lr']:.4g}"
    assert f"<strong>{critical}</strong>" in page
    quadratic = next(r for r in document["records"] if r["experiment"] == "lr_quadratic")
    assert f"{quadratic['results']['runs'][0]['final_x']:.6g}" in page
    assert "<table>" in page


def test_page_has_provenance(report):
    _, document, _, _, page = report
    environment = document["environment"]
    assert environment["git_commit"][:12] in page
    assert document["command"] in page
    assert document["started_at"] in page
    assert f"torch {environment['torch']}" in page
    assert environment["device_name"] in page


def test_page_lists_invalid_file_with_reason(report):
    _, _, _, _, page = report
    assert "Invalid files" in page
    assert re.search(r"<code>broken.json</code>: not strict JSON: non-standard JSON constant "
                     r"NaN", page)


def test_report_of_valid_folder_exits_0(tmp_path):
    completed = run_jobs("lr_quadratic", "--device", "cpu", "--out", tmp_path)
    assert completed.returncode == 0, completed.stderr
    reported = run_jobs("report", tmp_path, "--out", tmp_path / "page")
    assert reported.returncode == 0, reported.stderr
    assert reported.stdout.startswith(f"wrote {tmp_path / 'page' / 'index.html'}")
    assert len(list((tmp_path / "page").glob("*.png"))) == 2
