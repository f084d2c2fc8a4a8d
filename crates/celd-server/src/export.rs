//! `GET /debug/export`: every loaded program with its dump, as one JSON file — the equivalent
//! of saving every generated module to disk. The cache is walked once on the blocking pool and
//! the file streamed as it is written, a few chunks ahead of the client at most, so an export
//! of a full cache holds one program's dump at a time. One export runs at a time per worker.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use crate::api::ApiError;
use crate::app::AppState;
use crate::explain::DumpBody;
use crate::live::unix_ms;

/// The `format` field of an export; a change of its shape changes the number.
pub const FORMAT: &str = "celd-programs/1";

/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 32 << 10;

/// Chunks written ahead of the client.
const CHUNKS_AHEAD: usize = 4;

/// Everything but the programs, which follow as the `programs` array.
#[derive(Serialize)]
struct Head {
    format: &'static str,
    exported_unix_ms: u64,
    pid: u32,
    generation: u64,
    cache: crate::live::Sample,
    max_bytes: u64,
}

/// One program of the export: its inventory line and its dump (or why there is none).
#[derive(Serialize)]
struct ExportedProgram {
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
    #[serde(skip_serializing_if = "Option::is_none")]
    dump: Option<DumpBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dump_error: Option<String>,
}

pub async fn export(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let permit = state
        .exports
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Overloaded)?;
    let (tx, rx) = mpsc::channel::<Bytes>(CHUNKS_AHEAD);
    tokio::task::spawn_blocking(move || write(&state, &tx, permit));
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, Infallible>(chunk), rx))
    });
    let mut response = Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let name = format!(
        "attachment; filename=\"celd-programs-{}.json\"",
        unix_ms(SystemTime::now())
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Writes the export into `tx` chunk by chunk; stops early when the client has gone.
fn write(state: &AppState, tx: &mpsc::Sender<Bytes>, _permit: OwnedSemaphorePermit) {
    let cache = state.evaluator.cache();
    cache.run_pending_tasks();
    let head = Head {
        format: FORMAT,
        exported_unix_ms: unix_ms(SystemTime::now()),
        pid: std::process::id(),
        generation: state.worker.info.generation,
        cache: crate::live::sample(state),
        max_bytes: cache.config().max_bytes,
    };
    let mut out = match serde_json::to_vec(&head) {
        Ok(head) => head,
        Err(_) => return,
    };
    out.pop(); // the closing brace: the programs follow
    out.extend_from_slice(b",\"programs\":[");
    for (i, (info, dump)) in cache.dumps().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let (dump, dump_error) = match dump {
            Ok(dump) => (Some(DumpBody::from(dump)), None),
            Err(e) => (None, Some(e.message().to_owned())),
        };
        let program = ExportedProgram {
            id: info.id.to_string(),
            template: info.template,
            origin: info.origin,
            result_type: info.result_type,
            params: info.params,
            hits: info.hits,
            bytes: info.bytes,
            compile_seconds: info.compile_time.as_secs_f64(),
            age_seconds: info.age.as_secs_f64(),
            idle_seconds: info.idle.as_secs_f64(),
            dump,
            dump_error,
        };
        if serde_json::to_writer(&mut out, &program).is_err() {
            return;
        }
        if out.len() >= CHUNK_BYTES && tx.blocking_send(std::mem::take(&mut out).into()).is_err() {
            return;
        }
    }
    out.extend_from_slice(b"]}\n");
    let _ = tx.blocking_send(out.into());
}
