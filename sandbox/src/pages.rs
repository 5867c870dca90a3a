//! The HTML the sandbox serves to browsers (the bank's 3D page, the PayLink payer's page)
//! and the auto-submitting forms that move the browser between shop, Paynet and bank.
//! Every value that goes into a page passes through [`escape`].

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A complete page; `title` is escaped here, `body` must already be safe HTML.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"tr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}\
main{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:8px}\
dt{font-weight:600}dd{margin:0 0 .5rem}.error{color:#b00020}.note{color:#555;font-size:.9rem}\
label{display:block;margin-top:.5rem}input{width:100%;box-sizing:border-box;padding:.4rem}\
button{margin-top:1rem;padding:.5rem 1rem}";

/// A page whose form sends the browser on at once (`method` `get` or `post`): the hidden
/// `fields` in order, a visible button for browsers without JavaScript.
pub fn auto_submit(
    method: &str,
    action: &str,
    fields: &[(String, String)],
    message: &str,
) -> String {
    let mut body = format!(
        "<p id=\"message\">{}</p>\n<form id=\"paynet-auto-submit\" method=\"{}\" action=\"{}\">\n",
        escape(message),
        escape(method),
        escape(action)
    );
    for (name, value) in fields {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(name),
            escape(value)
        ));
    }
    body.push_str(
        "<noscript><button type=\"submit\">Devam et (Continue)</button></noscript>\n</form>\n\
         <script>document.getElementById(\"paynet-auto-submit\").submit();</script>\n",
    );
    document(message, &body)
}

pub fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // The pages carry card summaries and one-time state: never cache them.
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn auto_submit_escapes_action_and_fields() {
        let page = auto_submit(
            "post",
            "https://shop.example/return?a=1&b=\"2\"",
            &[("md_error_message".to_owned(), "<script>".to_owned())],
            "Yönlendiriliyorsunuz",
        );
        assert!(page.contains("action=\"https://shop.example/return?a=1&amp;b=&quot;2&quot;\""));
        assert!(page.contains("value=\"&lt;script&gt;\""));
        assert!(page.contains("<noscript><button type=\"submit\">"));
    }
}
