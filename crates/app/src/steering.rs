//! Steering use cases: read the action plan's deliverables with their
//! health (late, at risk), change a deliverable's status with a comment,
//! comment and link proofs, and import/export the deliverables as CSV
//! (`;`, UTF-8 with BOM, formulas neutralised) or XLSX.
//!
//! Rights: the plan is the agency's internal steering. Agency roles read
//! it; admins and domain leads edit every deliverable, any agency member
//! edits the deliverables they own. Members, referents and trainers see
//! none of it (403): nothing here is theirs, and comments may speak about
//! institutions.
//!
//! Imports are all or nothing: every line is checked (same domain rules as
//! the page's form, plus the file's own: unknown unit, owner or product, a
//! reference twice) and if any line is bad nothing is written and the
//! report lists every bad line with its number (the header is line 1).

use crate::csv_io::{detect_delimiter, write_csv, ImportReport, LineError};
use crate::{App, AppError, Result};
use relais_domain::accounts::{Actor, Role};
use relais_domain::steering::*;
use relais_domain::{fold, DomainError, Id};
use relais_store::audit;
pub use relais_store::steering::DeliverableFilter;
use relais_store::steering::{self as store, DeliverableRow, DeliverableValues};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Columns of a deliverables file, in export order.
pub const COLUMNS: &[&str] = &[
    "reference",
    "annee",
    "unite",
    "objectif",
    "titre",
    "responsable",
    "produit",
    "debut",
    "echeance",
    "statut",
    "avancement",
    "poids",
];

fn require_reader(actor: &Actor) -> Result<()> {
    if actor.role.is_agency() {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

/// May edit every deliverable (not only their own).
pub fn can_edit_all(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Domain)
}

fn can_edit(actor: &Actor, row: &DeliverableRow) -> bool {
    can_edit_all(actor)
        || (actor.role.is_agency()
            && row.owner_id.as_deref() == Some(actor.user_id.to_string().as_str()))
}

/// A deliverable with its health on the day asked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliverableView {
    #[serde(flatten)]
    pub row: DeliverableRow,
    pub status_label: String,
    pub health: Health,
    pub health_label: String,
}

fn view(row: DeliverableRow, today: chrono::NaiveDate) -> DeliverableView {
    let status = DeliverableStatus::from_code(&row.status).unwrap_or(DeliverableStatus::ALancer);
    let due = chrono::NaiveDate::parse_from_str(&row.due_on, "%Y-%m-%d").unwrap_or(today);
    let h = health(status, due, row.progress, today);
    DeliverableView {
        status_label: status.label_fr().to_string(),
        health: h,
        health_label: h.label_fr().to_string(),
        row,
    }
}

/// Today for the rules: the clock's date.
pub fn today(app: &App) -> chrono::NaiveDate {
    app.clock.now().date_naive()
}

/// Deliverables matching the filter, with their health today; `health`
/// keeps only those in that state (e.g. late ones).
pub async fn deliverables(
    app: &App,
    actor: &Actor,
    filter: &DeliverableFilter,
    only: Option<Health>,
) -> Result<Vec<DeliverableView>> {
    require_reader(actor)?;
    let rows = {
        let mut c = app.db.read().await?;
        store::deliverables(&mut c, filter).await?
    };
    let t = today(app);
    Ok(rows
        .into_iter()
        .map(|r| view(r, t))
        .filter(|v| only.is_none_or(|h| v.health == h))
        .collect())
}

/// One deliverable and everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverableDetail {
    pub deliverable: DeliverableView,
    pub comments: Vec<store::CommentRow>,
    pub links: Vec<store::LinkRow>,
    pub history: Vec<audit::AuditRow>,
    pub can_edit: bool,
}

pub async fn deliverable(app: &App, actor: &Actor, id: Id) -> Result<DeliverableDetail> {
    require_reader(actor)?;
    let mut c = app.db.read().await?;
    let row = store::deliverable(&mut c, id).await?;
    let comments = store::comments(&mut c, id).await?;
    let links = store::links(&mut c, id).await?;
    let history = audit::history(&mut c, "deliverable", id).await?;
    let can = can_edit(actor, &row);
    Ok(DeliverableDetail {
        deliverable: view(row, today(app)),
        comments,
        links,
        history,
        can_edit: can,
    })
}

/// Changes a deliverable's status, with a comment (required to postpone or
/// abandon). Delivering sets progress to 100 and the delivery date; the
/// progress may be given with any other status. The change, the comment and
/// the history row are one transaction; a concurrent change of the status
/// is refused as a conflict.
pub async fn change_status(
    app: &App,
    actor: &Actor,
    id: Id,
    to: &str,
    progress: Option<i64>,
    comment: &str,
) -> Result<DeliverableView> {
    require_reader(actor)?;
    let to = DeliverableStatus::parse(to)
        .ok_or_else(|| DomainError::invalid("invalid_status", "statut", "Statut inconnu."))?;
    if let Some(p) = progress {
        if !(0..=100).contains(&p) {
            return Err(DomainError::invalid(
                "out_of_range",
                "avancement",
                "Un nombre entier de 0 à 100 est attendu.",
            )
            .into());
        }
    }
    let now = app.now_ts();
    let t = today(app);
    let mut tx = app.db.begin().await?;
    let row = store::deliverable(&mut tx, id).await?;
    if !can_edit(actor, &row) {
        return Err(DomainError::Forbidden.into());
    }
    let from = DeliverableStatus::from_code(&row.status).unwrap_or(DeliverableStatus::ALancer);
    check_status_change(from, to, comment)?;
    let new_progress = match to {
        DeliverableStatus::Livre => 100,
        _ => progress.unwrap_or(row.progress),
    };
    let delivered = (to == DeliverableStatus::Livre).then(|| relais_store::date(t));
    if !store::set_status(
        &mut tx,
        id,
        from.code(),
        to.code(),
        new_progress,
        delivered.as_deref(),
        &now,
    )
    .await?
    {
        return Err(DomainError::Conflict("statut modifié entre-temps".into()).into());
    }
    let mut changes = json!({ "status": [from.code(), to.code()] });
    if new_progress != row.progress {
        changes["progress"] = json!([row.progress, new_progress]);
    }
    if !comment.trim().is_empty() {
        store::insert_comment(
            &mut tx,
            Id::new(),
            id,
            Some(actor.user_id),
            comment.trim(),
            &now,
        )
        .await?;
        changes["comment"] = json!([null, comment.trim()]);
    }
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "deliverable",
        id,
        "status",
        &changes,
        &now,
    )
    .await?;
    let row = store::deliverable(&mut tx, id).await?;
    tx.commit().await?;
    Ok(view(row, t))
}

/// Adds a comment to a deliverable (anyone who may edit it).
pub async fn comment(app: &App, actor: &Actor, id: Id, body: &str) -> Result<()> {
    require_reader(actor)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(
            DomainError::invalid("required", "commentaire", "Ce champ est obligatoire.").into(),
        );
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let row = store::deliverable(&mut tx, id).await?;
    if !can_edit(actor, &row) {
        return Err(DomainError::Forbidden.into());
    }
    store::insert_comment(&mut tx, Id::new(), id, Some(actor.user_id), body, &now).await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "deliverable",
        id,
        "comment",
        &json!({ "comment": [null, body] }),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Links a proof (a ticket, an incident, a training… by id, or a document by
/// URL) to a deliverable.
pub async fn link(
    app: &App,
    actor: &Actor,
    id: Id,
    kind: &str,
    target: &str,
    label: &str,
) -> Result<()> {
    require_reader(actor)?;
    let kind = LinkKind::from_code(kind)
        .ok_or_else(|| DomainError::invalid("invalid_kind", "type", "Type de preuve inconnu."))?;
    let target = target.trim();
    if target.is_empty() {
        return Err(DomainError::invalid("required", "cible", "Ce champ est obligatoire.").into());
    }
    let label = if label.trim().is_empty() {
        target
    } else {
        label.trim()
    };
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let row = store::deliverable(&mut tx, id).await?;
    if !can_edit(actor, &row) {
        return Err(DomainError::Forbidden.into());
    }
    store::insert_link(
        &mut tx,
        Id::new(),
        id,
        kind.code(),
        target,
        label,
        Some(actor.user_id),
        &now,
    )
    .await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "deliverable",
        id,
        "link",
        &json!({ "link": [null, format!("{}:{target}", kind.code())] }),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- export

fn export_rows(
    rows: &[DeliverableView],
    year_of: &dyn Fn(&DeliverableView) -> String,
) -> Vec<Vec<String>> {
    rows.iter()
        .map(|v| {
            let r = &v.row;
            vec![
                r.reference.clone(),
                year_of(v),
                r.unit_code.clone(),
                r.objective.clone(),
                r.title.clone(),
                r.owner_email.clone().unwrap_or_default(),
                r.product_code.clone().unwrap_or_default(),
                r.starts_on.clone().unwrap_or_default(),
                r.due_on.clone(),
                r.status.clone(),
                r.progress.to_string(),
                r.weight.to_string(),
            ]
        })
        .collect()
}

/// The year of a deliverable: the first four digits of its reference when
/// they are one (`2021-DCSI-03`), else the year of its due date.
fn year_of(v: &DeliverableView) -> String {
    let r = &v.row.reference;
    if r.len() >= 4 && r[..4].chars().all(|c| c.is_ascii_digit()) {
        r[..4].to_string()
    } else {
        v.row.due_on.chars().take(4).collect()
    }
}

/// The deliverables of the filter as (header, rows), the data both exports
/// write.
pub async fn export_table(
    app: &App,
    actor: &Actor,
    filter: &DeliverableFilter,
) -> Result<Vec<Vec<String>>> {
    let rows = deliverables(app, actor, filter, None).await?;
    Ok(export_rows(&rows, &year_of))
}

/// Writes the deliverables as CSV; returns the number of data lines.
pub async fn export_csv(
    app: &App,
    actor: &Actor,
    filter: &DeliverableFilter,
    out: &mut impl std::io::Write,
) -> Result<usize> {
    let rows = export_table(app, actor, filter).await?;
    write_csv(out, COLUMNS, &rows)?;
    Ok(rows.len())
}

/// A table as an XLSX workbook of one sheet: header in bold, numbers as
/// numbers (so a spreadsheet sums them), everything else as text (a text
/// cell is never evaluated as a formula).
pub fn xlsx_bytes(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("écriture XLSX : {e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (rr, cc) = (r as u32 + 1, c as u16);
            match cell.parse::<i64>() {
                Ok(n) if !cell.starts_with('0') || cell == "0" => {
                    ws.write_number(rr, cc, n as f64).map_err(err)?;
                }
                _ => {
                    ws.write_string(rr, cc, cell).map_err(err)?;
                }
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// Writes the deliverables as XLSX bytes.
pub async fn export_xlsx(app: &App, actor: &Actor, filter: &DeliverableFilter) -> Result<Vec<u8>> {
    let rows = export_table(app, actor, filter).await?;
    xlsx_bytes("Livrables", COLUMNS, &rows)
}

// ---------------------------------------------------------------- import

/// A checked line of an import: the row it updates (if any), its values,
/// and the objective to create first (unit, title) when it is new.
type Planned = (
    Option<DeliverableRow>,
    DeliverableValues,
    Option<(Id, String)>,
);

/// A file's data lines as (line number, canonical column → cell).
type Lines = Vec<(usize, HashMap<String, String>)>;

fn header_key(s: &str) -> String {
    let f = fold(s.trim().trim_start_matches('\u{feff}'));
    let k: String = f
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let k = k.trim_matches('_').to_string();
    match k.as_str() {
        "ref" | "reference_livrable" => "reference".into(),
        "year" | "plan" => "annee".into(),
        "departement" | "domaine" | "unit" => "unite".into(),
        "livrable" | "intitule" | "title" => "titre".into(),
        "owner" | "responsable_courriel" | "courriel_responsable" => "responsable".into(),
        "date_d_echeance" | "due" | "due_on" => "echeance".into(),
        "status" => "statut".into(),
        "progression" | "progress" => "avancement".into(),
        "weight" => "poids".into(),
        _ => k,
    }
}

fn clean_cell(raw: &str) -> String {
    let t = raw.trim();
    if let Some(rest) = t.strip_prefix('\'') {
        if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            return rest.trim().to_string();
        }
    }
    t.to_string()
}

fn lines_from_table(table: Vec<Vec<String>>) -> std::result::Result<Lines, Vec<LineError>> {
    let mut it = table.into_iter().enumerate();
    let Some((_, header)) = it.next() else {
        return Err(vec![LineError {
            line: 1,
            field: String::new(),
            code: "empty_file",
            message: "Le fichier est vide.".into(),
        }]);
    };
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let mut errors = Vec::new();
    for needed in ["reference", "unite", "titre", "echeance"] {
        if !keys.iter().any(|k| k == needed) {
            errors.push(LineError {
                line: 1,
                field: needed.into(),
                code: "missing_column",
                message: format!("La colonne « {needed} » manque."),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (i, cells) in it {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut m = HashMap::new();
        for (k, v) in keys.iter().zip(cells.iter()) {
            m.insert(k.clone(), clean_cell(v));
        }
        out.push((i + 1, m));
    }
    Ok(out)
}

/// Reads a CSV file (`;`, `,` or tab, BOM skipped) into a table of cells.
pub fn read_csv_table(bytes: &[u8]) -> std::result::Result<Vec<Vec<String>>, Vec<LineError>> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        vec![LineError {
            line: 1,
            field: String::new(),
            code: "not_utf8",
            message: "Le fichier n'est pas en UTF-8 (enregistrez-le en « CSV UTF-8 »).".into(),
        }]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delim = detect_delimiter(text.lines().next().unwrap_or(""));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => table.push(r.iter().map(str::to_string).collect()),
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                return Err(vec![LineError {
                    line,
                    field: String::new(),
                    code: "bad_csv",
                    message: format!("Ligne CSV illisible : {e}"),
                }]);
            }
        }
    }
    Ok(table)
}

/// Reads the first sheet of an XLSX workbook into a table of cells. Dates
/// typed as dates become `AAAA-MM-JJ`; whole numbers lose their `.0`.
pub fn read_xlsx_table(bytes: &[u8]) -> std::result::Result<Vec<Vec<String>>, Vec<LineError>> {
    use calamine::{Data, Reader, Xlsx};
    let file_err = |m: String| {
        vec![LineError {
            line: 1,
            field: String::new(),
            code: "bad_xlsx",
            message: m,
        }]
    };
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| file_err(format!("Classeur XLSX illisible : {e}")))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| file_err("Le classeur n'a aucune feuille.".into()))?
        .map_err(|e| file_err(format!("Feuille illisible : {e}")))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let mut table = Vec::new();
    // Rows are numbered from the sheet's first row, so line numbers match
    // what a spreadsheet shows when the header is on row 1.
    let first = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    for _ in 0..first {
        table.push(Vec::new());
    }
    for row in range.rows() {
        table.push(
            row.iter()
                .map(|d| match d {
                    Data::Empty => String::new(),
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Int(n) => n.to_string(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(x) => {
                        let d = epoch + chrono::Duration::days(x.as_f64().floor() as i64);
                        relais_store::date(d)
                    }
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect(),
        );
    }
    Ok(table)
}

/// Imports deliverables from a CSV or XLSX file (XLSX when it starts with
/// the ZIP signature). All or nothing; see the module's documentation.
pub async fn import(app: &App, actor: &Actor, bytes: &[u8]) -> Result<ImportReport> {
    if !can_edit_all(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx_table(bytes)
    } else {
        read_csv_table(bytes)
    };
    let lines = match table.and_then(lines_from_table) {
        Ok(l) => l,
        Err(errors) => {
            return Ok(ImportReport {
                errors,
                ..Default::default()
            })
        }
    };
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let products: HashMap<String, String> =
        store::product_ids(&mut tx).await?.into_iter().collect();
    let users: HashMap<String, String> = store::agency_users(&mut tx)
        .await?
        .into_iter()
        .map(|(e, id, _)| (e, id))
        .collect();
    let default_year = today(app).format("%Y").to_string();
    let mut plans: HashMap<i64, Option<Id>> = HashMap::new();
    let mut units: HashMap<(i64, String), Id> = HashMap::new();
    let mut objectives: HashMap<(String, String), Id> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut errors = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    let get = |m: &HashMap<String, String>, k: &str| m.get(k).cloned().unwrap_or_default();
    for (line, m) in &lines {
        let line = *line;
        let mut err = |field: &str, code: &'static str, message: String| {
            errors.push(LineError {
                line,
                field: field.into(),
                code,
                message,
            })
        };
        let reference = get(m, "reference");
        if reference.is_empty() {
            err("reference", "required", "Ce champ est obligatoire.".into());
        } else if !seen.insert(reference.clone()) {
            err(
                "reference",
                "duplicate_in_file",
                format!("La référence « {reference} » figure plusieurs fois dans le fichier."),
            );
        }
        let year_s = {
            let y = get(m, "annee");
            if y.is_empty() {
                default_year.clone()
            } else {
                y
            }
        };
        let year = match year_s.parse::<i64>() {
            Ok(y) if (2000..=2100).contains(&y) => Some(y),
            _ => {
                err(
                    "annee",
                    "invalid_year",
                    format!("Année invalide « {year_s} »."),
                );
                None
            }
        };
        let fields = DeliverableFields::try_from(DeliverableInput {
            title: get(m, "titre"),
            due_on: get(m, "echeance"),
            starts_on: Some(get(m, "debut")),
            status: get(m, "statut"),
            progress: get(m, "avancement"),
            weight: get(m, "poids"),
        });
        let fields = match fields {
            Ok(f) => Some(f),
            Err(DomainError::Invalid(fe)) => {
                for f in fe {
                    err(f.field, f.code, f.detail);
                }
                None
            }
            Err(other) => {
                err("", other.code(), other.to_string());
                None
            }
        };
        let owner_email = get(m, "responsable").to_lowercase();
        let owner = if owner_email.is_empty() {
            None
        } else if let Some(id) = users.get(&owner_email) {
            Some(id.clone())
        } else {
            err(
                "responsable",
                "unknown_owner",
                format!("Aucun compte de l'agence n'a l'adresse « {owner_email} »."),
            );
            None
        };
        let product_code = get(m, "produit");
        let product = if product_code.is_empty() {
            None
        } else if let Some(id) = products.get(&product_code.to_lowercase()) {
            Some(id.clone())
        } else {
            err(
                "produit",
                "unknown_product",
                format!("Produit inconnu « {product_code} »."),
            );
            None
        };
        let unit_code = get(m, "unite");
        let mut unit = None;
        if let Some(y) = year {
            if let std::collections::hash_map::Entry::Vacant(slot) = plans.entry(y) {
                let p = store::plan_id(&mut tx, y).await?;
                slot.insert(p);
                if let Some(p) = p {
                    for u in store::units(&mut tx, p).await? {
                        if let Some(uid) = Id::parse(&u.id) {
                            units.insert((y, fold(&u.code)), uid);
                        }
                    }
                    for o in store::objectives(&mut tx, p).await? {
                        if let Some(oid) = Id::parse(&o.id) {
                            objectives.insert(
                                (format!("{y}/{}", fold(&o.unit_code)), fold(&o.title)),
                                oid,
                            );
                        }
                    }
                }
            }
            if plans.get(&y).copied().flatten().is_none() {
                err(
                    "annee",
                    "unknown_plan",
                    format!("Aucun plan d'action pour {y}."),
                );
            } else if unit_code.is_empty() {
                err("unite", "required", "Ce champ est obligatoire.".into());
            } else if let Some(u) = units.get(&(y, fold(&unit_code))) {
                unit = Some((*u, format!("{y}/{}", fold(&unit_code))));
            } else {
                err(
                    "unite",
                    "unknown_unit",
                    format!("Unité inconnue « {unit_code} » dans le plan {y}."),
                );
            }
        }
        let existing = if reference.is_empty() {
            None
        } else {
            store::deliverable_by_reference(&mut tx, &reference).await?
        };
        let (Some(f), Some((unit_id, unit_key))) = (fields, unit) else {
            continue;
        };
        let objective_title = {
            let o = get(m, "objectif");
            if o.is_empty() {
                existing
                    .as_ref()
                    .map(|e| e.objective.clone())
                    .unwrap_or_else(|| "Livrables".to_string())
            } else {
                o
            }
        };
        let key = (unit_key, fold(&objective_title));
        let (objective_id, create) = match objectives.get(&key) {
            Some(id) => (*id, None),
            None => {
                let id = Id::new();
                objectives.insert(key, id);
                (id, Some((unit_id, objective_title.clone())))
            }
        };
        let delivered_on = if f.status == DeliverableStatus::Livre {
            existing
                .as_ref()
                .and_then(|e| e.delivered_on.clone())
                .or_else(|| Some(relais_store::date(today(app))))
        } else {
            None
        };
        planned.push((
            existing,
            DeliverableValues {
                objective_id,
                reference,
                title: f.title,
                owner_id: owner,
                product_id: product,
                starts_on: f.starts_on.map(relais_store::date),
                due_on: relais_store::date(f.due_on),
                status: f.status.code().into(),
                progress: f.progress,
                weight: f.weight,
                delivered_on,
            },
            create,
        ));
    }
    let mut report = ImportReport {
        lines: lines.len(),
        ..Default::default()
    };
    if !errors.is_empty() {
        report.errors = errors;
        return Ok(report);
    }
    let mut position = 1000;
    for (existing, v, create) in planned {
        if let Some((unit, title)) = create {
            position += 1;
            store::insert_objective(&mut tx, v.objective_id, unit, &title, position).await?;
        }
        match existing {
            Some(old) => {
                let before = old.values()?;
                if before == v {
                    report.unchanged += 1;
                    continue;
                }
                let id = Id::parse(&old.id).ok_or(DomainError::NotFound)?;
                store::update_deliverable(&mut tx, id, &v, &now).await?;
                audit::record(
                    &mut tx,
                    Some(actor.user_id),
                    "deliverable",
                    id,
                    "import",
                    &diff(&before, &v),
                    &now,
                )
                .await?;
                report.updated += 1;
            }
            None => {
                let id = Id::new();
                store::insert_deliverable(&mut tx, id, &v, &now).await?;
                audit::record(
                    &mut tx,
                    Some(actor.user_id),
                    "deliverable",
                    id,
                    "import",
                    &json!({ "reference": [null, v.reference], "status": [null, v.status] }),
                    &now,
                )
                .await?;
                report.created += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

fn diff(a: &DeliverableValues, b: &DeliverableValues) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, x: serde_json::Value, y: serde_json::Value| {
        if x != y {
            m.insert(k.into(), json!([x, y]));
        }
    };
    put(
        "objective_id",
        json!(a.objective_id.to_string()),
        json!(b.objective_id.to_string()),
    );
    put("title", json!(a.title), json!(b.title));
    put("owner_id", json!(a.owner_id), json!(b.owner_id));
    put("product_id", json!(a.product_id), json!(b.product_id));
    put("starts_on", json!(a.starts_on), json!(b.starts_on));
    put("due_on", json!(a.due_on), json!(b.due_on));
    put("status", json!(a.status), json!(b.status));
    put("progress", json!(a.progress), json!(b.progress));
    put("weight", json!(a.weight), json!(b.weight));
    put("delivered_on", json!(a.delivered_on), json!(b.delivered_on));
    serde_json::Value::Object(m)
}

// ---------------------------------------------------------------- indicator refresh

/// Recomputes the daily aggregates of every day of `[from, to]` from the
/// operational tables, one transaction per day (a rerun replaces a day, it
/// never adds to it). Returns the number of rows written.
pub async fn refresh_indicators(
    app: &App,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<usize> {
    let mut written = 0;
    let mut day = from;
    while day <= to {
        let d = day.format("%Y-%m-%d").to_string();
        let next = (day + chrono::Days::new(1)).format("%Y-%m-%d").to_string();
        let mut tx = app.db.begin().await?;
        let figures = store::day_figures(&mut tx, &d, &next).await?;
        let mut rows = figures.rows;
        // First responses: elapsed minutes, summed per institution/product.
        let mut fr: HashMap<(String, String), (i64, i64)> = HashMap::new();
        for (inst, product, created, answered) in figures.first_responses {
            let (Some(a), Some(b)) = (
                relais_store::parse_ts(&created),
                relais_store::parse_ts(&answered),
            ) else {
                continue;
            };
            let e = fr.entry((inst, product)).or_default();
            e.0 += (b - a).num_minutes().max(0);
            e.1 += 1;
        }
        let mut fr: Vec<_> = fr.into_iter().collect();
        fr.sort();
        rows.extend(
            fr.into_iter()
                .map(|((inst, product), (n, k))| store::DailyRow {
                    day: d.clone(),
                    input: "first_response".into(),
                    institution_id: inst,
                    product_id: product,
                    numerator: n,
                    denominator: k,
                }),
        );
        // Training revenue: trainees × days × the rate of the training's kind.
        let (continuing, tailored) = store::rates_on(&mut tx, &d).await?;
        let mut rev: HashMap<String, i64> = HashMap::new();
        for (inst, kind, half_days, trainees) in figures.trainings_held {
            let rate = match kind.as_str() {
                "continue" => continuing,
                "specifique" => tailored,
                _ => 0,
            };
            *rev.entry(inst).or_default() += trainees * half_days * rate / 2;
        }
        let mut rev: Vec<_> = rev.into_iter().collect();
        rev.sort();
        rows.extend(rev.into_iter().map(|(inst, cents)| store::DailyRow {
            day: d.clone(),
            input: "training_revenue".into(),
            institution_id: inst,
            product_id: String::new(),
            numerator: cents,
            denominator: 0,
        }));
        store::replace_whole_day(&mut tx, &d, &rows).await?;
        tx.commit().await?;
        written += rows.len();
        day = day + chrono::Days::new(1);
    }
    Ok(written)
}

// ---------------------------------------------------------------- indicator reading

/// One indicator over a period, for the reader's scope.
#[derive(Debug, Clone)]
pub struct IndicatorValue {
    pub indicator: &'static Indicator,
    /// None when the period holds nothing to divide by.
    pub value: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
    /// (day, numerator, denominator) per day with figures.
    pub series: Vec<(String, i64, i64)>,
}

/// Reads a `YYYY-MM-DD` period, 30 days to today by default; a bad or
/// reversed one is a named error.
pub fn period(
    app: &App,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    let read = |s: Option<&str>, field: &'static str, default: chrono::NaiveDate| match s
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(default),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            AppError::from(DomainError::invalid(
                "date_invalide",
                field,
                format!("Date illisible pour « {field} » (attendu AAAA-MM-JJ)."),
            ))
        }),
    };
    let t = today(app);
    let to = read(to, "au", t)?;
    let from = read(from, "du", to - chrono::Days::new(29))?;
    if from > to {
        return Err(DomainError::invalid(
            "periode_invalide",
            "du",
            "Le début de la période est après sa fin.",
        )
        .into());
    }
    Ok((from, to))
}

/// The indicators an actor may read: members read their institution's
/// figures only, and not the agency's internal plan.
pub fn readable(actor: &Actor) -> Vec<&'static Indicator> {
    INDICATORS
        .iter()
        .filter(|i| {
            actor.scope() == relais_domain::accounts::Scope::All || i.input != "deliverables_late"
        })
        .collect()
}

/// One indicator over `[from, to]` for the actor's scope (an unknown code,
/// or one the actor may not read, is not found).
pub async fn indicator_value(
    app: &App,
    actor: &Actor,
    code: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    product: Option<&str>,
) -> Result<IndicatorValue> {
    let ind = readable(actor)
        .into_iter()
        .find(|i| i.code == code)
        .ok_or(DomainError::NotFound)?;
    let (f, t) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    let mut c = app.db.read().await?;
    let series = store::series(&mut c, actor.scope(), ind.input, &f, &t, product).await?;
    let numerator = series.iter().map(|d| d.1).sum();
    let denominator = series.iter().map(|d| d.2).sum();
    Ok(IndicatorValue {
        indicator: ind,
        value: compute(ind.formula, &series),
        numerator,
        denominator,
        series,
    })
}

/// Every indicator the actor may read over `[from, to]`.
pub async fn indicator_values(
    app: &App,
    actor: &Actor,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    product: Option<&str>,
) -> Result<Vec<IndicatorValue>> {
    let mut out = Vec::new();
    for i in readable(actor) {
        out.push(indicator_value(app, actor, i.code, from, to, product).await?);
    }
    Ok(out)
}

// ---------------------------------------------------------------- pages' read models

/// The plan at a glance: deliverables per status, late and at risk, the
/// weighted progress, and the same per unit.
#[derive(Debug, Clone, Default)]
pub struct PlanSummary {
    pub total: usize,
    pub per_status: Vec<(DeliverableStatus, usize)>,
    pub late: usize,
    pub at_risk: usize,
    pub progress: Option<f64>,
    /// (unit code, unit name, deliverables, late, progress).
    pub per_unit: Vec<(String, String, usize, usize, Option<f64>)>,
}

/// Summarises deliverables (as read by [`deliverables`]).
pub fn summarize(rows: &[DeliverableView]) -> PlanSummary {
    let item = |v: &DeliverableView| {
        (
            DeliverableStatus::from_code(&v.row.status).unwrap_or(DeliverableStatus::ALancer),
            v.row.progress,
            v.row.weight,
        )
    };
    let all: Vec<_> = rows.iter().map(item).collect();
    let per_status = DeliverableStatus::ALL
        .iter()
        .map(|s| (*s, all.iter().filter(|i| i.0 == *s).count()))
        .collect();
    let mut units: Vec<(String, String)> = Vec::new();
    for v in rows {
        if !units.iter().any(|u| u.0 == v.row.unit_code) {
            units.push((v.row.unit_code.clone(), v.row.unit_name.clone()));
        }
    }
    let per_unit = units
        .into_iter()
        .map(|(code, name)| {
            let mine: Vec<&DeliverableView> =
                rows.iter().filter(|v| v.row.unit_code == code).collect();
            let items: Vec<_> = mine.iter().map(|v| item(v)).collect();
            let late = mine.iter().filter(|v| v.health == Health::Late).count();
            (code, name, mine.len(), late, plan_progress(&items))
        })
        .collect();
    PlanSummary {
        total: rows.len(),
        per_status,
        late: rows.iter().filter(|v| v.health == Health::Late).count(),
        at_risk: rows.iter().filter(|v| v.health == Health::AtRisk).count(),
        progress: plan_progress(&all),
        per_unit,
    }
}

/// The agency accounts a deliverable may be given to (the owner filter).
pub async fn owners(app: &App, actor: &Actor) -> Result<Vec<(String, String)>> {
    require_reader(actor)?;
    let mut c = app.db.read().await?;
    let mut rows: Vec<(String, String)> = store::agency_users(&mut c)
        .await?
        .into_iter()
        .map(|(email, id, _)| (id, email))
        .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(rows)
}

/// The plan's units (code, name) for the filters, in plan order.
pub async fn unit_choices(app: &App, actor: &Actor) -> Result<Vec<(String, String)>> {
    let rows = deliverables(app, actor, &DeliverableFilter::default(), None).await?;
    let mut out: Vec<(String, String)> = Vec::new();
    for v in rows {
        if !out.iter().any(|u| u.0 == v.row.unit_code) {
            out.push((v.row.unit_code, v.row.unit_name));
        }
    }
    Ok(out)
}

/// The value of one day of an indicator, as its chart and table show it
/// (the indicator's formula applied to that day alone).
pub fn day_value(formula: Formula, numerator: i64, denominator: i64) -> Option<f64> {
    compute(formula, &[(String::new(), numerator, denominator)])
}

/// A number the French way: one decimal at most, a decimal comma.
pub fn fr_number(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    let s = format!("{r:.1}");
    s.trim_end_matches(".0").replace('.', ",")
}

/// Columns of an indicator's data (its chart's table and exports).
pub const INDICATOR_COLUMNS: &[&str] = &["jour", "numerateur", "denominateur", "valeur"];

/// An indicator's data per day, exactly as the page's table shows it.
pub fn indicator_rows(v: &IndicatorValue) -> Vec<Vec<String>> {
    v.series
        .iter()
        .map(|(day, n, d)| {
            vec![
                day.clone(),
                n.to_string(),
                d.to_string(),
                day_value(v.indicator.formula, *n, *d)
                    .map(fr_number)
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

/// An indicator's data as CSV (`;`, UTF-8 with BOM).
pub fn indicator_csv(v: &IndicatorValue) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    write_csv(&mut buf, INDICATOR_COLUMNS, &indicator_rows(v))?;
    Ok(buf)
}

/// An indicator's data as XLSX: the day as text, the figures as numbers
/// (the value rounded to one decimal, as on the page).
pub fn indicator_xlsx(v: &IndicatorValue) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("écriture XLSX : {e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let name: String = v.indicator.code.chars().take(31).collect();
    ws.set_name(&name).map_err(err)?;
    let bold = Format::new().set_bold();
    for (c, h) in INDICATOR_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (r, (day, n, d)) in v.series.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, day).map_err(err)?;
        ws.write_number(r, 1, *n as f64).map_err(err)?;
        ws.write_number(r, 2, *d as f64).map_err(err)?;
        if let Some(x) = day_value(v.indicator.formula, *n, *d) {
            ws.write_number(r, 3, (x * 10.0).round() / 10.0)
                .map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

async fn value_for(
    app: &App,
    scope: relais_domain::accounts::Scope,
    ind: &'static Indicator,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    product: Option<&str>,
) -> Result<IndicatorValue> {
    let (f, t) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    let mut c = app.db.read().await?;
    let series = store::series(&mut c, scope, ind.input, &f, &t, product).await?;
    Ok(IndicatorValue {
        indicator: ind,
        value: compute(ind.formula, &series),
        numerator: series.iter().map(|d| d.1).sum(),
        denominator: series.iter().map(|d| d.2).sum(),
        series,
    })
}

/// The indicators of one institution over `[from, to]`: agency staff for
/// any institution, a member for their own only (another is not found).
/// The agency's internal plan is never among them.
pub async fn institution_indicators(
    app: &App,
    actor: &Actor,
    institution: Id,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    product: Option<&str>,
) -> Result<Vec<IndicatorValue>> {
    use relais_domain::accounts::Scope;
    match actor.scope() {
        Scope::All => {}
        Scope::Institution(i) if i == institution => {}
        _ => return Err(DomainError::NotFound.into()),
    }
    let mut out = Vec::new();
    for ind in INDICATORS.iter().filter(|i| i.input != "deliverables_late") {
        out.push(value_for(app, Scope::Institution(institution), ind, from, to, product).await?);
    }
    Ok(out)
}

/// The institutions a key-account manager looks after (id, name).
pub async fn managed_institutions(app: &App, actor: &Actor) -> Result<Vec<(Id, String)>> {
    require_reader(actor)?;
    let f = relais_store::crm::InstitutionFilter {
        manager_id: Some(actor.user_id.to_string()),
        limit: 500,
        ..Default::default()
    };
    let mut c = app.db.read().await?;
    let (rows, _) = relais_store::crm::list_institutions(&mut c, actor.scope(), &f).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Id::parse(&r.id).map(|id| (id, r.name)))
        .collect())
}

// ---------------------------------------------------------------- monthly report

/// The month before the one of `today`, as (`YYYY-MM`, first day, last day).
pub fn previous_month(today: chrono::NaiveDate) -> (String, chrono::NaiveDate, chrono::NaiveDate) {
    use chrono::Datelike;
    let first_this = today.with_day(1).unwrap_or(today);
    let last = first_this - chrono::Days::new(1);
    let first = last.with_day(1).unwrap_or(last);
    (first.format("%Y-%m").to_string(), first, last)
}

/// The monthly report to the agency's management for `month` (`YYYY-MM`):
/// (recipients, subject, text) — the plan's state today, its late
/// deliverables, the deliverables' changes of the month and every
/// indicator of the month for the whole agency. None when no
/// administrator has an address.
pub async fn monthly_report_mail(
    app: &App,
    month: &str,
    base_url: &str,
) -> Result<Option<(Vec<String>, String, String)>> {
    use std::fmt::Write;
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| DomainError::invalid("mois_invalide", "mois", "Mois illisible."))?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| DomainError::invalid("mois_invalide", "mois", "Mois illisible."))?;
    let last = next - chrono::Days::new(1);
    let (to, rows, changes) = {
        let mut c = app.db.read().await?;
        let to = store::management_emails(&mut c).await?;
        let rows = store::deliverables(&mut c, &DeliverableFilter::default()).await?;
        let changes = store::deliverable_changes(
            &mut c,
            &format!("{}T00:00:00", first.format("%Y-%m-%d")),
            &format!("{}T00:00:00", next.format("%Y-%m-%d")),
        )
        .await?;
        (to, rows, changes)
    };
    if to.is_empty() {
        return Ok(None);
    }
    let t = today(app);
    let views: Vec<DeliverableView> = rows.into_iter().map(|r| view(r, t)).collect();
    let s = summarize(&views);
    let base = base_url.trim_end_matches('/');
    let mut text = String::new();
    let _ = writeln!(text, "Rapport mensuel de pilotage — {month}\n");
    let _ = writeln!(text, "PLAN D'ACTION (au {})", t.format("%d/%m/%Y"));
    let _ = writeln!(
        text,
        "Avancement pondéré : {} %",
        s.progress.map(fr_number).unwrap_or_else(|| "—".into())
    );
    let _ = writeln!(
        text,
        "Livrables : {} ; en retard : {} ; à risque : {}",
        s.total, s.late, s.at_risk
    );
    for (st, n) in &s.per_status {
        let _ = writeln!(text, "  {} : {n}", st.label_fr());
    }
    let _ = writeln!(text, "\nLIVRABLES EN RETARD");
    let late: Vec<&DeliverableView> = views.iter().filter(|v| v.health == Health::Late).collect();
    if late.is_empty() {
        let _ = writeln!(text, "  aucun");
    }
    for v in &late {
        let _ = writeln!(
            text,
            "  {} — {} (échéance {}, {} %, {})",
            v.row.reference,
            v.row.title,
            v.row.due_on,
            v.row.progress,
            v.row.owner_name.as_deref().unwrap_or("sans responsable")
        );
    }
    let _ = writeln!(text, "\nCHANGEMENTS DU MOIS ({})", changes.len());
    if changes.is_empty() {
        let _ = writeln!(text, "  aucun");
    }
    for ch in &changes {
        let _ = writeln!(
            text,
            "  {} {} — {} : {} {}",
            ch.at.get(..10).unwrap_or(&ch.at),
            ch.reference,
            ch.title,
            ch.action,
            ch.changes
        );
    }
    let _ = writeln!(text, "\nINDICATEURS DU MOIS (du {first} au {last})");
    for ind in INDICATORS {
        let v = value_for(
            app,
            relais_domain::accounts::Scope::All,
            ind,
            first,
            last,
            None,
        )
        .await?;
        let shown = match v.value {
            None => "—".to_string(),
            Some(x) if ind.formula == Formula::Percent => format!("{} %", fr_number(x)),
            Some(x) => fr_number(x),
        };
        let _ = writeln!(text, "  {} : {shown}", ind.name);
    }
    let _ = writeln!(text, "\nLe détail : {base}/pilotage et {base}/indicateurs");
    Ok(Some((
        to,
        format!("[Relais] Rapport mensuel de pilotage — {month}"),
        text,
    )))
}

/// Queues the monthly report of the previous month once: the month sent
/// is remembered in `app_settings` in the same transaction as the job, so
/// a restart never queues it twice. Returns whether a job was queued.
pub async fn queue_monthly_report(app: &App) -> Result<bool> {
    const KEY: &str = "steering_report_month";
    let (month, _, _) = previous_month(today(app));
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    if relais_store::watchdog::get_setting(&mut tx, KEY)
        .await?
        .as_deref()
        == Some(month.as_str())
    {
        return Ok(false);
    }
    relais_store::watchdog::set_setting(&mut tx, KEY, &month, &now).await?;
    crate::jobs::enqueue(
        &mut tx,
        &crate::jobs::MailJob::SteeringReport { month },
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The export rows of the deliverables of a filter, kept to one health
/// when asked (the plan page's "late" filter exports the late ones only).
pub async fn export_filtered(
    app: &App,
    actor: &Actor,
    filter: &DeliverableFilter,
    only: Option<Health>,
) -> Result<Vec<Vec<String>>> {
    let rows = deliverables(app, actor, filter, only).await?;
    Ok(export_rows(&rows, &year_of))
}
