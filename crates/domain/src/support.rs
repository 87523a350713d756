//! Cooperative support: ticket categories, severities and statuses, the
//! transitions between statuses and who may make them, ticket references,
//! and validation of a new ticket.

use crate::accounts::{Actor, Role};
use crate::code_enum;
use crate::shared::{required_text, DomainError, Violations};

code_enum!(Category {
    Anomalie => ("anomalie", "Anomalie", "Bug"),
    Question => ("question", "Question", "Question"),
    Evolution => ("evolution", "Demande d'évolution", "Feature request"),
    IncidentProduction => ("incident_production", "Incident de production", "Production incident"),
});

code_enum!(Severity {
    Bloquant => ("bloquant", "Bloquant", "Blocking"),
    Majeur => ("majeur", "Majeur", "Major"),
    Mineur => ("mineur", "Mineur", "Minor"),
});

code_enum!(TicketStatus {
    Nouveau => ("nouveau", "Nouveau", "New"),
    EnCours => ("en_cours", "En cours", "In progress"),
    AttenteEtablissement => ("attente_etablissement", "En attente de l'établissement", "Waiting for the institution"),
    AttenteEditeur => ("attente_editeur", "En attente de l'éditeur", "Waiting for the editor"),
    Resolu => ("resolu", "Résolu", "Resolved"),
    Clos => ("clos", "Clos", "Closed"),
});

impl TicketStatus {
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Resolu | TicketStatus::Clos)
    }

    /// Whether `actor` may move a ticket from `self` to `to`. Agents drive
    /// the workflow; a member may only reopen a resolved ticket, confirm
    /// it (close), or withdraw their own new ticket.
    pub fn may_move(self, to: TicketStatus, actor: &Actor) -> bool {
        use TicketStatus::*;
        if self == to {
            return false;
        }
        let agent = matches!(actor.role, Role::Admin | Role::Support);
        if agent {
            return match self {
                Clos => false,
                Resolu => matches!(to, EnCours | Clos),
                _ => true,
            };
        }
        matches!(
            (self, to),
            (Resolu, EnCours) | (Resolu, Clos) | (Nouveau, Clos)
        )
    }
}

/// A ticket reference as people quote it: `R2021-000123`.
pub fn ticket_ref(year: i32, number: i64) -> String {
    format!("R{year}-{number:06}")
}

pub fn parse_ticket_ref(s: &str) -> Option<(i32, i64)> {
    let s = s.trim().strip_prefix('R')?;
    let (y, n) = s.split_once('-')?;
    if y.len() != 4 || n.len() < 6 {
        return None;
    }
    Some((y.parse().ok()?, n.parse().ok()?))
}

/// A new ticket as a member or an agent types it.
#[derive(Debug, Clone, Default)]
pub struct TicketInput {
    pub product_id: String,
    pub module: Option<String>,
    pub category: String,
    pub severity: String,
    pub subject: String,
    pub body: String,
    pub shared: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketFields {
    pub product_id: crate::Id,
    pub module: Option<String>,
    pub category: Category,
    pub severity: Severity,
    pub subject: String,
    pub body: String,
    pub shared: bool,
}

impl TryFrom<TicketInput> for TicketFields {
    type Error = DomainError;
    fn try_from(i: TicketInput) -> Result<Self, DomainError> {
        let mut v = Violations::default();
        let product = crate::Id::parse(i.product_id.trim());
        if product.is_none() {
            v.push("required", "product_id", "Choisissez le produit concerné.");
        }
        let category = Category::from_code(i.category.trim());
        if category.is_none() {
            v.push("invalid_category", "category", "Catégorie inconnue.");
        }
        let severity = Severity::from_code(i.severity.trim());
        if severity.is_none() {
            v.push("invalid_severity", "severity", "Sévérité inconnue.");
        }
        let subject = required_text(&mut v, "subject", &i.subject, 200);
        let body = required_text(&mut v, "body", &i.body, 50_000);
        let module = crate::shared::optional_text(&mut v, "module", i.module.as_deref(), 100);
        v.into_result()?;
        match (product, category, severity, subject, body) {
            (Some(product_id), Some(category), Some(severity), Some(subject), Some(body)) => {
                Ok(TicketFields {
                    product_id,
                    module,
                    category,
                    severity,
                    subject,
                    body,
                    shared: i.shared,
                })
            }
            _ => Err(DomainError::Invalid(vec![])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Id::new(),
            role,
            institution_id: Some(Id::new()),
            display_name: "x".into(),
        }
    }

    #[test]
    fn members_reopen_or_confirm_but_do_not_drive_the_workflow() {
        use TicketStatus::*;
        let m = actor(Role::Member);
        assert!(Resolu.may_move(EnCours, &m));
        assert!(Resolu.may_move(Clos, &m));
        assert!(Nouveau.may_move(Clos, &m));
        assert!(!Nouveau.may_move(EnCours, &m));
        assert!(!EnCours.may_move(Resolu, &m));
        let a = actor(Role::Support);
        assert!(Nouveau.may_move(AttenteEditeur, &a));
        assert!(!Clos.may_move(EnCours, &a), "closed is final");
        assert!(!Resolu.may_move(AttenteEditeur, &a));
        assert!(
            !actor(Role::Relation).role.is_agency()
                || !EnCours.may_move(Resolu, &actor(Role::Relation))
        );
    }

    #[test]
    fn references_round_trip() {
        assert_eq!(ticket_ref(2021, 123), "R2021-000123");
        assert_eq!(parse_ticket_ref("R2021-000123"), Some((2021, 123)));
        assert_eq!(parse_ticket_ref("R21-1"), None);
    }
}
