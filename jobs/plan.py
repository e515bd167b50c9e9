"""Planning of a job: its configs in order, the reduced --quick sweep, and the shard to run.

A job's work is a list of (experiment id, config dict) pairs. Position i in that list is the
config's index; shard K of N runs the indices i with i % N == K - 1, so each shard gets a share
of every experiment, and `python -m jobs merge` puts the records back in index order.
"""

import dataclasses
import hashlib
import json
import os

from jobs import presets
from lib.experiments import EXPERIMENTS
from lib.validation import ConfigError

# --quick keeps this many sweep configs per experiment, spread evenly over its list.
QUICK_CONFIGS_PER_EXPERIMENT = 3


@dataclasses.dataclass(frozen=True)
class Shard:
    """Slice K (1-based) of N of a job's configs, and where that choice came from."""

    index: int = 1
    count: int = 1
    source: str = "default"

    @property
    def label(self):
        return f"{self.index}/{self.count}"

    def owns(self, position):
        """Return whether the config at `position` of the job belongs to this shard."""
        return position % self.count == self.index - 1


def parse_shard(text, source="--shard"):
    """Parse "K/N" (1 <= K <= N) into a Shard; raise ConfigError naming `source` otherwise."""
    parts = text.split("/") if isinstance(text, str) else []
    try:
        index, count = (int(part) for part in parts)
    except ValueError:
        raise ConfigError(f"{source} must be K/N with whole numbers 1 <= K <= N, "
                          f"got {text!r}") from None
    if not 1 <= index <= count:
        raise ConfigError(f"{source} must be K/N with 1 <= K <= N, got {text!r}")
    return Shard(index, count, source)


def shard_from_slurm(environ):
    """Return the shard of a Slurm job array task, or None outside a job array.

    Slurm numbers array tasks from SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP
    (`--array=0-3` gives ids 0..3, `--array=1-8:2` gives 1, 3, 5, 7); the shard is the task's
    1-based position in that range, out of SLURM_ARRAY_TASK_COUNT.
    """
    if "SLURM_ARRAY_TASK_ID" not in environ or "SLURM_ARRAY_TASK_COUNT" not in environ:
        return None
    names = ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
             "SLURM_ARRAY_TASK_STEP")
    defaults = {"SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "1"}
    values = {}
    for name in names:
        text = environ.get(name, defaults.get(name))
        try:
            values[name] = int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {text!r}") from None

    offset = values["SLURM_ARRAY_TASK_ID"] - values["SLURM_ARRAY_TASK_MIN"]
    step = values["SLURM_ARRAY_TASK_STEP"]
    count = values["SLURM_ARRAY_TASK_COUNT"]
    if step < 1 or offset % step or not 0 <= offset // step < count:
        raise ConfigError(
            f"cannot place SLURM_ARRAY_TASK_ID={values['SLURM_ARRAY_TASK_ID']} in a job array "
            f"of {count} tasks from {values['SLURM_ARRAY_TASK_MIN']} in steps of {step}; "
            "submit a contiguous range such as --array=0-3, or pass --shard K/N"
        )
    return Shard(offset // step + 1, count, "Slurm job array")


def choose_shard(shard_text, environ=None):
    """Return the shard to run: --shard if given, else the Slurm array task's, else 1/1."""
    if shard_text is not None:
        return parse_shard(shard_text)
    slurm = shard_from_slurm(os.environ if environ is None else environ)
    return slurm or Shard()


def spread(items, count):
    """Return at most `count` items of `items`, evenly spaced and always with the first and last."""
    if len(items) <= count:
        return list(items)
    if count == 1:
        return [items[0]]
    step = (len(items) - 1) / (count - 1)
    return [items[int(i * step + 0.5)] for i in range(count)]


def preset_configs(experiment_id, preset, quick):
    """Return the config dicts of `preset` for one experiment, reduced when `quick` is set.

    A `QUICK` dict in jobs/presets.py, {experiment id: [config dicts]}, replaces the reduction
    for the experiments it names; use it when an experiment's sweep configs are each slow.
    """
    configs = presets.PRESETS[preset].get(experiment_id, [])
    if not quick:
        return list(configs)
    quick_presets = getattr(presets, "QUICK", {})
    if experiment_id in quick_presets:
        return list(quick_presets[experiment_id])
    return spread(configs, QUICK_CONFIGS_PER_EXPERIMENT)


def load_config_file(path, experiment_ids):
    """Return the configs of a --config file: one JSON object, or a list of them."""
    if len(experiment_ids) != 1:
        raise ConfigError(f"--config needs a single experiment id, got {len(experiment_ids)} "
                          f"({', '.join(experiment_ids)})")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read --config file {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"--config file {path} is not valid JSON: {error}") from None

    configs = document if isinstance(document, list) else [document]
    if not configs or not all(isinstance(config, dict) for config in configs):
        raise ConfigError(f"--config file {path} must hold a JSON object of config keys or a "
                          "non-empty list of them")
    return [(experiment_ids[0], _config_of(config, experiment_ids[0], path))
            for config in configs]


def _config_of(document, experiment_id, path):
    """Return the config keys of `document`: itself, or the "config" of a record the app saved."""
    if not {"experiment", "config"} <= set(document):
        return document
    if document["experiment"] != experiment_id:
        raise ConfigError(f"--config file {path} contains a record of {document['experiment']!r}, "
                          f"but the job runs {experiment_id!r}")
    return document["config"]


def plan(name, preset, config_path=None, quick=False):
    """Return the job's work, [(experiment id, config dict)], after validating every config.

    Raises ConfigError for an invalid config, so a job fails before it runs anything.
    """
    # --config names one experiment, even where the same name also runs a group of them.
    if config_path is not None and name in EXPERIMENTS:
        experiment_ids = [name]
    else:
        experiment_ids = presets.GROUPS.get(name, [name])
    if config_path is not None:
        work = load_config_file(config_path, experiment_ids)
    else:
        work = [(experiment_id, config) for experiment_id in experiment_ids
                for config in preset_configs(experiment_id, preset, quick)]

    for experiment_id, config in work:
        EXPERIMENTS[experiment_id].config_class.from_dict(config)
    return work


def normalized_config(experiment_id, config):
    """Return the full config (every key, defaults filled in) that a record of `config` carries."""
    return EXPERIMENTS[experiment_id].config_class.from_dict(config).to_dict()


def run_name(name, preset, device, quick=False, config_work=None, shard=Shard()):
    """Return the file stem of a job's run file, e.g. all-sweep-quick-cpu or its shard 2-of-4.

    A --config job is named after a hash of its configs, so re-running the same file resumes it
    and a different file gets a different name.
    """
    parts = [name, preset]
    if quick:
        parts.append("quick")
    if config_work is not None:
        text = json.dumps(config_work, sort_keys=True)
        parts.append(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8])
    parts.append(device)
    stem = "-".join(parts)
    if shard.count > 1:
        stem += f".shard-{shard.index}-of-{shard.count}"
    return stem
