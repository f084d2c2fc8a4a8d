//! Variable values for one evaluation: by slot when built for an environment, else by name.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use celd_types::Type;
use celd_value::{EvalError, Value};
use smol_str::SmolStr;

use crate::fits::{misfit, misfit_message};
use crate::functions::host::{HostFunction, IntoHostFunction};

/// The variables an environment declares, in declaration order.
///
/// An [`Activation`] built for a table stores values by index, so a plan compiled
/// against the same table reads them without hashing.
#[derive(Debug)]
pub struct VarTable {
    id: u64,
    names: Vec<SmolStr>,
    index: HashMap<SmolStr, u32, foldhash::fast::RandomState>,
    /// The declared type of each slot and the type its values hold at run time (a struct
    /// type's values are maps), when values given for them are checked.
    types: Option<Vec<(Type, Type)>>,
}

impl VarTable {
    pub fn new<I: IntoIterator<Item = SmolStr>>(names: I) -> VarTable {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let mut table = VarTable {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            names: Vec::new(),
            index: HashMap::default(),
            types: None,
        };
        for name in names {
            if !table.index.contains_key(&name) {
                table.index.insert(name.clone(), table.names.len() as u32);
                table.names.push(name);
            }
        }
        table
    }

    /// A table whose activations check each value given for a variable against its declared
    /// type when it is inserted (see [`Activation::misfit`]).
    /// Each variable comes with its declared type (which messages name) and the type its
    /// values hold at run time (which they are checked against; the same but for types
    /// represented by others, as struct types are by maps).
    pub fn typed<'a, I>(variables: I) -> VarTable
    where
        I: IntoIterator<Item = (&'a SmolStr, &'a Type, &'a Type)>,
    {
        let variables: Vec<(&SmolStr, &Type, &Type)> = variables.into_iter().collect();
        let mut table = VarTable::new(variables.iter().map(|(name, _, _)| (*name).clone()));
        let mut types = vec![(Type::Dyn, Type::Dyn); table.names.len()];
        for (name, declared, held) in variables {
            if let Some(i) = table.index_of(name) {
                types[i as usize] = (declared.clone(), held.clone());
            }
        }
        table.types = Some(types);
        table
    }

    /// The declared and the held type of slot `i`, if values for it are checked.
    fn checked_type(&self, i: u32) -> Option<&(Type, Type)> {
        let types = self.types.as_ref()?.get(i as usize)?;
        (!types.1.is_dyn()).then_some(types)
    }

    /// A process-unique identity, so plans can tell whether an activation was built for their table.
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn index_of(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self) -> &[SmolStr] {
        &self.names
    }
}

/// The values of variables for an evaluation, and the implementations of late-bound
/// functions ([`Activation::bind`]).
#[derive(Clone, Debug, Default)]
pub struct Activation {
    table: Option<Arc<VarTable>>,
    slots: Vec<Option<Value>>,
    by_name: HashMap<SmolStr, Value, foldhash::fast::RandomState>,
    /// Slots given a value that does not fit their declared type, with the message.
    misfits: Vec<(u32, String)>,
    /// Late-bound implementations by function name or by overload id.
    functions: HashMap<SmolStr, HostFunction, foldhash::fast::RandomState>,
}

impl Activation {
    /// An activation that looks variables up by name.
    pub fn new() -> Activation {
        Activation::default()
    }

    /// An activation that stores the table's variables by slot (and any others by name).
    pub fn for_table(table: Arc<VarTable>) -> Activation {
        Activation {
            slots: vec![None; table.len()],
            table: Some(table),
            by_name: HashMap::default(),
            misfits: Vec::new(),
            functions: HashMap::default(),
        }
    }

    /// Supplies the implementation of a late-bound function for evaluations with this
    /// activation: request-scoped state such as a clock, an authorizer or a database handle.
    /// `function` is the function's name (the implementation then serves each of its
    /// late-bound overloads) or one overload's id (which wins over the name for that
    /// overload). The implementation is a typed closure or a [`HostFunction`].
    ///
    /// ```
    /// # use celd_eval::Activation;
    /// let now = 1_700_000_000i64;
    /// let mut activation = Activation::new();
    /// activation.bind("now_seconds", move || now);
    /// ```
    pub fn bind<M>(&mut self, function: &str, f: impl IntoHostFunction<M>) -> &mut Activation {
        self.functions
            .insert(SmolStr::new(function), f.into_host_function());
        self
    }

    /// The implementation bound for overload `id` of `function`: by id, else by name.
    pub fn bound_function(&self, function: &str, id: &str) -> Result<&HostFunction, EvalError> {
        self.functions
            .get(id)
            .or_else(|| self.functions.get(function))
            .ok_or_else(|| {
                EvalError::new(
                    celd_value::ErrorKind::UnboundFunction,
                    format!(
                        "no implementation of late-bound function '{function}' (overload '{id}') \
                         was bound for this evaluation"
                    ),
                )
            })
    }

    /// Sets a variable, replacing an earlier value. In an activation built for a typed table
    /// ([`VarTable::typed`]), a value that does not fit the variable's declared type is
    /// remembered, and evaluating with this activation fails with [`Activation::misfit`].
    pub fn insert(&mut self, name: &str, value: impl Into<Value>) -> &mut Activation {
        let value = value.into();
        match self.table.as_ref().and_then(|t| t.index_of(name)) {
            Some(i) => {
                self.check_fit(i, name, &value);
                self.slots[i as usize] = Some(value);
            }
            None => {
                self.by_name.insert(SmolStr::new(name), value);
            }
        }
        self
    }

    fn check_fit(&mut self, i: u32, name: &str, value: &Value) {
        let Some((declared, held)) = self.table.as_ref().and_then(|t| t.checked_type(i)) else {
            return;
        };
        let found = misfit(value, held).map(|m| misfit_message(name, declared, &m));
        self.misfits.retain(|(slot, _)| *slot != i);
        if let Some(message) = found {
            self.misfits.push((i, message));
        }
    }

    /// Why a value given for a declared variable does not fit its type (the first such
    /// variable, in insertion order): `variable 'x' is declared int but was given double`.
    #[inline]
    pub fn misfit(&self) -> Option<&str> {
        self.misfits.first().map(|(_, message)| message.as_str())
    }

    /// Sets a variable to any `Serialize` value, converted as
    /// [`to_value`](celd_value::serde_bridge::to_value) does (structs and maps become maps,
    /// `u32` a `uint`, ...); fails, setting nothing, when it does not convert.
    #[cfg(feature = "serde")]
    pub fn insert_serialize<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<&mut Activation, celd_value::serde_bridge::SerdeError> {
        let value = celd_value::serde_bridge::to_value(value)?;
        Ok(self.insert(name, value))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        match self.table.as_ref().and_then(|t| t.index_of(name)) {
            Some(i) => self.slots[i as usize].as_ref(),
            None => self.by_name.get(name),
        }
    }

    /// The values by slot when this activation was built for `table_id`'s table.
    pub(crate) fn slots_for(&self, table_id: u64) -> Option<&[Option<Value>]> {
        match &self.table {
            Some(t) if t.id == table_id => Some(&self.slots),
            _ => None,
        }
    }
}
