"""Run files: strict-JSON documents that are validated, then written atomically.

A run file (schema lab-run/1, see lib/schemas/lab-run-1.schema.json) contains one job's records
and the provenance that made them. Files appear only complete: the text goes to a temporary
file in the same folder, which is renamed over the target once it is written and synced.
"""

import os
import tempfile
from pathlib import Path

from lib import schema
from lib.records import dumps_strict, loads_strict

SCHEMA = schema.SCHEMA_NAME
TEMPORARY_SUFFIX = ".tmp"


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path, document, definition=None):
    """Validate `document`, then write it as strict JSON to `path`; return the path.

    `definition` is the part of the schema the document must match (see `lib.schema.validate`):
    None for a run file, "run_record" for a record on its own. Raises `lib.schema.SchemaError`
    or ValueError (for NaN or Infinity) before anything is written.
    """
    path = Path(path)
    text = dumps_strict(document, indent=1)
    # Validate what a reader will parse, not the Python objects, which may hold tuples or
    # numpy scalars that serialize differently.
    parsed = loads_strict(text)
    if definition is None:
        schema.validate_run_file(parsed)
    else:
        schema.validate(parsed, definition)

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=TEMPORARY_SUFFIX)
    try:
        # mkstemp creates the file as 0600; give it the mode a plain open() would.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        # A full disk (ENOSPC) or a file size limit (EFBIG) ends here. The temporary file is
        # removed, so the message can promise that nothing was left behind.
        Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, f"could not write the run file {path}: {error.strerror}. "
                      f"No file was written; free space in {path.parent} or choose another "
                      "--out folder") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def remove_temporaries(folder, name="*"):
    """Delete temporary files that a killed `write_atomic` of `folder/name` left behind."""
    removed = 0
    for leftover in Path(folder).glob(f".{name}.*{TEMPORARY_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


def read_json(path):
    """Return the strict JSON document at `path`; raise OSError or ValueError."""
    return loads_strict(Path(path).read_text(encoding="utf-8"))


def read_run_file(path):
    """Return the run file at `path`; raise OSError, ValueError or `lib.schema.SchemaError`."""
    document = read_json(path)
    schema.validate_run_file(document)
    return document


def check_run_file(path):
    """Return (document, None) for a valid run file, or (None, reason) for any other file."""
    try:
        return read_run_file(path), None
    except OSError as error:
        return None, f"cannot be read: {error.strerror or error}"
    except schema.SchemaError as error:
        return None, str(error)
    except ValueError as error:
        return None, f"not strict JSON: {error}"


def provenance_rows(document):
    """Return the provenance of a valid run file as (label, text) rows for a table."""
    environment = document["environment"]
    device = f"{environment['device']}: {environment['device_name']}"
    if environment["device"] == "cuda" and environment["cuda"]:
        device += f", CUDA {environment['cuda']}"
    commit = environment["git_commit"]
    if commit is None:
        commit_text = "unknown (not run from a git checkout)"
    else:
        commit_text = commit[:12]
        if environment["git_dirty"]:
            commit_text += " with uncommitted changes"
    records = str(len(document["records"]))
    if document.get("resumed_records"):
        records += f" ({document['resumed_records']} kept from an interrupted run by --resume)"

    rows = [
        ("job", f"{document['job']}, preset {document['preset']}"
                + (" (quick)" if document["quick"] else "")),
        ("command", document["command"]),
        ("started (UTC)", document["started_at"]),
        ("finished (UTC)", document["finished_at"]),
        ("wall time", f"{document['wall_s']:.3f} s"
                      + (" (sum over shards)" if "shards" in document else "")),
        ("device", device),
        ("software", f"Python {environment['python']}, torch {environment['torch']}, "
                     f"NumPy {environment['numpy']}"),
        ("git commit", commit_text),
        ("seeds", ", ".join(str(seed) for seed in document["seeds"]) or "none"),
        ("records", records),
    ]
    if "shard" in document:
        rows.append(("shard", f"{document['shard']['index']} of {document['shard']['count']}"))
    for shard in document.get("shards", []):
        rows.append((f"shard {shard['index']}/{shard['count']}",
                     f"{shard['command']} ({shard['started_at']} to {shard['finished_at']}, "
                     f"{shard['environment']['device_name']})"))
    return rows


def config_label(record, max_keys=4):
    """Return a short label of a record's config: the keys that differ from the defaults."""
    from lib.experiments import EXPERIMENTS

    config = record["config"]
    experiment = EXPERIMENTS.get(record["experiment"])
    defaults = experiment.config_class().to_dict() if experiment else {}
    changed = [(key, value) for key, value in config.items() if defaults.get(key, object()) != value]
    if not changed:
        return "defaults"
    texts = []
    for key, value in changed[:max_keys]:
        text = dumps_strict(value)
        texts.append(f"{key}={text if len(text) <= 24 else text[:21] + '...'}")
    if len(changed) > max_keys:
        texts.append(f"+{len(changed) - max_keys} more")
    return ", ".join(texts)
