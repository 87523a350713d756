//! Registrations under load, on both engines: 50 approvals arriving at
//! once for the last 3 seats confirm exactly 3 — nobody twice, nobody over
//! capacity — and put the 47 others on the waiting list. A referent
//! approves only their own institution's requests.

use relais_app::training::{self, Decision};
use relais_app::{App, AppError};
use relais_domain::accounts::Role;
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::sync::Arc;

db_test!(
    async fn fifty_approvals_for_the_last_three_seats_confirm_exactly_three(db: Db) {
        let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        let inst = builders::institution(&db, "Université A", "UA").await;
        let other = builders::institution(&db, "Université B", "UB").await;
        let (_, referent) = builders::user(&db, "ref@t.test", Role::MemberAdmin, Some(inst)).await;
        let (_, referent_b) =
            builders::user(&db, "ref.b@t.test", Role::MemberAdmin, Some(other)).await;
        let training = Id::new();
        let session = Id::new();
        let mut tx = db.begin().await.expect("tx");
        relais_store::training::insert_training(
            &mut tx,
            training,
            &relais_store::training::NewTraining {
                code: "SIFAC-BASE",
                title: "Sifac : les bases",
                kind: "continue",
                modality: "presentiel",
                half_days: 4,
                ..Default::default()
            },
            "2021-01-04T08:00:00.000Z",
        )
        .await
        .expect("training");
        relais_store::training::insert_session(
            &mut tx,
            session,
            training,
            "2021-03-08",
            "2021-03-09",
            12,
            "2021-01-04T08:00:00.000Z",
        )
        .await
        .expect("session");
        tx.commit().await.expect("commit");
        // Nine seats already taken: three left.
        for i in 0..9 {
            let (_, m) =
                builders::user(&db, &format!("deja{i}@t.test"), Role::Member, Some(inst)).await;
            let r = training::request_seat(&app, &m, session)
                .await
                .expect("request");
            assert_eq!(
                training::approve(&app, &referent, r)
                    .await
                    .expect("approve"),
                Decision::Confirmed
            );
        }
        let mut requests = vec![];
        for i in 0..50 {
            let (_, m) =
                builders::user(&db, &format!("m{i}@t.test"), Role::Member, Some(inst)).await;
            requests.push(
                training::request_seat(&app, &m, session)
                    .await
                    .expect("request"),
            );
        }
        // A second request by the same person is refused.
        let (_, again) = builders::user(&db, "twice@t.test", Role::Member, Some(inst)).await;
        training::request_seat(&app, &again, session)
            .await
            .expect("first");
        assert!(matches!(
            training::request_seat(&app, &again, session).await,
            Err(AppError::Domain(DomainError::Invalid(_)))
        ));
        // The other institution's referent cannot approve these.
        assert!(matches!(
            training::approve(&app, &referent_b, requests[0]).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));

        let handles: Vec<_> = requests
            .into_iter()
            .map(|r| {
                let (app, referent) = (app.clone(), referent.clone());
                tokio::spawn(async move { training::approve(&app, &referent, r).await })
            })
            .collect();
        let mut confirmed = 0;
        let mut waiting = 0;
        for h in handles {
            match h.await.expect("join").expect("approve") {
                Decision::Confirmed => confirmed += 1,
                Decision::WaitingList => waiting += 1,
            }
        }
        assert_eq!((confirmed, waiting), (3, 47));
        let mut c = db.read().await.expect("conn");
        let (conf, wait, taken, capacity) = relais_store::training::session_counts(&mut c, session)
            .await
            .expect("counts");
        assert_eq!(
            (conf, wait, taken, capacity),
            (12, 47, 12, 12),
            "never over capacity"
        );
    }
);
