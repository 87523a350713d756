//! Roles and what each may see or change. The rules are pure: the web layer
//! turns a session into an [`Actor`], and store queries are narrowed by the
//! actor's [`Scope`] so a handler never holds an unscoped query.

use crate::code_enum;
use crate::shared::Id;

code_enum!(Role {
    Admin => ("admin", "Administrateur·rice", "Administrator"),
    Support => ("support", "Agent de support", "Support agent"),
    Relation => ("relation", "Chargé·e de relation", "Key-account manager"),
    Domain => ("domain", "Chargé·e de domaine", "Domain lead"),
    Trainer => ("trainer", "Formateur·rice", "Trainer"),
    Member => ("member", "Correspondant·e", "Member"),
    MemberAdmin => ("member_admin", "Référent·e", "Member referent"),
});

impl Role {
    /// Agency staff see the whole référentiel; everyone else belongs to one
    /// institution and sees only its private data.
    pub fn is_agency(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Support | Role::Relation | Role::Domain
        )
    }
}

/// The person behind a request, after authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Id,
    pub role: Role,
    /// The institution a member, referent or trainer belongs to.
    pub institution_id: Option<Id>,
    pub display_name: String,
}

/// What rows of institution-owned data an actor may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Agency staff: every institution.
    All,
    /// A member: only this institution.
    Institution(Id),
    /// Nothing (an account tied to no institution and no agency role).
    Nothing,
}

impl Actor {
    pub fn scope(&self) -> Scope {
        if self.role.is_agency() {
            Scope::All
        } else {
            match self.institution_id {
                Some(id) => Scope::Institution(id),
                None => Scope::Nothing,
            }
        }
    }

    /// May read the institution-owned record of `institution`.
    pub fn can_read_institution(&self, institution: Id) -> bool {
        match self.scope() {
            Scope::All => true,
            Scope::Institution(own) => own == institution,
            Scope::Nothing => false,
        }
    }

    /// Key-account work (institutions, conventions, deployments, interactions).
    pub fn can_manage_crm(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Relation)
    }

    /// Interactions and follow-up tasks are the agency's own notes about a
    /// member: never shown to the member.
    pub fn can_read_interactions(&self) -> bool {
        self.role.is_agency()
    }

    /// Products, releases and domains belong to the agency's catalogue.
    pub fn can_manage_catalogue(&self) -> bool {
        matches!(self.role, Role::Admin)
    }

    /// Contacts of `institution`: key-account managers and admins anywhere,
    /// a referent within their own institution.
    pub fn can_edit_contacts_of(&self, institution: Id) -> bool {
        self.can_manage_crm()
            || (self.role == Role::MemberAdmin && self.institution_id == Some(institution))
    }

    /// Accounts: admins manage all; a referent manages their institution's
    /// member accounts only.
    pub fn can_manage_users(&self) -> bool {
        matches!(self.role, Role::Admin | Role::MemberAdmin)
    }

    /// Which roles this actor may grant. A referent never grants more than
    /// referent, and never an agency role: raising one's own rights through a
    /// form field is impossible by construction.
    pub fn grantable_roles(&self) -> &'static [Role] {
        match self.role {
            Role::Admin => Role::ALL,
            Role::MemberAdmin => &[Role::Member, Role::MemberAdmin],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, inst: Option<Id>) -> Actor {
        Actor {
            user_id: Id::new(),
            role,
            institution_id: inst,
            display_name: "x".into(),
        }
    }

    #[test]
    fn members_are_confined_to_their_institution() {
        let a = Id::new();
        let b = Id::new();
        let m = actor(Role::Member, Some(a));
        assert!(m.can_read_institution(a));
        assert!(!m.can_read_institution(b));
        assert!(!m.can_read_interactions());
        assert!(!m.can_edit_contacts_of(a));
        let r = actor(Role::MemberAdmin, Some(a));
        assert!(r.can_edit_contacts_of(a));
        assert!(!r.can_edit_contacts_of(b));
        assert!(!r.grantable_roles().contains(&Role::Admin));
        assert_eq!(actor(Role::Member, None).scope(), Scope::Nothing);
    }

    #[test]
    fn agency_roles_see_everything() {
        for role in [Role::Admin, Role::Support, Role::Relation, Role::Domain] {
            assert_eq!(actor(role, None).scope(), Scope::All);
        }
        assert!(!actor(Role::Support, None).can_manage_crm());
        assert!(actor(Role::Relation, None).can_manage_crm());
    }
}
