//! `/debug/*`: the program inventory and program dumps, behind the admin bearer token
//! (compared in constant time; 403 when no token is configured, 401 on a missing or wrong one).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use celd_cache::{CacheStats, ProgramDump, ProgramId, ProgramInfo, SortBy};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::api::ApiError;
use crate::app::{AppState, only_get};

/// The `/debug` routes with the token check in front of them.
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/debug/programs", only_get(get(programs)))
        .route("/debug/programs/{id}", only_get(get(program)))
        .route_layer(middleware::from_fn_with_state(state, require_admin))
}

/// The token check in front of every `/debug` route.
pub(crate) async fn require_admin(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(token) = &state.admin_token else {
        return Err(ApiError::Forbidden);
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer);
    match given {
        Some(given) if bool::from(given.as_bytes().ct_eq(token.as_bytes())) => {
            Ok(next.run(req).await)
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

#[derive(Deserialize)]
struct ListQuery {
    sort: Option<String>,
}

/// One live program as `/debug/programs` lists it.
#[derive(Serialize)]
struct ProgramJson {
    id: String,
    template: String,
    origin: Option<String>,
    result_type: String,
    params: u32,
    hits: u64,
    bytes: u64,
    compile_seconds: f64,
    age_seconds: f64,
    idle_seconds: f64,
}

impl From<ProgramInfo> for ProgramJson {
    fn from(p: ProgramInfo) -> ProgramJson {
        ProgramJson {
            id: p.id.to_string(),
            template: p.template,
            origin: p.origin,
            result_type: p.result_type,
            params: p.params,
            hits: p.hits,
            bytes: p.bytes,
            compile_seconds: p.compile_time.as_secs_f64(),
            age_seconds: p.age.as_secs_f64(),
            idle_seconds: p.idle.as_secs_f64(),
        }
    }
}

#[derive(Serialize)]
struct CacheJson {
    programs_loaded: u64,
    bytes_held: u64,
    max_bytes: u64,
    compilations: u64,
    compile_failures: u64,
    hits: u64,
    misses: u64,
    evictions: u64,
    storms: u64,
}

impl From<CacheStats> for CacheJson {
    fn from(s: CacheStats) -> CacheJson {
        CacheJson {
            programs_loaded: s.programs_loaded,
            bytes_held: s.bytes_held,
            max_bytes: s.max_bytes,
            compilations: s.compilations,
            compile_failures: s.compile_failures,
            hits: s.hits,
            misses: s.misses,
            evictions: s.evictions,
            storms: s.storms,
        }
    }
}

#[derive(Serialize)]
struct InventoryJson {
    sort: &'static str,
    cache: CacheJson,
    programs: Vec<ProgramJson>,
}

async fn programs(
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Json<InventoryJson>, ApiError> {
    let (sort, name) = match query.sort.as_deref() {
        None | Some("hits") => (SortBy::Hits, "hits"),
        Some("bytes") => (SortBy::Bytes, "bytes"),
        Some("age") => (SortBy::Age, "age"),
        Some(other) => {
            let shown: String = other.chars().take(40).collect();
            return Err(ApiError::Request(format!(
                "sort '{shown}': sort by hits, bytes or age"
            )));
        }
    };
    let cache = state.evaluator.cache();
    cache.run_pending_tasks();
    Ok(Json(InventoryJson {
        sort: name,
        cache: cache.stats().into(),
        programs: cache.inventory(sort).into_iter().map(Into::into).collect(),
    }))
}

/// One parameter slot of a program dump.
#[derive(Serialize)]
struct SlotJson {
    slot: u32,
    #[serde(rename = "type")]
    ty: &'static str,
    value: String,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct DumpJson {
    id: String,
    template: String,
    result_type: String,
    parameters: Vec<SlotJson>,
    checked: String,
    plan: String,
    stats: ProgramJson,
}

fn dump_json(dump: ProgramDump, info: ProgramInfo) -> DumpJson {
    DumpJson {
        id: dump.id.to_string(),
        template: dump.template,
        result_type: dump.result_type,
        parameters: dump
            .slots
            .into_iter()
            .map(|s| SlotJson {
                slot: s.slot,
                ty: s.ty,
                value: s.value,
                line: s.line,
                column: s.column,
            })
            .collect(),
        checked: dump.checked,
        plan: dump.plan,
        stats: info.into(),
    }
}

async fn program(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let shown: String = id.chars().take(40).collect();
    let program_id: ProgramId = id
        .parse()
        .map_err(|e| ApiError::Request(format!("program id '{shown}': {e}")))?;
    let not_found = || ApiError::NotFound(format!("program {shown}"));
    let cache = state.evaluator.cache();
    let info = cache.program_info(program_id).ok_or_else(not_found)?;
    let dump = cache
        .dump(program_id)
        .ok_or_else(not_found)?
        .map_err(|e| ApiError::Internal(format!("dump of program {shown}: {e}")))?;
    Ok(Json(dump_json(dump, info)).into_response())
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer"), None);
    }
}
