//! `paynet._native`: the Python binding of paynet-core.
//!
//! Only conversion lives here (Python values ↔ core JSON, core errors →
//! Python exceptions, one runtime); every rule is core's. The public API is
//! the pure-Python package around it.

// core's `Error` is large on purpose (every field a user can read); it is the
// cold path and becomes a Python exception at once, as in core itself.
#![allow(clippy::result_large_err)]

mod client;
mod completion;
mod convert;
mod errors;
mod pyser;
mod runtime;
#[cfg(feature = "embedded-sandbox")]
mod sandbox;
mod table;

use pyo3::prelude::*;

#[pymodule]
mod _native {
    #[pymodule_export]
    use crate::client::NativeClient;
    #[pymodule_export]
    use crate::pyser::_register_models;
    #[cfg(feature = "embedded-sandbox")]
    #[pymodule_export]
    use crate::sandbox::NativeSandbox;
    #[pymodule_export]
    use crate::table::NativeTable;

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", paynet_core::VERSION)?;
        m.add("METHODS", paynet_core::METHODS.to_vec())?;
        // Method → its result model, for the methods whose rows can be a table.
        let tabular = pyo3::types::PyDict::new(m.py());
        for method in paynet_core::METHODS {
            if let Some(shape) = paynet_core::columnar::shape(method) {
                tabular.set_item(method, shape.result_model)?;
            }
        }
        m.add("TABULAR", tabular)?;
        #[cfg(feature = "embedded-sandbox")]
        m.add("SANDBOX_USAGE", paynet_sandbox::cli::USAGE)?;
        Ok(())
    }
}
