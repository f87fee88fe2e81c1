"""Validates SARIF logs written by `cargo xtask check --format sarif` against the SARIF 2.1.0
JSON schema (tests/fixtures/sarif/), and checks that each log holds what a reviewer needs:
results with a rule, a region and a fingerprint, and, across the logs, a fix and a related
location. Run by .ci/run with the `jsonschema` package: python3 tests/sarif_schema.py LOG...
"""

import json
import pathlib
import sys

import jsonschema

SCHEMA = pathlib.Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


def main(paths):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    fixes = related = 0
    for path in paths:
        log = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        for error in errors:
            print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}", file=sys.stderr)
        if errors:
            return 1
        (run,) = log["runs"]
        rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
        if not run["results"]:
            print(f"{path}: no results: the log checks nothing", file=sys.stderr)
            return 1
        for result in run["results"]:
            assert result["ruleId"] in rules, result["ruleId"]
            assert result["partialFingerprints"], result
            fixes += len(result.get("fixes", []))
            related += len(result.get("relatedLocations", []))
        print(f"{path}: valid SARIF 2.1.0, {len(run['results'])} results")
    if not fixes or not related:
        print("no fix or no related location in any log: plant findings that have them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
