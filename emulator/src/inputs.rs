//! Reads a request's inputs where the spec says they travel and checks them against the spec's
//! limits, naming the kind of fault so the reply can carry the code the spec gives for it.

use std::collections::HashMap;

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Map, Value};
use wxcv::rt::{EndpointInfo, InputInfo, InputKind, Limits, Loc, ValueType};

/// One multipart field.
#[derive(Debug, Clone)]
pub struct FormField {
    pub data: Bytes,
}

/// Everything a request carried.
#[derive(Debug, Default)]
pub struct Raw {
    pub query: Vec<(String, String)>,
    pub form: HashMap<String, FormField>,
    pub json: Option<Map<String, Value>>,
    /// The JSON inputs travel in the query (Tencent Cloud's GET): each read from the query
    /// parameter of its wire name, as text.
    pub json_in_query: bool,
}

impl Raw {
    fn get(&self, loc: Loc, wire: &str) -> Option<Carried> {
        match loc {
            Loc::Query => self.query.iter().find(|(k, _)| k == wire).map(|(_, v)| Carried::Text(v.clone())),
            Loc::Multipart => self.form.get(wire).map(|f| Carried::Bytes(f.data.clone())),
            Loc::Json if self.json_in_query => self.query.iter().find(|(k, _)| k == wire).map(|(_, v)| Carried::Text(v.clone())),
            Loc::Json => self.json.as_ref().and_then(|j| j.get(wire)).filter(|v| !v.is_null()).map(|v| Carried::Json(v.clone())),
        }
    }
}

enum Carried {
    Text(String),
    Bytes(Bytes),
    Json(Value),
}

/// An image input as received.
#[derive(Debug, Clone)]
pub enum ImageArg {
    Url(String),
    Data(Bytes),
}

/// Checked inputs, by the spec's input name.
#[derive(Debug, Default)]
pub struct Inputs {
    pub values: HashMap<&'static str, Value>,
    pub images: HashMap<&'static str, ImageArg>,
}

impl Inputs {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(|v| v.as_str())
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.values.get(name).and_then(|v| v.as_i64())
    }
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.values.get(name).and_then(|v| v.as_bool())
    }
    /// The first image input.
    pub fn image(&self) -> Option<(&'static str, &ImageArg)> {
        self.images.iter().next().map(|(k, v)| (*k, v))
    }
}

/// An input at fault: which one, the kind of fault (a key of the spec's `invalid:` maps) and why.
#[derive(Debug, Clone)]
pub struct InputFault {
    pub input: &'static InputInfo,
    pub kind: &'static str,
    pub message: String,
}

impl InputFault {
    pub fn new(input: &'static InputInfo, kind: &'static str, message: impl Into<String>) -> Self {
        InputFault { input, kind, message: message.into() }
    }
}

/// Reads and checks every input of `ep`.
pub fn read(ep: &'static EndpointInfo, raw: &Raw) -> Result<Inputs, InputFault> {
    let mut out = Inputs::default();
    for input in ep.inputs {
        match &input.kind {
            InputKind::Const { loc, wire, value } => match raw.get(*loc, wire) {
                None => return Err(InputFault::new(input, "missing", format!("{wire} is missing"))),
                Some(c) => {
                    let got = carried_text(&c);
                    if got.as_deref() != Some(*value) {
                        return Err(InputFault::new(input, "default", format!("{wire} must be {value}")));
                    }
                }
            },
            InputKind::Value { loc, wire, ty, comma, .. } => {
                let Some(c) = raw.get(*loc, wire) else {
                    if input.required {
                        return Err(InputFault::new(input, "missing", format!("{wire} is missing")));
                    }
                    continue;
                };
                let v = match c {
                    Carried::Json(v) => check_json_type(input, wire, ty, v)?,
                    other => {
                        let text = carried_text(&other).ok_or_else(|| InputFault::new(input, "type", format!("{wire} is not UTF-8 text")))?;
                        parse_text(input, wire, ty, *comma, &text)?
                    }
                };
                check_limits(input, wire, &v, &input.limits)?;
                out.values.insert(input.name, v);
            }
            InputKind::Image(w) => {
                let url = raw.get(w.url.0, w.url.1);
                let data = raw.get(w.data.0, w.data.1);
                // Tencent Cloud: when both are given, only the URL is used.
                let arg = match (url, data) {
                    (Some(u), _) => {
                        let u = carried_text(&u).unwrap_or_default();
                        if !(u.starts_with("http://") || u.starts_with("https://")) {
                            return Err(InputFault::new(input, "url", format!("{} is not an http(s) URL", w.url.1)));
                        }
                        ImageArg::Url(u)
                    }
                    (None, Some(d)) => {
                        let bytes = match d {
                            Carried::Bytes(b) => b,
                            Carried::Text(t) if !w.base64 => Bytes::from(t.into_bytes()),
                            Carried::Text(s) | Carried::Json(Value::String(s)) if w.base64 => {
                                if let Some(max) = input.limits.max_base64_bytes {
                                    if s.len() as u64 > max {
                                        return Err(InputFault::new(input, "size", format!("{} is {} bytes; the limit is {max}", w.data.1, s.len())));
                                    }
                                }
                                match base64::engine::general_purpose::STANDARD.decode(s.trim()) {
                                    Ok(b) => Bytes::from(b),
                                    Err(_) => return Err(InputFault::new(input, "format", format!("{} is not base64", w.data.1))),
                                }
                            }
                            Carried::Text(_) | Carried::Json(_) => {
                                return Err(InputFault::new(input, "type", format!("{} is not a string", w.data.1)));
                            }
                        };
                        check_image_bytes(input, w.data.1, &bytes)?;
                        ImageArg::Data(bytes)
                    }
                    (None, None) => {
                        if input.required {
                            return Err(InputFault::new(input, "missing", format!("give {} or {}", w.url.1, w.data.1)));
                        }
                        continue;
                    }
                };
                out.images.insert(input.name, arg);
            }
        }
    }
    Ok(out)
}

/// Checks fetched or uploaded picture bytes against the spec's limits (the client's own checker).
pub fn check_image_bytes(input: &'static InputInfo, wire: &str, bytes: &[u8]) -> Result<(), InputFault> {
    input.limits.check_image(bytes).map(|_| ()).map_err(|f| InputFault::new(input, f.kind, format!("{wire}: {}", f.message)))
}

fn carried_text(c: &Carried) -> Option<String> {
    match c {
        Carried::Text(t) => Some(t.clone()),
        Carried::Bytes(b) => std::str::from_utf8(b).ok().map(str::to_string),
        Carried::Json(Value::String(s)) => Some(s.clone()),
        Carried::Json(v) => Some(v.to_string()),
    }
}

fn parse_text(input: &'static InputInfo, wire: &str, ty: &ValueType, comma: bool, text: &str) -> Result<Value, InputFault> {
    if let (ValueType::List(inner), true) = (ty, comma) {
        let items: Result<Vec<Value>, InputFault> =
            text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| parse_text(input, wire, inner, false, s)).collect();
        return items.map(Value::Array);
    }
    let bad = || InputFault::new(input, "type", format!("{wire} {text:?} is not a {}", type_name(ty)));
    Ok(match ty {
        ValueType::String => Value::String(text.to_string()),
        ValueType::Int => Value::from(text.trim().parse::<i64>().map_err(|_| bad())?),
        ValueType::Float => {
            let f = text.trim().parse::<f64>().map_err(|_| bad())?;
            serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(bad)?
        }
        ValueType::Bool => match text.trim() {
            // `True` / `False`: Python's str() of a bool, as tencentcloud-sdk-python's GET sends it.
            "true" | "True" | "1" => Value::Bool(true),
            "false" | "False" | "0" => Value::Bool(false),
            _ => return Err(bad()),
        },
        ValueType::Enum(values) => {
            if !values.contains(&text) {
                return Err(InputFault::new(input, "type", format!("{wire} {text:?} is not one of {}", values.join(", "))));
            }
            Value::String(text.to_string())
        }
        ValueType::Model | ValueType::List(_) => serde_json::from_str(text).map_err(|_| bad())?,
    })
}

fn check_json_type(input: &'static InputInfo, wire: &str, ty: &ValueType, v: Value) -> Result<Value, InputFault> {
    let ok = match ty {
        ValueType::String => v.is_string(),
        ValueType::Int => v.is_i64() || v.is_u64(),
        ValueType::Float => v.is_number(),
        ValueType::Bool => v.is_boolean(),
        ValueType::Enum(values) => v.as_str().is_some_and(|s| values.contains(&s)),
        ValueType::Model => v.is_object(),
        ValueType::List(inner) => match &v {
            Value::Array(items) => {
                for item in items {
                    check_json_type(input, wire, inner, item.clone())?;
                }
                true
            }
            _ => false,
        },
    };
    if ok { Ok(v) } else { Err(InputFault::new(input, "type", format!("{wire} is not a {}", type_name(ty)))) }
}

fn type_name(ty: &ValueType) -> String {
    match ty {
        ValueType::String => "string".into(),
        ValueType::Int => "integer".into(),
        ValueType::Float => "number".into(),
        ValueType::Bool => "boolean".into(),
        ValueType::Enum(v) => format!("one of {}", v.join(", ")),
        ValueType::Model => "JSON object".into(),
        ValueType::List(inner) => format!("list of {}", type_name(inner)),
    }
}

/// Checks a value against the spec's limits with the client's own checker.
fn check_limits(input: &'static InputInfo, wire: &str, v: &Value, l: &Limits) -> Result<(), InputFault> {
    let checked = match v {
        Value::String(s) => l.check_str(s),
        Value::Number(n) => l.check_number(n.as_f64().unwrap_or(f64::NAN)),
        Value::Array(items) => {
            l.check_items(items.len()).map_err(|f| InputFault::new(input, f.kind, format!("{wire}: {}", f.message)))?;
            for item in items {
                check_limits(input, wire, item, l)?;
            }
            Ok(())
        }
        _ => Ok(()),
    };
    checked.map_err(|f| InputFault::new(input, f.kind, format!("{wire}: {}", f.message)))
}
