//! What can be wrong with the settings, said so that an operator can fix it.
//!
//! No message ever contains the value of a secret: values are quoted only for keys that are not
//! secrets, and secret files are named by path, never by content.

use std::fmt;
use std::path::PathBuf;

/// A problem found while loading the settings. `Display` is the message for the operator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The `--config` file could not be read or is not valid TOML.
    #[error("config file {}: {reason}", .path.display())]
    File { path: PathBuf, reason: String },

    /// A key or section that catalog-sync does not know (a typo, most likely).
    #[error("unknown {what} {key}{hint}")]
    UnknownKey {
        /// `key` or `section`.
        what: &'static str,
        key: String,
        /// A suggestion and where the key came from, ready to print (may be empty).
        hint: String,
    },

    /// A value that is present but not acceptable.
    #[error("{key}: {problem}")]
    Invalid { key: String, problem: String },

    /// A value that must be given and was not (still empty or the shipped placeholder).
    #[error("{key} is {state}: {hint}")]
    Missing {
        key: String,
        /// `empty` or `not set`.
        state: &'static str,
        hint: String,
    },

    /// A `*_file` key names a file that cannot be read.
    #[error("{key}: cannot read {}: {reason}", .path.display())]
    SecretFile {
        key: String,
        path: PathBuf,
        reason: String,
    },

    /// More than one of the above; all are reported at once so they can be fixed in one go.
    #[error("{}", Many(.0))]
    Several(Vec<ConfigError>),
}

impl ConfigError {
    pub(crate) fn invalid(key: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key: key.to_owned(),
            problem: problem.into(),
        }
    }

    /// The key the problem is about (`sync.batch_size`, `accounts[2].auth.token`), when there
    /// is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::UnknownKey { key, .. }
            | ConfigError::Invalid { key, .. }
            | ConfigError::Missing { key, .. }
            | ConfigError::SecretFile { key, .. } => Some(key),
            ConfigError::File { .. } | ConfigError::Several(_) => None,
        }
    }

    /// Every single problem, flattening [`ConfigError::Several`].
    pub fn problems(&self) -> Vec<&ConfigError> {
        match self {
            ConfigError::Several(all) => all.iter().flat_map(ConfigError::problems).collect(),
            one => vec![one],
        }
    }
}

/// Formats several problems as an indented list.
struct Many<'a>(&'a [ConfigError]);

impl fmt::Display for Many<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problems in the settings:", self.0.len())?;
        for problem in self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// Collects problems while parsing, so that all of them are reported together.
#[derive(Default)]
pub(crate) struct Problems(Vec<ConfigError>);

impl Problems {
    /// The value, or `None` after recording the problem.
    pub(crate) fn check<T>(&mut self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    pub(crate) fn push(&mut self, problem: ConfigError) {
        self.0.push(problem);
    }

    /// What was recorded, in order.
    pub(crate) fn into_vec(self) -> Vec<ConfigError> {
        self.0
    }

    /// `Ok(value)` when nothing was recorded and the value was built.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, ConfigError> {
        let mut all = self.0;
        match (all.len(), value) {
            (0, Some(value)) => Ok(value),
            (1, _) => Err(all.remove(0)),
            (0, None) => Err(ConfigError::invalid("settings", "could not be built")),
            _ => Err(ConfigError::Several(all)),
        }
    }
}

/// A close match for a mistyped name among `candidates`, if there is one.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let prefix = |a: &str, b: &str| a.len() >= 3 && b.starts_with(a);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1) || prefix(name, c) || prefix(c, name))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_and_far_ones_are_not() {
        let keys = ["batch_size", "max_deletes", "mode", "schedule"];
        assert_eq!(closest("max_delete", keys), Some("max_deletes"));
        assert_eq!(closest("batchsize", keys), Some("batch_size"));
        assert_eq!(closest("shedule", keys), Some("schedule"));
        assert_eq!(closest("timeout_seconds", keys), None);
        assert_eq!(closest("", ["log", "sync"]), None);
        assert_eq!(closest("foo", ["log", "sync"]), None);
    }

    #[test]
    fn several_problems_are_listed_one_per_line() {
        let mut problems = Problems::default();
        problems.push(ConfigError::invalid("sync.batch_size", "bad"));
        problems.push(ConfigError::invalid("http.max_retries", "worse"));
        let err = problems.finish::<()>(None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2 problems in the settings:\n  - sync.batch_size: bad\n  - http.max_retries: worse"
        );
        assert_eq!(err.problems().len(), 2);
    }
}
