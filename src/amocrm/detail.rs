//! What an error body says, whichever shape it came in: the v2 envelope
//! `{"response":{"error","error_code"}}`, problem JSON `{"title","detail","status"}`, an HTML
//! page (nginx's 403 block), plain text, or nothing at all.

use serde_json::Value;

use super::wire::{int, text};

/// Details are cut to this many characters: enough to read, short enough for a log line.
const MAX_DETAIL_CHARS: usize = 300;

/// The readable gist of an error body and the amoCRM error code it carries, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    pub detail: String,
    pub code: Option<i64>,
}

/// Describes any body; never fails.
pub(crate) fn describe(body: &[u8]) -> ErrorBody {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return ErrorBody {
            detail: "an empty body".into(),
            code: None,
        };
    }
    if let Ok(json) = serde_json::from_str::<Value>(text) {
        return error_json(&json).unwrap_or_else(|| ErrorBody {
            detail: truncate(text),
            code: None,
        });
    }
    if looks_like_html(text) {
        let detail = match html_title(text) {
            Some(title) => format!("an HTML page titled {:?}", truncate(&title)),
            None => "an HTML page".into(),
        };
        return ErrorBody { detail, code: None };
    }
    ErrorBody {
        detail: truncate(&collapse_whitespace(text)),
        code: None,
    }
}

/// Reads a JSON body as an error envelope; `None` when it is not one (a 2xx answer then is data).
pub(crate) fn error_json(json: &Value) -> Option<ErrorBody> {
    if let Some(response) = json.get("response").filter(|r| r.get("error").is_some()) {
        let message = response.get("error").and_then(text).unwrap_or_default();
        let code = response
            .get("error_code")
            .and_then(int)
            .or_else(|| code_in_text(&message));
        let detail = match code {
            Some(code) if !message.is_empty() => format!("{message} (error code {code})"),
            Some(code) => format!("error code {code}"),
            None => message,
        };
        return Some(ErrorBody {
            detail: truncate(&detail),
            code,
        });
    }
    let title = json.get("title").and_then(text);
    let detail = json.get("detail").and_then(text);
    if title.is_none() && detail.is_none() {
        return None;
    }
    let code = json
        .get("error_code")
        .and_then(int)
        .or_else(|| detail.as_deref().and_then(code_in_text));
    let detail = match (title, detail) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => unreachable!("checked above"),
    };
    Some(ErrorBody {
        detail: truncate(&detail),
        code,
    })
}

/// Finds "Код ошибки 244" / "error code 244" in a message (problem JSON hides the code there).
fn code_in_text(message: &str) -> Option<i64> {
    let lower = message.to_lowercase();
    ["код ошибки", "error code", "error_code"]
        .iter()
        .find_map(|marker| {
            let rest = &lower[lower.find(marker)? + marker.len()..];
            let rest = rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '#' | '№' | '=')
            });
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with('<')
        && (head.contains("<html") || head.contains("<!doctype") || head.contains("<title"))
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = collapse_whitespace(&text[start..end]);
    (!title.is_empty()).then_some(title)
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts a text to [`MAX_DETAIL_CHARS`] characters, marking the cut.
pub(crate) fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2_401: &str =
        include_str!("../../tests/fixtures/amocrm/v2-error-401-auth-code-110-captured.json");
    const PROBLEM_401: &str =
        include_str!("../../tests/fixtures/amocrm/v4-problem-json-401-captured.json");
    const PROBLEM_244: &str =
        include_str!("../../tests/fixtures/amocrm/v4-problem-json-400-code-244-captured.json");
    const OAUTH_401: &str =
        include_str!("../../tests/fixtures/amocrm/oauth2-error-401-invalid-client-captured.json");
    const VALIDATION_400: &str =
        include_str!("../../tests/fixtures/amocrm/v4-validation-errors-400-docs-example.json");
    const NGINX_403: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n\
        <center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    #[test]
    fn the_v2_envelope_gives_its_message_and_a_code_sent_as_a_string() {
        let body = describe(V2_401.as_bytes());
        assert_eq!(body.code, Some(110));
        assert_eq!(body.detail, "Неверный логин или пароль (error code 110)");
    }

    #[test]
    fn a_numeric_error_code_in_the_v2_envelope_is_read_too() {
        let body = describe(br#"{"response":{"error":"No rights","error_code":244}}"#);
        assert_eq!(body.code, Some(244));
    }

    #[test]
    fn problem_json_gives_title_and_detail() {
        let body = describe(PROBLEM_401.as_bytes());
        assert_eq!(body.detail, "Unauthorized: Неверный логин или пароль");
        assert_eq!(body.code, None);
        assert!(
            describe(OAUTH_401.as_bytes())
                .detail
                .starts_with("Некорректный клиент: ")
        );
        assert_eq!(
            describe(VALIDATION_400.as_bytes()).detail,
            "Bad Request: Request validation failed"
        );
    }

    #[test]
    fn problem_json_carries_code_244_inside_its_detail() {
        let body = describe(PROBLEM_244.as_bytes());
        assert_eq!(body.code, Some(244));
        assert!(body.detail.starts_with("Bad Request: Код ошибки 244."));
    }

    #[test]
    fn an_html_page_is_described_by_its_title() {
        assert_eq!(
            describe(NGINX_403.as_bytes()).detail,
            "an HTML page titled \"403 Forbidden\""
        );
        assert_eq!(
            describe(b"<!DOCTYPE html><html><body>no</body></html>").detail,
            "an HTML page"
        );
    }

    #[test]
    fn empty_and_blank_bodies_are_said_to_be_empty() {
        assert_eq!(describe(b"").detail, "an empty body");
        assert_eq!(describe(b" \r\n").detail, "an empty body");
    }

    #[test]
    fn plain_text_and_other_json_are_quoted_and_cut_to_length() {
        assert_eq!(describe(b"Bad   Gateway\n").detail, "Bad Gateway");
        assert_eq!(describe(br#"{"foo":1}"#).detail, r#"{"foo":1}"#);
        let long = "я".repeat(1000);
        let detail = describe(long.as_bytes()).detail;
        assert_eq!(detail.chars().count(), MAX_DETAIL_CHARS + 1);
        assert!(detail.ends_with('…'));
    }

    #[test]
    fn a_body_that_is_not_utf8_is_still_described() {
        assert_eq!(
            describe(&[0xff, 0xfe, b'o', b'k']).detail,
            "\u{fffd}\u{fffd}ok"
        );
    }

    #[test]
    fn a_data_body_is_not_an_error_envelope() {
        let list: Value = serde_json::from_str(r#"{"_embedded":{"items":[]}}"#).unwrap();
        assert_eq!(error_json(&list), None);
    }
}
