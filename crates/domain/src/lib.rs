//! Pure types and rules of Relais: identifiers, states, validation (UAI…),
//! roles and permissions, the clock port. No IO lives here.

pub mod accounts;
pub mod calendar;
pub mod community;
pub mod crm;
pub mod engagement;
pub mod ical;
pub mod relation;
pub mod shared;
pub mod sla;
pub mod steering;
pub mod support;
pub mod training;

pub use shared::{fold, Clock, CodeEnum, DomainError, FieldError, Id, SystemClock};
