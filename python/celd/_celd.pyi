"""Type stubs of the extension module (re-exported by ``celd``)."""

import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__version__: str

OverloadSpec = Union[Callable[..., Any], Tuple[Optional[Callable[..., Any]], Sequence[str], str]]
FunctionSpec = Union[OverloadSpec, List[OverloadSpec]]

class Env:
    """A CEL environment: the variables, functions and extensions expressions may use.

    ``variables`` maps names to CEL type text (``"int"``, ``"list(string)"``,
    ``"map(string, dyn)"``). ``extensions`` is ``"all"``, one name or a list of names
    (``strings``, ``math``, ``lists``, ``sets``, ``encoders``, ``optional``, ``bindings``,
    ``block``, ``two_var_comprehensions``, ``regex``, ``network``, ``protos``).
    ``functions`` and ``methods`` map names to a callable with type hints, or to
    ``(callable, [parameter types], result type)``, or to a list of those (one per
    overload); a method's receiver is its first parameter. A ``None`` callable declares the
    overload for type-checking only: calling it fails at evaluation. In these signatures a
    single upper-case letter is a type parameter (``list(T)``) and a parameterized name the
    environment does not know is an abstract type (``pair(T, U)``).
    ``descriptors`` (a serialized ``google.protobuf.FileDescriptorSet``, as ``bytes`` or the
    path of a file: ``protoc --include_imports --descriptor_set_out``) adds its message and
    enum types; their values are :class:`Message` and, with ``strong_enums=True``,
    :class:`Enum` (else enums are ``int``). ``macros=False`` parses ``has``, ``all``,
    ``map``, ... as plain calls. ``validate_literals=False`` leaves literals that can never
    be valid (``duration('1 hour')``, a bad ``matches`` pattern) to fail at evaluation
    instead of at compile time. Limits: ``max_cost`` (cost units per evaluation, default 1,000,000),
    ``max_string_bytes`` (8 MiB), ``max_list_len`` and ``max_map_len`` (1,000,000),
    ``max_expression_length`` (100,000 code points), ``max_nesting_depth`` (250).
    Raises ``celd.EnvError`` for a bad declaration.
    """

    def __init__(
        self,
        variables: Optional[Mapping[str, str]] = None,
        *,
        extensions: Union[None, str, Sequence[str]] = None,
        container: Optional[str] = None,
        functions: Optional[Mapping[str, FunctionSpec]] = None,
        methods: Optional[Mapping[str, FunctionSpec]] = None,
        descriptors: Union[None, bytes, str, os.PathLike] = None,
        macros: bool = True,
        strong_enums: bool = False,
        validate_literals: bool = True,
        max_cost: Optional[int] = None,
        max_string_bytes: Optional[int] = None,
        max_list_len: Optional[int] = None,
        max_map_len: Optional[int] = None,
        max_expression_length: Optional[int] = None,
        max_nesting_depth: Optional[int] = None,
    ) -> None: ...
    def compile(self, expression: str, *, check: bool = True) -> Program:
        """Parses, type-checks and plans; raises ``celd.CompileError``. ``check=False``
        skips type-checking: names and overloads resolve at evaluation, the result type is
        ``dyn``."""
    def check(self, expression: str) -> str:
        """The expression's CEL result type; raises ``celd.CompileError``."""
    @property
    def variables(self) -> List[Tuple[str, str]]: ...
    @property
    def extensions(self) -> List[str]: ...
    @property
    def container(self) -> str: ...
    @property
    def strong_enums(self) -> bool: ...
    def message(self, type_name: str, fields: Optional[Mapping[str, Any]] = None) -> Message:
        """A message of ``type_name`` (a full name) from the descriptors, its fields set from
        Python values as CEL sets them in ``pkg.Msg{field: value}`` (an extension by its full
        name). ``KeyError`` for an unknown field, ``ValueError`` for a value that does not fit."""
    def decode_message(self, type_name: str, data: bytes) -> Message:
        """The message of ``type_name`` in ``data``, the protobuf binary encoding."""
    def enum_value(self, type_name: str, value: Union[int, str]) -> Enum:
        """A typed value of enum ``type_name``, from its number or its name (``"RED"``)."""

class Message:
    """A protobuf message value, exactly as celd holds it (with its descriptor). Evaluation
    returns one for a message; pass one as a variable of a message type. Not hashable."""

    @property
    def type_name(self) -> str:
        """The message type's full name (``"pkg.Order"``)."""
    @property
    def fields(self) -> Dict[str, Any]:
        """The fields that are set (and extensions, by full name), converted as CEL reads
        them: wrappers as their value, ``Any`` unpacked, enums as ``int`` or :class:`Enum`."""
    def __getitem__(self, name: str) -> Any:
        """A field's value as CEL reads it, its default when unset; ``KeyError`` for a name
        that is neither a field nor a set extension."""
    def __contains__(self, name: str) -> bool:
        """Whether the field is set (CEL's ``has(m.field)``)."""
    def __eq__(self, other: object) -> bool:
        """CEL equality: the same type and equal fields (NaN fields unequal)."""
    def to_bytes(self) -> bytes:
        """The protobuf binary encoding."""

class Enum:
    """A typed protobuf enum value (an environment with ``strong_enums=True``). Equal to an
    ``Enum`` of the same type and number, never to an ``int``; hashable."""

    @property
    def type_name(self) -> str: ...
    @property
    def value(self) -> int: ...
    @property
    def name(self) -> Optional[str]:
        """The value's name, or ``None`` for a number the enum does not name."""
    def __int__(self) -> int: ...

class Program:
    """A compiled expression; immutable, safe to evaluate from many threads."""

    def evaluate(
        self, variables: Optional[Mapping[str, Any]] = None, *, timeout: Optional[float] = None
    ) -> Any:
        """Evaluates (the GIL released unless the program is cheap for any input), converting
        only the variables it reads; raises ``celd.EvalError``, ``celd.EvalLimitError``
        or ``TypeError`` for a value with no CEL form."""
    @property
    def result_type(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def variables(self) -> List[str]: ...
    def dump(self) -> str:
        """The evaluation plan, one node a line."""
    def estimate_cost(
        self, size_hints: Optional[Mapping[str, int]] = None, *, default_size: Optional[int] = None
    ) -> Tuple[int, Optional[int]]:
        """``(min, max)`` cost of one evaluation; ``max`` is ``None`` when unbounded."""

class ProgramCache:
    """A byte-bounded cache of compiled programs (``x + 1`` and ``x + 2`` share one)."""

    def __init__(self, max_bytes: int = 67108864) -> None: ...
    def compile(self, env: Env, expression: str, *, origin: Optional[str] = None) -> Program: ...
    def stats(self) -> Dict[str, int]: ...
    def programs(self) -> List[Dict[str, Any]]: ...
    def clear(self) -> None: ...

def evaluate(
    expression: str, variables: Optional[Mapping[str, Any]] = None, *, timeout: Optional[float] = None
) -> Any:
    """Evaluates once, variables declared ``dyn``, every extension enabled, through a
    module-level program cache (16 MiB)."""

def from_json(text: Union[str, bytes], *, env: Optional[Env] = None) -> Any:
    """Reads celd JSON (the encoding of the ``celd`` CLI and HTTP API: ``{"$uint": "3"}``,
    ``{"$bytes": "AAE="}``, ``{"$message": "pkg.Msg", "value": {...}}``) into a Python value;
    messages and enums need ``env``'s descriptors. ``ValueError`` for text that is not celd
    JSON."""

def to_json(value: Any) -> str:
    """Writes a Python value as celd JSON text; ``from_json`` reads it back exactly."""
