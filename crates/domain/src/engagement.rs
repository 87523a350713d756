//! Member relations (issue 6): complaints and their corrective actions, the
//! campaigns of qualified contacts, the Comité de la relation
//! établissements. Closed code lists and pure rules (who may see what,
//! the irritants' ranking); no IO.

use crate::accounts::{Actor, Role};
use crate::code_enum;

code_enum!(
    /// The "irritant": the moment of the member's journey that went wrong.
    Touchpoint {
    Support => ("support", "Support", "Support"),
    Formation => ("formation", "Formation", "Training"),
    Facturation => ("facturation", "Facturation", "Billing"),
    QualiteProduit => ("qualite_produit", "Qualité produit", "Product quality"),
    Deploiement => ("deploiement", "Déploiement", "Deployment"),
    Communication => ("communication", "Communication", "Communication"),
    Relation => ("relation", "Relation commerciale", "Account management"),
    Autre => ("autre", "Autre", "Other"),
});

code_enum!(ComplaintSeverity {
    Mineure => ("mineure", "Mineure", "Minor"),
    Majeure => ("majeure", "Majeure", "Major"),
    Critique => ("critique", "Critique", "Critical"),
});

code_enum!(ComplaintStatus {
    Nouvelle => ("nouvelle", "Nouvelle", "New"),
    EnCours => ("en_cours", "En cours de traitement", "In progress"),
    Close => ("close", "Close", "Closed"),
});

code_enum!(
    /// How a complaint reached the agency.
    ComplaintChannel {
    Agent => ("agent", "Saisie par l'Amue", "Entered by the agency"),
    Page => ("page", "Formulaire en ligne", "Web form"),
    Api => ("api", "API", "API"),
    Mail => ("mail", "Courriel", "E-mail"),
    Telephone => ("telephone", "Téléphone", "Phone"),
});

code_enum!(ActionStatus {
    AFaire => ("a_faire", "À faire", "To do"),
    EnCours => ("en_cours", "En cours", "In progress"),
    Faite => ("faite", "Faite", "Done"),
    Abandonnee => ("abandonnee", "Abandonnée", "Dropped"),
});

code_enum!(
    /// Where an institution of a campaign stands.
    TargetStatus {
    AContacter => ("a_contacter", "À contacter", "To contact"),
    Contacte => ("contacte", "Contacté", "Contacted"),
    Injoignable => ("injoignable", "Injoignable", "Unreachable"),
    Refus => ("refus", "Refus", "Declined"),
});

code_enum!(
    /// The outcome of one contact made during a campaign.
    ContactOutcome {
    Joint => ("joint", "Échange réalisé, données à jour", "Reached, data up to date"),
    Corrige => ("corrige", "Échange réalisé, données corrigées", "Reached, data corrected"),
    Rappeler => ("rappeler", "À rappeler", "Call back"),
    Injoignable => ("injoignable", "Injoignable", "Unreachable"),
    Refus => ("refus", "Refus de l'échange", "Declined"),
});

impl ContactOutcome {
    /// The status a target takes after a contact with this outcome.
    pub fn target_status(self) -> TargetStatus {
        match self {
            ContactOutcome::Joint | ContactOutcome::Corrige => TargetStatus::Contacte,
            ContactOutcome::Rappeler => TargetStatus::AContacter,
            ContactOutcome::Injoignable => TargetStatus::Injoignable,
            ContactOutcome::Refus => TargetStatus::Refus,
        }
    }
}

code_enum!(ComiteRole {
    President => ("president", "Président·e", "Chair"),
    VicePresident => ("vice_president", "Vice-président·e", "Vice-chair"),
    Membre => ("membre", "Membre", "Member"),
    Secretariat => ("secretariat", "Secrétariat (Amue)", "Secretariat (agency)"),
});

/// Who treats complaints: key-account managers and administrators
/// qualify, own and close them; every agency role reads them.
pub fn may_treat_complaints(a: &Actor) -> bool {
    matches!(
        a.role,
        Role::Admin | Role::Relation | Role::Support | Role::Domain
    )
}

/// Campaigns and the comité are the agency's own work.
pub fn may_manage_engagement(a: &Actor) -> bool {
    matches!(a.role, Role::Admin | Role::Relation)
}

/// Percentage done, rounded down (0 when there is nothing to do).
pub fn percent(done: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        done * 100 / total
    }
}

/// The median of whole days (None when empty).
pub fn median(mut xs: Vec<i64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2] as f64
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) as f64 / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_move_targets() {
        assert_eq!(
            ContactOutcome::Corrige.target_status(),
            TargetStatus::Contacte
        );
        assert_eq!(
            ContactOutcome::Rappeler.target_status(),
            TargetStatus::AContacter
        );
        assert_eq!(percent(2, 5), 40);
        assert_eq!(percent(0, 0), 0);
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }
}
