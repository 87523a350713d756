//! Support desk pages through the router, on both engines: a member files
//! a ticket on an entitled product, an agent answers with a public reply
//! and an internal note that the member never sees, another institution
//! reads the ticket only once shared (without the requester's name), says
//! "nous aussi", and the incident that groups it notifies both
//! institutions when resolved. Every route refuses a member of another
//! institution as if the ticket did not exist.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_app::App;
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

const NOTE: &str = "Piste interne : bogue éditeur EDI-SECRET-42";
const ANSWER: &str = "Bonjour, relancez le calcul après avoir vidé le cache.";

struct Desk {
    _w: World,
    sifac: Id,
    geslab: Id,
    c: Id,
}

/// A production deployment, support covered.
async fn deploy(db: &Db, inst: Id, product: Id) {
    relais_testkit::builders::deploy(db, inst, product).await;
}

async fn desk(db: &Db) -> Desk {
    let w = world(db).await;
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let sifac = relais_testkit::builders::product(db, "sifac", "Sifac").await;
    let geslab = relais_testkit::builders::product(db, "geslab", "Geslab").await;
    let c = relais_testkit::builders::institution(db, "Université Gamma", "UG").await;
    deploy(db, w.a, sifac).await;
    deploy(db, w.b, sifac).await;
    deploy(db, c, geslab).await;
    user(db, "agent@t.test", Role::Support, None).await;
    user(db, "agent2@t.test", Role::Support, None).await;
    user(db, "membre.b@t.test", Role::Member, Some(w.b)).await;
    user(db, "membre.c@t.test", Role::Member, Some(c)).await;
    Desk {
        _w: w,
        sifac,
        geslab,
        c,
    }
}

async fn login(db: &Db, email: &str) -> Client {
    let mut c = Client::new(db.clone());
    let r = c.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}");
    c
}

/// Files a ticket as membre.a through the form; returns (id, reference).
async fn file(c: &mut Client, product: Id, subject: &str) -> (String, String) {
    c.get("/support/nouveau").await;
    let r = c
        .post_form(
            "/support",
            &[
                ("product_id", &product.to_string()),
                ("module", "Paie"),
                ("category", "anomalie"),
                ("severity", "majeur"),
                ("subject", subject),
                ("body", "Le mandat de paie est rejeté avec l'erreur FI-402."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location();
    assert!(loc.ends_with("?ok=ticket"), "{loc}");
    let id = loc
        .trim_start_matches("/support/")
        .trim_end_matches("?ok=ticket")
        .to_string();
    let page = c.get(&loc).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("<h1>").expect("h1") + 4;
    let reference = page.body[start..start + 12].to_string();
    assert!(reference.starts_with('R'), "{reference}");
    (id, reference)
}

/// Page text with askama's entity for the apostrophe undone.
fn plain(html: &str) -> String {
    html.replace("&#39;", "'").replace("&#x27;", "'")
}

async fn count_jobs(db: &Db, template: &str) -> usize {
    let mut c = db.read().await.expect("conn");
    let rows: Vec<(String,)> = sqlx::query_as("SELECT payload FROM jobs")
        .fetch_all(&mut *c)
        .await
        .expect("jobs");
    rows.iter()
        .filter(|r| r.0.contains(&format!("\"template\":\"{template}\"")))
        .count()
}

db_test!(
    async fn member_files_agent_answers_note_stays_internal(db: Db) {
        let d = desk(&db).await;
        let mut a = login(&db, "membre.a@t.test").await;
        let form = a.get("/support/nouveau").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("Sifac"), "entitled product offered");
        assert!(
            !form.body.contains("Geslab"),
            "a product the institution does not use is not offered"
        );
        let (id, reference) = file(&mut a, d.sifac, "Rejet du mandat de paie").await;
        let page = a.get(&format!("/support/{id}")).await;
        assert!(page.body.contains("Engagements de service"));
        assert!(page.body.contains("Première réponse"));
        assert!(page.body.contains("Rejet du mandat de paie"));

        let mut agent = login(&db, "agent@t.test").await;
        let queue = agent.get("/support").await;
        assert!(
            queue.body.contains(&reference),
            "the agent's queue lists the new ticket"
        );
        agent.get(&format!("/support/{id}")).await;
        let r = agent
            .post_form(
                &format!("/support/{id}/reponse"),
                &[("body", NOTE), ("interne", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = agent
            .post_form(&format!("/support/{id}/reponse"), &[("body", ANSWER)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let seen = agent.get(&format!("/support/{id}")).await;
        assert!(seen.body.contains(NOTE), "agents read internal notes");
        assert!(seen.body.contains("Note interne, invisible"));
        assert!(
            seen.body.contains("En cours"),
            "a public answer moves the ticket in progress"
        );

        let mine = a.get(&format!("/support/{id}")).await;
        assert!(mine.body.contains(ANSWER));
        assert!(
            !mine.body.contains("EDI-SECRET-42"),
            "internal note leaked to the member"
        );
        assert!(
            !mine.body.contains("name=\"interne\""),
            "members get no internal-note box"
        );
        let r = a
            .post_form(
                &format!("/support/{id}/reponse"),
                &[("body", "interne ?"), ("interne", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = a
            .post_form(&format!("/support/{id}/reponse"), &[("body", "  ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("aria-invalid=\"true\""));
        let r = a
            .post_form(
                &format!("/support/{id}/reponse"),
                &[("body", "Merci, c'est reparti.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mine = a.get(&format!("/support/{id}")).await;
        assert!(plain(&mine.body).contains("Merci, c'est reparti."));
        assert!(!mine.body.contains("Affecter"), "members cannot assign");
        assert_eq!(
            count_jobs(&db, "ticket_reply").await,
            1,
            "one mail to the requester"
        );
    }
);

db_test!(
    async fn filing_refuses_bad_input_and_unentitled_products(db: Db) {
        let d = desk(&db).await;
        let mut a = login(&db, "membre.a@t.test").await;
        a.get("/support/nouveau").await;
        let r = a
            .post_form(
                "/support",
                &[
                    ("product_id", &d.sifac.to_string()),
                    ("category", "anomalie"),
                    ("severity", "majeur"),
                    ("subject", ""),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("error-summary"));
        assert!(r.body.contains("Objet"));
        let r = a
            .post_form(
                "/support",
                &[
                    ("product_id", &d.geslab.to_string()),
                    ("category", "anomalie"),
                    ("severity", "majeur"),
                    ("subject", "Geslab"),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("pas de support ouvert sur ce produit"),
            "{}",
            r.body
        );
        let list = a.get("/support?ouverts=0").await;
        assert!(list.body.contains("0 résultat"), "nothing half-filed");
    }
);

db_test!(
    async fn another_institution_sees_nothing_until_shared(db: Db) {
        let d = desk(&db).await;
        let mut a = login(&db, "membre.a@t.test").await;
        let (id, reference) = file(&mut a, d.sifac, "Écran blanc à la validation").await;
        let mut agent = login(&db, "agent@t.test").await;
        agent.get(&format!("/support/{id}")).await;
        agent
            .post_form(
                &format!("/support/{id}/reponse"),
                &[("body", NOTE), ("interne", "1")],
            )
            .await;

        let mut b = login(&db, "membre.b@t.test").await;
        assert_eq!(
            b.get(&format!("/support/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        b.get("/support").await;
        for (path, fields) in [
            ("reponse", vec![("body", "intrusion")]),
            ("statut", vec![("status", "clos")]),
            ("partage", vec![("shared", "1")]),
            ("nous-aussi", vec![]),
            ("suivre", vec![]),
            ("contournement", vec![("body", "intrusion")]),
            ("incident", vec![("incident_id", &Id::new().to_string())]),
        ] {
            let r = b.post_form(&format!("/support/{id}/{path}"), &fields).await;
            assert!(
                r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
                "{path}: {}",
                r.status
            );
        }
        for path in [
            "/support",
            "/support?partages=1",
            "/support?ouverts=0",
            &format!("/support?q={reference}"),
        ] {
            let list = b.get(path).await;
            assert!(
                !list.body.contains(&format!("/support/{id}\"")),
                "{path} lists another institution's private ticket"
            );
            assert!(list.body.contains("0 résultat"), "{path}: not even counted");
        }

        // The requester shares it, without their name.
        a.get(&format!("/support/{id}")).await;
        let r = a
            .post_form(&format!("/support/{id}/partage"), &[("shared", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shared = b.get("/support?partages=1").await;
        assert!(
            shared.body.contains(&reference),
            "shared ticket listed for institutions on the same product"
        );
        let page = b.get(&format!("/support/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Établissement adhérent"),
            "requester hidden"
        );
        assert!(!page.body.contains(">membre.a<"), "requester name leaked");
        assert!(
            !page.body.contains("EDI-SECRET-42"),
            "internal note leaked to another institution"
        );
        assert!(
            !page.body.contains("Historique des changements"),
            "history stays with the institution and the agency"
        );
        let r = b
            .post_form(
                &format!("/support/{id}/reponse"),
                &[("body", "je m'invite")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "another institution never writes in the thread"
        );
        let r = b
            .post_form(&format!("/support/{id}/statut"), &[("status", "clos")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = b.post_form(&format!("/support/{id}/nous-aussi"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = b.get(&format!("/support/{id}")).await;
        assert!(plain(&page.body).contains("Votre établissement s'est déclaré concerné"));
        let r = b
            .post_form(
                &format!("/support/{id}/contournement"),
                &[("body", "Passer par l'écran de saisie rapide.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let own = a.get(&format!("/support/{id}")).await;
        assert!(
            own.body.contains("1 autre(s) établissement(s)"),
            "nous aussi counted for the requester"
        );
        assert!(
            own.body.contains("Université Bêta"),
            "the requester sees who is affected"
        );
        assert!(
            own.body.contains("saisie rapide"),
            "the workaround reaches the requester"
        );

        // Gamma does not use Sifac: the shared ticket stays invisible.
        let mut c = login(&db, "membre.c@t.test").await;
        assert_eq!(
            c.get(&format!("/support/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(!c.get("/support?partages=1").await.body.contains(&reference));
        let _ = d.c;
    }
);

db_test!(
    async fn incident_groups_tickets_and_resolution_notifies_everyone(db: Db) {
        let d = desk(&db).await;
        let mut a = login(&db, "membre.a@t.test").await;
        let (id, reference) = file(&mut a, d.sifac, "Interface paie en échec").await;
        a.get(&format!("/support/{id}")).await;
        a.post_form(&format!("/support/{id}/partage"), &[("shared", "1")])
            .await;
        let mut b = login(&db, "membre.b@t.test").await;
        b.get(&format!("/support/{id}")).await;
        b.post_form(&format!("/support/{id}/nous-aussi"), &[]).await;

        // Members cannot open incidents.
        b.get("/support").await;
        let r = b
            .post_form(
                "/support/incidents",
                &[("product_id", &d.sifac.to_string()), ("title", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut agent = login(&db, "agent@t.test").await;
        let form = agent
            .get(&format!("/support/incidents/nouveau?ticket={id}"))
            .await;
        assert!(
            form.body.contains(&reference),
            "the form is prefilled from the ticket"
        );
        let r = agent
            .post_form(
                "/support/incidents",
                &[
                    ("product_id", &d.sifac.to_string()),
                    ("title", "Interface paie Sifac indisponible"),
                    ("tickets", "R0000-000000"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Ticket inconnu"));
        let r = agent
            .post_form(
                "/support/incidents",
                &[
                    ("product_id", &d.sifac.to_string()),
                    ("title", "Interface paie Sifac indisponible"),
                    ("tickets", &reference),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let inc = r.location().trim_end_matches("?ok=incident").to_string();
        let page = agent.get(&inc).await;
        assert!(page.body.contains(&reference));
        let known = b
            .get(&format!("/produits/{}/problemes-connus", d.sifac))
            .await;
        assert!(
            known.body.contains("Interface paie Sifac indisponible"),
            "known issues list the open incident"
        );
        assert_eq!(
            b.get(&inc).await.status,
            StatusCode::OK,
            "an institution using the product reads the incident"
        );
        let mut c = login(&db, "membre.c@t.test").await;
        assert_eq!(
            c.get(&inc).await.status,
            StatusCode::NOT_FOUND,
            "an institution without the product does not"
        );
        assert!(!c
            .get("/support/incidents")
            .await
            .body
            .contains("Interface paie Sifac"));

        agent.get(&inc).await;
        let r = agent
            .post_form(
                &format!("{inc}/resoudre"),
                &[("resolution", "Le connecteur est rétabli.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            count_jobs(&db, "incident_resolved").await,
            2,
            "one notification per institution: the reporter and the one that said nous aussi"
        );
        let t = a.get(&format!("/support/{id}")).await;
        assert!(t.body.contains("Le connecteur est rétabli."));
        assert!(t.body.contains("Résolu"));
        let known = b
            .get(&format!("/produits/{}/problemes-connus", d.sifac))
            .await;
        assert!(
            !known.body.contains("Interface paie Sifac indisponible"),
            "a resolved incident leaves the known issues"
        );
    }
);

db_test!(
    async fn agent_workflow_history_estimate_and_saved_searches(db: Db) {
        let d = desk(&db).await;
        let mut a = login(&db, "membre.a@t.test").await;
        let (id, reference) = file(&mut a, d.sifac, "Question sur les états de paie").await;
        let mut agent = login(&db, "agent@t.test").await;
        agent.get(&format!("/support/{id}")).await;
        let r = agent
            .post_form(
                &format!("/support/{id}/statut"),
                &[("status", "attente_etablissement")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = agent.get(&format!("/support/{id}")).await;
        assert!(
            page.body.contains("En pause"),
            "the resolution clock is paused while waiting on the institution"
        );
        assert!(page.body.contains("Historique des changements"));
        assert!(plain(&page.body).contains("En attente de l'établissement"));
        let r = agent
            .post_form(
                &format!("/support/{id}/estimation"),
                &[("estimate", "2030-01-02T10:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = agent.get(&format!("/support/{id}")).await;
        assert!(
            page.body.contains("02/01/2030 10:00"),
            "estimate shown in Paris time"
        );
        let r = agent
            .post_form(
                &format!("/support/{id}/estimation"),
                &[("estimate", "demain")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // A member may not take an agent's action.
        a.get(&format!("/support/{id}")).await;
        let r = a
            .post_form(
                &format!("/support/{id}/estimation"),
                &[("estimate", "2030-01-02T10:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = a
            .post_form(&format!("/support/{id}/statut"), &[("status", "en_cours")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "members cannot drive the workflow"
        );
        // The member's answer restarts the clock.
        a.post_form(
            &format!("/support/{id}/reponse"),
            &[("body", "Voici l'état demandé.")],
        )
        .await;
        let page = a.get(&format!("/support/{id}")).await;
        assert!(
            !page.body.contains("En pause"),
            "{}",
            "answer restarts the clock"
        );

        // Saved searches: only the list's own filters are kept, per person.
        agent.get("/support").await;
        let r = agent
            .post_form(
                "/support/recherches",
                &[
                    ("name", "Majeurs Sifac"),
                    (
                        "query",
                        &format!("severite=majeur&produit={}&evil=1&page=3", d.sifac),
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let list = agent.get("/support").await;
        let href = format!("/support?severite=majeur&#38;produit={}\"", d.sifac);
        assert!(list.body.contains("Majeurs Sifac"));
        assert!(
            list.body.contains(&href),
            "only the list's own filters are kept, without the page"
        );
        assert!(!list.body.contains("evil"));
        let filtered = agent
            .get(&format!("/support?severite=majeur&produit={}", d.sifac))
            .await;
        assert!(filtered.body.contains(&reference));
        let none = agent.get("/support?severite=bloquant").await;
        assert!(!none.body.contains(&reference), "severity filter applies");
        let mut other = login(&db, "agent2@t.test").await;
        let theirs = other.get("/support").await;
        assert!(
            !theirs.body.contains("Majeurs Sifac"),
            "saved searches are personal"
        );
        let start = list
            .body
            .find("/support/recherches/")
            .expect("delete action");
        let del = &list.body[start..start + "/support/recherches/".len() + 36 + "/supprimer".len()];
        let r = other.post_form(del, &[]).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "nobody deletes another person's search"
        );
        let r = agent.post_form(del, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!agent.get("/support").await.body.contains("Majeurs Sifac"));
    }
);
