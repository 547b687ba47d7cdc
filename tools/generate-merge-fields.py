#!/usr/bin/env python3
"""Writes src/Ktizo.Core/Yaml/Fields/TalosV1_*Fields.cs: how Talos merges each field of its config documents.

Reads the Go struct definitions of pkg/machinery/config/types in a git checkout of siderolabs/talos at a
release tag and records, for every YAML field path of every document kind, the facts its generic merge
(pkg/machinery/config/merge/merge.go) and its delete selectors depend on: value or pointer, scalar class,
list, map, `merge:"replace"`, or a type with its own Merge() method. Each entry names the Go file and line
of the field, so a reader can check it. Only facts are taken; no Talos code is copied.

Usage: tools/generate-merge-fields.py TALOS_GIT_DIR   (a bare mirror works: it reads with `git show`)
"""

import re
import subprocess
import sys
from pathlib import Path

RELEASES = {"1.11": "v1.11.6", "1.12": "v1.12.11", "1.13": "v1.13.9", "1.14": "v1.14.0-rc.1"}
TYPES = "pkg/machinery/config/types"
MODULE = "github.com/siderolabs/talos/pkg/machinery/config/types/"
OUT = Path(__file__).resolve().parent.parent / "src/Ktizo.Core/Yaml/Fields"

# Types with a Merge(other any) method, by the rule the C# merge applies for them.
MERGERS = {
    ("v1alpha1", "NetworkDeviceList"): "Interfaces",
    ("v1alpha1", "VlanList"): "Vlans",
    ("v1alpha1", "AdmissionPluginConfigList"): "AdmissionPlugins",
    ("v1alpha1", "Args"): "Args",
    ("meta", "Args"): "Args",
    ("extensions", "ConfigFileList"): "ConfigFiles",
    ("security", "ImageVerificationRules"): "ImageRules",
    ("block", "ByteSize"): "Atomic",
    ("block", "PercentageSize"): "Atomic",
    ("meta", "Prefix"): "AtomicUnlessZero",
    ("meta", "Addr"): "AtomicUnlessZero",
    ("meta", "AddrPort"): "AtomicUnlessZero",
}

NUMBERS = {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64"}


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


class Package:
    def __init__(self):
        self.types = {}  # name -> (kind, detail, file, line)


def parse(repo, tag):
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", tag, TYPES).split("\n")
             if f.endswith(".go") and not f.endswith(("_test.go", "_doc.go", ".generated.go")) and "/testdata/" not in f]
    packages, roots, mergers = {}, [], set()
    for path in files:
        pkg = path[len(TYPES) + 1:].rsplit("/", 1)[0] if "/" in path[len(TYPES) + 1:] else ""
        text = git(repo, "show", f"{tag}:{path}")
        imports = {}
        for alias, target in re.findall(r'(?m)^\s*(\w+)?\s*"' + re.escape(MODULE) + r'([\w/]+)"', text):
            imports[alias or target.rsplit("/", 1)[-1]] = target
        package = packages.setdefault(pkg, Package())
        lines = text.split("\n")
        comment = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if m := re.match(r"func \(\w+ \*(\w+)\) Merge\(", line):
                mergers.add((pkg.rsplit("/", 1)[-1], m.group(1)))
            m = re.match(r"type (\w+) (.+)$", line)
            if m and m.group(2).startswith("struct {"):
                fields, depth, j = [], 1, i + 1
                while depth > 0 and j < len(lines):
                    body = lines[j]
                    if depth == 1 and (f := field(body)):
                        fields.append((*f, j + 1))
                    depth += body.count("{") - body.count("}")
                    j += 1
                package.types[m.group(1)] = ("struct", fields, path, i + 1, imports)
                doc = "\n".join(comment)
                if "schemaRoot: true" in doc and (alias := re.search(r"alias: (\w+)", doc)):
                    roots.append((alias.group(1), pkg, m.group(1)))
                if pkg == "v1alpha1" and m.group(1) == "Config":
                    roots.append(("v1alpha1", pkg, "Config"))
                i = j
                comment = []
                continue
            if m:
                package.types[m.group(1)] = ("alias", m.group(2).split("//")[0].strip(), path, i + 1, imports)
            comment = comment + [line] if line.startswith("//") else []
            i += 1
    return packages, roots, mergers


def field(line):
    body = line.strip()
    if not body or body.startswith("//"):
        return None
    m = re.match(r"(\w+)\s+([^\s`]+)\s+`([^`]*)`", body) or re.match(r"()(\*?[\w.]+)\s+`([^`]*)`", body)
    if not m:
        return None
    tags = dict(re.findall(r'(\w+):"([^"]*)"', m.group(3)))
    if "yaml" not in tags or tags["yaml"].split(",")[0] == "-":
        return None
    return m.group(2), tags["yaml"], "replace" in tags.get("merge", "").split(",")


def resolve(packages, pkg, name, imports):
    """(package, type) of a named type, or None for a type outside the config types."""
    if "." in name:
        alias, name = name.split(".", 1)
        target = imports.get(alias)
        return (target, name) if target in packages and name in packages[target].types else None
    return (pkg, name) if name in packages.get(pkg, Package()).types else None


def walk(packages, mergers, pkg, expr, imports, path, out, where, replace=False, depth=0):
    if depth > 12:
        return
    pointer = expr.startswith("*")
    bare = expr.lstrip("*")
    if replace:
        out.append((path, "Replace", where))
        return
    if bare == "[]byte":
        out.append((path, "Bytes", where))
        return
    if bare.startswith("[]"):
        out.append((path, "List", where))
        walk(packages, mergers, pkg, bare[2:], imports, path + "[]", out, where, depth=depth + 1)
        return
    if bare.startswith("map["):
        out.append((path, "Map", where))
        walk(packages, mergers, pkg, bare[bare.index("]") + 1:], imports, path + ".*", out, where, depth=depth + 1)
        return
    if bare in ("any", "interface{}"):
        out.append((path, "Any", where))
        return
    if bare in ("string", "bool") or bare in NUMBERS:
        kind = "String" if bare == "string" else "Bool" if bare == "bool" else "Number"
        out.append((path, "Pointer" if pointer else kind, where))
        return
    named = resolve(packages, pkg, bare, imports)
    if named is None:
        out.append((path, "Pointer" if pointer else "Opaque", where))
        return
    tpkg, tname = named
    rule = MERGERS.get((tpkg.rsplit("/", 1)[-1], tname))
    if (tpkg.rsplit("/", 1)[-1], tname) in mergers:
        if rule is None:
            raise SystemExit(f"{tpkg}.{tname} has a Merge method this generator does not know; add it to MERGERS")
        out.append((path, rule, where))
        if rule in ("Interfaces", "Vlans", "AdmissionPlugins", "ConfigFiles", "ImageRules"):
            kind, detail, _, _, timports = packages[tpkg].types[tname]
            walk(packages, mergers, tpkg, detail[2:], timports, path + "[]", out, where, depth=depth + 1)
        elif rule == "Args":
            out.append((path + ".*", "Replace", where))
        return
    kind, detail, file, line, timports = packages[tpkg].types[tname]
    if kind == "alias":
        if detail.startswith(("[]", "map[")) or detail in ("any", "interface{}") or detail in NUMBERS or detail in ("string", "bool"):
            walk(packages, mergers, tpkg, ("*" if pointer else "") + detail, timports, path, out, where, depth=depth + 1)
        else:
            out.append((path, "Pointer" if pointer else "Opaque", where))
        return
    out.append((path, "PointerStruct" if pointer else "Struct", where))
    struct_fields(packages, mergers, tpkg, detail, timports, path, out, file, depth)


def struct_fields(packages, mergers, pkg, fields, imports, prefix, out, file, depth):
    for expr, yaml_tag, replace, line in fields:
        name, *flags = yaml_tag.split(",")
        where = f"{file[len(TYPES) + 1:]}:{line}"
        if "inline" in flags:
            named = resolve(packages, pkg, expr.lstrip("*"), imports)
            if named is not None:
                kind, detail, ifile, _, iimports = packages[named[0]].types[named[1]]
                if kind == "struct":
                    struct_fields(packages, mergers, named[0], detail, iimports, prefix, out, ifile, depth + 1)
                    continue
            out.append((prefix + ".*" if prefix else "*", "Any", where))
            continue
        path = f"{prefix}.{name}" if prefix else name
        walk(packages, mergers, pkg, expr, imports, path, out, where, replace, depth + 1)


def generate(repo, minor, tag):
    packages, roots, mergers = parse(repo, tag)
    entries = []
    for kind, pkg, name in sorted(set(roots)):
        _, fields, file, _, imports = packages[pkg].types[name]
        out = []
        struct_fields(packages, mergers, pkg, fields, imports, "", out, file, 0)
        entries += [(kind, *e) for e in out if e[0] not in ("apiVersion", "kind")]
    cls = f"TalosV{minor.replace('.', '_')}Fields"
    rows = "\n".join(f'        new("{k}", "{p}", TalosField.{f}, "{w}"),' for k, p, f, w in entries)
    return f"""// <auto-generated>
// Written by tools/generate-merge-fields.py from siderolabs/talos {tag} ({TYPES}): the merge-relevant
// kind of every field of every config document. Regenerate; do not edit.
// </auto-generated>

namespace Ktizo.Core.Yaml.Fields;

internal static class {cls}
{{
    public const string Release = "{tag}";

    public static readonly FieldEntry[] Entries =
    [
{rows}
    ];
}}
"""


def main():
    repo = sys.argv[1]
    OUT.mkdir(parents=True, exist_ok=True)
    for minor, tag in RELEASES.items():
        target = OUT / f"TalosV{minor.replace('.', '_')}Fields.cs"
        target.write_text(generate(repo, minor, tag))
        print(f"{target}: {tag}")


if __name__ == "__main__":
    main()
