"""The Archived results tab: run files the course keeps, with provenance, re-plotted from disk.

The tab reads the run files in results/archive/ (written by `python -m jobs`), validates each
against the lab-run/1 schema, and draws a chosen record with the same plotting code as the
other tabs. Nothing is re-run. A file that fails validation is listed with the reason and is
never loaded.
"""

import functools
from pathlib import Path

import gradio as gr

from jobs.runfile import check_run_file, config_label, provenance_rows
from lib.experiments import EXPERIMENTS

ARCHIVE_DIR = Path(__file__).resolve().parent.parent.parent / "results" / "archive"

# The maximum number of figures one record draws (normalization, lr_quadratic and normal_vs_gd
# draw 2). Plot slots beyond a record's figures are hidden.
MAX_FIGURES = 3


@functools.lru_cache(maxsize=64)
def _checked(path, mtime_ns, size):
    return check_run_file(Path(path))


def check(path):
    """Return (document, None) or (None, reason) for the run file at `path`, cached by mtime."""
    try:
        status = path.stat()
    except OSError as error:
        return None, f"cannot be read: {error.strerror}"
    return _checked(str(path), status.st_mtime_ns, status.st_size)


def archive_paths():
    """Return the *.json files of the archive folder, by name."""
    return sorted(Path(ARCHIVE_DIR).glob("*.json"))


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def archive_listing():
    """Return a Markdown table of every archived run file: valid ones with provenance, invalid
    ones with the reason."""
    paths = archive_paths()
    if not paths:
        return f"No run files in `{ARCHIVE_DIR.name}/` yet."

    lines = ["| file | status | job | device | git commit | finished (UTC) | records |",
             "|---|---|---|---|---|---|---:|"]
    for path in paths:
        document, reason = check(path)
        if document is None:
            lines.append(f"| `{path.name}` | **invalid**: {_cell(reason)} | | | | | |")
            continue
        rows = dict(provenance_rows(document))
        lines.append(f"| `{path.name}` | valid | {_cell(rows['job'])} | {_cell(rows['device'])} "
                     f"| {_cell(rows['git commit'])} | {document['finished_at']} "
                     f"| {len(document['records'])} |")
    return "\n".join(lines)


def _load(file_name):
    paths = {path.name: path for path in archive_paths()}
    if file_name not in paths:
        raise gr.Error(f"no archived run file named {file_name!r}; pick one from the list",
                       print_exception=False)
    return check(paths[file_name])


def archive_file(file_name):
    """Return the provenance of an archived run file and the choices of its records."""
    document, reason = _load(file_name)
    if document is None:
        return (f"`{file_name}` is **invalid** and was not loaded: {reason}",
                gr.Dropdown(choices=[], value=None))

    rows = [f"| {label} | {_cell(text)} |" for label, text in provenance_rows(document)]
    provenance = "\n".join([f"**{file_name}**", "", "| provenance | |", "|---|---|", *rows])
    choices = [(f"{index + 1}. {record['experiment']}: {config_label(record)}", index)
               for index, record in enumerate(document["records"])]
    return provenance, gr.Dropdown(choices=choices, value=None)


def archive_record(file_name, record_index):
    """Plot one record of an archived run file; return figures, summary and record.

    With no record chosen (the list was just refilled), the outputs are cleared.
    """
    if record_index is None:
        return (*[gr.update(value=None, visible=index == 0) for index in range(MAX_FIGURES)],
                "", None)
    document, reason = _load(file_name)
    if document is None:
        raise gr.Error(f"{file_name} is invalid: {reason}", print_exception=False)
    if not isinstance(record_index, int) or not 0 <= record_index < len(document["records"]):
        raise gr.Error(f"record must be a whole number from 0 to "
                       f"{len(document['records']) - 1}, got {record_index!r}",
                       print_exception=False)

    record = document["records"][record_index]
    experiment = EXPERIMENTS.get(record["experiment"])
    if experiment is None:
        figures = []
        summary = (f"This version of the lab has no experiment `{record['experiment']}`, so "
                   "the record is shown without plots.")
    else:
        figures = experiment.plot(record)[:MAX_FIGURES]
        summary = experiment.summarize(record)
    slots = [gr.update(value=figure, visible=True) for figure in figures]
    slots += [gr.update(value=None, visible=False)] * (MAX_FIGURES - len(figures))
    return (*slots, summary, record)


def refresh():
    """Re-read the archive folder: a new listing and the list of files to pick from."""
    names = [path.name for path in archive_paths()]
    return archive_listing(), gr.Dropdown(choices=names, value=None)


def build():
    """Lay out the tab and wire its events; it has no experiment endpoints, so return []."""
    gr.Markdown(
        "Run files written by the headless jobs (`python -m jobs`) and kept with the lab. Each "
        "says how it was made: code version, software, device, command and time. Pick a file "
        "and a record to draw its plots from the stored numbers; nothing is re-run."
    )
    listing = gr.Markdown(archive_listing)
    with gr.Row():
        # Custom values let API callers name a file or record that the page has not listed
        # yet. The handlers check every value against the archive folder.
        file_name = gr.Dropdown([path.name for path in archive_paths()], value=None,
                                label="Run file", scale=2, allow_custom_value=True)
        record_index = gr.Dropdown([], value=None, label="Record", scale=3,
                                   allow_custom_value=True)
        refresh_button = gr.Button("Refresh list", scale=0)
    provenance = gr.Markdown()
    plots = [gr.Plot(label=f"Figure {number}", visible=number == 1)
             for number in range(1, MAX_FIGURES + 1)]
    summary = gr.Markdown()
    record = gr.JSON(label="Record")

    refresh_button.click(refresh, outputs=[listing, file_name], api_name="archive_refresh")
    file_name.change(archive_file, inputs=file_name, outputs=[provenance, record_index],
                     api_name="archive_file")
    record_index.change(archive_record, inputs=[file_name, record_index],
                        outputs=[*plots, summary, record], api_name="archive_record")
    return []
