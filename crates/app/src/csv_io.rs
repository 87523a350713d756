//! CSV import and export of institutions and contacts, as French spreadsheets
//! produce and read them.
//!
//! Reading: UTF-8 (a byte-order mark is skipped), `;` or `,` separated (a
//! tab is accepted too, for cells pasted from a spreadsheet), CRLF or LF.
//! Column names are French and matched without regard to case, accents,
//! spaces or hyphens (`Région`, `région` and `region` are one column); closed
//! lists (type, adhésion, calendrier, fonction) take their code or their
//! French label.
//!
//! An import is all or nothing: every line is validated with the same domain
//! rules as the forms (`TryFrom<…Input>`), plus the rules that only make
//! sense for a file (a UAI or a contact twice in the file, an ambiguous
//! reference). If any line is bad, nothing is written and the report lists
//! every bad line with its number in the file (the header is line 1). If all
//! lines are good, they are written in one transaction with their history.
//!
//! Which record a line updates:
//! - institutions: a line whose UAI is known updates that institution;
//!   otherwise a line updates the one existing institution of the same name
//!   (ignoring case and accents) that has no UAI yet (giving it the line's
//!   UAI, if any); otherwise it creates one. A line without UAI whose name is
//!   taken by an institution that has a UAI is refused: the UAI must be given
//!   to update it. The key-account manager is not in the file and is kept.
//! - contacts: the institution is found by `etablissement_uai`, else
//!   `etablissement_sigle`, else `etablissement` (its name). Within it, a line
//!   updates the contact with the same e-mail address, or else the one
//!   contact of the same name without an address; otherwise it creates one.
//!
//! A line identical to the record it designates is counted as unchanged and
//! not written, so exporting then importing a file changes nothing.
//!
//! Writing: `;` separated UTF-8 with a byte-order mark (what Excel in French
//! expects), CRLF, the same column names as the import, codes for closed
//! lists. A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return gets a leading `'` so that a spreadsheet shows it as text instead
//! of evaluating it (OWASP "CSV injection"); the import removes that quote
//! again when it is followed by one of those characters, so values survive
//! the round trip.

use crate::{App, AppError, Result};
use relais_domain::accounts::{Actor, Scope};
use relais_domain::crm::*;
use relais_domain::{fold, DomainError, Id};
use relais_store::crm::{
    self as store, ContactFilter, ContactRow, ContactValues, InstitutionFilter, InstitutionRow,
    InstitutionValues,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Write;

/// Columns of an institutions file, in export order.
pub const INSTITUTION_COLUMNS: &[&str] = &[
    "nom",
    "sigle",
    "type",
    "uai",
    "region",
    "ville",
    "etudiants",
    "personnels",
    "adhesion",
    "adherent_depuis",
    "calendrier",
    "segments",
];

/// Columns of a contacts file, in export order. `etablissement` (the name)
/// is written for people reading the file and, on import, finds an
/// institution that has neither UAI nor acronym.
pub const CONTACT_COLUMNS: &[&str] = &[
    "etablissement_uai",
    "etablissement_sigle",
    "etablissement",
    "prenom",
    "nom",
    "courriel",
    "telephone",
    "fonction",
    "intitule",
    "domaines",
    "consentement",
];

/// One refused line of an import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    /// Physical line in the file, 1-based; the header is line 1.
    pub line: usize,
    /// The column (its canonical French name), or empty when the whole line
    /// or the file is concerned.
    pub field: String,
    /// Stable machine code (`invalid_uai`, `duplicate_in_file`…).
    pub code: &'static str,
    /// French message for people.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "ligne {} : {}", self.line, self.message)
        } else {
            write!(
                f,
                "ligne {}, colonne {} : {}",
                self.line, self.field, self.message
            )
        }
    }
}

/// The outcome of an import: counts when it was written, or the bad lines
/// when nothing was.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Data lines read (blank lines aside).
    pub lines: usize,
    pub created: usize,
    pub updated: usize,
    /// Lines identical to the record they designate: nothing written.
    pub unchanged: usize,
    /// Every bad line; when not empty, nothing was written.
    pub errors: Vec<LineError>,
}

impl ImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// "152 lignes importées : 150 créées, 2 mises à jour", or the count of
    /// refused lines.
    pub fn summary_fr(&self) -> String {
        if !self.is_ok() {
            let bad: HashSet<usize> = self.errors.iter().map(|e| e.line).collect();
            return format!(
                "{} refusée{} : aucune modification n'a été enregistrée.",
                plural(bad.len(), "ligne", "lignes"),
                if bad.len() > 1 { "s" } else { "" }
            );
        }
        let mut s = format!(
            "{} : {}, {}",
            plural(self.lines, "ligne importée", "lignes importées"),
            plural(self.created, "créée", "créées"),
            plural(self.updated, "mise à jour", "mises à jour"),
        );
        if self.unchanged > 0 {
            s.push_str(&format!(
                ", {}",
                plural(self.unchanged, "inchangée", "inchangées")
            ));
        }
        s
    }
}

/// French plural: 0 and 1 take the singular.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

// ---------------------------------------------------------------- reading

/// The separator of a file from its first line: the most frequent of `;`,
/// `,` and tab outside quoted parts, `;` when in doubt (French spreadsheets
/// write `;` because `,` is their decimal mark).
pub fn detect_delimiter(first_line: &str) -> u8 {
    let line = first_line.strip_prefix('\u{feff}').unwrap_or(first_line);
    let (mut semi, mut comma, mut tab) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if comma > semi {
        b','
    } else {
        b';'
    }
}

/// A column name as people write it, reduced to its canonical form:
/// `Adhérent depuis` → `adherent_depuis`.
fn header_key(s: &str) -> String {
    let folded = fold(s.trim());
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// What a file must look like.
struct Spec {
    /// Canonical column names.
    columns: &'static [&'static str],
    /// Other spellings people use, mapped to a canonical name.
    aliases: &'static [(&'static str, &'static str)],
    /// Each group needs at least one of its columns.
    required: &'static [&'static [&'static str]],
}

const INSTITUTION_SPEC: Spec = Spec {
    columns: INSTITUTION_COLUMNS,
    aliases: &[
        ("acronyme", "sigle"),
        ("code_uai", "uai"),
        ("nom_de_l_etablissement", "nom"),
        ("type_d_etablissement", "type"),
        ("nombre_d_etudiants", "etudiants"),
        ("effectif_etudiant", "etudiants"),
        ("effectifs_etudiants", "etudiants"),
        ("nombre_de_personnels", "personnels"),
        ("statut", "adhesion"),
        ("statut_d_adhesion", "adhesion"),
        ("annee_d_adhesion", "adherent_depuis"),
        ("calendrier_des_jours_feries", "calendrier"),
        ("tags", "segments"),
        ("etiquettes", "segments"),
    ],
    required: &[&["nom"], &["type"]],
};

const CONTACT_SPEC: Spec = Spec {
    columns: CONTACT_COLUMNS,
    aliases: &[
        ("uai", "etablissement_uai"),
        ("code_uai", "etablissement_uai"),
        ("uai_etablissement", "etablissement_uai"),
        ("sigle", "etablissement_sigle"),
        ("sigle_etablissement", "etablissement_sigle"),
        ("nom_etablissement", "etablissement"),
        ("email", "courriel"),
        ("e_mail", "courriel"),
        ("mel", "courriel"),
        ("mail", "courriel"),
        ("adresse_electronique", "courriel"),
        ("tel", "telephone"),
        ("titre", "intitule"),
        ("intitule_du_poste", "intitule"),
        ("domaine", "domaines"),
        ("consentement_rgpd", "consentement"),
    ],
    required: &[
        &["prenom"],
        &["nom"],
        &["etablissement_uai", "etablissement_sigle", "etablissement"],
    ],
};

impl Spec {
    fn canonical(&self, key: &str) -> Option<&'static str> {
        self.columns
            .iter()
            .copied()
            .find(|c| *c == key)
            .or_else(|| {
                self.aliases
                    .iter()
                    .find(|(a, _)| *a == key)
                    .map(|(_, c)| *c)
            })
    }

    fn expected(&self) -> String {
        let required: Vec<String> = self.required.iter().map(|g| g.join(" ou ")).collect();
        format!(
            "Colonnes attendues : {} (obligatoires : {}).",
            self.columns.join(", "),
            required.join(", ")
        )
    }
}

/// One data line of a file.
struct Row {
    line: usize,
    cells: Vec<String>,
}

/// A parsed file: the position of each canonical column, and the data lines.
struct Sheet {
    columns: HashMap<&'static str, usize>,
    rows: Vec<Row>,
}

impl Sheet {
    /// The cleaned value of a column on a line; empty when the column is
    /// absent from the file or the line is short.
    fn get<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|&i| row.cells.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }

    fn opt(&self, row: &Row, column: &str) -> Option<String> {
        let v = self.get(row, column);
        (!v.is_empty()).then(|| v.to_string())
    }
}

/// Characters that make a spreadsheet evaluate a cell.
fn is_formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell as read: trimmed, and without the quote that our export put in
/// front of a would-be formula.
fn clean_cell(raw: &str) -> String {
    let t = raw.trim();
    if let Some(rest) = t.strip_prefix('\'') {
        if rest.starts_with(is_formula_start) {
            return rest.trim().to_string();
        }
    }
    t.to_string()
}

fn file_error(
    line: usize,
    field: &str,
    code: &'static str,
    message: impl Into<String>,
) -> LineError {
    LineError {
        line,
        field: field.to_string(),
        code,
        message: message.into(),
    }
}

/// Decodes and splits a file, and maps its header to canonical columns. A
/// file that cannot be read at all comes back as line errors too, so every
/// door shows problems the same way.
fn parse(data: &[u8], spec: &Spec) -> std::result::Result<Sheet, Vec<LineError>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = match std::str::from_utf8(data) {
        Ok(t) => t,
        Err(e) => {
            let line = data[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            return Err(vec![file_error(
                line,
                "",
                "not_utf8",
                "Le fichier n'est pas encodé en UTF-8. Dans le tableur, enregistrez-le au format « CSV UTF-8 ».",
            )]);
        }
    };
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim().is_empty() {
        return Err(vec![file_error(
            1,
            "",
            "empty_file",
            format!(
                "La première ligne doit nommer les colonnes. {}",
                spec.expected()
            ),
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(first_line))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        _ => {
            return Err(vec![file_error(1, "", "unreadable", "En-tête illisible.")]);
        }
    };

    let mut errors = Vec::new();
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            // Spreadsheets often leave trailing separators: an unnamed
            // column is ignored.
            continue;
        }
        match spec.canonical(&header_key(name)) {
            Some(c) => {
                if columns.insert(c, i).is_some() {
                    errors.push(file_error(
                        1,
                        c,
                        "duplicate_column",
                        format!(
                            "La colonne « {name} » apparaît deux fois. {}",
                            spec.expected()
                        ),
                    ));
                }
            }
            None => errors.push(file_error(
                1,
                name,
                "unknown_column",
                format!("Colonne « {name} » inconnue. {}", spec.expected()),
            )),
        }
    }
    for group in spec.required {
        if !group.iter().any(|c| columns.contains_key(c)) {
            errors.push(file_error(
                1,
                group[0],
                "missing_column",
                format!(
                    "Colonne obligatoire « {} » absente. {}",
                    group.join(" » ou « "),
                    spec.expected()
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let width = header.len();
    let mut rows = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_at(text, p.byte())).unwrap_or(0);
                errors.push(file_error(line, "", "unreadable", "Ligne illisible."));
                continue;
            }
        };
        let line = rec.position().map(|p| line_at(text, p.byte())).unwrap_or(0);
        let cells: Vec<String> = rec.iter().map(clean_cell).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if cells.len() > width && cells[width..].iter().any(|c| !c.is_empty()) {
            errors.push(file_error(
                line,
                "",
                "extra_cells",
                format!(
                    "Cette ligne compte {} cellules alors que l'en-tête nomme {} colonnes.",
                    cells.len(),
                    width
                ),
            ));
            continue;
        }
        // None of our columns holds several lines: a line break inside a
        // cell almost always comes from a quote left open, which swallowed
        // the following lines.
        if let Some((&col, _)) = columns
            .iter()
            .find(|(_, &i)| cells.get(i).is_some_and(|c| c.contains(['\n', '\r'])))
        {
            errors.push(file_error(
                line,
                col,
                "line_break",
                "Cette cellule contient un saut de ligne : un guillemet (\") n'est sans doute pas refermé.",
            ));
            continue;
        }
        rows.push(Row { line, cells });
    }
    if errors.is_empty() {
        Ok(Sheet { columns, rows })
    } else {
        Err(errors)
    }
}

/// The physical line (1-based) where the record found at `byte` starts.
/// The reader's own line count lags behind after a CRLF (it stops on the
/// CR), so it is recomputed here: the line breaks before the record's first
/// character, skipping the breaks that end the previous record.
fn line_at(text: &str, byte: u64) -> usize {
    let start = (byte as usize).min(text.len());
    let skip = text.as_bytes()[start..]
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count();
    text.as_bytes()[..start + skip]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A value for matching: folded, inclusive-writing endings (`·e`, `·rice`)
/// removed, punctuation as spaces.
fn value_key(s: &str) -> String {
    let mut plain = String::with_capacity(s.len());
    let mut skipping = false;
    for c in s.chars() {
        if c == '·' || c == '•' {
            skipping = true;
            continue;
        }
        if skipping && c.is_alphabetic() {
            continue;
        }
        skipping = false;
        plain.push(c);
    }
    fold(&plain)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The spellings accepted for one value of a closed list: its code, its
/// French label, the label without its parenthesis, and the abbreviation in
/// the parenthesis (`DGS`).
fn value_variants(code: &str, label: &str) -> Vec<String> {
    let mut v = vec![value_key(code), value_key(label)];
    if let Some((before, rest)) = label.split_once('(') {
        v.push(value_key(before));
        v.push(value_key(rest.trim_end_matches(')')));
    }
    v
}

/// The code of a closed-list value typed as a code or a French label.
fn match_code<E: Copy>(
    all: &[E],
    code: fn(E) -> &'static str,
    label: fn(E) -> &'static str,
    raw: &str,
) -> Option<&'static str> {
    let k = value_key(raw);
    if k.is_empty() {
        return None;
    }
    all.iter()
        .copied()
        .find(|e| value_variants(code(*e), label(*e)).contains(&k))
        .map(code)
}

fn accepted<E: Copy>(all: &[E], code: fn(E) -> &'static str) -> String {
    let codes: Vec<&str> = all.iter().map(|e| code(*e)).collect();
    format!(
        " Valeurs acceptées : {} (ou leur libellé).",
        codes.join(", ")
    )
}

/// A closed-list cell turned into its code when recognised; otherwise kept
/// as typed, for the domain to refuse with its own message.
fn coded<E: Copy>(
    all: &[E],
    code: fn(E) -> &'static str,
    label: fn(E) -> &'static str,
    raw: &str,
) -> String {
    match_code(all, code, label, raw)
        .map(str::to_string)
        .unwrap_or_else(|| raw.to_string())
}

/// Domain validation errors as line errors, with the file's column names.
fn domain_errors(
    line: usize,
    err: DomainError,
    column_of: fn(&str) -> &'static str,
    extra: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<LineError>,
) {
    match err {
        DomainError::Invalid(errs) => {
            for e in errs {
                let mut message = e.detail.clone();
                if let Some(more) = extra(e.code) {
                    message.push_str(&more);
                }
                out.push(LineError {
                    line,
                    field: column_of(e.field).to_string(),
                    code: e.code,
                    message,
                });
            }
        }
        other => out.push(LineError {
            line,
            field: String::new(),
            code: other.code(),
            message: other.to_string(),
        }),
    }
}

fn institution_column(field: &str) -> &'static str {
    match field {
        "name" => "nom",
        "acronym" => "sigle",
        "kind" => "type",
        "region" => "region",
        "city" => "ville",
        "uai" => "uai",
        "students" => "etudiants",
        "staff" => "personnels",
        "membership" => "adhesion",
        "member_since" => "adherent_depuis",
        "calendar" => "calendrier",
        "tags" => "segments",
        _ => "",
    }
}

fn contact_column(field: &str) -> &'static str {
    match field {
        "first_name" => "prenom",
        "last_name" => "nom",
        "email" => "courriel",
        "phone" => "telephone",
        "function" => "fonction",
        "title" => "intitule",
        "domains" => "domaines",
        "consent" => "consentement",
        _ => "",
    }
}

fn forbidden_unless(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

fn row_id(raw: &str) -> Result<Id> {
    Id::parse(raw)
        .ok_or_else(|| AppError::Internal(format!("identifiant illisible en base : {raw}")))
}

/// A name for matching: folded, spaces collapsed.
fn name_key(s: &str) -> String {
    fold(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json_list(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// Every institution the actor sees, in pages (the store caps a page at 1000
/// rows).
async fn all_institutions(c: &mut relais_store::Conn, scope: Scope) -> Result<Vec<InstitutionRow>> {
    const PAGE: i64 = 1000;
    let mut out: Vec<InstitutionRow> = Vec::new();
    let mut seen = HashSet::new();
    let mut offset = 0;
    loop {
        let (rows, total) = store::list_institutions(
            c,
            scope,
            &InstitutionFilter {
                limit: PAGE,
                offset,
                ..Default::default()
            },
        )
        .await?;
        let n = rows.len() as i64;
        out.extend(rows.into_iter().filter(|r| seen.insert(r.id.clone())));
        offset += n;
        if n < PAGE || offset >= total {
            break;
        }
    }
    Ok(out)
}

async fn all_contacts(c: &mut relais_store::Conn, scope: Scope) -> Result<Vec<ContactRow>> {
    const PAGE: i64 = 10_000;
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let (rows, total) = store::list_contacts(
            c,
            scope,
            &ContactFilter {
                limit: PAGE,
                offset,
                ..Default::default()
            },
        )
        .await?;
        let n = rows.len() as i64;
        out.extend(rows);
        offset += n;
        if n < PAGE || offset >= total {
            break;
        }
    }
    Ok(out)
}

/// What one valid line will do.
enum Plan<V> {
    Create(V),
    Update {
        id: Id,
        values: V,
        changes: serde_json::Value,
    },
    Unchanged,
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

fn institution_input(sheet: &Sheet, row: &Row) -> InstitutionInput {
    let kind = sheet.get(row, "type");
    InstitutionInput {
        name: sheet.get(row, "nom").to_string(),
        acronym: sheet.opt(row, "sigle"),
        kind: coded(
            InstitutionKind::ALL,
            InstitutionKind::code,
            InstitutionKind::label_fr,
            kind,
        ),
        region: sheet.opt(row, "region"),
        city: sheet.opt(row, "ville"),
        uai: sheet.opt(row, "uai"),
        students: sheet.opt(row, "etudiants"),
        staff: sheet.opt(row, "personnels"),
        membership: sheet.opt(row, "adhesion").map(|m| {
            coded(
                MembershipStatus::ALL,
                MembershipStatus::code,
                MembershipStatus::label_fr,
                &m,
            )
        }),
        member_since: sheet.opt(row, "adherent_depuis"),
        calendar: sheet.opt(row, "calendrier").map(|c| {
            coded(
                CalendarKind::ALL,
                CalendarKind::code,
                CalendarKind::label_fr,
                &c,
            )
        }),
        // The form separates segments with commas; a file may use `|` like
        // the contacts' domains.
        tags: sheet.opt(row, "segments").map(|t| t.replace('|', ",")),
    }
}

fn institution_hint(code: &str) -> Option<String> {
    match code {
        "invalid_kind" => Some(accepted(InstitutionKind::ALL, InstitutionKind::code)),
        "invalid_membership" => Some(accepted(MembershipStatus::ALL, MembershipStatus::code)),
        "invalid_calendar" => Some(accepted(CalendarKind::ALL, CalendarKind::code)),
        _ => None,
    }
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

fn institution_changes(before: &InstitutionRow, v: &InstitutionValues) -> serde_json::Value {
    diff(&[
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
        (
            "tags",
            json!(json_list(&before.tags)),
            json!(json_list(&v.tags)),
        ),
    ])
}

/// Imports institutions from a CSV file (see the module documentation for
/// the format and the matching rules). Bad lines come back in the report
/// with nothing written; `Err` is kept for refusals (the actor may not
/// manage the référentiel) and internal failures.
///
/// `progress(done, total)` counts steps: every line is first validated,
/// then written, so `total` is twice the number of lines; when a line is
/// bad the writing steps never come.
pub async fn import_institutions(
    app: &App,
    actor: &Actor,
    data: &[u8],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ImportReport> {
    forbidden_unless(actor.can_manage_crm())?;
    let sheet = match parse(data, &INSTITUTION_SPEC) {
        Ok(s) => s,
        Err(errors) => {
            return Ok(ImportReport {
                errors,
                ..Default::default()
            })
        }
    };
    let total = sheet.rows.len();
    let steps = total * 2;
    progress(0, steps);

    // Reads and writes share one transaction, so the lines are matched
    // against the data they will change.
    let mut tx = app.db.begin().await?;
    let existing = all_institutions(&mut tx, actor.scope()).await?;
    let mut by_uai: HashMap<&str, usize> = HashMap::new();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in existing.iter().enumerate() {
        if let Some(u) = &r.uai {
            by_uai.insert(u.as_str(), i);
        }
        by_name.entry(name_key(&r.name)).or_default().push(i);
    }

    let mut errors = Vec::new();
    let mut plans = Vec::with_capacity(total);
    let mut uai_lines: HashMap<String, usize> = HashMap::new();
    let mut name_lines: HashMap<String, usize> = HashMap::new();
    let mut target_lines: HashMap<usize, usize> = HashMap::new();
    for (n, row) in sheet.rows.iter().enumerate() {
        progress(n + 1, steps);
        let line = row.line;
        let raw_kind = sheet.get(row, "type");
        let fields = match InstitutionFields::try_from(institution_input(&sheet, row)) {
            Ok(f) => f,
            Err(e) => {
                let before = errors.len();
                domain_errors(line, e, institution_column, &institution_hint, &mut errors);
                if raw_kind.is_empty() {
                    for err in errors[before..]
                        .iter_mut()
                        .filter(|e| e.code == "invalid_kind")
                    {
                        err.code = "required";
                        err.message = "Ce champ est obligatoire.".into();
                    }
                }
                continue;
            }
        };
        let name = name_key(&fields.name);
        let same_name: Vec<usize> = by_name.get(&name).cloned().unwrap_or_default();
        let without_uai: Vec<usize> = same_name
            .iter()
            .copied()
            .filter(|&i| existing[i].uai.is_none())
            .collect();
        let target = match &fields.uai {
            Some(uai) => {
                if let Some(first) = uai_lines.insert(uai.clone(), line) {
                    errors.push(file_error(
                        line,
                        "uai",
                        "duplicate_in_file",
                        format!("Le code UAI {uai} figure déjà ligne {first}."),
                    ));
                    continue;
                }
                match by_uai.get(uai.as_str()) {
                    Some(&i) => Some(i),
                    None if without_uai.len() == 1 => Some(without_uai[0]),
                    None => None,
                }
            }
            None => {
                if let Some(first) = name_lines.insert(name.clone(), line) {
                    errors.push(file_error(
                        line,
                        "nom",
                        "duplicate_in_file",
                        format!(
                            "L'établissement « {} » figure déjà sans code UAI ligne {first}.",
                            fields.name
                        ),
                    ));
                    continue;
                }
                match without_uai.len() {
                    1 => Some(without_uai[0]),
                    0 => match same_name.first() {
                        Some(&i) => {
                            errors.push(file_error(
                                line,
                                "uai",
                                "uai_required",
                                format!(
                                    "L'établissement « {} » existe déjà avec le code UAI {} : indiquez ce code pour le mettre à jour.",
                                    existing[i].name,
                                    existing[i].uai.as_deref().unwrap_or("")
                                ),
                            ));
                            continue;
                        }
                        None => None,
                    },
                    _ => {
                        errors.push(file_error(
                            line,
                            "nom",
                            "ambiguous",
                            format!(
                                "Plusieurs établissements sans code UAI s'appellent « {} » : complétez leur code UAI dans Relais avant l'import.",
                                fields.name
                            ),
                        ));
                        continue;
                    }
                }
            }
        };
        if let Some(i) = target {
            if let Some(first) = target_lines.insert(i, line) {
                errors.push(file_error(
                    line,
                    "",
                    "duplicate_in_file",
                    format!(
                        "Cette ligne et la ligne {first} désignent le même établissement « {} ».",
                        existing[i].name
                    ),
                ));
                continue;
            }
        }
        if !errors.is_empty() {
            // Once a line is bad nothing will be written: keep validating,
            // skip planning.
            continue;
        }
        plans.push(match target {
            None => Plan::Create(institution_values(fields, None)),
            Some(i) => {
                let before = &existing[i];
                let values = institution_values(fields, before.manager_id.clone());
                let changes = institution_changes(before, &values);
                if changes.as_object().is_some_and(|m| m.is_empty()) {
                    Plan::Unchanged
                } else {
                    Plan::Update {
                        id: row_id(&before.id)?,
                        values,
                        changes,
                    }
                }
            }
        });
    }
    let mut report = ImportReport {
        lines: total,
        ..Default::default()
    };
    if !errors.is_empty() {
        tx.rollback().await?;
        errors.sort_by_key(|e| e.line);
        report.errors = errors;
        return Ok(report);
    }

    let now = app.now_ts();
    for (n, plan) in plans.into_iter().enumerate() {
        match plan {
            Plan::Create(v) => {
                let id = Id::new();
                store::insert_institution(&mut tx, id, &v, &now)
                    .await
                    .map_err(uai_conflict)?;
                relais_store::audit::record(
                    &mut tx,
                    Some(actor.user_id),
                    "institution",
                    id,
                    "create",
                    &json!({"name": v.name}),
                    &now,
                )
                .await?;
                report.created += 1;
            }
            Plan::Update {
                id,
                values,
                changes,
            } => {
                store::update_institution(&mut tx, id, &values, &now)
                    .await
                    .map_err(uai_conflict)?;
                relais_store::audit::record(
                    &mut tx,
                    Some(actor.user_id),
                    "institution",
                    id,
                    "update",
                    &changes,
                    &now,
                )
                .await?;
                report.updated += 1;
            }
            Plan::Unchanged => report.unchanged += 1,
        }
        progress(total + n + 1, steps);
    }
    tx.commit().await?;
    tracing::debug!(
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        "institutions imported"
    );
    Ok(report)
}

/// A UAI taken by a concurrent write between validation and commit.
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

// ---------------------------------------------------------------- contacts

fn contact_hint(code: &str) -> Option<String> {
    match code {
        "invalid_function" => Some(accepted(ContactFunction::ALL, ContactFunction::code)),
        _ => None,
    }
}

fn parse_consent(raw: &str) -> Option<bool> {
    match value_key(raw).as_str() {
        "" | "non" | "n" | "0" | "faux" | "false" | "no" => Some(false),
        "oui" | "o" | "1" | "vrai" | "true" | "yes" | "x" => Some(true),
        _ => None,
    }
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

fn contact_changes(before: &ContactRow, v: &ContactValues) -> serde_json::Value {
    diff(&[
        ("first_name", json!(before.first_name), json!(v.first_name)),
        ("last_name", json!(before.last_name), json!(v.last_name)),
        ("email", json!(before.email), json!(v.email)),
        ("phone", json!(before.phone), json!(v.phone)),
        ("function", json!(before.function), json!(v.function)),
        ("title", json!(before.title), json!(v.title)),
        (
            "domains",
            json!(json_list(&before.domains)),
            json!(json_list(&v.domains)),
        ),
        ("consent", json!(before.consent != 0), json!(v.consent)),
    ])
}

/// Finds the institution of a contact line, or says why not.
fn find_institution(
    sheet: &Sheet,
    row: &Row,
    institutions: &[InstitutionRow],
) -> std::result::Result<usize, LineError> {
    let line = row.line;
    let uai = sheet.get(row, "etablissement_uai");
    if !uai.is_empty() {
        let uai = validate_uai(uai)
            .map_err(|m| file_error(line, "etablissement_uai", "invalid_uai", m))?;
        return institutions
            .iter()
            .position(|i| i.uai.as_deref() == Some(uai.as_str()))
            .ok_or_else(|| {
                file_error(
                    line,
                    "etablissement_uai",
                    "unknown_institution",
                    format!("Aucun établissement ne porte le code UAI {uai}."),
                )
            });
    }
    let by = |column: &str, what: &str, value: &str, get: fn(&InstitutionRow) -> Option<&str>| {
        let k = name_key(value);
        let found: Vec<usize> = institutions
            .iter()
            .enumerate()
            .filter(|(_, i)| get(i).is_some_and(|v| name_key(v) == k))
            .map(|(n, _)| n)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(file_error(
                line,
                column,
                "unknown_institution",
                format!("Aucun établissement {what} « {value} »."),
            )),
            _ => Err(file_error(
                line,
                column,
                "ambiguous_institution",
                format!(
                    "Plusieurs établissements ont {what} « {value} » : indiquez plutôt leur code UAI (colonne etablissement_uai)."
                ),
            )),
        }
    };
    let acronym = sheet.get(row, "etablissement_sigle");
    if !acronym.is_empty() {
        return by("etablissement_sigle", "pour sigle", acronym, |i| {
            i.acronym.as_deref()
        });
    }
    let name = sheet.get(row, "etablissement");
    if !name.is_empty() {
        return by("etablissement", "pour nom", name, |i| Some(i.name.as_str()));
    }
    let column = if sheet.columns.contains_key("etablissement_uai") {
        "etablissement_uai"
    } else if sheet.columns.contains_key("etablissement_sigle") {
        "etablissement_sigle"
    } else {
        "etablissement"
    };
    Err(file_error(
        line,
        column,
        "required",
        "Indiquez l'établissement : son code UAI, son sigle ou son nom.",
    ))
}

/// Imports contacts from a CSV file; same contract as
/// [`import_institutions`]. The institutions must exist already.
pub async fn import_contacts(
    app: &App,
    actor: &Actor,
    data: &[u8],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ImportReport> {
    forbidden_unless(actor.can_manage_crm())?;
    let sheet = match parse(data, &CONTACT_SPEC) {
        Ok(s) => s,
        Err(errors) => {
            return Ok(ImportReport {
                errors,
                ..Default::default()
            })
        }
    };
    let total = sheet.rows.len();
    let steps = total * 2;
    progress(0, steps);

    let mut tx = app.db.begin().await?;
    let scope = actor.scope();
    let institutions = all_institutions(&mut tx, scope).await?;
    let existing = all_contacts(&mut tx, scope).await?;
    let domains = store::list_domains(&mut tx).await?;
    // Contacts of each institution, by address and by name.
    let mut by_email: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, c) in existing.iter().enumerate() {
        if let Some(e) = &c.email {
            by_email
                .entry((c.institution_id.clone(), e.to_lowercase()))
                .or_default()
                .push(i);
        }
        by_name
            .entry((
                c.institution_id.clone(),
                name_key(&format!("{} {}", c.first_name, c.last_name)),
            ))
            .or_default()
            .push(i);
    }

    let mut errors = Vec::new();
    let mut plans = Vec::with_capacity(total);
    let mut key_lines: HashMap<(String, String), usize> = HashMap::new();
    let mut target_lines: HashMap<usize, usize> = HashMap::new();
    for (n, row) in sheet.rows.iter().enumerate() {
        progress(n + 1, steps);
        let line = row.line;
        let before = errors.len();
        let institution = match find_institution(&sheet, row, &institutions) {
            Ok(i) => Some(&institutions[i]),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut codes = Vec::new();
        for raw in sheet.get(row, "domaines").split(['|', ',']) {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let k = value_key(raw);
            match domains
                .iter()
                .find(|d| value_key(&d.code) == k || value_key(&d.name) == k)
            {
                Some(d) if !codes.contains(&d.code) => codes.push(d.code.clone()),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = domains.iter().map(|d| d.code.as_str()).collect();
                    errors.push(file_error(
                        line,
                        "domaines",
                        "unknown_domain",
                        format!(
                            "Domaine inconnu : « {raw} ». Codes acceptés, séparés par | : {}.",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        let consent_raw = sheet.get(row, "consentement");
        let consent = parse_consent(consent_raw);
        if consent.is_none() {
            errors.push(file_error(
                line,
                "consentement",
                "invalid_consent",
                format!("« {consent_raw} » : répondez oui ou non."),
            ));
        }
        let input = ContactInput {
            first_name: sheet.get(row, "prenom").to_string(),
            last_name: sheet.get(row, "nom").to_string(),
            email: sheet.opt(row, "courriel"),
            phone: sheet.opt(row, "telephone"),
            function: sheet.opt(row, "fonction").map(|f| {
                coded(
                    ContactFunction::ALL,
                    ContactFunction::code,
                    ContactFunction::label_fr,
                    &f,
                )
            }),
            title: sheet.opt(row, "intitule"),
            domains: codes,
            consent: consent.unwrap_or(false),
        };
        let fields = match ContactFields::try_from(input) {
            Ok(f) => Some(f),
            Err(e) => {
                domain_errors(line, e, contact_column, &contact_hint, &mut errors);
                None
            }
        };
        let (Some(inst), Some(fields)) = (institution, fields) else {
            continue;
        };
        if errors.len() > before {
            continue;
        }
        let inst_id = inst.id.clone();
        let name = name_key(&format!("{} {}", fields.first_name, fields.last_name));
        let file_key = match &fields.email {
            Some(e) => (inst_id.clone(), format!("courriel:{e}")),
            None => (inst_id.clone(), format!("nom:{name}")),
        };
        if let Some(first) = key_lines.insert(file_key, line) {
            let (column, what) = match &fields.email {
                Some(e) => ("courriel", format!("l'adresse {e}")),
                None => ("nom", format!("{} {}", fields.first_name, fields.last_name)),
            };
            errors.push(file_error(
                line,
                column,
                "duplicate_in_file",
                format!(
                    "Le contact {what} de l'établissement « {} » figure déjà ligne {first}.",
                    inst.name
                ),
            ));
            continue;
        }
        let same_name = by_name
            .get(&(inst_id.clone(), name.clone()))
            .cloned()
            .unwrap_or_default();
        let without_email: Vec<usize> = same_name
            .iter()
            .copied()
            .filter(|&i| existing[i].email.is_none())
            .collect();
        let target = match &fields.email {
            Some(e) => {
                let same_email = by_email
                    .get(&(inst_id.clone(), e.clone()))
                    .cloned()
                    .unwrap_or_default();
                match (same_email.as_slice(), without_email.as_slice()) {
                    ([one], _) => Some(*one),
                    ([], [one]) => Some(*one),
                    ([], _) => None,
                    _ => {
                        errors.push(file_error(
                            line,
                            "courriel",
                            "ambiguous",
                            format!(
                                "Plusieurs contacts de l'établissement « {} » ont l'adresse {e} : corrigez-les dans Relais avant l'import.",
                                inst.name
                            ),
                        ));
                        continue;
                    }
                }
            }
            None => match without_email.as_slice() {
                [one] => Some(*one),
                [] => match same_name.first() {
                    Some(&i) => {
                        errors.push(file_error(
                            line,
                            "courriel",
                            "email_required",
                            format!(
                                "{} {} existe déjà dans l'établissement « {} » avec l'adresse {} : indiquez-la pour mettre ce contact à jour.",
                                fields.first_name,
                                fields.last_name,
                                inst.name,
                                existing[i].email.as_deref().unwrap_or("")
                            ),
                        ));
                        continue;
                    }
                    None => None,
                },
                _ => {
                    errors.push(file_error(
                        line,
                        "nom",
                        "ambiguous",
                        format!(
                            "Plusieurs contacts sans adresse s'appellent {} {} dans l'établissement « {} » : indiquez leur adresse.",
                            fields.first_name, fields.last_name, inst.name
                        ),
                    ));
                    continue;
                }
            },
        };
        if let Some(i) = target {
            if let Some(first) = target_lines.insert(i, line) {
                errors.push(file_error(
                    line,
                    "",
                    "duplicate_in_file",
                    format!(
                        "Cette ligne et la ligne {first} désignent le même contact ({} {}).",
                        existing[i].first_name, existing[i].last_name
                    ),
                ));
                continue;
            }
        }
        if !errors.is_empty() {
            continue;
        }
        let values = contact_values(row_id(&inst_id)?, fields);
        plans.push(match target {
            None => Plan::Create(values),
            Some(i) => {
                let changes = contact_changes(&existing[i], &values);
                if changes.as_object().is_some_and(|m| m.is_empty()) {
                    Plan::Unchanged
                } else {
                    Plan::Update {
                        id: row_id(&existing[i].id)?,
                        values,
                        changes,
                    }
                }
            }
        });
    }
    let mut report = ImportReport {
        lines: total,
        ..Default::default()
    };
    if !errors.is_empty() {
        tx.rollback().await?;
        errors.sort_by_key(|e| e.line);
        report.errors = errors;
        return Ok(report);
    }

    let now = app.now_ts();
    for (n, plan) in plans.into_iter().enumerate() {
        match plan {
            Plan::Create(v) => {
                let id = Id::new();
                store::insert_contact(&mut tx, id, &v, &now).await?;
                relais_store::audit::record(
                    &mut tx,
                    Some(actor.user_id),
                    "contact",
                    id,
                    "create",
                    &json!({"institution_id": v.institution_id.to_string()}),
                    &now,
                )
                .await?;
                report.created += 1;
            }
            Plan::Update {
                id,
                values,
                changes,
            } => {
                store::update_contact(&mut tx, scope, id, &values, &now).await?;
                relais_store::audit::record(
                    &mut tx,
                    Some(actor.user_id),
                    "contact",
                    id,
                    "update",
                    &changes,
                    &now,
                )
                .await?;
                report.updated += 1;
            }
            Plan::Unchanged => report.unchanged += 1,
        }
        progress(total + n + 1, steps);
    }
    tx.commit().await?;
    tracing::debug!(
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        "contacts imported"
    );
    Ok(report)
}

// ---------------------------------------------------------------- export

/// A cell as written: a would-be formula gets a leading `'`.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(is_formula_start) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Writes a CSV as every export does: a BOM for spreadsheets, `;`,
/// CRLF, would-be formulas neutralised.
pub fn write_csv<W: Write>(out: &mut W, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let internal = |e: &dyn fmt::Display| AppError::Internal(format!("écriture CSV : {e}"));
    out.write_all("\u{feff}".as_bytes())
        .map_err(|e| internal(&e))?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut *out);
    w.write_record(header).map_err(|e| internal(&e))?;
    for r in rows {
        w.write_record(r.iter().map(|c| neutralise(c).into_owned()))
            .map_err(|e| internal(&e))?;
    }
    w.flush().map_err(|e| internal(&e))?;
    Ok(())
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn number(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// Writes the institutions the actor may see (a member: their own) as CSV.
/// Returns the number of data lines.
pub async fn export_institutions(app: &App, actor: &Actor, out: &mut impl Write) -> Result<usize> {
    let rows = {
        let mut c = app.db.read().await?;
        all_institutions(&mut c, actor.scope()).await?
    };
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                text(&r.acronym),
                r.kind.clone(),
                text(&r.uai),
                text(&r.region),
                text(&r.city),
                number(r.students),
                number(r.staff),
                r.membership.clone(),
                number(r.member_since),
                r.calendar.clone(),
                json_list(&r.tags).join(", "),
            ]
        })
        .collect();
    write_csv(out, INSTITUTION_COLUMNS, &lines)?;
    Ok(lines.len())
}

/// Writes the contacts the actor may see as CSV, each with its
/// institution's UAI, acronym and name. Returns the number of data lines.
pub async fn export_contacts(app: &App, actor: &Actor, out: &mut impl Write) -> Result<usize> {
    let (institutions, contacts) = {
        let mut c = app.db.read().await?;
        let i = all_institutions(&mut c, actor.scope()).await?;
        let k = all_contacts(&mut c, actor.scope()).await?;
        (i, k)
    };
    let by_id: HashMap<&str, &InstitutionRow> =
        institutions.iter().map(|i| (i.id.as_str(), i)).collect();
    let lines: Vec<Vec<String>> = contacts
        .iter()
        .map(|c| {
            let inst = by_id.get(c.institution_id.as_str());
            vec![
                inst.map(|i| text(&i.uai)).unwrap_or_default(),
                inst.map(|i| text(&i.acronym)).unwrap_or_default(),
                c.institution_name.clone(),
                c.first_name.clone(),
                c.last_name.clone(),
                text(&c.email),
                text(&c.phone),
                c.function.clone(),
                text(&c.title),
                json_list(&c.domains).join("|"),
                if c.consent != 0 { "oui" } else { "non" }.to_string(),
            ]
        })
        .collect();
    write_csv(out, CONTACT_COLUMNS, &lines)?;
    Ok(lines.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_ignores_quoted_parts() {
        assert_eq!(detect_delimiter("nom;sigle;type"), b';');
        assert_eq!(detect_delimiter("nom,sigle,type"), b',');
        assert_eq!(detect_delimiter("\u{feff}\"a;b;c\",d,e"), b',');
        assert_eq!(detect_delimiter("\"a,b,c\";d"), b';');
        assert_eq!(detect_delimiter("nom\tsigle\ttype"), b'\t');
        assert_eq!(detect_delimiter("nom"), b';');
    }

    #[test]
    fn headers_ignore_case_accents_and_spacing() {
        assert_eq!(header_key(" Région "), "region");
        assert_eq!(header_key("Adhérent depuis"), "adherent_depuis");
        assert_eq!(header_key("ÉTUDIANTS"), "etudiants");
        assert_eq!(header_key("E-mail"), "e_mail");
        assert_eq!(
            INSTITUTION_SPEC.canonical(&header_key("Région")),
            Some("region")
        );
        assert_eq!(
            CONTACT_SPEC.canonical(&header_key("Prénom")),
            Some("prenom")
        );
    }

    #[test]
    fn closed_lists_take_codes_and_french_labels() {
        let k = |s| {
            match_code(
                InstitutionKind::ALL,
                InstitutionKind::code,
                InstitutionKind::label_fr,
                s,
            )
        };
        assert_eq!(k("Université"), Some("universite"));
        assert_eq!(k("ECOLE"), Some("ecole"));
        assert_eq!(k("organisme de recherche"), Some("organisme_recherche"));
        assert_eq!(k("organisme_recherche"), Some("organisme_recherche"));
        assert_eq!(k("château"), None);
        let f = |s| {
            match_code(
                ContactFunction::ALL,
                ContactFunction::code,
                ContactFunction::label_fr,
                s,
            )
        };
        assert_eq!(f("DGS"), Some("dgs"));
        assert_eq!(
            f("Directeur·rice des systèmes d'information (DSI)"),
            Some("dsi")
        );
        assert_eq!(f("Directeur des systèmes d’information"), Some("dsi"));
        assert_eq!(f("Agent comptable"), Some("agent_comptable"));
        assert_eq!(f("Chef de projet"), Some("chef_projet"));
        assert_eq!(f("vice-président numérique"), Some("vp_numerique"));
        let c = |s| {
            match_code(
                CalendarKind::ALL,
                CalendarKind::code,
                CalendarKind::label_fr,
                s,
            )
        };
        assert_eq!(c("Alsace-Moselle"), Some("alsace_moselle"));
        assert_eq!(c("Outre-mer"), Some("outre_mer"));
    }

    #[test]
    fn no_spelling_designates_two_values() {
        fn check<E: Copy + PartialEq + fmt::Debug>(
            all: &[E],
            code: fn(E) -> &'static str,
            label: fn(E) -> &'static str,
        ) {
            let mut seen: HashMap<String, &'static str> = HashMap::new();
            for e in all {
                for v in value_variants(code(*e), label(*e)) {
                    if let Some(other) = seen.insert(v.clone(), code(*e)) {
                        assert_eq!(other, code(*e), "« {v} » is ambiguous");
                    }
                }
            }
        }
        check(
            InstitutionKind::ALL,
            InstitutionKind::code,
            InstitutionKind::label_fr,
        );
        check(
            MembershipStatus::ALL,
            MembershipStatus::code,
            MembershipStatus::label_fr,
        );
        check(
            CalendarKind::ALL,
            CalendarKind::code,
            CalendarKind::label_fr,
        );
        check(
            ContactFunction::ALL,
            ContactFunction::code,
            ContactFunction::label_fr,
        );
    }

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for v in [
            "=HYPERLINK(\"http://x\")",
            "+33 1 23 45 67 89",
            "-2",
            "@SUM(A1)",
            "\tx",
        ] {
            let out = neutralise(v);
            assert!(out.starts_with('\''), "{v}");
            assert_eq!(clean_cell(&out), v.trim());
        }
        assert_eq!(neutralise("Université"), "Université");
        // A quote that our export did not add stays.
        assert_eq!(clean_cell("'Ours'"), "'Ours'");
    }

    #[test]
    fn line_numbers_count_the_header_and_multiline_cells() {
        let data = "\u{feff}nom;type\r\n\"A\";universite\r\n\r\n;;\r\nB;ecole\r\n";
        let sheet = parse(data.as_bytes(), &INSTITUTION_SPEC).expect("parsed");
        let lines: Vec<usize> = sheet.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5]);
        let sheet =
            parse(data.replace("\r\n", "\n").as_bytes(), &INSTITUTION_SPEC).expect("parsed");
        let lines: Vec<usize> = sheet.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5]);
        let data = "nom;type\n\"Multi\nligne\";ecole\nB;ecole\n";
        let err = parse(data.as_bytes(), &INSTITUTION_SPEC)
            .err()
            .expect("refused");
        assert_eq!((err[0].line, err[0].code), (2, "line_break"));
        let data = "nom;type\r\n\"Multi\r\nligne\";ecole\r\nB;ecole\r\n";
        let sheet = parse(
            data.replace("\"Multi\r\nligne\"", "X").as_bytes(),
            &INSTITUTION_SPEC,
        )
        .expect("parsed");
        assert_eq!(
            sheet.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3]
        );
        let err = parse(data.as_bytes(), &INSTITUTION_SPEC)
            .err()
            .expect("refused");
        assert_eq!((err[0].line, err[0].code), (2, "line_break"));
        let err = parse("nom;type\n\"A\nB\";ecole\n".as_bytes(), &INSTITUTION_SPEC)
            .err()
            .expect("refused");
        assert_eq!(err[0].code, "line_break");
        assert_eq!(err[0].line, 2);
    }

    #[test]
    fn unknown_and_missing_columns_are_named() {
        let err = parse("nom;genre\nA;B\n".as_bytes(), &INSTITUTION_SPEC)
            .err()
            .expect("refused");
        let codes: Vec<_> = err.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["unknown_column", "missing_column"]);
        assert!(
            err[0]
                .message
                .contains("Colonnes attendues : nom, sigle, type"),
            "{}",
            err[0].message
        );
        let err = parse(b"nom;type\n\xe9cole;x\n", &INSTITUTION_SPEC)
            .err()
            .expect("refused");
        assert_eq!((err[0].code, err[0].line), ("not_utf8", 2));
    }

    #[test]
    fn summaries_in_french() {
        let r = ImportReport {
            lines: 152,
            created: 150,
            updated: 2,
            ..Default::default()
        };
        assert_eq!(
            r.summary_fr(),
            "152 lignes importées : 150 créées, 2 mises à jour"
        );
        let r = ImportReport {
            lines: 3,
            unchanged: 3,
            ..Default::default()
        };
        assert_eq!(
            r.summary_fr(),
            "3 lignes importées : 0 créée, 0 mise à jour, 3 inchangées"
        );
        let e = LineError {
            line: 7,
            field: "uai".into(),
            code: "invalid_uai",
            message: "La lettre de contrôle du code UAI ne correspond pas aux chiffres.".into(),
        };
        assert_eq!(e.to_string(), "ligne 7, colonne uai : La lettre de contrôle du code UAI ne correspond pas aux chiffres.");
    }
}
