//! A strict serde `Deserializer` over a JS value: option objects decode with the engine's own serde
//! derives, exactly as the CLI decodes the same JSON.
//!
//! Why not serde-wasm-bindgen: it reads a struct by asking the JS object for each field the struct
//! knows, so an unknown or misspelt field (`clockMs` for `clock_ms`) is silently ignored and the
//! engine prices a state nobody meant, where the CLI's `deny_unknown_fields` refuses it. Why not
//! `JSON.stringify` + `serde_json`: its parser more than doubled the wasm's deserialisation code
//! (the README has the figures). This one walks the value itself: every own enumerable key of an
//! object is offered to the struct, numbers are integers when they are exact integers (so `u64`
//! fields take `3600000` but refuse `1.5`), `null` and `undefined` are `None`.
//!
//! It never recurses deeper than the target type: unknown fields are refused or skipped without
//! being read, so a cyclic object cannot overflow the stack.

use core::fmt;

use serde::de::value::StringDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// Largest integer a JS number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A decoding failure, worded by serde (`missing field`, `unknown field`, `invalid type`, …).
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }

    // serde's defaults print the offending value with `Debug` (strings) or float formatting, which
    // brings core's escaping tables and float printer into the wasm for one error message: name
    // the kind of value instead.
    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error(format!(
            "invalid type: {}, expected {expected}",
            kind(&unexpected)
        ))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error(format!(
            "invalid value: {}, expected {expected}",
            kind(&unexpected)
        ))
    }
}

/// What a value is, for error messages: named, not printed (the field and the expected type say the
/// rest, and the caller has the value).
fn kind<'a>(unexpected: &de::Unexpected<'a>) -> &'a str {
    use de::Unexpected as U;
    match unexpected {
        U::Unsigned(_) | U::Signed(_) => "an integer",
        U::Bool(_) => "a boolean",
        U::Float(_) => "a number",
        U::Char(_) | U::Str(_) => "a string",
        U::Bytes(_) => "bytes",
        U::Unit | U::Option => "null",
        U::NewtypeStruct | U::NewtypeVariant | U::UnitVariant => "a variant",
        U::Seq | U::TupleVariant => "an array",
        U::Map | U::StructVariant => "an object",
        U::Enum => "an enum",
        U::Other(other) => other,
    }
}

/// Decodes `T` from a JS value.
pub(crate) fn from_value<T: de::DeserializeOwned>(value: JsValue) -> Result<T, Error> {
    T::deserialize(Js(value))
}

struct Js(JsValue);

impl<'de> de::Deserializer<'de> for Js {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Kind::of(self.0) {
            Kind::Unit => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::U64(n) => visitor.visit_u64(n),
            Kind::I64(n) => visitor.visit_i64(n),
            Kind::F64(n) => visitor.visit_f64(n),
            Kind::Str(s) => visitor.visit_string(s),
            Kind::Seq(items) => visitor.visit_seq(Seq { items, next: 0 }),
            Kind::Map(entries) => visitor.visit_map(Map {
                entries,
                next: 0,
                value: None,
            }),
            Kind::Other(t) => Err(de::Error::custom(format_args!(
                "invalid type: {t}, expected {}",
                Expected(&visitor)
            ))),
        }
    }

    // Each typed entry point calls only the visitor method it needs: the derives instantiate this
    // deserializer once per target type, and going through `deserialize_any` would put every
    // `visit_*` (with its error formatting) into every instance.

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_bool() {
            Some(b) => visitor.visit_bool(b),
            None => Err(unexpected(&self.0, "a boolean")),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_f64() {
            Some(n) => visitor.visit_f64(n),
            None => Err(unexpected(&self.0, "a number")),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Kind::of(self.0) {
            Kind::U64(n) => visitor.visit_u64(n),
            other => Err(other.unexpected("a non-negative integer")),
        }
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Kind::of(self.0) {
            Kind::U64(n) => visitor.visit_u64(n),
            Kind::I64(n) => visitor.visit_i64(n),
            other => Err(other.unexpected("an integer")),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_string() {
            Some(s) => visitor.visit_string(s),
            None => Err(unexpected(&self.0, "a string")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Kind::of(self.0) {
            Kind::Seq(items) => visitor.visit_seq(Seq { items, next: 0 }),
            other => Err(other.unexpected("an array")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Kind::of(self.0) {
            Kind::Map(entries) => visitor.visit_map(Map {
                entries,
                next: 0,
                value: None,
            }),
            other => Err(other.unexpected("an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_undefined() || self.0.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants as strings (`"second_half"`); others as a one-key object (`{"state": {...}}`),
    /// as serde_json has them.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if let Some(s) = self.0.as_string() {
            let unit: StringDeserializer<Error> = s.into_deserializer();
            return visitor.visit_enum(unit);
        }
        if self.0.is_object() && !js_sys::Array::is_array(&self.0) {
            let entries = js_sys::Object::entries(self.0.unchecked_ref());
            if entries.length() == 1 {
                let (name, payload) = split(entries.get(0));
                return visitor.visit_enum(Variant { name, payload });
            }
        }
        Err(de::Error::custom(
            "invalid type: expected a variant name or an object with exactly one key",
        ))
    }

    /// Skipped without being read, so nothing unknown is ever walked.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple_struct
    }
}

/// What a JS value is, worked out once and outside the generic code: every target type instantiates
/// the deserializer, so the JS calls live here, not in each instance.
enum Kind {
    Unit,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
    Seq(js_sys::Array),
    /// `Object.entries`.
    Map(js_sys::Array),
    /// `typeof` of anything else (function, symbol, bigint).
    Other(String),
}

impl Kind {
    #[inline(never)]
    fn of(v: JsValue) -> Kind {
        if v.is_undefined() || v.is_null() {
            return Kind::Unit;
        }
        if let Some(b) = v.as_bool() {
            return Kind::Bool(b);
        }
        if let Some(n) = v.as_f64() {
            // Exact integers go as integers so integer fields accept them; -0 stays a float.
            let integer = n.fract() == 0.0
                && n.abs() <= MAX_SAFE_INTEGER
                && !(n == 0.0 && n.is_sign_negative());
            return match integer {
                true if n >= 0.0 => Kind::U64(n as u64),
                true => Kind::I64(n as i64),
                false => Kind::F64(n),
            };
        }
        if let Some(s) = v.as_string() {
            return Kind::Str(s);
        }
        if js_sys::Array::is_array(&v) {
            return Kind::Seq(v.unchecked_into());
        }
        if v.is_object() {
            return Kind::Map(js_sys::Object::entries(v.unchecked_ref()));
        }
        Kind::Other(v.js_typeof().as_string().unwrap_or_default())
    }
}

impl Kind {
    /// The error for a value of this kind where `expected` was wanted.
    #[inline(never)]
    fn unexpected(&self, expected: &str) -> Error {
        let got = match self {
            Kind::Unit => "null",
            Kind::Bool(_) => "a boolean",
            Kind::U64(_) | Kind::I64(_) => "an integer",
            Kind::F64(_) => "a number with a fraction",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "an array",
            Kind::Map(_) => "an object",
            Kind::Other(t) => t,
        };
        Error(format!("invalid type: {got}, expected {expected}"))
    }
}

/// The error for `value` where `expected` was wanted.
#[inline(never)]
fn unexpected(value: &JsValue, expected: &str) -> Error {
    Kind::of(value.clone()).unexpected(expected)
}

#[inline(never)]
fn item(items: &js_sys::Array, at: u32) -> Option<JsValue> {
    (at < items.length()).then(|| items.get(at))
}

/// The visitor's own words for what it expected.
struct Expected<'a, V>(&'a V);

impl<'de, V: Visitor<'de>> fmt::Display for Expected<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
}

struct Seq {
    items: js_sys::Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = item(&self.items, self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(Js(value)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.items.length() - self.next) as usize)
    }
}

struct Map {
    entries: js_sys::Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(entry) = item(&self.entries, self.next) else {
            return Ok(None);
        };
        self.next += 1;
        let (key, value) = split(entry);
        self.value = Some(value);
        seed.deserialize(Js(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self.value.take().unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(Js(value))
    }
}

/// `[key, value]` of an `Object.entries` item.
#[inline(never)]
fn split(entry: JsValue) -> (JsValue, JsValue) {
    let pair: js_sys::Array = entry.unchecked_into();
    (pair.get(0), pair.get(1))
}

struct Variant {
    name: JsValue,
    payload: JsValue,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = Js;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Js), Error> {
        let name = seed.deserialize(Js(self.name))?;
        Ok((name, Js(self.payload)))
    }
}

impl<'de> de::VariantAccess<'de> for Js {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        if self.0.is_undefined() || self.0.is_null() {
            Ok(())
        } else {
            Err(de::Error::custom("invalid type: expected a unit variant"))
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
