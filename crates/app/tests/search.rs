//! The search index through the use cases, on both engines: writes append
//! to the change log in their transaction; every node's index applies it
//! (two indexes on one database both find a new ticket); searches only return and count what
//! the reader may read (a member never sees another institution's private
//! ticket, nobody finds an internal note, an agent outside a team's
//! products does not see its private tickets); a crash between the
//! database write and the index update is repaired at the next start
//! without a rebuild; a rebuild reproduces the same index.

use relais_app::search::{self, SearchHandle};
use relais_app::support as uc;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::Id;
use relais_search::{SearchIndex, SearchQuery};
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::sync::Arc;

const NOTE: &str = "Piste confidentielle zorglub chez l'éditeur";

struct World {
    app: App,
    dir: tempfile::TempDir,
    sifac: Id,
    agent_fin: Actor,
    agent_rh: Actor,
    a: Actor,
    b: Actor,
}

/// A production deployment, support covered.
async fn deploy(db: &Db, inst: Id, product: Id) {
    relais_testkit::builders::deploy(db, inst, product).await;
}

async fn team(db: &Db, code: &str, agent: Id, product: Id) {
    let mut tx = db.begin().await.expect("tx");
    let t = Id::new();
    relais_store::support::insert_team(
        &mut tx,
        t,
        code,
        code,
        Some(agent),
        None,
        "2021-01-01T00:00:00.000Z",
    )
    .await
    .expect("team");
    relais_store::support::add_team_member(&mut tx, t, agent)
        .await
        .expect("member");
    relais_store::support::set_product_team(&mut tx, product, t)
        .await
        .expect("route");
    tx.commit().await.expect("commit");
}

fn open(app: &mut App, dir: &std::path::Path) {
    app.search = Some(SearchHandle(Arc::new(
        SearchIndex::open(dir).expect("index"),
    )));
}

async fn world(db: Db) -> World {
    let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    uc::ensure_defaults(&app).await.expect("defaults");
    let dir = tempfile::tempdir().expect("dir");
    open(&mut app, dir.path());
    let sifac = builders::product(&db, "sifac", "Sifac").await;
    let siham = builders::product(&db, "siham", "Siham").await;
    let inst_a = builders::institution(&db, "Université A", "UA").await;
    let inst_b = builders::institution(&db, "Université B", "UB").await;
    deploy(&db, inst_a, sifac).await;
    deploy(&db, inst_b, sifac).await;
    deploy(&db, inst_a, siham).await;
    let (fin_id, agent_fin) = builders::user(&db, "fin@t.test", Role::Support, None).await;
    let (rh_id, agent_rh) = builders::user(&db, "rh@t.test", Role::Support, None).await;
    team(&db, "fin", fin_id, sifac).await;
    team(&db, "rh", rh_id, siham).await;
    let (_, a) = builders::user(&db, "a@t.test", Role::Member, Some(inst_a)).await;
    let (_, b) = builders::user(&db, "b@t.test", Role::Member, Some(inst_b)).await;
    World {
        app,
        dir,
        sifac,
        agent_fin,
        agent_rh,
        a,
        b,
    }
}

/// What a node's index loop does: applies the change log until current.
async fn apply(app: &App) -> search::Step {
    search::catch_up(app).await.expect("catch up")
}

fn input(product: Id, subject: &str, body: &str) -> TicketInput {
    TicketInput {
        product_id: product.to_string(),
        category: "anomalie".into(),
        severity: "majeur".into(),
        subject: subject.into(),
        body: body.into(),
        ..Default::default()
    }
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        limit: 20,
        ..Default::default()
    }
}

async fn total(app: &App, who: &Actor, text: &str) -> usize {
    search::search(app, who, &q(text))
        .await
        .expect("search")
        .total
}

db_test!(
    async fn searches_never_reveal_what_the_reader_may_not_read(db: Db) {
        let w = world(db.clone()).await;
        let t = uc::create_ticket(
            &w.app,
            &w.a,
            None,
            input(
                w.sifac,
                "Préliquidation rejetée",
                "Les universités voient la préliquidation rejetée.",
            ),
            "web",
        )
        .await
        .expect("ticket");
        uc::reply(&w.app, &w.agent_fin, t, NOTE, true, "web", None)
            .await
            .expect("note");
        apply(&w.app).await;
        assert!(search::is_indexed(&w.app, "ticket", t).expect("indexed"));

        // Accents, case and plural fold together; a typo is tolerated.
        for text in [
            "preliquidation",
            "PRÉLIQUIDATIONS",
            "prelquidation",
            "université",
        ] {
            assert_eq!(total(&w.app, &w.a, text).await, 1, "{text}");
        }
        assert_eq!(
            total(&w.app, &w.b, "preliquidation").await,
            0,
            "another institution: not even counted"
        );
        assert_eq!(
            total(&w.app, &w.a, "zorglub").await,
            0,
            "internal notes are never indexed"
        );
        assert_eq!(total(&w.app, &w.agent_fin, "zorglub").await, 0);
        assert_eq!(
            total(&w.app, &w.agent_fin, "preliquidation").await,
            1,
            "the team's agent finds it"
        );
        assert_eq!(
            total(&w.app, &w.agent_rh, "preliquidation").await,
            0,
            "an agent of another team does not"
        );

        // Shared: institutions using the product and every agent find it.
        uc::share(&w.app, &w.a, t, true, false, false)
            .await
            .expect("share");
        apply(&w.app).await;
        assert_eq!(total(&w.app, &w.b, "preliquidation").await, 1);
        assert_eq!(total(&w.app, &w.agent_rh, "preliquidation").await, 1);
        let r = search::search(&w.app, &w.b, &q("preliquidation"))
            .await
            .expect("s");
        assert!(
            r.hits[0].snippet_html.contains("<b>"),
            "{}",
            r.hits[0].snippet_html
        );
        assert!(!r.hits[0].snippet_html.contains("zorglub"));
    }
);

db_test!(
    async fn a_crash_before_the_index_update_is_repaired_at_restart(db: Db) {
        let mut w = world(db.clone()).await;
        // The index is current before the ticket.
        apply(&w.app).await;
        let t = uc::create_ticket(
            &w.app,
            &w.a,
            None,
            input(w.sifac, "Clôture annuelle", "Écart sur les immobilisations"),
            "web",
        )
        .await
        .expect("ticket");
        // The process dies here: the ticket is committed with its change,
        // the index was never told.
        assert!(!search::is_indexed(&w.app, "ticket", t).expect("indexed"));
        w.app.search = None;
        // Restart: the index is reopened from disk and catches up from the
        // last sequence it applied; no rebuild.
        open(&mut w.app, w.dir.path());
        assert_eq!(total(&w.app, &w.a, "immobilisations").await, 0);
        let step = apply(&w.app).await;
        assert!(step.documents >= 1 && !step.rebuilt, "{step:?}");
        assert!(search::is_indexed(&w.app, "ticket", t).expect("indexed"));
        assert_eq!(total(&w.app, &w.a, "immobilisations").await, 1);
        // Applying the same change twice changes nothing.
        let mut c = db.begin().await.expect("tx");
        search::enqueue(
            &mut c,
            "ticket",
            &t.to_string(),
            &relais_store::ts(chrono::Utc::now()),
        )
        .await
        .expect("enqueue");
        c.commit().await.expect("commit");
        apply(&w.app).await;
        assert_eq!(total(&w.app, &w.a, "immobilisations").await, 1);
    }
);

db_test!(
    async fn rebuild_reproduces_the_index_from_the_database(db: Db) {
        let w = world(db.clone()).await;
        for i in 0..7 {
            uc::create_ticket(
                &w.app,
                &w.a,
                None,
                input(
                    w.sifac,
                    &format!("Mandat {i} rejeté"),
                    "Erreur FI-402 au mandatement",
                ),
                "web",
            )
            .await
            .expect("ticket");
        }
        let n = search::rebuild(&w.app, &|_| {}).await.expect("rebuild");
        assert_eq!(n, 7);
        assert_eq!(total(&w.app, &w.a, "mandatement").await, 7);
        assert_eq!(total(&w.app, &w.b, "mandatement").await, 0);
        // A second rebuild does not duplicate anything.
        search::rebuild(&w.app, &|_| {}).await.expect("rebuild");
        assert_eq!(total(&w.app, &w.agent_fin, "mandat").await, 7);
    }
);

/// A second node on the same database: its own index folder.
fn second_node(app: &App, dir: &std::path::Path) -> App {
    let mut other = app.clone();
    open(&mut other, dir);
    other
}

db_test!(
    async fn every_node_applies_the_change_log_to_its_own_index(db: Db) {
        let w = world(db.clone()).await;
        apply(&w.app).await;
        let dir_b = tempfile::tempdir().expect("dir");
        let b = second_node(&w.app, dir_b.path());
        // A new index has no position: it is built from the database.
        assert!(apply(&b).await.rebuilt);
        let t = uc::create_ticket(
            &w.app,
            &w.a,
            None,
            input(
                w.sifac,
                "Bordereau introuvable",
                "Le bordereau zibeline manque",
            ),
            "web",
        )
        .await
        .expect("ticket");
        // Both nodes apply the same change; neither consumes it for the other.
        for node in [&w.app, &b] {
            let step = apply(node).await;
            assert_eq!((step.changes, step.rebuilt), (1, false), "{step:?}");
            assert_eq!(total(node, &w.a, "zibeline").await, 1);
            assert_eq!(
                total(node, &w.b, "zibeline").await,
                0,
                "isolation on every node"
            );
        }
        assert!(search::is_indexed(&b, "ticket", t).expect("indexed"));
        // Each node reported how far it is.
        let mut c = db.read().await.expect("conn");
        let nodes = relais_store::search_log::nodes(&mut c)
            .await
            .expect("nodes");
        assert_eq!(nodes.len(), 2, "{nodes:?}");
        let max = relais_store::search_log::max_seq(&mut c)
            .await
            .expect("max");
        assert!(
            nodes.iter().all(|n| n.applied_seq == max),
            "{nodes:?} {max}"
        );
        drop(c);
        // The log is truncated below the slowest node; a node behind the
        // truncation point rebuilds rather than missing changes.
        let through = search::truncate_log(&w.app).await.expect("truncate");
        assert_eq!(through, max);
        let mut tx = db.begin().await.expect("tx");
        relais_store::search_log::append(&mut tx, "ticket", &t.to_string(), &w.app.now_ts())
            .await
            .expect("append");
        tx.commit().await.expect("commit");
        assert!(
            !apply(&w.app).await.rebuilt,
            "a node at the truncation point catches up"
        );
        let dir_c = tempfile::tempdir().expect("dir");
        let c_node = second_node(&w.app, dir_c.path());
        assert!(apply(&c_node).await.rebuilt);
        assert_eq!(total(&c_node, &w.a, "zibeline").await, 1);
    }
);

db_test!(
    async fn one_batch_one_step_and_a_rebuild_reaches_every_node(db: Db) {
        let w = world(db.clone()).await;
        apply(&w.app).await;
        let dir_b = tempfile::tempdir().expect("dir");
        let b = second_node(&w.app, dir_b.path());
        apply(&b).await;
        // 600 tickets written straight through the store, each with its
        // change in the same transaction, as the use cases do.
        for i in 0..600 {
            uc::create_ticket(
                &w.app,
                &w.a,
                None,
                input(w.sifac, &format!("Lot {i}"), "Virement fractionné"),
                "web",
            )
            .await
            .expect("ticket");
        }
        let step = search::IndexSync::new().step(&w.app).await.expect("step");
        assert_eq!(step.changes, 600, "one batch, one commit: {step:?}");
        assert_eq!(total(&w.app, &w.agent_fin, "fractionne").await, 600);
        // `relais reindex` on a running cluster: every node rebuilds.
        search::request_rebuild(&w.app).await.expect("request");
        assert!(apply(&w.app).await.rebuilt);
        assert!(apply(&b).await.rebuilt);
        assert!(!apply(&w.app).await.rebuilt, "done once");
        assert_eq!(total(&b, &w.agent_fin, "fractionne").await, 600);
    }
);

#[test]
fn a_damaged_index_is_moved_aside_and_replaced() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().join("index");
    {
        let ix = SearchIndex::open(&dir).expect("open");
        ix.commit_with("{\"seq\":3,\"node\":\"n\"}")
            .expect("commit");
    }
    // Damage: the index's metadata is garbage.
    std::fs::write(dir.join("meta.json"), b"{ not json").expect("write");
    assert!(SearchIndex::open(&dir).is_err(), "really damaged");
    let (ix, replaced) = SearchIndex::open_or_replace(&dir).expect("replaced");
    assert!(replaced);
    assert_eq!(
        ix.payload().expect("payload"),
        None,
        "a fresh index, to rebuild"
    );
    assert!(tmp.path().join("index.damaged").exists(), "kept aside");
    drop(ix);
    // A sound index is opened as it is.
    let (_, replaced) = SearchIndex::open_or_replace(&dir).expect("open");
    assert!(!replaced);
}
