//! Reading request bodies property by property, so every broken rule names its field
//! (`customer.phone`, `packages[1].boxes`) and a body is never half-accepted.

use serde_json::{Map, Value};

use crate::validation::{FieldError, Rule};

/// One JSON object of a request, with the path its fields are reported under.
pub struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    prefix: String,
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// The top-level body; a body that is not an object is one error on `body`.
    pub fn body(value: &'a Value) -> Fields<'a> {
        let mut f = Fields {
            map: value.as_object(),
            prefix: String::new(),
            errors: Vec::new(),
        };
        if f.map.is_none() {
            f.fail("body".into(), Rule::Type { expected: "object" });
        }
        f
    }

    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub fn fail(&mut self, path: String, rule: Rule) {
        self.errors.push(FieldError::at(path, rule));
    }

    fn raw(&self, name: &str) -> Option<&'a Value> {
        self.map?.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// A string property; `None` when absent or null. Wrong type is an error.
    pub fn str(&mut self, name: &str) -> Option<String> {
        match self.raw(name) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.fail(self.path(name), Rule::Type { expected: "string" });
                None
            }
        }
    }

    /// A string that must be present and not blank.
    pub fn required_str(&mut self, name: &str) -> Option<String> {
        let had = self.has(name);
        let v = self.str(name);
        match v {
            Some(s) if !s.trim().is_empty() => Some(s),
            _ if had && v.is_none() => None, // wrong type, already reported
            _ => {
                self.fail(self.path(name), Rule::Required);
                None
            }
        }
    }

    /// A string of at most `max` characters.
    pub fn str_max(&mut self, name: &str, max: usize, required: bool) -> Option<String> {
        let v = if required {
            self.required_str(name)
        } else {
            self.str(name)
        };
        if let Some(s) = &v
            && s.chars().count() > max
        {
            self.fail(self.path(name), Rule::TooLong { max });
        }
        v
    }

    /// A number (integer or float).
    pub fn number(&mut self, name: &str) -> Option<f64> {
        match self.raw(name) {
            None => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => {
                self.fail(self.path(name), Rule::Type { expected: "number" });
                None
            }
        }
    }

    /// An integer in `lo..=hi` ("1~10の数値").
    pub fn int_range(&mut self, name: &str, lo: i64, hi: i64, required: bool) -> Option<i64> {
        let raw = self.raw(name);
        let v = self.number(name);
        match (raw, v) {
            (None, _) if required => {
                self.fail(self.path(name), Rule::Required);
                None
            }
            (Some(_), Some(n)) if n.fract() == 0.0 && (lo as f64..=hi as f64).contains(&n) => {
                Some(n as i64)
            }
            (Some(_), Some(_)) => {
                self.fail(self.path(name), Rule::Range { min: lo, max: hi });
                None
            }
            _ => None,
        }
    }

    /// A nested object, read with its own prefix; `None` when absent.
    pub fn object(&mut self, name: &str, required: bool) -> Option<Fields<'a>> {
        match self.raw(name) {
            None => {
                if required {
                    self.fail(self.path(name), Rule::Required);
                }
                None
            }
            Some(v @ Value::Object(_)) => Some(Fields {
                map: v.as_object(),
                prefix: format!("{}.", self.path(name)),
                errors: Vec::new(),
            }),
            Some(_) => {
                self.fail(self.path(name), Rule::Type { expected: "object" });
                None
            }
        }
    }

    /// A non-empty array of objects, each read with `name[i].` as prefix.
    pub fn objects(&mut self, name: &str) -> Option<Vec<Fields<'a>>> {
        match self.raw(name) {
            None => {
                self.fail(self.path(name), Rule::Required);
                None
            }
            Some(Value::Array(items)) if items.is_empty() => {
                self.fail(self.path(name), Rule::NonEmpty);
                None
            }
            Some(Value::Array(items)) => {
                let base = self.path(name);
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{base}[{i}]");
                    match item.as_object() {
                        Some(map) => out.push(Fields {
                            map: Some(map),
                            prefix: format!("{path}."),
                            errors: Vec::new(),
                        }),
                        None => self.fail(path, Rule::Type { expected: "object" }),
                    }
                }
                Some(out)
            }
            Some(_) => {
                self.fail(self.path(name), Rule::Type { expected: "array" });
                None
            }
        }
    }

    /// Folds a nested reader's errors into this one.
    pub fn absorb(&mut self, nested: Fields<'_>) {
        self.errors.extend(nested.errors);
    }

    /// The path a property of this object is reported under.
    pub fn field_path(&self, name: &str) -> String {
        self.path(name)
    }
}
