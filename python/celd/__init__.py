"""celd: a fast, complete Common Expression Language (CEL) engine with a bounded program cache.

    >>> import celd
    >>> env = celd.Env(variables={"name": "string", "age": "int"})
    >>> program = env.compile("name.startsWith('j') && age >= 18")
    >>> program.evaluate({"name": "jane", "age": 30})
    True
    >>> celd.evaluate("1 + 2")
    3

Values convert both ways exactly (see README's Python section): ``int`` is a CEL ``int``,
:class:`UInt` a ``uint``, ``float`` a ``double``, ``str``, ``bytes``, ``bool``, ``None``
(``null``), ``list``/``tuple``, ``dict``, an aware ``datetime`` a ``timestamp``, a
``timedelta`` a ``duration``, :class:`Optional` an optional, :class:`Type` a type value,
:class:`Message` a protobuf message and :class:`Enum` a typed enum value (an environment
with ``descriptors`` makes them). Anything else is a
``TypeError`` naming where it is (``vars['a'][3]: unsupported type set``).
"""

from ._celd import Enum, Env, Message, Program, ProgramCache, __version__, evaluate, from_json, to_json
from ._errors import (
    CheckError,
    CompileError,
    CompileLimitError,
    EnvError,
    Error,
    EvalError,
    EvalLimitError,
    LimitError,
    ParseError,
)
from ._values import Duration, Optional, Timestamp, Type, UInt

__all__ = [
    "Env",
    "Program",
    "ProgramCache",
    "evaluate",
    "from_json",
    "to_json",
    "Message",
    "Enum",
    "__version__",
    "Error",
    "CompileError",
    "ParseError",
    "CheckError",
    "CompileLimitError",
    "EvalError",
    "EvalLimitError",
    "LimitError",
    "EnvError",
    "UInt",
    "Timestamp",
    "Duration",
    "Optional",
    "Type",
]
