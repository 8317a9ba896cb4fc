//! Which file a database path names, so that two accounts never share one database (and so one
//! outbox) by writing the same file two ways: `./shop.db` and `/srv/x/shop.db`, `sub/../shop.db`,
//! or through a symlinked directory; and the refusal when they do.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::error::{ConfigError, Problems};

/// The file `path` names: absolute (a relative path is taken from the working directory, as
/// the store opens it), with its longest existing part canonicalised (symlinks and `..`
/// resolved by the file system) and the rest normalised by hand (`.` dropped, `..` going up).
pub(crate) fn identity(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(path),
            Err(_) => path.to_owned(),
        }
    };
    let mut existing = absolute.as_path();
    let mut rest = vec![];
    loop {
        if let Ok(real) = existing.canonicalize() {
            return normalise(real, rest.into_iter().rev());
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(Component::Normal(name));
                existing = parent;
            }
            // `..` or `.` as the last part: keep it for `normalise`.
            (Some(parent), None) => {
                rest.extend(existing.components().next_back());
                existing = parent;
            }
            (None, _) => return normalise(PathBuf::new(), absolute.components()),
        }
    }
}

/// Records the database file as `key`'s, compared by the file it names (see [`identity`]);
/// when an earlier entry has it, records the problem.
pub(crate) fn file_taken(
    seen: &mut HashMap<PathBuf, (String, PathBuf)>,
    path: &Path,
    key: &str,
    p: &mut Problems,
) {
    let file = identity(path);
    match seen.get(&file) {
        Some((earlier, written)) => {
            let same = if written == path {
                String::new()
            } else {
                format!(
                    " (written {} there: both are {})",
                    written.display(),
                    file.display()
                )
            };
            p.push(ConfigError::invalid(
                &format!("{key}.database"),
                format!(
                    "{} is already the database of {earlier}{same}; every account needs its \
                     own file",
                    path.display()
                ),
            ));
        }
        None => {
            seen.insert(file, (key.to_owned(), path.to_owned()));
        }
    }
}

/// `base` followed by `parts`, with `.` dropped and `..` taking away the part before it.
fn normalise<'a>(mut base: PathBuf, parts: impl Iterator<Item = Component<'a>>) -> PathBuf {
    for part in parts {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                base.pop();
            }
            other => base.push(other.as_os_str()),
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_written_three_ways_is_one_identity() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();

        let plain = identity(&real.join("shop.db"));
        assert_eq!(identity(&dir.path().join("link/shop.db")), plain);
        assert_eq!(identity(&real.join("sub/../shop.db")), plain);
        assert_eq!(identity(&real.join("./shop.db")), plain);
        assert_ne!(identity(&real.join("tea.db")), plain);
        assert!(plain.is_absolute());
    }

    #[test]
    fn a_relative_path_is_taken_from_the_working_directory() {
        let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
        assert_eq!(identity(Path::new("x/../shop.db")), cwd.join("shop.db"));
        assert_eq!(identity(Path::new("./shop.db")), cwd.join("shop.db"));
    }

    #[test]
    fn dot_dot_above_a_missing_directory_is_resolved_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let path = dir.path().join("missing/deeper/../../shop.db");
        assert_eq!(identity(&path), base.join("shop.db"));
    }
}
