"""The package itself: exports, stubs that match the module, docstrings."""

import ast
import pathlib

import celd
import celd._celd

STUB = pathlib.Path(celd.__file__).with_name("_celd.pyi")


def test_exports():
    for name in celd.__all__:
        assert hasattr(celd, name), name
    assert celd.__version__.count(".") == 2


def test_stubs_match_the_module():
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            runtime = getattr(celd._celd, node.name)
            for member in node.body:
                if isinstance(member, ast.FunctionDef) and not member.name.startswith("__"):
                    assert hasattr(runtime, member.name), f"{node.name}.{member.name}"
        elif isinstance(node, ast.FunctionDef):
            assert hasattr(celd._celd, node.name), node.name


def test_docstrings():
    for item in (celd.Env, celd.Program, celd.ProgramCache, celd.evaluate,
                 celd.Program.evaluate, celd.Env.compile, celd.ProgramCache.compile,
                 celd.Message, celd.Enum, celd.from_json, celd.to_json, celd.Env.message,
                 celd.Env.decode_message, celd.Env.enum_value):
        assert item.__doc__ and len(item.__doc__) > 20, item
