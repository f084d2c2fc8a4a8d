//! The web console: pages and assets embedded in the binary (`console/` beside `src/`), served
//! under `/console/`, and the admin routes only the console needs (`/debug/stats`,
//! `/debug/export`). The pages are plain HTML, CSS and JavaScript modules, with no build
//! step and nothing loaded from elsewhere (the Content-Security-Policy says so).
//!
//! - `/console/`: live diagnosis — figures and charts from `/debug/stats`, the inventory, a
//!   program's dump, recent compile storms, the export (all behind the admin token, which the
//!   page keeps in the browser session only).
//! - `/console/playground`: evaluate an expression through `/v1/eval`, open like it.

use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::api::ApiError;
use crate::app::{AppState, only_get};

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

impl Asset {
    /// A strong validator: the FNV-1a hash of the content, fixed at build time.
    fn etag(&self) -> String {
        format!("\"{:016x}\"", fnv1a(self.body.as_bytes()))
    }
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_str!(concat!("../console/", $name)),
        }
    };
}

/// The pages.
const CONSOLE_PAGE: Asset = asset!("index.html", HTML);
const PLAYGROUND_PAGE: Asset = asset!("playground.html", HTML);

/// What `/console/assets/{name}` serves.
const ASSETS: &[Asset] = &[
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("common.js", JS),
    asset!("charts.js", JS),
    asset!("console.js", JS),
    asset!("playground.js", JS),
    asset!("favicon.svg", "image/svg+xml"),
];

/// Only this origin's scripts, styles and requests; no frames, no plugins, no inline code.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The console's pages and assets (open), and its admin routes (behind the token).
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let admin = Router::new()
        .route("/debug/stats", only_get(get(crate::live::stats)))
        .route("/debug/export", only_get(get(crate::export::export)))
        .route_layer(middleware::from_fn_with_state(
            state,
            crate::admin::require_admin,
        ));
    Router::new()
        .route("/", only_get(get(|| async { Redirect::to("/console/") })))
        .route(
            "/console",
            only_get(get(|| async { Redirect::to("/console/") })),
        )
        .route("/console/", only_get(get(console_page)))
        .route("/console/playground", only_get(get(playground_page)))
        .route("/console/assets/{name}", only_get(get(asset)))
        .merge(admin)
}

async fn console_page(headers: HeaderMap) -> Response {
    serve(&CONSOLE_PAGE, &headers)
}

async fn playground_page(headers: HeaderMap) -> Response {
    serve(&PLAYGROUND_PAGE, &headers)
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => serve(asset, &headers),
        None => {
            let shown: String = name.chars().take(100).collect();
            ApiError::NotFound(format!("/console/assets/{shown}")).into_response()
        }
    }
}

/// The asset, or 304 when the client holds this version. Clients revalidate every time
/// (`no-cache`), so a new binary's console is seen at once.
fn serve(asset: &Asset, request: &HeaderMap) -> Response {
    let etag = asset.etag();
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    let fixed = [
        (header::CACHE_CONTROL, "no-cache"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file a page names is served, and every served file is named somewhere.
    #[test]
    fn pages_name_exactly_the_embedded_assets() {
        let pages = [CONSOLE_PAGE.body, PLAYGROUND_PAGE.body];
        let scripts: String = ASSETS
            .iter()
            .filter(|a| a.content_type == JS)
            .map(|a| a.body)
            .collect();
        for asset in ASSETS {
            let reference = format!("/console/assets/{}", asset.name);
            let relative = format!("./{}", asset.name);
            let named = pages.iter().any(|p| p.contains(&reference)) || scripts.contains(&relative);
            assert!(named, "{} is never used", asset.name);
        }
        for page in pages {
            for (at, _) in page.match_indices("/console/assets/") {
                let rest = &page[at + "/console/assets/".len()..];
                let name: String = rest.chars().take_while(|c| *c != '"').collect();
                assert!(
                    ASSETS.iter().any(|a| a.name == name),
                    "{name} is not embedded"
                );
            }
        }
    }

    #[test]
    fn nothing_is_loaded_from_elsewhere() {
        for asset in ASSETS.iter().chain([&CONSOLE_PAGE, &PLAYGROUND_PAGE]) {
            for scheme in ["http://", "https://", "//cdn"] {
                let found = asset
                    .body
                    .match_indices(scheme)
                    .any(|(at, _)| !asset.body[at..].starts_with("http://www.w3.org/"));
                assert!(!found, "{} names {scheme}", asset.name);
            }
        }
    }
}
