"""CEL signatures from Python type hints, for functions given without one."""

from __future__ import annotations

import datetime
import inspect
import typing
from typing import Any, Callable, List, Tuple

from ._values import Duration, Optional, Timestamp, UInt

__all__ = ["signature", "cel_type"]

_SCALARS = {
    bool: "bool",
    int: "int",
    UInt: "uint",
    float: "double",
    str: "string",
    bytes: "bytes",
    type(None): "null_type",
    datetime.datetime: "google.protobuf.Timestamp",
    Timestamp: "google.protobuf.Timestamp",
    datetime.timedelta: "google.protobuf.Duration",
    Duration: "google.protobuf.Duration",
    Any: "dyn",
    object: "dyn",
}


def cel_type(hint: Any) -> str:
    """The CEL type of a Python type hint: ``int`` is ``int``, ``List[str]`` is
    ``list(string)``, ``Dict[str, float]`` is ``map(string, double)``, ``Any`` is ``dyn``."""
    if hint in _SCALARS:
        return _SCALARS[hint]
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (list, tuple) or origin is typing.List:
        element = args[0] if args and args[0] is not Ellipsis else Any
        return f"list({cel_type(element)})"
    if origin is dict:
        key, value = args if args else (Any, Any)
        return f"map({cel_type(key)}, {cel_type(value)})"
    if hint is list:
        return "list(dyn)"
    if hint is dict:
        return "map(dyn, dyn)"
    if hint is Optional:
        return "optional_type(dyn)"
    raise TypeError(f"no CEL type for the Python type hint {hint!r}; declare the signature")


def signature(function: Callable[..., Any]) -> Tuple[List[str], str]:
    """``(parameter types, result type)`` read from ``function``'s type hints; every
    parameter and the result must be annotated."""
    hints = typing.get_type_hints(function)
    params = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            raise TypeError(f"{function.__name__}: only positional parameters can be CEL arguments")
        if parameter.name not in hints:
            raise TypeError(f"{function.__name__}: parameter {parameter.name!r} has no type hint")
        params.append(cel_type(hints[parameter.name]))
    if "return" not in hints:
        raise TypeError(f"{function.__name__}: no return type hint")
    return params, cel_type(hints["return"])
