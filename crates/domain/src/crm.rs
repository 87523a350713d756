//! The référentiel and CRM core: institutions and their components, contacts,
//! business domains, products and releases, deployments, conventions,
//! interactions and follow-up tasks. Enumerations carry their stable code
//! (stored and exposed by the API) and their French and English labels.

use crate::shared::{
    is_plausible_email, optional_text, parse_date, required_text, DomainError, Violations,
};
use chrono::NaiveDate;

/// Declares a closed list of values: stable code, French label, English label.
#[macro_export]
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => ($code:literal, $fr:literal, $en:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $( #[serde(rename = $code)] $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label_fr(self) -> &'static str { match self { $($name::$variant => $fr),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            pub fn label(self, english: bool) -> &'static str {
                if english { self.label_en() } else { self.label_fr() }
            }
            pub fn from_code(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::shared::CodeEnum for $name {
            const KIND: &'static str = stringify!($name);
            fn code(self) -> &'static str { $name::code(self) }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
    };
}

code_enum!(InstitutionKind {
    Universite => ("universite", "Université", "University"),
    Ecole => ("ecole", "École", "School"),
    OrganismeRecherche => ("organisme_recherche", "Organisme de recherche", "Research body"),
    Autre => ("autre", "Autre", "Other"),
});

code_enum!(MembershipStatus {
    Adherent => ("adherent", "Adhérent", "Member"),
    Prospect => ("prospect", "Prospect", "Prospect"),
    AncienAdherent => ("ancien_adherent", "Ancien adhérent", "Former member"),
});

code_enum!(
    /// Which public-holiday calendar an institution follows.
    CalendarKind {
    Metropole => ("metropole", "Métropole", "Mainland France"),
    AlsaceMoselle => ("alsace_moselle", "Alsace-Moselle", "Alsace-Moselle"),
    OutreMer => ("outre_mer", "Outre-mer", "Overseas"),
});

code_enum!(ComponentKind {
    Ufr => ("ufr", "UFR", "Faculty (UFR)"),
    Faculte => ("faculte", "Faculté", "Faculty"),
    Institut => ("institut", "Institut", "Institute"),
    EcoleInterne => ("ecole_interne", "École interne", "Internal school"),
    Laboratoire => ("laboratoire", "Laboratoire", "Laboratory"),
    Umr => ("umr", "Unité mixte de recherche (UMR)", "Joint research unit (UMR)"),
    Service => ("service", "Service", "Department"),
    Autre => ("autre", "Autre", "Other"),
});

code_enum!(ContactFunction {
    Dgs => ("dgs", "Directeur·rice général·e des services (DGS)", "Director general of services"),
    Daf => ("daf", "Directeur·rice des affaires financières (DAF)", "Finance director"),
    Drh => ("drh", "Directeur·rice des ressources humaines (DRH)", "HR director"),
    Da => ("da", "Directeur·rice des achats (DA)", "Purchasing director"),
    Dpi => ("dpi", "Directeur·rice du patrimoine immobilier (DPI)", "Estates director"),
    Dsi => ("dsi", "Directeur·rice des systèmes d'information (DSI)", "CIO"),
    Daj => ("daj", "Directeur·rice des affaires juridiques (DAJ)", "Legal director"),
    AgentComptable => ("agent_comptable", "Agent comptable", "Public accountant"),
    VpNumerique => ("vp_numerique", "Vice-président·e numérique", "Digital vice-president"),
    President => ("president", "Président·e", "President"),
    ChefProjet => ("chef_projet", "Chef·fe de projet", "Project manager"),
    Gestionnaire => ("gestionnaire", "Gestionnaire", "Administrator"),
    Autre => ("autre", "Autre", "Other"),
});

code_enum!(ProductStage {
    Conception => ("conception", "En conception", "In design"),
    Pilote => ("pilote", "Phase pilote", "Pilot"),
    Deploiement => ("deploiement", "En déploiement", "Rolling out"),
    Production => ("production", "En production", "In production"),
    FinDeMaintenance => ("fin_de_maintenance", "Fin de maintenance", "End of maintenance"),
});

code_enum!(DeploymentStatus {
    Candidat => ("candidat", "Candidat", "Candidate"),
    PiloteP1 => ("pilote_p1", "Pilote P1", "Pilot P1"),
    PiloteP2 => ("pilote_p2", "Pilote P2", "Pilot P2"),
    Vague => ("vague", "Vague", "Wave"),
    Production => ("production", "Production", "Production"),
    Retire => ("retire", "Retiré", "Withdrawn"),
});

code_enum!(HostingMode {
    SurSite => ("sur_site", "Sur site", "On premises"),
    Saas => ("saas", "SaaS", "SaaS"),
    CoAdministre => ("co_administre", "Co-administré", "Co-administered"),
});

code_enum!(ConventionKind {
    Deploiement => ("deploiement", "Déploiement", "Deployment"),
    Exploitation => ("exploitation", "Exploitation", "Operation"),
    Prefinancement => ("prefinancement", "Préfinancement", "Pre-financing"),
    Coconstruction => ("coconstruction", "Co-construction", "Co-construction"),
    Partenariat => ("partenariat", "Partenariat", "Partnership"),
});

code_enum!(InteractionKind {
    Reunion => ("reunion", "Réunion", "Meeting"),
    Appel => ("appel", "Appel", "Call"),
    Visite => ("visite", "Visite", "Visit"),
    Courriel => ("courriel", "Courriel", "E-mail"),
});

code_enum!(TaskStatus {
    AFaire => ("a_faire", "À faire", "To do"),
    Faite => ("faite", "Faite", "Done"),
    Annulee => ("annulee", "Annulée", "Cancelled"),
});

/// Letters used for the UAI check character: the alphabet without I, O and Q,
/// which would be confused with digits.
const UAI_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// The check letter of a UAI (unité administrative immatriculée): the seven
/// digits read as a number, modulo 23, in the alphabet above.
pub fn uai_check_letter(digits: &str) -> Option<char> {
    if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    Some(UAI_LETTERS[(n % 23) as usize] as char)
}

/// Validates a UAI such as `0691774D`: 7 digits and the right check letter.
/// Lower case is accepted and normalised to upper case.
pub fn validate_uai(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim().to_ascii_uppercase();
    if s.len() != 8 || !s.is_ascii() {
        return Err("Un code UAI compte 7 chiffres suivis d'une lettre (ex. 0691774D).");
    }
    let (digits, letter) = s.split_at(7);
    let Some(expected) = uai_check_letter(digits) else {
        return Err("Un code UAI commence par 7 chiffres (ex. 0691774D).");
    };
    if !letter.starts_with(expected) {
        return Err("La lettre de contrôle du code UAI ne correspond pas aux chiffres.");
    }
    Ok(s)
}

/// Validated fields of an institution, as created or edited by a person, the
/// API or an import.
#[derive(Debug, Clone, PartialEq)]
pub struct InstitutionFields {
    pub name: String,
    pub acronym: Option<String>,
    pub kind: InstitutionKind,
    pub region: Option<String>,
    pub city: Option<String>,
    pub uai: Option<String>,
    pub students: Option<i64>,
    pub staff: Option<i64>,
    pub membership: MembershipStatus,
    pub member_since: Option<i64>,
    pub calendar: CalendarKind,
    pub tags: Vec<String>,
}

/// Raw institution input (strings as typed).
#[derive(Debug, Clone, Default)]
pub struct InstitutionInput {
    pub name: String,
    pub acronym: Option<String>,
    pub kind: String,
    pub region: Option<String>,
    pub city: Option<String>,
    pub uai: Option<String>,
    pub students: Option<String>,
    pub staff: Option<String>,
    pub membership: Option<String>,
    pub member_since: Option<String>,
    pub calendar: Option<String>,
    pub tags: Option<String>,
}

fn parse_count(v: &mut Violations, field: &'static str, raw: Option<&str>) -> Option<i64> {
    let t = raw.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return None;
    }
    let cleaned: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    match cleaned.parse::<i64>() {
        Ok(n) if (0..=10_000_000).contains(&n) => Some(n),
        _ => {
            v.push(
                "invalid_number",
                field,
                format!("« {t} » n'est pas un nombre entier positif."),
            );
            None
        }
    }
}

impl TryFrom<InstitutionInput> for InstitutionFields {
    type Error = DomainError;

    fn try_from(i: InstitutionInput) -> Result<Self, DomainError> {
        let mut v = Violations::default();
        let name = required_text(&mut v, "name", &i.name, 200);
        let acronym = optional_text(&mut v, "acronym", i.acronym.as_deref(), 40);
        let kind = InstitutionKind::from_code(i.kind.trim());
        if kind.is_none() {
            v.push("invalid_kind", "kind", "Type d'établissement inconnu.");
        }
        let uai = match optional_text(&mut v, "uai", i.uai.as_deref(), 20) {
            Some(raw) => match validate_uai(&raw) {
                Ok(u) => Some(u),
                Err(msg) => {
                    v.push("invalid_uai", "uai", msg);
                    None
                }
            },
            None => None,
        };
        let membership = match i.membership.as_deref().map(str::trim) {
            None | Some("") => Some(MembershipStatus::Adherent),
            Some(s) => MembershipStatus::from_code(s),
        };
        if membership.is_none() {
            v.push(
                "invalid_membership",
                "membership",
                "Statut d'adhésion inconnu.",
            );
        }
        let calendar = match i.calendar.as_deref().map(str::trim) {
            None | Some("") => Some(CalendarKind::Metropole),
            Some(s) => CalendarKind::from_code(s),
        };
        if calendar.is_none() {
            v.push("invalid_calendar", "calendar", "Calendrier inconnu.");
        }
        let students = parse_count(&mut v, "students", i.students.as_deref());
        let staff = parse_count(&mut v, "staff", i.staff.as_deref());
        let member_since = parse_count(&mut v, "member_since", i.member_since.as_deref());
        if let Some(y) = member_since {
            if !(1950..=2100).contains(&y) {
                v.push(
                    "invalid_year",
                    "member_since",
                    "L'année d'adhésion doit être comprise entre 1950 et 2100.",
                );
            }
        }
        let tags = i
            .tags
            .as_deref()
            .unwrap_or("")
            .split([',', ';'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let region = optional_text(&mut v, "region", i.region.as_deref(), 80);
        let city = optional_text(&mut v, "city", i.city.as_deref(), 80);
        v.into_result()?;
        match (name, kind, membership, calendar) {
            (Some(name), Some(kind), Some(membership), Some(calendar)) => Ok(InstitutionFields {
                name,
                acronym,
                kind,
                region,
                city,
                uai,
                students,
                staff,
                membership,
                member_since,
                calendar,
                tags,
            }),
            _ => Err(DomainError::Invalid(vec![])),
        }
    }
}

/// Validated fields of a contact.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub function: ContactFunction,
    pub title: Option<String>,
    pub domains: Vec<String>,
    pub consent: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub function: Option<String>,
    pub title: Option<String>,
    pub domains: Vec<String>,
    pub consent: bool,
}

impl TryFrom<ContactInput> for ContactFields {
    type Error = DomainError;

    fn try_from(i: ContactInput) -> Result<Self, DomainError> {
        let mut v = Violations::default();
        let first_name = required_text(&mut v, "first_name", &i.first_name, 100);
        let last_name = required_text(&mut v, "last_name", &i.last_name, 100);
        let email =
            optional_text(&mut v, "email", i.email.as_deref(), 200).map(|e| e.to_lowercase());
        if let Some(e) = &email {
            if !is_plausible_email(e) {
                v.push(
                    "invalid_email",
                    "email",
                    format!("« {e} » n'est pas une adresse électronique valide."),
                );
            }
        }
        let phone = optional_text(&mut v, "phone", i.phone.as_deref(), 40);
        if let Some(p) = &phone {
            if !p
                .chars()
                .all(|c| c.is_ascii_digit() || " +().-".contains(c))
            {
                v.push(
                    "invalid_phone",
                    "phone",
                    "Un numéro de téléphone ne contient que des chiffres, espaces, +, points, tirets et parenthèses.",
                );
            }
        }
        let function = match i.function.as_deref().map(str::trim) {
            None | Some("") => Some(ContactFunction::Autre),
            Some(s) => ContactFunction::from_code(s),
        };
        if function.is_none() {
            v.push("invalid_function", "function", "Fonction inconnue.");
        }
        let title = optional_text(&mut v, "title", i.title.as_deref(), 200);
        v.into_result()?;
        match (first_name, last_name, function) {
            (Some(first_name), Some(last_name), Some(function)) => Ok(ContactFields {
                first_name,
                last_name,
                email,
                phone,
                function,
                title,
                domains: i.domains,
                consent: i.consent,
            }),
            _ => Err(DomainError::Invalid(vec![])),
        }
    }
}

/// Start, end and renewal-alert dates of a convention.
pub type ConventionDates = (Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>);

/// Validated dates of a convention: the end comes after the start, and the
/// renewal alert, when given, falls before the end.
pub fn validate_convention_dates(
    start: Option<&str>,
    end: Option<&str>,
    alert: Option<&str>,
) -> Result<ConventionDates, DomainError> {
    let mut v = Violations::default();
    let s = parse_date(&mut v, "starts_on", start);
    let e = parse_date(&mut v, "ends_on", end);
    let a = parse_date(&mut v, "renewal_alert_on", alert);
    if let (Some(s), Some(e)) = (s, e) {
        if e < s {
            v.push(
                "end_before_start",
                "ends_on",
                "La date de fin précède la date de début.",
            );
        }
    }
    if let (Some(a), Some(e)) = (a, e) {
        if a > e {
            v.push(
                "alert_after_end",
                "renewal_alert_on",
                "L'alerte de renouvellement doit précéder la fin de la convention.",
            );
        }
    }
    v.into_result()?;
    Ok((s, e, a))
}

/// Default renewal alert: three months before the end of a convention.
pub fn default_renewal_alert(end: NaiveDate) -> NaiveDate {
    end.checked_sub_months(chrono::Months::new(3))
        .unwrap_or(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_uai_codes_are_valid() {
        // Université Paris 1, INSA Lyon, Université de Strasbourg, Université de La Réunion.
        for code in ["0751717J", "0690192J", "0673021V", "9740478B"] {
            assert_eq!(validate_uai(code).as_deref(), Ok(code), "{code}");
        }
        assert_eq!(validate_uai(" 0751717j ").as_deref(), Ok("0751717J"));
    }

    #[test]
    fn invalid_uai_codes_are_refused() {
        for code in [
            "0751717K",
            "751717J",
            "07517170",
            "0751717JJ",
            "A751717J",
            "",
            "0751717I",
            "07517 7J",
        ] {
            assert!(validate_uai(code).is_err(), "{code} should be invalid");
        }
    }

    proptest! {
        #[test]
        fn every_seven_digits_have_exactly_one_valid_letter(n in 0u32..10_000_000) {
            let digits = format!("{n:07}");
            let valid: Vec<char> = UAI_LETTERS.iter().map(|b| *b as char)
                .filter(|l| validate_uai(&format!("{digits}{l}")).is_ok()).collect();
            prop_assert_eq!(valid.len(), 1);
        }
    }

    #[test]
    fn institution_input_reports_every_problem() {
        let err = InstitutionFields::try_from(InstitutionInput {
            name: " ".into(),
            kind: "chateau".into(),
            uai: Some("0751717K".into()),
            students: Some("beaucoup".into()),
            ..Default::default()
        })
        .unwrap_err();
        let DomainError::Invalid(errs) = err else {
            panic!("expected invalid")
        };
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            ["required", "invalid_kind", "invalid_uai", "invalid_number"]
        );
    }

    #[test]
    fn convention_dates_are_ordered() {
        assert!(validate_convention_dates(Some("2021-01-01"), Some("2020-12-31"), None).is_err());
        assert!(validate_convention_dates(
            Some("2021-01-01"),
            Some("2023-12-31"),
            Some("2024-01-02")
        )
        .is_err());
        let (_, e, a) =
            validate_convention_dates(Some("2021-01-01"), Some("31/12/2023"), Some("2023-09-30"))
                .unwrap();
        assert_eq!(e, NaiveDate::from_ymd_opt(2023, 12, 31));
        assert_eq!(a, NaiveDate::from_ymd_opt(2023, 9, 30));
    }
}
