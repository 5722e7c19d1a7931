//! Why a `{{…}}` template cannot be compiled or filled: one type for both, so the loader, `run`,
//! the dry run and the console carry it to where it is shown and can tell a missing value (which
//! the user gives with a flag) from a typo in the file.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{{` without its `}}` in the string.
    Unclosed {
        text: String,
    },
    /// `{{}}`.
    Empty,
    /// `{{uuid x}}`: a generator that takes no argument was given one.
    TakesNothing {
        word: String,
    },
    /// `{{int 5}}`: a range was wanted, as in `example`.
    NotARange {
        arg: String,
        example: &'static str,
    },
    /// `{{ago 28d..1d}}`.
    FarBoundFirst {
        arg: String,
    },
    /// `{{int a..5}}`: `part` is not a whole number.
    NotWhole {
        part: String,
        arg: String,
    },
    /// `{{int 5..1}}`.
    EmptyRange {
        arg: String,
    },
    /// `{{pick}}` or `{{pick a||b}}`.
    NoChoices,
    /// `{{env}}` or `{{env A B}}`.
    NoVariable,
    /// `{{profile.name}}`.
    NotAProfileField {
        word: String,
    },
    /// Neither a generator nor a name, with the nearest generator when one is close.
    Unknown {
        inner: String,
        hint: Option<String>,
    },
    /// A `{{weighted …}}` that is not choices with weights.
    Weighted(super::persona::WeightedError),
    /// A demo-data generator given something other than `of NAME`.
    Fact(super::persona::FactError),
    /// `{{now -3x}}`'s duration.
    NotADuration {
        text: String,
    },
    BadUnit {
        text: String,
    },
    TooLong {
        text: String,
    },
    /// `{{name}}` with no var, `--var` or saved value.
    NoValue {
        name: String,
    },
    /// `{{email of user}}` where `user` has no value yet.
    NoValueOf {
        word: String,
        name: String,
    },
    /// `{{env NAME}}` with `--allow-env NAME` but `$NAME` unset.
    EnvNotSet {
        name: String,
    },
    /// `{{env NAME}}` without `--allow-env NAME`.
    EnvNotAllowed {
        name: String,
    },
    /// `{{profile.userId}}` on a profile with no default userId.
    NoProfileId {
        field: String,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unclosed { text } => write!(f, "`{{{{` without its `}}}}` in \"{text}\""),
            Self::Empty => f.write_str("an empty `{{}}`"),
            Self::TakesNothing { word } => {
                write!(f, "`{{{{{word}}}}}` takes nothing after its name")
            }
            Self::NotARange { arg, example } => {
                write!(f, "`{arg}` is not a range: write it as in {example}")
            }
            Self::FarBoundFirst { arg } => {
                write!(f, "`{{{{ago {arg}}}}}`: the first bound is the nearer one")
            }
            Self::NotWhole { part, arg } => {
                write!(f, "`{part}` in `{{{{int {arg}}}}}` is not a whole number")
            }
            Self::EmptyRange { arg } => write!(f, "`{{{{int {arg}}}}}`: the range is empty"),
            Self::NoChoices => f.write_str("`{{pick …}}` takes choices: {{pick a|b|c}}"),
            Self::NoVariable => f.write_str("`{{env …}}` takes a variable's name: {{env USER_ID}}"),
            Self::NotAProfileField { word } => write!(
                f,
                "`{{{{{word}}}}}`: a profile gives profile.userId, profile.companyId or \
                 profile.featureId"
            ),
            Self::Unknown { inner, hint } => {
                write!(f, "`{{{{{inner}}}}}` is not a generator or a name")?;
                match hint {
                    Some(g) => write!(f, "; did you mean `{g}`?"),
                    None => Ok(()),
                }
            }
            Self::Weighted(e) => e.fmt(f),
            Self::NoValueOf { word, name } => write!(
                f,
                "`{{{{{word} of {name}}}}}`: `{name}` has no value: give it in [vars], with --var \
                 {name}=…, or save it in an earlier step"
            ),
            Self::Fact(e) => e.fmt(f),
            Self::NotADuration { text } => {
                write!(f, "`{text}` is not a duration such as 90m, 3d or 45s")
            }
            Self::BadUnit { text } => write!(f, "`{text}`: the unit is ms, s, m, h, d or w"),
            Self::TooLong { text } => write!(f, "`{text}` is too long a time"),
            Self::NoValue { name } => write!(
                f,
                "`{{{{{name}}}}}` has no value: give it in [vars], with --var {name}=…, or save \
                 it in an earlier step"
            ),
            Self::EnvNotSet { name } => write!(f, "`{{{{env {name}}}}}`: ${name} is not set"),
            Self::EnvNotAllowed { name } => write!(
                f,
                "`{{{{env {name}}}}}`: ${name} is not allowed: templates read only the \
                 variables you name; add --allow-env {name}"
            ),
            Self::NoProfileId { field } => {
                let flag = match field.as_str() {
                    "companyId" => "company-id",
                    "featureId" => "feature-id",
                    _ => "user-id",
                };
                write!(
                    f,
                    "`{{{{profile.{field}}}}}`: the profile in use has no {field}; set it with \
                     `bucket-console profiles edit NAME --{flag} ID` (run also takes --var \
                     profile.{field}=ID)"
                )
            }
        }
    }
}

impl std::error::Error for TemplateError {}
