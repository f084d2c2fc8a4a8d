"""Python types for CEL values that no built-in type holds exactly.

- :class:`UInt` marks an ``int`` as a CEL ``uint`` (a plain ``int`` is a CEL ``int``).
- :class:`Optional` is a CEL optional (``optional.of(x)``, ``optional.none()``).
- :class:`Type` is a CEL type value (``type(1)`` is ``celd.Type("int")``), a ``str``.
- :class:`Timestamp` and :class:`Duration` are a ``datetime`` and a ``timedelta`` with the
  nanoseconds CEL keeps and Python's types do not. celd returns them only for values with
  sub-microsecond digits; every other timestamp is a plain aware ``datetime`` in UTC and
  every other duration a plain ``timedelta``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Tuple

__all__ = ["UInt", "Timestamp", "Duration", "Optional", "Type"]

_UINT_END = 1 << 64


class UInt(int):
    """A CEL ``uint``: an ``int`` from 0 to 2**64 - 1 that celd passes as ``uint``.

    ``celd.UInt(3)`` is ``3u`` in CEL, and every ``uint`` celd returns is a ``UInt``. It is an
    ``int`` in every other way: ``UInt(3) == 3``, and arithmetic in Python gives plain ``int``
    (wrap the result again to pass it as a ``uint``).
    """

    __slots__ = ()

    def __new__(cls, value: Any = 0) -> "UInt":
        number = int.__new__(cls, value)
        if not 0 <= number < _UINT_END:
            raise OverflowError(f"{int(number)} is out of range for a CEL uint (0 to 2**64 - 1)")
        return number

    def __repr__(self) -> str:
        return f"celd.UInt({int(self)})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (UInt, (int(self),))


class Timestamp(_dt.datetime):
    """An aware ``datetime`` plus ``nanosecond`` (0 to 999, beyond ``microsecond``).

    celd returns one for a CEL timestamp whose nanoseconds a ``datetime`` cannot hold, and
    reads it back exactly. Comparisons and hashing take the nanoseconds into account.
    """

    __slots__ = ("nanosecond",)
    nanosecond: int

    def __new__(cls, *args: Any, nanosecond: int = 0, **kwargs: Any) -> "Timestamp":
        if not 0 <= nanosecond <= 999:
            raise ValueError("nanosecond must be in 0..999 (beyond microsecond)")
        self = super().__new__(cls, *args, **kwargs)
        self.nanosecond = nanosecond
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _dt.datetime):
            return NotImplemented
        return _dt.datetime.__eq__(self, other) and self.nanosecond == getattr(other, "nanosecond", 0)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __lt__(self, other: _dt.datetime) -> bool:
        return _compare(self, other) < 0

    def __le__(self, other: _dt.datetime) -> bool:
        return _compare(self, other) <= 0

    def __gt__(self, other: _dt.datetime) -> bool:
        return _compare(self, other) > 0

    def __ge__(self, other: _dt.datetime) -> bool:
        return _compare(self, other) >= 0

    def __hash__(self) -> int:
        return hash((_dt.datetime.__hash__(self), self.nanosecond))

    def __repr__(self) -> str:
        return f"celd.Timestamp({_dt.datetime.__repr__(self).split('(', 1)[1][:-1]}, nanosecond={self.nanosecond})"

    def __reduce__(self) -> Tuple[Any, ...]:
        fields = (self.year, self.month, self.day, self.hour, self.minute, self.second, self.microsecond, self.tzinfo)
        return (_timestamp, (fields, self.nanosecond))


def _timestamp(fields: Tuple[Any, ...], nanosecond: int) -> Timestamp:
    return Timestamp(*fields, nanosecond=nanosecond)


def _compare(a: _dt.datetime, b: _dt.datetime) -> int:
    if _dt.datetime.__eq__(a, b):
        na, nb = getattr(a, "nanosecond", 0), getattr(b, "nanosecond", 0)
        return (na > nb) - (na < nb)
    return 1 if _dt.datetime.__gt__(a, b) else -1


class Duration(_dt.timedelta):
    """A ``timedelta`` plus ``nanoseconds`` (0 to 999, added to ``microseconds``).

    celd returns one for a CEL duration whose nanoseconds a ``timedelta`` cannot hold, and
    reads it back exactly: the duration is ``timedelta + nanoseconds``.
    """

    __slots__ = ("nanoseconds",)
    nanoseconds: int

    def __new__(cls, *args: Any, nanoseconds: int = 0, **kwargs: Any) -> "Duration":
        if not 0 <= nanoseconds <= 999:
            raise ValueError("nanoseconds must be in 0..999 (beyond microseconds)")
        self = super().__new__(cls, *args, **kwargs)
        self.nanoseconds = nanoseconds
        return self

    def total_nanoseconds(self) -> int:
        """The whole duration in nanoseconds, exactly."""
        return ((self.days * 86400 + self.seconds) * 1_000_000 + self.microseconds) * 1000 + self.nanoseconds

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _dt.timedelta):
            return NotImplemented
        return _nanos(self) == _nanos(other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __lt__(self, other: _dt.timedelta) -> bool:
        return _nanos(self) < _nanos(other)

    def __le__(self, other: _dt.timedelta) -> bool:
        return _nanos(self) <= _nanos(other)

    def __gt__(self, other: _dt.timedelta) -> bool:
        return _nanos(self) > _nanos(other)

    def __ge__(self, other: _dt.timedelta) -> bool:
        return _nanos(self) >= _nanos(other)

    def __hash__(self) -> int:
        return hash(_nanos(self)) if self.nanoseconds else _dt.timedelta.__hash__(self)

    def __repr__(self) -> str:
        return f"celd.Duration({_dt.timedelta.__repr__(self).split('(', 1)[1][:-1]}, nanoseconds={self.nanoseconds})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_duration, (self.days, self.seconds, self.microseconds, self.nanoseconds))


def _duration(days: int, seconds: int, microseconds: int, nanoseconds: int) -> Duration:
    return Duration(days, seconds, microseconds, nanoseconds=nanoseconds)


def _nanos(delta: _dt.timedelta) -> int:
    whole = ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1000
    return whole + getattr(delta, "nanoseconds", 0)


_NONE = object()


class Optional:
    """A CEL optional value: ``Optional(x)`` is ``optional.of(x)``, ``Optional.none()`` is
    ``optional.none()``. (``None`` itself is CEL ``null``.)"""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    @classmethod
    def none(cls) -> "Optional":
        """The empty optional."""
        empty = cls.__new__(cls)
        empty._value = _NONE
        return empty

    def has_value(self) -> bool:
        return self._value is not _NONE

    def value(self) -> Any:
        """The value; ``ValueError`` for the empty optional."""
        if self._value is _NONE:
            raise ValueError("optional.none() has no value")
        return self._value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Optional):
            return NotImplemented
        return self._value is other._value or (
            self._value is not _NONE and other._value is not _NONE and self._value == other._value
        )

    def __hash__(self) -> int:
        return hash(("celd.Optional", None if self._value is _NONE else self._value))

    def __repr__(self) -> str:
        return "celd.Optional.none()" if self._value is _NONE else f"celd.Optional({self._value!r})"


class Type(str):
    """A CEL type as a value (``type(1)`` evaluates to ``celd.Type("int")``): the type's
    name, as a ``str``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"celd.Type({str.__repr__(self)})"
