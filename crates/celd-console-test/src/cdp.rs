//! A headless Chromium driven through the Chrome DevTools Protocol over its debugging pipe
//! (`--remote-debugging-pipe`: commands on the browser's fd 3, answers and events on fd 4,
//! one JSON message per NUL-terminated record), so no port is opened and no WebSocket needed.
//!
//! [`Browser::open_page`] gives a [`Page`]: navigate, evaluate JavaScript, type, click, take
//! screenshots. Every event the page raises is kept; [`Page::problems`] returns the JavaScript
//! exceptions, `console.error` calls and browser errors among them.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value as Json, json};

/// How long one command may take to be answered.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the browser did not do what was asked.
#[derive(Debug)]
pub struct CdpError(pub String);

impl std::fmt::Display for CdpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CdpError {}

pub type Result<T> = std::result::Result<T, CdpError>;

fn error(message: impl Into<String>) -> CdpError {
    CdpError(message.into())
}

/// The flags that make Chromium headless and quiet on a machine without a network.
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--remote-debugging-pipe",
];

/// A running browser; killed when dropped.
pub struct Browser {
    child: Child,
    to_browser: File,
    from_browser: Receiver<Json>,
    next_id: u64,
    /// Events not yet looked at, in arrival order.
    events: Vec<Json>,
    _profile: TempDir,
}

/// A browser tab, attached with its own session.
pub struct Page<'b> {
    browser: &'b mut Browser,
    session: String,
}

impl Browser {
    /// Starts `chromium` with a fresh profile directory.
    pub fn launch(chromium: &Path) -> Result<Browser> {
        let profile = TempDir::new("celd-chromium")?;
        let (browser_reads, we_write) = pipe()?;
        let (we_read, browser_writes) = pipe()?;
        let (read_fd, write_fd) = (raw(&browser_reads), raw(&browser_writes));
        let mut command = Command::new(chromium);
        command
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.0.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only dup2 and fcntl, which are async-signal-safe, run in the child.
        unsafe {
            command.pre_exec(move || place_fds(read_fd, write_fd));
        }
        let child = command
            .spawn()
            .map_err(|e| error(format!("cannot start {}: {e}", chromium.display())))?;
        drop((browser_reads, browser_writes));
        let (tx, from_browser) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(File::from(we_read));
            let mut record = Vec::new();
            while reader.read_until(0, &mut record).is_ok_and(|n| n > 0) {
                if record.last() == Some(&0) {
                    record.pop();
                }
                let message = serde_json::from_slice::<Json>(&record);
                if message.is_ok_and(|message| tx.send(message).is_err()) {
                    return;
                }
                record.clear();
            }
        });
        Ok(Browser {
            child,
            to_browser: File::from(we_write),
            from_browser,
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        })
    }

    /// Sends a command (to a page's session, if given) and waits for its answer.
    fn call(&mut self, session: Option<&str>, method: &str, params: Json) -> Result<Json> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).map_err(|e| error(e.to_string()))?;
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .map_err(|e| error(format!("{method}: the browser's pipe: {e}")))?;
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            let message = self.receive(deadline, method)?;
            if message["id"] == json!(id) {
                if let Some(e) = message.get("error") {
                    return Err(error(format!("{method}: {e}")));
                }
                return Ok(message["result"].clone());
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Result<Json> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.from_browser.recv_timeout(left) {
            Ok(message) => Ok(message),
            Err(RecvTimeoutError::Timeout) => Err(error(format!("{waiting_for}: no answer"))),
            Err(RecvTimeoutError::Disconnected) => {
                Err(error(format!("{waiting_for}: the browser exited")))
            }
        }
    }

    /// Takes in events that arrived while nothing was asked, for up to `wait`.
    fn drain_events(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        while let Ok(message) = self.receive(deadline, "events") {
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    /// Opens a new tab of `width` × `height` CSS pixels, with its events on.
    pub fn open_page(&mut self, width: u32, height: u32) -> Result<Page<'_>> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or_else(|| error("Target.attachToTarget: no session"))?
            .to_owned();
        let mut page = Page {
            browser: self,
            session,
        };
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            page.call(domain, json!({}))?;
        }
        page.resize(width, height)?;
        Ok(page)
    }

    /// Downloads go to `dir`, with progress events.
    pub fn allow_downloads(&mut self, dir: &Path) -> Result<()> {
        self.call(
            None,
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": dir, "eventsEnabled": true}),
        )
        .map(drop)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Page<'_> {
    fn call(&mut self, method: &str, params: Json) -> Result<Json> {
        self.browser.call(Some(&self.session), method, params)
    }

    /// Sets the viewport; `width` under 600 pretends to be a phone.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<()> {
        let params = json!({
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
        });
        self.call("Emulation.setDeviceMetricsOverride", params)
            .map(drop)
    }

    /// Loads `url` and waits for its load event.
    pub fn navigate(&mut self, url: &str) -> Result<()> {
        self.take_events("Page.loadEventFired");
        let answer = self.call("Page.navigate", json!({"url": url}))?;
        if let Some(text) = answer["errorText"].as_str().filter(|t| !t.is_empty()) {
            return Err(error(format!("navigating to {url}: {text}")));
        }
        self.wait_for_event("Page.loadEventFired", Duration::from_secs(20))
    }

    /// Evaluates a JavaScript expression (promises awaited) and returns its value as JSON.
    pub fn eval(&mut self, expression: &str) -> Result<Json> {
        let params = json!({"expression": expression, "returnByValue": true, "awaitPromise": true});
        let answer = self.call("Runtime.evaluate", params)?;
        if let Some(details) = answer.get("exceptionDetails") {
            let text = details["exception"]["description"]
                .as_str()
                .or(details["text"].as_str())
                .unwrap_or("an exception");
            return Err(error(format!("{expression}: {text}")));
        }
        Ok(answer["result"]["value"].clone())
    }

    /// The text content of the first element matching `selector`.
    pub fn text(&mut self, selector: &str) -> Result<String> {
        let value = self.eval(&format!(
            "document.querySelector({})?.textContent ?? null",
            json!(selector)
        ))?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| error(format!("no element {selector}")))
    }

    /// Waits until `expression` is true, checking every 100 ms for up to `timeout`.
    pub fn wait_until(&mut self, what: &str, expression: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(expression)? == json!(true) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(error(format!(
                    "waited {timeout:?} for {what}: {expression}"
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Focuses the element, selects what it holds and types `text` over it, as a user's
    /// keyboard would (input events included).
    pub fn type_into(&mut self, selector: &str, text: &str) -> Result<()> {
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.focus(); e.select(); return true; }})()",
            json!(selector)
        ))?;
        if text.is_empty() {
            let key = json!({"type": "keyDown", "key": "Delete", "code": "Delete", "windowsVirtualKeyCode": 46});
            self.call("Input.dispatchKeyEvent", key)?;
            return self
                .call(
                    "Input.dispatchKeyEvent",
                    json!({"type": "keyUp", "key": "Delete"}),
                )
                .map(drop);
        }
        self.call("Input.insertText", json!({"text": text}))
            .map(drop)
    }

    /// Clicks the middle of the first element matching `selector` with the mouse, once that
    /// point shows the element (not something over it) and it stopped moving.
    pub fn click(&mut self, selector: &str) -> Result<()> {
        let locate = format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             const x = r.left + r.width / 2, y = r.top + r.height / 2; \
             const top = document.elementFromPoint(x, y); \
             return [x, y, top !== null && (top === e || e.contains(top))]; }})()",
            json!(selector)
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut previous = Json::Null;
        let (x, y) = loop {
            let spot = self.eval(&locate)?;
            if spot.is_null() {
                return Err(error(format!("no element {selector} to click")));
            }
            if spot[2] == json!(true) && spot == previous {
                break (
                    spot[0].as_f64().unwrap_or(0.0),
                    spot[1].as_f64().unwrap_or(0.0),
                );
            }
            if Instant::now() >= deadline {
                return Err(error(format!("{selector} is covered or moving: {spot}")));
            }
            previous = spot;
            std::thread::sleep(Duration::from_millis(50));
        };
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            let event = json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1});
            self.call("Input.dispatchMouseEvent", event)?;
        }
        Ok(())
    }

    /// Presses a key with Ctrl held (`Enter` for Ctrl+Enter).
    pub fn press_with_ctrl(&mut self, key: &str, code: u32) -> Result<()> {
        for kind in ["rawKeyDown", "keyUp"] {
            let event = json!({
                "type": kind, "key": key, "code": key, "modifiers": 2, "windowsVirtualKeyCode": code,
            });
            self.call("Input.dispatchKeyEvent", event)?;
        }
        Ok(())
    }

    /// Saves a PNG of the whole page (up to 6,000 pixels high) to `path`.
    pub fn screenshot(&mut self, path: &Path) -> Result<()> {
        let metrics = self.call("Page.getLayoutMetrics", json!({}))?;
        let size = &metrics["cssContentSize"];
        let width = size["width"].as_f64().unwrap_or(1280.0).ceil();
        let height = size["height"].as_f64().unwrap_or(900.0).ceil().min(6000.0);
        let params = json!({
            "format": "png", "captureBeyondViewport": true,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        });
        let shot = self.call("Page.captureScreenshot", params)?;
        let data = shot["data"]
            .as_str()
            .ok_or_else(|| error("Page.captureScreenshot: no data"))?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| error(format!("screenshot: {e}")))?;
        std::fs::write(path, png).map_err(|e| error(format!("{}: {e}", path.display())))
    }

    /// Waits for an event named `method` that has not been looked at yet, and takes it.
    pub fn wait_for_event(&mut self, method: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.take_events(method).is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(error(format!("waited {timeout:?} for {method}")));
            }
            self.browser.drain_events(Duration::from_millis(100));
        }
    }

    /// Removes and returns the events named `method` received so far.
    pub fn take_events(&mut self, method: &str) -> Vec<Json> {
        let (taken, kept) = std::mem::take(&mut self.browser.events)
            .into_iter()
            .partition(|e| e["method"] == method);
        self.browser.events = kept;
        taken
    }

    /// Collects what arrived, then returns every JavaScript exception, `console.error` or
    /// `console.assert` failure and browser error (failed loads, policy violations) so far,
    /// each as one line, and forgets them.
    pub fn problems(&mut self) -> Vec<Problem> {
        self.browser.drain_events(Duration::from_millis(200));
        let mut out = Vec::new();
        for event in self.take_events("Runtime.exceptionThrown") {
            let details = &event["params"]["exceptionDetails"];
            let text = details["exception"]["description"]
                .as_str()
                .or(details["text"].as_str())
                .unwrap_or("exception");
            out.push(Problem::Script(text.to_owned()));
        }
        for event in self.take_events("Runtime.consoleAPICalled") {
            let kind = event["params"]["type"].as_str().unwrap_or("");
            if kind == "error" || kind == "assert" {
                let args = event["params"]["args"].to_string();
                out.push(Problem::Script(format!("console.{kind}: {args}")));
            }
        }
        for event in self.take_events("Log.entryAdded") {
            let entry = &event["params"]["entry"];
            if entry["level"] != "error" {
                continue;
            }
            let text = entry["text"].as_str().unwrap_or("").to_owned();
            let url = entry["url"].as_str().unwrap_or("").to_owned();
            out.push(match entry["source"].as_str() {
                Some("network") => Problem::Network { url, text },
                _ => Problem::Script(format!("{text} ({url})")),
            });
        }
        out
    }
}

/// Something that went wrong in the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A JavaScript exception, a `console.error` call, a policy violation.
    Script(String),
    /// A request answered with an error status, or that failed.
    Network { url: String, text: String },
}

/// A pipe whose both ends close on exec.
fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(error(format!("pipe: {}", std::io::Error::last_os_error())));
    }
    // SAFETY: pipe2 just returned these descriptors, owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn raw(fd: &OwnedFd) -> RawFd {
    use std::os::fd::AsRawFd;
    fd.as_raw_fd()
}

/// In the child: the browser's read end becomes fd 3 and its write end fd 4, open across exec.
fn place_fds(read: RawFd, write: RawFd) -> std::io::Result<()> {
    // Copies above 10 first, so that moving one onto 3 or 4 cannot close the other.
    // SAFETY: fcntl and dup2 on descriptors this process owns; async-signal-safe.
    unsafe {
        let read_copy = libc::fcntl(read, libc::F_DUPFD_CLOEXEC, 10);
        let write_copy = libc::fcntl(write, libc::F_DUPFD_CLOEXEC, 10);
        if read_copy < 0
            || write_copy < 0
            || libc::dup2(read_copy, 3) < 0
            || libc::dup2(write_copy, 4) < 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| error(format!("{}: {e}", dir.display())))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
