#!/usr/bin/env python3
"""Crude static check of the Helm chart, for machines without the helm binary.

It does not render templates. It checks what can be checked without Go's template engine:
  - Chart.yaml and values.yaml parse as YAML; Chart.yaml has apiVersion v2, name, version;
  - every template's {{ }} actions close, and if/with/range/define blocks are balanced by end;
  - every .Values.a.b path referenced in a template exists in values.yaml, including paths read
    through a role's section (`$cfg := index $root.Values $role`, checked against each role the
    define is included with);
  - every include/template names a define in templates/_helpers.tpl;
  - no credential has a default in values.yaml (existingSecret/connectionString stay empty).

Usage: eng/check-helm.py [chart-dir]   (default: helm/tally). Exit code 1 on any finding.
"""

import pathlib
import re
import sys

import yaml

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
VALUES_PATH = re.compile(r"\.Values((?:\." + IDENT + r")+)")
INCLUDE = re.compile(r"\b(?:include|template)\s+\"([^\"]+)\"")
DEFINE = re.compile(r"^\s*define\s+\"([^\"]+)\"")
ROLE_BINDING = re.compile(r"\$(" + IDENT + r")\s*:=\s*index\s+\S*Values\s+\$role\b")
ROLE_ARG = re.compile(r"include\s+\"([^\"]+)\"\s+\(dict\b[^)]*\"role\"\s+\"(" + IDENT + r")\"")
BLOCK_OPENERS = ("if", "with", "range", "define", "block")


def actions(text, name, errors):
    """Yields (line, body) for each {{ }} action, the way Go's lexer finds them."""
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return
        line = text.count("\n", 0, start) + 1
        inner = start + 2
        if text.startswith("- ", inner):
            inner += 1
        body_start = inner
        if text[inner:].lstrip().startswith("/*"):
            close = text.find("*/", inner)
            end = text.find("}}", close) if close >= 0 else -1
            if end < 0:
                errors.append(f"{name}:{line}: comment {{{{/* is never closed")
                return
            pos = end + 2
            continue
        i, quote = inner, None
        while i < len(text):
            c = text[i]
            if quote:
                if c == "\\" and quote == '"':
                    i += 2
                    continue
                if c == quote:
                    quote = None
            elif c in "\"`":
                quote = c
            elif text.startswith("}}", i):
                break
            elif text.startswith("{{", i):
                errors.append(f"{name}:{line}: '{{{{' opened again before the action closed")
                return
            i += 1
        else:
            errors.append(f"{name}:{line}: '{{{{' is never closed by '}}}}'")
            return
        body = text[body_start:i].rstrip()
        if body.endswith("-"):
            body = body[:-1]
        yield line, body.strip()
        pos = i + 2


def has_path(values, dotted):
    node = values
    for key in dotted.strip(".").split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def main():
    chart = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "helm/tally")
    errors = []

    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    for key in ("apiVersion", "name", "version", "appVersion"):
        if not meta.get(key):
            errors.append(f"Chart.yaml: '{key}' is missing")
    if meta.get("apiVersion") != "v2":
        errors.append("Chart.yaml: apiVersion must be v2 (Helm 3)")
    values = yaml.safe_load((chart / "values.yaml").read_text()) or {}

    for section in ("clickhouse", "ledger", "adminToken", "stripe"):
        for key in ("existingSecret", "connectionString"):
            if values.get(section, {}).get(key):
                errors.append(f"values.yaml: {section}.{key} must have no default (credentials come from Secrets)")

    templates = sorted(p for p in (chart / "templates").iterdir() if p.is_file())
    parsed = {}
    for path in templates:
        found = list(actions(path.read_text(), path.name, errors))
        parsed[path] = found

    helpers = chart / "templates" / "_helpers.tpl"
    defines = {m.group(1) for _, body in parsed.get(helpers, []) for m in [DEFINE.match(body)] if m}
    if not defines:
        errors.append("_helpers.tpl: no define found")

    # Which roles each define is included with, for paths read through `index $root.Values $role`.
    roles_of = {}
    for found in parsed.values():
        for _, body in found:
            for define, role in ROLE_ARG.findall(body):
                roles_of.setdefault(define, set()).add(role)

    checked_paths = 0
    for path, found in parsed.items():
        stack = []
        role_vars = {}
        for line, body in found:
            word = body.split(None, 1)[0] if body else ""
            where = f"{path.name}:{line}"
            if word in BLOCK_OPENERS:
                define = DEFINE.match(body)
                stack.append((word, line, define.group(1) if define else None))
                if define:
                    role_vars = {}
            elif word == "else":
                if not stack or stack[-1][0] not in ("if", "with", "range"):
                    errors.append(f"{where}: 'else' outside if/with/range")
            elif word == "end":
                if not stack:
                    errors.append(f"{where}: 'end' without an open block")
                else:
                    stack.pop()

            for dotted in VALUES_PATH.findall(body):
                checked_paths += 1
                if not has_path(values, dotted):
                    errors.append(f"{where}: .Values{dotted} is not in values.yaml")

            for name in INCLUDE.findall(body):
                if name not in defines:
                    errors.append(f"{where}: include \"{name}\" names no define in _helpers.tpl")

            binding = ROLE_BINDING.search(body)
            current_define = next((d for _, _, d in reversed(stack) if d), None)
            if binding:
                role_vars[binding.group(1)] = current_define
            for var, define in role_vars.items():
                for dotted in re.findall(r"\$" + var + r"((?:\." + IDENT + r")+)", body):
                    roles = roles_of.get(define, set())
                    if not roles:
                        errors.append(f"{where}: ${var} reads a role section but \"{define}\" is never included with a role")
                    for role in sorted(roles):
                        checked_paths += 1
                        if not has_path(values, role + dotted):
                            errors.append(f"{where}: .Values.{role}{dotted} (via ${var}) is not in values.yaml")
        for word, line, _ in stack:
            errors.append(f"{path.name}:{line}: '{word}' is never closed by 'end'")

    for error in errors:
        print(f"check-helm: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"check-helm: {chart}: {len(templates)} templates, {len(defines)} defines, "
          f"{checked_paths} values paths checked; Chart.yaml and values.yaml parse; OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
