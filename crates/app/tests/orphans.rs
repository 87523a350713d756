//! The sweep of attachment files that no row points at, on both engines:
//! a file whose row committed is kept, an unreferenced file and the
//! temporary file of an interrupted write are removed once old enough, and
//! a fresh one (its row may be about to commit) is left alone.

use relais_app::support;
use relais_app::App;
use relais_domain::accounts::Role;
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::sync::Arc;
use std::time::Duration;

db_test!(
    async fn orphan_files_are_swept_and_referenced_ones_kept(db: Db) {
        let dir = relais_testkit::fresh_attachments_dir();
        let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        app.settings.attachments_dir = dir.clone();
        support::ensure_defaults(&app).await.expect("defaults");
        let product = builders::product(&db, "sifac", "Sifac").await;
        let inst = builders::institution(&db, "Université A", "UA").await;
        builders::deploy(&db, inst, product).await;
        let (_, a) = builders::user(&db, "membre@ua.fr", Role::Member, Some(inst)).await;
        let ticket = support::create_ticket(
            &app,
            &a,
            None,
            relais_domain::support::TicketInput {
                product_id: product.to_string(),
                category: "anomalie".into(),
                severity: "majeur".into(),
                subject: "Plantage à l'export".into(),
                body: "Journal joint.".into(),
                ..Default::default()
            },
            "web",
        )
        .await
        .expect("ticket");
        let id = relais_app::attachments::add_attachment(
            &app,
            &a,
            ticket,
            "journal.txt",
            "text/plain",
            b"journal",
            false,
        )
        .await
        .expect("attachment");
        // An orphan under a well-formed key, and a temporary file.
        let orphan = dir.join("cd").join(format!("cd{}", "1".repeat(30)));
        std::fs::create_dir_all(orphan.parent().expect("parent")).expect("dir");
        std::fs::write(&orphan, b"perdu").expect("orphan");
        let tmp = dir.join("cd").join(".tmp-0011223344556677");
        std::fs::write(&tmp, b"moitie").expect("tmp");
        let count = |d: &std::path::Path| walk(d).len();
        // On PostgreSQL the attachment's bytes are in the database
        // (`file_blobs`), so the folder holds only the two strays.
        let stored = match db.engine() {
            relais_store::db::Engine::Sqlite => 1,
            _ => 0,
        };
        assert_eq!(count(&dir), 2 + stored);
        // Too young: nothing removed.
        let n = relais_app::durability::sweep_orphan_files(&app, Duration::from_secs(3600))
            .await
            .expect("sweep");
        assert_eq!(n, 0);
        assert_eq!(count(&dir), 2 + stored);
        // Old enough: the orphan and the temporary file go, the file of
        // the committed row stays and still opens.
        let n = relais_app::durability::sweep_orphan_files(&app, Duration::ZERO)
            .await
            .expect("sweep");
        assert_eq!(n, 2);
        assert!(!orphan.exists() && !tmp.exists());
        let (_, bytes) = relais_app::attachments::open_attachment(&app, &a, ticket, id)
            .await
            .expect("open");
        assert_eq!(bytes, b"journal");
        let _ = std::fs::remove_dir_all(&dir);
    }
);

fn walk(d: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}
