//! Small data builders for tests, writing through the store.

use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_store::crm::*;
use relais_store::Db;

const T: &str = "2021-01-04T08:00:00.000Z";
pub const PASSWORD: &str = "correct horse battery";

pub async fn institution(db: &Db, name: &str, acronym: &str) -> Id {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    insert_institution(
        &mut tx,
        id,
        &InstitutionValues {
            name: name.into(),
            acronym: Some(acronym.into()),
            kind: "universite".into(),
            region: Some("Bretagne".into()),
            city: None,
            uai: None,
            students: None,
            staff: None,
            membership: "adherent".into(),
            member_since: None,
            calendar: "metropole".into(),
            manager_id: None,
            tags: "[]".into(),
        },
        T,
    )
    .await
    .expect("institution");
    tx.commit().await.expect("commit");
    id
}

pub async fn contact(db: &Db, institution: Id, first: &str, last: &str) -> Id {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    insert_contact(
        &mut tx,
        id,
        &ContactValues {
            institution_id: institution,
            first_name: first.into(),
            last_name: last.into(),
            email: Some(format!(
                "{}.{}@test.fr",
                first.to_lowercase(),
                last.to_lowercase()
            )),
            phone: None,
            function: "autre".into(),
            title: None,
            domains: "[]".into(),
            consent: false,
        },
        T,
    )
    .await
    .expect("contact");
    tx.commit().await.expect("commit");
    id
}

pub async fn user(db: &Db, email: &str, role: Role, institution: Option<Id>) -> (Id, Actor) {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    relais_store::accounts::insert_user(
        &mut tx,
        id,
        &relais_store::accounts::UserValues {
            email: email.into(),
            display_name: email.into(),
            role: role.code().into(),
            institution_id: institution.map(|i| i.to_string()),
            locale: "fr".into(),
            active: true,
        },
        Some(relais_app::accounts::hash_password(PASSWORD).expect("hash")),
        T,
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    (
        id,
        Actor {
            user_id: id,
            role,
            institution_id: institution,
            display_name: email.into(),
        },
    )
}

pub async fn product(db: &Db, code: &str, name: &str) -> Id {
    let mut tx = db.begin().await.expect("tx");
    let domains = list_domains(&mut tx).await.expect("domains");
    if !domains.iter().any(|d| d.code == "finances") {
        insert_domain(&mut tx, "finances", "Finances", 4)
            .await
            .expect("domain");
    }
    let id = Id::new();
    insert_product(
        &mut tx,
        id,
        &ProductValues {
            code: code.into(),
            name: name.into(),
            domain_code: "finances".into(),
            stage: "production".into(),
            description: None,
        },
        T,
    )
    .await
    .expect("product");
    tx.commit().await.expect("commit");
    id
}

/// A product in production at an institution, hosted on site, support
/// covered: what filing a ticket needs.
pub async fn deploy(db: &Db, institution: Id, product: Id) -> Id {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    insert_deployment(
        &mut tx,
        id,
        &DeploymentValues {
            institution_id: institution,
            product_id: product,
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
    tx.commit().await.expect("commit");
    id
}

/// A catalogue entry and one open session of it, through the use cases
/// (so the sanitary factor and the days apply as in production).
#[allow(clippy::too_many_arguments)]
pub async fn training_session(
    app: &relais_app::App,
    admin: &Actor,
    code: &str,
    kind: &str,
    days: &str,
    room: i64,
    trainers: &[Id],
    institution: Option<Id>,
) -> (Id, Id) {
    use relais_app::training as t;
    let training = t::create_training(
        app,
        admin,
        &t::TrainingInput {
            code: code.into(),
            title: format!("Formation {code}"),
            kind: kind.into(),
            modality: "presentiel".into(),
            half_days: "2".into(),
            ..Default::default()
        },
    )
    .await
    .expect("training");
    let session = t::create_session(
        app,
        admin,
        training,
        &t::SessionInput {
            days: days.into(),
            place: Some("Amue, Paris".into()),
            room_capacity: room.to_string(),
            status: "ouverte".into(),
            trainers: trainers.to_vec(),
            institution,
            ..Default::default()
        },
    )
    .await
    .expect("session");
    (training, session)
}
