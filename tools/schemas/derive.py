#!/usr/bin/env python3
"""Derive Ktizo's structural Talos config schemas from Talos's official ones.

Usage:
  tools/schemas/derive.py [--out DIR] OFFICIAL.json [OFFICIAL.json ...]
  tools/schemas/derive.py [--out DIR]     # every config.schema.v*.json in $KTIZO_TALOS_REFERENCE

Each input is the config.schema.json of a Talos release (pkg/machinery/config/schemas/ at its tag).
The output, src/Ktizo.Schema/Schemas/talos-v<major>.<minor>.schema.json, keeps what decides whether
a config is accepted (types, properties, required, enums, patterns, additionalProperties, the
oneOf/anyOf/$defs structure and $ref) and drops all prose (titles, descriptions, examples).
A keyword this script does not know stops it, so a new validation keyword is never lost silently.

Python with only the standard library: it runs on any CI machine without a build, and the job
(walk a JSON tree, keep some keys) needs nothing more.
"""

import glob
import json
import os
import re
import sys

# Keywords whose value is a schema, a list of schemas, or a map of name -> schema.
SCHEMA = {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"}
SCHEMA_LIST = {"oneOf", "anyOf", "allOf", "prefixItems"}
SCHEMA_MAP = {"properties", "$defs", "patternProperties", "dependentSchemas"}
# Keywords kept as they are: they constrain values.
VALUES = {
    "$schema", "$id", "$ref", "type", "enum", "const", "required", "pattern", "format",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
    "dependentRequired",
}
# Keywords dropped: text for people and editors, no effect on validation.
PROSE = {"title", "description", "markdownDescription", "x-intellij-html-description", "examples", "default", "$comment", "deprecated"}

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "src", "Ktizo.Schema", "Schemas")


def structural(node, where):
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise SystemExit(f"{where}: a schema must be an object or a boolean")
    result = {}
    for key, value in node.items():
        at = f"{where}/{key}"
        if key in PROSE:
            continue
        if key in SCHEMA:
            result[key] = structural(value, at)
        elif key in SCHEMA_LIST:
            result[key] = [structural(v, f"{at}/{i}") for i, v in enumerate(value)]
        elif key in SCHEMA_MAP:
            result[key] = {name: structural(v, f"{at}/{name}") for name, v in value.items()}
        elif key in VALUES:
            result[key] = value
        else:
            raise SystemExit(f"{where}: unknown keyword '{key}': add it to VALUES or PROSE in {__file__}")
    return result


def minor(schema, path):
    match = re.search(r"/(v\d+\.\d+)/schemas/", schema.get("$id", ""))
    if not match:
        raise SystemExit(f"{path}: no Talos version in its $id ({schema.get('$id')!r})")
    return match.group(1)


def main(args):
    out = OUT
    if args[:1] == ["--out"]:
        if len(args) < 2:
            raise SystemExit("--out needs a folder")
        out, args = args[1], args[2:]
    paths = args
    if not paths:
        folder = os.environ.get("KTIZO_TALOS_REFERENCE")
        if not folder:
            raise SystemExit("give the official schema files, or set KTIZO_TALOS_REFERENCE to the folder holding config.schema.v*.json")
        paths = sorted(glob.glob(os.path.join(folder, "config.schema.v*.json")))
        if not paths:
            raise SystemExit(f"no config.schema.v*.json in {folder}")
    os.makedirs(out, exist_ok=True)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            official = json.load(f)
        version = minor(official, path)
        derived = structural(official, "#")
        target = os.path.join(out, f"talos-{version}.schema.json")
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            json.dump(derived, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"{path} -> {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
