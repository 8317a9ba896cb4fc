//! Faults a test can queue to make the account's API (every `/api/...` endpoint) misbehave on
//! purpose.
//!
//! A fault fires on the next matching request and is used up after `times` firings. The JSON
//! form is what `POST /_sandbox/faults` takes, e.g.
//! `{"on":"post","action":{"kind":"status","code":502,"body":"<html>bad gateway</html>"},"times":2}`,
//! optionally narrowed to a path prefix with `"path":"/api/v4/catalogs/7001/elements"`.
//!
//! The path lives in [`FaultRule`] rather than in [`Fault`] because code outside the sandbox
//! builds `Fault { on, action, times }` literals, which a new field would break.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Which requests a fault matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultOn {
    #[default]
    Any,
    Get,
    Post,
    Patch,
}

impl FaultOn {
    fn matches(self, method: &str) -> bool {
        match self {
            FaultOn::Any => true,
            FaultOn::Get => method.eq_ignore_ascii_case("GET"),
            FaultOn::Post => method.eq_ignore_ascii_case("POST"),
            FaultOn::Patch => method.eq_ignore_ascii_case("PATCH"),
        }
    }
}

/// What a fault does to the request it fires on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer this instead of processing the request (nothing is applied).
    Status {
        code: u16,
        #[serde(default)]
        body: String,
        /// `None`: `text/html` when there is a body, no content type when there is none.
        #[serde(default)]
        content_type: Option<String>,
    },
    /// Wait this long, then process normally.
    Delay { ms: u64 },
    /// Process the request fully, then drop the connection without answering.
    ApplyThenDrop,
    /// Process the request fully, then answer 204 with an empty body.
    NoContent,
}

/// One queued fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub on: FaultOn,
    pub action: FaultAction,
    /// How many matching requests it fires on; 0 means "until the faults are cleared".
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// A fault that fires once on matching requests.
    pub fn once(on: FaultOn, action: FaultAction) -> Self {
        Self {
            on,
            action,
            times: 1,
        }
    }

    /// The same fault, firing only on requests whose path starts with `prefix` (e.g.
    /// `/api/v4/catalogs/7001/elements`; the path as the account sees it, without
    /// `/accounts/N`).
    pub fn at(self, prefix: &str) -> FaultRule {
        FaultRule {
            path: Some(prefix.to_string()),
            fault: self,
        }
    }
}

/// A fault and the requests it is limited to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// A path prefix; `None` matches every `/api/` request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(flatten)]
    pub fault: Fault,
}

impl From<Fault> for FaultRule {
    fn from(fault: Fault) -> Self {
        Self { path: None, fault }
    }
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.fault.on.matches(method) && self.path.as_deref().is_none_or(|p| path.starts_with(p))
    }
}

/// The queue of pending faults, oldest first.
#[derive(Debug, Clone, Default)]
pub struct FaultQueue {
    pending: VecDeque<FaultRule>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: FaultRule) {
        self.pending.push_back(fault);
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    pub fn pending(&self) -> Vec<FaultRule> {
        self.pending.iter().cloned().collect()
    }

    /// Fires the oldest fault matching `method` and `path`, if any, using up one of its `times`.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultAction> {
        let index = self.pending.iter().position(|f| f.matches(method, path))?;
        let fault = &mut self.pending[index].fault;
        let action = fault.action.clone();
        match fault.times {
            0 => {}
            1 => {
                self.pending.remove(index);
            }
            _ => fault.times -= 1,
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "/api/v2/catalogs";

    #[test]
    fn the_json_form_reads_as_documented() {
        let f: Fault = serde_json::from_str(
            r#"{"on":"post","action":{"kind":"status","code":502,"body":"x"},"times":2}"#,
        )
        .unwrap();
        assert_eq!(f.on, FaultOn::Post);
        assert_eq!(f.times, 2);
        let f: Fault = serde_json::from_str(r#"{"action":{"kind":"apply_then_drop"}}"#).unwrap();
        assert_eq!((f.on, f.times), (FaultOn::Any, 1));
    }

    #[test]
    fn a_fault_fires_only_on_matching_methods_and_only_as_often_as_asked() {
        let mut q = FaultQueue::default();
        q.push(
            Fault {
                on: FaultOn::Post,
                action: FaultAction::NoContent,
                times: 2,
            }
            .into(),
        );
        assert_eq!(q.take("GET", P), None);
        assert_eq!(q.take("POST", P), Some(FaultAction::NoContent));
        assert_eq!(q.take("post", P), Some(FaultAction::NoContent));
        assert_eq!(q.take("POST", P), None);
    }

    #[test]
    fn faults_fire_oldest_first_and_times_zero_lasts_until_cleared() {
        let mut q = FaultQueue::default();
        q.push(Fault::once(FaultOn::Any, FaultAction::Delay { ms: 1 }).into());
        q.push(
            Fault {
                on: FaultOn::Get,
                action: FaultAction::NoContent,
                times: 0,
            }
            .into(),
        );
        assert_eq!(q.take("GET", P), Some(FaultAction::Delay { ms: 1 }));
        for _ in 0..3 {
            assert_eq!(q.take("GET", P), Some(FaultAction::NoContent));
        }
        q.clear();
        assert_eq!(q.take("GET", P), None);
    }

    #[test]
    fn a_rule_with_a_path_fires_only_under_that_prefix_and_patch_is_a_method() {
        let mut q = FaultQueue::default();
        let elements = "/api/v4/catalogs/7001/elements";
        q.push(Fault::once(FaultOn::Patch, FaultAction::NoContent).at(elements));
        assert_eq!(q.take("PATCH", "/api/v4/catalogs/7002/elements"), None);
        assert_eq!(q.take("POST", elements), None);
        let hit = q.take("PATCH", "/api/v4/catalogs/7001/elements?x=1");
        assert_eq!(hit, Some(FaultAction::NoContent));
    }

    #[test]
    fn the_json_form_takes_an_optional_path_and_patch() {
        let r: FaultRule = serde_json::from_str(
            r#"{"on":"patch","path":"/api/v4","action":{"kind":"no_content"},"times":3}"#,
        )
        .unwrap();
        assert_eq!(r.path.as_deref(), Some("/api/v4"));
        assert_eq!((r.fault.on, r.fault.times), (FaultOn::Patch, 3));
        let r: FaultRule = serde_json::from_str(r#"{"action":{"kind":"no_content"}}"#).unwrap();
        assert_eq!(r, Fault::once(FaultOn::Any, FaultAction::NoContent).into());
        let back = serde_json::to_value(&r).unwrap();
        assert!(back.get("path").is_none(), "{back}");
    }
}
