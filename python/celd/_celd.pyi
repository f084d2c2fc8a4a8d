"""Type stubs of the extension module (re-exported by ``celd``)."""

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__version__: str

FunctionSpec = Union[Callable[..., Any], Tuple[Callable[..., Any], Sequence[str], str]]

class Env:
    """A CEL environment: the variables, functions and extensions expressions may use.

    ``variables`` maps names to CEL type text (``"int"``, ``"list(string)"``,
    ``"map(string, dyn)"``). ``extensions`` is ``"all"``, one name or a list of names
    (``strings``, ``math``, ``lists``, ``sets``, ``encoders``, ``optional``, ``bindings``,
    ``block``, ``two_var_comprehensions``, ``regex``, ``network``, ``protos``).
    ``functions`` and ``methods`` map names to a callable with type hints, or to
    ``(callable, [parameter types], result type)``; a method's receiver is its first
    parameter. Limits: ``max_cost`` (cost units per evaluation, default 1,000,000),
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
        max_cost: Optional[int] = None,
        max_string_bytes: Optional[int] = None,
        max_list_len: Optional[int] = None,
        max_map_len: Optional[int] = None,
        max_expression_length: Optional[int] = None,
        max_nesting_depth: Optional[int] = None,
    ) -> None: ...
    def compile(self, expression: str) -> Program:
        """Parses, type-checks and plans; raises ``celd.CompileError``."""
    def check(self, expression: str) -> str:
        """The expression's CEL result type; raises ``celd.CompileError``."""
    @property
    def variables(self) -> List[Tuple[str, str]]: ...
    @property
    def extensions(self) -> List[str]: ...
    @property
    def container(self) -> str: ...

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
