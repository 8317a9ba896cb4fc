//! `systemd/catalog-sync.service` as the binary sees it: its `Environment=` lines and its
//! `LoadCredential=` token, with /etc and /var/lib moved into a temporary directory.

use std::collections::HashMap;
use std::time::Duration;

use crate::harness::{Setup, TOKEN};

/// `Environment=` and the `LoadCredential=` name of a unit file.
fn unit(text: &str) -> (HashMap<String, String>, String) {
    let mut env = HashMap::new();
    let mut credential = String::new();
    for line in text.lines() {
        if let Some(pair) = line.strip_prefix("Environment=") {
            let (k, v) = pair.split_once('=').unwrap();
            env.insert(k.to_owned(), v.to_owned());
        } else if let Some(spec) = line.strip_prefix("LoadCredential=") {
            credential = spec.split_once(':').unwrap().0.to_owned();
        }
    }
    (env, credential)
}

#[tokio::test]
async fn the_service_units_environment_and_credential_are_enough_for_a_run() {
    let setup = Setup::start().await;
    let root = setup.dir.path();
    for name in ["catalog-sync.service", "catalog-sync-once.service"] {
        let text = std::fs::read_to_string(format!("systemd/{name}")).unwrap();
        let (env, credential) = unit(&text);
        assert!(
            !env.contains_key("CATALOG_SYNC__AUTH__TOKEN"),
            "no token in {name}"
        );
        let moved = |v: &str| {
            v.replace("/etc/", &format!("{}/etc/", root.display()))
                .replace("/var/lib/", &format!("{}/var/lib/", root.display()))
        };
        for dir in ["etc/catalog-sync", "var/lib/catalog-sync", "credentials"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(
            root.join("etc/catalog-sync/catalog-sync.toml"),
            format!("[amocrm]\nbase_url = \"{}\"\n", setup.sandbox.base_url()),
        )
        .unwrap();
        std::fs::write(root.join("credentials").join(&credential), TOKEN).unwrap();

        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
            .arg("--once")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, moved(v))))
            .env("CREDENTIALS_DIRECTORY", root.join("credentials"))
            .current_dir(root)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(10), out)
            .await
            .unwrap()
            .unwrap();

        assert_eq!(out.status.code(), Some(0), "{name}: {out:?}");
        assert!(root.join("var/lib/catalog-sync/catalog-sync.db").exists());
    }
}

/// `ExecStart=`'s arguments after the binary, with the instance's specifiers filled in.
fn exec_args(text: &str, instance: &str) -> Vec<String> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("an ExecStart= line");
    let unescaped = instance.replace('-', "/");
    line.split_whitespace()
        .skip(1)
        .map(|arg| arg.replace("%I", &unescaped).replace("%i", instance))
        .collect()
}

#[tokio::test]
async fn the_template_unit_serves_its_instances_shard_from_its_credentials_directory() {
    let setup = Setup::start().await;
    let root = setup.dir.path();
    let text = std::fs::read_to_string("systemd/catalog-sync@.service").unwrap();
    let instance = "1-1";
    let (env, credential) = unit(&text);
    let args = exec_args(&text, instance);
    assert_eq!(args, ["run", "--shard", "1/1"]);
    let moved = |v: &str| {
        v.replace("%i", instance)
            .replace("/etc/", &format!("{}/etc/", root.display()))
            .replace("/var/lib/", &format!("{}/var/lib/", root.display()))
    };
    std::fs::create_dir_all(root.join("etc/catalog-sync")).unwrap();
    std::fs::create_dir_all(root.join("credentials")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/catalog-sync").join(instance)).unwrap();
    std::fs::write(
        root.join("etc/catalog-sync/accounts.toml"),
        format!(
            "[[accounts]]\nname = \"shop\"\nbase_url = \"{}\"\n\
             auth = {{ token_file = \"{credential}_shop\" }}\n",
            setup.sandbox.base_url()
        ),
    )
    .unwrap();
    // systemd names each file of the LoadCredential= directory <id>_<file>.
    std::fs::write(root.join(format!("credentials/{credential}_shop")), TOKEN).unwrap();

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .args(args.iter().skip(1))
        .arg("--once")
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, moved(v))))
        .env("CREDENTIALS_DIRECTORY", root.join("credentials"))
        .current_dir(root)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(10), out)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(root.join("var/lib/catalog-sync/1-1/shop.db").exists());
}
