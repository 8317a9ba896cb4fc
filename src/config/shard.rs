//! Which accounts this replica serves (`daemon.shard = "I/N"`, `--shard I/N`): the accounts
//! whose [`stable_hash`] of the name, modulo N, is I - 1. N replicas with shards 1/N ... N/N split
//! the accounts between them with nothing to coordinate.

use std::fmt;
use std::str::FromStr;

use super::AccountName;

/// This replica's share of the accounts: shard `index` of `count` (1-based, as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// More replicas than this is certainly a typo.
const MAX_SHARDS: u64 = 10_000;

impl Shard {
    /// Every account: `1/1`.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Parses `I/N` with 1 <= I <= N. The error is a sentence without the key.
    pub fn parse(input: &str) -> Result<Shard, String> {
        let usage = "write I/N with 1 <= I <= N, e.g. \"1/1\" (every account) or \"2/3\" \
                     (the second of three replicas)";
        let (i, n) = input
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("{input:?} is not a shard: {usage}"))?;
        let number = |s: &str| s.trim().parse::<u64>().ok();
        match (number(i), number(n)) {
            (Some(index), Some(count)) if index >= 1 && index <= count && count <= MAX_SHARDS => {
                Ok(Shard { index, count })
            }
            (Some(_), Some(count)) if count > MAX_SHARDS => {
                Err(format!("{input:?}: at most {MAX_SHARDS} shards; {usage}"))
            }
            _ => Err(format!("{input:?} is not a shard: {usage}")),
        }
    }

    /// Whether the account `name` belongs to this shard.
    pub fn contains(&self, name: &AccountName) -> bool {
        stable_hash(name.as_str()) % self.count == self.index - 1
    }

    /// The shard an account belongs to among `count` shards (1-based).
    pub fn of(name: &AccountName, count: u64) -> Shard {
        let count = count.clamp(1, MAX_SHARDS);
        Shard {
            index: stable_hash(name.as_str()) % count + 1,
            count,
        }
    }

    pub fn index(&self) -> u64 {
        self.index
    }

    pub fn count(&self) -> u64 {
        self.count
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// For `--shard I/N`.
impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        Shard::parse(s)
    }
}

/// FNV-1a, 64 bits, over the UTF-8 bytes of `name`. Part of the public contract: which replica
/// serves which account depends on it, so it must never change (a test pins its values).
pub fn stable_hash(name: &str) -> u64 {
    crate::hash::fnv1a64(name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> AccountName {
        AccountName::parse(s).unwrap()
    }

    #[test]
    fn the_hash_is_fnv_1a_64_and_never_changes() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn shards_are_parsed_as_i_of_n_and_refused_otherwise() {
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        assert_eq!(Shard::parse(" 1 / 1 ").unwrap(), Shard::ALL);
        for bad in [
            "0/3", "4/3", "1/0", "1", "a/b", "1/2/3", "-1/2", "", "1/10001",
        ] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Shard::parse("2/3").unwrap().to_string(), "2/3");
    }

    #[test]
    fn every_account_is_in_exactly_one_of_n_shards() {
        for n in 1..=5 {
            for account in ["default", "shop", "tea-house", "a", "z_9"] {
                let owners = (1..=n)
                    .filter(|i| {
                        Shard {
                            index: *i,
                            count: n,
                        }
                        .contains(&name(account))
                    })
                    .count();
                assert_eq!(owners, 1, "{account} in {n} shards");
                assert!(Shard::of(&name(account), n).contains(&name(account)));
            }
        }
    }
}
