//! Interface strings, French first and English second. The locale comes from
//! the `relais_lang` cookie (set by the language switch) or the account.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn from_code(s: &str) -> Lang {
        if s.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
    pub fn is_en(self) -> bool {
        self == Lang::En
    }
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    pub fn en(&self) -> bool {
        self.0.is_en()
    }
    /// The string for `key`; an unknown key shows itself, so a missing
    /// translation is visible rather than silent.
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        match lookup(key) {
            Some((fr, en)) => {
                if self.0.is_en() {
                    en
                } else {
                    fr
                }
            }
            None => key,
        }
    }
}

fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "app.tagline" => (
            "La plateforme de la relation adhérents et du support coopératif",
            "Member relations and cooperative support platform",
        ),
        "skip" => ("Aller au contenu", "Skip to content"),
        "nav.main" => ("Navigation principale", "Main navigation"),
        "nav.home" => ("Tableau de bord", "Dashboard"),
        "nav.institutions" => ("Établissements", "Institutions"),
        "nav.my_institution" => ("Mon établissement", "My institution"),
        "nav.contacts" => ("Contacts", "Contacts"),
        "nav.products" => ("Produits", "Products"),
        "nav.deployments" => ("Déploiements", "Deployments"),
        "nav.conventions" => ("Conventions", "Agreements"),
        "nav.interactions" => ("Interactions", "Interactions"),
        "nav.tasks" => ("Tâches", "Tasks"),
        "nav.users" => ("Comptes", "Accounts"),
        "nav.account" => ("Mon compte", "My account"),
        "nav.api" => ("API", "API"),
        "logout" => ("Se déconnecter", "Log out"),
        "login" => ("Se connecter", "Log in"),
        "login.title" => ("Connexion", "Log in"),
        "login.email" => ("Adresse électronique", "E-mail address"),
        "login.password" => ("Mot de passe", "Password"),
        "lang.switch" => ("English", "Français"),
        "lang.switch_label" => ("Read in English", "Lire en français"),
        "search" => ("Rechercher", "Search"),
        "filter" => ("Filtrer", "Filter"),
        "all" => ("Tous", "All"),
        "save" => ("Enregistrer", "Save"),
        "cancel" => ("Annuler", "Cancel"),
        "edit" => ("Modifier", "Edit"),
        "create" => ("Créer", "Create"),
        "new" => ("Nouveau", "New"),
        "results" => ("résultat(s)", "result(s)"),
        "none" => ("Aucun élément.", "Nothing here."),
        "previous" => ("Page précédente", "Previous page"),
        "next" => ("Page suivante", "Next page"),
        "form.errors" => (
            "Le formulaire contient des erreurs :",
            "The form has errors:",
        ),
        "required" => ("obligatoire", "required"),
        "history" => ("Historique des modifications", "Change history"),
        "export_csv" => ("Exporter en CSV", "Export as CSV"),
        "dashboard.welcome" => ("Bonjour", "Hello"),
        "dashboard.figures" => ("Chiffres clés", "Key figures"),
        "dashboard.tasks" => ("Mes tâches ouvertes", "My open tasks"),
        "dashboard.renewals" => ("Conventions à renouveler", "Agreements to renew"),
        "error.404" => ("Page introuvable", "Page not found"),
        "error.403" => ("Accès refusé", "Access denied"),
        "error.500" => ("Erreur interne", "Internal error"),
        "error.request_id" => ("Référence de la requête", "Request reference"),
        _ => return None,
    })
}
