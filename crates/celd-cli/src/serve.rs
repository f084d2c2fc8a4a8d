//! `celd serve`: validated flags into the service's options (the admin token read from its
//! file or `CELD_ADMIN_TOKEN`), then the service runs until it is told to stop.

use celd::protos::ProtoSources;
use celd_server::config::{AdminToken, Offload, RequestLimits, ServiceConfig};
use celd_server::logging::LogFormat;
use celd_server::{Role, ServeOptions};

use crate::Failure;
use crate::args::{LogFormatArg, OffloadArg, ServeArgs};

/// The environment variable an admin token may come from.
const TOKEN_VAR: &str = "CELD_ADMIN_TOKEN";

pub fn serve(args: ServeArgs) -> Result<(), Failure> {
    let options = options(args)?;
    if options.role != Role::Worker {
        // Bad message types or limits are usage errors now, not a worker that fails to start.
        options
            .service
            .base_env()
            .map_err(|e| Failure::Usage(e.message().to_owned()))?;
    }
    celd_server::serve::run(options).map_err(|e| Failure::Usage(e.to_string()))
}

fn options(args: ServeArgs) -> Result<ServeOptions, Failure> {
    let role = match (args.worker, args.no_supervisor) {
        (true, _) => Role::Worker,
        (false, true) => Role::Single,
        (false, false) => Role::Supervisor,
    };
    let mut service = ServiceConfig::new();
    service.limits = RequestLimits {
        max_body_bytes: usize::try_from(args.max_body).unwrap_or(usize::MAX),
        max_expr_code_points: args.max_expr_size,
        max_depth: args.max_depth,
        max_cost: args.max_cost,
        eval_timeout: args.eval_timeout,
        request_timeout: args.request_timeout,
        max_concurrency: args.max_concurrency,
        max_connections: args.max_connections,
        max_response_bytes: usize::try_from(args.max_response).unwrap_or(usize::MAX),
        header_read_timeout: args.header_read_timeout,
        keep_alive_timeout: args.keep_alive_timeout,
        write_timeout: args.write_timeout,
        max_request_memory: usize::try_from(args.max_request_memory).unwrap_or(usize::MAX),
    };
    service.cache_bytes = args.cache_bytes;
    // The recycling threshold, for the console and `/metrics` (no supervisor: none).
    service.max_rss = (!args.no_supervisor).then_some(args.max_rss);
    service.protos = ProtoSources {
        proto_files: args.protos.clone(),
        include_dirs: args.proto_paths.clone(),
        descriptor_sets: args.descriptor_sets.clone(),
    };
    service.admin_token = admin_token(&args)?;
    service.offload = match args.offload {
        OffloadArg::Auto => Offload::Auto,
        OffloadArg::Always => Offload::Always,
        OffloadArg::Never => Offload::Never,
    };
    Ok(ServeOptions {
        role,
        listen: args.listen,
        service,
        max_rss: (!args.no_supervisor).then_some(args.max_rss),
        max_rss_hard: args.max_rss_hard,
        drain_timeout: args.drain_timeout,
        ready_file: args.ready_file,
        log_format: match args.log_format {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        },
        log_level: args.log_level,
        worker_args: std::env::args_os().skip(1).collect(),
    })
}

/// The token from `--admin-token-file`, else from `CELD_ADMIN_TOKEN`; none disables /debug.
fn admin_token(args: &ServeArgs) -> Result<Option<AdminToken>, Failure> {
    let text = match &args.admin_token_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("--admin-token-file {}: {e}", path.display())))?,
        None => match std::env::var(TOKEN_VAR) {
            Ok(text) => text,
            Err(_) => return Ok(None),
        },
    };
    AdminToken::new(&text)
        .map(Some)
        .map_err(|e| Failure::Usage(format!("admin token: {e}")))
}
