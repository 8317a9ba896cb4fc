//! Which problems of the list form refuse the whole configuration (names, database files,
//! `database.dir`) and which break only their account, and how a broken account's secrets are
//! read again.

use catalog_sync::config::AuthSettings;

use crate::config::{Dir, SECRET, entry};

#[test]
fn a_missing_token_file_breaks_only_its_account_and_is_read_again_before_its_runs() {
    let dir = Dir::new();
    let token_file = dir.path().join("tea-token");
    let toml = format!(
        "{}[[accounts]]\nname = \"tea\"\nbase_url = \"https://tea.amocrm.ru\"\n\
         auth = {{ token_file = \"{}\" }}\nsync = {{ run_on_start = false }}\n{}",
        entry("shop", ""),
        token_file.display(),
        entry("cars", "")
    );

    let s = dir.load(&toml).expect("one broken account refuses nothing");

    let names: Vec<&str> = s.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["shop", "tea", "cars"]);
    assert_eq!(s.account("shop").unwrap().problem, None);
    assert_eq!(s.account("cars").unwrap().problem, None);
    let tea = s.account("tea").unwrap();
    let problem = tea.problem.as_ref().unwrap();
    assert!(
        problem.to_string().starts_with(&format!(
            "account tea: accounts[1].auth.token_file: cannot read {}",
            token_file.display()
        )),
        "{problem}"
    );
    assert!(problem.rereads_secrets());
    assert!(tea.sync.run_on_start, "tried at once, to be reported");
    assert!(tea.ready().is_err());

    std::fs::write(&token_file, format!("{SECRET}\n")).unwrap();
    let ready = tea.ready().expect("the file is read again");
    assert_eq!(ready.problem, None);
    assert!(matches!(&ready.auth, AuthSettings::Token { token } if token.expose() == SECRET));
    assert_eq!(ready.amocrm.base_url.to_string(), "https://tea.amocrm.ru");
}

#[test]
fn an_account_with_other_problems_is_not_read_again() {
    let toml = "[[accounts]]\nname = \"shop\"\nbase_url = \"https://www.kommo.com\"\n\
                auth = { token_file = \"/nonexistent/shop-token\" }\n";
    let s = Dir::new().load(toml).unwrap();
    let shop = &s.accounts[0];
    let problem = shop.problem.as_ref().unwrap();
    assert!(!problem.rereads_secrets(), "{problem}");
    let keys: Vec<&str> = problem.problems().iter().filter_map(|p| p.key()).collect();
    assert_eq!(
        keys,
        ["accounts[0].base_url", "accounts[0].auth.token_file"],
        "{problem}"
    );
}

#[test]
fn a_duplicate_name_is_refused_even_when_the_entry_is_broken_too() {
    let toml = entry("shop", "")
        + &entry(
            "shop",
            "database = \"b.db\"\nsync = { batch_size = 0 }\nbasurl = \"x\"",
        );
    let text = Dir::new().refused(&toml);
    assert!(
        text.contains("accounts[1].name: \"shop\" is already the name of accounts[0]"),
        "{text}"
    );
}

#[test]
fn the_problems_of_an_entry_without_a_usable_name_refuse_the_configuration_unprefixed() {
    let toml = entry("Shop", "sync = { batch_size = 0 }\nbasurl = \"x\"") + &entry("tea", "");
    let err = Dir::new().load(&toml).unwrap_err();
    let text = err.to_string();
    let keys: Vec<&str> = err.problems().iter().filter_map(|p| p.key()).collect();
    assert_eq!(
        keys,
        [
            "accounts[0].name",
            "accounts[0].basurl",
            "accounts[0].sync.batch_size"
        ],
        "{text}"
    );
    assert!(!text.contains("account Shop"), "{text}");
}

#[test]
fn one_database_file_written_two_ways_is_refused() {
    let dir = Dir::new();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
    let cwd = std::env::current_dir().unwrap();
    let cases = [
        // database.dir "." and an absolute path to the same place.
        (
            "same.db".to_owned(),
            cwd.join("same.db").display().to_string(),
        ),
        (
            real.join("x.db").display().to_string(),
            real.join("sub/../x.db").display().to_string(),
        ),
        (
            real.join("x.db").display().to_string(),
            dir.path().join("link/x.db").display().to_string(),
        ),
    ];
    for (first, second) in cases {
        let toml = format!(
            "[database]\ndir = \".\"\n{}{}",
            entry("shop", &format!("database = \"{first}\"")),
            entry("tea", &format!("database = \"{second}\""))
        );
        let text = dir.refused(&toml);
        assert!(
            text.contains("accounts[1].database: ")
                && text.contains("is already the database of accounts[0] (written ")
                && text.contains("every account needs its own file"),
            "{first} / {second}: {text}"
        );
    }
}

#[test]
fn an_empty_database_dir_is_refused() {
    let text = Dir::new().refused(&format!("[database]\ndir = \"\"\n{}", entry("shop", "")));
    assert!(
        text.contains("database.dir is empty: set the directory of the account databases"),
        "{text}"
    );
}

#[test]
fn unknown_keys_in_an_entry_break_that_account_with_a_suggestion() {
    let toml = entry(
        "shop",
        "basurl = \"x\"\ntoken = \"y\"\nsync = { shedule = \"* * * * *\" }",
    ) + &entry("tea", "");
    let text = Dir::new().broken(&toml, "shop");
    assert!(text.starts_with("account shop: "), "{text}");
    for wanted in [
        "unknown key accounts[0].basurl (did you mean base_url?)",
        "unknown key accounts[0].token (did you mean auth = { token = ... }?)",
        "unknown key accounts[0].sync.shedule (did you mean schedule?)",
    ] {
        assert!(text.contains(wanted), "{wanted}\n  in: {text}");
    }
    assert!(!text.contains(SECRET));
}

#[test]
fn a_bad_address_names_the_accounts_base_url() {
    let toml = entry("shop", "")
        + "[[accounts]]\nname = \"tea\"\nbase_url = \"https://www.kommo.com\"\nauth = { token = \"t\" }\n";
    let text = Dir::new().broken(&toml, "tea");
    assert!(
        text.starts_with(
            "account tea: accounts[1].base_url: www.kommo.com is the product's own site"
        ),
        "{text}"
    );
    assert!(text.contains("https://yourcompany.kommo.com"), "{text}");
}

#[test]
fn an_unreadable_token_file_names_the_account_key_and_path() {
    let dir = Dir::new();
    let toml = "[[accounts]]\nname = \"shop\"\nbase_url = \"https://shop.amocrm.ru\"\n\
                auth = { token_file = \"/nonexistent/shop-token\" }\n";
    let text = dir.broken(toml, "shop");
    assert!(
        text.starts_with(
            "account shop: accounts[0].auth.token_file: cannot read /nonexistent/shop-token"
        ),
        "{text}"
    );
    let empty = dir.broken(
        "[[accounts]]\nname = \"shop\"\nbase_url = \"https://shop.amocrm.ru\"\n",
        "shop",
    );
    assert!(
        empty.contains("account shop: accounts[0].auth.token is empty: set accounts[0].auth.token or accounts[0].auth.token_file"),
        "{empty}"
    );
}
