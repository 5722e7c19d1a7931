//! A method's form: its fields in the contract's order, each with a typed value, the body they
//! build, and the problems the shared `api` validation finds in it, mapped to each field. A body
//! that the fields cannot show faithfully (unknown fields, wrong types) is edited as raw JSON.

use crate::api::payload::Source;
use crate::api::{self, Api, Method, pointer};
use crate::term::LineInput;
use crate::term::comment_box;
use ratatui_textarea::TextArea;
use serde_json::{Map, Value, json};

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `userId`, `companyId`: text sent as a string.
    Id,
    /// Other text: `event`, `featureId`, `question`, …
    Text,
    /// The 1–5 picker.
    Score,
    /// The multi-line comment box.
    Comment,
    /// Key/value rows.
    Attributes,
    /// `context.active`: unset, true or false.
    Context,
    /// RFC 3339 text or epoch milliseconds.
    Timestamp,
    /// One of the feedback sources, or unset.
    Source,
}

fn kind_of(name: &str) -> Kind {
    match name {
        "userId" | "companyId" => Kind::Id,
        "score" => Kind::Score,
        "comment" => Kind::Comment,
        "attributes" => Kind::Attributes,
        "context" => Kind::Context,
        "timestamp" => Kind::Timestamp,
        "source" => Kind::Source,
        _ => Kind::Text,
    }
}

/// The type an attribute value is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    String,
    Number,
    Boolean,
    Null,
}

impl AttrKind {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            AttrKind::String => AttrKind::Number,
            AttrKind::Number => AttrKind::Boolean,
            AttrKind::Boolean => AttrKind::Null,
            AttrKind::Null => AttrKind::String,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttrKind::String => "string",
            AttrKind::Number => "number",
            AttrKind::Boolean => "boolean",
            AttrKind::Null => "null",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrRow {
    pub key: LineInput,
    pub value: LineInput,
    pub kind: AttrKind,
}

/// Which cell of an attribute row has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Key,
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes {
    pub rows: Vec<AttrRow>,
    pub row: usize,
    pub column: Column,
}

impl Default for Attributes {
    fn default() -> Self {
        Self {
            rows: vec![empty_row()],
            row: 0,
            column: Column::Key,
        }
    }
}

fn empty_row() -> AttrRow {
    AttrRow {
        key: LineInput::default(),
        value: LineInput::default(),
        kind: AttrKind::String,
    }
}

impl Attributes {
    pub fn add_row(&mut self) {
        self.rows.insert(self.row + 1, empty_row());
        self.row += 1;
        self.column = Column::Key;
    }

    pub fn delete_row(&mut self) {
        self.rows.remove(self.row);
        if self.rows.is_empty() {
            self.rows.push(empty_row());
        }
        self.row = self.row.min(self.rows.len() - 1);
    }

    pub fn current(&mut self) -> &mut LineInput {
        let row = &mut self.rows[self.row];
        match self.column {
            Column::Key => &mut row.key,
            Column::Value => &mut row.value,
        }
    }
}

/// The value of one field.
#[derive(Debug, Clone)]
pub enum FieldValue {
    Line(LineInput),
    Score(Option<u8>),
    Comment(Box<TextArea<'static>>),
    Attributes(Attributes),
    Context(Option<bool>),
    Source(Option<Source>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub required: bool,
    pub kind: Kind,
    pub value: FieldValue,
    /// Problems found at this field's path, in the server's words.
    pub errors: Vec<String>,
    /// An id sent as a JSON integer rather than a string (Ctrl+T), as the official SDK does.
    pub integer: bool,
}

impl Field {
    fn new(name: &'static str, required: bool) -> Self {
        let kind = kind_of(name);
        let value = match kind {
            Kind::Id | Kind::Text | Kind::Timestamp => FieldValue::Line(LineInput::default()),
            Kind::Score => FieldValue::Score(None),
            Kind::Comment => FieldValue::Comment(Box::new(comment_box(""))),
            Kind::Attributes => FieldValue::Attributes(Attributes::default()),
            Kind::Context => FieldValue::Context(None),
            Kind::Source => FieldValue::Source(None),
        };
        Self {
            name,
            required,
            kind,
            value,
            errors: Vec::new(),
            integer: false,
        }
    }

    /// The field's JSON, or `None` when it is left out of the body.
    fn json(&self) -> Option<Value> {
        match &self.value {
            FieldValue::Line(input) if input.text().is_empty() => None,
            FieldValue::Line(input) if self.kind == Kind::Timestamp => Some(
                input
                    .text()
                    .trim()
                    .parse::<i64>()
                    .map_or_else(|_| Value::String(input.text().to_owned()), Value::from),
            ),
            FieldValue::Line(input) if self.integer => Some(
                serde_json::from_str::<serde_json::Number>(input.text().trim())
                    .ok()
                    .filter(|n| api::integer_text(n).is_some())
                    .map_or_else(|| Value::String(input.text().to_owned()), Value::Number),
            ),
            FieldValue::Line(input) => Some(Value::String(input.text().to_owned())),
            FieldValue::Score(score) => score.map(Value::from),
            FieldValue::Comment(area) => {
                let text = area.lines().join("\n");
                (!text.is_empty()).then_some(Value::String(text))
            }
            FieldValue::Attributes(attrs) => {
                let map: Map<String, Value> = attrs
                    .rows
                    .iter()
                    .filter(|r| !r.key.text().is_empty())
                    .map(|r| (r.key.text().to_owned(), attribute_value(r)))
                    .collect();
                (!map.is_empty()).then_some(Value::Object(map))
            }
            FieldValue::Context(active) => active.map(|a| json!({"active": a})),
            FieldValue::Source(source) => source.map(|s| Value::String(s.as_str().to_owned())),
        }
    }

    /// Sets the field from a body's value; `false` when the value cannot be shown faithfully.
    fn load(&mut self, value: &Value) -> bool {
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(crate::api::integer_text(n).unwrap_or_else(|| n.to_string())),
            _ => None,
        };
        if self.kind == Kind::Id {
            self.integer = value.is_number();
        }
        match (&mut self.value, value) {
            (_, Value::Null) => true,
            (FieldValue::Line(input), v) => text(v).map(|t| input.set(&t)).is_some(),
            (FieldValue::Score(score), Value::Number(n)) => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && (1.0..=5.0).contains(&f) => {
                    *score = Some(f as u8);
                    true
                }
                _ => false,
            },
            (FieldValue::Comment(area), Value::String(s)) => {
                **area = comment_box(s);
                true
            }
            (FieldValue::Attributes(attrs), Value::Object(map)) => {
                let rows: Option<Vec<AttrRow>> =
                    map.iter().map(|(k, v)| attribute_row(k, v)).collect();
                match rows {
                    Some(rows) if !rows.is_empty() => {
                        *attrs = Attributes {
                            rows,
                            row: 0,
                            column: Column::Key,
                        };
                        true
                    }
                    Some(_) => true,
                    None => false,
                }
            }
            (FieldValue::Context(active), Value::Object(map))
                if map.keys().all(|k| k == "active") =>
            {
                match map.get("active") {
                    Some(Value::Bool(b)) => {
                        *active = Some(*b);
                        true
                    }
                    None | Some(Value::Null) => true,
                    Some(_) => false,
                }
            }
            (FieldValue::Source(source), Value::String(s)) => {
                Source::parse(s).map(|s| *source = Some(s)).is_some()
            }
            _ => false,
        }
    }
}

fn attribute_value(row: &AttrRow) -> Value {
    let text = row.value.text();
    match row.kind {
        AttrKind::String => Value::String(text.to_owned()),
        AttrKind::Number => serde_json::from_str::<serde_json::Number>(text.trim())
            .map_or_else(|_| Value::String(text.to_owned()), Value::Number),
        AttrKind::Boolean => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
        AttrKind::Null => Value::Null,
    }
}

fn attribute_row(key: &str, value: &Value) -> Option<AttrRow> {
    let (text, kind) = match value {
        Value::String(s) => (s.clone(), AttrKind::String),
        Value::Number(n) => (n.to_string(), AttrKind::Number),
        Value::Bool(b) => (b.to_string(), AttrKind::Boolean),
        Value::Null => (String::new(), AttrKind::Null),
        _ => return None,
    };
    Some(AttrRow {
        key: LineInput::new(key),
        value: LineInput::new(&text),
        kind,
    })
}

/// The raw JSON editor.
pub fn raw_editor(text: &str) -> TextArea<'static> {
    let mut area = TextArea::new(text.split('\n').map(str::to_owned).collect());
    area.set_cursor_line_style(ratatui::style::Style::default());
    area
}

/// One method's form.
#[derive(Debug, Clone)]
pub struct Form {
    pub method: Method,
    /// The API of the profile it is sent to: its fields and rules (the Runtime API's feedback
    /// takes `key`).
    pub api: Api,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Set while the body is edited as raw JSON (sent exactly as typed).
    pub raw: Option<Box<TextArea<'static>>>,
    /// Problems of the body as a whole (path `""`, or a field the form does not show).
    pub body_errors: Vec<String>,
    /// In raw mode, the 0-based lines the problems are on, in the order found.
    pub marks: Vec<usize>,
    /// Raw JSON with templates, resolved as the next send would resolve it (or why it cannot
    /// be); what validation checks in its place.
    pub preview: Option<Result<String, crate::collection::template::TemplateError>>,
    pub warnings: Vec<String>,
}

impl Form {
    pub fn new(method: Method) -> Self {
        Self::on(method, Api::Tracking)
    }

    /// An empty form of `method` for a profile of `api`.
    pub fn on(method: Method, api: Api) -> Self {
        let fields = method
            .fields_on(api)
            .iter()
            .map(|f| Field::new(f.name, f.required))
            .collect();
        Self {
            method,
            api,
            fields,
            focus: 0,
            raw: None,
            body_errors: Vec::new(),
            marks: Vec::new(),
            preview: None,
            warnings: Vec::new(),
        }
    }

    /// A form with the profile's defaults in the ids it has.
    pub fn with_defaults(
        method: Method,
        api: Api,
        defaults: &[(&str, Option<&str>)],
        now_ms: i64,
    ) -> Self {
        let mut form = Self::on(method, api);
        for (name, value) in defaults {
            if let (Some(field), Some(v)) =
                (form.fields.iter_mut().find(|f| f.name == *name), value)
            {
                field.load(&Value::String((*v).to_owned()));
            }
        }
        form.validate(now_ms);
        form
    }

    pub fn field_mut(&mut self) -> &mut Field {
        &mut self.fields[self.focus]
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    /// The body the fields build.
    pub fn body(&self) -> Value {
        Value::Object(
            self.fields
                .iter()
                .filter_map(|f| f.json().map(|v| (f.name.to_owned(), v)))
                .collect(),
        )
    }

    /// The bytes to send: the raw text as typed, or the fields' body.
    pub fn body_text(&self) -> String {
        match &self.raw {
            Some(area) => area.lines().join("\n"),
            None => self.body().to_string(),
        }
    }

    /// Shows `body` in the fields, or as raw JSON when they cannot hold it faithfully; the caller
    /// validates it (with the time of its action).
    pub fn load(&mut self, body_text: &str) {
        let fresh = Self::on(self.method, self.api);
        self.fields = fresh.fields;
        self.raw = None;
        let faithful = match serde_json::from_str::<Value>(body_text) {
            Ok(Value::Object(map)) => {
                let known = map.keys().all(|k| self.fields.iter().any(|f| f.name == k));
                known
                    && map.iter().all(|(k, v)| {
                        self.fields
                            .iter_mut()
                            .find(|f| f.name == k)
                            .is_some_and(|f| f.load(v))
                    })
            }
            _ => false,
        };
        if !faithful {
            self.fields = Self::on(self.method, self.api).fields;
            self.raw = Some(Box::new(raw_editor(&pretty(body_text))));
        }
    }

    /// Switches between fields and raw JSON. Leaving raw mode keeps it when the fields cannot show
    /// the text; the answer says whether the switch happened.
    pub fn toggle_raw(&mut self) -> bool {
        match self.raw.take() {
            None => {
                let text = serde_json::to_string_pretty(&self.body()).unwrap_or_default();
                self.raw = Some(Box::new(raw_editor(&text)));
                true
            }
            Some(area) => {
                let text = area.lines().join("\n");
                self.load(&text);
                if self.raw.is_some() {
                    self.raw = Some(area);
                    return false;
                }
                true
            }
        }
    }

    /// Runs the shared validation and puts each problem on its field.
    pub fn validate(&mut self, now_ms: i64) {
        for f in &mut self.fields {
            f.errors.clear();
        }
        self.body_errors.clear();
        self.marks.clear();
        self.warnings.clear();
        let text = match (&self.raw, &self.preview) {
            (Some(_), Some(Ok(resolved))) => resolved.clone(),
            (Some(_), Some(Err(e))) => {
                self.body_errors.push(format!("template: {e}"));
                return;
            }
            _ => self.body_text(),
        };
        let value = match api::body::parse(text.as_bytes()) {
            Ok(value) => value,
            Err(rejection) => {
                self.body_errors.push(rejection.message);
                if self.raw.is_some() {
                    let line = serde_json::from_str::<Value>(&text)
                        .err()
                        .map_or(0, |e| e.line().saturating_sub(1));
                    self.marks.push(line);
                }
                return;
            }
        };
        let rules = match self.api {
            Api::Tracking => api::validate,
            Api::Runtime => api::validate_runtime,
        };
        match rules(self.method, &value, now_ms) {
            Ok(validated) => {
                self.warnings = validated.warnings.into_iter().map(|w| w.message).collect();
            }
            Err(errors) => {
                for e in errors {
                    self.place_error(&e.path, &e.message);
                }
            }
        }
        if self.raw.is_none() {
            self.check_attribute_types();
        }
    }

    /// Puts a problem (local or from a server's answer) on the field its path names.
    pub fn place_error(&mut self, path: &str, message: &str) {
        let tokens = pointer::tokens(path);
        let shown = if tokens.len() > 1 {
            format!("{}: {message}", tokens[1..].join("."))
        } else {
            message.to_owned()
        };
        // The server's words for a problem local validation found already are the same words.
        match self.field_index(path) {
            Some(i) if self.raw.is_none() => {
                if !self.fields[i].errors.contains(&shown) {
                    self.fields[i].errors.push(shown);
                }
            }
            _ => {
                let at = if path.is_empty() { "body" } else { path };
                let whole = if self.raw.is_some() {
                    let line = api::locate::line_of(&self.body_text(), path);
                    if !self.marks.contains(&line) {
                        self.marks.push(line);
                    }
                    format!("line {}: {at}: {message}", line + 1)
                } else {
                    format!("{at}: {message}")
                };
                if !self.body_errors.contains(&whole) {
                    self.body_errors.push(whole);
                }
            }
        }
    }

    /// Puts the raw editor's cursor at the start of the first line with a problem.
    pub fn jump_to_first_problem(&mut self) {
        let (Some(area), Some(&line)) = (self.raw.as_deref_mut(), self.marks.iter().min()) else {
            return;
        };
        let indent = area
            .lines()
            .get(line)
            .map_or(0, |l| l.chars().take_while(|c| c.is_whitespace()).count());
        area.move_cursor(ratatui_textarea::CursorMove::Jump(
            u16::try_from(line).unwrap_or(u16::MAX),
            u16::try_from(indent).unwrap_or(u16::MAX),
        ));
    }

    /// The field a JSON Pointer names.
    pub fn field_index(&self, path: &str) -> Option<usize> {
        let first = pointer::tokens(path).into_iter().next()?;
        self.fields.iter().position(|f| f.name == first)
    }

    /// Every problem, named by its field (`userId: is required…`), the body's own first.
    pub fn problems(&self) -> Vec<String> {
        self.body_errors
            .iter()
            .cloned()
            .chain(
                self.fields
                    .iter()
                    .flat_map(|f| f.errors.iter().map(move |e| format!("{}: {e}", f.name))),
            )
            .collect()
    }

    pub fn error_count(&self) -> usize {
        self.fields.iter().map(|f| f.errors.len()).sum::<usize>() + self.body_errors.len()
    }
}

/// Pretty-prints JSON text when it parses; otherwise returns it as it is.
fn pretty(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_564_800_000;

    fn set(form: &mut Form, name: &str, text: &str) {
        let i = form.fields.iter().position(|f| f.name == name).unwrap();
        if let FieldValue::Line(input) = &mut form.fields[i].value {
            input.set(text);
        }
    }

    #[test]
    fn fields_follow_the_contracts_order() {
        let names: Vec<_> = Form::new(Method::Feedback)
            .fields
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(
            &names[..5],
            ["featureId", "userId", "companyId", "score", "comment"]
        );
        assert!(Form::new(Method::Event).fields[0].required);
    }

    #[test]
    fn the_body_holds_what_was_filled() {
        let mut form = Form::new(Method::Feedback);
        set(&mut form, "featureId", "export");
        set(&mut form, "userId", "42");
        form.fields[3].value = FieldValue::Score(Some(4));
        form.fields[4].value = FieldValue::Comment(Box::new(comment_box("line 1\nline 2")));
        assert_eq!(
            form.body(),
            json!({"featureId": "export", "userId": "42", "score": 4, "comment": "line 1\nline 2"})
        );
        form.validate(NOW);
        assert_eq!(form.error_count(), 0);
    }

    #[test]
    fn problems_land_on_their_fields_in_the_servers_words() {
        let mut form = Form::new(Method::Event);
        let attrs = form
            .fields
            .iter()
            .position(|f| f.name == "attributes")
            .unwrap();
        form.fields[attrs].value = FieldValue::Attributes(Attributes {
            rows: vec![AttrRow {
                key: LineInput::new("seats"),
                value: LineInput::new("many"),
                kind: AttrKind::Number,
            }],
            row: 0,
            column: Column::Key,
        });
        form.validate(NOW);
        assert_eq!(
            form.fields[0].errors,
            ["is required: the name of the event, such as \"Sent message\""]
        );
        assert_eq!(form.fields[1].errors.len(), 1);
        assert_eq!(
            form.fields[attrs].errors,
            ["seats: `many` is not a number: fix it, or Ctrl+T to make it a string"],
            "a number that is not one is a problem, not text sent silently"
        );
        assert_eq!(form.error_count(), 3, "send anyway? counts it");
    }

    #[test]
    fn bodies_load_into_fields_or_raw_json() {
        let mut form = Form::new(Method::User);
        form.load(r#"{"userId": 42, "attributes": {"plan": "pro", "seats": 3, "trial": null}, "context": {"active": false}}"#);
        assert!(form.raw.is_none());
        assert_eq!(
            form.body(),
            json!({"userId": 42, "attributes": {"plan": "pro", "seats": 3, "trial": null}, "context": {"active": false}}),
            "an integer id stays an integer"
        );
        form.load(r#"{"userID": 42}"#);
        form.validate(NOW);
        assert!(form.raw.is_some(), "an unknown field needs raw JSON");
        assert_eq!(form.body_errors.len(), 2);
        form.load("{\"userId\": 1,}");
        form.validate(NOW);
        assert!(form.raw.is_some());
        assert!(form.body_errors[0].contains("trailing comma"));
    }

    #[test]
    fn raw_mode_round_trips() {
        let mut form = Form::new(Method::User);
        set(&mut form, "userId", "7");
        assert!(form.toggle_raw());
        assert_eq!(form.body_text(), "{\n  \"userId\": \"7\"\n}");
        assert!(form.toggle_raw());
        assert!(form.raw.is_none());
        assert_eq!(form.body(), json!({"userId": "7"}));
    }
}
