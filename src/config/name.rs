//! An account's name (`[[accounts]] name`): how it is called in logs, `--account`, `status`,
//! metrics and the default database file name, and what the shard hash is taken of.

use std::fmt;

use serde::Serialize;

/// `[a-z0-9_-]{1,64}`: safe in a file name, a log field, a metric label and a URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AccountName(String);

/// The name of the one account of the single form (`[amocrm]`, `[auth]`, `[database]`).
pub const DEFAULT_ACCOUNT: &str = "default";

const MAX_LEN: usize = 64;

impl AccountName {
    /// Checks a name; the error is a sentence without the key.
    pub fn parse(input: &str) -> Result<AccountName, String> {
        let rule = "use 1 to 64 characters a-z, 0-9, _ or -";
        if input.is_empty() {
            return Err(format!("is empty: {rule}"));
        }
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        if input.len() > MAX_LEN || !input.chars().all(allowed) {
            return Err(format!("{input:?} is not an account name: {rule}"));
        }
        Ok(AccountName(input.to_owned()))
    }

    /// `default`, the account of the single form.
    pub fn default_account() -> AccountName {
        AccountName(DEFAULT_ACCOUNT.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_case_letters_digits_underscores_and_hyphens() {
        for ok in ["shop", "tea-house_2", "a", &"x".repeat(64)] {
            assert!(AccountName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Shop",
            "tea house",
            "café",
            "a.b",
            "a/b",
            &"x".repeat(65),
        ] {
            assert!(AccountName::parse(bad).is_err(), "{bad}");
        }
    }
}
