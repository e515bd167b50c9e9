"""Validation of run files and records against the JSON Schema in lib/schemas/.

The schema, `lab-run/1`, is the contract between the jobs that write run files and everything
that reads them (the reports, the app's archive). It requires the minimum config and result
keys of the four course experiments and only the generic record shape (experiment, config,
results, timings_s) for any other experiment id. Every object allows additional keys.
"""

import functools
import json
from pathlib import Path

SCHEMA_NAME = "lab-run/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "lab-run-1.schema.json"


class SchemaError(ValueError):
    """A document does not match the lab-run/1 schema; the message names where and why."""


@functools.cache
def load_schema():
    """Return the lab-run/1 schema as a dict."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator(definition):
    # jsonschema is imported here so that a missing package fails with a clear message at the
    # first validation, not at import time of every module that might validate.
    try:
        import jsonschema
        import referencing
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"validating run files needs the jsonschema package ({error}); "
            "install it with `pip install -r requirements-jobs.txt`"
        ) from None

    schema = load_schema()
    resource = referencing.Resource.from_contents(schema)
    registry = referencing.Registry().with_resource(schema["$id"], resource)
    target = schema if definition is None else {"$ref": f"{schema['$id']}#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(target, registry=registry)


def validate(document, definition=None):
    """Raise SchemaError, naming the first violation, unless `document` matches the schema.

    `definition` names the part of the schema to check against. None checks a whole run file,
    "record" a record as lib and the app return it, and "run_record" a record in a run file,
    which must also carry its wall time.
    """
    validator = _validator(definition)
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(document))
    if error is not None:
        raise SchemaError(f"not a valid {SCHEMA_NAME} document: {_location(error)}: "
                          f"{error.message}")


def validate_run_file(document):
    """Raise SchemaError unless `document` is a valid run file."""
    if isinstance(document, dict) and document.get("schema") != SCHEMA_NAME:
        raise SchemaError(f"schema is {document.get('schema')!r}, but this version of the lab "
                          f"reads {SCHEMA_NAME!r} only")
    validate(document)


def validate_record(record):
    """Raise SchemaError unless `record` is a valid record (as the app and lib return it)."""
    validate(record, "record")


def _location(error):
    return "/".join(str(part) for part in error.absolute_path) or "(top level)"
