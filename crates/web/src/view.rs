//! View models shared by the generic templates: the page frame, tables,
//! form fields and links. Entity pages are built from these, so a new list,
//! form or record page is Rust code, not a new template.

use crate::auth::Auth;
use crate::i18n::Tr;
use relais_domain::accounts::Role;
use relais_domain::{DomainError, FieldError};

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A group of the main menu: one activity (support, institutions,
/// training…), shown as a disclosure so that the menu stays one line.
#[derive(Debug, Clone)]
pub struct NavGroup {
    /// `menu-<key>`: unique on the page, names the group's list.
    pub id: String,
    pub label: String,
    pub items: Vec<NavItem>,
    /// The page shown belongs to this group.
    pub current: bool,
}

/// The activities of the main menu, in the order they are shown.
pub const MENU_GROUPS: &[&str] = &[
    "menu-group-mine",
    "menu-group-desk",
    "menu-group-institutions",
    "menu-group-relation",
    "menu-group-training",
    "menu-group-steering",
    "menu-group-admin",
];

/// One entry of the main menu: its group (one of `MENU_GROUPS`), the
/// catalogue key of its label, its address. The menu is data: an entry is
/// one line here, the grouping and the rendering follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub group: &'static str,
    pub key: &'static str,
    pub href: String,
}

/// The main menu of an actor, shaped by their role: a member's starts with
/// their own space, agency staff see the agency's tools.
pub fn menu_entries(a: &relais_domain::accounts::Actor) -> Vec<MenuEntry> {
    let mut m: Vec<MenuEntry> = Vec::new();
    let mut add = |group: &'static str, key: &'static str, href: String| {
        m.push(MenuEntry { group, key, href })
    };
    let agency = a.role.is_agency();
    // Mine: the dashboard, the personal spaces, the account.
    add("menu-group-mine", "nav-home", "/".into());
    if !agency && a.institution_id.is_some() {
        add("menu-group-mine", "mon-espace-adherent", "/espace".into());
    }
    if !agency {
        add(
            "menu-group-mine",
            "mon-espace-formation",
            "/formations/mes-inscriptions".into(),
        );
    }
    add("menu-group-mine", "nav-account", "/compte".into());
    // The support desk and what helps answer.
    add("menu-group-desk", "menu-support", "/support".into());
    add(
        "menu-group-desk",
        "base-de-connaissances",
        "/connaissances".into(),
    );
    add("menu-group-desk", "reclamations", "/reclamations".into());
    add("menu-group-desk", "recherche", "/recherche".into());
    // Institutions and what they use.
    if agency {
        add(
            "menu-group-institutions",
            "nav-institutions",
            "/etablissements".into(),
        );
    } else if let Some(i) = a.institution_id {
        add(
            "menu-group-institutions",
            "nav-my-institution",
            format!("/etablissements/{i}"),
        );
    }
    add(
        "menu-group-institutions",
        "nav-contacts",
        "/contacts".into(),
    );
    add(
        "menu-group-institutions",
        "nav-products",
        "/produits".into(),
    );
    add(
        "menu-group-institutions",
        "nav-deployments",
        "/deploiements".into(),
    );
    add(
        "menu-group-institutions",
        "nav-conventions",
        "/conventions".into(),
    );
    // Member relations: the agency's hub, campaigns, the comité, the
    // record of exchanges.
    if agency {
        add(
            "menu-group-relation",
            "relation-adherents",
            "/relation".into(),
        );
        add("menu-group-relation", "campagnes", "/campagnes".into());
        add("menu-group-relation", "comite", "/comite".into());
    }
    if a.can_read_interactions() {
        add(
            "menu-group-relation",
            "nav-interactions",
            "/interactions".into(),
        );
        add("menu-group-relation", "nav-tasks", "/taches".into());
    }
    // Training and communities.
    add("menu-group-training", "formations", "/formations".into());
    add("menu-group-training", "communautes", "/communautes".into());
    add(
        "menu-group-training",
        "menu-publications",
        "/publications".into(),
    );
    // Steering: the agency's plan and dashboards; indicators for everyone
    // (a member's are their institution's).
    if agency {
        add("menu-group-steering", "pil-nav", "/pilotage".into());
    }
    add(
        "menu-group-steering",
        "pil-indicators",
        "/indicateurs".into(),
    );
    if agency {
        add(
            "menu-group-steering",
            "manques-titre",
            "/connaissances/manques".into(),
        );
    }
    // Administration: accounts, service contracts, rules.
    if a.can_manage_users() {
        add("menu-group-admin", "nav-users", "/comptes".into());
    }
    if agency {
        add(
            "menu-group-admin",
            "niveaux-de-service",
            "/admin/niveaux".into(),
        );
    }
    if a.role == Role::Admin {
        add(
            "menu-group-admin",
            "calendriers",
            "/admin/calendriers".into(),
        );
        add(
            "menu-group-admin",
            "contrats-de-service",
            "/admin/contrats".into(),
        );
        add("menu-group-admin", "routage", "/admin/routage".into());
        add(
            "menu-group-admin",
            "tarifs-de-formation",
            "/admin/formation".into(),
        );
        add(
            "menu-group-admin",
            "conservation-des-donnees",
            "/admin/conservation".into(),
        );
        add(
            "menu-group-admin",
            "courriel-entrant",
            "/admin/courriel".into(),
        );
        add(
            "menu-group-admin",
            "security-title",
            "/admin/securite".into(),
        );
        add(
            "menu-group-admin",
            "vocabulaire-titre",
            "/admin/vocabulaire".into(),
        );
    }
    m
}

/// Whether `href` is the page at `path` or one of its sub-pages.
fn is_current(href: &str, path: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

/// The menu's groups for the page at `path` (query string ignored): only
/// the most specific entry matching the path is marked current.
pub fn menu_groups(entries: &[MenuEntry], path: &str, t: Tr) -> Vec<NavGroup> {
    let path = path.split('?').next().unwrap_or("/");
    let best = entries
        .iter()
        .filter(|e| is_current(&e.href, path))
        .max_by_key(|e| e.href.len())
        .map(|e| e.href.clone());
    MENU_GROUPS
        .iter()
        .filter_map(|g| {
            let items: Vec<NavItem> = entries
                .iter()
                .filter(|e| e.group == *g)
                .map(|e| NavItem {
                    href: e.href.clone(),
                    label: t.get(e.key).to_string(),
                    current: best.as_deref() == Some(e.href.as_str()),
                })
                .collect();
            (!items.is_empty()).then(|| NavGroup {
                id: g.replace("menu-group-", "menu-"),
                label: t.t(g).to_string(),
                current: items.iter().any(|i| i.current),
                items,
            })
        })
        .collect()
}

/// What the frame of every page needs.
#[derive(Debug, Clone)]
pub struct Base {
    pub t: Tr,
    pub title: String,
    pub user_name: String,
    pub role_label: String,
    pub csrf: String,
    pub nav: Vec<NavGroup>,
    pub flash: Option<String>,
    pub lang_href: String,
}

impl Base {
    pub fn new(auth: &Auth, title: impl Into<String>) -> Base {
        let t = auth.tr;
        let a = auth.actor();
        let nav = menu_groups(&menu_entries(a), &auth.path, t);
        let flash = flash_message(&auth.path, t);
        Base {
            t,
            title: title.into(),
            user_name: auth.session.user.display_name.clone(),
            role_label: t.label(a.role).to_string(),
            csrf: auth.session.csrf.clone().unwrap_or_default(),
            nav,
            flash,
            lang_href: lang_href(t, &auth.path),
        }
    }

    /// The frame of pages seen before login.
    pub fn anonymous(t: Tr, title: impl Into<String>, csrf: String, path: &str) -> Base {
        Base {
            t,
            title: title.into(),
            user_name: String::new(),
            role_label: String::new(),
            csrf,
            nav: vec![],
            flash: flash_message(path, t),
            lang_href: lang_href(t, path),
        }
    }
}

fn lang_href(t: Tr, path: &str) -> String {
    let other = t.t("en");
    format!("/langue/{other}?retour={}", urlencoding::encode(path))
}

/// Status messages after a redirect travel as `?ok=<code>`.
fn flash_message(path: &str, t: Tr) -> Option<String> {
    let q = path.split_once('?')?.1;
    let code = q
        .split('&')
        .find_map(|p| p.strip_prefix("ok="))?
        .to_string();
    let key = match code.as_str() {
        "contact" => "flash-contact",
        "institution" => "flash-institution",
        "component" => "flash-component",
        "product" => "flash-product",
        "release" => "flash-release",
        "deployment" => "flash-deployment",
        "convention" => "flash-convention",
        "interaction" => "flash-interaction",
        "task" => "flash-task",
        "user" => "flash-user",
        "logout" => "flash-logout",
        "token_revoked" => "flash-token-revoked",
        "password_changed" => "flash-password-changed",
        "password_set" => "flash-password-set",
        "import" => "flash-import",
        "ticket" => "flash-ticket",
        "reponse" => "flash-reponse",
        "note" => "flash-note",
        "statut" => "flash-statut",
        "affectation" => "flash-affectation",
        "estimation" => "flash-estimation",
        "partage" => "flash-partage",
        "suivi" => "flash-suivi",
        "nous_aussi" => "flash-nous-aussi",
        "contournement" => "flash-contournement",
        "incident" => "flash-incident",
        "incident_resolu" => "flash-incident-resolu",
        "recherche" => "flash-recherche",
        "seuil" => "flash-seuil",
        "piece" => "flash-piece",
        "level" => "flash-level",
        "calendar" => "flash-calendar",
        "contract" => "flash-contract",
        "regle" => "flash-regle",
        "regle_supprimee" => "flash-regle-supprimee",
        "formation" => "flash-formation",
        "session" => "flash-session",
        "demande" => "flash-demande",
        "validee" => "flash-validee",
        "validee_attente" => "flash-validee-attente",
        "refusee" => "flash-refusee",
        "annulee" => "flash-annulee",
        "annulee_tardive" => "flash-annulee-tardive",
        "presence" => "flash-presence",
        "tarif" => "flash-tarif",
        "parametres" => "flash-parametres",
        "agenda_revoque" => "flash-agenda-revoque",
        "evenement" => "flash-evenement",
        "inscription" => "flash-inscription",
        "desinscription" => "flash-desinscription",
        "presences" => "flash-presences",
        "liste" => "flash-liste",
        "abonnement" => "flash-abonnement",
        "desabonnement" => "flash-desabonnement",
        "moderation" => "flash-moderation",
        "publication" => "flash-publication",
        "fichier" => "flash-fichier",
        "appel" => "flash-appel",
        "rappel_clos" => "flash-rappel-clos",
        "question" => "flash-question",
        "campagne" => "flash-campagne",
        "seuils_relation" => "flash-seuils-relation",
        "interets" => "flash-interets",
        "efface" => "flash-efface",
        "conservation" => "flash-conservation",
        "purge" => "flash-purge",
        "regle_courriel" => "flash-regle-courriel",
        "regle_courriel_supprimee" => "flash-regle-courriel-supprimee",
        // Member relations (issue 6).
        "reclamation" => "flash-reclamation",
        "qualification" => "flash-qualification",
        "note_reclamation" => "flash-note-reclamation",
        "action_corrective" => "flash-action-corrective",
        "reclamation_close" => "flash-reclamation-close",
        "reclamation_rouverte" => "flash-reclamation-rouverte",
        "campagne_contacts" => "flash-campagne-contacts",
        "echange" => "flash-echange",
        "membre_comite" => "flash-membre-comite",
        "membre_retire" => "flash-membre-retire",
        "reunion" => "flash-reunion",
        _ => return None,
    };
    Some(t.t(key).to_string())
}

#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub label: String,
}

impl Link {
    pub fn new(href: impl Into<String>, label: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            label: label.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// Shown as it is (a version number, a code): the page checks for
    /// French dates and decimals leave it alone (`data-raw`).
    pub raw: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            href: None,
            raw: false,
        }
    }
    /// A version number or a code, shown as it is.
    pub fn raw(s: &Option<String>) -> Cell {
        Cell {
            raw: true,
            ..Cell::opt(s)
        }
    }
    /// A date (`YYYY-MM-DD` or a timestamp) as `JJ/MM/AAAA`, `—` when none.
    pub fn date(d: &Option<String>) -> Cell {
        Cell::text(d.as_deref().map(fr_date).unwrap_or_else(|| "—".into()))
    }
    pub fn link(s: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            href: Some(href.into()),
            raw: false,
        }
    }
    pub fn opt(s: &Option<String>) -> Cell {
        Cell::text(s.clone().unwrap_or_else(|| "—".into()))
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

impl Table {
    pub fn new(t: Tr, caption: impl Into<String>, headers: &[&str]) -> Table {
        Table {
            caption: caption.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: vec![],
            empty: t.t("none").to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One form control with its label, value, options and error.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    /// `text`, `email`, `tel`, `date`, `number`, `password`, `search`,
    /// `select`, `textarea`, `checkbox`, `checkboxes`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Opt>,
    pub error: Option<String>,
    pub required: bool,
    pub required_word: String,
    pub hint: Option<String>,
    pub autocomplete: String,
}

impl Field {
    pub fn new(
        t: Tr,
        kind: &'static str,
        name: &str,
        label: impl Into<String>,
        value: impl Into<String>,
    ) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            kind,
            value: value.into(),
            options: vec![],
            error: None,
            required: false,
            required_word: t.t("required").to_string(),
            hint: None,
            autocomplete: String::new(),
        }
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Field {
        self.hint = Some(h.into());
        self
    }
    pub fn autocomplete(mut self, a: &str) -> Field {
        self.autocomplete = a.into();
        self
    }
    /// A select whose options are `(value, label)`; `blank` adds an empty
    /// first choice.
    pub fn select(
        t: Tr,
        name: &str,
        label: impl Into<String>,
        value: &str,
        options: impl IntoIterator<Item = (String, String)>,
        blank: Option<&str>,
    ) -> Field {
        let mut f = Field::new(t, "select", name, label, value);
        if let Some(b) = blank {
            f.options.push(Opt {
                value: String::new(),
                label: b.into(),
                selected: value.is_empty(),
            });
        }
        for (v, l) in options {
            f.options.push(Opt {
                selected: v == value,
                value: v,
                label: l,
            });
        }
        f
    }
    pub fn checkboxes(
        t: Tr,
        name: &str,
        label: impl Into<String>,
        selected: &[String],
        options: impl IntoIterator<Item = (String, String)>,
    ) -> Field {
        let mut f = Field::new(t, "checkboxes", name, label, "");
        for (v, l) in options {
            f.options.push(Opt {
                selected: selected.contains(&v),
                value: v,
                label: l,
            });
        }
        f
    }
}

/// Options of a closed code list: its codes, labelled from the catalogues
/// (`labels.ftl`) in the page's language.
pub fn enum_options<E: relais_domain::CodeEnum>(all: &[E], t: Tr) -> Vec<(String, String)> {
    all.iter()
        .map(|e| (e.code().to_string(), t.label(*e).to_string()))
        .collect()
}

/// Puts each validation error on its field and returns the summary lines
/// `(field id, message)` for the top of the form.
pub fn apply_errors(fields: &mut [Field], err: &DomainError) -> Vec<(String, String)> {
    let errs: Vec<FieldError> = match err {
        DomainError::Invalid(v) => v.clone(),
        other => vec![FieldError {
            code: other.code(),
            field: "",
            detail: other.to_string(),
        }],
    };
    let mut summary = Vec::new();
    for e in errs {
        let target = fields.iter_mut().find(|f| f.name == e.field);
        match target {
            Some(f) => {
                f.error = Some(e.detail.clone());
                summary.push((f.name.clone(), format!("{} : {}", f.label, e.detail)));
            }
            None => summary.push((
                fields.first().map(|f| f.name.clone()).unwrap_or_default(),
                e.detail.clone(),
            )),
        }
    }
    summary
}

/// `YYYY-MM-DD…` (a date or a timestamp) as `JJ/MM/AAAA`; anything else
/// as it is.
pub fn fr_date(d: &str) -> String {
    chrono::NaiveDate::parse_from_str(&d[..d.len().min(10)], "%Y-%m-%d")
        .map(|x| x.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| d.to_string())
}

/// Role label for display.
pub fn role_label(code: &str, t: Tr) -> String {
    Role::from_code(code)
        .map(|r| t.label(r).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Label of a code from a closed list, or the code itself.
#[macro_export]
macro_rules! label {
    ($enum:ty, $code:expr, $t:expr) => {
        <$enum>::from_code($code)
            .map(|e| $t.label(e).to_string())
            .unwrap_or_else(|| $code.to_string())
    };
}
