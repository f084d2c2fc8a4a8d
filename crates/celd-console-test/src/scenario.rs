//! The steps of the browser test, each a few checks; the figures seen go into the report.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use celd_server::loadgen::{self, Connection};
use serde_json::{Value as Json, json};

use crate::cdp::{Browser, Page, Problem, TempDir};
use crate::load;
use crate::server::Server;

const TOKEN: &str = "console-test-token-7f3a9c";

/// The first playground expression: two lines, a variable from a declaration.
const EXPR: &str = "items.filter(i, i.price > limit)\n  .map(i, i.name)";
const VARS: &str = r#"{"items": [{"name": "pen", "price": 2.5}, {"name": "lamp", "price": 30.0}],
 "limit": 10.0}"#;
const DECLS: &str = "limit: double";

/// An expression with a parse error on its second line, after a two-byte character.
const BAD_EXPR: &str = "items.filter(i,\n  i.name == \"café\" && i.price > > 10.0)";

const WAIT: Duration = Duration::from_secs(10);

type Outcome = Result<(), String>;

/// One run of every step.
pub struct Run<'a> {
    celd: &'a Path,
    chromium: &'a Path,
    out: &'a Path,
    checks: usize,
    lines: Vec<String>,
}

/// The console's figures as its tiles show them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Figures {
    programs: f64,
    bytes: f64,
    compilations: f64,
    hits: f64,
    evictions: f64,
    storms: f64,
    evaluations: f64,
    generation: f64,
    rss: f64,
}

impl<'a> Run<'a> {
    pub fn new(celd: &'a Path, chromium: &'a Path, out: &'a Path) -> Run<'a> {
        Run {
            celd,
            chromium,
            out,
            checks: 0,
            lines: Vec::new(),
        }
    }

    pub fn checks(&self) -> usize {
        self.checks
    }

    pub fn report(&self) -> String {
        self.lines.join("\n")
    }

    fn note(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }

    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) -> Outcome {
        if ok {
            self.checks += 1;
            Ok(())
        } else {
            Err(what())
        }
    }

    fn shot(&mut self, page: &mut Page<'_>, name: &str) -> Outcome {
        let path = self.out.join(name);
        page.screenshot(&path).map_err(|e| e.to_string())?;
        self.note(format!("screenshot {}", path.display()));
        Ok(())
    }

    /// Fails on any problem in the page but network errors from `allowed` paths with the
    /// statuses given (`(path, status)`), which a step caused on purpose.
    fn no_problems(&mut self, page: &mut Page<'_>, allowed: &[(&str, u16)]) -> Outcome {
        for problem in page.problems() {
            let expected = match &problem {
                Problem::Network { url, text } => allowed.iter().any(|(path, status)| {
                    url.ends_with(path) && text.contains(&status.to_string())
                }),
                Problem::Script(_) => false,
            };
            self.check(expected, || format!("the page reported {problem:?}"))?;
        }
        Ok(())
    }

    pub fn all(&mut self) -> Outcome {
        let dir = TempDir::new("celd-console-test").map_err(|e| e.to_string())?;
        let token_file = dir.0.join("token");
        std::fs::write(&token_file, format!("{TOKEN}\n")).map_err(|e| e.to_string())?;
        let args: Vec<String> = [
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-rss",
            "512MiB",
            "--cache-bytes",
            "64KiB",
            "--admin-token-file",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([token_file.display().to_string()])
        .collect();
        let log = self.out.join("celd-serve.log");
        let server = Server::start(self.celd, &args, &log)?;
        let addr = server.addr;
        self.note(format!(
            "celd serve on http://{addr} (--max-rss 512MiB --cache-bytes 64KiB)"
        ));
        let downloads = self.out.join("downloads");
        let _ = std::fs::remove_dir_all(&downloads);
        std::fs::create_dir_all(&downloads).map_err(|e| e.to_string())?;
        let mut browser = Browser::launch(self.chromium).map_err(|e| e.to_string())?;
        browser
            .allow_downloads(&downloads)
            .map_err(|e| e.to_string())?;
        let mut page = browser.open_page(1280, 900).map_err(|e| e.to_string())?;
        self.playground(&mut page, addr)?;
        self.console(&mut page, addr, &downloads)?;
        drop(page);
        drop(browser);
        let status = server.stop(Duration::from_secs(40))?;
        self.check(status.success(), || {
            format!("celd serve exited with {status}")
        })
    }

    // ---- the playground --------------------------------------------------------------------

    fn playground(&mut self, page: &mut Page<'_>, addr: SocketAddr) -> Outcome {
        let url = format!("http://{addr}/console/playground");
        page.navigate(&url).map_err(|e| e.to_string())?;
        self.no_problems(page, &[])?;
        for (field, text) in [("#expr", EXPR), ("#vars", VARS), ("#decls", DECLS)] {
            page.type_into(field, text).map_err(|e| e.to_string())?;
        }
        page.click("#evaluate").map_err(|e| e.to_string())?;
        wait(
            page,
            "the value",
            "document.querySelector('#outcome').classList.contains('ok')",
        )?;
        let expected = post_eval(
            addr,
            &json!({"expr": EXPR, "vars": serde_json::from_str::<Json>(VARS).unwrap_or_default(),
                    "decls": {"limit": "double"}, "cost": true, "dump": true}),
        )?;
        let value = text(page, "#value")?;
        let ty = text(page, "#type")?;
        self.check(value == "[\n  \"lamp\"\n]", || {
            format!("the value shown: {value:?}")
        })?;
        self.check(json!(["lamp"]) == expected["value"], || {
            format!("the API said {expected}")
        })?;
        self.check(ty == expected["type"], || {
            format!("type {ty:?}, the API said {expected}")
        })?;
        let spent = number(&text(page, "#cost-spent")?);
        let estimate = text(page, "#cost-estimate")?;
        let bounds: Vec<f64> = numbers(&estimate);
        self.check(Some(spent) == expected["cost"].as_f64(), || {
            format!("cost {spent}")
        })?;
        self.check(
            bounds.len() >= 2 && bounds[0] <= spent && spent <= bounds[1],
            || format!("cost {spent} within the estimate {estimate:?}"),
        )?;
        let template = text(page, "#template")?;
        self.check(template == expected["dump"]["template"], || {
            format!("template {template:?}")
        })?;
        let plan = text(page, "#plan")?;
        self.check(plan.contains("filter") && plan.contains("map"), || {
            format!("plan {plan:?}")
        })?;
        let gutter = page
            .eval("document.querySelectorAll('#gutter span').length")
            .map_err(|e| e.to_string())?;
        self.check(gutter == json!(2), || {
            format!("{gutter} line numbers for two lines")
        })?;
        self.note(format!(
            "playground: value {} of type {ty}, cost {spent}, estimate {estimate}, template {template}",
            value.replace('\n', "")
        ));
        self.no_problems(page, &[])?;
        self.shot(page, "playground.png")?;

        // The fragment holds the state: a fresh load shows the same evaluation.
        let shared = page.eval("location.href").map_err(|e| e.to_string())?;
        let shared = shared.as_str().unwrap_or_default().to_owned();
        self.check(shared.contains("#expr="), || {
            format!("shareable address {shared}")
        })?;
        page.navigate("about:blank").map_err(|e| e.to_string())?;
        page.navigate(&shared).map_err(|e| e.to_string())?;
        wait(
            page,
            "the shared evaluation",
            "document.querySelector('#outcome').classList.contains('ok')",
        )?;
        let again = text(page, "#value")?;
        self.check(again == value, || {
            format!("the shared link shows {again:?}")
        })?;
        self.note(format!(
            "playground: the shared link ({} bytes) evaluates to the same value",
            shared.len()
        ));

        self.caret(page, addr)?;
        self.narrow(page, &shared, "playground-narrow.png")
    }

    /// A parse error on line 2: the header names the API's line and column, and the caret
    /// stands under the character at that column.
    fn caret(&mut self, page: &mut Page<'_>, addr: SocketAddr) -> Outcome {
        page.type_into("#expr", BAD_EXPR)
            .map_err(|e| e.to_string())?;
        page.press_with_ctrl("Enter", 13)
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the error",
            "!document.querySelector('#error').hidden",
        )?;
        let vars = serde_json::from_str::<Json>(VARS).unwrap_or_default();
        let answer = post_eval(
            addr,
            &json!({"expr": BAD_EXPR, "vars": vars, "decls": {"limit": "double"}}),
        )?;
        let (line, column) = (&answer["error"]["line"], &answer["error"]["column"]);
        let header = text(page, "#diagnostic .message")?;
        self.check(header.contains(&format!(":{line}:{column}:")), || {
            format!("{header:?}, the API said {answer}")
        })?;
        self.check(*line == json!(2), || format!("the error is on line {line}"))?;
        let geometry = page
            .eval(
                "(() => {
                  const text = document.getElementById('error-line').firstChild;
                  const column = Number(document.getElementById('diagnostic').dataset.column);
                  const chars = Array.from(text.textContent);
                  const offset = chars.slice(0, column - 1).join('').length;
                  const range = document.createRange();
                  range.setStart(text, offset);
                  range.setEnd(text, offset + chars[column - 1].length);
                  const under = range.getBoundingClientRect();
                  const caret = document.getElementById('caret').getBoundingClientRect();
                  const marked = document.querySelector('#gutter .err')?.textContent;
                  return {char: chars[column - 1], under: under.left, caret: caret.left, marked};
                })()",
            )
            .map_err(|e| e.to_string())?;
        let (under, caret) = (
            geometry["under"].as_f64().unwrap_or(-1.0),
            geometry["caret"].as_f64().unwrap_or(-2.0),
        );
        self.check((under - caret).abs() < 0.5, || {
            format!("the caret at x={caret}, the column at x={under}")
        })?;
        self.check(geometry["char"] == ">", || {
            format!("the caret is under {}", geometry["char"])
        })?;
        self.check(geometry["marked"] == "2", || {
            format!("line number marked: {}", geometry["marked"])
        })?;
        self.note(format!(
            "playground: error {header:?}, the caret at x={caret:.1} under '{}' at x={under:.1}",
            geometry["char"].as_str().unwrap_or("")
        ));
        self.no_problems(page, &[("/v1/eval", 422)])?;
        self.shot(page, "playground-error.png")
    }

    /// The page at a phone's width: nothing wider than the window.
    fn narrow(&mut self, page: &mut Page<'_>, url: &str, shot: &str) -> Outcome {
        page.resize(390, 844).map_err(|e| e.to_string())?;
        page.navigate("about:blank").map_err(|e| e.to_string())?;
        page.navigate(url).map_err(|e| e.to_string())?;
        std::thread::sleep(Duration::from_millis(1500));
        let widths = page
            .eval("[document.documentElement.scrollWidth, window.innerWidth]")
            .map_err(|e| e.to_string())?;
        let (scroll, inner) = (
            widths[0].as_f64().unwrap_or(0.0),
            widths[1].as_f64().unwrap_or(0.0),
        );
        self.check(inner > 0.0 && scroll <= inner, || {
            format!("{url} is {scroll} px wide in a {inner} px window")
        })?;
        self.no_problems(page, &[])?;
        self.shot(page, shot)?;
        page.resize(1280, 900).map_err(|e| e.to_string())
    }

    // ---- the console -----------------------------------------------------------------------

    fn console(&mut self, page: &mut Page<'_>, addr: SocketAddr, downloads: &Path) -> Outcome {
        let url = format!("http://{addr}/console/");
        page.navigate(&url).map_err(|e| e.to_string())?;
        wait(
            page,
            "the token form",
            "!document.querySelector('#login').hidden",
        )?;
        page.type_into("#token-input", "not-the-token")
            .map_err(|e| e.to_string())?;
        page.click("#login-form button")
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the refusal",
            "document.querySelector('#login-error').textContent.includes('not the admin token')",
        )?;
        self.no_problems(page, &[("/debug/stats", 401)])?;
        page.type_into("#token-input", TOKEN)
            .map_err(|e| e.to_string())?;
        page.click("#login-form button")
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the live view",
            "!document.querySelector('#view-live').hidden && document.querySelector('#t-hits .small').textContent !== ''",
        )?;
        let stored = page
            .eval("[sessionStorage.getItem('celd-admin-token'), localStorage.length]")
            .map_err(|e| e.to_string())?;
        self.check(stored == json!([TOKEN, 0]), || {
            format!("token storage: {stored}")
        })?;

        let before = figures(page)?;
        let started = std::time::Instant::now();
        let (least, most) = (Duration::from_secs(3), Duration::from_secs(20));
        let load = std::thread::spawn(move || load::run(addr, 4, least, most));
        let sent = load
            .join()
            .map_err(|_| "the load thread panicked".to_owned())?;
        self.note(format!(
            "load: {} hot and {} ring requests answered 200 in {:.1} s, {} failed",
            sent.hot_ok,
            sent.ring_ok,
            started.elapsed().as_secs_f64(),
            sent.failed
        ));
        self.check(
            sent.failed == 0 && sent.ring_ok >= load::RING_REQUESTS,
            || format!("{sent:?}"),
        )?;
        let target = before.hits + sent.hot_ok as f64 - 1.0;
        let moved = format!(
            "Number(document.querySelector('#t-hits .small').textContent.split(' ')[0].replaceAll(',', '')) >= {target}"
        );
        wait(page, "the hits to move", &moved)?;
        self.agree_with_metrics(page, addr, &before)?;
        let points = page
            .eval("['c-hits', 'c-compilations', 'c-evictions', 'c-bytes', 'c-rss'].map((id) => document.querySelector(`#${id} polyline`)?.points.length ?? 0)")
            .map_err(|e| e.to_string())?;
        let drawn = points
            .as_array()
            .map_or(0, |p| p.iter().filter(|n| n.as_u64() >= Some(3)).count());
        self.check(drawn == 5, || format!("points per chart: {points}"))?;
        self.note(format!("console: points in the hits, compilations, evictions, bytes and memory charts: {points}"));
        self.no_problems(page, &[])?;
        self.shot(page, "console-live.png")?;

        self.inventory(page, addr)?;
        self.storms(page)?;
        self.export(page, addr, downloads)?;
        self.narrow(page, &format!("{url}#live"), "console-narrow.png")
    }

    /// After the load, the tiles show exactly what `/metrics` says, and `/metrics` says the
    /// same before and after they were read.
    fn agree_with_metrics(
        &mut self,
        page: &mut Page<'_>,
        addr: SocketAddr,
        before: &Figures,
    ) -> Outcome {
        let scraped = metrics(addr)?;
        let expected = figures_of(&scraped);
        let mut shown = figures(page)?;
        for _ in 0..60 {
            if same_counts(&shown, &expected) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            shown = figures(page)?;
        }
        let after = figures_of(&metrics(addr)?);
        self.check(same_counts(&after, &expected), || {
            format!("/metrics moved: {expected:?} then {after:?}")
        })?;
        self.check(same_counts(&shown, &expected), || {
            format!("the console shows {shown:?}, /metrics says {expected:?}")
        })?;
        let rss_gap = (shown.rss - expected.rss).abs() / expected.rss.max(1.0);
        self.check(rss_gap < 0.1, || {
            format!("memory shown {} against {}", shown.rss, expected.rss)
        })?;
        self.check(
            shown.compilations > before.compilations && shown.evictions > 0.0,
            || {
                format!(
                    "compilations {} then {}, evictions {}",
                    before.compilations, shown.compilations, shown.evictions
                )
            },
        )?;
        self.check(shown.storms >= 1.0, || {
            format!("storm warnings {}", shown.storms)
        })?;
        self.check(shown.generation == 1.0, || {
            format!("worker generation {}", shown.generation)
        })?;
        self.note(format!(
            "console = /metrics: {} programs, {} bytes, {} compilations, {} hits, {} evictions, {} storm warnings, {} evaluations, worker generation {}; memory {} bytes shown, {} scraped",
            shown.programs, shown.bytes, shown.compilations, shown.hits, shown.evictions, shown.storms,
            shown.evaluations, shown.generation, shown.rss, expected.rss
        ));
        self.note(format!(
            "console before the load: {} compilations, {} hits",
            before.compilations, before.hits
        ));
        Ok(())
    }

    fn inventory(&mut self, page: &mut Page<'_>, addr: SocketAddr) -> Outcome {
        page.click("nav a[data-view=programs]")
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the inventory",
            "document.querySelectorAll('#inventory tbody tr').length > 0",
        )?;
        page.click("#inventory th[data-key=bytes]")
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the sort by bytes",
            "document.querySelector('#inventory th[data-key=bytes]').classList.contains('descending')",
        )?;
        let listed = admin_get(addr, "/debug/programs?sort=bytes")?;
        let api_ids: Vec<Json> = listed["programs"]
            .as_array()
            .map(|p| p.iter().map(|p| p["id"].clone()).collect())
            .unwrap_or_default();
        let page_ids = page
            .eval("Array.from(document.querySelectorAll('#inventory tbody tr')).map((r) => r.dataset.id)")
            .map_err(|e| e.to_string())?;
        self.check(page_ids == json!(api_ids), || {
            format!("rows by bytes {page_ids}, the API's {api_ids:?}")
        })?;
        let count = text(page, "#program-count")?;
        self.check(
            count.starts_with(&format!("{} programs", api_ids.len())),
            || format!("count {count:?}"),
        )?;
        self.note(format!(
            "inventory: {count}, sorted by bytes as /debug/programs?sort=bytes"
        ));
        self.shot(page, "console-programs.png")?;

        page.type_into("#filter", "x * $0")
            .map_err(|e| e.to_string())?;
        let rows = page
            .eval("Array.from(document.querySelectorAll('#inventory tbody td.template')).map((t) => t.textContent)")
            .map_err(|e| e.to_string())?;
        let templates = rows.as_array().cloned().unwrap_or_default();
        self.check(
            templates.len() == 1 && templates[0] == "x * $0 + $1",
            || format!("filtered rows {rows}"),
        )?;
        self.note(format!("inventory: filter 'x * $0' leaves {rows}"));
        page.click("#inventory tbody td.template a")
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the dump",
            "document.querySelector('#p-plan').textContent.length > 0",
        )?;
        let checked = text(page, "#p-checked")?;
        let template = text(page, "#p-template")?;
        let id = text(page, "#p-id")?;
        let dump = admin_get(addr, &format!("/debug/programs/{id}"))?;
        self.check(
            template == dump["template"] && checked == dump["checked"],
            || format!("program {id}: {template:?} {checked:?}, the API's {dump}"),
        )?;
        self.check(checked.contains("~int"), || format!("checked {checked:?}"))?;
        let hits = page
            .eval("Array.from(document.querySelectorAll('#p-summary dt')).find((dt) => dt.textContent === 'Hits')?.nextElementSibling.textContent")
            .map_err(|e| e.to_string())?;
        self.note(format!(
            "program {id}: {template}, checked {checked}, {hits} hits"
        ));
        self.no_problems(page, &[])?;
        self.shot(page, "console-program.png")
    }

    fn storms(&mut self, page: &mut Page<'_>) -> Outcome {
        page.click("nav a[data-view=storms]")
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the storm list",
            "!document.querySelector('#view-storms').hidden && document.querySelectorAll('#storm-list tbody tr').length > 0",
        )?;
        let rows = page
            .eval("Array.from(document.querySelectorAll('#storm-list tbody tr')).map((r) => Array.from(r.cells).map((c) => c.textContent))")
            .map_err(|e| e.to_string())?;
        let first = &rows[0];
        let template = first[2].as_str().unwrap_or_default();
        let ring_template = template.starts_with("m.f") && template.ends_with(" + $0 > x");
        self.check(first[1] == "template churn" && ring_template, || {
            format!("storm rows {rows}")
        })?;
        self.note(format!(
            "storms: {} warnings listed, the newest {} of {template}: {}",
            rows.as_array().map_or(0, Vec::len),
            first[1].as_str().unwrap_or(""),
            first[3].as_str().unwrap_or("")
        ));
        self.no_problems(page, &[])?;
        self.shot(page, "console-storms.png")
    }

    fn export(&mut self, page: &mut Page<'_>, addr: SocketAddr, downloads: &Path) -> Outcome {
        page.click("nav a[data-view=programs]")
            .map_err(|e| e.to_string())?;
        wait(
            page,
            "the inventory",
            "document.querySelectorAll('#inventory tbody tr').length > 0",
        )?;
        page.click("#export").map_err(|e| e.to_string())?;
        wait(
            page,
            "the export",
            "document.querySelector('#export-status').textContent.startsWith('Saved')",
        )?;
        let file = wait_for_file(downloads)?;
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let export: Json =
            serde_json::from_str(&text).map_err(|e| format!("the export is not JSON: {e}"))?;
        let loaded = loadgen::metric(&metrics(addr)?, "celd_programs_loaded").unwrap_or(-1.0);
        let programs = export["programs"].as_array().cloned().unwrap_or_default();
        self.check(
            export["format"] == "celd-programs/1" && programs.len() as f64 == loaded,
            || format!("{} programs exported, {loaded} loaded", programs.len()),
        )?;
        self.check(
            programs.iter().all(|p| p["dump"]["plan"].is_string()),
            || "a program without its plan".into(),
        )?;
        self.note(format!(
            "export: {} ({} bytes), {} programs with their dumps",
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            text.len(),
            programs.len()
        ));
        self.no_problems(page, &[])
    }
}

fn wait(page: &mut Page<'_>, what: &str, expression: &str) -> Outcome {
    page.wait_until(what, expression, WAIT)
        .map_err(|e| e.to_string())
}

fn text(page: &mut Page<'_>, selector: &str) -> Result<String, String> {
    page.text(selector).map_err(|e| e.to_string())
}

/// The first number in `text` (`1,234`).
fn number(text: &str) -> f64 {
    numbers(text).first().copied().unwrap_or(f64::NAN)
}

fn numbers(text: &str) -> Vec<f64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == ','))
        .filter_map(|n| n.replace(',', "").parse().ok())
        .collect()
}

/// What the tiles say.
fn figures(page: &mut Page<'_>) -> Result<Figures, String> {
    let read = page
        .eval(
            "(() => {
              const text = (id, part) => document.querySelector(`#${id} .${part}`).textContent;
              const bytes = (id) => /\\(([\\d,]+) bytes\\)/.exec(text(id, 'small'))?.[1] ?? '';
              return [text('t-programs', 'big'), bytes('t-bytes'), text('t-compilations', 'small'),
                text('t-hits', 'small'), text('t-evictions', 'small'), text('t-storms', 'big'),
                text('t-evaluations', 'small'), text('t-worker', 'big'), bytes('t-rss')];
            })()",
        )
        .map_err(|e| e.to_string())?;
    let n = |i: usize| number(read[i].as_str().unwrap_or(""));
    Ok(Figures {
        programs: n(0),
        bytes: n(1),
        compilations: n(2),
        hits: n(3),
        evictions: n(4),
        storms: n(5),
        evaluations: n(6),
        generation: n(7),
        rss: n(8),
    })
}

/// The same figures from `/metrics`.
fn figures_of(text: &str) -> Figures {
    let m = |name: &str| loadgen::metric(text, name).unwrap_or(f64::NAN);
    let evaluations = text
        .lines()
        .filter(|l| l.starts_with("celd_evaluations_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    Figures {
        programs: m("celd_programs_loaded"),
        bytes: m("celd_program_cache_bytes"),
        compilations: m("celd_compilations_total"),
        hits: m("celd_cache_hits_total"),
        evictions: m("celd_cache_evictions_total"),
        storms: m("celd_compile_storms_total"),
        evaluations,
        generation: m("celd_worker_generation"),
        rss: m("process_resident_memory_bytes"),
    }
}

/// Every figure but memory, which moves by itself.
fn same_counts(a: &Figures, b: &Figures) -> bool {
    Figures { rss: 0.0, ..*a } == Figures { rss: 0.0, ..*b }
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

fn metrics(addr: SocketAddr) -> Result<String, String> {
    let answer = block_on(loadgen::fetch(addr, "/metrics")).map_err(|e| e.0)?;
    Ok(String::from_utf8_lossy(&answer.body).into_owned())
}

fn post_eval(addr: SocketAddr, body: &Json) -> Result<Json, String> {
    block_on(async {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let answer = Connection::new(stream)
            .exchange("/v1/eval", &body.to_string())
            .await
            .map_err(|e| e.0)?;
        serde_json::from_slice(&answer.body).map_err(|e| e.to_string())
    })
}

fn admin_get(addr: SocketAddr, path: &str) -> Result<Json, String> {
    block_on(async {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let header = format!("Authorization: Bearer {TOKEN}\r\n");
        let answer = Connection::new(stream)
            .get(path, &header)
            .await
            .map_err(|e| e.0)?;
        serde_json::from_slice(&answer.body).map_err(|e| format!("{path}: {e}"))
    })
}

/// The one finished file in `dir` (Chromium writes `.crdownload` files until done).
fn wait_for_file(dir: &Path) -> Result<PathBuf, String> {
    for _ in 0..100 {
        let done: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        if let [file] = done.as_slice() {
            return Ok(file.clone());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("no finished download in {}", dir.display()))
}
