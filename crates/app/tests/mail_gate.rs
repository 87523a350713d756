//! The mail gate (issue 20), on both engines: forged senders never act
//! (forged agent, forged member on another institution's ticket, a broken
//! DKIM signature, no verdict at all), each held with its reason; a NUL
//! byte, a message delivered twice, a reply to a closed ticket; 24
//! deliveries at once, each through its own connection pool as separate
//! `mail-ingest` processes would.

use relais_app::mail_io::{self, IngestOutcome, MailSettings};
use relais_app::support as uc;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::{builders, db_test, TestDb};
use std::sync::Arc;

const MX: &str = "Authentication-Results: mx.relais.test; dkim=pass header.d=ua.fr\r\n";

fn settings() -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            host: String::new(),
            port: 25,
            tls: false,
            username: None,
            password: None,
            from: "Relais <support@relais.test>".into(),
        },
        reply: relais_mail::ReplyAddress::new(
            b"test secret of the reply addresses",
            "support@relais.test",
        ),
        base_url: "http://127.0.0.1:8080".into(),
        auth: relais_app::mail_gate::MailAuth {
            trusted_authserv_id: Some("mx.relais.test".into()),
            ..Default::default()
        },
    }
}

struct World {
    app: App,
    product: Id,
    a: Actor,
    b: Actor,
    agent: Actor,
    inst_a: Id,
    inst_b: Id,
}

async fn world(db: &Db) -> World {
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    uc::ensure_defaults(&app).await.expect("defaults");
    let product = builders::product(db, "sifac", "Sifac").await;
    let geslab = builders::product(db, "geslab", "Geslab").await;
    let inst_a = builders::institution(db, "Université A", "UA").await;
    let inst_b = builders::institution(db, "Université B", "UB").await;
    let mut tx = db.begin().await.expect("tx");
    for (i, p) in [(inst_a, product), (inst_a, geslab), (inst_b, product)] {
        relais_store::crm::insert_deployment(
            &mut tx,
            Id::new(),
            &relais_store::crm::DeploymentValues {
                institution_id: i,
                product_id: p,
                status: "production".into(),
                wave: None,
                hosting: "sur_site".into(),
                version: None,
                starts_on: None,
                ends_on: None,
                notes: None,
            },
            "2020-01-01T00:00:00.000Z",
        )
        .await
        .expect("deployment");
    }
    let team = Id::new();
    relais_store::support::insert_team(
        &mut tx,
        team,
        "fin",
        "Finances",
        None,
        Some("finances@amue.test"),
        "2021-01-01T00:00:00.000Z",
    )
    .await
    .expect("team");
    relais_store::support::set_product_team(&mut tx, product, team)
        .await
        .expect("route");
    tx.commit().await.expect("commit");
    let (_, a) = builders::user(db, "anne@ua.fr", Role::Member, Some(inst_a)).await;
    let (_, b) = builders::user(db, "bruno@ub.fr", Role::Member, Some(inst_b)).await;
    let (_, agent) = builders::user(db, "agent@amue.test", Role::Support, None).await;
    World {
        app,
        product,
        a,
        b,
        agent,
        inst_a,
        inst_b,
    }
}

/// A message with the given header lines on top (verdicts, signatures).
fn mail(top: &str, from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "{top}From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@mail.test>\r\nDate: Mon, 1 Mar 2021 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        Id::new()
    )
    .into_bytes()
}

async fn bodies(app: &App, actor: &Actor, ticket: Id) -> Vec<String> {
    uc::ticket_view(app, actor, ticket)
        .await
        .expect("view")
        .messages
        .into_iter()
        .map(|m| m.body)
        .collect()
}

fn held(out: &IngestOutcome) -> String {
    match out {
        IngestOutcome::Quarantined { reason, .. } => reason.clone(),
        other => panic!("expected quarantine, got {other:?}"),
    }
}

async fn ticket_count(db: &Db) -> i64 {
    let mut c = db.read().await.expect("c");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut *c)
        .await
        .expect("count");
    n
}

db_test!(
    async fn forged_senders_never_act_and_wait_in_quarantine_with_their_reason(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let IngestOutcome::NewTicket(t) = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                MX,
                "anne@ua.fr",
                "support@relais.test",
                "Erreur Sifac",
                "Le mandat est rejeté.",
            ),
        )
        .await
        .expect("ingest") else {
            panic!("an authenticated member opens a ticket")
        };
        let reference = uc::get_ticket(&w.app, &w.agent, t)
            .await
            .expect("t")
            .reference;
        let signed = s.reply.for_ticket(&reference);
        let subject = format!("Re: [Relais {reference}] Erreur Sifac");

        // 1. A forged agent From:, even to the signed address: no verdict.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                "",
                "agent@amue.test",
                &signed,
                &subject,
                "Problème réglé, fermez tout.",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("agence non authentifiée"), "{out:?}");
        // A forged agency address that has no account is held too.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                "",
                "direction@relais.test",
                "support@relais.test",
                "Urgent",
                "Virement.",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("agence non authentifiée"), "{out:?}");
        // An authenticated agent, but through the subject only.
        let agent_mx = "Authentication-Results: mx.relais.test; dkim=pass header.d=amue.test\r\n";
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                agent_mx,
                "agent@amue.test",
                "support@relais.test",
                &subject,
                "Par le sujet.",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("adresse de réponse signée"), "{out:?}");
        // A verdict written by the sender below a foreign MTA's is not read.
        let smuggled = format!("Authentication-Results: mx.other.test; dkim=none\r\n{agent_mx}");
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                &smuggled,
                "agent@amue.test",
                &signed,
                &subject,
                "Contrebande.",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("agence non authentifiée"), "{out:?}");

        // 2. A forged member From: on another institution's ticket.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail("", "bruno@ub.fr", &signed, &subject, "Je m'invite."),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("non authentifié"), "{out:?}");
        // Authenticated, but of another institution: still held.
        let ub = "Authentication-Results: mx.relais.test; dmarc=pass header.from=ub.fr\r\n";
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(ub, "bruno@ub.fr", &signed, &subject, "Je m'invite."),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("autre établissement"), "{out:?}");

        // 3. A failed DKIM signature, checked here (the MTA gave no verdict):
        // the key is in the resolver cache, the body was changed after signing.
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("key");
        let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("pair");
        use base64::Engine as _;
        use ring::signature::KeyPair as _;
        s.auth
            .dkim
            .cache()
            .add_dkim_key(
                "sel",
                "ua.fr",
                &format!(
                    "v=DKIM1; k=ed25519; p={}",
                    base64::engine::general_purpose::STANDARD.encode(pair.public_key().as_ref())
                ),
            )
            .expect("record");
        let signer = relais_mail::DkimSigning::ed25519_pkcs8(pkcs8.as_ref(), "ua.fr", "sel")
            .expect("signer");
        let good = signer
            .sign(&mail(
                "",
                "anne@ua.fr",
                &signed,
                &subject,
                "Signé par ua.fr.",
            ))
            .expect("sign");
        let tampered = String::from_utf8(good.clone())
            .expect("utf8")
            .replace("Signé par ua.fr.", "Signé par personne.");
        let out = mail_io::ingest(&w.app, &s, tampered.as_bytes())
            .await
            .expect("ingest");
        assert!(held(&out).contains("DKIM"), "{out:?}");
        // The MTA's own failed verdict.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                "Authentication-Results: mx.relais.test; dkim=fail header.d=ua.fr; dmarc=fail header.from=ua.fr\r\n",
                "anne@ua.fr",
                &signed,
                &subject,
                "Échec.",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("authentification échouée"), "{out:?}");

        // 4. No Authentication-Results and no signature.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail("", "anne@ua.fr", &signed, &subject, "Sans rien."),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("ni signature DKIM"), "{out:?}");

        // None of them acted: the thread holds the first message only.
        assert_eq!(bodies(&w.app, &w.agent, t).await.len(), 1);
        assert_eq!(ticket_count(&db).await, 1);
        let q = mail_io::list_quarantine(&w.app, &w.agent).await.expect("q");
        assert_eq!(q.len(), 9, "{q:?}");

        // The genuine ones act: a valid DKIM signature checked here, and an
        // authenticated agent through the signed address.
        let out = mail_io::ingest(&w.app, &s, &good).await.expect("ingest");
        assert!(
            matches!(out, IngestOutcome::Reply { ticket, .. } if ticket == t),
            "{out:?}"
        );
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                agent_mx,
                "agent@amue.test",
                &signed,
                &subject,
                "Réponse de l'agent.",
            ),
        )
        .await
        .expect("ingest");
        assert!(
            matches!(out, IngestOutcome::Reply { ticket, .. } if ticket == t),
            "{out:?}"
        );
        let b = bodies(&w.app, &w.agent, t).await;
        assert!(b.iter().any(|m| m.contains("Signé par ua.fr.")), "{b:?}");
        assert!(!b.iter().any(|m| m.contains("Signé par personne")), "{b:?}");
        let _ = (w.product, w.inst_a, &w.a);
    }
);

db_test!(
    async fn nul_bytes_duplicates_and_replies_to_closed_tickets_are_never_lost(db: Db) {
        let w = world(&db).await;
        let s = settings();
        // A NUL byte in the body and the subject: stored without it.
        let raw = mail(
            MX,
            "anne@ua.fr",
            "support@relais.test",
            "Sifac\0 bloqué",
            "Le fichier contient \0 un octet nul.",
        );
        assert!(raw.contains(&0));
        let out = mail_io::ingest(&w.app, &s, &raw)
            .await
            .expect("a NUL never makes a temporary failure");
        let IngestOutcome::NewTicket(t) = out else {
            panic!("expected a ticket, got {out:?}")
        };
        let b = bodies(&w.app, &w.a, t).await;
        assert!(
            b[0].contains("un octet nul") && !b[0].contains('\0'),
            "{b:?}"
        );

        // The same Message-ID delivered again: one ticket.
        let out = mail_io::ingest(&w.app, &s, &raw).await.expect("again");
        assert_eq!(out, IngestOutcome::Ignored("duplicate".into()));
        assert_eq!(ticket_count(&db).await, 1);

        // A quarantined message delivered twice is held once, and a replay
        // after the cause is fixed is not taken for a duplicate.
        let unknown = mail(
            "Authentication-Results: mx.relais.test; dkim=pass header.d=ua.fr\r\n",
            "claire@ua.fr",
            "support@relais.test",
            "Question Sifac",
            "Bonjour.",
        );
        let first = mail_io::ingest(&w.app, &s, &unknown).await.expect("q");
        let qid = match first {
            IngestOutcome::Quarantined { id, .. } => id,
            o => panic!("{o:?}"),
        };
        assert_eq!(
            mail_io::ingest(&w.app, &s, &unknown).await.expect("q2"),
            IngestOutcome::Ignored("duplicate".into())
        );
        builders::user(&db, "claire@ua.fr", Role::Member, Some(w.inst_a)).await;
        let out = mail_io::replay(&w.app, &s, &w.agent, qid)
            .await
            .expect("replay");
        assert!(matches!(out, IngestOutcome::NewTicket(_)), "{out:?}");
        assert_eq!(ticket_count(&db).await, 2);

        // A reply to a closed ticket is not « données invalides »: closed
        // for longer than `mail_reopen_days` (0 here; the reopening within
        // the delay is tested in mail_read.rs), it opens a new ticket that
        // names the closed one.
        uc::change_status(&w.app, &w.agent, t, "clos")
            .await
            .expect("close");
        let reference = uc::get_ticket(&w.app, &w.agent, t)
            .await
            .expect("t")
            .reference;
        let mut late = w.app.clone();
        late.settings.mail_reopen_days = 0;
        let out = mail_io::ingest(
            &late,
            &s,
            &mail(
                MX,
                "anne@ua.fr",
                &s.reply.for_ticket(&reference),
                &format!("Re: [Relais {reference}] Sifac bloqué"),
                "Le problème est revenu.",
            ),
        )
        .await
        .expect("ingest");
        let IngestOutcome::NewTicket(n) = out else {
            panic!("expected a new ticket, got {out:?}")
        };
        let b = bodies(&w.app, &w.a, n).await;
        assert!(b[0].contains("Le problème est revenu."), "{b:?}");
        // The new ticket names the closed one in its history (`suite_de`).
        let view = uc::ticket_view(&w.app, &w.agent, n).await.expect("view");
        assert!(
            view.events
                .iter()
                .any(|e| e.field == "suite_de"
                    && e.after_value.as_deref() == Some(reference.as_str())),
            "{:?}",
            view.events
        );
        let q = mail_io::list_quarantine(&w.app, &w.agent).await.expect("q");
        assert!(!q.iter().any(|e| e.reason.contains("invalides")), "{q:?}");
    }
);

/// 24 deliveries at the same moment, each on its own pool (as 24
/// `mail-ingest` processes): every one is stored, none fails.
async fn parallel_deliveries(t: TestDb) {
    let w = world(&t.db).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let url = t.url.clone();
        tasks.push(tokio::spawn(async move {
            let db = Db::connect(&url).await.expect("connect");
            let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
            let out = mail_io::ingest(
                &app,
                &settings(),
                &mail(
                    MX,
                    "anne@ua.fr",
                    "support@relais.test",
                    &format!("Sifac demande {i}"),
                    "Bonjour.",
                ),
            )
            .await;
            db.close().await;
            out
        }));
    }
    for task in tasks {
        let out = task.await.expect("task").expect("no delivery fails");
        assert!(matches!(out, IngestOutcome::NewTicket(_)), "{out:?}");
    }
    assert_eq!(ticket_count(&t.db).await, 24);
    let _ = w;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_four_deliveries_at_once_sqlite() {
    parallel_deliveries(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_four_deliveries_at_once_postgres() {
    parallel_deliveries(TestDb::postgres().await).await;
}

/// The mail authenticated for the contacts' domain (the builders give
/// contacts `first.last@test.fr`).
const MX_CONTACT: &str = "Authentication-Results: mx.relais.test; dkim=pass header.d=test.fr\r\n";
const MX_STRANGER: &str =
    "Authentication-Results: mx.relais.test; dkim=pass header.d=ailleurs.fr\r\n";

async fn listed(app: &App, actor: &Actor, t: Id) -> bool {
    let f = relais_store::support::TicketFilter {
        limit: 500,
        ..Default::default()
    };
    uc::list_tickets(app, actor, &f)
        .await
        .expect("list")
        .0
        .iter()
        .any(|r| r.id == t.to_string())
}

async fn user_count(db: &Db, email: &str) -> i64 {
    let mut c = db.read().await.expect("c");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE LOWER(email) = $1")
        .bind(email.to_string())
        .fetch_one(&mut *c)
        .await
        .expect("count");
    n
}

db_test!(
    async fn a_contact_without_account_gets_a_ticket_on_their_institution_only(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let claire = builders::contact(&db, w.inst_a, "Claire", "Martin").await;
        let address = "claire.martin@test.fr";
        assert_eq!(user_count(&db, address).await, 0);

        // Unauthenticated: the address alone opens nothing.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                "",
                address,
                "support@relais.test",
                "Erreur Sifac",
                "Le mandat est rejeté.",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("non authentifié"), "{out:?}");
        assert_eq!(ticket_count(&db).await, 0);

        // Authenticated: a ticket on the contact's institution.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                MX_CONTACT,
                "Claire Martin <claire.martin@test.fr>",
                "support@relais.test",
                "Erreur Sifac",
                "Le mandat est rejeté.",
            ),
        )
        .await
        .expect("ingest");
        let IngestOutcome::NewTicket(t) = out else {
            panic!("a contact opens a ticket: {out:?}")
        };
        let row = uc::get_ticket(&w.app, &w.agent, t).await.expect("ticket");
        assert_eq!(row.institution_id, w.inst_a.to_string());
        assert_eq!(row.product_id, w.product.to_string());
        assert_eq!(row.requester_id, None);
        assert_eq!(row.requester_name, "Claire Martin");
        assert_eq!(row.requester_email.as_deref(), Some(address));
        let (contact, channel): (Option<String>, String) =
            sqlx::query_as("SELECT requester_contact_id, channel FROM tickets WHERE id = $1")
                .bind(t.to_string())
                .fetch_one(&mut *db.read().await.expect("c"))
                .await
                .expect("row");
        assert_eq!(contact, Some(claire.to_string()));
        assert_eq!(channel, "mail");
        // No account was made for her.
        assert_eq!(user_count(&db, address).await, 0);

        // The institution's referent sees it, with the message; the other
        // institution sees nothing of it.
        let v = uc::ticket_view(&w.app, &w.a, t)
            .await
            .expect("own institution");
        assert_eq!(v.ticket.requester_name, "Claire Martin");
        assert!(v
            .messages
            .iter()
            .any(|m| m.body.contains("mandat est rejeté")));
        assert!(listed(&w.app, &w.a, t).await);
        assert!(uc::ticket_view(&w.app, &w.b, t).await.is_err());
        assert!(uc::get_ticket(&w.app, &w.b, t).await.is_err());
        assert!(!listed(&w.app, &w.b, t).await);

        // The same address as a contact of two institutions: held.
        let mut tx = db.begin().await.expect("tx");
        sqlx::query("UPDATE contacts SET email = $1 WHERE id = $2")
            .bind("double@test.fr")
            .bind(claire.to_string())
            .execute(&mut *tx)
            .await
            .expect("email");
        tx.commit().await.expect("commit");
        let other = builders::contact(&db, w.inst_b, "Claire", "Double").await;
        let mut tx = db.begin().await.expect("tx");
        sqlx::query("UPDATE contacts SET email = $1 WHERE id = $2")
            .bind("DOUBLE@test.fr")
            .bind(other.to_string())
            .execute(&mut *tx)
            .await
            .expect("email");
        tx.commit().await.expect("commit");
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                MX_CONTACT,
                "double@test.fr",
                "support@relais.test",
                "Erreur Sifac",
                "Qui suis-je ?",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("plusieurs établissements"), "{out:?}");
        assert_eq!(ticket_count(&db).await, 1);
    }
);

db_test!(
    async fn an_unknown_sender_follows_the_rule_of_the_mailbox(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let (_, admin) = builders::user(&db, "admin@amue.test", Role::Admin, None).await;
        let triage = builders::institution(&db, "Tri du support", "TRI").await;
        let stranger = |to: &str, subject: &str| {
            mail(
                MX_STRANGER,
                "Zoé Inconnue <zoe@ailleurs.fr>",
                to,
                subject,
                "Bonjour, une question sur Sifac.",
            )
        };

        // No rule at all: quarantine.
        let out = mail_io::ingest(&w.app, &s, &stranger("support@relais.test", "Question 1"))
            .await
            .expect("ingest");
        assert_eq!(held(&out), "expéditeur inconnu");

        // Only admins set rules, and a ticket rule names its institution.
        let rule = |mailbox: &str, r: &str, inst: Option<Id>| relais_app::mail_gate::RouteInput {
            mailbox: mailbox.into(),
            unknown_sender: r.into(),
            institution_id: inst.map(|i| i.to_string()),
            product_id: Some(w.product.to_string()),
        };
        assert!(relais_app::mail_gate::set_route(
            &w.app,
            &w.agent,
            rule("*", "ticket", Some(triage))
        )
        .await
        .is_err());
        assert!(
            relais_app::mail_gate::set_route(&w.app, &admin, rule("*", "ticket", None))
                .await
                .is_err()
        );
        assert!(relais_app::mail_gate::set_route(
            &w.app,
            &admin,
            rule("pas une adresse", "quarantaine", None)
        )
        .await
        .is_err());

        // Rule « quarantaine » on the mailbox: held.
        relais_app::mail_gate::set_route(
            &w.app,
            &admin,
            rule("Support@relais.test", "quarantaine", None),
        )
        .await
        .expect("rule");
        let out = mail_io::ingest(&w.app, &s, &stranger("support@relais.test", "Question 2"))
            .await
            .expect("ingest");
        assert_eq!(held(&out), "expéditeur inconnu");
        assert_eq!(ticket_count(&db).await, 0);

        // Rule « ticket » for any other mailbox: a ticket on the triage
        // institution, the stranger recorded by name and address.
        relais_app::mail_gate::set_route(&w.app, &admin, rule("*", "ticket", Some(triage)))
            .await
            .expect("rule");
        let out = mail_io::ingest(&w.app, &s, &stranger("contact@relais.test", "Question 3"))
            .await
            .expect("ingest");
        let IngestOutcome::NewTicket(t) = out else {
            panic!("triage ticket: {out:?}")
        };
        let row = uc::get_ticket(&w.app, &w.agent, t)
            .await
            .expect("agent sees it");
        assert_eq!(row.institution_id, triage.to_string());
        assert_eq!(row.requester_id, None);
        assert_eq!(row.requester_name, "Zoé Inconnue");
        assert_eq!(row.requester_email.as_deref(), Some("zoe@ailleurs.fr"));
        for member in [&w.a, &w.b] {
            assert!(uc::get_ticket(&w.app, member, t).await.is_err());
            assert!(!listed(&w.app, member, t).await);
        }
        // The mailbox's own rule still wins over `*`.
        let out = mail_io::ingest(&w.app, &s, &stranger("support@relais.test", "Question 4"))
            .await
            .expect("ingest");
        assert_eq!(held(&out), "expéditeur inconnu");
        // An unauthenticated stranger never opens a ticket, whatever the rule.
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                "",
                "zoe@ailleurs.fr",
                "contact@relais.test",
                "Question 5",
                "Bonjour.",
            ),
        )
        .await
        .expect("ingest");
        assert!(held(&out).contains("non authentifié"), "{out:?}");
        assert_eq!(ticket_count(&db).await, 1);

        // Removing the mailbox's rule: it follows `*`.
        relais_app::mail_gate::delete_route(&w.app, &admin, "support@relais.test")
            .await
            .expect("delete");
        let out = mail_io::ingest(&w.app, &s, &stranger("support@relais.test", "Question 6"))
            .await
            .expect("ingest");
        assert!(matches!(out, IngestOutcome::NewTicket(_)), "{out:?}");
        let routes = relais_app::mail_gate::list_routes(&w.app, &admin)
            .await
            .expect("routes");
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].mailbox, "*");
        assert!(relais_app::mail_gate::list_routes(&w.app, &w.agent)
            .await
            .is_err());
    }
);

db_test!(
    async fn a_contact_without_account_keeps_the_attachments_of_the_ticket_they_open(db: Db) {
        let mut w = world(&db).await;
        w.app.settings.attachments_dir = relais_testkit::fresh_attachments_dir();
        w.app.settings.max_attachment_bytes = 2000;
        let s = settings();
        builders::contact(&db, w.inst_a, "Claire", "Martin").await;
        let pdf = "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg==";
        let big =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, vec![b'x'; 5000]);
        let raw = format!(
            "{MX_CONTACT}From: Claire Martin <claire.martin@test.fr>\r\nTo: support@relais.test\r\nSubject: Erreur Sifac\r\nMessage-ID: <pj1@test.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLe mandat est rejeté, capture jointe.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--b\r\nContent-Type: application/octet-stream; name=\"trace.log\"\r\nContent-Disposition: attachment; filename=\"trace.log\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{big}\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"vide.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\r\n--b--\r\n"
        );
        let out = mail_io::ingest(&w.app, &s, raw.as_bytes())
            .await
            .expect("ingest");
        let IngestOutcome::NewTicket(t) = out else {
            panic!("a contact opens a ticket: {out:?}")
        };
        // The PDF (unnamed: named from its type) is kept, public, uploaded
        // by no account and named after the sender; the institution sees it.
        let list = relais_app::attachments::list_attachments(&w.app, &w.a, t)
            .await
            .expect("list");
        assert_eq!(list.len(), 1, "{list:?}");
        let a = &list[0];
        assert!(a.file_name.ends_with(".pdf"), "{}", a.file_name);
        assert_eq!(a.visibility, "public");
        assert_eq!(a.uploaded_by, None);
        assert!(
            a.uploaded_by_name.contains("claire.martin@test.fr"),
            "{}",
            a.uploaded_by_name
        );
        assert!(a.message_id.is_some(), "linked to the first message");
        let (row, bytes) = relais_app::attachments::open_attachment(
            &w.app,
            &w.agent,
            t,
            Id::parse(&a.id).expect("id"),
        )
        .await
        .expect("open");
        assert!(bytes.starts_with(b"%PDF-1.4"));
        assert_eq!(bytes.len() as i64, row.size_bytes);
        // The part over the limit is named in the history, not kept; the
        // empty one is dropped; another institution sees nothing.
        let events = uc::ticket_view(&w.app, &w.agent, t)
            .await
            .expect("view")
            .events;
        let skipped: Vec<_> = events
            .iter()
            .filter(|e| e.field == "attachment_skipped")
            .filter_map(|e| e.after_value.clone())
            .collect();
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(skipped[0].starts_with("trace.log ("), "{skipped:?}");
        assert!(relais_app::attachments::list_attachments(&w.app, &w.b, t)
            .await
            .is_err());
    }
);

/// Makes every audit record of the quarantine fail: the last statement of
/// the attach transaction, after the entry was settled and the note written.
async fn break_quarantine_audit(db: &Db) {
    let mut c = db.read().await.expect("c");
    let stmts: &[&str] = match db.engine() {
        relais_store::Engine::Sqlite => &["CREATE TRIGGER fail_quarantine_audit BEFORE INSERT ON audit_events WHEN NEW.entity = 'mail_quarantine' BEGIN SELECT RAISE(ABORT, 'panne injectée'); END"],
        relais_store::Engine::Postgres => &[
            "CREATE FUNCTION fail_quarantine_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'panne injectée'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER fail_quarantine_audit BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.entity = 'mail_quarantine') EXECUTE FUNCTION fail_quarantine_audit()",
        ],
    };
    for s in stmts {
        sqlx::query(s).execute(&mut *c).await.expect("trigger");
    }
}

async fn repair_quarantine_audit(db: &Db) {
    let mut c = db.read().await.expect("c");
    let sql = match db.engine() {
        relais_store::Engine::Sqlite => "DROP TRIGGER fail_quarantine_audit",
        relais_store::Engine::Postgres => "DROP TRIGGER fail_quarantine_audit ON audit_events",
    };
    sqlx::query(sql)
        .execute(&mut *c)
        .await
        .expect("drop trigger");
}

/// What an attach may have left: the entry's status, the ticket's
/// messages and events, the quarantine audit records.
async fn attach_traces(db: &Db, held: Id, ticket: Id) -> (String, i64, i64, i64) {
    let mut c = db.read().await.expect("c");
    let (status,): (String,) = sqlx::query_as("SELECT status FROM mail_quarantine WHERE id = $1")
        .bind(held.to_string())
        .fetch_one(&mut *c)
        .await
        .expect("status");
    let count = |sql: &'static str, id: String| async move {
        let mut c = db.read().await.expect("c");
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(id)
            .fetch_one(&mut *c)
            .await
            .expect("count");
        n
    };
    (
        status,
        count(
            "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = $1",
            ticket.to_string(),
        )
        .await,
        count(
            "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1",
            ticket.to_string(),
        )
        .await,
        count(
            "SELECT COUNT(*) FROM audit_events WHERE entity_id = $1",
            held.to_string(),
        )
        .await,
    )
}

db_test!(
    async fn attaching_a_held_message_to_a_ticket_is_one_transaction(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let IngestOutcome::NewTicket(t) = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                MX,
                "anne@ua.fr",
                "support@relais.test",
                "Erreur Sifac",
                "Le mandat est rejeté.",
            ),
        )
        .await
        .expect("ingest") else {
            panic!("ticket")
        };
        let reference = uc::get_ticket(&w.app, &w.agent, t)
            .await
            .expect("t")
            .reference;
        let out = mail_io::ingest(
            &w.app,
            &s,
            &mail(
                "",
                "inconnu@ailleurs.fr",
                "support@relais.test",
                "Complément",
                "Voici le relevé.",
            ),
        )
        .await
        .expect("ingest");
        let IngestOutcome::Quarantined { id: held_id, .. } = out else {
            panic!("held: {out:?}")
        };
        let before = attach_traces(&db, held_id, t).await;
        assert_eq!(before.0, "en_attente");

        // A failure at the last statement (the audit record): the entry
        // is still waiting, no note, no event, no audit — nothing partial.
        break_quarantine_audit(&db).await;
        let err =
            relais_app::quarantine::attach_to_ticket(&w.app, &w.agent, held_id, &reference).await;
        assert!(err.is_err(), "{err:?}");
        assert_eq!(attach_traces(&db, held_id, t).await, before);

        // Repaired: the same attach goes through, all of it at once.
        repair_quarantine_audit(&db).await;
        let ok = relais_app::quarantine::attach_to_ticket(&w.app, &w.agent, held_id, &reference)
            .await
            .expect("attach once repaired");
        assert_eq!(ok, t);
        let after = attach_traces(&db, held_id, t).await;
        assert_eq!(after.0, "rattache");
        assert_eq!(after.1, before.1 + 1, "one note");
        assert_eq!(after.3, before.3 + 1, "one audit record");
        assert!(bodies(&w.app, &w.agent, t)
            .await
            .iter()
            .any(|b| b.contains("Voici le relevé")));
        // Twice: refused, nothing added.
        assert!(
            relais_app::quarantine::attach_to_ticket(&w.app, &w.agent, held_id, &reference)
                .await
                .is_err()
        );
        assert_eq!(attach_traces(&db, held_id, t).await, after);
    }
);
