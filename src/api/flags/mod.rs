//! Feature flags: definitions in the shape of `GET /features`, and their evaluation exactly as
//! `@reflag/flag-evaluation` 1.0.1 computes it (checked against the library itself by
//! tests/flags). Pure: no clock, no files; the caller passes the time and the parsed document.

pub mod definitions;
pub mod errors;
pub mod evaluate;
pub mod explain;
pub mod js;
pub mod render;
pub mod rollout;
pub mod short;

pub use definitions::{
    Config, Filter, FlagDefinition, GroupOperator, Operator, Variant, parse_definitions,
};
pub use errors::DefinitionError;
pub use evaluate::{
    ConfigEvaluation, Explanation, FlagEvaluation, FlatContext, RulesOutcome, evaluate_flag,
    evaluate_rules, flatten,
};

#[cfg(test)]
pub(crate) mod explain_tests;
#[cfg(test)]
mod tests;
