"""`python -m jobs report DIR`: render run files into PNG figures and one HTML page.

The figures come from the same plotting functions as the app (`Experiment.plot(record)` in
lib/experiments.py) and the key numbers from the same `summarize(record)`. The page embeds
its figures as data URIs, so index.html alone is the whole report. The PNG files next to it
are for slides and course pages.
"""

import base64
import html
import io
import sys
from pathlib import Path

from jobs.merge import SHARD_FILE
from jobs.runfile import check_run_file, config_label, provenance_rows
from lib.experiments import EXPERIMENTS
from lib.records import dumps_strict

FIGURE_DPI = 100

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
th { white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.figures img { max-width: 100%; width: 32rem; border: 1px solid #eee; }
.invalid { color: #b00020; }
code, pre { font-size: 0.9em; }
"""


def _markdown_renderer():
    try:
        from markdown_it import MarkdownIt
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the report needs markdown-it-py to render summaries; install it with "
            "`pip install -r requirements-jobs.txt`"
        ) from None
    # Raw HTML in a summary is escaped, not passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def run_files(folder):
    """Return the run files a report covers: a file itself, or the *.json of a folder.

    Shard files (NAME.shard-K-of-N.json) are left out: `python -m jobs merge` joins them into
    NAME.json, which the report shows instead.
    """
    folder = Path(folder)
    if folder.is_file():
        return [folder]
    return [path for path in sorted(folder.glob("*.json")) if not SHARD_FILE.match(path.name)]


def render_figure(figure, path):
    """Save `figure` as a PNG at `path` and return the PNG's bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    data = buffer.getvalue()
    path.write_bytes(data)
    return data


def figure_alt(figure, experiment_id, number):
    """Return alt text for a figure: its axes' titles, else the experiment and figure number."""
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    return "; ".join(titles) or f"{experiment_id}, figure {number}"


def render_record(record, position, stem, out, markdown):
    """Return the HTML section of one record and write its PNG figures into `out`."""
    experiment_id = record["experiment"]
    title = f"{position + 1}. {experiment_id}: {config_label(record)}"
    parts = [f"<h3>{html.escape(title)}</h3>"]

    experiment = EXPERIMENTS.get(experiment_id)
    if experiment is None:
        parts.append(f"<p>No plot or summary: this version of the lab has no experiment "
                     f"<code>{html.escape(experiment_id)}</code>.</p>")
    else:
        images = []
        for number, figure in enumerate(experiment.plot(record), start=1):
            name = f"{stem}-{position + 1:03d}-{number}.png"
            data = render_figure(figure, out / name)
            alt = figure_alt(figure, experiment_id, number)
            images.append(f'<img src="data:image/png;base64,{base64.b64encode(data).decode()}" '
                          f'alt="{html.escape(alt)}" title="{html.escape(name)}">')
        parts.append(f'<div class="figures">{"".join(images)}</div>')
        parts.append(markdown.render(experiment.summarize(record)))

    timings = ", ".join(f"{key} {value:.4f} s" for key, value in record["timings_s"].items()
                        if value is not None)
    parts.append(f"<p>Time: {html.escape(timings)}.</p>")
    parts.append("<details><summary>config</summary><pre>"
                 f"{html.escape(dumps_strict(record['config'], indent=1))}</pre></details>")
    return "\n".join(parts)


def render_run_file(path, document, out, markdown):
    """Return the HTML section of one valid run file, writing its figures into `out`."""
    rows = "".join(f"<tr><th>{html.escape(label)}</th><td>{html.escape(text)}</td></tr>"
                   for label, text in provenance_rows(document))
    parts = [f'<h2 id="{html.escape(path.stem)}">{html.escape(path.name)}</h2>',
             f"<table>{rows}</table>"]
    for position, record in enumerate(document["records"]):
        parts.append(render_record(record, position, path.stem, out, markdown))
    return "\n".join(parts)


def build_report(folder, out):
    """Write out/index.html and the PNG figures of every run file in `folder`.

    Returns (path of the page, number of valid run files, [(path, reason) of invalid ones]).
    """
    markdown = _markdown_renderer()
    out.mkdir(parents=True, exist_ok=True)
    paths = run_files(folder)

    sections, contents, invalid = [], [], []
    valid = 0
    for path in paths:
        document, reason = check_run_file(path)
        if document is None:
            invalid.append((path, reason))
            continue
        contents.append(f'<li><a href="#{html.escape(path.stem)}">{html.escape(path.name)}</a>: '
                        f"{len(document['records'])} records, {html.escape(document['job'])} "
                        f"{html.escape(document['preset'])}, "
                        f"{html.escape(document['environment']['device_name'])}</li>")
        sections.append(render_run_file(path, document, out, markdown))
        valid += 1

    if invalid:
        items = "".join(f"<li><code>{html.escape(path.name)}</code>: {html.escape(reason)}</li>"
                        for path, reason in invalid)
        sections.append(f'<h2 class="invalid">Invalid files (not shown)</h2><ul>{items}</ul>')
    if not paths:
        sections.append(f"<p>No run files in {html.escape(str(folder))}.</p>")

    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Deep-learning lab: run report</title>"
        f"<style>{STYLE}</style></head><body>\n"
        "<h1>Deep-learning lab: run report</h1>\n"
        f"<ul>{''.join(contents)}</ul>\n" + "\n".join(sections) + "\n</body></html>\n"
    )
    index = out / "index.html"
    temporary = out / ".index.html.tmp"
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(index)
    return index, valid, invalid


def report_command(folder, out=None):
    """Render the report of `folder`; return 0, or 1 when a run file is invalid."""
    folder = Path(folder)
    if not folder.exists():
        print(f"error: {folder} does not exist", file=sys.stderr)
        return 2
    if out is None:
        out = (folder.parent if folder.is_file() else folder) / "report"
    out = Path(out)
    index, valid, invalid = build_report(folder, out)
    for path, reason in invalid:
        print(f"invalid: {path}: {reason}", file=sys.stderr)
    print(f"wrote {index} ({valid} run files, {len(invalid)} invalid)")
    return 1 if invalid else 0
