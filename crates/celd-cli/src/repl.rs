//! `celd repl`: an interactive session, as cel-go's REPL offers one. Expressions evaluate and
//! print as `value : type`; `let x = EXPR` binds a variable to a value, `%declare x: TYPE`
//! declares one, `%type`, `%dump`, `%status`, `%delete`, `%container`, `%help`, `%exit`. A
//! line that leaves a bracket or a string open continues on the next. Line editing and
//! history come from rustyline; from a pipe, lines are read as they come.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use celd::{Env, Limits, Type, Value};
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::Failure;
use crate::args::EnvArgs;
use crate::commands::{base_env, decls};
use crate::diagnostics;

const HELP: &str = "\
  EXPR                   evaluate, print `value : type`
  let NAME = EXPR        bind NAME to the value of EXPR (typed as EXPR is)
  %declare NAME: TYPE    declare NAME without a value
  %delete NAME           forget NAME
  %type EXPR             the type of EXPR
  %dump EXPR             what EXPR compiles to
  %container NAME        the namespace names resolve in
  %status                the declarations and bindings
  %help                  this list
  %exit                  leave (or Ctrl-D)";

/// What the session has declared and bound so far.
struct Session {
    base: Env,
    container: String,
    /// Declared without a value: name → type.
    declared: BTreeMap<String, Type>,
    /// Bound by `let`: name → (type, value).
    bound: BTreeMap<String, (Type, Value)>,
    env: Env,
}

pub fn run(args: &EnvArgs) -> Result<(), Failure> {
    let base = base_env(args, Limits::default())?;
    let mut session = Session {
        env: base.clone(),
        base,
        container: args.container.clone().unwrap_or_default(),
        declared: BTreeMap::new(),
        bound: BTreeMap::new(),
    };
    for (name, text) in decls(args)? {
        session.declare(&name, &text).map_err(Failure::Usage)?;
    }
    let mut editor = DefaultEditor::new().map_err(|e| Failure::Usage(format!("repl: {e}")))?;
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "cel> " } else { "...> " };
        match editor.readline(prompt) {
            Ok(line) => {
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                if is_incomplete(&pending) {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                if input.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(input.as_str());
                if !session.handle(input.trim()) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Failure::Usage(format!("repl: {e}"))),
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}

/// `$CELD_HISTORY`, else `~/.celd_history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CELD_HISTORY") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".celd_history"))
}

/// Whether `text` leaves a bracket or a string literal open (so the next line continues it).
fn is_incomplete(text: &str) -> bool {
    let mut depth = 0i64;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => match c {
                '\\' => {
                    chars.next();
                }
                c if c == q => quote = None,
                _ => {}
            },
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            },
        }
    }
    depth > 0 || quote.is_some()
}

impl Session {
    /// Runs one input; false when the session should end.
    fn handle(&mut self, input: &str) -> bool {
        let (command, rest) = match input.split_once(char::is_whitespace) {
            Some((c, r)) => (c, r.trim()),
            None => (input, ""),
        };
        let outcome = match command {
            "%exit" | "%quit" => return false,
            "%help" => Ok(HELP.to_owned()),
            "let" | "%let" => self.bind(rest),
            "%declare" => match rest.split_once(':') {
                Some((name, ty)) => self.declare(name.trim(), ty.trim()).map(|()| String::new()),
                None => Err("usage: %declare NAME: TYPE".to_owned()),
            },
            "%delete" => self.delete(rest),
            "%type" => self.type_of(rest),
            "%dump" => celd_cache::dump(&self.env, rest)
                .map(|d| d.to_string().trim_end().to_owned())
                .map_err(|e| e.to_string()),
            "%container" => {
                self.container = rest.to_owned();
                self.rebuild().map(|()| String::new())
            }
            "%status" => Ok(self.status()),
            c if c.starts_with('%') => Err(format!("unknown command {c}; %help lists them")),
            _ => self
                .eval(input)
                .map(|(value, ty)| format!("{value} : {ty}")),
        };
        match outcome {
            Ok(text) if text.is_empty() => {}
            Ok(text) => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
            }
            Err(e) if e.starts_with("ERROR:") => diagnostics::print_error(&e),
            Err(e) => diagnostics::print_usage_error(&e),
        }
        true
    }

    fn eval(&self, text: &str) -> Result<(Value, Type), String> {
        let program = self.env.compile(text).map_err(|e| e.to_string())?;
        let mut vars = self.env.activation();
        for (name, (_, value)) in &self.bound {
            vars.insert(name, value.clone());
        }
        let value = program.eval(&vars).map_err(|e| e.to_string())?;
        let ty = match program.result_type() {
            Type::Dyn => Type::Dyn,
            ty => ty.clone(),
        };
        Ok((value, ty))
    }

    fn type_of(&self, text: &str) -> Result<String, String> {
        self.env
            .check(text)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    /// `let NAME = EXPR`.
    fn bind(&mut self, rest: &str) -> Result<String, String> {
        let Some((name, expr)) = rest.split_once('=') else {
            return Err("usage: let NAME = EXPR".to_owned());
        };
        let name = valid_name(name.trim())?;
        let (value, ty) = self.eval(expr.trim())?;
        self.declared.remove(&name);
        self.bound.insert(name, (ty, value));
        self.rebuild().map(|()| String::new())
    }

    fn declare(&mut self, name: &str, text: &str) -> Result<(), String> {
        let name = valid_name(name)?;
        let ty = celd_server::api::parse_decl(&self.base, &name, text, &self.container)?;
        self.bound.remove(&name);
        self.declared.insert(name, ty);
        self.rebuild()
    }

    fn delete(&mut self, name: &str) -> Result<String, String> {
        let known = self.declared.remove(name).is_some() | self.bound.remove(name).is_some();
        if !known {
            return Err(format!("'{name}' is neither declared nor bound"));
        }
        self.rebuild().map(|()| String::new())
    }

    fn status(&self) -> String {
        let mut lines = vec![format!("container: '{}'", self.container)];
        for (name, ty) in &self.declared {
            lines.push(format!("%declare {name}: {ty}"));
        }
        for (name, (ty, value)) in &self.bound {
            lines.push(format!("let {name} = {value} : {ty}"));
        }
        lines.join("\n")
    }

    fn rebuild(&mut self) -> Result<(), String> {
        let mut builder = self.base.to_builder().container(&self.container);
        for (name, ty) in &self.declared {
            builder = builder.variable(name, ty.clone());
        }
        for (name, (ty, _)) in &self.bound {
            builder = builder.variable(name, ty.clone());
        }
        self.env = builder.build().map_err(|e| e.message().to_owned())?;
        Ok(())
    }
}

fn valid_name(name: &str) -> Result<String, String> {
    let ok = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    match ok {
        true => Ok(name.to_owned()),
        false => Err(format!("'{name}' is not a variable name")),
    }
}
