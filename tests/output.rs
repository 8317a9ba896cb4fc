//! What the program writes for people and for machines: the `--json` objects (their key sets
//! pinned, a failed account's too), one JSON object per line with `log.format = json`, long
//! values cut in tables, and the raw JSON of the mirror in the order received.

mod helpers;

#[path = "output/failed.rs"]
mod failed;
#[path = "output/json_lines.rs"]
mod json_lines;
#[path = "output/keys.rs"]
mod keys;
#[path = "output/long_names.rs"]
mod long_names;
#[path = "output/raw_json.rs"]
mod raw_json;
#[path = "output/requests.rs"]
mod requests;
