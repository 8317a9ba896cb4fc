//! One reconcile, top to bottom: pull → settle in-doubt operations → merge → delete guard →
//! adopt → outbox → send → record. Also `plan`, which stops after the merge and writes nothing.
//!
//! The steps are written once for every kind of record (`adopt`, `outbox`, `in_doubt`, over
//! the [`kind::Transport`] of each kind); `catalogs` is how catalogs reach the account.

mod adopt;
mod block;
mod catalogs;
mod crash;
mod elements;
mod guard;
mod in_doubt;
mod kind;
mod options;
mod outbox;
mod report;

pub use crash::CrashPoint;
pub use elements::ElementReport;
pub use options::SyncOptions;
use report::Run;
pub use report::{Outcome, Plans, RunReport};

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use tracing::{Instrument, info, info_span, warn};

use crate::amocrm::Client;
use crate::catalog::{DesiredCatalog, Fields, Mode, RemoteCatalog};
use crate::reconcile::{self, MergeInput, Plan};
use crate::record::RemoteId;
use crate::store::{OpenConflict, RunCounts, Store, Stored};
use kind::Op;

/// Runs reconciles against one account and one database.
pub struct Syncer {
    store: Store,
    client: Client,
    options: SyncOptions,
    /// `http.blocked_cooldown_seconds`: after a 403, send nothing for this long.
    blocked_cooldown: Duration,
    /// Test-only crash hook (see [`CrashPoint`]).
    crash: Option<CrashPoint>,
    /// Set by [`Syncer::request_stop`]: send no further batch.
    stopping: AtomicBool,
    /// Draw a progress line for long element pulls when stderr is a terminal.
    progress: bool,
    /// The API version catalogs use in the current run.
    api: catalogs::CatalogApi,
}

/// Names and values a person wrote are cut to this many characters in log lines.
const LOGGED: usize = 200;

/// The default of `http.blocked_cooldown_seconds`.
const DEFAULT_BLOCKED_COOLDOWN: Duration = Duration::from_secs(900);

/// Why a run stopped early.
enum Stop {
    Aborted(String),
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Stop {
    fn from(e: E) -> Stop {
        Stop::Failed(e.into())
    }
}

impl Syncer {
    pub fn new(store: Store, client: Client, options: SyncOptions) -> Syncer {
        Syncer {
            store,
            client,
            options,
            blocked_cooldown: DEFAULT_BLOCKED_COOLDOWN,
            crash: None,
            stopping: AtomicBool::new(false),
            progress: false,
            api: catalogs::CatalogApi::new(),
        }
    }

    /// Sets `http.blocked_cooldown_seconds` (900 s unless set).
    pub fn with_blocked_cooldown(mut self, cooldown: Duration) -> Syncer {
        self.blocked_cooldown = cooldown;
        self
    }

    /// Draws a progress line for element pulls of more than two pages when stderr is a
    /// terminal (for `--once` and `plan` with text logs; never with JSON logs).
    pub fn with_progress(mut self, on: bool) -> Syncer {
        self.progress = on;
        self
    }

    /// The daemon is stopping: the run in progress finishes the exchange in flight and its
    /// database write, then sends nothing more (unsent operations are planned again next run).
    pub fn request_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// One full reconcile. Errors of the run itself are recorded in `sync_runs` and returned in
    /// the report; `Err` means the database itself failed, or another run holds this database
    /// ([`LockError`](crate::store::LockError), naming the other process).
    pub async fn run_once(&self, trigger: &str) -> Result<RunReport> {
        self.run_locked(trigger)
            .await
            .map_err(|e| crate::store::explain(e, self.store.path()))
    }

    async fn run_locked(&self, trigger: &str) -> Result<RunReport> {
        let _lock = self.store.lock_for_run()?;
        let abandoned = self.store.close_abandoned_runs().await?;
        if abandoned > 0 {
            warn!(
                runs = abandoned,
                "closed runs that stopped before they finished"
            );
        }
        let id = self.store.start_run(trigger).await?;
        let requests_before = self.client.requests_sent();
        let mut run = Run {
            id,
            counts: RunCounts::default(),
            plan: Plan::default(),
            unsettled: BTreeSet::new(),
            in_doubt: 0,
            elements: Vec::new(),
        };
        let span = info_span!("run", run_id = id, trigger);
        let result = self.reconcile(&mut run).instrument(span.clone()).await;
        run.counts.http_requests = (self.client.requests_sent() - requests_before) as i64;
        let left_alone: Vec<String> = run
            .elements
            .iter()
            .filter_map(|e| {
                let why = e.error.as_ref()?;
                Some(format!(
                    "elements of catalog {:?} not synced: {why}",
                    e.catalog
                ))
            })
            .collect();
        let (outcome, error) = match result {
            Ok(()) if !left_alone.is_empty() => (Outcome::Partial, Some(left_alone.join("; "))),
            Ok(()) if self.needs_a_person(&run) => (Outcome::Partial, None),
            Ok(()) => (Outcome::Ok, None),
            Err(Stop::Aborted(why)) => (Outcome::Aborted, Some(why)),
            Err(Stop::Failed(e)) => {
                let e = self.remember_block(id, e).await;
                let e = crate::store::explain(e, self.store.path());
                (Outcome::Failed, Some(format!("{e:#}")))
            }
        };
        self.store
            .finish_run(id, outcome.as_str(), &run.counts, error.as_deref())
            .await?;
        span.in_scope(|| match &error {
            None => info!(outcome = outcome.as_str(), counts = ?run.counts, "run finished"),
            Some(e) => warn!(outcome = outcome.as_str(), error = %e, "run finished"),
        });
        Ok(RunReport {
            run_id: id,
            outcome,
            counts: run.counts,
            error,
            plan: run.plan,
            elements: run.elements,
        })
    }

    fn needs_a_person(&self, run: &Run) -> bool {
        let c = &run.counts;
        c.catalogs.failed + c.elements.failed > 0
            || run.in_doubt > 0
            || run.plan.held().next().is_some()
            || run.elements.iter().any(|e| e.plan.held().next().is_some())
            || c.catalogs.invalid + c.elements.invalid > 0
    }

    async fn reconcile(&self, run: &mut Run) -> Result<(), Stop> {
        self.check_block().await?;
        self.start_api().await?;
        let remote = self.pull_catalogs(Some(run.id)).await?;
        run.counts.catalogs.pulled = remote.len() as i64;
        info!(catalogs = remote.len(), "pulled");
        self.guard_empty_pull(&remote).await?;
        self.settle_unfinished::<Fields>(run.id, &(), &remote)
            .await?;
        let desired = self.store.desired().await?;
        let open = self
            .store
            .open_conflicts(Fields::conflict_scope(&()))
            .await?;
        let plan = self.merge(&remote, &desired, &open).await?;
        self.guard_deletions(&plan)?;
        let in_account: BTreeSet<RemoteId> = remote.iter().map(|c| c.id).collect();
        let elements = self.plan_elements(Some(run.id), &in_account).await?;
        self.store.save_pull(&remote).await?;
        self.adopt(run, &(), &plan).await?;
        run.plan = plan;
        if self.options.mode != Mode::Pull {
            let ops = operations(run, &(), &run.plan);
            self.push(run, &self.catalogs(), ops).await?;
        }
        self.close_settled(run, &(), &run.plan, &open).await?;
        self.apply_elements(run, elements).await
    }

    async fn merge(
        &self,
        remote: &[RemoteCatalog],
        desired: &[DesiredCatalog],
        open: &[OpenConflict],
    ) -> Result<Plan> {
        let base = self.store.base().await?;
        let settled = adopt::settled_by_a_person(open, desired);
        Ok(reconcile::merge(&MergeInput {
            base: &base,
            local: desired,
            remote,
            mode: self.options.mode,
            policy: self.options.policy,
            settled: &settled,
        }))
    }

    /// `catalog-sync plan`: the pulls and the merges. Writes nothing, sends no POST.
    pub async fn plan(&self) -> Result<Plans> {
        // A recorded 403 block stops every request, a plan's GET included.
        match self.check_block().await {
            Err(Stop::Failed(e)) => return Err(e),
            Err(Stop::Aborted(why)) => anyhow::bail!(why),
            Ok(()) => {}
        }
        self.start_api().await?;
        let remote = self.pull_catalogs(None).await?;
        let desired = self.store.desired().await?;
        let open = self
            .store
            .open_conflicts(Fields::conflict_scope(&()))
            .await?;
        let catalogs = self.merge(&remote, &desired, &open).await?;
        let in_account: BTreeSet<RemoteId> = remote.iter().map(|c| c.id).collect();
        let elements = self.element_plans(&in_account).await?;
        Ok(Plans { catalogs, elements })
    }
}

/// The operations a plan sends to the account. A record whose adoption lost to a person's
/// edit during the run sends nothing this run: its push was merged from the row as it was, and
/// sending it would move the base past remote values the row never took (the next run merges
/// the person's edit with them again).
fn operations<R: Stored>(run: &Run, scope: &R::Scope, plan: &Plan<R>) -> Vec<Op<R>> {
    let lost = |id: Option<RemoteId>| id.is_some_and(|id| run.is_unsettled::<R>(scope, id));
    plan.decisions
        .iter()
        .filter(|d| d.push.is_some() && !(d.adopt.is_some() && lost(d.remote_id)))
        .map(|d| Op {
            scope: *scope,
            decision: d.clone(),
        })
        .collect()
}
