//! Pure types and rules of Relais: identifiers, states, validation (UAI…),
//! roles and permissions, the clock port. No IO lives here.

pub mod accounts;
pub mod crm;
pub mod shared;

pub use shared::{fold, Clock, DomainError, FieldError, Id, SystemClock};
