"""Value conversion both ways: exact, and a TypeError naming the path for the rest."""

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import celd

UTC = dt.timezone.utc
ENV = celd.Env(variables={"v": "dyn"}, extensions="all")
IDENTITY = ENV.compile("v")


def roundtrip(value):
    return IDENTITY.evaluate({"v": value})


def test_scalars():
    assert roundtrip(None) is None
    assert roundtrip(True) is True
    assert roundtrip(3) == 3 and type(roundtrip(3)) is int
    assert roundtrip(2.5) == 2.5 and type(roundtrip(2.5)) is float
    assert roundtrip("é") == "é"
    assert roundtrip(b"\x00\xff") == b"\x00\xff"
    assert roundtrip(bytearray(b"ab")) == b"ab"


def test_int_and_uint_are_different_cel_types():
    assert ENV.compile("type(v) == int").evaluate({"v": 3}) is True
    assert ENV.compile("type(v) == uint").evaluate({"v": celd.UInt(3)}) is True
    assert ENV.compile("type(v) == bool").evaluate({"v": True}) is True
    result = celd.evaluate("3u + 4u")
    assert isinstance(result, celd.UInt) and result == 7
    assert repr(result) == "celd.UInt(7)"


def test_int_out_of_range():
    with pytest.raises(OverflowError, match=r"vars\['v'\]: out of range for a CEL int"):
        roundtrip(2**63)
    with pytest.raises(OverflowError, match="uint"):
        celd.UInt(-1)
    assert roundtrip(celd.UInt(2**64 - 1)) == 2**64 - 1


def test_lists_tuples_dicts():
    assert roundtrip([1, "a", [None]]) == [1, "a", [None]]
    assert roundtrip((1, 2)) == [1, 2]
    assert roundtrip({"a": {"b": [1.5]}, 1: True}) == {"a": {"b": [1.5]}, 1: True}
    assert ENV.compile("v[true]").evaluate({"v": {True: "yes"}}) == "yes"


def test_unsupported_type_names_the_path():
    with pytest.raises(TypeError, match=r"^vars\['a'\]\[3\]: unsupported type set$"):
        celd.Env(variables={"a": "dyn"}).compile("a").evaluate({"a": [0, 1, 2, {1}]})
    with pytest.raises(TypeError, match=r"vars\['v'\]\['k'\]\[0\]: unsupported type object"):
        roundtrip({"k": [object()]})
    with pytest.raises(TypeError, match=r"map key: unsupported type float"):
        roundtrip({1.5: 1})


def test_cycles_and_depth_are_errors():
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="nested deeper than 100"):
        roundtrip(cyclic)
    nested = [1]
    for _ in range(99):
        nested = [nested]
    assert roundtrip(nested) == nested


def test_timestamps():
    moment = dt.datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
    assert roundtrip(moment) == moment
    assert roundtrip(moment).tzinfo == UTC
    paris = dt.timezone(dt.timedelta(hours=2))
    local = dt.datetime(2024, 5, 1, 14, 30, 15, tzinfo=paris)
    assert ENV.compile("v == timestamp('2024-05-01T12:30:15Z')").evaluate({"v": local}) is True
    assert celd.evaluate("timestamp('2024-05-01T12:30:15Z')") == dt.datetime(
        2024, 5, 1, 12, 30, 15, tzinfo=UTC
    )


def test_naive_datetime_is_an_error():
    with pytest.raises(ValueError, match=r"vars\['v'\]: naive datetime"):
        roundtrip(dt.datetime(2024, 1, 1))


def test_nanoseconds_are_kept():
    stamp = celd.evaluate("timestamp('2024-01-01T00:00:00.123456789Z')")
    assert isinstance(stamp, celd.Timestamp)
    assert stamp.microsecond == 123456 and stamp.nanosecond == 789
    assert roundtrip(stamp) == stamp
    span = celd.evaluate("duration('1.000000001s')")
    assert isinstance(span, celd.Duration) and span.total_nanoseconds() == 1_000_000_001
    assert roundtrip(span) == span


def test_durations():
    assert celd.evaluate("duration('90m')") == dt.timedelta(minutes=90)
    assert celd.evaluate("duration('-1.5s')") == dt.timedelta(seconds=-1.5)
    assert ENV.compile("v == duration('3s')").evaluate({"v": dt.timedelta(seconds=3)}) is True
    with pytest.raises(OverflowError, match="duration"):
        roundtrip(dt.timedelta(days=999999))


def test_optionals():
    assert celd.evaluate("optional.of(1)") == celd.Optional(1)
    assert celd.evaluate("optional.none()") == celd.Optional.none()
    assert not celd.evaluate("optional.none()").has_value()
    assert ENV.compile("v.orValue(5)").evaluate({"v": celd.Optional.none()}) == 5
    assert ENV.compile("v.value()").evaluate({"v": celd.Optional("x")}) == "x"


def test_type_values():
    result = celd.evaluate("type(1)")
    assert isinstance(result, celd.Type) and result == "int"


def test_results_with_no_python_form():
    with pytest.raises(TypeError, match=r"result: a CEL net.IP value has no Python form"):
        celd.evaluate("ip('10.0.0.1')")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=0, max_value=2**64 - 1).map(celd.UInt),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.datetimes(
        min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.just(UTC),
    ),
    st.timedeltas(min_value=dt.timedelta(days=-100000), max_value=dt.timedelta(days=100000)),
)
keys = st.one_of(st.text(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=4),
        inner.map(celd.Optional),
    ),
    max_leaves=12,
)


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return isinstance(b, dict) and len(a) == len(b) and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, celd.Optional):
        return a.has_value() == b.has_value() and (not a.has_value() or same(a.value(), b.value()))
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(values)
def test_roundtrip_is_exact(value):
    # bool and int keys collide in Python dicts (True == 1) exactly as in CEL maps.
    assert same(roundtrip(value), value)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_int_arithmetic_matches_python(a, b):
    program = celd.Env(variables={"a": "int", "b": "int"}).compile("a + b")
    if -(2**63) <= a + b < 2**63:
        assert program.evaluate({"a": a, "b": b}) == a + b
    else:
        with pytest.raises(celd.EvalError, match="overflow"):
            program.evaluate({"a": a, "b": b})
