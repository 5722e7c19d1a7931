//! The problems only the console has: a value its chosen type cannot hold, a template the profile
//! cannot fill. The server never sees them, so the console cannot send "anyway": it would have to
//! send something else than what the form shows.

use super::form::{AttrKind, FieldValue, Form};
use crate::api;

impl Form {
    /// Puts each value its type cannot hold on its field, so the form shows it where it is.
    pub(super) fn check_attribute_types(&mut self) {
        for (i, message) in self.type_mismatches() {
            self.fields[i].errors.push(message);
        }
    }

    /// Each field (by index) holding a value its chosen type cannot hold, and what to do about it.
    fn type_mismatches(&self) -> Vec<(usize, String)> {
        let mut found = Vec::new();
        for (i, field) in self.fields.iter().enumerate() {
            match &field.value {
                FieldValue::Line(input) if field.integer => {
                    let text = input.text().trim();
                    let integer = serde_json::from_str::<serde_json::Number>(text)
                        .ok()
                        .and_then(|n| api::integer_text(&n));
                    if !text.is_empty() && integer.is_none() {
                        found.push((
                            i,
                            format!(
                                "`{text}` is not an integer: fix it, or Ctrl+T to send a string"
                            ),
                        ));
                    }
                }
                FieldValue::Attributes(attrs) => {
                    for row in attrs.rows.iter().filter(|r| !r.key.text().is_empty()) {
                        let text = row.value.text().trim();
                        let fits = match row.kind {
                            AttrKind::String | AttrKind::Null => true,
                            AttrKind::Number => {
                                serde_json::from_str::<serde_json::Number>(text).is_ok()
                            }
                            AttrKind::Boolean => matches!(text, "true" | "false"),
                        };
                        if !fits {
                            found.push((
                                i,
                                format!(
                                    "{}: `{}` is not a {}: fix it, or Ctrl+T to make it a string",
                                    row.key.text(),
                                    row.value.text(),
                                    row.kind.label()
                                ),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        found
    }

    /// The problems the console cannot send past, named like `problems()` names them; the
    /// form's other problems are the server's.
    #[must_use]
    pub fn console_problems(&self) -> Vec<String> {
        if self.raw.is_some() {
            return match &self.preview {
                Some(Err(e)) => vec![format!("template: {e}")],
                _ => Vec::new(),
            };
        }
        self.type_mismatches()
            .into_iter()
            .map(|(i, m)| format!("{}: {m}", self.fields[i].name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;
    use crate::tui::form::Column;

    #[test]
    fn a_number_that_is_not_one_is_the_consoles_problem_and_is_never_sent_as_text() {
        let mut form = Form::new(Method::User);
        let at = form.field_index("/attributes").unwrap();
        if let FieldValue::Attributes(attrs) = &mut form.fields[at].value {
            attrs.rows[0].key.set("seats");
            attrs.rows[0].value.set("ten");
            attrs.rows[0].kind = AttrKind::Number;
            attrs.column = Column::Value;
        }
        form.validate(0);
        let console = form.console_problems();
        assert_eq!(console.len(), 1, "{console:?}");
        assert!(
            console[0].contains("`ten` is not a number") && console[0].contains("make it a string"),
            "{console:?}"
        );
        assert!(form.problems().iter().any(|p| p == &console[0]));
    }

    #[test]
    fn a_template_the_profile_cannot_fill_is_the_consoles_problem() {
        let mut form = Form::new(Method::User);
        form.raw = Some(Box::new(super::super::form::raw_editor("{}")));
        form.preview = Some(Err(
            crate::collection::template::TemplateError::NoProfileId {
                field: "userId".into(),
            },
        ));
        form.validate(0);
        let problems = form.console_problems();
        assert!(
            problems.len() == 1 && problems[0].starts_with("template: `{{profile.userId}}`"),
            "{problems:?}"
        );
        form.preview = Some(Ok("{}".into()));
        form.validate(0);
        assert!(form.console_problems().is_empty());
    }
}
