//! Steering on both engines: the demo holds every deliverable of the seed's
//! 27 « LIVRABLES » blocks (counted from the seed text by this test), who
//! may read and edit the plan, a status change with its comment and
//! history, and the CSV/XLSX export → import round trip, all or nothing.

use relais_app::steering as uc;
use relais_app::{App, AppError};
use relais_domain::steering::Health;
use relais_domain::DomainError;
use relais_store::steering::DeliverableFilter;
use relais_store::Db;
use relais_testkit::db_test;
use relais_testkit::demo::steering::{block_items, squash, BLOCKS, SEED};

/// Items of a block counted from the seed's lines by a rule of its own: a
/// line opens an item when it is a `+` bullet, or when it follows a blank
/// line and does not start in lower case; lines ending with `:` head the
/// bullets under them and are not deliverables.
fn count_in_seed(lines: &[&str], ranges: &[(usize, usize)]) -> usize {
    let mut n = 0usize;
    let mut colon = 0usize;
    for &(a, b) in ranges {
        let mut blank_before = true;
        for l in &lines[a - 1..b] {
            let t = l.trim();
            if t.is_empty() {
                blank_before = true;
                continue;
            }
            if t.starts_with('+') || (blank_before && !t.starts_with(char::is_lowercase)) {
                n += 1;
            }
            if t.ends_with(':') {
                colon += 1;
            }
            blank_before = false;
        }
    }
    n - colon
}

fn demo_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2021-11-15T09:00:00Z")
        .expect("t")
        .with_timezone(&chrono::Utc)
}

db_test!(
    async fn the_demo_holds_every_deliverable_of_the_plan(db: Db) {
        let s = relais_testkit::demo::load(&db, 2021, demo_now())
            .await
            .expect("demo");
        // The seed's blocks, counted from its text.
        let lines: Vec<&str> = SEED.split('\n').collect();
        let markers = lines.iter().filter(|l| l.trim() == "LIVRABLES").count();
        assert_eq!(markers, 27);
        assert_eq!(BLOCKS.len(), markers);
        let flat = squash(SEED);
        let mut expected = 0;
        let mut titles = Vec::new();
        for (i, b) in BLOCKS.iter().enumerate() {
            let n = count_in_seed(&lines, b.lines);
            assert!(n > 0, "block {} has no deliverable", i + 1);
            let items = block_items(b);
            assert_eq!(items.len(), n, "block {}: {items:?}", i + 1);
            for t in &items {
                for part in t.split(" : ") {
                    assert!(flat.contains(part), "not in the seed: {part}");
                }
            }
            expected += n;
            titles.extend(items);
        }
        assert!(expected >= 100, "{expected}");
        assert_eq!(s.steering.deliverables, expected);

        let app = App::new(db.clone(), relais_testkit::FakeClock::at(demo_now()));
        let director = relais_testkit::demo_actor(&db, "admin@relais.test").await;
        let all = uc::deliverables(
            &app,
            &director,
            &DeliverableFilter {
                year: Some(2021),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("list");
        assert_eq!(all.len(), expected);
        let mut got: Vec<String> = all.iter().map(|v| v.row.title.clone()).collect();
        got.sort();
        titles.sort();
        assert_eq!(got, titles);
        // Every unit of the plan holds some, the late ones are counted.
        for code in ["DSPSI", "DCSI", "DREM", "DdAC", "FVE", "RH", "ACH"] {
            assert!(all.iter().any(|v| v.row.unit_code == code), "{code}");
        }
        let late = all.iter().filter(|v| v.health == Health::Late).count();
        assert_eq!(late, s.steering.late);
        assert!(late > 0);

        // A member sees nothing of the plan.
        let member = relais_testkit::demo_actor(&db, "membre@relais.test").await;
        let r = uc::deliverables(&app, &member, &DeliverableFilter::default(), None).await;
        assert!(matches!(r, Err(AppError::Domain(DomainError::Forbidden))));
        let r = uc::export_csv(
            &app,
            &member,
            &DeliverableFilter::default(),
            &mut Vec::new(),
        )
        .await;
        assert!(matches!(r, Err(AppError::Domain(DomainError::Forbidden))));
    }
);

db_test!(
    async fn a_status_change_keeps_its_comment_and_history(db: Db) {
        relais_testkit::demo::load(&db, 7, demo_now())
            .await
            .expect("demo");
        let app = App::new(db.clone(), relais_testkit::FakeClock::at(demo_now()));
        let director = relais_testkit::demo_actor(&db, "admin@relais.test").await;
        let support = relais_testkit::demo_actor(&db, "support@relais.test").await;
        let late = uc::deliverables(
            &app,
            &director,
            &DeliverableFilter::default(),
            Some(Health::Late),
        )
        .await
        .expect("late");
        // One not owned by the support agent.
        let v = late
            .iter()
            .find(|v| v.row.owner_id.as_deref() != Some(support.user_id.to_string().as_str()))
            .expect("a late deliverable");
        let id = relais_domain::Id::parse(&v.row.id).expect("id");
        // The support agent reads but may not edit another's deliverable.
        uc::deliverable(&app, &support, id).await.expect("read");
        let r = uc::change_status(&app, &support, id, "livre", None, "fait").await;
        assert!(matches!(r, Err(AppError::Domain(DomainError::Forbidden))));
        // Postponing needs a comment.
        let r = uc::change_status(&app, &director, id, "reporte", None, " ").await;
        assert!(matches!(r, Err(AppError::Domain(DomainError::Invalid(_)))));
        let from = v.row.status.clone();
        let to = if from == "reporte" {
            "livre"
        } else {
            "reporte"
        };
        let after = uc::change_status(&app, &director, id, to, Some(50), "Décalé au T1 2022")
            .await
            .expect("change");
        assert_eq!(after.row.status, to);
        let d = uc::deliverable(&app, &director, id).await.expect("detail");
        assert_eq!(d.comments.len(), 1);
        assert_eq!(d.comments[0].body, "Décalé au T1 2022");
        let h = d
            .history
            .iter()
            .find(|h| h.action == "status")
            .expect("history");
        let changes: serde_json::Value = serde_json::from_str(&h.changes).expect("json");
        assert_eq!(changes["status"], serde_json::json!([from, to]));
        assert!(d.can_edit);
    }
);

db_test!(
    async fn exports_reimport_unchanged_and_bad_files_write_nothing(db: Db) {
        relais_testkit::demo::load(&db, 3, demo_now())
            .await
            .expect("demo");
        let app = App::new(db.clone(), relais_testkit::FakeClock::at(demo_now()));
        let director = relais_testkit::demo_actor(&db, "admin@relais.test").await;
        let filter = DeliverableFilter {
            unit: Some("FVE".into()),
            ..Default::default()
        };
        let mut csv = Vec::new();
        let n = uc::export_csv(&app, &director, &filter, &mut csv)
            .await
            .expect("csv");
        assert!(n > 10);
        assert!(csv.starts_with("\u{feff}reference;annee;unite;".as_bytes()));
        let r = uc::import(&app, &director, &csv).await.expect("import");
        assert!(r.is_ok(), "{:?}", r.errors);
        assert_eq!((r.lines, r.unchanged, r.created), (n, n, 0));

        // The XLSX holds the same cells and imports unchanged too.
        let xlsx = uc::export_xlsx(&app, &director, &filter)
            .await
            .expect("xlsx");
        let table = uc::read_xlsx_table(&xlsx).expect("read");
        let shown = uc::export_table(&app, &director, &filter).await.expect("t");
        assert_eq!(table.len(), shown.len() + 1);
        assert_eq!(table[1..], shown[..]);
        let r = uc::import(&app, &director, &xlsx).await.expect("import");
        assert_eq!((r.unchanged, r.errors.len()), (n, 0));

        // A file with a new deliverable, an update and three bad lines:
        // nothing is written, every bad line is reported.
        let first = &shown[0];
        let text = format!(
            "\u{feff}reference;annee;unite;objectif;titre;responsable;produit;debut;echeance;statut;avancement;poids\r\n\
             2021-FVE-NEW;2021;FVE;Pégase;Nouveau guide;domaine@relais.test;pegase;;2021-12-20;en cours;10;2\r\n\
             {};2021;FVE;{};{};;;;2021-12-31;livré;;1\r\n\
             2021-FVE-BAD1;2021;XYZ;;Titre;;;;2021-12-20;;;\r\n\
             2021-FVE-BAD2;2021;FVE;;Titre;inconnu@x.fr;;;31/02/2021;fini;150;\r\n\
             2021-FVE-NEW;2021;FVE;;Doublon;;;;2021-12-20;;;\r\n",
            first[0], first[3], first[4]
        );
        let r = uc::import(&app, &director, text.as_bytes())
            .await
            .expect("import");
        let lines: Vec<(usize, &str)> = r.errors.iter().map(|e| (e.line, e.code)).collect();
        assert!(lines.contains(&(4, "unknown_unit")), "{lines:?}");
        assert!(lines.contains(&(5, "unknown_owner")), "{lines:?}");
        assert!(lines.contains(&(5, "invalid_date")), "{lines:?}");
        assert!(lines.contains(&(5, "invalid_status")), "{lines:?}");
        assert!(lines.contains(&(5, "out_of_range")), "{lines:?}");
        assert!(lines.contains(&(6, "duplicate_in_file")), "{lines:?}");
        assert!(r.errors.iter().all(|e| e.line >= 4), "{:?}", r.errors);
        assert!(
            r.summary_fr().contains("3 lignes refusées"),
            "{}",
            r.summary_fr()
        );
        let after = uc::export_table(&app, &director, &filter).await.expect("t");
        assert_eq!(after, shown);

        // The good lines alone: one created, one updated (delivered).
        let good: String = text.lines().take(3).map(|l| format!("{l}\r\n")).collect();
        let r = uc::import(&app, &director, good.as_bytes())
            .await
            .expect("import");
        assert!(r.is_ok(), "{:?}", r.errors);
        assert_eq!((r.created, r.updated), (1, 1));
        let after = uc::export_table(&app, &director, &filter).await.expect("t");
        assert_eq!(after.len(), shown.len() + 1);
        let updated = after.iter().find(|r| r[0] == first[0]).expect("row");
        assert_eq!(
            (updated[9].as_str(), updated[10].as_str()),
            ("livre", "100")
        );
        // A formula-looking title is neutralised in the CSV.
        let mut tx = db.begin().await.expect("tx");
        sqlx::query(
            "UPDATE deliverables SET title = '=HYPERLINK(\"x\")' WHERE reference = '2021-FVE-NEW'",
        )
        .execute(&mut *tx)
        .await
        .expect("u");
        tx.commit().await.expect("c");
        let mut csv = Vec::new();
        uc::export_csv(&app, &director, &filter, &mut csv)
            .await
            .expect("csv");
        let csv = String::from_utf8(csv).expect("utf8");
        assert!(
            csv.contains(";\"'=HYPERLINK(\"\"x\"\")\";") || csv.contains(";'=HYPERLINK"),
            "{csv}"
        );
        // Only admins and domain leads import.
        let support = relais_testkit::demo_actor(&db, "support@relais.test").await;
        let r = uc::import(&app, &support, good.as_bytes()).await;
        assert!(matches!(r, Err(AppError::Domain(DomainError::Forbidden))));
    }
);
