//! The relation hub and the recalls (/relation, /relation/rappels): who to call back and why.

use super::*;

fn stats_facts(tr: Tr, s: &uc::RecallStats) -> Vec<(String, Cell)> {
    vec![
        (
            tr.t("rappels-ouverts").to_string(),
            Cell::text(s.open.to_string()),
        ),
        (
            tr.t("dont-en-retard").to_string(),
            Cell::text(s.overdue.to_string()),
        ),
        (
            tr.t("clos-sur-12-mois").to_string(),
            Cell::text(s.closed_12m.to_string()),
        ),
        (
            tr.t("delai-median-de-traitement").to_string(),
            Cell::text(
                s.median_days
                    .map(|d| format!("{d} {}", tr.t("jour-s")))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            tr.t("traites-dans-les-delais").to_string(),
            Cell::text(
                s.on_time_share
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
    ]
}

pub(super) async fn hub(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let (mine, stats) = uc::recalls(&state.app, actor, true, Some("ouvert"))
        .await
        .map_err(pe(tr))?;
    let (all, _) = uc::recalls(&state.app, actor, false, Some("ouvert"))
        .await
        .map_err(pe(tr))?;
    let my_flags = uc::flags(&state.app, actor, true, 30)
        .await
        .map_err(pe(tr))?;
    let all_flags = uc::flags(&state.app, actor, false, 30)
        .await
        .map_err(pe(tr))?;
    let today = today_s(&state);
    let mut p = SectionsPage::new(
        Base::new(&auth, tr.t("relation-adherents").to_string()),
        tr.t("relation-adherents").to_string(),
    );
    p.actions = vec![
        Link::new("/relation/rappels", tr.t("tous-les-rappels").to_string()),
        Link::new(
            "/relation/enquetes",
            tr.t("enquetes-et-campagnes").to_string(),
        ),
    ];
    let mut s = Sect::new("mes-rappels", tr.t("mes-rappels-a-faire").to_string());
    s.tables.push(recalls_table(
        tr,
        format!("{} {}", mine.len(), tr.t("rappel-s-ouvert-s")),
        &mine,
        &today,
    ));
    p.sections.push(s);
    let mut s = Sect::new(
        "mes-signalements",
        tr.t("mes-etablissements-signales-30-jours").to_string(),
    );
    s.paras
        .push(tr.t("l-agent-de-la-relation-signale").to_string());
    s.tables
        .push(flags_table(tr, tr.t("signalements").to_string(), &my_flags));
    p.sections.push(s);
    let mut s = Sect::new("suivi", tr.t("suivi-des-rappels").to_string());
    s.facts = stats_facts(tr, &stats);
    s.tables.push(recalls_table(
        tr,
        tr.t("tous-les-rappels-ouverts").to_string(),
        &all,
        &today,
    ));
    s.tables.push(flags_table(
        tr,
        tr.t("tous-les-signalements-30-jours").to_string(),
        &all_flags,
    ));
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct RecallQuery {
    statut: Option<String>,
    moi: Option<String>,
}

pub(super) async fn recalls_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RecallQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let status = match q.statut.as_deref() {
        Some("clos") => Some("clos"),
        Some("tous") => None,
        _ => Some("ouvert"),
    };
    let mine = q.moi.as_deref() == Some("1");
    let (rows, stats) = uc::recalls(&state.app, auth.actor(), mine, status)
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(&auth, tr.t("rappels").to_string()),
        tr.t("campagnes-de-rappel").to_string(),
    );
    p.subtitle = tr
        .t("chaque-reponse-insatisfaite-cree-un-rappel")
        .to_string();
    let mut s = Sect::new("suivi", tr.t("delais-de-traitement").to_string());
    s.facts = stats_facts(tr, &stats);
    s.links = vec![
        Link::new(
            "/relation/rappels?statut=ouvert",
            tr.t("ouverts").to_string(),
        ),
        Link::new(
            "/relation/rappels?statut=ouvert&moi=1",
            tr.t("les-miens").to_string(),
        ),
        Link::new(
            "/relation/rappels?statut=clos",
            tr.t("recall-status-clos").to_string(),
        ),
        Link::new("/relation/rappels?statut=tous", tr.t("all").to_string()),
    ];
    p.sections.push(s);
    let mut s = Sect::new("liste", tr.t("rappels").to_string());
    s.tables.push(recalls_table(
        tr,
        format!("{} {}", rows.len(), tr.t("rappel-s")),
        &rows,
        &today_s(&state),
    ));
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

async fn recall_view_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    form: Option<(&FormData, &str, &DomainError)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let v = uc::recall(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let r = &v.recall;
    let a = &v.answer;
    let mut p = SectionsPage::new(
        Base::new(auth, tr.t("rappel").to_string()),
        format!("{} — {}", tr.t("rappel"), r.institution_name),
    );
    p.actions = vec![
        Link::new(
            format!("/etablissements/{}", r.institution_id),
            tr.t("vue-360-de-l-etablissement").to_string(),
        ),
        Link::new(
            format!("/etablissements/{}/sante", r.institution_id),
            tr.t("sante-de-l-etablissement").to_string(),
        ),
    ];
    let mut s = Sect::new("reponse", tr.t("la-reponse").to_string());
    let context = match (&a.ticket_ref, &a.training_title, &a.campaign_title) {
        (Some(t), _, _) => Cell::link(
            format!("Ticket {t}"),
            format!("/support/{}", a.ticket_id.clone().unwrap_or_default()),
        ),
        (_, Some(t), _) => Cell::link(
            format!("{} {t}", tr.t("touchpoint-formation")),
            format!(
                "/formations/sessions/{}",
                a.session_id.clone().unwrap_or_default()
            ),
        ),
        (_, _, Some(c)) => Cell::text(c.clone()),
        _ => Cell::text("—"),
    };
    s.facts = vec![
        (
            tr.t("note").to_string(),
            Cell::text(score_text(a.score, a.nps)),
        ),
        (
            tr.t("enquete").to_string(),
            Cell::text(kind_label(tr, &a.kind)),
        ),
        (tr.t("contexte").to_string(), context),
        (
            tr.t("repondu-le").to_string(),
            Cell::text(fr_date(&a.answered_at)),
        ),
        (
            tr.t("commentaire").to_string(),
            Cell::text(a.comment.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            tr.t("a-rappeler-avant-le").to_string(),
            Cell::text(fr_date(&r.due_on)),
        ),
        (
            tr.t("role-relation").to_string(),
            Cell::text(r.manager_name.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            tr.t("appels-notes").to_string(),
            Cell::text(r.calls.to_string()),
        ),
        (
            tr.t("statut").to_string(),
            Cell::text(
                relais_domain::relation::RecallStatus::from_code(&r.status)
                    .map(|x| tr.label(x).to_string())
                    .unwrap_or_default(),
            ),
        ),
    ];
    if let Some(o) = &r.outcome {
        s.facts
            .push((tr.t("resultat").to_string(), Cell::text(o.clone())));
    }
    p.sections.push(s);
    if r.status == "ouvert" {
        let empty = FormData::default();
        let (data, which, err) = match form {
            Some((d, w, e)) => (d, w, Some(e)),
            None => (&empty, "", None),
        };
        let mut call = vec![Field::new(
            tr,
            "textarea",
            "note",
            tr.t("compte-rendu-de-l-appel").to_string(),
            if which == "appel" {
                data.get("note")
            } else {
                String::new()
            },
        )
        .required()];
        let mut close = vec![Field::new(
            tr,
            "textarea",
            "outcome",
            tr.t("resultat-du-rappel").to_string(),
            if which == "clore" {
                data.get("outcome")
            } else {
                String::new()
            },
        )
        .required()
        .hint(tr.t("ce-qui-a-ete-convenu-avec").to_string())];
        if let Some(e) = err {
            let target = if which == "appel" {
                &mut call
            } else {
                &mut close
            };
            p.errors = apply_errors(target, e);
        }
        let mut s = Sect::new("appel", tr.t("noter-un-appel").to_string());
        s.forms.push(PageForm {
            action: format!("/relation/rappels/{}/appel", r.id),
            fields: call,
            button: tr.t("noter-l-appel").to_string(),
            danger: false,
        });
        p.sections.push(s);
        let mut s = Sect::new("clore", tr.t("clore-le-rappel").to_string());
        s.forms.push(PageForm {
            action: format!("/relation/rappels/{}/clore", r.id),
            fields: close,
            button: tr.t("clore-le-rappel").to_string(),
            danger: false,
        });
        p.sections.push(s);
    }
    form_reply(&p, form.is_some(), tr)
}

pub(super) async fn recall_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    recall_view_page(&state, &auth, id, None).await
}

pub(super) async fn recall_call(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    match uc::record_call(&state.app, auth.actor(), id, &f.get("note")).await {
        Ok(()) => Ok(Redirect::to(&format!("/relation/rappels/{id}?ok=appel")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            recall_view_page(&state, &auth, id, Some((&f, "appel", &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

pub(super) async fn recall_close(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    match uc::close_recall(&state.app, auth.actor(), id, &f.get("outcome")).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/relation/rappels/{id}?ok=rappel_clos")).into_response())
        }
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            recall_view_page(&state, &auth, id, Some((&f, "clore", &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}
