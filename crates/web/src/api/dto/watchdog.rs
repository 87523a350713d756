//! API types of the SLA watchdog.

use serde::Serialize;
use utoipa::ToSchema;

use super::Ticket;

// ---------------------------------------------------------------- watchdog

/// A ticket whose contractual clocks are at risk or late now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AtRiskTicket {
    pub ticket: Ticket,
    pub clocks: Vec<relais_app::watchdog::Clock>,
}

impl From<relais_app::watchdog::AtRisk> for AtRiskTicket {
    fn from(r: relais_app::watchdog::AtRisk) -> Self {
        AtRiskTicket {
            ticket: r.ticket.into(),
            clocks: r.clocks,
        }
    }
}
