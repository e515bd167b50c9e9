"""`python -m jobs run`: run a job's configs and write its run file.

Each finished record is first written on its own to a parts folder next to the run file
(`<run name>.parts/<index>.json`), so a job killed part-way loses at most the record in
progress. `--resume` keeps the parts whose configs match and runs the rest. The run file is
written, validated, only when every record of the shard is done; then the parts are deleted.
"""

import itertools
import logging
import shutil
import sys
import time

from jobs import plan as planning
from jobs.progress import Progress
from jobs.provenance import command_line, environment, seeds, utc_now
from jobs.runfile import SCHEMA, read_json, read_run_file, remove_temporaries, write_atomic
from lib import limits, schema
from lib.experiments import run_experiment
from lib.records import dumps_strict, loads_strict
from lib.validation import ConfigError

logger = logging.getLogger("jobs")


def resolve_device(requested):
    """Return (device, reason) for --device `requested`; raise ConfigError if CUDA is absent."""
    import torch

    available = torch.cuda.is_available()
    if requested == "cuda" and not available:
        build = ("this torch build has no CUDA support" if torch.version.cuda is None
                 else f"this torch build has CUDA {torch.version.cuda} but finds no GPU")
        raise ConfigError(f"--device cuda was requested, but torch {torch.__version__} sees no "
                          f"CUDA device ({build}); use --device cpu or --device auto")
    if requested == "auto":
        if available:
            return "cuda", (f"auto: torch sees {torch.cuda.device_count()} CUDA device(s); "
                            f"using {torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}")
        if torch.version.cuda is None:
            return "cpu", "auto: this torch build has no CUDA support"
        return "cpu", f"auto: torch has CUDA {torch.version.cuda} but sees no GPU"
    if requested == "cuda":
        return "cuda", f"requested; {torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}"
    return "cpu", "requested"


def _as_read(value):
    """Return `value` as a reader of its strict JSON gets it (tuples become lists)."""
    return loads_strict(dumps_strict(value))


def load_parts(parts, work, indices):
    """Return {index: record} of the finished records in `parts` that belong to this shard.

    A part that cannot be read or fails validation is deleted and run again. A part whose
    config differs from the job's raises ConfigError: the arguments are not the interrupted
    run's, and mixing the two would make a run file that no command produced.
    """
    remove_temporaries(parts)
    done = {}
    for path in sorted(parts.glob("*.json")):
        try:
            index = int(path.stem)
            record = read_json(path)
            schema.validate(record, "run_record")
        except (OSError, ValueError) as error:
            logger.warning("discarding unreadable part %s: %s", path, error)
            path.unlink(missing_ok=True)
            continue

        if index not in indices:
            raise ConfigError(f"{path} contains config {index}, which this shard does not run; "
                              f"the arguments differ from the interrupted run's. Delete {parts} "
                              "to start over")
        experiment_id, config = work[index]
        expected = _as_read(planning.normalized_config(experiment_id, config))
        if record["experiment"] != experiment_id or record["config"] != expected:
            raise ConfigError(f"{path} contains a record of another config than config {index} of "
                              f"this job; the arguments differ from the interrupted run's. "
                              f"Delete {parts} to start over")
        done[index] = record
    return done


def prepare(args):
    """Resolve the device, shard and work of a `run` command; raise ConfigError if invalid."""
    device, reason = resolve_device(args.device)
    shard = planning.choose_shard(args.shard)
    work = planning.plan(args.name, args.preset, args.config, args.quick)
    preset = "config" if args.config is not None else args.preset
    stem = planning.run_name(args.name, preset, device, args.quick,
                             config_work=work if args.config is not None else None, shard=shard)
    return device, reason, shard, work, preset, stem


def run_command(args, argv):
    """Run the job that `args` describe and write its run file; return the exit status."""
    with limits.use(limits.JOBS):
        return _run_job(args, argv)


def _run_job(args, argv):
    started_at = utc_now()
    started = time.perf_counter()
    try:
        device, reason, shard, work, preset, stem = prepare(args)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    print(f"device: {device} ({reason})", flush=True)
    indices = [index for index in range(len(work)) if shard.owns(index)]
    if shard.count > 1:
        print(f"shard: {shard.label} ({shard.source}), {len(indices)} of {len(work)} configs",
              flush=True)

    target = args.out / f"{stem}.json"
    parts = args.out / f"{stem}.parts"
    if args.resume and target.exists() and not parts.exists():
        try:
            read_run_file(target)
        except (OSError, ValueError) as error:
            logger.warning("running again: %s is not a valid run file (%s)", target, error)
        else:
            print(f"complete: {target} (nothing left to run)")
            return 0
    if parts.exists() and not args.resume:
        print(f"error: {parts} holds the records of an interrupted run of this job; run the "
              f"same command with --resume to finish it, or delete {parts} to start over",
              file=sys.stderr)
        return 2

    try:
        done = load_parts(parts, work, set(indices)) if parts.exists() else {}
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.resume and done:
        print(f"resume: {len(done)} of {len(indices)} records already written in {parts}",
              flush=True)

    progress = Progress(len(indices))
    progress.skip(len(done))
    records = dict(done)
    try:
        run_blocks(work, indices, done, device, parts, records, progress)
    except KeyboardInterrupt:
        progress.close()
        print(f"interrupted: {len(records)} of {len(indices)} records are saved in {parts}; "
              "run the same command with --resume to finish", file=sys.stderr)
        return 130
    except OSError as error:
        progress.close()
        return _write_failed(error, records, indices, parts)
    progress.close()

    ordered = [records[index] for index in indices]
    document = {
        "schema": SCHEMA,
        "job": args.name,
        "preset": preset,
        "quick": bool(args.quick),
        "command": command_line(argv),
        "started_at": started_at,
        "finished_at": utc_now(),
        "wall_s": time.perf_counter() - started,
        "seeds": seeds(ordered),
        "resumed_records": len(done),
        "environment": environment(device),
        "records": ordered,
    }
    if shard.count > 1:
        document["shard"] = {"index": shard.index, "count": shard.count, "indices": indices,
                             "total": len(work)}
    try:
        write_atomic(target, document)
    except OSError as error:
        return _write_failed(error, records, indices, parts)
    remove_temporaries(args.out, target.name)
    shutil.rmtree(parts, ignore_errors=True)
    print(f"wrote {target}", flush=True)
    return 0


def _write_failed(error, records, indices, parts):
    """Report a file that could not be written (a full disk, a file size limit); return 1.

    `write_atomic` leaves no partial file, so the parts written before stay valid for --resume.
    """
    text = error.strerror or ""
    if not text.startswith("could not write"):  # raised before write_atomic's own handler
        text = f"could not write the run file or its parts in {parts.parent}: {error}"
    print(f"error: {text}. The {len(records)} of {len(indices)} records "
          f"finished before are kept in {parts}; run the same command with --resume once "
          "there is room", file=sys.stderr)
    return 1


def run_blocks(work, indices, done, device, parts, records, progress):
    """Run the configs at `indices` not in `done`, one block per run of equal experiment ids.

    Each record gets its wall time in `timings_s.wall` and is written to `parts` before the
    next config starts.
    """
    for experiment_id, block in itertools.groupby(indices, key=lambda index: work[index][0]):
        pending = [index for index in block if index not in done]
        if not pending:
            continue

        block_started = time.perf_counter()
        for index in pending:
            record_started = time.perf_counter()
            record = run_experiment(experiment_id, work[index][1], device=device)
            wall = time.perf_counter() - record_started
            record["timings_s"]["wall"] = wall

            write_atomic(parts / f"{index:05d}.json", record, "run_record")
            records[index] = record
            progress.record(experiment_id, wall)
        progress.block(experiment_id, len(pending), time.perf_counter() - block_started)
