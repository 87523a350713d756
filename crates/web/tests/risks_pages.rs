//! The watchdog's page on both engines: agency staff read it, members are
//! refused, only admins change the warning share (with a French error).

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_store::Db;
use relais_testkit::db_test;

db_test!(
    async fn at_risk_page_and_threshold(db: Db) {
        let _w = world(&db).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let mut agent = Client::new(db.clone());
        agent.login("agent@t.test", PASSWORD).await;
        let r = agent.get("/support/risques").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Engagements en risque"));
        assert!(r.body.contains("moins de 25 %"));
        assert!(
            !r.body.contains("name=\"share\""),
            "only admins see the threshold form"
        );
        let r = agent
            .post_form("/support/risques/seuil", &[("share", "40")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut admin = Client::new(db.clone());
        admin.login("admin@t.test", PASSWORD).await;
        admin.get("/support/risques").await;
        let r = admin
            .post_form("/support/risques/seuil", &[("share", "200")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("entre 1 et 90"));
        let r = admin
            .post_form("/support/risques/seuil", &[("share", "40")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(admin
            .get("/support/risques")
            .await
            .body
            .contains("moins de 40 %"));

        let mut member = Client::new(db.clone());
        member.login("membre.a@t.test", PASSWORD).await;
        assert_eq!(
            member.get("/support/risques").await.status,
            StatusCode::FORBIDDEN
        );
    }
);
