//! Référentiel and CRM use cases: institutions and their components,
//! contacts, products and releases, deployments, conventions, interactions,
//! tasks, and the institution timeline (first version of the 360° view).

use crate::{App, AppError, Result};
use relais_domain::accounts::{Actor, Scope};
use relais_domain::crm::*;
use relais_domain::shared::{optional_text, parse_date, required_text, Violations};
use relais_domain::{DomainError, Id};
use relais_store::crm as store;
use relais_store::crm::*;
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::crm::{
    ComponentRow, ContactFilter, ContactRow, ConventionFilter, ConventionRow, DeploymentFilter,
    DeploymentRow, InstitutionFilter, InstitutionRow, ProductRow, TaskFilter,
};
use serde_json::json;

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

fn parse_id(field: &'static str, raw: &str) -> Result<Id> {
    Id::parse(raw.trim()).ok_or_else(|| {
        AppError::Domain(DomainError::invalid(
            "invalid_id",
            field,
            "Identifiant invalide.",
        ))
    })
}

async fn audit(
    tx: &mut relais_store::Conn,
    app: &App,
    actor: &Actor,
    entity: &str,
    id: Id,
    action: &str,
    changes: serde_json::Value,
) -> Result<()> {
    relais_store::audit::record(
        tx,
        Some(actor.user_id),
        entity,
        id,
        action,
        &changes,
        &app.now_ts(),
    )
    .await?;
    Ok(())
}

/// `{field: [before, after]}` for the fields that changed.
fn diff(pairs: &[(&str, serde_json::Value, serde_json::Value)]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, a, b) in pairs {
        if a != b {
            m.insert((*k).to_string(), json!([a, b]));
        }
    }
    serde_json::Value::Object(m)
}

// ---------------------------------------------------------------- institutions

pub async fn list_institutions(
    app: &App,
    actor: &Actor,
    f: &InstitutionFilter,
) -> Result<(Vec<InstitutionRow>, i64)> {
    let mut c = app.db.read().await?;
    Ok(store::list_institutions(&mut c, actor.scope(), f).await?)
}

pub async fn get_institution(app: &App, actor: &Actor, id: Id) -> Result<InstitutionRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_institution(&mut c, actor.scope(), id).await?)
}

fn institution_values(f: InstitutionFields, manager_id: Option<String>) -> InstitutionValues {
    InstitutionValues {
        name: f.name,
        acronym: f.acronym,
        kind: f.kind.code().into(),
        region: f.region,
        city: f.city,
        uai: f.uai,
        students: f.students,
        staff: f.staff,
        membership: f.membership.code().into(),
        member_since: f.member_since,
        calendar: f.calendar.code().into(),
        manager_id,
        tags: serde_json::to_string(&f.tags).unwrap_or_else(|_| "[]".into()),
    }
}

fn uai_conflict(e: relais_store::StoreError) -> AppError {
    match e {
        relais_store::StoreError::Conflict(_) => AppError::Domain(DomainError::invalid(
            "uai_taken",
            "uai",
            "Un autre établissement porte déjà ce code UAI.",
        )),
        e => e.into(),
    }
}

async fn check_manager(c: &mut relais_store::Conn, manager: &Option<String>) -> Result<()> {
    if let Some(m) = manager {
        let id = parse_id("manager_id", m)?;
        let u = relais_store::accounts::get_user(c, Scope::All, id)
            .await
            .map_err(|_| {
                AppError::Domain(DomainError::invalid(
                    "unknown_manager",
                    "manager_id",
                    "Chargé·e de relation inconnu·e.",
                ))
            })?;
        let agency =
            relais_domain::accounts::Role::from_code(&u.role).is_some_and(|r| r.is_agency());
        if !agency {
            return Err(DomainError::invalid(
                "unknown_manager",
                "manager_id",
                "Le ou la chargé·e de relation doit être un agent de l'agence.",
            )
            .into());
        }
    }
    Ok(())
}

pub async fn create_institution(
    app: &App,
    actor: &Actor,
    input: InstitutionInput,
    manager_id: Option<String>,
) -> Result<Id> {
    require(actor.can_manage_crm())?;
    let fields = InstitutionFields::try_from(input)?;
    let manager_id = manager_id.filter(|m| !m.trim().is_empty());
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    check_manager(&mut tx, &manager_id).await?;
    let v = institution_values(fields, manager_id);
    store::insert_institution(&mut tx, id, &v, &app.now_ts())
        .await
        .map_err(uai_conflict)?;
    audit(
        &mut tx,
        app,
        actor,
        "institution",
        id,
        "create",
        json!({"name": v.name}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_institution(
    app: &App,
    actor: &Actor,
    id: Id,
    input: InstitutionInput,
    manager_id: Option<String>,
) -> Result<()> {
    require(actor.can_manage_crm())?;
    let fields = InstitutionFields::try_from(input)?;
    let manager_id = manager_id.filter(|m| !m.trim().is_empty());
    let mut tx = app.db.begin().await?;
    let before = store::get_institution(&mut tx, actor.scope(), id).await?;
    check_manager(&mut tx, &manager_id).await?;
    let v = institution_values(fields, manager_id);
    store::update_institution(&mut tx, id, &v, &app.now_ts())
        .await
        .map_err(uai_conflict)?;
    let changes = diff(&[
        ("name", json!(before.name), json!(v.name)),
        ("acronym", json!(before.acronym), json!(v.acronym)),
        ("kind", json!(before.kind), json!(v.kind)),
        ("region", json!(before.region), json!(v.region)),
        ("city", json!(before.city), json!(v.city)),
        ("uai", json!(before.uai), json!(v.uai)),
        ("students", json!(before.students), json!(v.students)),
        ("staff", json!(before.staff), json!(v.staff)),
        ("membership", json!(before.membership), json!(v.membership)),
        (
            "member_since",
            json!(before.member_since),
            json!(v.member_since),
        ),
        ("calendar", json!(before.calendar), json!(v.calendar)),
        ("manager_id", json!(before.manager_id), json!(v.manager_id)),
        ("tags", json!(before.tags), json!(v.tags)),
    ]);
    audit(&mut tx, app, actor, "institution", id, "update", changes).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- components

pub async fn list_components(
    app: &App,
    actor: &Actor,
    institution: Id,
) -> Result<Vec<ComponentRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_components(&mut c, actor.scope(), institution).await?)
}

pub async fn get_component(app: &App, actor: &Actor, id: Id) -> Result<ComponentRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_component(&mut c, actor.scope(), id).await?)
}

#[derive(Debug, Clone, Default)]
pub struct ComponentInput {
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub code: Option<String>,
    pub partner: Option<String>,
}

pub async fn create_component(
    app: &App,
    actor: &Actor,
    institution: Id,
    i: ComponentInput,
) -> Result<Id> {
    require(actor.can_manage_crm())?;
    let mut v = Violations::default();
    let name = required_text(&mut v, "name", &i.name, 200);
    let kind = ComponentKind::from_code(i.kind.trim());
    if kind.is_none() {
        v.push("invalid_kind", "kind", "Type de composante inconnu.");
    }
    let code = optional_text(&mut v, "code", i.code.as_deref(), 40);
    let partner = optional_text(&mut v, "partner", i.partner.as_deref(), 200);
    let parent = optional_text(&mut v, "parent_id", i.parent_id.as_deref(), 40);
    v.into_result()?;
    let mut tx = app.db.begin().await?;
    store::get_institution(&mut tx, actor.scope(), institution).await?;
    if let Some(p) = &parent {
        // The parent must be a component of the same institution: a tree never
        // crosses institutions.
        let pc = store::get_component(&mut tx, actor.scope(), parse_id("parent_id", p)?).await?;
        if pc.institution_id != institution.to_string() {
            return Err(DomainError::invalid(
                "parent_elsewhere",
                "parent_id",
                "La composante parente appartient à un autre établissement.",
            )
            .into());
        }
    }
    let id = Id::new();
    let values = ComponentValues {
        institution_id: institution,
        parent_id: parent,
        kind: kind.map(|k| k.code().to_string()).unwrap_or_default(),
        name: name.unwrap_or_default(),
        code,
        partner,
    };
    store::insert_component(&mut tx, id, &values, &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "component",
        id,
        "create",
        json!({"name": values.name}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------- contacts

pub async fn list_contacts(
    app: &App,
    actor: &Actor,
    f: &ContactFilter,
) -> Result<(Vec<ContactRow>, i64)> {
    let mut c = app.db.read().await?;
    Ok(store::list_contacts(&mut c, actor.scope(), f).await?)
}

pub async fn get_contact(app: &App, actor: &Actor, id: Id) -> Result<ContactRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_contact(&mut c, actor.scope(), id).await?)
}

fn contact_values(institution: Id, f: ContactFields) -> ContactValues {
    ContactValues {
        institution_id: institution,
        first_name: f.first_name,
        last_name: f.last_name,
        email: f.email,
        phone: f.phone,
        function: f.function.code().into(),
        title: f.title,
        domains: serde_json::to_string(&f.domains).unwrap_or_else(|_| "[]".into()),
        consent: f.consent,
    }
}

pub async fn create_contact(
    app: &App,
    actor: &Actor,
    institution: Id,
    input: ContactInput,
) -> Result<Id> {
    // A referent may only add contacts to their own institution.
    require(actor.can_edit_contacts_of(institution))?;
    let fields = ContactFields::try_from(input)?;
    let mut tx = app.db.begin().await?;
    store::get_institution(&mut tx, actor.scope(), institution).await?;
    let id = Id::new();
    let v = contact_values(institution, fields);
    store::insert_contact(&mut tx, id, &v, &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "contact",
        id,
        "create",
        json!({"institution_id": institution.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_contact(app: &App, actor: &Actor, id: Id, input: ContactInput) -> Result<()> {
    let fields = ContactFields::try_from(input)?;
    let mut tx = app.db.begin().await?;
    let before = store::get_contact(&mut tx, actor.scope(), id).await?;
    let institution = parse_id("institution_id", &before.institution_id)?;
    require(actor.can_edit_contacts_of(institution))?;
    let v = contact_values(institution, fields);
    store::update_contact(&mut tx, actor.scope(), id, &v, &app.now_ts()).await?;
    let changes = diff(&[
        ("first_name", json!(before.first_name), json!(v.first_name)),
        ("last_name", json!(before.last_name), json!(v.last_name)),
        ("email", json!(before.email), json!(v.email)),
        ("phone", json!(before.phone), json!(v.phone)),
        ("function", json!(before.function), json!(v.function)),
        ("title", json!(before.title), json!(v.title)),
        ("domains", json!(before.domains), json!(v.domains)),
        ("consent", json!(before.consent), json!(v.consent as i64)),
    ]);
    audit(&mut tx, app, actor, "contact", id, "update", changes).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- products

pub async fn list_domains(app: &App) -> Result<Vec<DomainRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_domains(&mut c).await?)
}

pub async fn list_products(app: &App, domain: Option<&str>) -> Result<Vec<ProductRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_products(&mut c, domain).await?)
}

pub async fn get_product(app: &App, id: Id) -> Result<(ProductRow, Vec<ReleaseRow>)> {
    let mut c = app.db.read().await?;
    let p = store::get_product(&mut c, id).await?;
    let r = store::list_releases(&mut c, id).await?;
    Ok((p, r))
}

#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub code: String,
    pub name: String,
    pub domain_code: String,
    pub stage: String,
    pub description: Option<String>,
}

fn validate_product(i: &ProductInput) -> Result<ProductValues> {
    let mut v = Violations::default();
    let code = i.code.trim().to_lowercase();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        v.push(
            "invalid_code",
            "code",
            "Le code produit est fait de lettres minuscules, chiffres, - et _ (40 au plus).",
        );
    }
    let name = required_text(&mut v, "name", &i.name, 100);
    if ProductStage::from_code(i.stage.trim()).is_none() {
        v.push("invalid_stage", "stage", "Étape de cycle de vie inconnue.");
    }
    let description = optional_text(&mut v, "description", i.description.as_deref(), 2000);
    v.into_result()?;
    Ok(ProductValues {
        code,
        name: name.unwrap_or_default(),
        domain_code: i.domain_code.trim().to_string(),
        stage: i.stage.trim().to_string(),
        description,
    })
}

fn domain_conflict(e: relais_store::StoreError) -> AppError {
    match e {
        relais_store::StoreError::Conflict(c) if c.contains("code") || c.contains("UNIQUE") => {
            AppError::Domain(DomainError::invalid(
                "code_taken",
                "code",
                "Ce code produit existe déjà.",
            ))
        }
        relais_store::StoreError::Conflict(_) => AppError::Domain(DomainError::invalid(
            "unknown_domain",
            "domain_code",
            "Domaine métier inconnu.",
        )),
        e => e.into(),
    }
}

pub async fn create_product(app: &App, actor: &Actor, i: ProductInput) -> Result<Id> {
    require(actor.can_manage_catalogue())?;
    let v = validate_product(&i)?;
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    store::insert_product(&mut tx, id, &v, &app.now_ts())
        .await
        .map_err(domain_conflict)?;
    audit(
        &mut tx,
        app,
        actor,
        "product",
        id,
        "create",
        json!({"code": v.code}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_product(app: &App, actor: &Actor, id: Id, i: ProductInput) -> Result<()> {
    require(actor.can_manage_catalogue())?;
    let v = validate_product(&i)?;
    let mut tx = app.db.begin().await?;
    let before = store::get_product(&mut tx, id).await?;
    store::update_product(&mut tx, id, &v, &app.now_ts())
        .await
        .map_err(domain_conflict)?;
    let changes = diff(&[
        ("name", json!(before.name), json!(v.name)),
        (
            "domain_code",
            json!(before.domain_code),
            json!(v.domain_code),
        ),
        ("stage", json!(before.stage), json!(v.stage)),
        (
            "description",
            json!(before.description),
            json!(v.description),
        ),
    ]);
    audit(&mut tx, app, actor, "product", id, "update", changes).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_release(
    app: &App,
    actor: &Actor,
    product: Id,
    version: &str,
    released_on: Option<&str>,
    notes: Option<&str>,
) -> Result<Id> {
    require(actor.can_manage_catalogue())?;
    let mut v = Violations::default();
    let version = required_text(&mut v, "version", version, 40);
    let date = parse_date(&mut v, "released_on", released_on);
    let notes = optional_text(&mut v, "notes", notes, 2000);
    v.into_result()?;
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    store::get_product(&mut tx, product).await?;
    store::insert_release(
        &mut tx,
        id,
        product,
        version.as_deref().unwrap_or_default(),
        date.map(relais_store::date),
        notes,
    )
    .await
    .map_err(|e| match e {
        relais_store::StoreError::Conflict(_) => AppError::Domain(DomainError::invalid(
            "version_taken",
            "version",
            "Cette version existe déjà pour ce produit.",
        )),
        e => e.into(),
    })?;
    audit(
        &mut tx,
        app,
        actor,
        "product",
        product,
        "release",
        json!({"version": version}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------- deployments

pub async fn list_deployments(
    app: &App,
    actor: &Actor,
    f: &DeploymentFilter,
) -> Result<(Vec<DeploymentRow>, i64)> {
    let mut c = app.db.read().await?;
    Ok(store::list_deployments(&mut c, actor.scope(), f).await?)
}

pub async fn get_deployment(app: &App, actor: &Actor, id: Id) -> Result<DeploymentRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_deployment(&mut c, actor.scope(), id).await?)
}

#[derive(Debug, Clone, Default)]
pub struct DeploymentInput {
    pub institution_id: String,
    pub product_id: String,
    pub status: String,
    pub wave: Option<String>,
    pub hosting: String,
    pub version: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub notes: Option<String>,
}

fn validate_deployment(i: &DeploymentInput) -> Result<DeploymentValues> {
    let mut v = Violations::default();
    let inst = Id::parse(i.institution_id.trim());
    if inst.is_none() {
        v.push(
            "invalid_id",
            "institution_id",
            "Choisissez un établissement.",
        );
    }
    let prod = Id::parse(i.product_id.trim());
    if prod.is_none() {
        v.push("invalid_id", "product_id", "Choisissez un produit.");
    }
    let status = DeploymentStatus::from_code(i.status.trim());
    if status.is_none() {
        v.push("invalid_status", "status", "Statut de déploiement inconnu.");
    }
    let wave = match i.wave.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(w) => match w.parse::<i64>() {
            Ok(n) if (1..=50).contains(&n) => Some(n),
            _ => {
                v.push("invalid_wave", "wave", "La vague est un numéro de 1 à 50.");
                None
            }
        },
        None => None,
    };
    if status == Some(DeploymentStatus::Vague) && wave.is_none() {
        v.push(
            "wave_required",
            "wave",
            "Indiquez le numéro de vague pour ce statut.",
        );
    }
    if HostingMode::from_code(i.hosting.trim()).is_none() {
        v.push("invalid_hosting", "hosting", "Mode d'hébergement inconnu.");
    }
    let version = optional_text(&mut v, "version", i.version.as_deref(), 40);
    let starts = parse_date(&mut v, "starts_on", i.starts_on.as_deref());
    let ends = parse_date(&mut v, "ends_on", i.ends_on.as_deref());
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            v.push(
                "end_before_start",
                "ends_on",
                "La date de fin précède la date de début.",
            );
        }
    }
    let notes = optional_text(&mut v, "notes", i.notes.as_deref(), 2000);
    v.into_result()?;
    match (inst, prod, status) {
        (Some(inst), Some(prod), Some(status)) => Ok(DeploymentValues {
            institution_id: inst,
            product_id: prod,
            status: status.code().into(),
            wave: if status == DeploymentStatus::Vague {
                wave
            } else {
                None
            },
            hosting: i.hosting.trim().into(),
            version,
            starts_on: starts.map(relais_store::date),
            ends_on: ends.map(relais_store::date),
            notes,
        }),
        _ => Err(DomainError::Invalid(vec![]).into()),
    }
}

pub async fn create_deployment(app: &App, actor: &Actor, i: DeploymentInput) -> Result<Id> {
    require(actor.can_manage_crm())?;
    let v = validate_deployment(&i)?;
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    store::get_institution(&mut tx, actor.scope(), v.institution_id).await?;
    store::get_product(&mut tx, v.product_id).await?;
    store::insert_deployment(&mut tx, id, &v, &app.now_ts())
        .await
        .map_err(|e| match e {
            relais_store::StoreError::Conflict(_) => AppError::Domain(DomainError::invalid(
                "already_deployed",
                "product_id",
                "Ce produit a déjà un déploiement dans cet établissement : modifiez-le.",
            )),
            e => e.into(),
        })?;
    audit(
        &mut tx,
        app,
        actor,
        "deployment",
        id,
        "create",
        json!({"status": v.status}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_deployment(app: &App, actor: &Actor, id: Id, i: DeploymentInput) -> Result<()> {
    require(actor.can_manage_crm())?;
    let mut tx = app.db.begin().await?;
    let before = store::get_deployment(&mut tx, actor.scope(), id).await?;
    // Institution and product identify a deployment: they are kept.
    let i = DeploymentInput {
        institution_id: before.institution_id.clone(),
        product_id: before.product_id.clone(),
        ..i
    };
    let v = validate_deployment(&i)?;
    store::update_deployment(&mut tx, id, &v, &app.now_ts()).await?;
    let changes = diff(&[
        ("status", json!(before.status), json!(v.status)),
        ("wave", json!(before.wave), json!(v.wave)),
        ("hosting", json!(before.hosting), json!(v.hosting)),
        ("version", json!(before.version), json!(v.version)),
        ("starts_on", json!(before.starts_on), json!(v.starts_on)),
        ("ends_on", json!(before.ends_on), json!(v.ends_on)),
    ]);
    audit(&mut tx, app, actor, "deployment", id, "update", changes).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- conventions

pub async fn list_conventions(
    app: &App,
    actor: &Actor,
    f: &ConventionFilter,
) -> Result<(Vec<ConventionRow>, i64)> {
    let mut c = app.db.read().await?;
    Ok(store::list_conventions(&mut c, actor.scope(), f).await?)
}

pub async fn get_convention(app: &App, actor: &Actor, id: Id) -> Result<ConventionRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_convention(&mut c, actor.scope(), id).await?)
}

#[derive(Debug, Clone, Default)]
pub struct ConventionInput {
    pub institution_id: String,
    pub kind: String,
    pub title: String,
    pub reference: Option<String>,
    pub product_id: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub renewal_alert_on: Option<String>,
    pub notes: Option<String>,
}

fn validate_convention(i: &ConventionInput) -> Result<ConventionValues> {
    let mut v = Violations::default();
    let inst = Id::parse(i.institution_id.trim());
    if inst.is_none() {
        v.push(
            "invalid_id",
            "institution_id",
            "Choisissez un établissement.",
        );
    }
    if ConventionKind::from_code(i.kind.trim()).is_none() {
        v.push("invalid_kind", "kind", "Type de convention inconnu.");
    }
    let title = required_text(&mut v, "title", &i.title, 200);
    let reference = optional_text(&mut v, "reference", i.reference.as_deref(), 80);
    let product = optional_text(&mut v, "product_id", i.product_id.as_deref(), 40);
    let notes = optional_text(&mut v, "notes", i.notes.as_deref(), 4000);
    let dates = validate_convention_dates(
        i.starts_on.as_deref(),
        i.ends_on.as_deref(),
        i.renewal_alert_on.as_deref(),
    );
    let (s, e, a) = match dates {
        Ok(d) => d,
        Err(DomainError::Invalid(errs)) => {
            v.0.extend(errs);
            (None, None, None)
        }
        Err(other) => return Err(other.into()),
    };
    v.into_result()?;
    let alert = a.or_else(|| e.map(default_renewal_alert));
    Ok(ConventionValues {
        institution_id: inst.ok_or_else(|| AppError::Internal("id".into()))?,
        kind: i.kind.trim().into(),
        title: title.unwrap_or_default(),
        reference,
        product_id: product,
        starts_on: s.map(relais_store::date),
        ends_on: e.map(relais_store::date),
        renewal_alert_on: alert.map(relais_store::date),
        notes,
    })
}

pub async fn create_convention(app: &App, actor: &Actor, i: ConventionInput) -> Result<Id> {
    require(actor.can_manage_crm())?;
    let v = validate_convention(&i)?;
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    store::get_institution(&mut tx, actor.scope(), v.institution_id).await?;
    store::insert_convention(&mut tx, id, &v, &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "convention",
        id,
        "create",
        json!({"title": v.title}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_convention(app: &App, actor: &Actor, id: Id, i: ConventionInput) -> Result<()> {
    require(actor.can_manage_crm())?;
    let mut tx = app.db.begin().await?;
    let before = store::get_convention(&mut tx, actor.scope(), id).await?;
    let i = ConventionInput {
        institution_id: before.institution_id.clone(),
        ..i
    };
    let v = validate_convention(&i)?;
    store::update_convention(&mut tx, id, &v, &app.now_ts()).await?;
    let changes = diff(&[
        ("kind", json!(before.kind), json!(v.kind)),
        ("title", json!(before.title), json!(v.title)),
        ("reference", json!(before.reference), json!(v.reference)),
        ("starts_on", json!(before.starts_on), json!(v.starts_on)),
        ("ends_on", json!(before.ends_on), json!(v.ends_on)),
        (
            "renewal_alert_on",
            json!(before.renewal_alert_on),
            json!(v.renewal_alert_on),
        ),
    ]);
    audit(&mut tx, app, actor, "convention", id, "update", changes).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- interactions and tasks

/// Interactions are agency notes: a member's scope is replaced by nothing.
fn interaction_scope(actor: &Actor) -> Scope {
    if actor.can_read_interactions() {
        actor.scope()
    } else {
        Scope::Nothing
    }
}

pub async fn list_interactions(
    app: &App,
    actor: &Actor,
    institution: Option<Id>,
    limit: i64,
) -> Result<Vec<InteractionRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_interactions(&mut c, interaction_scope(actor), institution, limit).await?)
}

pub async fn get_interaction(app: &App, actor: &Actor, id: Id) -> Result<InteractionRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_interaction(&mut c, interaction_scope(actor), id).await?)
}

#[derive(Debug, Clone, Default)]
pub struct InteractionInput {
    pub institution_id: String,
    pub kind: String,
    pub occurred_on: String,
    pub subject: String,
    pub summary: Option<String>,
    pub contact_id: Option<String>,
    /// Optional follow-up task created with the interaction.
    pub follow_up: Option<String>,
    pub follow_up_due: Option<String>,
}

pub async fn create_interaction(app: &App, actor: &Actor, i: InteractionInput) -> Result<Id> {
    require(actor.can_read_interactions())?;
    let mut v = Violations::default();
    let inst = Id::parse(i.institution_id.trim());
    if inst.is_none() {
        v.push(
            "invalid_id",
            "institution_id",
            "Choisissez un établissement.",
        );
    }
    if InteractionKind::from_code(i.kind.trim()).is_none() {
        v.push("invalid_kind", "kind", "Type d'interaction inconnu.");
    }
    let date = parse_date(&mut v, "occurred_on", Some(&i.occurred_on));
    if date.is_none() && !v.0.iter().any(|e| e.field == "occurred_on") {
        v.push("required", "occurred_on", "La date est obligatoire.");
    }
    let subject = required_text(&mut v, "subject", &i.subject, 200);
    let summary = optional_text(&mut v, "summary", i.summary.as_deref(), 8000);
    let contact = optional_text(&mut v, "contact_id", i.contact_id.as_deref(), 40);
    let follow = optional_text(&mut v, "follow_up", i.follow_up.as_deref(), 200);
    let due = parse_date(&mut v, "follow_up_due", i.follow_up_due.as_deref());
    v.into_result()?;
    let inst = inst.ok_or_else(|| AppError::Internal("id".into()))?;
    let mut tx = app.db.begin().await?;
    store::get_institution(&mut tx, actor.scope(), inst).await?;
    if let Some(cid) = &contact {
        let c = store::get_contact(&mut tx, actor.scope(), parse_id("contact_id", cid)?).await?;
        if c.institution_id != inst.to_string() {
            return Err(DomainError::invalid(
                "contact_elsewhere",
                "contact_id",
                "Ce contact appartient à un autre établissement.",
            )
            .into());
        }
    }
    let id = Id::new();
    let now = app.now_ts();
    store::insert_interaction(
        &mut tx,
        id,
        &InteractionValues {
            institution_id: inst,
            kind: i.kind.trim().into(),
            occurred_on: date.map(relais_store::date).unwrap_or_default(),
            subject: subject.unwrap_or_default(),
            summary,
            contact_id: contact,
            author_id: Some(actor.user_id.to_string()),
        },
        &now,
    )
    .await?;
    if let Some(title) = follow {
        store::insert_task(
            &mut tx,
            Id::new(),
            &TaskValues {
                institution_id: inst,
                interaction_id: Some(id.to_string()),
                title,
                due_on: due.map(relais_store::date),
                assignee_id: Some(actor.user_id.to_string()),
            },
            &now,
        )
        .await?;
    }
    audit(&mut tx, app, actor, "interaction", id, "create", json!({})).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list_tasks(app: &App, actor: &Actor, f: &TaskFilter) -> Result<Vec<TaskRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_tasks(&mut c, interaction_scope(actor), f).await?)
}

#[derive(Debug, Clone, Default)]
pub struct TaskInput {
    pub institution_id: String,
    pub title: String,
    pub due_on: Option<String>,
    pub assignee_id: Option<String>,
}

pub async fn create_task(app: &App, actor: &Actor, i: TaskInput) -> Result<Id> {
    require(actor.can_read_interactions())?;
    let mut v = Violations::default();
    let inst = Id::parse(i.institution_id.trim());
    if inst.is_none() {
        v.push(
            "invalid_id",
            "institution_id",
            "Choisissez un établissement.",
        );
    }
    let title = required_text(&mut v, "title", &i.title, 200);
    let due = parse_date(&mut v, "due_on", i.due_on.as_deref());
    let assignee = optional_text(&mut v, "assignee_id", i.assignee_id.as_deref(), 40);
    v.into_result()?;
    let inst = inst.ok_or_else(|| AppError::Internal("id".into()))?;
    let mut tx = app.db.begin().await?;
    store::get_institution(&mut tx, actor.scope(), inst).await?;
    let id = Id::new();
    store::insert_task(
        &mut tx,
        id,
        &TaskValues {
            institution_id: inst,
            interaction_id: None,
            title: title.unwrap_or_default(),
            due_on: due.map(relais_store::date),
            assignee_id: assignee.or(Some(actor.user_id.to_string())),
        },
        &app.now_ts(),
    )
    .await?;
    audit(&mut tx, app, actor, "task", id, "create", json!({})).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_task_status(app: &App, actor: &Actor, id: Id, status: &str) -> Result<()> {
    require(actor.can_read_interactions())?;
    let st = TaskStatus::from_code(status.trim()).ok_or_else(|| {
        AppError::Domain(DomainError::invalid(
            "invalid_status",
            "status",
            "Statut de tâche inconnu.",
        ))
    })?;
    let mut tx = app.db.begin().await?;
    let before = store::get_task(&mut tx, interaction_scope(actor), id).await?;
    store::set_task_status(&mut tx, id, st.code(), &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "task",
        id,
        "status",
        json!({"status": [before.status, st.code()]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn history(
    app: &App,
    actor: &Actor,
    entity: &str,
    id: Id,
) -> Result<Vec<relais_store::audit::AuditRow>> {
    // History is an agency view; members read the records themselves.
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(relais_store::audit::history(&mut c, entity, id).await?)
}

// ---------------------------------------------------------------- the 360° view

/// One dated line of an institution's timeline. New sources (tickets,
/// trainings, surveys, complaints) add their own entries here.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Stable source code: `interaction`, `task`, `convention`, `deployment`.
    pub source: String,
    pub title: String,
    pub detail: Option<String>,
    pub link: Option<String>,
}

/// Everything the first version of the 360° page shows.
#[derive(Debug, Clone)]
pub struct InstitutionView {
    pub institution: InstitutionRow,
    pub components: Vec<ComponentRow>,
    pub contacts: Vec<ContactRow>,
    pub contacts_total: i64,
    pub deployments: Vec<DeploymentRow>,
    pub conventions: Vec<ConventionRow>,
    pub interactions: Vec<InteractionRow>,
    pub tasks: Vec<TaskRow>,
    pub timeline: Vec<TimelineEntry>,
}

pub async fn institution_view(app: &App, actor: &Actor, id: Id) -> Result<InstitutionView> {
    let scope = actor.scope();
    let mut c = app.db.read().await?;
    let institution = store::get_institution(&mut c, scope, id).await?;
    let components = store::list_components(&mut c, scope, id).await?;
    let (contacts, contacts_total) = store::list_contacts(
        &mut c,
        scope,
        &ContactFilter {
            institution_id: Some(id.to_string()),
            limit: 200,
            ..Default::default()
        },
    )
    .await?;
    let (deployments, _) = store::list_deployments(
        &mut c,
        scope,
        &DeploymentFilter {
            institution_id: Some(id.to_string()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let (conventions, _) = store::list_conventions(
        &mut c,
        scope,
        &ConventionFilter {
            institution_id: Some(id.to_string()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let iscope = interaction_scope(actor);
    let interactions = store::list_interactions(&mut c, iscope, Some(id), 200).await?;
    let tasks = store::list_tasks(
        &mut c,
        iscope,
        &TaskFilter {
            institution_id: Some(id.to_string()),
            limit: 200,
            ..Default::default()
        },
    )
    .await?;
    let mut timeline = Vec::new();
    for n in &interactions {
        timeline.push(TimelineEntry {
            date: n.occurred_on.clone(),
            source: "interaction".into(),
            title: n.subject.clone(),
            detail: InteractionKind::from_code(&n.kind).map(|k| k.label_fr().to_string()),
            link: Some(format!("/interactions/{}", n.id)),
        });
    }
    for t in &tasks {
        timeline.push(TimelineEntry {
            date: t
                .due_on
                .clone()
                .unwrap_or_else(|| t.created_at.chars().take(10).collect()),
            source: "task".into(),
            title: t.title.clone(),
            detail: TaskStatus::from_code(&t.status).map(|s| s.label_fr().to_string()),
            link: None,
        });
    }
    for v in &conventions {
        if let Some(s) = &v.starts_on {
            timeline.push(TimelineEntry {
                date: s.clone(),
                source: "convention".into(),
                title: format!("Début de la convention « {} »", v.title),
                detail: v.reference.clone(),
                link: Some(format!("/conventions/{}", v.id)),
            });
        }
        if let Some(a) = &v.renewal_alert_on {
            timeline.push(TimelineEntry {
                date: a.clone(),
                source: "convention".into(),
                title: format!("Alerte de renouvellement : « {} »", v.title),
                detail: v.ends_on.as_ref().map(|e| format!("Fin le {}", fr_day(e))),
                link: Some(format!("/conventions/{}", v.id)),
            });
        }
    }
    for d in &deployments {
        if let Some(s) = &d.starts_on {
            timeline.push(TimelineEntry {
                date: s.clone(),
                source: "deployment".into(),
                title: format!(
                    "{} : {}",
                    d.product_name,
                    DeploymentStatus::from_code(&d.status)
                        .map(|s| s.label_fr())
                        .unwrap_or("")
                ),
                detail: d.version.as_ref().map(|v| format!("version {v}")),
                link: Some(format!("/deploiements/{}", d.id)),
            });
        }
    }
    timeline.sort_by(|a, b| b.date.cmp(&a.date));
    Ok(InstitutionView {
        institution,
        components,
        contacts,
        contacts_total,
        deployments,
        conventions,
        interactions,
        tasks,
        timeline,
    })
}

pub async fn dashboard_counts(app: &App, actor: &Actor) -> Result<Vec<(&'static str, i64)>> {
    let mut c = app.db.read().await?;
    Ok(store::counts(&mut c, actor.scope()).await?)
}

pub async fn regions(app: &App) -> Result<Vec<String>> {
    let mut c = app.db.read().await?;
    Ok(store::list_regions(&mut c).await?)
}

/// One follow-up task (agency staff only: members' scope finds nothing).
pub async fn get_task(app: &App, actor: &Actor, id: Id) -> Result<TaskRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_task(&mut c, interaction_scope(actor), id).await?)
}

/// `YYYY-MM-DD` as `JJ/MM/AAAA` for the French details of the timeline.
fn fr_day(d: &str) -> String {
    chrono::NaiveDate::parse_from_str(&d[..d.len().min(10)], "%Y-%m-%d")
        .map(|x| x.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| d.to_string())
}
