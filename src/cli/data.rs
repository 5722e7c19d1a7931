//! `bucket-console data`: what the local server stored, for scripts (the console's Data view
//! reads the same through the same data layer).

use super::context::{self, CliError, exit};
use super::render::{self, Painter};
use anstyle::{AnsiColor, Style};
use bucket_console::inspect::{InspectError, Inspector, Order, Query, Rows, Tab, table};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum List {
    Users,
    Companies,
    Events,
    Feedback,
    FlagChecks,
}

/// Users, companies, events or feedback stored by the local server, newest first.
#[derive(Debug, Args)]
#[command(
    after_help = "Reads the local server's inspection routes (the built-in `local` profile, or a
profile pointing at `bucket-console serve`). Users who belong to no company are flagged.

Exit status: 0 listed; 2 usage error; 3 the server did not answer or has no inspection routes.

Examples:
  bucket-console data users
  bucket-console data events --limit 5 --search signup
  bucket-console data companies --oldest --json | jq '.[].companyId'
  bucket-console data feedback --profile demo --offset 100
  bucket-console data events --limit 1000 --after 1733140000000:52001

A full page ends with `next: --after CURSOR` on stderr: that page follows at the same cost however
deep it is (an --offset walks past the rows before it, except for events and flag checks without
a search or filter)."
)]
pub struct DataArgs {
    #[arg(value_enum)]
    list: List,
    /// Rows to show (at most 1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    limit: u32,
    /// Rows to skip.
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// The rows after this cursor (a full page's `next: --after CURSOR`), instead of --offset.
    #[arg(long, value_name = "CURSOR", conflicts_with = "offset")]
    after: Option<String>,
    /// Oldest first instead of newest first.
    #[arg(long)]
    oldest: bool,
    /// Only rows whose ids, names or text contain this (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// One JSON array, as the server answered it.
    #[arg(long)]
    json: bool,
    /// The profile to read.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

pub fn run(args: &DataArgs) -> Result<u8, CliError> {
    let tab = match args.list {
        List::Users => Tab::Users,
        List::Companies => Tab::Companies,
        List::Events => Tab::Events,
        List::Feedback => Tab::Feedback,
        List::FlagChecks => Tab::FlagChecks,
    };
    let query = Query {
        tab,
        offset: args.offset,
        after: args.after.clone(),
        limit: args.limit,
        order: if args.oldest {
            Order::Oldest
        } else {
            Order::Newest
        },
        search: args.search.clone().unwrap_or_default(),
    };
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    let page = context::runtime(1)?.block_on(async {
        let resolved = bucket_console::target::resolve(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let inspector = Inspector::new(&resolved.target.base_url, resolved.target.key.data_key())
            .map_err(|e| failed(&e))?;
        let page = inspector.read(&query).await.map_err(|e| failed(&e));
        drop(resolved.embedded);
        page
    })?;
    let rows = page.rows;
    if args.json {
        let value = match &rows {
            Rows::Users(r) => serde_json::to_value(r),
            Rows::Companies(r) => serde_json::to_value(r),
            Rows::Events(r) => serde_json::to_value(r),
            Rows::Feedback(r) => serde_json::to_value(r),
            Rows::FlagChecks(r) => serde_json::to_value(r),
        }
        .unwrap_or_default();
        println!("{}", render::json_safe(&value));
    } else if rows.is_empty() {
        eprintln!(
            "no {} stored for profile {}{}",
            tab.route(),
            selected.profile.name,
            if query.search.is_empty() {
                ""
            } else {
                " matching the search"
            }
        );
    } else {
        print!("{}", text_table(Painter::for_stdout(), &rows));
    }
    if let Some(next) = page.next.filter(|_| rows.len() == args.limit as usize) {
        eprintln!("next: --after {next}");
    }
    Ok(exit::OK)
}

fn failed(e: &InspectError) -> CliError {
    CliError::failed(e.to_string())
}

/// Columns padded to their widest cell (the last one left ragged), then the flags explained.
fn text_table(p: Painter, rows: &Rows) -> String {
    let t = table::table(rows);
    let width = |i: usize| {
        t.rows
            .iter()
            .map(|r| r[i].chars().count())
            .chain([t.headers[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..t.headers.len()).map(width).collect();
    let line = |cells: Vec<String>| {
        let last = cells.len() - 1;
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    format!("{c}{}", " ".repeat(widths[i] - c.chars().count()))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let bold = Style::new().bold();
    let mut out = p.paint(
        bold,
        &line(t.headers.iter().map(|h| h.to_uppercase()).collect()),
    );
    out.push('\n');
    for row in t.rows.clone() {
        out.push_str(&line(row));
        out.push('\n');
    }
    if let Rows::Users(users) = rows
        && let Some(u) = users.iter().find(|u| u.companies.is_empty())
    {
        let note = format!(
            "{}: {}",
            table::NO_COMPANY,
            bucket_console::sanitize::sanitize(&table::unassociated_explanation(&u.user_id))
        );
        out.push_str(&p.paint(Style::new().fg_color(Some(AnsiColor::Yellow.into())), &note));
        out.push('\n');
    }
    out
}
