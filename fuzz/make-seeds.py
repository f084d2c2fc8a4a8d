#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ (git-ignored) with the project's own test expressions and, when
present, the expressions of the CEL conformance suite (../shared/cel-spec or $CEL_SPEC_DIR).

Expressions come from string literals in crates/*/tests (Rust), the hostile table's `expr`
fields, and `expr:` lines of the conformance .textproto files. Nothing here is committed."""

import glob
import hashlib
import os
import re
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

RUST_STRING = re.compile(r'"((?:[^"\\\n]|\\.){2,400})"')
TEXTPROTO_EXPR = re.compile(r'^\s*expr:\s*"((?:[^"\\]|\\.)*)"', re.M)
TOML_EXPR = re.compile(r'^expr = (?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\')', re.M)
TOML_VARS = re.compile(r"^vars = '([^']*)'", re.M)


def unescape(s):
    try:
        return bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return s


def looks_like_cel(s):
    # Test tables also hold messages and names; keep what has an operator, call or literal.
    return bool(re.search(r"[-+*/%<>=!&|?\[\](){}.]|^\d|^'|^true$|^false$", s))


def write(target, text):
    data = text.encode("utf-8")
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    exprs = set()
    for path in glob.glob(os.path.join(ROOT, "crates", "*", "tests", "**", "*.rs"), recursive=True):
        with open(path, encoding="utf-8") as f:
            for m in RUST_STRING.finditer(f.read()):
                s = unescape(m.group(1))
                if looks_like_cel(s) and "\n" not in s:
                    exprs.add(s)
    jsons = {'{"$uint": "3"}', '{"$map": [[1, "a"]]}', '[1, 2.5, "s", null, {"$bytes": "AAE="}]'}
    with open(os.path.join(ROOT, "crates", "celd", "tests", "hostile", "cases.toml"), encoding="utf-8") as f:
        text = f.read()
        for m in TOML_EXPR.finditer(text):
            exprs.add(unescape(m.group(1)) if m.group(1) is not None else m.group(2))
        for m in TOML_VARS.finditer(text):
            jsons.add(m.group(1))
    spec = os.environ.get("CEL_SPEC_DIR", os.path.join(ROOT, "..", "shared", "cel-spec"))
    for path in glob.glob(os.path.join(spec, "tests", "simple", "testdata", "*.textproto")):
        with open(path, encoding="utf-8") as f:
            for m in TEXTPROTO_EXPR.finditer(f.read()):
                exprs.add(unescape(m.group(1)))
    for e in exprs:
        for target in ("parse", "compile_eval", "differential"):
            write(target, e)
    for j in jsons:
        write("json", j)
    print(f"{len(exprs)} expressions, {len(jsons)} JSON documents", file=sys.stderr)


if __name__ == "__main__":
    main()
