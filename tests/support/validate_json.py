#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Validate a JSON document against a JSON Schema, offline.

usage: validate_json.py --schema SCHEMA.json INSTANCE.json

Runs with Debian's python3-jsonschema (4.10: no `referencing` package), so side schemas are
given to a jsonschema.RefResolver store: every *.schema.json beside SCHEMA (CycloneDX's
spdx.schema.json and jsf-0.82.schema.json) is registered under its $id and its file name, and
SCHEMA under its own id.
Exit 0 when valid, 1 with one line per error on stderr when not, 2 on usage or I/O errors.
"""
import argparse
import json
import os
import sys

import jsonschema


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema", required=True)
    ap.add_argument("instance")
    args = ap.parse_args()
    try:
        schema = load(args.schema)
        instance = load(args.instance)
    except (OSError, ValueError) as e:
        print(f"validate_json: {e}", file=sys.stderr)
        return 2

    store = {}
    folder = os.path.dirname(os.path.abspath(args.schema))
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".schema.json"):
            continue
        path = os.path.join(folder, name)
        if os.path.samefile(path, args.schema):
            continue
        try:
            side = load(path)
        except (OSError, ValueError):
            continue
        store[name] = side
        if isinstance(side, dict) and "$id" in side:
            store[side["$id"]] = side

    # the schema itself under its own id (draft-04 spells it "id": SARIF's), so that its
    # "#/definitions/..." references never go to the network
    for key in ("$id", "id"):
        if isinstance(schema.get(key), str):
            store[schema[key]] = schema
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = cls(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    for e in errors:
        where = "/".join(map(str, e.absolute_path)) or "(root)"
        print(f"{args.instance}: {where}: {e.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
