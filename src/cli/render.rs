//! What the commands print for people: aligned plain-text tables and one-line summaries, with
//! over-long values cut (a 20,000-character name must not flood a terminal). The JSON for
//! machines is [`super::json`]'s.

use crate::catalog::{ApiVersion, Field, Fields};
use crate::config::AccountSettings;
use crate::reconcile::{Adopt, Conflict, Plan, Push};
use crate::store::{Counts, RunCounts};
use crate::sync::{Plans, RunReport};

pub use crate::text::{cut, table};

/// How much of one value a table shows.
pub const VALUE_WIDTH: usize = 60;

/// How much of a sentence (an invalid row, a notice) a line shows.
pub const LINE_WIDTH: usize = 300;

/// How much of an error a line shows (errors quote names and bodies, cut themselves too).
pub const ERROR_WIDTH: usize = 1000;

/// `name="Goods" type=regular can_add_elements=false`: the fields that are set, each cut.
pub fn describe(fields: &Fields) -> String {
    Field::ALL
        .into_iter()
        .filter_map(|f| {
            let v = fields.get(f)?;
            Some(format!("{f}={}", cut(&v.to_string(), VALUE_WIDTH)))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn push_row(p: &Push, desired: Option<i64>) -> Vec<String> {
    let desired = desired.map_or(String::new(), |d| d.to_string());
    match p {
        Push::Add { fields, replaces } => {
            let note = replaces.map_or(String::new(), |r| format!(" (re-creates #{r})"));
            vec![
                "add".into(),
                "new".into(),
                desired,
                format!("{}{note}", describe(fields)),
            ]
        }
        Push::Update { id, fields } => {
            vec!["update".into(), format!("#{id}"), desired, describe(fields)]
        }
        Push::Delete { id } => vec!["delete".into(), format!("#{id}"), desired, String::new()],
    }
}

fn adopt_row(a: &Adopt, remote_id: Option<i64>) -> Vec<String> {
    let remote = remote_id.map_or(String::new(), |r| format!("#{r}"));
    match a {
        Adopt::Insert { fields, .. } => {
            vec!["insert".into(), remote, "new".into(), describe(fields)]
        }
        Adopt::Update {
            desired_id,
            changes,
            ..
        } => {
            let what = changes
                .iter()
                .map(|(f, v)| {
                    let v = v.as_ref().map_or("NULL".into(), ToString::to_string);
                    format!("{f}={}", cut(&v, VALUE_WIDTH))
                })
                .collect::<Vec<_>>()
                .join(" ");
            vec!["update".into(), remote, desired_id.to_string(), what]
        }
        Adopt::Delete { desired_id, .. } => {
            vec![
                "delete".into(),
                remote,
                desired_id.to_string(),
                "gone from the account".into(),
            ]
        }
        Adopt::Unlink { desired_id, .. } => {
            vec![
                "unlink".into(),
                remote,
                desired_id.to_string(),
                "gone from the account; row kept".into(),
            ]
        }
    }
}

fn conflict_row(c: &Conflict) -> Vec<String> {
    let show = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map_or("?".into(), |v| cut(&v.to_string(), VALUE_WIDTH))
    };
    let settled = c.resolution.map_or("held for a person".into(), |s| {
        format!("{} wins", s.as_str())
    });
    vec![
        format!("#{}", c.remote_id),
        c.field.map_or("catalog".into(), |f| f.to_string()),
        show(&c.base),
        show(&c.local),
        show(&c.remote),
        settled,
    ]
}

/// What a sync of one account's plans would send, counted by the outbox's own grouping rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requests {
    /// The API catalogs go through (`auto` resolved by the plan).
    pub api: ApiVersion,
    /// The catalog list's GETs: exactly 1 through v2; through v4 the first page, one more per
    /// 250 catalogs (not known before the sync's own pull).
    pub get: usize,
    /// Catalog writes (through v4 adds, updates and deletes are separate requests).
    pub catalog_writes: usize,
    /// Element writes.
    pub element_writes: usize,
}

impl Requests {
    pub fn of(plans: &Plans, account: &AccountSettings, api: ApiVersion) -> Requests {
        Requests {
            api,
            get: 1,
            catalog_writes: plans.catalog_requests(api, account.sync.batch_size),
            element_writes: plans.element_requests(account.sync.element_batch_size),
        }
    }

    /// `1 GET + 2 POST`, or through v4 `1+ GET + 3 writes (...)`.
    fn catalog_text(&self) -> String {
        match self.api {
            ApiVersion::V4 => format!(
                "{}+ GET (one per 250 catalogs) + {} writes (POST adds, PATCH updates, v2 POST \
                 deletes) through API v4",
                self.get, self.catalog_writes
            ),
            _ => format!("{} GET + {} POST", self.get, self.catalog_writes),
        }
    }
}

/// One account's plan as text: the account and its settings, then the tables.
pub fn plan_text(plans: &Plans, account: &AccountSettings, api: ApiVersion) -> String {
    let plan = &plans.catalogs;
    let requests = Requests::of(plans, account, api);
    let mut out = format!(
        "Plan for {} (mode {}, conflict_policy {})\n{}",
        account.amocrm.base_url,
        account.sync.mode.as_str(),
        account.sync.conflict_policy.as_str(),
        text(plan, &requests.catalog_text())
    );
    if !plans.elements.is_empty() {
        out += &super::elements::text(&plans.elements);
        out += &format!("\nElement requests to send: {}\n", requests.element_writes);
    }
    out
}

/// The plan as text: one section per direction, then conflicts, invalid rows and notices.
/// `requests` says what the pushes take (`1 GET + 2 POST`).
pub fn text(plan: &Plan, requests: &str) -> String {
    let mut out = String::new();
    let pushes: Vec<_> = plan
        .decisions
        .iter()
        .filter_map(|d| Some(push_row(d.push.as_ref()?, d.desired_id)))
        .collect();
    let adopts: Vec<_> = plan
        .decisions
        .iter()
        .filter_map(|d| Some(adopt_row(d.adopt.as_ref()?, d.remote_id)))
        .collect();
    if !pushes.is_empty() {
        out += &format!("\nTo send to the account ({requests}):\n");
        out += &table(
            &[vec![
                "op".into(),
                "catalog".into(),
                "desired".into(),
                "fields".into(),
            ]]
            .into_iter()
            .chain(pushes)
            .collect::<Vec<_>>(),
        );
    }
    if !adopts.is_empty() {
        out += "\nTo adopt into desired_catalogs:\n";
        out += &table(
            &[vec![
                "op".into(),
                "catalog".into(),
                "desired".into(),
                "change".into(),
            ]]
            .into_iter()
            .chain(adopts)
            .collect::<Vec<_>>(),
        );
    }
    if !plan.conflicts.is_empty() {
        out += "\nConflicts:\n";
        let head = ["catalog", "field", "base", "local", "remote", "settled"]
            .map(String::from)
            .to_vec();
        out += &table(
            &std::iter::once(head)
                .chain(plan.conflicts.iter().map(conflict_row))
                .collect::<Vec<_>>(),
        );
    }
    for i in &plan.invalid {
        out += &format!("\nInvalid, skipped: {}", cut(&i.to_string(), LINE_WIDTH));
    }
    for n in &plan.notices {
        let at = n.remote_id.map_or(String::new(), |r| format!("#{r} "));
        out += &format!("\nNote: {at}{}", cut(&n.message, LINE_WIDTH));
    }
    if !plan.has_changes() && plan.conflicts.is_empty() {
        out += "\nIn sync: nothing to send, nothing to adopt.\n";
    } else {
        out.push('\n');
    }
    out
}

/// `pulled 3, added 1, ..., 2 HTTP requests`: a run's counters, for one-line summaries. The
/// elements' counters follow the catalogs' when the run touched any element.
pub fn counts(r: &RunCounts) -> String {
    let line = |c: &Counts| {
        format!(
            "pulled {}, added {}, updated {}, deleted {}, adopted {}, conflicts {}, failed {}, \
             invalid {}",
            c.pulled, c.added, c.updated, c.deleted, c.adopted, c.conflicts, c.failed, c.invalid
        )
    };
    let elements = if r.elements == Counts::default() {
        String::new()
    } else {
        format!("; elements: {}", line(&r.elements))
    };
    format!(
        "{}{elements}, {} HTTP requests",
        line(&r.catalogs),
        r.http_requests
    )
}

/// The summary of a run, for stdout: one line, then the error, the invalid rows and the
/// conflicts held for a person.
pub fn report(r: &RunReport) -> String {
    let mut out = format!(
        "run {}: {} ({})\n",
        r.run_id,
        r.outcome.as_str(),
        counts(&r.counts)
    );
    if let Some(e) = &r.error {
        out += &format!("  {}\n", cut(e, ERROR_WIDTH));
    }
    for i in &r.plan.invalid {
        out += &format!("  invalid, skipped: {}\n", cut(&i.to_string(), LINE_WIDTH));
    }
    for c in r.plan.held() {
        out += &format!(
            "  conflict held for a person: #{} {:?} field {}\n",
            c.remote_id,
            cut(&c.name, VALUE_WIDTH),
            c.field.map_or("catalog".into(), |f| f.to_string())
        );
    }
    out
}
