//! Store tests, each run on SQLite and on PostgreSQL (`db_test!`).

use relais_domain::accounts::{Role, Scope};
use relais_domain::Id;
use relais_store::crm::*;
use relais_store::{Db, StoreError};
use relais_testkit::{builders, db_test};

const T: &str = "2021-06-01T10:00:00.000Z";

fn inst_values(name: &str, uai: Option<&str>, kind: &str, region: &str) -> InstitutionValues {
    InstitutionValues {
        name: name.into(),
        acronym: None,
        kind: kind.into(),
        region: Some(region.into()),
        city: Some("Lyon".into()),
        uai: uai.map(str::to_string),
        students: Some(1000),
        staff: None,
        membership: "adherent".into(),
        member_since: Some(2001),
        calendar: "metropole".into(),
        manager_id: None,
        tags: "[\"pilote\"]".into(),
    }
}

db_test!(
    async fn institutions_filter_page_and_round_trip(db: Db) {
        let mut tx = db.begin().await.expect("tx");
        for i in 0..12 {
            let kind = if i % 3 == 0 { "ecole" } else { "universite" };
            let region = if i % 2 == 0 { "Bretagne" } else { "Occitanie" };
            insert_institution(
                &mut tx,
                Id::new(),
                &inst_values(&format!("Université Numéro {i:02}"), None, kind, region),
                T,
            )
            .await
            .expect("insert");
        }
        let special = Id::new();
        insert_institution(
            &mut tx,
            special,
            &inst_values(
                "École Supérieure d'Électricité",
                Some("0751717J"),
                "ecole",
                "Île-de-France",
            ),
            T,
        )
        .await
        .expect("insert");
        tx.commit().await.expect("commit");
        let mut c = db.read().await.expect("conn");
        let f =
            |q: Option<&str>, kind: Option<&str>, region: Option<&str>, limit: i64, offset: i64| {
                InstitutionFilter {
                    q: q.map(str::to_string),
                    kind: kind.map(str::to_string),
                    region: region.map(str::to_string),
                    limit,
                    offset,
                    ..Default::default()
                }
            };
        // Accents and case are folded both ways.
        let (rows, n) = list_institutions(
            &mut c,
            Scope::All,
            &f(Some("electricite ECOLE"), None, None, 50, 0),
        )
        .await
        .expect("list");
        assert_eq!(n, 1);
        assert_eq!(rows[0].id, special.to_string());
        let (_, n) = list_institutions(
            &mut c,
            Scope::All,
            &f(Some("universite numero"), None, None, 50, 0),
        )
        .await
        .expect("list");
        assert_eq!(n, 12);
        let (_, n) = list_institutions(
            &mut c,
            Scope::All,
            &f(None, Some("ecole"), Some("Bretagne"), 50, 0),
        )
        .await
        .expect("list");
        assert_eq!(n, 2); // 0 and 6
                          // Paging: the count is the whole, the rows are the page, in name order.
        let (page2, n) =
            list_institutions(&mut c, Scope::All, &f(Some("numero"), None, None, 5, 5))
                .await
                .expect("list");
        assert_eq!((n, page2.len()), (12, 5));
        assert_eq!(page2[0].name, "Université Numéro 05");
        // A member's scope sees only their institution, by list and by id.
        let (rows, n) = list_institutions(
            &mut c,
            Scope::Institution(special),
            &f(None, None, None, 50, 0),
        )
        .await
        .expect("list");
        assert_eq!((n, rows.len()), (1, 1));
        let other = Id::parse(&page2[0].id).expect("id");
        assert!(matches!(
            get_institution(&mut c, Scope::Institution(special), other).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            get_institution(&mut c, Scope::Nothing, special).await,
            Err(StoreError::NotFound)
        ));
        let got = get_institution(&mut c, Scope::All, special)
            .await
            .expect("get");
        assert_eq!(got.uai.as_deref(), Some("0751717J"));
        assert_eq!(got.tags, "[\"pilote\"]");
        assert_eq!(got.students, Some(1000));
        assert_eq!(got.staff, None);
        drop(c);
        // UAI is unique.
        let mut tx = db.begin().await.expect("tx");
        let dup = insert_institution(
            &mut tx,
            Id::new(),
            &inst_values("Doublon", Some("0751717J"), "ecole", "Bretagne"),
            T,
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    }
);

db_test!(
    async fn contacts_never_cross_a_scope(db: Db) {
        let a = builders::institution(&db, "Université A", "UA").await;
        let b = builders::institution(&db, "Université B", "UB").await;
        let ca = builders::contact(&db, a, "Anne", "Aubert").await;
        let cb = builders::contact(&db, b, "Benoît", "Bernard").await;
        let mut c = db.read().await.expect("conn");
        let scope_a = Scope::Institution(a);
        assert!(matches!(
            get_contact(&mut c, scope_a, cb).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            get_contact(&mut c, scope_a, ca)
                .await
                .expect("own")
                .first_name,
            "Anne"
        );
        let all = ContactFilter {
            limit: 100,
            ..Default::default()
        };
        let (rows, n) = list_contacts(&mut c, scope_a, &all).await.expect("list");
        assert_eq!((n, rows.len()), (1, 1));
        // Even asking for B's contacts explicitly returns nothing.
        let fb = ContactFilter {
            institution_id: Some(b.to_string()),
            limit: 100,
            ..Default::default()
        };
        assert_eq!(
            list_contacts(&mut c, scope_a, &fb).await.expect("list").1,
            0
        );
        let (_, n) = list_contacts(
            &mut c,
            Scope::All,
            &ContactFilter {
                q: Some("benoit".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!(n, 1);
        drop(c);
        // An update through A's scope on B's contact changes nothing.
        let mut tx = db.begin().await.expect("tx");
        let v = ContactValues {
            institution_id: a,
            first_name: "Pirate".into(),
            last_name: "X".into(),
            email: None,
            phone: None,
            function: "autre".into(),
            title: None,
            domains: "[]".into(),
            consent: false,
        };
        assert!(matches!(
            update_contact(&mut tx, scope_a, cb, &v, T).await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.expect("commit");
        let mut c = db.read().await.expect("conn");
        let after = get_contact(&mut c, Scope::All, cb).await.expect("b");
        assert_eq!(
            (after.first_name.as_str(), after.institution_id.as_str()),
            ("Benoît", b.to_string().as_str())
        );
    }
);

db_test!(
    async fn deployments_conventions_and_components(db: Db) {
        let a = builders::institution(&db, "Université A", "UA").await;
        let p = builders::product(&db, "sifac", "Sifac").await;
        let mut tx = db.begin().await.expect("tx");
        let v = DeploymentValues {
            institution_id: a,
            product_id: p,
            status: "vague".into(),
            wave: Some(2),
            hosting: "saas".into(),
            version: Some("V1R15".into()),
            starts_on: Some("2021-01-01".into()),
            ends_on: None,
            notes: None,
        };
        let d = Id::new();
        insert_deployment(&mut tx, d, &v, T)
            .await
            .expect("deployment");
        // One deployment per institution and product.
        assert!(matches!(
            insert_deployment(&mut tx, Id::new(), &v, T).await,
            Err(StoreError::Conflict(_))
        ));
        tx.rollback().await.expect("rollback");
        let mut tx = db.begin().await.expect("tx");
        insert_deployment(&mut tx, d, &v, T)
            .await
            .expect("deployment");
        let parent = Id::new();
        insert_component(
            &mut tx,
            parent,
            &ComponentValues {
                institution_id: a,
                parent_id: None,
                kind: "ufr".into(),
                name: "UFR Sciences".into(),
                code: None,
                partner: None,
            },
            T,
        )
        .await
        .expect("c");
        insert_component(
            &mut tx,
            Id::new(),
            &ComponentValues {
                institution_id: a,
                parent_id: Some(parent.to_string()),
                kind: "umr".into(),
                name: "UMR 5555".into(),
                code: Some("UMR 5555".into()),
                partner: Some("CNRS".into()),
            },
            T,
        )
        .await
        .expect("c");
        for (title, alert) in [("Bientôt", "2021-07-01"), ("Plus tard", "2023-01-01")] {
            insert_convention(
                &mut tx,
                Id::new(),
                &ConventionValues {
                    institution_id: a,
                    kind: "deploiement".into(),
                    title: title.into(),
                    reference: None,
                    product_id: Some(p.to_string()),
                    starts_on: Some("2020-01-01".into()),
                    ends_on: Some("2023-12-31".into()),
                    renewal_alert_on: Some(alert.into()),
                    notes: None,
                },
                T,
            )
            .await
            .expect("convention");
        }
        tx.commit().await.expect("commit");
        let mut c = db.read().await.expect("conn");
        let (rows, _) = list_deployments(
            &mut c,
            Scope::All,
            &DeploymentFilter {
                product_id: Some(p.to_string()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!(
            (
                rows[0].status.as_str(),
                rows[0].wave,
                rows[0].product_name.as_str()
            ),
            ("vague", Some(2), "Sifac")
        );
        assert_eq!(get_product(&mut c, p).await.expect("p").deployments, 1);
        let comps = list_components(&mut c, Scope::Institution(a), a)
            .await
            .expect("components");
        assert_eq!(comps.len(), 2);
        assert!(comps
            .iter()
            .any(|x| x.parent_id.as_deref() == Some(&parent.to_string())
                && x.partner.as_deref() == Some("CNRS")));
        let (due, n) = list_conventions(
            &mut c,
            Scope::All,
            &ConventionFilter {
                alert_before: Some("2021-12-31".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!((n, due[0].title.as_str()), (1, "Bientôt"));
        let other = builders::institution(&db, "Université B", "UB").await;
        assert_eq!(
            list_conventions(
                &mut c,
                Scope::Institution(other),
                &ConventionFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .expect("list")
            .1,
            0
        );
    }
);

db_test!(
    async fn sessions_tokens_and_login_failures(db: Db) {
        let (u, _) = builders::user(&db, "u@t.test", Role::Relation, None).await;
        let (v, _) = builders::user(&db, "v@t.test", Role::Relation, None).await;
        let inst = builders::institution(&db, "Université A", "UA").await;
        use relais_store::accounts::*;
        let mut tx = db.begin().await.expect("tx");
        insert_session(&mut tx, "live", u, "csrf", T, "2021-06-01T22:00:00.000Z")
            .await
            .expect("s");
        insert_session(&mut tx, "old", u, "csrf", T, "2021-06-01T10:30:00.000Z")
            .await
            .expect("s");
        let tok = Id::new();
        insert_api_token(&mut tx, tok, u, "script", "hash1", T)
            .await
            .expect("token");
        tx.commit().await.expect("commit");
        let now = "2021-06-01T12:00:00.000Z";
        let mut c = db.begin().await.expect("tx");
        assert!(find_session(&mut c, "live", now)
            .await
            .expect("find")
            .is_some());
        assert!(
            find_session(&mut c, "old", now)
                .await
                .expect("find")
                .is_none(),
            "expired"
        );
        assert_eq!(
            find_api_token_user(&mut c, "hash1", now)
                .await
                .expect("tok")
                .map(|x| x.email),
            Some("u@t.test".into())
        );
        // Someone else cannot revoke the token.
        assert!(matches!(
            revoke_api_token(&mut c, v, tok, now).await,
            Err(StoreError::NotFound)
        ));
        revoke_api_token(&mut c, u, tok, now).await.expect("revoke");
        assert!(find_api_token_user(&mut c, "hash1", now)
            .await
            .expect("tok")
            .is_none());
        let ip = "192.0.2.1";
        record_login_failure(&mut c, "u@t.test", ip, "2021-06-01T11:00:00.000Z")
            .await
            .expect("f");
        record_login_failure(&mut c, "u@t.test", ip, "2021-06-01T11:50:00.000Z")
            .await
            .expect("f");
        record_login_failure(&mut c, "v@t.test", ip, "2021-06-01T11:55:00.000Z")
            .await
            .expect("f");
        record_login_failure(
            &mut c,
            "u@t.test",
            "198.51.100.1",
            "2021-06-01T11:56:00.000Z",
        )
        .await
        .expect("f");
        // Per (account, address), and per address across accounts.
        assert_eq!(
            login_failure_stats(&mut c, Some("u@t.test"), ip, "2021-06-01T11:45:00.000Z")
                .await
                .expect("n"),
            (1, Some("2021-06-01T11:50:00.000Z".to_string()))
        );
        assert_eq!(
            login_failure_stats(&mut c, None, ip, "2021-06-01T10:00:00.000Z")
                .await
                .expect("n"),
            (3, Some("2021-06-01T11:55:00.000Z".to_string()))
        );
        clear_login_failures(&mut c, "u@t.test", ip)
            .await
            .expect("clear");
        assert_eq!(
            login_failure_stats(&mut c, Some("u@t.test"), ip, "2000-01-01T00:00:00.000Z")
                .await
                .expect("n"),
            (0, None)
        );
        // Another address's failures on the account are kept.
        assert_eq!(
            login_failure_stats(
                &mut c,
                Some("u@t.test"),
                "198.51.100.1",
                "2000-01-01T00:00:00.000Z"
            )
            .await
            .expect("n")
            .0,
            1
        );
        // Users are scoped like everything else.
        assert!(matches!(
            get_user(&mut c, Scope::Institution(inst), u).await,
            Err(StoreError::NotFound)
        ));
        c.commit().await.expect("commit");
    }
);

db_test!(
    async fn jobs_are_deduplicated_claimed_once_and_retried(db: Db) {
        use relais_store::jobs::*;
        let p = serde_json::json!({"n": 1});
        let mut tx = db.begin().await.expect("tx");
        enqueue(&mut tx, "mail", &p, T, Some("k1"), T)
            .await
            .expect("enqueue");
        enqueue(&mut tx, "mail", &p, T, Some("k1"), T)
            .await
            .expect("dedup is silent");
        tx.commit().await.expect("commit");
        let mut c = db.begin().await.expect("tx");
        assert_eq!(pending_count(&mut c).await.expect("n"), 1);
        let now = "2021-06-01T10:01:00.000Z";
        let mail = vec!["mail".to_string()];
        assert!(
            claim(
                &mut c,
                now,
                "2021-06-01T10:06:00.000Z",
                &["other".to_string()],
                // Known to the application, so not claimed as unknown.
                &mail
            )
            .await
            .expect("claim")
            .is_none(),
            "a runner only claims the kinds it handles"
        );
        let job = claim(&mut c, now, "2021-06-01T10:06:00.000Z", &mail, &[])
            .await
            .expect("claim")
            .expect("a job");
        assert_eq!(job.attempts, 1);
        // Locked: a second runner gets nothing.
        assert!(claim(&mut c, now, "2021-06-01T10:06:00.000Z", &mail, &[])
            .await
            .expect("claim")
            .is_none());
        fail(&mut c, &job.id, "smtp down", "2021-06-01T10:10:00.000Z")
            .await
            .expect("fail");
        assert!(
            claim(
                &mut c,
                "2021-06-01T10:05:00.000Z",
                "2021-06-01T10:20:00.000Z",
                &mail,
                &[]
            )
            .await
            .expect("claim")
            .is_none(),
            "not before retry time"
        );
        let again = claim(
            &mut c,
            "2021-06-01T10:11:00.000Z",
            "2021-06-01T10:20:00.000Z",
            &mail,
            &[],
        )
        .await
        .expect("claim")
        .expect("retry");
        assert_eq!(again.attempts, 2);
        complete(&mut c, &again.id, "2021-06-01T10:12:00.000Z")
            .await
            .expect("complete");
        assert_eq!(pending_count(&mut c).await.expect("n"), 0);
        // Once done, the same dedup key can be enqueued again.
        enqueue(&mut c, "mail", &p, T, Some("k1"), T)
            .await
            .expect("enqueue");
        assert_eq!(pending_count(&mut c).await.expect("n"), 1);
        c.commit().await.expect("commit");
    }
);

db_test!(
    async fn search_vocabulary_and_misses(db: Db) {
        use relais_store::search_vocab as v;
        let mut c = db.begin().await.expect("tx");
        let seeded = v::list_vocabulary(&mut c).await.expect("list");
        assert!(
            seeded
                .iter()
                .any(|r| r.term == "om" && r.equivalent == "ordre de mission"),
            "the migration seeds the field's vocabulary"
        );
        assert!(
            v::insert_vocabulary(&mut c, "x1", "GFC", "gestion financière", "abreviation", T)
                .await
                .expect("insert")
        );
        assert!(
            !v::insert_vocabulary(&mut c, "x2", "GFC", "gestion financière", "abreviation", T)
                .await
                .expect("again"),
            "the same line twice is kept once"
        );
        v::delete_vocabulary(&mut c, "x1").await.expect("delete");
        assert!(matches!(
            v::delete_vocabulary(&mut c, "x1").await,
            Err(StoreError::NotFound)
        ));
        for (q, day) in [
            ("cvec", "2021-06-01"),
            ("cvec", "2021-06-01"),
            ("cvec", "2021-06-02"),
            ("om", "2021-06-02"),
        ] {
            v::record_miss(&mut c, q, "aucun", day).await.expect("miss");
        }
        v::record_miss(&mut c, "old", "aucun", "2021-01-01")
            .await
            .expect("miss");
        let top = v::top_misses(&mut c, "2021-05-01", 10).await.expect("top");
        assert_eq!(top.len(), 2, "older days left out");
        assert_eq!((top[0].query.as_str(), top[0].times), ("cvec", 3));
        assert_eq!(top[0].last_day, "2021-06-02");
        c.commit().await.expect("commit");
    }
);
