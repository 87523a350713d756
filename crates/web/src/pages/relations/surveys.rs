//! Survey administration (/relation/enquetes): questions, thresholds and campaigns.

use super::*;

fn kind_options(tr: Tr) -> Vec<(String, String)> {
    SurveyKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), tr.label(k).to_string()))
        .collect()
}

async fn surveys_admin_page(
    state: &AppState,
    auth: &Auth,
    failed: Option<(&str, &FormData, &DomainError)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let questions = uc::questions(&state.app, actor).await.map_err(pe(tr))?;
    let campaigns = uc::campaigns(&state.app, actor).await.map_err(pe(tr))?;
    let settings = uc::settings(&state.app).await.map_err(pe(tr))?;
    let admin = actor.role == Role::Admin;
    let steer = matches!(actor.role, Role::Admin | Role::Relation);
    let mut p = SectionsPage::new(
        Base::new(auth, tr.t("enquetes-de-satisfaction").to_string()),
        tr.t("enquetes-de-satisfaction").to_string(),
    );
    let empty = FormData::default();
    let (which, data, err) = match failed {
        Some((w, d, e)) => (w, d, Some(e)),
        None => ("", &empty, None),
    };
    // Thresholds.
    let mut s = Sect::new("seuils", tr.t("seuils").to_string());
    s.facts = vec![
        (
            tr.t("rappel-si-une-note-sur-5").to_string(),
            Cell::text(settings.recall_threshold.to_string()),
        ),
        (
            tr.t("rappel-si-la-recommandation-est-au").to_string(),
            Cell::text(format!("{}/10", settings.nps_threshold)),
        ),
        (
            tr.t("signalement-si-la-sante-passe-sous").to_string(),
            Cell::text(settings.health_threshold.to_string()),
        ),
    ];
    if admin {
        let v = |k: &str, d: i64| {
            if which == "seuils" {
                data.get(k)
            } else {
                d.to_string()
            }
        };
        let mut fields = vec![
            Field::new(
                tr,
                "number",
                "recall_threshold",
                tr.t("seuil-de-rappel-note-de-1").to_string(),
                v("recall_threshold", settings.recall_threshold),
            ),
            Field::new(
                tr,
                "number",
                "nps_threshold",
                tr.t("seuil-de-recommandation-0-a-10").to_string(),
                v("nps_threshold", settings.nps_threshold),
            ),
            Field::new(
                tr,
                "number",
                "health_threshold",
                tr.t("seuil-de-sante-1-a-100").to_string(),
                v("health_threshold", settings.health_threshold),
            ),
        ];
        if which == "seuils" {
            if let Some(e) = err {
                p.errors = apply_errors(&mut fields, e);
            }
        }
        s.forms.push(PageForm {
            action: "/relation/enquetes/seuils".into(),
            fields,
            button: tr.t("enregistrer-les-seuils").to_string(),
            danger: false,
        });
    }
    p.sections.push(s);
    // Questions.
    let mut s = Sect::new("questions", tr.t("questions").to_string());
    let mut t = Table::new(
        tr,
        tr.t("questions-par-enquete").to_string(),
        &[tr.t("enquete"), "Question", tr.t("echelle"), "Active"],
    );
    for q in &questions {
        t.rows.push(vec![
            Cell::text(kind_label(tr, &q.kind)),
            Cell::text(q.label.clone()),
            Cell::text(
                Scale::from_code(&q.scale)
                    .map(|x| tr.label(x).to_string())
                    .unwrap_or_default(),
            ),
            Cell::text(if q.active == 1 {
                tr.t("oui-2").to_string()
            } else {
                tr.t("non-2").to_string()
            }),
        ]);
    }
    s.tables.push(t);
    if admin {
        for q in &questions {
            s.forms.push(PageForm {
                action: format!("/relation/enquetes/questions/{}/etat", q.id),
                fields: vec![Field::new(
                    tr,
                    "hidden",
                    "active",
                    "",
                    if q.active == 1 { "0" } else { "1" },
                )],
                button: format!(
                    "{} : {}",
                    if q.active == 1 {
                        tr.t("desactiver").to_string()
                    } else {
                        tr.t("reactiver").to_string()
                    },
                    q.label.chars().take(60).collect::<String>()
                ),
                danger: false,
            });
        }
        let mut fields = vec![
            Field::select(
                tr,
                "kind",
                tr.t("enquete").to_string(),
                &data.get("kind"),
                kind_options(tr),
                None,
            ),
            Field::new(tr, "text", "label", "Question", data.get("label")).required(),
            Field::select(
                tr,
                "scale",
                tr.t("echelle").to_string(),
                &data.get("scale"),
                Scale::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), tr.label(x).to_string())),
                None,
            ),
        ];
        if which == "question" {
            if let Some(e) = err {
                p.errors = apply_errors(&mut fields, e);
            }
        }
        s.forms.push(PageForm {
            action: "/relation/enquetes/questions".into(),
            fields,
            button: tr.t("ajouter-la-question").to_string(),
            danger: false,
        });
    }
    p.sections.push(s);
    // Campaigns.
    let mut s = Sect::new("campagnes", tr.t("campagnes").to_string());
    let mut t = Table::new(
        tr,
        tr.t("campagnes-envoyees").to_string(),
        &[
            tr.t("titre"),
            tr.t("enquete"),
            tr.t("envoyee-le"),
            tr.t("expire-le"),
            tr.t("invite-es"),
            tr.t("reponses"),
        ],
    );
    for k in &campaigns {
        t.rows.push(vec![
            Cell::text(k.title.clone()),
            Cell::text(kind_label(tr, &k.kind)),
            Cell::text(fr_date(&k.created_at)),
            Cell::text(fr_date(&k.expires_at)),
            Cell::text(k.invited.to_string()),
            Cell::text(format!(
                "{} ({})",
                k.answered,
                relais_app::sla_admin::share(k.answered, k.invited)
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into())
            )),
        ]);
    }
    s.tables.push(t);
    if steer {
        let regions = relais_app::crm::regions(&state.app).await.map_err(pe(tr))?;
        let g = |k: &str| data.get(k);
        let mut fields = vec![
            Field::new(tr, "text", "title", tr.t("titre").to_string(), g("title")).required(),
            Field::select(
                tr,
                "kind",
                tr.t("enquete").to_string(),
                &g("kind"),
                kind_options(tr),
                None,
            ),
            Field::select(
                tr,
                "membership",
                tr.t("adhesion").to_string(),
                &g("membership"),
                relais_domain::crm::MembershipStatus::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), tr.label(x).to_string())),
                Some(tr.t("toutes")),
            ),
            Field::select(
                tr,
                "institution_kind",
                tr.t("type-d-etablissement").to_string(),
                &g("institution_kind"),
                relais_domain::crm::InstitutionKind::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), tr.label(x).to_string())),
                Some(tr.t("all")),
            ),
            Field::select(
                tr,
                "region",
                tr.t("region").to_string(),
                &g("region"),
                regions.into_iter().map(|r| (r.clone(), r)),
                Some(tr.t("toutes")),
            ),
            Field::new(tr, "text", "tag", "Segment", g("tag"))
                .hint(tr.t("etiquette-d-etablissement-facultatif").to_string()),
            Field::checkboxes(
                tr,
                "functions",
                tr.t("fonctions-des-contacts-interroges-aucune-toutes")
                    .to_string(),
                &data
                    .0
                    .iter()
                    .filter(|(k, _)| k == "functions")
                    .map(|(_, v)| v.clone())
                    .collect::<Vec<_>>(),
                relais_domain::crm::ContactFunction::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), tr.label(x).to_string())),
            ),
            Field::new(
                tr,
                "number",
                "days",
                tr.t("validite-des-liens-jours").to_string(),
                if g("days").is_empty() {
                    "30".into()
                } else {
                    g("days")
                },
            ),
        ];
        if which == "campagne" {
            if let Some(e) = err {
                p.errors = apply_errors(&mut fields, e);
            }
        }
        s.forms.push(PageForm {
            action: "/relation/enquetes/campagnes".into(),
            fields,
            button: tr.t("envoyer-la-campagne").to_string(),
            danger: false,
        });
    }
    p.sections.push(s);
    form_reply(&p, failed.is_some(), tr)
}

pub(super) async fn surveys_admin(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    surveys_admin_page(&state, &auth, None).await
}

async fn admin_reply(
    state: &AppState,
    auth: &Auth,
    which: &str,
    f: &FormData,
    r: Result<(), AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(ok).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            surveys_admin_page(state, auth, Some((which, f, &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

pub(super) async fn add_question(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let r = uc::add_question(
        &state.app,
        auth.actor(),
        &f.get("kind"),
        &f.get("label"),
        &f.get("scale"),
    )
    .await
    .map(|_| ());
    admin_reply(
        &state,
        &auth,
        "question",
        &f,
        r,
        "/relation/enquetes?ok=question",
    )
    .await
}

pub(super) async fn toggle_question(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    uc::set_question_active(&state.app, auth.actor(), id, f.get("active") == "1")
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/relation/enquetes?ok=question").into_response())
}

pub(super) async fn create_campaign(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let seg = relais_app::relation::Segment {
        membership: nonempty(&f.opt("membership")),
        kind: nonempty(&f.opt("institution_kind")),
        region: nonempty(&f.opt("region")),
        tag: nonempty(&f.opt("tag")),
        functions: f
            .0
            .iter()
            .filter(|(k, _)| k == "functions")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let days = f.get("days").trim().parse().unwrap_or(0);
    let r = uc::create_campaign(
        &state.app,
        auth.actor(),
        &f.get("title"),
        &f.get("kind"),
        &seg,
        days,
    )
    .await
    .map(|_| ());
    admin_reply(
        &state,
        &auth,
        "campagne",
        &f,
        r,
        "/relation/enquetes?ok=campagne",
    )
    .await
}

pub(super) async fn set_thresholds(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let n = |k: &str| f.get(k).trim().parse::<i64>().unwrap_or(-1);
    let s = uc::RelationSettings {
        recall_threshold: n("recall_threshold"),
        nps_threshold: n("nps_threshold"),
        health_threshold: n("health_threshold"),
    };
    let r = uc::set_settings(&state.app, auth.actor(), &s).await;
    admin_reply(
        &state,
        &auth,
        "seuils",
        &f,
        r,
        "/relation/enquetes?ok=seuils_relation",
    )
    .await
}
