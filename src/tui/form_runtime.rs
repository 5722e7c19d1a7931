//! A form follows its profile's API: on a switch between a tracking and a runtime profile the
//! feedback form trades `featureId` for `key` (the flag key the SDKs send) and back, keeping
//! everything typed.

use super::form::Form;
use crate::api::{Api, Method};
use serde_json::Value;

impl Form {
    /// Moves the form to a profile of `api`, keeping its body; a feedback's feature moves to the
    /// field that names it there when that field is empty. Raw JSON stays exactly as typed.
    pub fn set_api(&mut self, api: Api, now_ms: i64) {
        if self.api == api {
            return;
        }
        self.api = api;
        if self.raw.is_none() {
            let text = carry_feature(self.method, &self.body_text(), api);
            let focus = self.focus;
            self.load(&text);
            self.focus = focus.min(self.fields.len().saturating_sub(1));
        }
        self.validate(now_ms);
    }
}

/// A feedback body with its feature under the name `api` gives it, when only the other name has
/// it; any other body as it is.
fn carry_feature(method: Method, text: &str, api: Api) -> String {
    if method != Method::Feedback {
        return text.to_owned();
    }
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text) else {
        return text.to_owned();
    };
    let to = Method::feature_field(api);
    let from = match api {
        Api::Runtime => Method::feature_field(Api::Tracking),
        Api::Tracking => Method::feature_field(Api::Runtime),
    };
    if !map.contains_key(to)
        && let Some(value) = map.remove(from)
    {
        map.insert(to.to_owned(), value);
    }
    Value::Object(map).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::form::FieldValue;

    fn set(form: &mut Form, name: &str, text: &str) {
        let at = form.fields.iter().position(|f| f.name == name).unwrap();
        if let FieldValue::Line(input) = &mut form.fields[at].value {
            input.set(text);
        }
    }

    #[test]
    fn the_runtime_feedback_form_asks_for_the_flag_key_by_the_runtime_rules() {
        let mut form = Form::on(Method::Feedback, Api::Runtime);
        assert_eq!(form.fields[0].name, "key");
        set(&mut form, "key", "huddle");
        set(&mut form, "userId", "u1");
        form.fields[4].value = FieldValue::Score(Some(4));
        form.validate(0);
        assert_eq!(form.error_count(), 0, "{:?}", form.problems());
        assert_eq!(
            form.body(),
            serde_json::json!({"key": "huddle", "userId": "u1", "score": 4})
        );
        set(&mut form, "key", &"k".repeat(256));
        form.validate(0);
        assert_eq!(
            form.fields[0].errors.len(),
            1,
            "a flag key is 1–255 characters"
        );
        set(&mut form, "key", "");
        form.validate(0);
        assert!(
            form.problems().iter().any(|p| p.contains("`key`")),
            "neither key nor featureId: {:?}",
            form.problems()
        );
    }

    #[test]
    fn switching_api_moves_the_feature_and_keeps_the_rest() {
        let mut form = Form::new(Method::Feedback);
        set(&mut form, "featureId", "export");
        set(&mut form, "userId", "u1");
        form.set_api(Api::Runtime, 0);
        assert_eq!(
            form.body(),
            serde_json::json!({"key": "export", "userId": "u1"})
        );
        assert!(form.raw.is_none());
        form.set_api(Api::Tracking, 0);
        assert_eq!(
            form.body(),
            serde_json::json!({"featureId": "export", "userId": "u1"})
        );
        let mut user = Form::new(Method::User);
        set(&mut user, "userId", "7");
        user.set_api(Api::Runtime, 0);
        assert_eq!(user.body(), serde_json::json!({"userId": "7"}));
    }
}
