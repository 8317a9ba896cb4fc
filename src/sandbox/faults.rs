//! Faults a test can queue to make `/api/v2/catalogs` misbehave on purpose.
//!
//! A fault fires on the next matching request and is used up after `times` firings. The JSON
//! form is what `POST /_sandbox/faults` takes, e.g.
//! `{"on":"post","action":{"kind":"status","code":502,"body":"<html>bad gateway</html>"},"times":2}`.

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
}

impl FaultOn {
    fn matches(self, method: &str) -> bool {
        match self {
            FaultOn::Any => true,
            FaultOn::Get => method.eq_ignore_ascii_case("GET"),
            FaultOn::Post => method.eq_ignore_ascii_case("POST"),
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
}

/// The queue of pending faults, oldest first.
#[derive(Debug, Clone, Default)]
pub struct FaultQueue {
    pending: VecDeque<Fault>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: Fault) {
        self.pending.push_back(fault);
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    pub fn pending(&self) -> Vec<Fault> {
        self.pending.iter().cloned().collect()
    }

    /// Fires the oldest fault matching `method`, if any, using up one of its `times`.
    pub fn take(&mut self, method: &str) -> Option<FaultAction> {
        let index = self.pending.iter().position(|f| f.on.matches(method))?;
        let fault = &mut self.pending[index];
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
        q.push(Fault {
            on: FaultOn::Post,
            action: FaultAction::NoContent,
            times: 2,
        });
        assert_eq!(q.take("GET"), None);
        assert_eq!(q.take("POST"), Some(FaultAction::NoContent));
        assert_eq!(q.take("post"), Some(FaultAction::NoContent));
        assert_eq!(q.take("POST"), None);
    }

    #[test]
    fn faults_fire_oldest_first_and_times_zero_lasts_until_cleared() {
        let mut q = FaultQueue::default();
        q.push(Fault::once(FaultOn::Any, FaultAction::Delay { ms: 1 }));
        q.push(Fault {
            on: FaultOn::Get,
            action: FaultAction::NoContent,
            times: 0,
        });
        assert_eq!(q.take("GET"), Some(FaultAction::Delay { ms: 1 }));
        for _ in 0..3 {
            assert_eq!(q.take("GET"), Some(FaultAction::NoContent));
        }
        q.clear();
        assert_eq!(q.take("GET"), None);
    }
}
