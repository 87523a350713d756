//! CSV import and export of institutions and contacts, on both engines:
//! separators, BOM, CRLF and French headers; all-or-nothing imports with
//! every bad line reported; formula neutralisation; export → import round
//! trips that change nothing; exports scoped to the actor.

use relais_app::crm as uc;
use relais_app::csv_io::{self, ImportReport};
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::crm::{ContactInput, InstitutionInput};
use relais_domain::{DomainError, Id};
use relais_store::crm::{ContactFilter, ContactRow, InstitutionFilter, InstitutionRow};
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::{Arc, Mutex};

const SEMICOLON: &[u8] = include_bytes!("fixtures/etablissements_point_virgule.csv");
const COMMA: &[u8] = include_bytes!("fixtures/etablissements_virgule.csv");
const THREE_BAD: &[u8] = include_bytes!("fixtures/etablissements_trois_erreurs.csv");
const CONTACTS: &[u8] = include_bytes!("fixtures/contacts.csv");

fn app(db: &Db) -> App {
    App::new(db.clone(), Arc::new(relais_domain::SystemClock))
}

async fn actor(db: &Db, email: &str, role: Role, institution: Option<Id>) -> Actor {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    relais_store::accounts::insert_user(
        &mut tx,
        id,
        &relais_store::accounts::UserValues {
            email: email.into(),
            display_name: email.into(),
            role: role.code().into(),
            institution_id: institution.map(|i| i.to_string()),
            locale: "fr".into(),
            active: true,
        },
        None,
        "2026-01-01T00:00:00.000Z",
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    Actor {
        user_id: id,
        role,
        institution_id: institution,
        display_name: email.into(),
    }
}

async fn domains(db: &Db) {
    let mut tx = db.begin().await.expect("tx");
    for (i, (code, name)) in [
        ("rh", "Ressources humaines"),
        ("finances", "Finances"),
        ("si", "Systèmes d'information"),
    ]
    .into_iter()
    .enumerate()
    {
        relais_store::crm::insert_domain(&mut tx, code, name, i as i64)
            .await
            .expect("domain");
    }
    tx.commit().await.expect("commit");
}

fn no_progress(_: usize, _: usize) {}

async fn institutions(app: &App, a: &Actor) -> Vec<InstitutionRow> {
    uc::list_institutions(
        app,
        a,
        &InstitutionFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .expect("list")
    .0
}

async fn contacts(app: &App, a: &Actor) -> Vec<ContactRow> {
    uc::list_contacts(
        app,
        a,
        &ContactFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .expect("list")
    .0
}

fn by_name<'a>(rows: &'a [InstitutionRow], name: &str) -> &'a InstitutionRow {
    rows.iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn tags(r: &InstitutionRow) -> Vec<String> {
    serde_json::from_str(&r.tags).expect("tags")
}

/// Everything an import could touch (rows with their timestamps), to prove
/// it touched nothing.
async fn snapshot(app: &App, a: &Actor) -> String {
    format!(
        "{}\n{}",
        serde_json::to_string(&institutions(app, a).await).expect("json"),
        serde_json::to_string(&contacts(app, a).await).expect("json"),
    )
}

async fn history_len(app: &App, a: &Actor, entity: &str) -> usize {
    let mut n = 0;
    match entity {
        "institution" => {
            for r in institutions(app, a).await {
                n += uc::history(app, a, entity, Id::parse(&r.id).expect("id"))
                    .await
                    .expect("h")
                    .len();
            }
        }
        _ => {
            for r in contacts(app, a).await {
                n += uc::history(app, a, entity, Id::parse(&r.id).expect("id"))
                    .await
                    .expect("h")
                    .len();
            }
        }
    }
    n
}

fn lines(r: &ImportReport) -> Vec<usize> {
    let mut l: Vec<usize> = r.errors.iter().map(|e| e.line).collect();
    l.dedup();
    l
}

db_test!(
    async fn semicolon_file_with_bom_crlf_and_accented_headers(db: Db) {
        let app = app(&db);
        let admin = actor(&db, "admin@t.test", Role::Admin, None).await;
        let calls = Mutex::new(Vec::new());
        let progress = |d: usize, t: usize| calls.lock().expect("lock").push((d, t));
        let r = csv_io::import_institutions(&app, &admin, SEMICOLON, &progress)
            .await
            .expect("import");
        assert!(r.is_ok(), "{:?}", r.errors);
        assert_eq!((r.lines, r.created, r.updated), (3, 3, 0));
        assert_eq!(
            r.summary_fr(),
            "3 lignes importées : 3 créées, 0 mise à jour"
        );
        let calls = calls.into_inner().expect("lock");
        assert_eq!(
            calls.last(),
            Some(&(6, 6)),
            "validated then written: {calls:?}"
        );
        assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));

        let rows = institutions(&app, &admin).await;
        let a = by_name(&rows, "Université Alpha");
        assert_eq!(a.kind, "universite");
        assert_eq!(a.region.as_deref(), Some("Île-de-France"));
        assert_eq!(a.students, Some(45_000));
        assert_eq!(a.member_since, Some(2008));
        assert_eq!(a.membership, "adherent");
        assert_eq!(tags(a), ["grande université", "santé"]);
        let b = by_name(&rows, "Institut Bêta; recherche");
        assert_eq!(b.kind, "organisme_recherche");
        assert_eq!(
            b.uai.as_deref(),
            Some("0690192J"),
            "UAI normalised to upper case"
        );
        assert_eq!(b.membership, "prospect");
        assert_eq!(b.students, None);
        let g = by_name(&rows, "École Gamma");
        assert_eq!(g.calendar, "alsace_moselle");
        assert_eq!(g.kind, "ecole");
    }
);

db_test!(
    async fn comma_file_without_bom(db: Db) {
        let app = app(&db);
        let admin = actor(&db, "relation@t.test", Role::Relation, None).await;
        let r = csv_io::import_institutions(&app, &admin, COMMA, &no_progress)
            .await
            .expect("import");
        assert!(r.is_ok(), "{:?}", r.errors);
        // The line of empty cells is not a line.
        assert_eq!((r.lines, r.created), (3, 3));
        let rows = institutions(&app, &admin).await;
        let re = by_name(&rows, "Université de La Réunion");
        assert_eq!(re.calendar, "outre_mer");
        assert_eq!(re.students, Some(18_000));
        assert_eq!(tags(re), ["outre-mer", "insulaire"]);
        assert_eq!(
            by_name(&rows, "Université Delta").membership,
            "ancien_adherent"
        );
        let e = by_name(&rows, "Institut Epsilon");
        assert_eq!((e.uai.as_deref(), e.kind.as_str()), (None, "autre"));
    }
);

db_test!(
    async fn three_bad_lines_are_reported_and_nothing_is_written(db: Db) {
        let app = app(&db);
        let admin = actor(&db, "admin@t.test", Role::Admin, None).await;
        csv_io::import_institutions(&app, &admin, SEMICOLON, &no_progress)
            .await
            .expect("seed");
        let before = snapshot(&app, &admin).await;
        let history_before = history_len(&app, &admin, "institution").await;

        let r = csv_io::import_institutions(&app, &admin, THREE_BAD, &no_progress)
            .await
            .expect("import");
        assert!(!r.is_ok());
        assert_eq!(lines(&r), [3, 5, 6], "{:#?}", r.errors);
        assert_eq!((r.created, r.updated), (0, 0));
        let e = &r.errors[0];
        assert_eq!((e.field.as_str(), e.code), ("uai", "invalid_uai"));
        assert_eq!(
            e.to_string(),
            "ligne 3, colonne uai : La lettre de contrôle du code UAI ne correspond pas aux chiffres."
        );
        assert_eq!(
            (r.errors[1].field.as_str(), r.errors[1].code),
            ("nom", "required")
        );
        let six: Vec<_> = r.errors[2..]
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            six,
            [("type", "invalid_kind"), ("etudiants", "invalid_number")]
        );
        assert!(
            r.errors[2]
                .message
                .contains("Valeurs acceptées : universite, ecole"),
            "{}",
            r.errors[2].message
        );
        assert_eq!(
            r.summary_fr(),
            "3 lignes refusées : aucune modification n'a été enregistrée."
        );

        // The good lines around the bad ones were not written either.
        assert_eq!(snapshot(&app, &admin).await, before);
        assert_eq!(
            history_len(&app, &admin, "institution").await,
            history_before
        );
        assert!(!institutions(&app, &admin)
            .await
            .iter()
            .any(|i| i.name == "Université Une"));
    }
);

db_test!(
    async fn known_uai_updates_and_file_duplicates_are_refused(db: Db) {
        let app = app(&db);
        let admin = actor(&db, "admin@t.test", Role::Admin, None).await;
        let manager = actor(&db, "kam@t.test", Role::Relation, None).await;
        let alpha = uc::create_institution(
            &app,
            &admin,
            InstitutionInput {
                name: "Université Alpha".into(),
                kind: "universite".into(),
                uai: Some("0751717J".into()),
                ..Default::default()
            },
            Some(manager.user_id.to_string()),
        )
        .await
        .expect("alpha");
        uc::create_institution(
            &app,
            &admin,
            InstitutionInput {
                name: "Institut Zêta".into(),
                kind: "autre".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("zeta");

        let file = "nom;type;uai;ville\n\
                    Université Alpha Paris;universite;0751717J;Paris\n\
                    institut zeta;autre;6700001K;Metz\n\
                    Nouvelle École;ecole;;Nice\n";
        let r = csv_io::import_institutions(&app, &admin, file.as_bytes(), &no_progress)
            .await
            .expect("import");
        assert!(r.is_ok(), "{:?}", r.errors);
        assert_eq!((r.created, r.updated, r.unchanged), (1, 2, 0));
        assert_eq!(
            r.summary_fr(),
            "3 lignes importées : 1 créée, 2 mises à jour"
        );
        let a = uc::get_institution(&app, &admin, alpha)
            .await
            .expect("alpha");
        assert_eq!(
            (a.name.as_str(), a.city.as_deref()),
            ("Université Alpha Paris", Some("Paris"))
        );
        assert_eq!(
            a.manager_id,
            Some(manager.user_id.to_string()),
            "the manager is not in the file and stays"
        );
        let rows = institutions(&app, &admin).await;
        // An institution without UAI, found by its name, receives the UAI.
        assert_eq!(
            by_name(&rows, "institut zeta").uai.as_deref(),
            Some("6700001K")
        );
        assert_eq!(rows.len(), 3);
        let history = uc::history(&app, &admin, "institution", alpha)
            .await
            .expect("history");
        assert_eq!(history[0].action, "update");
        assert!(history[0].changes.contains("Université Alpha Paris"));

        let before = snapshot(&app, &admin).await;
        let file = "nom;type;uai\n\
                    A;universite;3400001D\n\
                    B;universite;3400001d\n\
                    Université Alpha Paris;universite;\n\
                    Sans UAI;autre;\n\
                    sans uai;autre;\n";
        let r = csv_io::import_institutions(&app, &admin, file.as_bytes(), &no_progress)
            .await
            .expect("import");
        let got: Vec<_> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            got,
            [
                (3, "uai", "duplicate_in_file"),
                (4, "uai", "uai_required"),
                (6, "nom", "duplicate_in_file")
            ],
            "{:#?}",
            r.errors
        );
        assert!(r.errors[0].message.contains("ligne 2"));
        assert!(r.errors[1].message.contains("0751717J"));
        assert_eq!(snapshot(&app, &admin).await, before);
    }
);

db_test!(
    async fn header_problems_are_reported_on_line_one(db: Db) {
        let app = app(&db);
        let admin = actor(&db, "admin@t.test", Role::Admin, None).await;
        let r = csv_io::import_institutions(
            &app,
            &admin,
            "nom;catégorie\nX;universite\n".as_bytes(),
            &no_progress,
        )
        .await
        .expect("import");
        let got: Vec<_> = r.errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(got, [(1, "unknown_column"), (1, "missing_column")]);
        assert!(r.errors[0]
            .message
            .contains("Colonnes attendues : nom, sigle, type, uai, region"));
        let r = csv_io::import_contacts(&app, &admin, "prenom;nom\nA;B\n".as_bytes(), &no_progress)
            .await
            .expect("import");
        assert_eq!(r.errors[0].code, "missing_column");
        assert!(r.errors[0].message.contains("etablissement_uai"));
        assert!(institutions(&app, &admin).await.is_empty());
    }
);

db_test!(
    async fn contacts_import_finds_institutions_and_reimports_unchanged(db: Db) {
        let app = app(&db);
        domains(&db).await;
        let admin = actor(&db, "admin@t.test", Role::Admin, None).await;
        csv_io::import_institutions(&app, &admin, SEMICOLON, &no_progress)
            .await
            .expect("institutions");
        let r = csv_io::import_contacts(&app, &admin, CONTACTS, &no_progress)
            .await
            .expect("contacts");
        assert!(r.is_ok(), "{:?}", r.errors);
        assert_eq!((r.lines, r.created), (3, 3));
        let rows = contacts(&app, &admin).await;
        let anne = rows.iter().find(|c| c.first_name == "Anne").expect("anne");
        assert_eq!(anne.institution_name, "Université Alpha");
        assert_eq!(anne.email.as_deref(), Some("anne.martin@alpha.fr"));
        assert_eq!(anne.phone.as_deref(), Some("+33 1 23 45 67 89"));
        assert_eq!(anne.function, "dgs");
        assert_eq!(anne.domains, r#"["rh","finances"]"#);
        assert_eq!(anne.consent, 1);
        let bruno = rows
            .iter()
            .find(|c| c.first_name == "Bruno")
            .expect("bruno");
        assert_eq!(
            bruno.institution_name, "Institut Bêta; recherche",
            "found by acronym"
        );
        assert_eq!((bruno.function.as_str(), bruno.consent), ("dsi", 0));
        let chloe = rows
            .iter()
            .find(|c| c.first_name == "Chloé")
            .expect("chloé");
        assert_eq!(chloe.institution_name, "École Gamma");
        assert_eq!(chloe.function, "agent_comptable");

        let before = snapshot(&app, &admin).await;
        let r = csv_io::import_contacts(&app, &admin, CONTACTS, &no_progress)
            .await
            .expect("again");
        assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 3));
        assert_eq!(snapshot(&app, &admin).await, before);

        let bad = "etablissement_uai;prenom;nom;courriel;domaines;consentement;fonction\n\
                   0751717J;Anne;Martin;anne.martin@alpha.fr;rh;oui;dgs\n\
                   3400001D;Inconnu;X;;;;\n\
                   0751717J;Dan;Y;dan@alpha;cuisine;peut-être;astronaute\n\
                   0751717J;Anne;Martin;ANNE.MARTIN@alpha.fr;;non;\n";
        let r = csv_io::import_contacts(&app, &admin, bad.as_bytes(), &no_progress)
            .await
            .expect("bad");
        let got: Vec<_> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            got,
            [
                (3, "etablissement_uai", "unknown_institution"),
                (4, "domaines", "unknown_domain"),
                (4, "consentement", "invalid_consent"),
                (4, "courriel", "invalid_email"),
                (4, "fonction", "invalid_function"),
                (5, "courriel", "duplicate_in_file"),
            ],
            "{:#?}",
            r.errors
        );
        assert_eq!(snapshot(&app, &admin).await, before);
    }
);

db_test!(
    async fn export_neutralises_formulas_and_round_trips_unchanged(db: Db) {
        let app = app(&db);
        domains(&db).await;
        let admin = actor(&db, "admin@t.test", Role::Admin, None).await;
        csv_io::import_institutions(&app, &admin, SEMICOLON, &no_progress)
            .await
            .expect("institutions");
        csv_io::import_institutions(&app, &admin, COMMA, &no_progress)
            .await
            .expect("institutions");
        csv_io::import_contacts(&app, &admin, CONTACTS, &no_progress)
            .await
            .expect("contacts");
        let evil = uc::create_institution(
            &app,
            &admin,
            InstitutionInput {
                name: "=HYPERLINK(\"http://evil.example\";\"Cliquez\")".into(),
                acronym: Some("@SOMME(A1)".into()),
                kind: "autre".into(),
                city: Some("-Ville".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("evil");
        uc::create_contact(
            &app,
            &admin,
            evil,
            ContactInput {
                first_name: "+Zoé".into(),
                last_name: "=1+1".into(),
                phone: Some("+33 6 12 34 56 78".into()),
                title: Some("-".into()),
                ..Default::default()
            },
        )
        .await
        .expect("evil contact");
        // An institution with neither UAI nor acronym: its contacts are
        // found again by its name.
        let epsilon = by_name(&institutions(&app, &admin).await, "Institut Epsilon")
            .id
            .clone();
        uc::create_contact(
            &app,
            &admin,
            Id::parse(&epsilon).expect("id"),
            ContactInput {
                first_name: "Éric".into(),
                last_name: "Sans-Adresse".into(),
                ..Default::default()
            },
        )
        .await
        .expect("eric");

        let mut inst_csv = Vec::new();
        let n = csv_io::export_institutions(&app, &admin, &mut inst_csv)
            .await
            .expect("export");
        assert_eq!(n, 7);
        let mut contact_csv = Vec::new();
        let n = csv_io::export_contacts(&app, &admin, &mut contact_csv)
            .await
            .expect("export");
        assert_eq!(n, 5);
        for csv in [&inst_csv, &contact_csv] {
            assert!(csv.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
        }
        let inst_text = String::from_utf8(inst_csv.clone()).expect("utf-8");
        assert!(inst_text.starts_with(
            "\u{feff}nom;sigle;type;uai;region;ville;etudiants;personnels;adhesion;adherent_depuis;calendrier;segments\r\n"
        ));
        assert!(inst_text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\";\"\"Cliquez\"\")\";'@SOMME(A1);autre;;;'-Ville;"), "{inst_text}");
        assert!(inst_text.contains("Université Alpha;UA;universite;0751717J;Île-de-France;Paris;45000;3200;adherent;2008;metropole;grande université, santé\r\n"), "{inst_text}");
        let contact_text = String::from_utf8(contact_csv.clone()).expect("utf-8");
        assert!(contact_text.starts_with(
            "\u{feff}etablissement_uai;etablissement_sigle;etablissement;prenom;nom;courriel;telephone;fonction;intitule;domaines;consentement\r\n"
        ));
        assert!(
            contact_text.contains(";'+Zoé;'=1+1;;'+33 6 12 34 56 78;autre;'-;;non\r\n"),
            "{contact_text}"
        );
        assert!(contact_text.contains("0751717J;UA;Université Alpha;Anne;Martin;anne.martin@alpha.fr;'+33 1 23 45 67 89;dgs;Directrice générale des services;rh|finances;oui\r\n"), "{contact_text}");
        // No cell of either file starts a formula.
        for text in [&inst_text, &contact_text] {
            let mut rdr = ::csv::ReaderBuilder::new()
                .delimiter(b';')
                .has_headers(false)
                .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            for rec in rdr.records() {
                for cell in rec.expect("record").iter() {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "{cell:?}"
                    );
                }
            }
        }

        let before = snapshot(&app, &admin).await;
        let history_before = history_len(&app, &admin, "institution").await
            + history_len(&app, &admin, "contact").await;
        let r = csv_io::import_institutions(&app, &admin, &inst_csv, &no_progress)
            .await
            .expect("reimport");
        assert!(r.is_ok(), "{:?}", r.errors);
        assert_eq!((r.lines, r.created, r.updated, r.unchanged), (7, 0, 0, 7));
        let r = csv_io::import_contacts(&app, &admin, &contact_csv, &no_progress)
            .await
            .expect("reimport");
        assert!(r.is_ok(), "{:?}", r.errors);
        assert_eq!((r.lines, r.created, r.updated, r.unchanged), (5, 0, 0, 5));
        assert_eq!(snapshot(&app, &admin).await, before);
        assert_eq!(
            history_len(&app, &admin, "institution").await
                + history_len(&app, &admin, "contact").await,
            history_before
        );
        // The quote is removed on the way in: values come back as they were.
        let row = uc::get_institution(&app, &admin, evil).await.expect("evil");
        assert_eq!(row.name, "=HYPERLINK(\"http://evil.example\";\"Cliquez\")");
        assert_eq!(row.acronym.as_deref(), Some("@SOMME(A1)"));
    }
);

db_test!(
    async fn member_export_only_holds_their_institution(db: Db) {
        let app = app(&db);
        let admin = actor(&db, "admin@t.test", Role::Admin, None).await;
        csv_io::import_institutions(&app, &admin, SEMICOLON, &no_progress)
            .await
            .expect("institutions");
        domains(&db).await;
        csv_io::import_contacts(&app, &admin, CONTACTS, &no_progress)
            .await
            .expect("contacts");
        let alpha = by_name(&institutions(&app, &admin).await, "Université Alpha")
            .id
            .clone();
        let member = actor(&db, "membre@t.test", Role::Member, Id::parse(&alpha)).await;

        let mut out = Vec::new();
        assert_eq!(
            csv_io::export_institutions(&app, &member, &mut out)
                .await
                .expect("export"),
            1
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("Université Alpha"));
        assert!(!text.contains("Bêta") && !text.contains("Gamma"), "{text}");
        let mut out = Vec::new();
        assert_eq!(
            csv_io::export_contacts(&app, &member, &mut out)
                .await
                .expect("export"),
            1
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains("Anne") && !text.contains("Bruno") && !text.contains("Chloé"),
            "{text}"
        );

        // Neither a member nor a support agent imports.
        let support = actor(&db, "support@t.test", Role::Support, None).await;
        for a in [&member, &support] {
            let e = csv_io::import_institutions(&app, a, SEMICOLON, &no_progress)
                .await
                .expect_err("refused");
            assert!(
                matches!(e, AppError::Domain(DomainError::Forbidden)),
                "{e:?}"
            );
            let e = csv_io::import_contacts(&app, a, CONTACTS, &no_progress)
                .await
                .expect_err("refused");
            assert!(
                matches!(e, AppError::Domain(DomainError::Forbidden)),
                "{e:?}"
            );
        }
    }
);
