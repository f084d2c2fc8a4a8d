//! [`ServiceConfig`]: the service's limits, cache budget and admin token, with the defaults of
//! design §7; sizes (`64MiB`) and durations (`100ms`) as people write them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use celd::protos::ProtoSources;
use celd::{Env, EnvBuilder, Limits, ParseOptions};
use celd_cache::CacheConfig;

/// Per-request limits (design §7). Exceeding one is an error of kind `limit` naming it.
#[derive(Clone, Debug)]
pub struct RequestLimits {
    /// Largest request body, in bytes (413 beyond). Default 1 MiB.
    pub max_body_bytes: usize,
    /// Longest expression, in Unicode code points. Default 100,000.
    pub max_expr_code_points: usize,
    /// Deepest nesting of an expression. Default 250.
    pub max_depth: u32,
    /// Cost units one evaluation may spend. Default 1,000,000.
    pub max_cost: u64,
    /// Wall-clock time one evaluation may take. Default 100 ms.
    pub eval_timeout: Duration,
    /// Wall-clock time a whole request may take, reading its body included (503 beyond).
    /// Default 10 s.
    pub request_timeout: Duration,
    /// Requests evaluated or checked at once; more are answered 503 at once. Default 64.
    pub max_concurrency: usize,
    /// Open connections; more wait in the kernel's accept queue. Default 4096.
    pub max_connections: usize,
    /// Largest `/v1/eval` response body, in bytes, counted while it is written (422,
    /// `limit`, beyond). Default 8 MiB.
    pub max_response_bytes: usize,
    /// Time from a connection's first byte of a request (or from its accept) to the end of
    /// the request's headers; the connection is closed beyond. Default 5 s.
    pub header_read_timeout: Duration,
    /// Time a keep-alive connection may stay idle between requests. Default 30 s; 1 s while
    /// the worker's connections are above three quarters of `max_connections`.
    pub keep_alive_timeout: Duration,
    /// Time a response may wait for a client that does not read it; the connection is
    /// closed beyond. Default 10 s.
    pub write_timeout: Duration,
    /// Bytes one request may allocate: its decoded body and variables, its environment and
    /// compilation, its evaluation (422, `limit`, beyond). Default 24 MiB.
    pub max_request_memory: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_body_bytes: 1 << 20,
            max_expr_code_points: 100_000,
            max_depth: 250,
            max_cost: 1_000_000,
            eval_timeout: Duration::from_millis(100),
            request_timeout: Duration::from_secs(10),
            max_concurrency: 64,
            max_connections: 4096,
            max_response_bytes: 8 << 20,
            header_read_timeout: Duration::from_secs(5),
            keep_alive_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            max_request_memory: 24 << 20,
        }
    }
}

/// The bearer token that opens `/debug/*`. Never printed: `Debug` shows `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

impl AdminToken {
    /// A token from a file's contents or an environment variable; surrounding whitespace (a
    /// trailing newline) is not part of it. An empty token is refused.
    pub fn new(text: &str) -> Result<AdminToken, ConfigError> {
        let token = text.trim();
        if token.is_empty() {
            return Err(ConfigError("the admin token is empty".into()));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError(
                "the admin token must be printable ASCII without spaces".into(),
            ));
        }
        Ok(AdminToken(token.to_owned()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

/// How evaluations are scheduled (see `dispatch.rs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Offload {
    /// Small requests run on the reactor thread with a short time slice and move to the
    /// blocking pool only if they outlast it; large ones go to the blocking pool at once.
    #[default]
    Auto,
    /// Every request is evaluated on the blocking pool.
    Always,
    /// Every request is evaluated on the reactor thread (for measurements).
    Never,
}

/// What a host program adds to the service's environment (functions, host types, struct
/// types), applied to the builder every worker starts from. A program that embeds the
/// service sets it in the configuration it passes to `serve`, so every worker (the same
/// binary, started again) has it.
#[derive(Clone)]
pub struct ExtendEnv(pub Arc<dyn Fn(EnvBuilder) -> EnvBuilder + Send + Sync>);

impl ExtendEnv {
    pub fn new(f: impl Fn(EnvBuilder) -> EnvBuilder + Send + Sync + 'static) -> ExtendEnv {
        ExtendEnv(Arc::new(f))
    }
}

impl fmt::Debug for ExtendEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExtendEnv(..)")
    }
}

/// Everything a worker needs to serve.
#[derive(Clone, Debug, Default)]
pub struct ServiceConfig {
    pub limits: RequestLimits,
    /// Bytes of compiled programs the cache may hold. Default 64 MiB.
    pub cache_bytes: u64,
    /// Message types: `.proto` files compiled at start-up, descriptor sets.
    pub protos: ProtoSources,
    pub admin_token: Option<AdminToken>,
    /// The host's additions to the environment, if any.
    pub extend_env: Option<ExtendEnv>,
    pub offload: Offload,
    /// The worker's generation (1 for the first) and the recycles before it, by reason, as
    /// the supervisor passed them.
    pub generation: u64,
    pub recycles: crate::metrics::Recycles,
    /// The supervisor's `--max-rss`, shown by the console and `/metrics`.
    pub max_rss: Option<u64>,
}

impl ServiceConfig {
    pub fn new() -> ServiceConfig {
        ServiceConfig {
            cache_bytes: CacheConfig::default().max_bytes,
            generation: 1,
            ..ServiceConfig::default()
        }
    }

    /// The base environment: the standard library, every extension, the message types and
    /// the host's additions, with these limits.
    pub fn base_env(&self) -> Result<Env, celd::Error> {
        let parse = ParseOptions {
            max_code_points: self.limits.max_expr_code_points,
            max_depth: self.limits.max_depth,
            ..ParseOptions::default()
        };
        let limits = Limits {
            max_cost: self.limits.max_cost,
            max_memory_bytes: self.limits.max_request_memory,
            ..Limits::default()
        };
        let mut builder = Env::builder()
            .all_extensions()
            .parse_options(parse)
            .limits(limits);
        if !self.protos.is_empty() {
            builder = builder.descriptor_pool(self.protos.load()?);
        }
        if let Some(extend) = &self.extend_env {
            builder = (extend.0)(builder);
        }
        builder.build()
    }

    /// The most resident memory a worker can reach with these limits: what it holds before
    /// any request (a generous 64 MiB), the program cache and the remembered environments at
    /// their budgets, every thread's run-time patterns (2 MiB each: the reactor threads and
    /// one blocking thread per evaluation slot), every connection's read buffer (64 KiB), and
    /// per evaluation slot a request's memory, its body and its response. README "How the
    /// limits compose" derives the default `--max-rss` (3 GiB) from it: 2.6 GiB.
    pub fn memory_bound(&self) -> u64 {
        let l = &self.limits;
        let mib = 1u64 << 20;
        let threads = l.max_concurrency as u64 + 2;
        let per_request =
            l.max_request_memory as u64 + l.max_response_bytes as u64 + l.max_body_bytes as u64;
        64 * mib
            + self.cache_bytes
            + CacheConfig::default().max_env_bytes
            + threads * (2 * mib)
            + l.max_connections as u64 * crate::conn::MAX_READ_BUFFER as u64
            + l.max_concurrency as u64 * per_request
    }

    pub fn cache_config(&self) -> CacheConfig {
        CacheConfig {
            max_bytes: self.cache_bytes,
            ..CacheConfig::default()
        }
    }
}

/// A bad flag value or configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A number with an optional fraction (`1.5`) followed by its unit, split.
fn number_and_unit(text: &str) -> Option<(f64, &str)> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    Some((number.parse().ok()?, unit.trim()))
}

/// Parses a size: `1048576B`, `512KiB`, `64MiB`, `1.5GiB` (`K`, `M`, `G` and `KB`, `MB`, `GB`
/// mean the same binary units). A number without a unit is an error: `--max-rss 400` more
/// likely meant MiB than bytes.
pub fn parse_size(text: &str) -> Result<u64, ConfigError> {
    let error = || {
        ConfigError(format!(
            "'{text}' is not a size (such as 1048576B, 64MiB, 1.5GiB: a number and its unit)"
        ))
    };
    let (n, unit) = number_and_unit(text).ok_or_else(error)?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(error()),
    };
    let bytes = (n * (1u64 << shift) as f64).round();
    if bytes >= u64::MAX as f64 {
        return Err(error());
    }
    Ok(bytes as u64)
}

/// Parses a duration: `1500us`, `100ms`, `1.5s`, `2m`, `1h`. A number without a unit is an
/// error, not seconds.
pub fn parse_duration(text: &str) -> Result<Duration, ConfigError> {
    let error = || {
        ConfigError(format!(
            "'{text}' is not a duration (such as 100ms, 1.5s, 2m: a number and its unit)"
        ))
    };
    let (n, unit) = number_and_unit(text).ok_or_else(error)?;
    let seconds_per_unit = match unit {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(error()),
    };
    Duration::try_from_secs_f64(n * seconds_per_unit).map_err(|_| error())
}

/// Parses a listening address: `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`), a name that
/// resolves (`localhost:8080`, to its first IPv4 address if it has one), or `:PORT` for every
/// interface (`0.0.0.0`), as Go programs and `opa run --addr` read it.
pub fn parse_listen(text: &str) -> Result<std::net::SocketAddr, ConfigError> {
    use std::net::{SocketAddr, ToSocketAddrs};
    let error = |why: String| {
        ConfigError(format!(
            "'{text}' is not an address to listen on (such as 127.0.0.1:8080, localhost:8080, :8080): {why}"
        ))
    };
    let t = text.trim();
    if let Some(port) = t.strip_prefix(':') {
        let port: u16 = port.parse().map_err(|_| error("bad port".into()))?;
        return Ok(SocketAddr::from(([0, 0, 0, 0], port)));
    }
    if let Ok(addr) = t.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if !t.contains(':') {
        return Err(error("no port".into()));
    }
    let addrs: Vec<SocketAddr> = t
        .to_socket_addrs()
        .map_err(|e| error(e.to_string()))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| error("the name has no address".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_compose_under_the_default_max_rss() {
        let config = ServiceConfig::new();
        assert!(
            config.memory_bound() < 3 << 30,
            "{}",
            config.memory_bound() >> 20
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576B"), Ok(1 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("0.5k"), Ok(512));
        assert!(parse_size("1048576").is_err(), "a bare number has no unit");
        assert!(parse_size("1.GiB").is_err());
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("512KB"), Ok(512 << 10));
        assert!(parse_size("").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert!(
            parse_duration("30").is_err(),
            "a bare number is not seconds"
        );
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0.25ms"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn listen_addresses() {
        let addr = |t| parse_listen(t).map(|a| a.to_string());
        assert_eq!(addr("127.0.0.1:8080"), Ok("127.0.0.1:8080".into()));
        assert_eq!(addr(":8080"), Ok("0.0.0.0:8080".into()));
        assert_eq!(addr("localhost:8080"), Ok("127.0.0.1:8080".into()));
        assert_eq!(addr("[::1]:9"), Ok("[::1]:9".into()));
        assert!(parse_listen("localhost").is_err());
        assert!(parse_listen(":http").is_err());
    }

    #[test]
    fn tokens_are_trimmed_and_never_printed() {
        let token = AdminToken::new("s3cret\n").unwrap();
        assert_eq!(token.as_bytes(), b"s3cret");
        assert!(!format!("{token:?}").contains("s3cret"));
        assert!(AdminToken::new(" \n").is_err());
        assert!(AdminToken::new("two words").is_err());
    }
}
