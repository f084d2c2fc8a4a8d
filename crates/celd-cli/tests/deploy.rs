//! `deploy/` stays in step with the binary: the Dockerfile and the Kubernetes manifests parse,
//! every flag they give `celd serve` is one it accepts (the Deployment's own arguments start a
//! real server here), every port and path they name is one that server answers, and the figures
//! that must agree do (the memory limit and `--max-rss`, the grace period and
//! `--drain-timeout`). No container engine or cluster is needed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use celd_server::config::{parse_duration, parse_size};
use serde_json::Value as Json;

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml(path: &Path) -> Json {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every resource the kustomize base lists, parsed.
fn base() -> Vec<Json> {
    let dir = deploy_dir().join("kubernetes/base");
    let kustomization = yaml(&dir.join("kustomization.yaml"));
    assert_eq!(kustomization["kind"], "Kustomization");
    let resources = kustomization["resources"].as_array().expect("resources");
    resources
        .iter()
        .map(|r| yaml(&dir.join(r.as_str().expect("a file name"))))
        .collect()
}

fn kind<'a>(resources: &'a [Json], kind: &str) -> &'a Json {
    let found: Vec<&Json> = resources.iter().filter(|r| r["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} in the base");
    found[0]
}

fn container(resources: &[Json]) -> Json {
    let deployment = kind(resources, "Deployment");
    let containers = deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers");
    assert_eq!(containers.len(), 1);
    containers[0].clone()
}

fn args(container: &Json) -> Vec<String> {
    container["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("a string argument").to_owned())
        .collect()
}

/// The value after `flag` in `args`.
fn flag<'a>(args: &'a [String], flag: &str) -> &'a str {
    let at = args.iter().position(|a| a == flag);
    at.and_then(|i| args.get(i + 1))
        .unwrap_or_else(|| panic!("{flag} in {args:?}"))
}

/// A Kubernetes quantity of bytes: `640Mi`, `1Gi`, `500M`, `1048576`.
fn quantity(text: &str) -> u64 {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().unwrap_or_else(|_| panic!("quantity {text}"));
    let factor: u64 = match unit {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        _ => panic!("quantity unit {unit:?} in {text}"),
    };
    n * factor
}

/// The lines of the Dockerfile, instruction first.
fn dockerfile() -> Vec<(String, String)> {
    read(&deploy_dir().join("Dockerfile"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(i, rest)| (i.to_uppercase(), rest.trim().to_owned()))
        .collect()
}

fn instructions(name: &str) -> Vec<String> {
    dockerfile()
        .into_iter()
        .filter(|(i, _)| i == name)
        .map(|(_, rest)| rest)
        .collect()
}

/// An exec-form instruction (`CMD ["serve", ...]`) as its words.
fn exec_form(name: &str) -> Vec<String> {
    let text = instructions(name).pop().unwrap_or_else(|| panic!("{name}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} {text}: {e}"))
}

/// The long flags `celd serve --help` lists.
fn serve_flags() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let flags: Vec<String> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_owned)
        .collect();
    assert!(flags.iter().any(|f| f == "--max-rss"), "{help}");
    flags
}

#[test]
fn the_base_holds_a_deployment_service_autoscaler_and_disruption_budget() {
    let resources = base();
    let deployment = kind(&resources, "Deployment");
    let pod_labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert_eq!(deployment["spec"]["selector"]["matchLabels"], *pod_labels);
    let service = kind(&resources, "Service");
    assert_eq!(service["spec"]["selector"], *pod_labels);
    let pdb = kind(&resources, "PodDisruptionBudget");
    assert_eq!(pdb["spec"]["selector"]["matchLabels"], *pod_labels);
    assert!(pdb["spec"]["minAvailable"].as_u64() >= Some(1));
    let hpa = kind(&resources, "HorizontalPodAutoscaler");
    let target = &hpa["spec"]["scaleTargetRef"];
    assert_eq!(
        (&target["kind"], &target["name"]),
        (&deployment["kind"], &deployment["metadata"]["name"])
    );
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["name"], "cpu");
    assert!(hpa["spec"]["minReplicas"].as_u64() >= pdb["spec"]["minAvailable"].as_u64());

    // Every port a probe or the Service names is a port of the container.
    let c = container(&resources);
    let port_names: Vec<&Json> = c["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["name"])
        .collect();
    for named in [
        &c["readinessProbe"]["httpGet"]["port"],
        &c["livenessProbe"]["httpGet"]["port"],
        &service["spec"]["ports"][0]["targetPort"],
    ] {
        assert!(port_names.contains(&named), "{named} among {port_names:?}");
    }
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");

    // The admin token comes from a Secret mounted where --admin-token-file reads it.
    let volumes = deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap();
    let mount = &c["volumeMounts"][0];
    let volume = volumes.iter().find(|v| v["name"] == mount["name"]).unwrap();
    assert!(volume["secret"]["secretName"].is_string(), "{volume}");
    let args = args(&c);
    let token_file = flag(&args, "--admin-token-file");
    let dir = mount["mountPath"].as_str().unwrap();
    assert_eq!(Path::new(token_file).parent(), Some(Path::new(dir)));

    // An optional ServiceMonitor scrapes the Service's port by name.
    let monitor = yaml(&deploy_dir().join("kubernetes/servicemonitor.yaml"));
    assert_eq!(monitor["kind"], "ServiceMonitor");
    assert_eq!(
        monitor["spec"]["endpoints"][0]["port"],
        service["spec"]["ports"][0]["name"]
    );
    assert_eq!(
        monitor["spec"]["selector"]["matchLabels"],
        service["metadata"]["labels"]
    );
}

#[test]
fn every_flag_given_is_one_celd_serve_accepts() {
    let known = serve_flags();
    let resources = base();
    let c = container(&resources);
    let from_manifest = args(&c);
    let from_image = exec_form("CMD");
    for (source, given) in [
        ("deployment.yaml", &from_manifest),
        ("Dockerfile", &from_image),
    ] {
        assert_eq!(given[0], "serve", "{source}");
        for word in given.iter().filter(|w| w.starts_with("--")) {
            assert!(
                known.contains(word),
                "{source}: {word} is not a flag of celd serve"
            );
        }
    }
    assert_eq!(exec_form("ENTRYPOINT"), ["/usr/local/bin/celd"]);
}

#[test]
fn limits_agree_with_the_flags() {
    let resources = base();
    let deployment = kind(&resources, "Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let c = container(&resources);
    let args = args(&c);

    // Two workers overlap while one replaces the other; the kubelet's limit leaves room above
    // --max-rss for the new one, so the supervisor recycles before the kubelet kills.
    let max_rss = parse_size(flag(&args, "--max-rss")).unwrap();
    let limit = quantity(c["resources"]["limits"]["memory"].as_str().unwrap());
    let request = quantity(c["resources"]["requests"]["memory"].as_str().unwrap());
    assert!(
        limit * 2 >= max_rss * 3,
        "limit {limit} against --max-rss {max_rss}"
    );
    assert!(request <= limit);
    assert!(
        c["resources"]["requests"]["cpu"].is_string(),
        "the autoscaler needs a CPU request"
    );

    // Deletion: the preStop pause, then the drain, within the grace period.
    let drain = parse_duration(flag(&args, "--drain-timeout")).unwrap();
    let pause = c["lifecycle"]["preStop"]["sleep"]["seconds"]
        .as_u64()
        .unwrap();
    let grace = pod["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(pause > 0);
    assert!(
        grace > pause + drain.as_secs(),
        "grace {grace} s, pause {pause} s, drain {drain:?}"
    );

    // One port everywhere: the listen address, the container, the scrape annotation, the image.
    let listen: SocketAddr = flag(&args, "--listen").parse().unwrap();
    assert!(
        listen.ip().is_unspecified(),
        "listen on every address in a pod"
    );
    assert_eq!(
        c["ports"][0]["containerPort"].as_u64(),
        Some(u64::from(listen.port()))
    );
    let annotations = &deployment["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/port"], listen.port().to_string());
    assert_eq!(instructions("EXPOSE"), [listen.port().to_string()]);
    let cmd = exec_form("CMD");
    assert_eq!(flag(&cmd, "--listen"), "0.0.0.0:8080");

    // A small image run as a user other than root, built in a stage of its own.
    assert!(instructions("FROM").len() >= 2, "a multi-stage build");
    let user = instructions("USER").pop().expect("USER");
    assert!(
        !user.starts_with("root") && !user.starts_with("0"),
        "USER {user}"
    );
    let security = &pod["securityContext"];
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(
        security["runAsUser"].as_u64(),
        user.split(':').next().and_then(|u| u.parse().ok())
    );
}

/// `celd serve` with the Deployment's arguments, but on a free loopback port and with the
/// token in a file here.
struct Served {
    child: Child,
    addr: SocketAddr,
    _dir: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

fn serve_with(mut args: Vec<String>, token: &str) -> Served {
    let dir = std::env::temp_dir().join(format!("celd-deploy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    for i in 0..args.len().saturating_sub(1) {
        match args[i].as_str() {
            "--listen" => args[i + 1] = "127.0.0.1:0".into(),
            "--admin-token-file" => args[i + 1] = token_file.display().to_string(),
            _ => {}
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(&args)
        .env_remove("CELD_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.parse().ok());
    let Some(addr) = addr else {
        let _ = child.kill();
        panic!("celd serve {args:?} said {line:?}");
    };
    Served {
        child,
        addr,
        _dir: dir,
    }
}

fn get(addr: SocketAddr, path: &str, token: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: celd\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

#[test]
fn the_deployments_arguments_start_a_server_that_answers_every_path_named() {
    let resources = base();
    let c = container(&resources);
    let deployment = kind(&resources, "Deployment");
    let token = "deploy-test-token-93e1";
    let mut served = serve_with(args(&c), token);
    let annotations = &deployment["spec"]["template"]["metadata"]["annotations"];
    let paths = [
        c["readinessProbe"]["httpGet"]["path"].as_str().unwrap(),
        c["livenessProbe"]["httpGet"]["path"].as_str().unwrap(),
        annotations["prometheus.io/path"].as_str().unwrap(),
    ];
    for path in paths {
        let (status, body) = get(served.addr, path, token);
        assert_eq!(status, 200, "{path}: {body}");
    }
    // The flags took effect: --max-rss and --cache-bytes in /metrics, the token file read.
    let (_, metrics) = get(served.addr, "/metrics", token);
    let max_rss = parse_size(flag(&args(&c), "--max-rss")).unwrap();
    assert!(
        metrics.contains(&format!("celd_worker_max_rss_bytes {max_rss}\n")),
        "{metrics}"
    );
    let cache = parse_size(flag(&args(&c), "--cache-bytes")).unwrap();
    assert!(metrics.contains(&format!("celd_program_cache_max_bytes {cache}\n")));
    assert_eq!(get(served.addr, "/debug/stats", token).0, 200);
    assert_eq!(get(served.addr, "/debug/stats", "not-it").0, 401);
    // SIGTERM (what the kubelet sends after the preStop pause) drains and exits 0.
    let _ = celd_server::process::send_signal(served.child.id(), libc::SIGTERM);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
