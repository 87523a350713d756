//! The lookups the training pages used to make on the store themselves,
//! now use cases with their rules: the session a registration belongs to
//! (the agency's and the registration's institution's only), the sessions
//! a trainer runs, and the trainers' list (agency staff only).

use relais_app::training as t;
use relais_app::{App, AppError};
use relais_domain::accounts::Role;
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::sync::Arc;

db_test!(
    async fn training_lookups_answer_only_those_allowed(db: Db) {
        let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        let ua = builders::institution(&db, "Université A", "UA").await;
        let ub = builders::institution(&db, "Université B", "UB").await;
        let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
        let (_, member_a) = builders::user(&db, "m.a@t.test", Role::Member, Some(ua)).await;
        let (_, ref_a) = builders::user(&db, "ref.a@t.test", Role::MemberAdmin, Some(ua)).await;
        let (_, ref_b) = builders::user(&db, "ref.b@t.test", Role::MemberAdmin, Some(ub)).await;
        let (trainer_id, trainer) =
            builders::user(&db, "trainer@t.test", Role::Trainer, Some(ub)).await;
        let (_, session) = builders::training_session(
            &app,
            &admin,
            "SIHAM-GA",
            "continue",
            "2099-03-22\n2099-03-23",
            8,
            &[trainer_id],
            None,
        )
        .await;
        let reg = t::request_seat(&app, &member_a, session)
            .await
            .expect("request");

        // The registration's session: the agency and its institution.
        for who in [&admin, &member_a, &ref_a] {
            assert_eq!(
                t::registration_session(&app, who, reg)
                    .await
                    .expect("lookup"),
                Some(session)
            );
        }
        // Another institution's referent learns nothing, nor does anyone
        // about a registration that does not exist.
        assert_eq!(
            t::registration_session(&app, &ref_b, reg)
                .await
                .expect("lookup"),
            None
        );
        assert_eq!(
            t::registration_session(&app, &admin, Id::new())
                .await
                .expect("lookup"),
            None
        );

        // The trainer runs this session; the admin runs none.
        let mine = t::sessions_i_run(&app, &trainer).await.expect("sessions");
        assert_eq!(
            mine.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            vec![session.to_string()]
        );
        assert!(t::sessions_i_run(&app, &admin)
            .await
            .expect("none")
            .is_empty());

        // The trainers' list: agency staff only.
        let opts = t::trainer_options(&app, &admin).await.expect("trainers");
        assert_eq!(
            opts,
            vec![(trainer_id.to_string(), trainer.display_name.clone())]
        );
        for who in [&member_a, &ref_a, &trainer] {
            assert!(matches!(
                t::trainer_options(&app, who).await,
                Err(AppError::Domain(DomainError::Forbidden))
            ));
        }
    }
);
