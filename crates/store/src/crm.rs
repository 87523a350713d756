//! Référentiel and CRM tables: institutions, components, contacts, domains,
//! products, releases, deployments, conventions, interactions, tasks.
//! Reads of institution-owned rows are narrowed by [`Scope`].

use crate::sql::{Arg, Sql};
use crate::{Conn, Result, Scope, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

/// Appends `AND <col> = <institution>` (or an impossible condition) for a
/// member's scope; agency scope adds nothing.
pub fn scope_filter(q: &mut Sql, column: &str, scope: Scope) {
    match scope {
        Scope::All => {}
        Scope::Institution(id) => {
            q.push(" AND ").push(column).push(" = ");
            q.bind_text(id.to_string());
        }
        Scope::Nothing => {
            q.push(" AND 1 = 0");
        }
    }
}

fn scoped_one(sql: &str, id: Id, scope: Scope, column: &str) -> Sql {
    let mut q = Sql::new(sql);
    q.push(" WHERE ").push(column).push("id = ");
    q.bind_text(id.to_string());
    let inst_col = format!("{column}institution_id");
    let inst_col = if column.is_empty() {
        "institution_id".to_string()
    } else {
        inst_col
    };
    scope_filter(&mut q, &inst_col, scope);
    q
}

async fn fetch_all<T>(c: &mut Conn, q: &Sql) -> Result<Vec<T>>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as_with::<_, T, _>(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

async fn fetch_one<T>(c: &mut Conn, q: &Sql) -> Result<T>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as_with::<_, T, _>(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

async fn count(c: &mut Conn, q: &Sql) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(n)
}

async fn exec(c: &mut Conn, q: &Sql) -> Result<u64> {
    Ok(sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected())
}

fn opt_text(v: &Option<String>) -> Arg {
    match v {
        Some(s) => Arg::Text(s.clone()),
        None => Arg::NullText,
    }
}

fn opt_int(v: Option<i64>) -> Arg {
    match v {
        Some(n) => Arg::Int(n),
        None => Arg::NullInt,
    }
}

/// Binds a list of values separated by commas, e.g. for an INSERT.
fn bind_list(q: &mut Sql, args: Vec<Arg>) {
    for (i, a) in args.into_iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(a);
    }
}

// ---------------------------------------------------------------- domains

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DomainRow {
    pub code: String,
    pub name: String,
    pub position: i64,
}

pub async fn list_domains(c: &mut Conn) -> Result<Vec<DomainRow>> {
    fetch_all(
        c,
        &Sql::new("SELECT code, name, position FROM domains ORDER BY position"),
    )
    .await
}

pub async fn insert_domain(c: &mut Conn, code: &str, name: &str, position: i64) -> Result<()> {
    let mut q = Sql::new("INSERT INTO domains (code, name, position) VALUES (");
    bind_list(
        &mut q,
        vec![
            Arg::Text(code.into()),
            Arg::Text(name.into()),
            Arg::Int(position),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

// ---------------------------------------------------------------- institutions

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct InstitutionRow {
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: String,
    pub region: Option<String>,
    pub city: Option<String>,
    pub uai: Option<String>,
    pub students: Option<i64>,
    pub staff: Option<i64>,
    pub membership: String,
    pub member_since: Option<i64>,
    pub calendar: String,
    pub manager_id: Option<String>,
    pub manager_name: Option<String>,
    /// JSON array of tags.
    pub tags: String,
    pub created_at: String,
    pub updated_at: String,
}

const INSTITUTION_COLS: &str = "SELECT i.id, i.name, i.acronym, i.kind, i.region, i.city, i.uai, \
    i.students, i.staff, i.membership, i.member_since, i.calendar, i.manager_id, \
    u.display_name AS manager_name, i.tags, i.created_at, i.updated_at \
    FROM institutions i LEFT JOIN users u ON u.id = i.manager_id";

#[derive(Debug, Clone, Default)]
pub struct InstitutionFilter {
    /// Folded free text matched against name, acronym, city and UAI.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub membership: Option<String>,
    pub manager_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn institution_where(q: &mut Sql, scope: Scope, f: &InstitutionFilter) {
    q.push(" WHERE 1 = 1");
    match scope {
        Scope::All => {}
        Scope::Institution(id) => {
            q.push(" AND i.id = ");
            q.bind_text(id.to_string());
        }
        Scope::Nothing => {
            q.push(" AND 1 = 0");
        }
    }
    if let Some(text) = &f.q {
        for word in relais_domain::fold(text).split_whitespace() {
            q.push(" AND i.search_text LIKE ");
            q.bind_text(format!("%{word}%"));
        }
    }
    if let Some(k) = &f.kind {
        q.push(" AND i.kind = ");
        q.bind_text(k.clone());
    }
    if let Some(r) = &f.region {
        q.push(" AND i.region = ");
        q.bind_text(r.clone());
    }
    if let Some(m) = &f.membership {
        q.push(" AND i.membership = ");
        q.bind_text(m.clone());
    }
    if let Some(m) = &f.manager_id {
        q.push(" AND i.manager_id = ");
        q.bind_text(m.clone());
    }
}

pub async fn list_institutions(
    c: &mut Conn,
    scope: Scope,
    f: &InstitutionFilter,
) -> Result<(Vec<InstitutionRow>, i64)> {
    let mut q = Sql::new(INSTITUTION_COLS);
    institution_where(&mut q, scope, f);
    q.push(" ORDER BY i.name, i.id LIMIT ");
    q.bind_int(f.limit.clamp(1, 1000));
    q.push(" OFFSET ");
    q.bind_int(f.offset.max(0));
    let rows = fetch_all(c, &q).await?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM institutions i");
    institution_where(&mut cq, scope, f);
    Ok((rows, count(c, &cq).await?))
}

pub async fn get_institution(c: &mut Conn, scope: Scope, id: Id) -> Result<InstitutionRow> {
    let mut q = Sql::new(INSTITUTION_COLS);
    q.push(" WHERE i.id = ");
    q.bind_text(id.to_string());
    if let Scope::Institution(own) = scope {
        q.push(" AND i.id = ");
        q.bind_text(own.to_string());
    } else if scope == Scope::Nothing {
        q.push(" AND 1 = 0");
    }
    fetch_one(c, &q).await
}

pub async fn find_institution_by_acronym(c: &mut Conn, acronym: &str) -> Result<InstitutionRow> {
    let mut q = Sql::new(INSTITUTION_COLS);
    q.push(" WHERE i.acronym = ");
    q.bind_text(acronym);
    fetch_one(c, &q).await
}

pub async fn list_regions(c: &mut Conn) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT region FROM institutions WHERE region IS NOT NULL ORDER BY region",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Values written for an institution (already validated by the domain).
#[derive(Debug, Clone)]
pub struct InstitutionValues {
    pub name: String,
    pub acronym: Option<String>,
    pub kind: String,
    pub region: Option<String>,
    pub city: Option<String>,
    pub uai: Option<String>,
    pub students: Option<i64>,
    pub staff: Option<i64>,
    pub membership: String,
    pub member_since: Option<i64>,
    pub calendar: String,
    pub manager_id: Option<String>,
    pub tags: String,
}

impl InstitutionValues {
    fn search_text(&self) -> String {
        relais_domain::fold(&format!(
            "{} {} {} {}",
            self.name,
            self.acronym.as_deref().unwrap_or(""),
            self.city.as_deref().unwrap_or(""),
            self.uai.as_deref().unwrap_or("")
        ))
    }
}

pub async fn insert_institution(
    c: &mut Conn,
    id: Id,
    v: &InstitutionValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO institutions (id, name, acronym, kind, region, city, uai, students, staff, \
         membership, member_since, calendar, manager_id, tags, search_text, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.name.clone()),
            opt_text(&v.acronym),
            Arg::Text(v.kind.clone()),
            opt_text(&v.region),
            opt_text(&v.city),
            opt_text(&v.uai),
            opt_int(v.students),
            opt_int(v.staff),
            Arg::Text(v.membership.clone()),
            opt_int(v.member_since),
            Arg::Text(v.calendar.clone()),
            opt_text(&v.manager_id),
            Arg::Text(v.tags.clone()),
            Arg::Text(v.search_text()),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn update_institution(
    c: &mut Conn,
    id: Id,
    v: &InstitutionValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE institutions SET name = ");
    q.bind_text(v.name.clone());
    q.push(", acronym = ").bind(opt_text(&v.acronym));
    q.push(", kind = ").bind_text(v.kind.clone());
    q.push(", region = ").bind(opt_text(&v.region));
    q.push(", city = ").bind(opt_text(&v.city));
    q.push(", uai = ").bind(opt_text(&v.uai));
    q.push(", students = ").bind(opt_int(v.students));
    q.push(", staff = ").bind(opt_int(v.staff));
    q.push(", membership = ").bind_text(v.membership.clone());
    q.push(", member_since = ").bind(opt_int(v.member_since));
    q.push(", calendar = ").bind_text(v.calendar.clone());
    q.push(", manager_id = ").bind(opt_text(&v.manager_id));
    q.push(", tags = ").bind_text(v.tags.clone());
    q.push(", search_text = ").bind_text(v.search_text());
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    match exec(c, &q).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- components

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ComponentRow {
    pub id: String,
    pub institution_id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub code: Option<String>,
    pub partner: Option<String>,
}

const COMPONENT_COLS: &str =
    "SELECT id, institution_id, parent_id, kind, name, code, partner FROM components";

pub async fn list_components(
    c: &mut Conn,
    scope: Scope,
    institution: Id,
) -> Result<Vec<ComponentRow>> {
    let mut q = Sql::new(COMPONENT_COLS);
    q.push(" WHERE institution_id = ");
    q.bind_text(institution.to_string());
    scope_filter(&mut q, "institution_id", scope);
    q.push(" ORDER BY name");
    fetch_all(c, &q).await
}

pub async fn get_component(c: &mut Conn, scope: Scope, id: Id) -> Result<ComponentRow> {
    fetch_one(c, &scoped_one(COMPONENT_COLS, id, scope, "")).await
}

#[derive(Debug, Clone)]
pub struct ComponentValues {
    pub institution_id: Id,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub code: Option<String>,
    pub partner: Option<String>,
}

pub async fn insert_component(c: &mut Conn, id: Id, v: &ComponentValues, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO components (id, institution_id, parent_id, kind, name, code, partner, created_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.institution_id.to_string()),
            opt_text(&v.parent_id),
            Arg::Text(v.kind.clone()),
            Arg::Text(v.name.clone()),
            opt_text(&v.code),
            opt_text(&v.partner),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

// ---------------------------------------------------------------- contacts

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ContactRow {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub function: String,
    pub title: Option<String>,
    /// JSON array of domain codes.
    pub domains: String,
    pub consent: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Set when the contact was erased (pseudonymised) on request.
    pub erased_at: Option<String>,
}

const CONTACT_COLS: &str = "SELECT c.id, c.institution_id, i.name AS institution_name, \
    c.first_name, c.last_name, c.email, c.phone, c.function, c.title, c.domains, c.consent, \
    c.created_at, c.updated_at, c.erased_at FROM contacts c JOIN institutions i ON i.id = c.institution_id";

#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub q: Option<String>,
    pub institution_id: Option<String>,
    pub function: Option<String>,
    pub domain: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn contact_where(q: &mut Sql, scope: Scope, f: &ContactFilter) {
    q.push(" WHERE 1 = 1");
    scope_filter(q, "c.institution_id", scope);
    if let Some(text) = &f.q {
        for word in relais_domain::fold(text).split_whitespace() {
            q.push(" AND c.search_text LIKE ");
            q.bind_text(format!("%{word}%"));
        }
    }
    if let Some(i) = &f.institution_id {
        q.push(" AND c.institution_id = ");
        q.bind_text(i.clone());
    }
    if let Some(fun) = &f.function {
        q.push(" AND c.function = ");
        q.bind_text(fun.clone());
    }
    if let Some(d) = &f.domain {
        q.push(" AND c.domains LIKE ");
        q.bind_text(format!("%\"{d}\"%"));
    }
}

pub async fn list_contacts(
    c: &mut Conn,
    scope: Scope,
    f: &ContactFilter,
) -> Result<(Vec<ContactRow>, i64)> {
    let mut q = Sql::new(CONTACT_COLS);
    contact_where(&mut q, scope, f);
    q.push(" ORDER BY c.last_name, c.first_name, c.id LIMIT ");
    q.bind_int(f.limit.clamp(1, 100_000));
    q.push(" OFFSET ");
    q.bind_int(f.offset.max(0));
    let rows = fetch_all(c, &q).await?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM contacts c");
    contact_where(&mut cq, scope, f);
    Ok((rows, count(c, &cq).await?))
}

pub async fn get_contact(c: &mut Conn, scope: Scope, id: Id) -> Result<ContactRow> {
    fetch_one(c, &scoped_one(CONTACT_COLS, id, scope, "c.")).await
}

#[derive(Debug, Clone)]
pub struct ContactValues {
    pub institution_id: Id,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub function: String,
    pub title: Option<String>,
    pub domains: String,
    pub consent: bool,
}

impl ContactValues {
    fn search_text(&self) -> String {
        relais_domain::fold(&format!(
            "{} {} {}",
            self.first_name,
            self.last_name,
            self.email.as_deref().unwrap_or("")
        ))
    }
}

pub async fn insert_contact(c: &mut Conn, id: Id, v: &ContactValues, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO contacts (id, institution_id, first_name, last_name, email, phone, function, \
         title, domains, consent, search_text, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.institution_id.to_string()),
            Arg::Text(v.first_name.clone()),
            Arg::Text(v.last_name.clone()),
            opt_text(&v.email),
            opt_text(&v.phone),
            Arg::Text(v.function.clone()),
            opt_text(&v.title),
            Arg::Text(v.domains.clone()),
            Arg::Int(v.consent as i64),
            Arg::Text(v.search_text()),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

/// Updates a contact within `scope`: the institution of an existing contact
/// is never changed here, whatever a form sends.
pub async fn update_contact(
    c: &mut Conn,
    scope: Scope,
    id: Id,
    v: &ContactValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE contacts SET first_name = ");
    q.bind_text(v.first_name.clone());
    q.push(", last_name = ").bind_text(v.last_name.clone());
    q.push(", email = ").bind(opt_text(&v.email));
    q.push(", phone = ").bind(opt_text(&v.phone));
    q.push(", function = ").bind_text(v.function.clone());
    q.push(", title = ").bind(opt_text(&v.title));
    q.push(", domains = ").bind_text(v.domains.clone());
    q.push(", consent = ").bind_int(v.consent as i64);
    q.push(", search_text = ").bind_text(v.search_text());
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    scope_filter(&mut q, "institution_id", scope);
    match exec(c, &q).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- products

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ProductRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub domain_code: String,
    pub domain_name: String,
    pub stage: String,
    pub description: Option<String>,
    pub deployments: i64,
}

const PRODUCT_COLS: &str = "SELECT p.id, p.code, p.name, p.domain_code, d.name AS domain_name, \
    p.stage, p.description, \
    (SELECT COUNT(*) FROM deployments x WHERE x.product_id = p.id AND x.status <> 'retire') AS deployments \
    FROM products p JOIN domains d ON d.code = p.domain_code";

pub async fn list_products(c: &mut Conn, domain: Option<&str>) -> Result<Vec<ProductRow>> {
    let mut q = Sql::new(PRODUCT_COLS);
    if let Some(d) = domain {
        q.push(" WHERE p.domain_code = ");
        q.bind_text(d);
    }
    q.push(" ORDER BY p.name");
    fetch_all(c, &q).await
}

pub async fn get_product(c: &mut Conn, id: Id) -> Result<ProductRow> {
    let mut q = Sql::new(PRODUCT_COLS);
    q.push(" WHERE p.id = ");
    q.bind_text(id.to_string());
    fetch_one(c, &q).await
}

pub async fn find_product_by_code(c: &mut Conn, code: &str) -> Result<ProductRow> {
    let mut q = Sql::new(PRODUCT_COLS);
    q.push(" WHERE p.code = ");
    q.bind_text(code);
    fetch_one(c, &q).await
}

#[derive(Debug, Clone)]
pub struct ProductValues {
    pub code: String,
    pub name: String,
    pub domain_code: String,
    pub stage: String,
    pub description: Option<String>,
}

pub async fn insert_product(c: &mut Conn, id: Id, v: &ProductValues, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO products (id, code, name, domain_code, stage, description, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.code.clone()),
            Arg::Text(v.name.clone()),
            Arg::Text(v.domain_code.clone()),
            Arg::Text(v.stage.clone()),
            opt_text(&v.description),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn update_product(c: &mut Conn, id: Id, v: &ProductValues, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE products SET name = ");
    q.bind_text(v.name.clone());
    q.push(", domain_code = ").bind_text(v.domain_code.clone());
    q.push(", stage = ").bind_text(v.stage.clone());
    q.push(", description = ").bind(opt_text(&v.description));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    match exec(c, &q).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ReleaseRow {
    pub id: String,
    pub product_id: String,
    pub version: String,
    pub released_on: Option<String>,
    pub notes: Option<String>,
}

pub async fn list_releases(c: &mut Conn, product: Id) -> Result<Vec<ReleaseRow>> {
    let mut q = Sql::new(
        "SELECT id, product_id, version, released_on, notes FROM releases WHERE product_id = ",
    );
    q.bind_text(product.to_string());
    q.push(" ORDER BY released_on DESC, version DESC");
    fetch_all(c, &q).await
}

pub async fn insert_release(
    c: &mut Conn,
    id: Id,
    product: Id,
    version: &str,
    released_on: Option<String>,
    notes: Option<String>,
) -> Result<()> {
    let mut q =
        Sql::new("INSERT INTO releases (id, product_id, version, released_on, notes) VALUES (");
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(product.to_string()),
            Arg::Text(version.into()),
            opt_text(&released_on),
            opt_text(&notes),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

// ---------------------------------------------------------------- deployments

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DeploymentRow {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub product_id: String,
    pub product_name: String,
    pub status: String,
    pub wave: Option<i64>,
    pub hosting: String,
    pub version: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub notes: Option<String>,
    pub updated_at: String,
}

const DEPLOYMENT_COLS: &str = "SELECT d.id, d.institution_id, i.name AS institution_name, \
    d.product_id, p.name AS product_name, d.status, d.wave, d.hosting, d.version, d.starts_on, \
    d.ends_on, d.notes, d.updated_at FROM deployments d \
    JOIN institutions i ON i.id = d.institution_id JOIN products p ON p.id = d.product_id";

#[derive(Debug, Clone, Default)]
pub struct DeploymentFilter {
    pub institution_id: Option<String>,
    pub product_id: Option<String>,
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn deployment_where(q: &mut Sql, scope: Scope, f: &DeploymentFilter) {
    q.push(" WHERE 1 = 1");
    scope_filter(q, "d.institution_id", scope);
    if let Some(i) = &f.institution_id {
        q.push(" AND d.institution_id = ").bind_text(i.clone());
    }
    if let Some(p) = &f.product_id {
        q.push(" AND d.product_id = ").bind_text(p.clone());
    }
    if let Some(s) = &f.status {
        q.push(" AND d.status = ").bind_text(s.clone());
    }
}

pub async fn list_deployments(
    c: &mut Conn,
    scope: Scope,
    f: &DeploymentFilter,
) -> Result<(Vec<DeploymentRow>, i64)> {
    let mut q = Sql::new(DEPLOYMENT_COLS);
    deployment_where(&mut q, scope, f);
    q.push(" ORDER BY p.name, i.name LIMIT ");
    q.bind_int(f.limit.clamp(1, 100_000));
    q.push(" OFFSET ").bind_int(f.offset.max(0));
    let rows = fetch_all(c, &q).await?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM deployments d");
    deployment_where(&mut cq, scope, f);
    Ok((rows, count(c, &cq).await?))
}

pub async fn get_deployment(c: &mut Conn, scope: Scope, id: Id) -> Result<DeploymentRow> {
    fetch_one(c, &scoped_one(DEPLOYMENT_COLS, id, scope, "d.")).await
}

#[derive(Debug, Clone)]
pub struct DeploymentValues {
    pub institution_id: Id,
    pub product_id: Id,
    pub status: String,
    pub wave: Option<i64>,
    pub hosting: String,
    pub version: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub notes: Option<String>,
}

pub async fn insert_deployment(
    c: &mut Conn,
    id: Id,
    v: &DeploymentValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO deployments (id, institution_id, product_id, status, wave, hosting, version, \
         starts_on, ends_on, notes, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.institution_id.to_string()),
            Arg::Text(v.product_id.to_string()),
            Arg::Text(v.status.clone()),
            opt_int(v.wave),
            Arg::Text(v.hosting.clone()),
            opt_text(&v.version),
            opt_text(&v.starts_on),
            opt_text(&v.ends_on),
            opt_text(&v.notes),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn update_deployment(
    c: &mut Conn,
    id: Id,
    v: &DeploymentValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE deployments SET status = ");
    q.bind_text(v.status.clone());
    q.push(", wave = ").bind(opt_int(v.wave));
    q.push(", hosting = ").bind_text(v.hosting.clone());
    q.push(", version = ").bind(opt_text(&v.version));
    q.push(", starts_on = ").bind(opt_text(&v.starts_on));
    q.push(", ends_on = ").bind(opt_text(&v.ends_on));
    q.push(", notes = ").bind(opt_text(&v.notes));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    match exec(c, &q).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- conventions

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ConventionRow {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub kind: String,
    pub title: String,
    pub reference: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub renewal_alert_on: Option<String>,
    pub notes: Option<String>,
}

const CONVENTION_COLS: &str = "SELECT v.id, v.institution_id, i.name AS institution_name, v.kind, \
    v.title, v.reference, v.product_id, p.name AS product_name, v.starts_on, v.ends_on, \
    v.renewal_alert_on, v.notes FROM conventions v JOIN institutions i ON i.id = v.institution_id \
    LEFT JOIN products p ON p.id = v.product_id";

#[derive(Debug, Clone, Default)]
pub struct ConventionFilter {
    pub institution_id: Option<String>,
    pub kind: Option<String>,
    /// Only conventions whose renewal alert date is on or before this date.
    pub alert_before: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn convention_where(q: &mut Sql, scope: Scope, f: &ConventionFilter) {
    q.push(" WHERE 1 = 1");
    scope_filter(q, "v.institution_id", scope);
    if let Some(i) = &f.institution_id {
        q.push(" AND v.institution_id = ").bind_text(i.clone());
    }
    if let Some(k) = &f.kind {
        q.push(" AND v.kind = ").bind_text(k.clone());
    }
    if let Some(d) = &f.alert_before {
        q.push(" AND v.renewal_alert_on <= ").bind_text(d.clone());
    }
}

pub async fn list_conventions(
    c: &mut Conn,
    scope: Scope,
    f: &ConventionFilter,
) -> Result<(Vec<ConventionRow>, i64)> {
    let mut q = Sql::new(CONVENTION_COLS);
    convention_where(&mut q, scope, f);
    q.push(" ORDER BY v.renewal_alert_on, v.ends_on, i.name LIMIT ");
    q.bind_int(f.limit.clamp(1, 100_000));
    q.push(" OFFSET ").bind_int(f.offset.max(0));
    let rows = fetch_all(c, &q).await?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM conventions v");
    convention_where(&mut cq, scope, f);
    Ok((rows, count(c, &cq).await?))
}

pub async fn get_convention(c: &mut Conn, scope: Scope, id: Id) -> Result<ConventionRow> {
    fetch_one(c, &scoped_one(CONVENTION_COLS, id, scope, "v.")).await
}

#[derive(Debug, Clone)]
pub struct ConventionValues {
    pub institution_id: Id,
    pub kind: String,
    pub title: String,
    pub reference: Option<String>,
    pub product_id: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub renewal_alert_on: Option<String>,
    pub notes: Option<String>,
}

pub async fn insert_convention(
    c: &mut Conn,
    id: Id,
    v: &ConventionValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO conventions (id, institution_id, kind, title, reference, product_id, starts_on, \
         ends_on, renewal_alert_on, notes, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.institution_id.to_string()),
            Arg::Text(v.kind.clone()),
            Arg::Text(v.title.clone()),
            opt_text(&v.reference),
            opt_text(&v.product_id),
            opt_text(&v.starts_on),
            opt_text(&v.ends_on),
            opt_text(&v.renewal_alert_on),
            opt_text(&v.notes),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn update_convention(
    c: &mut Conn,
    id: Id,
    v: &ConventionValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE conventions SET kind = ");
    q.bind_text(v.kind.clone());
    q.push(", title = ").bind_text(v.title.clone());
    q.push(", reference = ").bind(opt_text(&v.reference));
    q.push(", product_id = ").bind(opt_text(&v.product_id));
    q.push(", starts_on = ").bind(opt_text(&v.starts_on));
    q.push(", ends_on = ").bind(opt_text(&v.ends_on));
    q.push(", renewal_alert_on = ")
        .bind(opt_text(&v.renewal_alert_on));
    q.push(", notes = ").bind(opt_text(&v.notes));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    match exec(c, &q).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- interactions

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct InteractionRow {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub kind: String,
    pub occurred_on: String,
    pub subject: String,
    pub summary: Option<String>,
    pub contact_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
}

const INTERACTION_COLS: &str =
    "SELECT n.id, n.institution_id, i.name AS institution_name, n.kind, \
    n.occurred_on, n.subject, n.summary, n.contact_id, n.author_id, u.display_name AS author_name \
    FROM interactions n JOIN institutions i ON i.id = n.institution_id \
    LEFT JOIN users u ON u.id = n.author_id";

pub async fn list_interactions(
    c: &mut Conn,
    scope: Scope,
    institution: Option<Id>,
    limit: i64,
) -> Result<Vec<InteractionRow>> {
    let mut q = Sql::new(INTERACTION_COLS);
    q.push(" WHERE 1 = 1");
    scope_filter(&mut q, "n.institution_id", scope);
    if let Some(i) = institution {
        q.push(" AND n.institution_id = ").bind_text(i.to_string());
    }
    q.push(" ORDER BY n.occurred_on DESC, n.id DESC LIMIT ");
    q.bind_int(limit.clamp(1, 10_000));
    fetch_all(c, &q).await
}

pub async fn get_interaction(c: &mut Conn, scope: Scope, id: Id) -> Result<InteractionRow> {
    fetch_one(c, &scoped_one(INTERACTION_COLS, id, scope, "n.")).await
}

#[derive(Debug, Clone)]
pub struct InteractionValues {
    pub institution_id: Id,
    pub kind: String,
    pub occurred_on: String,
    pub subject: String,
    pub summary: Option<String>,
    pub contact_id: Option<String>,
    pub author_id: Option<String>,
}

pub async fn insert_interaction(
    c: &mut Conn,
    id: Id,
    v: &InteractionValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO interactions (id, institution_id, kind, occurred_on, subject, summary, \
         contact_id, author_id, created_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.institution_id.to_string()),
            Arg::Text(v.kind.clone()),
            Arg::Text(v.occurred_on.clone()),
            Arg::Text(v.subject.clone()),
            opt_text(&v.summary),
            opt_text(&v.contact_id),
            opt_text(&v.author_id),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

// ---------------------------------------------------------------- tasks

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub interaction_id: Option<String>,
    pub title: String,
    pub due_on: Option<String>,
    pub status: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub created_at: String,
    pub done_at: Option<String>,
}

const TASK_COLS: &str = "SELECT t.id, t.institution_id, i.name AS institution_name, t.interaction_id, \
    t.title, t.due_on, t.status, t.assignee_id, u.display_name AS assignee_name, t.created_at, t.done_at \
    FROM tasks t JOIN institutions i ON i.id = t.institution_id LEFT JOIN users u ON u.id = t.assignee_id";

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub institution_id: Option<String>,
    pub assignee_id: Option<String>,
    pub status: Option<String>,
    pub limit: i64,
}

pub async fn list_tasks(c: &mut Conn, scope: Scope, f: &TaskFilter) -> Result<Vec<TaskRow>> {
    let mut q = Sql::new(TASK_COLS);
    q.push(" WHERE 1 = 1");
    scope_filter(&mut q, "t.institution_id", scope);
    if let Some(i) = &f.institution_id {
        q.push(" AND t.institution_id = ").bind_text(i.clone());
    }
    if let Some(a) = &f.assignee_id {
        q.push(" AND t.assignee_id = ").bind_text(a.clone());
    }
    if let Some(s) = &f.status {
        q.push(" AND t.status = ").bind_text(s.clone());
    }
    q.push(" ORDER BY t.status, t.due_on, t.id LIMIT ");
    q.bind_int(f.limit.clamp(1, 10_000));
    fetch_all(c, &q).await
}

pub async fn get_task(c: &mut Conn, scope: Scope, id: Id) -> Result<TaskRow> {
    fetch_one(c, &scoped_one(TASK_COLS, id, scope, "t.")).await
}

#[derive(Debug, Clone)]
pub struct TaskValues {
    pub institution_id: Id,
    pub interaction_id: Option<String>,
    pub title: String,
    pub due_on: Option<String>,
    pub assignee_id: Option<String>,
}

pub async fn insert_task(c: &mut Conn, id: Id, v: &TaskValues, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO tasks (id, institution_id, interaction_id, title, due_on, status, assignee_id, created_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.institution_id.to_string()),
            opt_text(&v.interaction_id),
            Arg::Text(v.title.clone()),
            opt_text(&v.due_on),
            Arg::Text("a_faire".into()),
            opt_text(&v.assignee_id),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn set_task_status(c: &mut Conn, id: Id, status: &str, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE tasks SET status = ");
    q.bind_text(status);
    q.push(", done_at = ");
    if status == "a_faire" {
        q.bind(Arg::NullText);
    } else {
        q.bind_text(now);
    }
    q.push(" WHERE id = ").bind_text(id.to_string());
    match exec(c, &q).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

/// Row counts used by the dashboard.
pub async fn counts(c: &mut Conn, scope: Scope) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for (label, table, col) in [
        ("institutions", "institutions", "id"),
        ("contacts", "contacts", "institution_id"),
        ("deployments", "deployments", "institution_id"),
        ("conventions", "conventions", "institution_id"),
    ] {
        let mut q = Sql::new(&format!("SELECT COUNT(*) FROM {table} WHERE 1 = 1"));
        scope_filter(&mut q, col, scope);
        out.push((label, count(c, &q).await?));
    }
    Ok(out)
}
