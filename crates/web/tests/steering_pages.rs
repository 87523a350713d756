//! The steering pages on both engines: the plan filtered on late
//! deliverables, a status change with its comment and history, the
//! exports of the plan and of each indicator's chart, the dashboards per
//! role — and isolation: members never open `/pilotage`, and read only
//! their own institution's indicators, in pages and exports.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::steering::{self as st, DailyRow, DeliverableValues};
use relais_store::Db;
use relais_testkit::db_test;

struct Plan {
    late: Id,
    on_track: Id,
}

/// A plan with one unit, one objective, a late deliverable (due in 2020)
/// and one due in ten years; indicator figures for A (backlog 3) and B
/// (backlog 5) today, and 7 late deliverables agency-wide.
async fn seed(db: &Db, w: &World) -> Plan {
    let now = "2021-01-04T08:00:00.000Z";
    let today = chrono::Utc::now().date_naive();
    let mut tx = db.begin().await.expect("tx");
    let (plan, unit, obj) = (Id::new(), Id::new(), Id::new());
    st::insert_plan(&mut tx, plan, 2021, "Plan 2021", now)
        .await
        .expect("plan");
    st::insert_unit(
        &mut tx,
        unit,
        plan,
        "DCSI",
        "Direction du SI",
        "departement",
        None,
        1,
    )
    .await
    .expect("unit");
    st::insert_objective(&mut tx, obj, unit, "Sécuriser le SI", 1)
        .await
        .expect("objective");
    let v = |reference: &str, title: &str, due: String| DeliverableValues {
        objective_id: obj,
        reference: reference.into(),
        title: title.into(),
        owner_id: None,
        product_id: None,
        starts_on: None,
        due_on: due,
        status: "en_cours".into(),
        progress: 40,
        weight: 1,
        delivered_on: None,
    };
    let (late, on_track) = (Id::new(), Id::new());
    st::insert_deliverable(
        &mut tx,
        late,
        &v("2021-DCSI-01", "Politique de sécurité", "2020-06-30".into()),
        now,
    )
    .await
    .expect("late");
    st::insert_deliverable(
        &mut tx,
        on_track,
        &v(
            "2021-DCSI-02",
            "Plan de continuité",
            (today + chrono::Days::new(3650))
                .format("%Y-%m-%d")
                .to_string(),
        ),
        now,
    )
    .await
    .expect("on track");
    let day = today.format("%Y-%m-%d").to_string();
    let row = |input: &str, inst: String, n: i64, d: i64| DailyRow {
        day: day.clone(),
        input: input.into(),
        institution_id: inst,
        product_id: String::new(),
        numerator: n,
        denominator: d,
    };
    st::replace_day(
        &mut tx,
        &day,
        "backlog",
        &[
            row("backlog", w.a.to_string(), 3, 0),
            row("backlog", w.b.to_string(), 5, 0),
        ],
    )
    .await
    .expect("backlog");
    st::replace_day(
        &mut tx,
        &day,
        "deliverables_late",
        &[row("deliverables_late", String::new(), 7, 0)],
    )
    .await
    .expect("late figure");
    tx.commit().await.expect("commit");
    Plan { late, on_track }
}

db_test!(
    async fn direction_filters_late_deliverables_and_changes_a_status(db: Db) {
        let w = world(&db).await;
        let p = seed(&db, &w).await;
        let mut admin = Client::new(db.clone());
        admin.login("admin@t.test", PASSWORD).await;

        let r = admin.get("/pilotage").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Avancement du plan"));
        assert!(r.body.contains("2021-DCSI-01"), "late deliverable listed");
        assert!(!r.body.contains("2021-DCSI-02"), "on-track one is not late");
        assert!(r.body.contains("href=\"/pilotage\""), "menu entry");

        let r = admin.get("/pilotage/plan?etat=en_retard").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("2021-DCSI-01"));
        assert!(!r.body.contains("2021-DCSI-02"));
        let r = admin.get("/pilotage/plan?etat=nimporte").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Postponing needs a comment: refused, nothing written.
        let page = format!("/pilotage/livrables/{}", p.late);
        admin.get(&page).await;
        let r = admin
            .post_form(
                &format!("{page}/statut"),
                &[
                    ("statut", "reporte"),
                    ("avancement", "40"),
                    ("commentaire", " "),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Un commentaire est obligatoire"));
        let r = admin
            .post_form(
                &format!("{page}/statut"),
                &[
                    ("statut", "reporte"),
                    ("avancement", "50"),
                    ("commentaire", "Budget décalé au second semestre"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = admin.get(&page).await;
        assert!(r.body.contains("Budget décalé au second semestre"));
        assert!(r.body.contains("Historique") || r.body.contains("History"));
        assert!(r.body.contains("reporte"), "history holds the change");
        assert!(r.body.contains("50 %"));

        // A comment alone; an empty one refused.
        let r = admin
            .post_form(
                &format!("{page}/commentaire"),
                &[("note", "Relancé le prestataire")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = admin
            .post_form(&format!("{page}/commentaire"), &[("note", "  ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(admin
            .get(&page)
            .await
            .body
            .contains("Relancé le prestataire"));

        // A proof link, and an unknown kind refused.
        let r = admin
            .post_form(
                &format!("{page}/preuve"),
                &[
                    ("type", "document"),
                    ("cible", "https://example.org/pssi.pdf"),
                    ("libelle", "PSSI"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = admin
            .post_form(
                &format!("{page}/preuve"),
                &[("type", "rumeur"), ("cible", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin.get(&page).await;
        assert!(r.body.contains("href=\"https://example.org/pssi.pdf\""));

        // Exports keep the filters: the late one only.
        let r = admin.get("/pilotage/plan/csv?etat=en_retard").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.starts_with('\u{feff}'));
        assert!(r.body.contains("2021-DCSI-01"));
        assert!(!r.body.contains("2021-DCSI-02"));
        let r = admin.get("/pilotage/plan/xlsx").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .contains("spreadsheetml"));
        let _ = p.on_track;
    }
);

db_test!(
    async fn members_never_open_the_plan_and_read_only_their_figures(db: Db) {
        let w = world(&db).await;
        let p = seed(&db, &w).await;
        let mut member = Client::new(db.clone());
        member.login("membre.a@t.test", PASSWORD).await;
        for path in [
            "/pilotage".to_string(),
            "/pilotage/plan".into(),
            "/pilotage/plan/csv".into(),
            "/pilotage/plan/xlsx".into(),
            "/pilotage/plan/import".into(),
            format!("/pilotage/livrables/{}", p.late),
        ] {
            let r = member.get(&path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert!(!r.body.contains("2021-DCSI-01"), "{path}");
        }
        let r = member.get("/").await;
        assert!(!r.body.contains("href=\"/pilotage\""), "no menu entry");
        let r = member
            .post_form(
                &format!("/pilotage/livrables/{}/statut", p.late),
                &[("statut", "livre")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Indicators: A's backlog (3), never B's (5) nor the sum (8), and
        // never the agency's late deliverables.
        let r = member.get("/indicateurs").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("<desc>"), "chart described");
        assert!(r.body.contains("id=\"s-backlog\""));
        assert!(!r.body.contains("id=\"s-deliverables_late\""));
        let csv = member.get("/indicateurs/backlog/csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "jour;numerateur;denominateur;valeur");
        assert!(lines[1].ends_with(";3;0;3"), "{lines:?}");
        assert_eq!(
            member
                .get("/indicateurs/deliverables_late/csv")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let other = format!("/indicateurs?etablissement={}", w.b);
        assert_eq!(member.get(&other).await.status, StatusCode::NOT_FOUND);
        let other = format!("/indicateurs/backlog/xlsx?etablissement={}", w.b);
        assert_eq!(member.get(&other).await.status, StatusCode::NOT_FOUND);

        // B's member reads 5; the agency reads 8, or B's 5 when asked.
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let mut mb = Client::new(db.clone());
        mb.login("membre.b@t.test", PASSWORD).await;
        let csv = mb.get("/indicateurs/backlog/csv").await;
        assert!(csv.body.lines().nth(1).unwrap_or("").ends_with(";5;0;5"));
        let mut admin = Client::new(db.clone());
        admin.login("admin@t.test", PASSWORD).await;
        let csv = admin.get("/indicateurs/backlog/csv").await;
        assert!(csv.body.lines().nth(1).unwrap_or("").ends_with(";8;0;8"));
        let csv = admin
            .get(&format!("/indicateurs/backlog/csv?etablissement={}", w.b))
            .await;
        assert!(csv.body.lines().nth(1).unwrap_or("").ends_with(";5;0;5"));
        let late = admin.get("/indicateurs/deliverables_late/csv").await;
        assert!(late.body.lines().nth(1).unwrap_or("").ends_with(";7;0;7"));
        let r = admin.get("/indicateurs?du=2021-02-31").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

db_test!(
    async fn each_role_lands_on_its_dashboard(db: Db) {
        let w = world(&db).await;
        seed(&db, &w).await;
        // The key-account manager looks after A only.
        let rel = actor_of(&db, "relation@t.test").await;
        let mut tx = db.begin().await.expect("tx");
        sqlx::query("UPDATE institutions SET manager_id = $1 WHERE id = $2")
            .bind(rel.user_id.to_string())
            .bind(w.a.to_string())
            .execute(&mut *tx)
            .await
            .expect("manager");
        tx.commit().await.expect("commit");
        let mut c = Client::new(db.clone());
        c.login("relation@t.test", PASSWORD).await;
        let r = c.get("/pilotage").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Mes établissements"));
        assert!(r.body.contains(&format!("etablissement={}", w.a)));
        assert!(!r.body.contains(&format!("etablissement={}", w.b)));
        assert!(!r.body.contains("Avancement du plan"));

        user(&db, "support@t.test", Role::Support, None).await;
        let mut s = Client::new(db.clone());
        s.login("support@t.test", PASSWORD).await;
        let r = s.get("/pilotage").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("id=\"s-backlog\""));
        assert!(r.body.contains("<svg"));
        assert!(!r.body.contains("Avancement du plan"));
    }
);
