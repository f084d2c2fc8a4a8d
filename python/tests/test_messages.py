"""Message types from a descriptor set, celd.Message, celd.Enum, celd.Type values, the
compile and environment options the conformance suite needs, and celd JSON."""

import datetime as dt
import math

import pytest

import celd

# --- A FileDescriptorSet for `shop.proto`, encoded here (no protobuf package needed) ---------
#
#   syntax = "proto2"; package shop;
#   enum Color { RED = 0; GREEN = 1; BLUE = 2; }
#   message Item { optional string sku = 1; }
#   message Order {
#     optional string id = 1; optional int64 qty = 2; optional uint64 total = 3;
#     optional double price = 4; optional bytes tag = 5; optional Color color = 6;
#     repeated string notes = 7; optional Item item = 8; optional bool paid = 9;
#   }


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


OPTIONAL, REPEATED = 1, 3
TYPES = {"double": 1, "int64": 3, "uint64": 4, "bool": 8, "string": 9, "message": 11, "bytes": 12, "enum": 14}


def _field_proto(name: str, number: int, kind: str, label: int = OPTIONAL, type_name: str = "") -> bytes:
    out = _field(1, name) + _field(3, number) + _field(4, label) + _field(5, TYPES[kind])
    return out + (_field(6, type_name) if type_name else b"")


def _shop_descriptor_set() -> bytes:
    color = _field(1, "Color") + b"".join(
        _field(2, _field(1, name) + _field(2, number)) for name, number in [("RED", 0), ("GREEN", 1), ("BLUE", 2)]
    )
    item = _field(1, "Item") + _field(2, _field_proto("sku", 1, "string"))
    order_fields = [
        _field_proto("id", 1, "string"),
        _field_proto("qty", 2, "int64"),
        _field_proto("total", 3, "uint64"),
        _field_proto("price", 4, "double"),
        _field_proto("tag", 5, "bytes"),
        _field_proto("color", 6, "enum", type_name=".shop.Color"),
        _field_proto("notes", 7, "string", label=REPEATED),
        _field_proto("item", 8, "message", type_name=".shop.Item"),
        _field_proto("paid", 9, "bool"),
    ]
    order = _field(1, "Order") + b"".join(_field(2, f) for f in order_fields)
    file = _field(1, "shop.proto") + _field(2, "shop") + _field(4, item) + _field(4, order) + _field(5, color)
    return _field(1, file)


SHOP = _shop_descriptor_set()


def shop_env(**options) -> celd.Env:
    return celd.Env(descriptors=SHOP, container="shop", **options)


# --- Descriptors ------------------------------------------------------------------------------


def test_descriptors_from_bytes_or_a_path(tmp_path):
    path = tmp_path / "shop.binpb"
    path.write_bytes(SHOP)
    for descriptors in (SHOP, path, str(path)):
        env = celd.Env({"o": "shop.Order"}, descriptors=descriptors)
        assert env.compile("o.qty").result_type == "int"


def test_bad_descriptors_are_env_errors(tmp_path):
    with pytest.raises(celd.EnvError, match="not a FileDescriptorSet"):
        celd.Env(descriptors=b"\xff\xff\xff")
    with pytest.raises(celd.EnvError, match="missing.binpb"):
        celd.Env(descriptors=tmp_path / "missing.binpb")
    with pytest.raises(celd.EnvError, match="unknown message type 'shop.Order'"):
        celd.Env({"o": "shop.Order"})


# --- Messages ---------------------------------------------------------------------------------


def test_messages_built_in_cel_come_back_as_celd_message():
    env = shop_env()
    order = env.compile("Order{id: 'a', qty: 2, total: 3u, tag: b'\\x00', notes: ['n'], item: Item{sku: 's'}}").evaluate()
    assert isinstance(order, celd.Message)
    assert order.type_name == "shop.Order"
    fields = order.fields
    assert fields["id"] == "a" and fields["qty"] == 2 and fields["notes"] == ["n"]
    assert type(fields["total"]) is celd.UInt and fields["tag"] == b"\x00"
    assert fields["item"] == env.message("shop.Item", {"sku": "s"})
    assert set(fields) == {"id", "qty", "total", "tag", "notes", "item"}
    assert "id" in order and "paid" not in order
    assert order["paid"] is False  # unset: its default, as CEL reads it
    with pytest.raises(KeyError):
        order["nope"]
    assert "Order" in repr(order)


def test_messages_from_python_are_variables():
    env = shop_env(variables={"o": "shop.Order"})
    order = env.message("shop.Order", {"qty": 4, "price": 2.5, "color": 2})
    assert env.compile("o.qty * 2").evaluate({"o": order}) == 8
    assert env.compile("has(o.price) && !has(o.id) && o.color == Color.BLUE").evaluate({"o": order}) is True
    assert env.compile("o").evaluate({"o": order}) == order


def test_message_equality_is_cel_equality():
    env = shop_env()
    a = env.message("shop.Order", {"id": "x", "qty": 1})
    assert a == env.message("shop.Order", {"qty": 1, "id": "x"})
    assert a != env.message("shop.Order", {"id": "x"})
    assert a != env.message("shop.Item", {})
    assert a != "x"
    with pytest.raises(TypeError):
        hash(a)  # CEL equality (Any unpacked, NaN unequal) has no hash to match it
    nan = env.message("shop.Order", {"price": math.nan})
    assert nan != env.message("shop.Order", {"price": math.nan})


def test_messages_encode_and_decode():
    env = shop_env()
    order = env.message("shop.Order", {"id": "x", "notes": ["a", "b"]})
    data = order.to_bytes()
    assert isinstance(data, bytes)
    assert env.decode_message("shop.Order", data) == order
    with pytest.raises(ValueError, match="not a shop.Order"):
        env.decode_message("shop.Order", b"\xff")


def test_bad_message_fields_say_which():
    env = shop_env()
    with pytest.raises(KeyError, match="no field or extension 'nope'"):
        env.message("shop.Order", {"nope": 1})
    with pytest.raises(ValueError, match=r"fields\['qty'\]"):
        env.message("shop.Order", {"qty": "one"})
    with pytest.raises(ValueError, match="uint64 cannot hold a value of type int"):
        env.message("shop.Order", {"total": 5})  # as in CEL: `Order{total: 5}` needs 5u
    with pytest.raises(ValueError, match="unknown message type"):
        env.message("shop.Nope")


# --- Enums ------------------------------------------------------------------------------------


def test_strong_enums_are_celd_enum():
    env = shop_env(strong_enums=True, variables={"c": "shop.Color"})
    assert env.strong_enums
    green = env.compile("Color.GREEN").evaluate()
    assert isinstance(green, celd.Enum)
    assert (green.type_name, green.value, green.name, int(green)) == ("shop.Color", 1, "GREEN", 1)
    assert green == env.enum_value("shop.Color", "GREEN") == env.enum_value("shop.Color", 1)
    assert green != 1 and hash(green) == hash(env.enum_value("shop.Color", 1))
    assert env.enum_value("shop.Color", 7).name is None
    assert env.compile("c == Color.BLUE").evaluate({"c": env.enum_value("shop.Color", "BLUE")}) is True
    with pytest.raises(ValueError, match="PURPLE"):
        env.enum_value("shop.Color", "PURPLE")


def test_legacy_enums_are_ints():
    env = shop_env()
    assert not env.strong_enums
    assert type(env.compile("Color.GREEN").evaluate()) is int


# --- Type values ------------------------------------------------------------------------------


def test_type_values_convert_both_ways():
    assert celd.evaluate("type(1)") == celd.Type("int")
    env = celd.Env({"t": "type"})
    assert env.compile("t == int").evaluate({"t": celd.Type("int")}) is True
    assert env.compile("t").evaluate({"t": celd.Type("string")}) == celd.Type("string")
    assert type(celd.evaluate("x", {"x": "int"})) is str


# --- Compile and environment options ----------------------------------------------------------


def test_compile_without_checking():
    env = celd.Env()
    with pytest.raises(celd.CheckError):
        env.compile("x + 1")
    program = env.compile("x + 1", check=False)
    assert program.result_type == "dyn"
    assert program.evaluate({"x": 2}) == 3


def test_macros_off():
    assert celd.Env().compile("[1].all(x, x > 0)").evaluate() is True
    with pytest.raises(celd.CompileError):
        celd.Env(macros=False).compile("[1].all(x, x > 0)")


def test_literal_validation_off_leaves_the_error_to_evaluation():
    with pytest.raises(celd.CheckError):
        celd.Env().compile("duration('1 hour')")
    program = celd.Env(validate_literals=False).compile("duration('1 hour')")
    with pytest.raises(celd.EvalError):
        program.evaluate()


def test_declared_functions_without_an_implementation():
    env = celd.Env(
        functions={
            "f": [(None, ["int"], "int"), (None, ["string"], "string")],
            "pair": (None, ["T", "U"], "pair(T, U)"),
        },
        methods={"twice": (None, ["list(T)"], "list(T)")},
    )
    assert env.check("f(1)") == "int"
    assert env.check("f('a')") == "string"
    assert env.check("pair(1, 'a')") == "pair(int, string)"
    assert env.check("[1u].twice()") == "list(uint)"
    with pytest.raises(celd.CheckError):
        env.check("f(1.0)")
    with pytest.raises(celd.EvalError):
        env.compile("f(1)").evaluate()


# --- celd JSON --------------------------------------------------------------------------------


def test_celd_json_round_trips_exactly():
    values = [
        celd.UInt(2**64 - 1),
        2**63 - 1,
        b"\x00\xff",
        -0.0,
        1.3799999999999998e-23,
        celd.Timestamp(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc, nanosecond=7),
        celd.Duration(seconds=-1, microseconds=2, nanoseconds=3),
        celd.Optional.none(),
        celd.Optional(celd.UInt(1)),
        {1: "a", "b": [None, True]},
        celd.Type("int"),
    ]
    for value in values:
        back = celd.from_json(celd.to_json(value))
        assert back == value and type(back) is type(value), value
    assert math.copysign(1.0, celd.from_json(celd.to_json(-0.0))) == -1.0
    assert math.isnan(celd.from_json(celd.to_json(math.nan)))


def test_celd_json_text():
    assert celd.to_json(celd.UInt(3)) == '{"$uint":"3"}'
    assert celd.to_json({"a": b"\x00\x01"}) == '{"a":{"$bytes":"AAE="}}'
    assert celd.from_json(b'{"$duration": "1.5s"}') == dt.timedelta(seconds=1.5)
    with pytest.raises(ValueError, match="unknown tag"):
        celd.from_json('{"$nope": 1}')
    with pytest.raises(TypeError):
        celd.from_json(1)


def test_celd_json_messages_need_the_environment():
    env = shop_env()
    order = env.message("shop.Order", {"id": "x", "total": celd.UInt(5)})
    text = celd.to_json(order)
    assert text.startswith('{"$message":"shop.Order"')
    assert celd.from_json(text, env=env) == order
    with pytest.raises(ValueError, match="descriptor"):
        celd.from_json(text)
