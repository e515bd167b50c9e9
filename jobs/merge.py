"""`python -m jobs merge DIR`: join the shard files of a sharded job into one run file.

Shard K of N of a job is DIR/<name>.shard-K-of-N.json; when all N are present and agree on
what was run and with which code, their records go back in the job's config order into
DIR/<name>.json. The merged file keeps each shard's provenance under `shards`.
"""

import collections
import datetime
import re
import sys
from pathlib import Path

from jobs.provenance import command_line, seeds, utc_now
from jobs.runfile import SCHEMA, check_run_file, write_atomic

SHARD_FILE = re.compile(r"^(?P<name>.+)\.shard-(?P<index>\d+)-of-(?P<count>\d+)\.json$")

# Shards must agree on these to form one run file: the same job, made by the same code.
SAME_JOB = ("job", "preset", "quick")
SAME_ENVIRONMENT = ("python", "torch", "numpy", "device", "cuda", "git_commit", "git_dirty")


class MergeError(ValueError):
    """Error for a set of shard files that cannot be joined; the message names the files and why."""


def find_shard_files(folder):
    """Return {(name, count): {index: path}} for the shard files in `folder`."""
    groups = collections.defaultdict(dict)
    for path in sorted(Path(folder).glob("*.shard-*-of-*.json")):
        match = SHARD_FILE.match(path.name)
        if match:
            key = (match["name"], int(match["count"]))
            groups[key][int(match["index"])] = path
    return dict(groups)


def _parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _check_agreement(name, documents):
    first_index = min(documents)
    first = documents[first_index]
    for index, document in sorted(documents.items()):
        for key in SAME_JOB:
            if document[key] != first[key]:
                raise MergeError(f"{name}: shard {index} has {key} {document[key]!r} but shard "
                                 f"{first_index} has {first[key]!r}")
        for key in SAME_ENVIRONMENT:
            if document["environment"][key] != first["environment"][key]:
                raise MergeError(
                    f"{name}: shard {index} ran with {key} {document['environment'][key]!r} "
                    f"but shard {first_index} with {first['environment'][key]!r}; re-run the "
                    "shards on the same code and software"
                )
        if "shard" not in document:
            raise MergeError(f"{name}: shard file {index} has no 'shard' section")
        if document["shard"]["total"] != first["shard"]["total"]:
            raise MergeError(f"{name}: shard {index} is a slice of {document['shard']['total']} "
                             f"configs but shard {first_index} of {first['shard']['total']}")


def merge_documents(name, count, documents, argv):
    """Return the run file that joins `documents`, {shard index: shard run file}, of one job."""
    missing = sorted(set(range(1, count + 1)) - set(documents))
    if missing:
        labels = ", ".join(f"{index}/{count}" for index in missing)
        raise MergeError(f"{name}: shard file(s) {labels} are missing; run them (with --resume "
                         "if they were interrupted) before merging")
    _check_agreement(name, documents)

    by_index = {}
    for document in documents.values():
        by_index.update(zip(document["shard"]["indices"], document["records"]))
    total = documents[1]["shard"]["total"]
    if sorted(by_index) != list(range(total)):
        raise MergeError(f"{name}: the shards hold configs {sorted(by_index)}, not each of the "
                         f"job's {total} configs once")
    records = [by_index[index] for index in range(total)]

    ordered = [documents[index] for index in range(1, count + 1)]
    environment = dict(ordered[0]["environment"], created_at=utc_now())
    device_names = sorted({document["environment"]["device_name"] for document in ordered})
    environment["device_name"] = "; ".join(device_names)
    first = ordered[0]
    return {
        "schema": SCHEMA,
        "job": first["job"],
        "preset": first["preset"],
        "quick": first["quick"],
        "command": command_line(argv),
        "started_at": min((d["started_at"] for d in ordered), key=_parse_time),
        "finished_at": max((d["finished_at"] for d in ordered), key=_parse_time),
        "wall_s": sum(document["wall_s"] for document in ordered),
        "seeds": seeds(records),
        "resumed_records": sum(document.get("resumed_records", 0) for document in ordered),
        "environment": environment,
        "shards": [
            {"index": index, "count": count, "command": document["command"],
             "started_at": document["started_at"], "finished_at": document["finished_at"],
             "wall_s": document["wall_s"], "environment": document["environment"]}
            for index, document in enumerate(ordered, start=1)
        ],
        "records": records,
    }


def merge_command(folder, argv):
    """Merge every set of shard files in `folder`; return the exit status (2 if any set fails)."""
    groups = find_shard_files(folder)
    if not groups:
        print(f"error: no shard files (NAME.shard-K-of-N.json) in {folder}", file=sys.stderr)
        return 2

    status = 0
    for (name, count), paths in sorted(groups.items()):
        documents = {}
        try:
            for index, path in sorted(paths.items()):
                document, reason = check_run_file(path)
                if document is None:
                    raise MergeError(f"{path}: {reason}")
                documents[index] = document
            merged = merge_documents(name, count, documents, argv)
        except MergeError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 2
            continue
        path = write_atomic(Path(folder) / f"{name}.json", merged)
        print(f"wrote {path} ({len(merged['records'])} records from {count} shards)", flush=True)
    return status
