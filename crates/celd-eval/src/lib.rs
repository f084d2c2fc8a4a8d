//! CEL planning and evaluation: the planner turns a (checked) AST into a [`Plan`],
//! the evaluator runs it against an [`Activation`] within [`Limits`].
//!
//! This crate knows nothing of I/O or JSON. A plan is immutable, `Send + Sync`, and
//! can be shared by `Arc` and evaluated from many threads at once.

pub mod activation;
pub mod cost;
pub mod estimate;
pub mod eval;
pub mod fits;
pub mod functions;
pub mod limits;
pub mod memory;
pub mod plan;
pub mod planner;
pub mod select;
mod size;

pub use activation::{Activation, VarTable};
pub use eval::EvalOptions;
pub use functions::{Impl, Registry};
pub use limits::Limits;
pub use memory::MeteredAlloc;
pub use plan::{Node, Plan};
pub use planner::{PlanEnv, PlanError, PlanOptions, plan};
