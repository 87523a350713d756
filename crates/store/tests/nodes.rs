//! What several nodes on one database share, on both engines: the search
//! change log (sequence order, per-node progress, truncation below the
//! slowest live node or past the retention window), file bytes in parts,
//! shared secrets, and job queues (a queue is claimed through its own index
//! whatever waits in the others; a lease is extended by the heartbeat;
//! backlog per queue and kind).

use relais_store::Db;
use relais_testkit::db_test;

const T: &str = "2021-06-01T10:00:00.000Z";

db_test!(
    async fn the_change_log_is_read_in_order_and_truncated_below_the_slowest_node(db: Db) {
        use relais_store::search_log::*;
        let mut tx = db.begin().await.expect("tx");
        for i in 0..5 {
            append(&mut tx, "ticket", &format!("t{i}"), T)
                .await
                .expect("append");
        }
        tx.commit().await.expect("commit");
        // A rolled-back change takes no visible place.
        let mut tx = db.begin().await.expect("tx");
        append(&mut tx, "ticket", "gone", T).await.expect("append");
        tx.rollback().await.expect("rollback");
        let mut c = db.begin().await.expect("tx");
        let all = after(&mut c, 0, 100).await.expect("after");
        assert_eq!(all.len(), 5);
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq), "increasing");
        assert_eq!(all[0].doc_id, "t0");
        let max = max_seq(&mut c).await.expect("max");
        assert_eq!(max, all[4].seq);
        assert_eq!(
            after(&mut c, all[1].seq, 2).await.expect("after")[0].doc_id,
            "t2"
        );
        // Two nodes; the slow one holds the log back.
        report(&mut c, "a", all[4].seq, 10, "2021-06-01T10:05:00.000Z")
            .await
            .expect("a");
        report(&mut c, "b", all[1].seq, 10, "2021-06-01T10:05:00.000Z")
            .await
            .expect("b");
        report(&mut c, "b", all[2].seq, 11, "2021-06-01T10:06:00.000Z")
            .await
            .expect("b again");
        assert_eq!(nodes(&mut c).await.expect("nodes").len(), 2);
        assert_eq!(waiting(&mut c, all[2].seq).await.expect("waiting"), 2);
        let t = truncate(
            &mut c,
            "2021-06-01T09:00:00.000Z",
            "2021-05-25T00:00:00.000Z",
        )
        .await
        .expect("truncate");
        assert_eq!(t, all[2].seq, "kept what node b still needs");
        assert_eq!(truncated_through(&mut c).await.expect("t"), all[2].seq);
        assert_eq!(after(&mut c, 0, 100).await.expect("after").len(), 2);
        assert_eq!(
            max_seq(&mut c).await.expect("max"),
            max,
            "the max survives truncation"
        );
        // Node b stops reporting: forgotten after the window, and changes
        // past the retention window go whatever the nodes.
        report(&mut c, "a", all[2].seq, 10, "2021-06-09T10:00:00.000Z")
            .await
            .expect("a");
        let t = truncate(
            &mut c,
            "2021-06-09T00:00:00.000Z",
            "2021-06-02T00:00:00.000Z",
        )
        .await
        .expect("truncate");
        assert_eq!(t, max, "everything older than the retention window");
        let left = nodes(&mut c).await.expect("nodes");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].node_id, "a");
        assert!(after(&mut c, 0, 100).await.expect("after").is_empty());
        // New changes continue above the truncation point.
        append(&mut c, "article", "x", T).await.expect("append");
        assert!(after(&mut c, t, 10).await.expect("after")[0].seq > t);
        c.commit().await.expect("commit");
    }
);

db_test!(
    async fn file_bytes_are_stored_in_parts_and_secrets_shared(db: Db) {
        use relais_store::file_blobs::*;
        let big: Vec<u8> = (0..(PART_BYTES * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        let mut tx = db.begin().await.expect("tx");
        put(&mut tx, "ab/ab01", &big).await.expect("put");
        put(&mut tx, "cd/cd02", b"\x00\xffbinaire")
            .await
            .expect("put");
        tx.commit().await.expect("commit");
        let mut tx = db.begin().await.expect("tx");
        put(&mut tx, "ef/ef03", b"rolled back").await.expect("put");
        tx.rollback().await.expect("rollback");
        let mut c = db.begin().await.expect("tx");
        assert_eq!(get(&mut c, "ab/ab01").await.expect("get"), big);
        assert_eq!(
            get(&mut c, "cd/cd02").await.expect("get"),
            b"\x00\xffbinaire"
        );
        assert!(matches!(
            get(&mut c, "ef/ef03").await,
            Err(relais_store::StoreError::NotFound)
        ));
        delete(&mut c, "cd/cd02").await.expect("delete");
        assert!(get(&mut c, "cd/cd02").await.is_err());
        // The first node's secret is everyone's.
        let a = shared_secret(&mut c, "reply_secret", "first-secret", T)
            .await
            .expect("a");
        let b = shared_secret(&mut c, "reply_secret", "second-secret", T)
            .await
            .expect("b");
        assert_eq!((a.as_str(), b.as_str()), ("first-secret", "first-secret"));
        c.commit().await.expect("commit");
    }
);

db_test!(
    async fn queues_are_claimed_apart_with_short_leases_and_counted(db: Db) {
        use relais_store::jobs::*;
        let p = serde_json::json!({});
        let mut tx = db.begin().await.expect("tx");
        for _ in 0..50 {
            enqueue_in(&mut tx, "mail", "mail.notify", &p, T, None, T)
                .await
                .expect("mail");
        }
        enqueue_in(
            &mut tx,
            "search",
            "search.rebuild",
            &p,
            "2021-06-01T10:00:30.000Z",
            None,
            T,
        )
        .await
        .expect("search");
        tx.commit().await.expect("commit");
        let now = "2021-06-01T10:01:00.000Z";
        let lease = "2021-06-01T10:01:30.000Z";
        let mut c = db.begin().await.expect("tx");
        let kinds = |k: &str| vec![k.to_string()];
        // The search queue is reached at once, though 50 older mails wait.
        let s = claim_in(&mut c, "search", now, lease, &kinds("search.rebuild"), &[])
            .await
            .expect("claim")
            .expect("the search job");
        assert_eq!(s.kind, "search.rebuild");
        assert!(
            claim_in(&mut c, "search", now, lease, &kinds("search.rebuild"), &[])
                .await
                .expect("claim")
                .is_none()
        );
        // A queue only gives its own kinds.
        assert!(
            claim_in(&mut c, "mail", now, lease, &kinds("search.rebuild"), &[])
                .await
                .expect("claim")
                .is_none()
        );
        let m = claim_in(&mut c, "mail", now, lease, &kinds("mail.notify"), &[])
            .await
            .expect("claim")
            .expect("a mail");
        // The heartbeat keeps the lease; past it, another node takes the job.
        assert!(extend(&mut c, &m.id, "2021-06-01T10:02:00.000Z")
            .await
            .expect("extend"));
        let later = "2021-06-01T10:01:45.000Z";
        let next = claim_in(
            &mut c,
            "mail",
            later,
            "2021-06-01T10:02:15.000Z",
            &kinds("mail.notify"),
            &[],
        )
        .await
        .expect("claim")
        .expect("another mail");
        assert_ne!(next.id, m.id, "the extended lease holds");
        let expired = "2021-06-01T10:02:01.000Z";
        let mut taken = Vec::new();
        while let Some(j) = claim_in(
            &mut c,
            "mail",
            expired,
            "2021-06-01T10:03:00.000Z",
            &kinds("mail.notify"),
            &[],
        )
        .await
        .expect("claim")
        {
            taken.push(j.id);
        }
        assert!(taken.contains(&m.id), "a lease not extended expires");
        assert_eq!(taken.len(), 50 - 1, "every mail but the one still leased");
        complete(&mut c, &s.id, now).await.expect("complete");
        assert!(
            !extend(&mut c, &s.id, lease).await.expect("extend"),
            "done: no heartbeat"
        );
        let b = backlog(&mut c, now).await.expect("backlog");
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!(
            (b[0].queue.as_str(), b[0].kind.as_str()),
            ("mail", "mail.notify")
        );
        assert_eq!((b[0].pending, b[0].due, b[0].failed), (50, 50, 0));
        assert_eq!(b[0].oldest.as_deref(), Some(T));
        c.commit().await.expect("commit");
    }
);
