//! Demo data that looks real: `{{first_name}}`, `{{email of user}}`, `{{weighted a:3|b:1}}`.
//! The values come from the `fake` crate's English data, not from lists kept here.
//!
//! A value drawn `of` an id depends on the run's seed, the generator and the id only (a hash of
//! the three seeds its own RNG), so every call of a run that names the same user gets the same
//! address; and the composite values are built from the parts (an email from the first and last
//! name and the company's domain), so a user's name, email and company agree.

use fake::Fake;
use fake::faker::{address, company, internet, job, lorem, name};
use fake::rand::SeedableRng;
use fake::rand::rngs::Xoshiro256PlusPlus;
use sha2::{Digest, Sha256};

/// The generators that make up a person, and a sentence for a feedback comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    FirstName,
    LastName,
    Name,
    Email,
    CompanyName,
    Domain,
    JobTitle,
    City,
    Country,
    Sentence,
}

impl Fact {
    pub const ALL: [Fact; 10] = [
        Fact::FirstName,
        Fact::LastName,
        Fact::Name,
        Fact::Email,
        Fact::CompanyName,
        Fact::Domain,
        Fact::JobTitle,
        Fact::City,
        Fact::Country,
        Fact::Sentence,
    ];

    pub const fn word(self) -> &'static str {
        match self {
            Fact::FirstName => "first_name",
            Fact::LastName => "last_name",
            Fact::Name => "name",
            Fact::Email => "email",
            Fact::CompanyName => "company_name",
            Fact::Domain => "domain",
            Fact::JobTitle => "job_title",
            Fact::City => "city",
            Fact::Country => "country",
            Fact::Sentence => "sentence",
        }
    }

    pub fn parse(word: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.word() == word)
    }

    /// This fact of the person known as `id` in a run seeded `seed`.
    pub fn of(self, seed: u64, id: &str) -> String {
        let part = |fact: Fact| fact.of(seed, id);
        match self {
            Fact::Name => format!("{} {}", part(Fact::FirstName), part(Fact::LastName)),
            Fact::Email => format!(
                "{}.{}@{}",
                slug(&part(Fact::FirstName)),
                slug(&part(Fact::LastName)),
                part(Fact::Domain)
            ),
            Fact::Domain => {
                let suffix: String =
                    internet::en::DomainSuffix().fake_with_rng(&mut rng(seed, self, id));
                format!("{}.{suffix}", slug(&part(Fact::CompanyName)))
            }
            _ => self.draw(&mut rng(seed, self, id)),
        }
    }

    /// A value of a plain fact from `rng`.
    fn draw(self, rng: &mut Xoshiro256PlusPlus) -> String {
        match self {
            Fact::FirstName => name::en::FirstName().fake_with_rng(rng),
            Fact::LastName => name::en::LastName().fake_with_rng(rng),
            Fact::CompanyName => company::en::CompanyName().fake_with_rng(rng),
            Fact::JobTitle => job::en::Title().fake_with_rng(rng),
            Fact::City => address::en::CityName().fake_with_rng(rng),
            Fact::Country => address::en::CountryName().fake_with_rng(rng),
            Fact::Sentence => lorem::en::Sentence(4..12).fake_with_rng(rng),
            Fact::Name | Fact::Email | Fact::Domain => {
                unreachable!("composite facts are built from their parts")
            }
        }
    }
}

/// The RNG of one (seed, fact, id): SHA-256 of the three, so that no id or fact shares another's
/// stream, and Xoshiro256++ because its output is fixed by its algorithm, not by a library's
/// choice of "standard" generator.
fn rng(seed: u64, fact: Fact, id: &str) -> Xoshiro256PlusPlus {
    let mut hash = Sha256::new();
    hash.update(seed.to_le_bytes());
    hash.update(fact.word().as_bytes());
    hash.update([0]);
    hash.update(id.as_bytes());
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    Xoshiro256PlusPlus::seed_from_u64(u64::from_le_bytes(first))
}

/// Lower-case ASCII letters and digits only: what an address or host name is made of.
fn slug(text: &str) -> String {
    let slug: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if slug.is_empty() {
        "demo".to_owned()
    } else {
        slug
    }
}

/// What is wrong in a `{{weighted …}}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeightedError {
    #[error(
        "`{{{{weighted …}}}}` takes choices with weights: {{{{weighted pro:5|team:3|enterprise:1}}}}"
    )]
    Empty,
    #[error(
        "`{0}` in `{{{{weighted …}}}}` has no weight: write it as `{0}:1` (the weight goes after the last `:`)"
    )]
    NoWeight(String),
    #[error(
        "`{choice}:{weight}` in `{{{{weighted …}}}}`: the weight is a whole number from 0 to 1000000"
    )]
    BadWeight { choice: String, weight: String },
    #[error("a choice in `{{{{weighted …}}}}` is empty")]
    EmptyChoice,
    #[error("every weight in `{{{{weighted …}}}}` is 0: nothing could be picked")]
    AllZero,
}

/// The most one choice may weigh: keeps the total far from overflowing.
const MAX_WEIGHT: u64 = 1_000_000;

/// Parses `pro:5|team:3|enterprise:1`; a choice may hold `:` itself (`a:b:2` is `a:b`, weight 2).
pub fn weighted(arg: &str) -> Result<Vec<(String, u64)>, WeightedError> {
    if arg.trim().is_empty() {
        return Err(WeightedError::Empty);
    }
    let choices = arg
        .split('|')
        .map(|item| {
            let item = item.trim();
            let (choice, weight) = item
                .rsplit_once(':')
                .ok_or_else(|| WeightedError::NoWeight(item.to_owned()))?;
            let choice = choice.trim();
            if choice.is_empty() {
                return Err(WeightedError::EmptyChoice);
            }
            let weight_text = weight.trim();
            let weight = weight_text
                .parse::<u64>()
                .ok()
                .filter(|w| *w <= MAX_WEIGHT)
                .ok_or_else(|| WeightedError::BadWeight {
                    choice: choice.to_owned(),
                    weight: weight_text.to_owned(),
                })?;
            Ok((choice.to_owned(), weight))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if choices.iter().all(|(_, w)| *w == 0) {
        return Err(WeightedError::AllZero);
    }
    Ok(choices)
}

/// The choice a draw of `0..total` lands on.
pub fn pick_weighted(choices: &[(String, u64)], rng: &mut fastrand::Rng) -> String {
    let total: u64 = choices.iter().map(|(_, w)| w).sum();
    let mut at = rng.u64(..total.max(1));
    for (choice, weight) in choices {
        if at < *weight {
            return choice.clone();
        }
        at -= weight;
    }
    choices.last().map(|(c, _)| c.clone()).unwrap_or_default()
}

/// The vars named like one of these generators: they win over it, and the user is told so.
pub fn shadowed<'a>(vars: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    vars.into_iter()
        .filter(|name| Fact::parse(name).is_some())
        .map(|name| {
            format!(
                "[vars] `{name}` is also a generator's name: {{{{{name}}}}} gives the var, \
                 not a generated {name} (rename the var to use the generator)"
            )
        })
        .collect()
}

/// A demo-data generator given something other than `of NAME`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{{{{{0} …}}}}` takes nothing, or whose it is: {{{{{0}}}}} or {{{{{0} of user}}}}")]
pub struct FactError(pub String);

#[cfg(test)]
#[path = "persona_tests.rs"]
mod tests;
