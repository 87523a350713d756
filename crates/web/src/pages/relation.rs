//! Member relations pages: the survey link (`/enquete/{token}`, no login),
//! the relation hub and recalls (`/relation…`), survey questions,
//! thresholds and campaigns (`/relation/enquetes`), an institution's health
//! (`/etablissements/{id}/sante`) and printable briefing
//! (`/etablissements/{id}/fiche`), the member space (`/espace`), personal
//! data pages (`/espace/donnees`, `/contacts/{id}/donnees`, erasure) and the
//! retention rules (`/admin/conservation`).
//!
//! Most pages are built on one generic template (`sections.html`): titled
//! sections of paragraphs, facts, an SVG chart, tables and forms.

use crate::auth::{login_csrf_cookie_name, make_cookie, Auth, RequestCtx};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    bar_chart, form_reply, fr, nonempty, path_id, pe, render, FormData, PageForm, Sect,
    SectionsPage,
};
use crate::view::{apply_errors, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use relais_app::relation as uc;
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::relation::{fr_num, Scale, SurveyKind};
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enquete/{token}", get(survey_page).post(survey_submit))
        .route("/relation", get(hub))
        .route("/relation/rappels", get(recalls_page))
        .route("/relation/rappels/{id}", get(recall_page))
        .route("/relation/rappels/{id}/appel", post(recall_call))
        .route("/relation/rappels/{id}/clore", post(recall_close))
        .route("/relation/enquetes", get(surveys_admin))
        .route("/relation/enquetes/questions", post(add_question))
        .route(
            "/relation/enquetes/questions/{id}/etat",
            post(toggle_question),
        )
        .route("/relation/enquetes/campagnes", post(create_campaign))
        .route("/relation/enquetes/seuils", post(set_thresholds))
        .route("/etablissements/{id}/sante", get(health_page))
        .route("/etablissements/{id}/fiche", get(briefing_page))
        .route("/espace", get(space))
        .route("/espace/interets", post(set_interests))
        .route("/espace/enquetes/{id}", post(open_my_survey))
        .route("/espace/donnees", get(my_data_page))
        .route("/espace/donnees.json", get(my_data_json))
        .route("/contacts/{id}/donnees", get(contact_data_page))
        .route("/contacts/{id}/donnees.json", get(contact_data_json))
        .route("/contacts/{id}/effacer", post(erase_contact))
        .route(
            "/admin/conservation",
            get(retention_page).post(set_retention),
        )
        .route("/admin/conservation/appliquer", post(apply_retention))
}

// ---------------------------------------------------------------- the survey link

#[derive(Debug, Clone)]
struct QuestionView {
    code: String,
    label: String,
    scale: String,
    options: Vec<(String, String)>,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    base: Base,
    h1: String,
    refusal: Option<String>,
    done: bool,
    recall: bool,
    context: String,
    token: String,
    questions: Vec<QuestionView>,
    comment: String,
    errors: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
struct NoteQuery {
    note: Option<String>,
}

/// The frame of the survey page: the person's own when signed in, else an
/// anonymous one with a double-submitted CSRF cookie (as the login page).
fn survey_base(
    state: &AppState,
    ctx: &RequestCtx,
    jar: CookieJar,
    title: &str,
    path: &str,
) -> (CookieJar, Base) {
    let tr = Tr(ctx.lang);
    match ctx.session.as_ref().filter(|s| !s.via_token) {
        Some(s) => {
            let auth = Auth {
                session: s.clone(),
                tr,
                path: path.to_string(),
            };
            (jar, Base::new(&auth, title))
        }
        None => {
            let name = login_csrf_cookie_name(state);
            let token = jar
                .get(name)
                .map(|c| c.value().to_string())
                .unwrap_or_else(relais_app::accounts::random_token);
            let jar = jar.add(make_cookie(state, name, token.clone()));
            (jar, Base::anonymous(tr, title, token, path))
        }
    }
}

fn refusal_status(r: uc::Refusal) -> StatusCode {
    match r {
        uc::Refusal::Unknown => StatusCode::NOT_FOUND,
        uc::Refusal::Used | uc::Refusal::Expired => StatusCode::GONE,
        uc::Refusal::OtherPerson => StatusCode::FORBIDDEN,
    }
}

fn survey_title(tr: Tr) -> String {
    fr(tr, "Enquête de satisfaction", "Satisfaction survey")
}

fn question_views(
    tr: Tr,
    qs: &[relais_store::relation::QuestionRow],
    values: &FormData,
) -> Vec<QuestionView> {
    qs.iter()
        .map(|q| {
            let scale = Scale::from_code(&q.scale).unwrap_or(Scale::Text);
            let options: Vec<(String, String)> = match scale {
                Scale::OneToFive => [
                    (
                        "1",
                        "1 — pas du tout satisfait·e",
                        "1 — not at all satisfied",
                    ),
                    ("2", "2 — peu satisfait·e", "2 — dissatisfied"),
                    ("3", "3 — moyennement", "3 — neutral"),
                    ("4", "4 — satisfait·e", "4 — satisfied"),
                    ("5", "5 — très satisfait·e", "5 — very satisfied"),
                ]
                .iter()
                .map(|(v, f, e)| (v.to_string(), fr(tr, f, e)))
                .collect(),
                Scale::ZeroToTen => (0..=10).map(|n| (n.to_string(), n.to_string())).collect(),
                Scale::Text => vec![],
            };
            QuestionView {
                code: q.code.clone(),
                label: q.label.clone(),
                scale: q.scale.clone(),
                options,
                value: values.get(&q.code),
                error: None,
            }
        })
        .collect()
}

fn context_of(tr: Tr, inv: &relais_store::relation::InvitationRow) -> String {
    match inv.kind.as_str() {
        "ticket" => format!(
            "{} {} « {} » ({}).",
            fr(
                tr,
                "Votre avis sur le traitement du ticket",
                "Your opinion on ticket"
            ),
            inv.ticket_ref.clone().unwrap_or_default(),
            inv.ticket_subject.clone().unwrap_or_default(),
            inv.institution_name
        ),
        "formation" => format!(
            "{} « {} ».",
            fr(
                tr,
                "Votre avis sur la formation",
                "Your opinion on the training"
            ),
            inv.training_title.clone().unwrap_or_default()
        ),
        _ => format!(
            "{} — {}.",
            inv.campaign_title.clone().unwrap_or_else(|| fr(
                tr,
                "Enquête annuelle",
                "Yearly survey"
            )),
            inv.institution_name
        ),
    }
}

fn refusal_text(tr: Tr, r: uc::Refusal) -> String {
    if tr.en() {
        r.message_en()
    } else {
        r.message_fr()
    }
    .to_string()
}

async fn survey_page(
    State(state): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    Path(token): Path<String>,
    Query(q): Query<NoteQuery>,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    let viewer = ctx.session.as_ref().map(|s| &s.actor);
    let opened = uc::open_link(&state.app, &token, viewer)
        .await
        .map_err(pe(tr))?;
    let path = format!("/enquete/{}", urlencoding::encode(&token));
    let (jar, base) = survey_base(&state, &ctx, jar, &survey_title(tr), &path);
    let mut page = SurveyPage {
        base,
        h1: survey_title(tr),
        refusal: None,
        done: false,
        recall: false,
        context: String::new(),
        token: urlencoding::encode(&token).into_owned(),
        questions: vec![],
        comment: String::new(),
        errors: vec![],
    };
    let status = match opened {
        Ok(s) => {
            // `?note=N` (the one-click links of the mail) preselects the
            // score; nothing is recorded until the person sends the form,
            // so a mail scanner following links answers nothing.
            let mut pre = FormData::default();
            if let (Some(n), Some(first)) = (q.note, s.questions.first()) {
                pre.0.push((first.code.clone(), n));
            }
            page.context = context_of(tr, &s.invitation);
            page.questions = question_views(tr, &s.questions, &pre);
            StatusCode::OK
        }
        Err(r) => {
            page.refusal = Some(refusal_text(tr, r));
            refusal_status(r)
        }
    };
    // The token never leaves the site: the global `Referrer-Policy:
    // same-origin` keeps it from other sites (`no-referrer` would make
    // the browser send `Origin: null` with the form, which CSRF refuses).
    Ok((jar, (status, render(&page, tr)?)).into_response())
}

async fn survey_submit(
    State(state): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    let viewer = ctx.session.as_ref().map(|s| &s.actor);
    let path = format!("/enquete/{}", urlencoding::encode(&token));
    let result = uc::answer(&state.app, &token, viewer, &f.0).await;
    let (jar, base) = survey_base(&state, &ctx, jar, &survey_title(tr), &path);
    let mut page = SurveyPage {
        base,
        h1: survey_title(tr),
        refusal: None,
        done: false,
        recall: false,
        context: String::new(),
        token: urlencoding::encode(&token).into_owned(),
        questions: vec![],
        comment: f.get("commentaire"),
        errors: vec![],
    };
    let status = match result {
        Ok(Ok(a)) => {
            page.done = true;
            page.recall = a.recall_id.is_some();
            StatusCode::OK
        }
        Ok(Err(r)) => {
            page.refusal = Some(refusal_text(tr, r));
            refusal_status(r)
        }
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let opened = uc::open_link(&state.app, &token, viewer)
                .await
                .map_err(pe(tr))?;
            match opened {
                Ok(s) => {
                    page.context = context_of(tr, &s.invitation);
                    page.questions = question_views(tr, &s.questions, &f);
                    if let DomainError::Invalid(v) = &e {
                        for err in v {
                            let target = page
                                .questions
                                .iter_mut()
                                .find(|q| uc::field_name(&q.code) == err.field);
                            match target {
                                Some(q) => {
                                    q.error = Some(err.detail.clone());
                                    page.errors.push((
                                        q.code.clone(),
                                        format!("{} : {}", q.label, err.detail),
                                    ));
                                }
                                None => page.errors.push((
                                    page.questions
                                        .first()
                                        .map(|q| q.code.clone())
                                        .unwrap_or_default(),
                                    err.detail.clone(),
                                )),
                            }
                        }
                    }
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                Err(r) => {
                    page.refusal = Some(refusal_text(tr, r));
                    refusal_status(r)
                }
            }
        }
        Err(e) => return Err(PageError::new(e, tr)),
    };
    Ok((jar, (status, render(&page, tr)?)).into_response())
}

// ---------------------------------------------------------------- hub and recalls

fn score_text(score: Option<i64>, nps: Option<i64>) -> String {
    match (score, nps) {
        (Some(s), Some(n)) => format!("{s}/5 · {n}/10"),
        (Some(s), None) => format!("{s}/5"),
        (None, Some(n)) => format!("{n}/10"),
        _ => "—".into(),
    }
}

fn kind_label(tr: Tr, kind: &str) -> String {
    SurveyKind::from_code(kind)
        .map(|k| k.label(tr.en()).to_string())
        .unwrap_or_else(|| kind.to_string())
}

fn recalls_table(
    tr: Tr,
    caption: String,
    rows: &[relais_store::relation::RecallRow],
    today: &str,
) -> Table {
    let en = tr.en();
    let mut t = Table::new(
        tr,
        caption,
        &[
            if en { "Institution" } else { "Établissement" },
            if en { "Answer" } else { "Réponse" },
            if en { "Survey" } else { "Enquête" },
            if en { "Due" } else { "Échéance" },
            if en {
                "Manager"
            } else {
                "Chargé·e de relation"
            },
            if en { "Calls" } else { "Appels" },
            if en { "Status" } else { "Statut" },
        ],
    );
    for r in rows {
        let late = r.status == "ouvert" && r.due_on.as_str() < today;
        t.rows.push(vec![
            Cell::link(
                r.institution_name.clone(),
                format!("/relation/rappels/{}", r.id),
            ),
            Cell::text(score_text(r.score, r.nps)),
            Cell::text(kind_label(tr, &r.kind)),
            Cell::text(format!(
                "{}{}",
                fr_date(&r.due_on),
                if late {
                    fr(tr, " (en retard)", " (late)")
                } else {
                    String::new()
                }
            )),
            Cell::text(r.manager_name.clone().unwrap_or_else(|| "—".into())),
            Cell::text(r.calls.to_string()),
            Cell::text(
                relais_domain::relation::RecallStatus::from_code(&r.status)
                    .map(|s| s.label(en).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    t
}

fn flags_table(tr: Tr, caption: String, flags: &[relais_store::relation::FlagRow]) -> Table {
    let en = tr.en();
    let mut t = Table::new(
        tr,
        caption,
        &[
            if en { "Institution" } else { "Établissement" },
            if en { "Day" } else { "Jour" },
            if en { "Health" } else { "Santé" },
            if en { "Reasons" } else { "Raisons" },
        ],
    );
    for f in flags {
        let reasons: Vec<String> = serde_json::from_str(&f.reasons).unwrap_or_default();
        t.rows.push(vec![
            Cell::link(
                f.institution_name.clone(),
                format!("/etablissements/{}/sante", f.institution_id),
            ),
            Cell::text(fr_date(&f.flagged_on)),
            Cell::text(match f.previous {
                Some(p) => format!("{} → {}", p, f.score),
                None => f.score.to_string(),
            }),
            Cell::text(if reasons.is_empty() {
                "—".into()
            } else {
                reasons.join(" ; ")
            }),
        ]);
    }
    t
}

fn today_s(state: &AppState) -> String {
    relais_store::date(relais_app::training::today(&state.app))
}

fn stats_facts(tr: Tr, s: &uc::RecallStats) -> Vec<(String, Cell)> {
    vec![
        (
            fr(tr, "Rappels ouverts", "Open recalls"),
            Cell::text(s.open.to_string()),
        ),
        (
            fr(tr, "Dont en retard", "Of which late"),
            Cell::text(s.overdue.to_string()),
        ),
        (
            fr(tr, "Clos sur 12 mois", "Closed over 12 months"),
            Cell::text(s.closed_12m.to_string()),
        ),
        (
            fr(tr, "Délai médian de traitement", "Median handling time"),
            Cell::text(
                s.median_days
                    .map(|d| format!("{d} {}", fr(tr, "jour(s)", "day(s)")))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            fr(tr, "Traités dans les délais", "Handled on time"),
            Cell::text(
                s.on_time_share
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
    ]
}

async fn hub(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
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
        Base::new(&auth, fr(tr, "Relation adhérents", "Member relations")),
        fr(tr, "Relation adhérents", "Member relations"),
    );
    p.actions = vec![
        Link::new(
            "/relation/rappels",
            fr(tr, "Tous les rappels", "All recalls"),
        ),
        Link::new(
            "/relation/enquetes",
            fr(tr, "Enquêtes et campagnes", "Surveys and campaigns"),
        ),
    ];
    let mut s = Sect::new(
        "mes-rappels",
        fr(tr, "Mes rappels à faire", "My recalls to make"),
    );
    s.tables.push(recalls_table(
        tr,
        format!(
            "{} {}",
            mine.len(),
            fr(tr, "rappel(s) ouvert(s)", "open recall(s)")
        ),
        &mine,
        &today,
    ));
    p.sections.push(s);
    let mut s = Sect::new(
        "mes-signalements",
        fr(
            tr,
            "Mes établissements signalés (30 jours)",
            "My flagged institutions (30 days)",
        ),
    );
    s.paras.push(fr(
        tr,
        "L'agent de la relation signale un établissement dont l'indice de santé passe sous le seuil ou baisse de 10 points ou plus.",
        "The relation agent flags an institution whose health crosses the threshold or drops by 10 points or more.",
    ));
    s.tables
        .push(flags_table(tr, fr(tr, "Signalements", "Flags"), &my_flags));
    p.sections.push(s);
    let mut s = Sect::new("suivi", fr(tr, "Suivi des rappels", "Recall follow-up"));
    s.facts = stats_facts(tr, &stats);
    s.tables.push(recalls_table(
        tr,
        fr(tr, "Tous les rappels ouverts", "All open recalls"),
        &all,
        &today,
    ));
    s.tables.push(flags_table(
        tr,
        fr(
            tr,
            "Tous les signalements (30 jours)",
            "All flags (30 days)",
        ),
        &all_flags,
    ));
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

#[derive(serde::Deserialize)]
struct RecallQuery {
    statut: Option<String>,
    moi: Option<String>,
}

async fn recalls_page(
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
        Base::new(&auth, fr(tr, "Rappels", "Recalls")),
        fr(tr, "Campagnes de rappel", "Recall campaigns"),
    );
    p.subtitle = fr(
        tr,
        "Chaque réponse insatisfaite crée un rappel pour le ou la chargé·e de relation de l'établissement.",
        "Each dissatisfied answer creates a recall for the institution's key-account manager.",
    );
    let mut s = Sect::new("suivi", fr(tr, "Délais de traitement", "Handling times"));
    s.facts = stats_facts(tr, &stats);
    s.links = vec![
        Link::new("/relation/rappels?statut=ouvert", fr(tr, "Ouverts", "Open")),
        Link::new(
            "/relation/rappels?statut=ouvert&moi=1",
            fr(tr, "Les miens", "Mine"),
        ),
        Link::new("/relation/rappels?statut=clos", fr(tr, "Clos", "Closed")),
        Link::new("/relation/rappels?statut=tous", fr(tr, "Tous", "All")),
    ];
    p.sections.push(s);
    let mut s = Sect::new("liste", fr(tr, "Rappels", "Recalls"));
    s.tables.push(recalls_table(
        tr,
        format!("{} {}", rows.len(), fr(tr, "rappel(s)", "recall(s)")),
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
        Base::new(auth, fr(tr, "Rappel", "Recall")),
        format!("{} — {}", fr(tr, "Rappel", "Recall"), r.institution_name),
    );
    p.actions = vec![
        Link::new(
            format!("/etablissements/{}", r.institution_id),
            fr(tr, "Vue 360° de l'établissement", "Institution 360° view"),
        ),
        Link::new(
            format!("/etablissements/{}/sante", r.institution_id),
            fr(tr, "Santé de l'établissement", "Institution health"),
        ),
    ];
    let mut s = Sect::new("reponse", fr(tr, "La réponse", "The answer"));
    let context = match (&a.ticket_ref, &a.training_title, &a.campaign_title) {
        (Some(t), _, _) => Cell::link(
            format!("Ticket {t}"),
            format!("/support/{}", a.ticket_id.clone().unwrap_or_default()),
        ),
        (_, Some(t), _) => Cell::link(
            format!("{} {t}", fr(tr, "Formation", "Training")),
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
            fr(tr, "Note", "Score"),
            Cell::text(score_text(a.score, a.nps)),
        ),
        (
            fr(tr, "Enquête", "Survey"),
            Cell::text(kind_label(tr, &a.kind)),
        ),
        (fr(tr, "Contexte", "Context"), context),
        (
            fr(tr, "Répondu le", "Answered on"),
            Cell::text(fr_date(&a.answered_at)),
        ),
        (
            fr(tr, "Commentaire", "Comment"),
            Cell::text(a.comment.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            fr(tr, "À rappeler avant le", "Call back before"),
            Cell::text(fr_date(&r.due_on)),
        ),
        (
            fr(tr, "Chargé·e de relation", "Key-account manager"),
            Cell::text(r.manager_name.clone().unwrap_or_else(|| "—".into())),
        ),
        (
            fr(tr, "Appels notés", "Calls recorded"),
            Cell::text(r.calls.to_string()),
        ),
        (
            fr(tr, "Statut", "Status"),
            Cell::text(
                relais_domain::relation::RecallStatus::from_code(&r.status)
                    .map(|x| x.label(tr.en()).to_string())
                    .unwrap_or_default(),
            ),
        ),
    ];
    if let Some(o) = &r.outcome {
        s.facts
            .push((fr(tr, "Résultat", "Outcome"), Cell::text(o.clone())));
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
            fr(tr, "Compte rendu de l'appel", "Call notes"),
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
            fr(tr, "Résultat du rappel", "Outcome of the recall"),
            if which == "clore" {
                data.get("outcome")
            } else {
                String::new()
            },
        )
        .required()
        .hint(fr(
            tr,
            "Ce qui a été convenu avec l'établissement ; le rappel est alors clos.",
            "What was agreed with the institution; the recall is then closed.",
        ))];
        if let Some(e) = err {
            let target = if which == "appel" {
                &mut call
            } else {
                &mut close
            };
            p.errors = apply_errors(target, e);
        }
        let mut s = Sect::new("appel", fr(tr, "Noter un appel", "Record a call"));
        s.forms.push(PageForm {
            action: format!("/relation/rappels/{}/appel", r.id),
            fields: call,
            button: fr(tr, "Noter l'appel", "Record the call"),
            danger: false,
        });
        p.sections.push(s);
        let mut s = Sect::new("clore", fr(tr, "Clore le rappel", "Close the recall"));
        s.forms.push(PageForm {
            action: format!("/relation/rappels/{}/clore", r.id),
            fields: close,
            button: fr(tr, "Clore le rappel", "Close the recall"),
            danger: false,
        });
        p.sections.push(s);
    }
    form_reply(&p, form.is_some(), tr)
}

async fn recall_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    recall_view_page(&state, &auth, id, None).await
}

async fn recall_call(
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

async fn recall_close(
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

// ---------------------------------------------------------------- surveys admin

fn kind_options(tr: Tr) -> Vec<(String, String)> {
    SurveyKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), k.label(tr.en()).to_string()))
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
    let en = tr.en();
    let mut p = SectionsPage::new(
        Base::new(
            auth,
            fr(tr, "Enquêtes de satisfaction", "Satisfaction surveys"),
        ),
        fr(tr, "Enquêtes de satisfaction", "Satisfaction surveys"),
    );
    let empty = FormData::default();
    let (which, data, err) = match failed {
        Some((w, d, e)) => (w, d, Some(e)),
        None => ("", &empty, None),
    };
    // Thresholds.
    let mut s = Sect::new("seuils", fr(tr, "Seuils", "Thresholds"));
    s.facts = vec![
        (
            fr(
                tr,
                "Rappel si une note sur 5 est au plus",
                "Recall when a 1–5 score is at most",
            ),
            Cell::text(settings.recall_threshold.to_string()),
        ),
        (
            fr(
                tr,
                "Rappel si la recommandation est au plus",
                "Recall when the recommendation is at most",
            ),
            Cell::text(format!("{}/10", settings.nps_threshold)),
        ),
        (
            fr(
                tr,
                "Signalement si la santé passe sous",
                "Flag when health falls under",
            ),
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
                fr(
                    tr,
                    "Seuil de rappel (note de 1 à 5)",
                    "Recall threshold (1 to 5)",
                ),
                v("recall_threshold", settings.recall_threshold),
            ),
            Field::new(
                tr,
                "number",
                "nps_threshold",
                fr(
                    tr,
                    "Seuil de recommandation (0 à 10)",
                    "Recommendation threshold (0 to 10)",
                ),
                v("nps_threshold", settings.nps_threshold),
            ),
            Field::new(
                tr,
                "number",
                "health_threshold",
                fr(
                    tr,
                    "Seuil de santé (1 à 100)",
                    "Health threshold (1 to 100)",
                ),
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
            button: fr(tr, "Enregistrer les seuils", "Save the thresholds"),
            danger: false,
        });
    }
    p.sections.push(s);
    // Questions.
    let mut s = Sect::new("questions", fr(tr, "Questions", "Questions"));
    let mut t = Table::new(
        tr,
        fr(tr, "Questions par enquête", "Questions per survey"),
        &[
            if en { "Survey" } else { "Enquête" },
            "Question",
            if en { "Scale" } else { "Échelle" },
            "Active",
        ],
    );
    for q in &questions {
        t.rows.push(vec![
            Cell::text(kind_label(tr, &q.kind)),
            Cell::text(q.label.clone()),
            Cell::text(
                Scale::from_code(&q.scale)
                    .map(|x| x.label(en).to_string())
                    .unwrap_or_default(),
            ),
            Cell::text(if q.active == 1 {
                fr(tr, "oui", "yes")
            } else {
                fr(tr, "non", "no")
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
                        fr(tr, "Désactiver", "Deactivate")
                    } else {
                        fr(tr, "Réactiver", "Reactivate")
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
                fr(tr, "Enquête", "Survey"),
                &data.get("kind"),
                kind_options(tr),
                None,
            ),
            Field::new(tr, "text", "label", "Question", data.get("label")).required(),
            Field::select(
                tr,
                "scale",
                fr(tr, "Échelle", "Scale"),
                &data.get("scale"),
                Scale::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), x.label(en).to_string())),
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
            button: fr(tr, "Ajouter la question", "Add the question"),
            danger: false,
        });
    }
    p.sections.push(s);
    // Campaigns.
    let mut s = Sect::new("campagnes", fr(tr, "Campagnes", "Campaigns"));
    let mut t = Table::new(
        tr,
        fr(tr, "Campagnes envoyées", "Campaigns sent"),
        &[
            if en { "Title" } else { "Titre" },
            if en { "Survey" } else { "Enquête" },
            if en { "Sent on" } else { "Envoyée le" },
            if en { "Expires" } else { "Expire le" },
            if en { "Invited" } else { "Invité·es" },
            if en { "Answers" } else { "Réponses" },
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
            Field::new(tr, "text", "title", fr(tr, "Titre", "Title"), g("title")).required(),
            Field::select(
                tr,
                "kind",
                fr(tr, "Enquête", "Survey"),
                &g("kind"),
                kind_options(tr),
                None,
            ),
            Field::select(
                tr,
                "membership",
                fr(tr, "Adhésion", "Membership"),
                &g("membership"),
                relais_domain::crm::MembershipStatus::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), x.label(en).to_string())),
                Some(&fr(tr, "Toutes", "All")),
            ),
            Field::select(
                tr,
                "institution_kind",
                fr(tr, "Type d'établissement", "Kind of institution"),
                &g("institution_kind"),
                relais_domain::crm::InstitutionKind::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), x.label(en).to_string())),
                Some(&fr(tr, "Tous", "All")),
            ),
            Field::select(
                tr,
                "region",
                fr(tr, "Région", "Region"),
                &g("region"),
                regions.into_iter().map(|r| (r.clone(), r)),
                Some(&fr(tr, "Toutes", "All")),
            ),
            Field::new(tr, "text", "tag", "Segment", g("tag")).hint(fr(
                tr,
                "Étiquette d'établissement (facultatif)",
                "Institution tag (optional)",
            )),
            Field::checkboxes(
                tr,
                "functions",
                fr(
                    tr,
                    "Fonctions des contacts interrogés (aucune : toutes)",
                    "Functions of the contacts (none: all)",
                ),
                &data
                    .0
                    .iter()
                    .filter(|(k, _)| k == "functions")
                    .map(|(_, v)| v.clone())
                    .collect::<Vec<_>>(),
                relais_domain::crm::ContactFunction::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), x.label(en).to_string())),
            ),
            Field::new(
                tr,
                "number",
                "days",
                fr(tr, "Validité des liens (jours)", "Links valid for (days)"),
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
            button: fr(tr, "Envoyer la campagne", "Send the campaign"),
            danger: false,
        });
    }
    p.sections.push(s);
    form_reply(&p, failed.is_some(), tr)
}

async fn surveys_admin(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
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

async fn add_question(
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

async fn toggle_question(
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

async fn create_campaign(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let seg = relais_store::relation::Segment {
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

async fn set_thresholds(
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

// ---------------------------------------------------------------- health

fn health_sections(tr: Tr, v: &uc::HealthView) -> Vec<Sect> {
    let en = tr.en();
    let mut out = Vec::new();
    let mut s = Sect::new("indice", fr(tr, "Indice de santé", "Health indicator"));
    let delta = v
        .previous
        .as_ref()
        .map(|(d, p)| {
            format!(
                " ({}{} {} {})",
                if v.health.score >= *p { "+" } else { "" },
                v.health.score - p,
                fr(tr, "depuis le", "since"),
                fr_date(d)
            )
        })
        .unwrap_or_default();
    s.facts = vec![
        (
            fr(
                tr,
                "Indice actuel (sur 100)",
                "Current indicator (out of 100)",
            ),
            Cell::text(format!("{}{delta}", v.health.score)),
        ),
        (
            fr(tr, "Seuil de signalement", "Flag threshold"),
            Cell::text(v.threshold.to_string()),
        ),
    ];
    s.paras.push(fr(
        tr,
        &format!(
            "Formule : indice = {} + somme des contributions ci-dessous, arrondi et borné entre 0 et 100.",
            relais_domain::relation::HEALTH_BASE
        ),
        &format!(
            "Formula: indicator = {} + the sum of the contributions below, rounded and kept between 0 and 100.",
            relais_domain::relation::HEALTH_BASE
        ),
    ));
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Contribution de chaque facteur",
            "Contribution of each factor",
        ),
        &[
            if en { "Factor" } else { "Facteur" },
            if en { "Measured" } else { "Mesure" },
            if en { "Rule" } else { "Règle" },
            "Points",
        ],
    );
    for f in &v.health.factors {
        t.rows.push(vec![
            Cell::text(f.label.clone()),
            Cell::text(f.measure.clone()),
            Cell::text(f.rule.clone()),
            Cell::text(format!(
                "{}{}",
                if f.points > 0.0 { "+" } else { "" },
                fr_num(f.points)
            )),
        ]);
    }
    s.tables.push(t);
    out.push(s);
    let mut s = Sect::new("historique", fr(tr, "Historique", "History"));
    // One point per month: the last snapshot of each month.
    let mut monthly: Vec<(String, i64)> = Vec::new();
    for (d, score) in &v.history {
        let m = d[..7].to_string();
        match monthly.last_mut() {
            Some(last) if last.0 == m => last.1 = *score,
            _ => monthly.push((m, *score)),
        }
    }
    let title = fr(tr, "Indice de santé par mois", "Health indicator per month");
    s.chart = Some(bar_chart(
        &title,
        &monthly
            .iter()
            .map(|(m, x)| (m.clone(), *x as f64))
            .collect::<Vec<_>>(),
        100.0,
        Some(v.threshold as f64),
    ));
    let mut t = Table::new(
        tr,
        title,
        &[
            if en { "Month" } else { "Mois" },
            if en { "Indicator" } else { "Indice" },
        ],
    );
    for (m, x) in monthly.iter().rev() {
        t.rows
            .push(vec![Cell::text(m.clone()), Cell::text(x.to_string())]);
    }
    s.tables.push(t);
    s.tables.push(flags_table(
        tr,
        fr(tr, "Signalements de l'année", "Flags of the year"),
        &v.flags,
    ));
    out.push(s);
    out
}

async fn health_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let inst = relais_app::crm::get_institution(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let v = uc::health_view(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(
            &auth,
            fr(tr, "Santé de l'établissement", "Institution health"),
        ),
        format!("{} — {}", fr(tr, "Santé", "Health"), inst.name),
    );
    p.actions = vec![Link::new(
        format!("/etablissements/{id}"),
        fr(tr, "Vue 360°", "360° view"),
    )];
    p.sections = health_sections(tr, &v);
    Ok(render(&p, tr)?.into_response())
}

/// Incidents touching an institution's products (360° and member space).
fn incidents_table(tr: Tr, incidents: &[relais_store::relation::IncidentLine]) -> Table {
    let en = tr.en();
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Incidents en cours ou des 90 derniers jours",
            "Incidents open or of the last 90 days",
        ),
        &[
            "Incident",
            if en { "Product" } else { "Produit" },
            if en { "Opened" } else { "Ouvert le" },
            if en { "Resolved" } else { "Résolu le" },
        ],
    );
    for x in incidents {
        t.rows.push(vec![
            Cell::link(x.title.clone(), format!("/support/incidents/{}", x.id)),
            Cell::text(x.product_name.clone()),
            Cell::text(fr_date(&x.created_at)),
            Cell::text(
                x.resolved_at
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| fr(tr, "en cours", "open")),
            ),
        ]);
    }
    t
}

/// The relation part of the 360° page: health, charts (each with its
/// table), survey answers and recalls.
pub async fn institution_sections(
    state: &AppState,
    auth: &Auth,
    id: Id,
) -> Result<(Vec<Sect>, Vec<relais_app::crm::TimelineEntry>), PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let actor = auth.actor();
    let app = &state.app;
    let health = uc::health_view(app, actor, id).await.map_err(pe(tr))?;
    let monthly = uc::monthly(app, actor, id, 24).await.map_err(pe(tr))?;
    let answers = uc::institution_answers(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let recalls = uc::institution_recalls(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let incidents = uc::institution_incidents(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let mut out = Vec::new();
    let mut s = Sect::new(
        "incidents-produits",
        fr(
            tr,
            "Incidents sur ses produits",
            "Incidents on its products",
        ),
    );
    s.tables.push(incidents_table(tr, &incidents));
    out.push(s);
    let mut s = Sect::new(
        "relation",
        fr(
            tr,
            "Relation et satisfaction",
            "Relationship and satisfaction",
        ),
    );
    s.facts = vec![(
        fr(tr, "Indice de santé", "Health indicator"),
        Cell::link(
            format!(
                "{} / 100{}",
                health.health.score,
                health
                    .previous
                    .as_ref()
                    .map(|(_, p)| format!(" ({} {p})", fr(tr, "avant", "before")))
                    .unwrap_or_default()
            ),
            format!("/etablissements/{id}/sante"),
        ),
    )];
    s.links = vec![Link::new(
        format!("/etablissements/{id}/fiche"),
        fr(tr, "Fiche de synthèse imprimable", "Printable briefing"),
    )];
    out.push(s);
    // Satisfaction per month.
    let mut s = Sect::new(
        "satisfaction",
        fr(tr, "Satisfaction par mois", "Satisfaction per month"),
    );
    let title = fr(
        tr,
        "Satisfaction moyenne par mois (sur 5)",
        "Mean satisfaction per month (out of 5)",
    );
    let pts: Vec<(String, f64)> = monthly
        .satisfaction
        .iter()
        .map(|(m, sum, n)| (m.clone(), *sum as f64 / (*n).max(1) as f64))
        .collect();
    s.chart = Some(bar_chart(&title, &pts, 5.0, None));
    let mut t = Table::new(
        tr,
        title,
        &[
            if en { "Month" } else { "Mois" },
            if en { "Mean" } else { "Moyenne" },
            if en { "Answers" } else { "Réponses" },
        ],
    );
    for ((m, v), (_, _, n)) in pts.iter().zip(&monthly.satisfaction).rev() {
        t.rows.push(vec![
            Cell::text(m.clone()),
            Cell::text(fr_num(*v)),
            Cell::text(n.to_string()),
        ]);
    }
    s.tables.push(t);
    out.push(s);
    // Tickets per month and service-level compliance.
    let mut s = Sect::new(
        "tickets-mois",
        fr(tr, "Tickets par mois", "Tickets per month"),
    );
    let title = fr(tr, "Tickets déposés par mois", "Tickets filed per month");
    let pts: Vec<(String, f64)> = monthly
        .tickets
        .iter()
        .map(|(m, n, _, _)| (m.clone(), *n as f64))
        .collect();
    let max = pts.iter().map(|p| p.1).fold(1.0, f64::max);
    s.chart = Some(bar_chart(&title, &pts, max, None));
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Tickets et respect des délais de résolution par mois",
            "Tickets and resolution deadlines met per month",
        ),
        &[
            if en { "Month" } else { "Mois" },
            if en { "Filed" } else { "Déposés" },
            if en {
                "Deadline measured"
            } else {
                "Délai mesuré"
            },
            if en { "Deadline met" } else { "Délai tenu" },
            if en { "Compliance" } else { "Respect" },
        ],
    );
    for (m, n, measured, met) in monthly.tickets.iter().rev() {
        t.rows.push(vec![
            Cell::text(m.clone()),
            Cell::text(n.to_string()),
            Cell::text(measured.to_string()),
            Cell::text(met.to_string()),
            Cell::text(
                relais_app::sla_admin::share(*met, *measured)
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ]);
    }
    s.tables.push(t);
    out.push(s);
    let mut s = Sect::new(
        "engagements",
        fr(
            tr,
            "Respect des engagements de service",
            "Service-level compliance",
        ),
    );
    let title = fr(
        tr,
        "Part des tickets résolus dans le délai, par mois (%)",
        "Share of tickets resolved on time, per month (%)",
    );
    let pts: Vec<(String, f64)> = monthly
        .tickets
        .iter()
        .filter(|(_, _, measured, _)| *measured > 0)
        .map(|(m, _, measured, met)| (m.clone(), *met as f64 * 100.0 / *measured as f64))
        .collect();
    s.chart = Some(bar_chart(&title, &pts, 100.0, None));
    s.paras.push(fr(
        tr,
        "Les données de ce graphique sont dans le tableau « Tickets et respect des délais de résolution par mois » ci-dessus.",
        "The data of this chart is in the table “Tickets and resolution deadlines met per month” above.",
    ));
    out.push(s);
    // Answers and recalls.
    let mut s = Sect::new(
        "enquetes",
        fr(tr, "Réponses aux enquêtes", "Survey answers"),
    );
    let mut t = Table::new(
        tr,
        fr(tr, "Dernières réponses", "Latest answers"),
        &[
            "Date",
            if en { "Survey" } else { "Enquête" },
            if en { "Context" } else { "Contexte" },
            if en { "Score" } else { "Note" },
            if en { "Comment" } else { "Commentaire" },
        ],
    );
    for a in answers.iter().take(20) {
        t.rows.push(vec![
            Cell::text(fr_date(&a.answered_at)),
            Cell::text(kind_label(tr, &a.kind)),
            Cell::text(
                a.ticket_ref
                    .clone()
                    .or(a.training_title.clone())
                    .or(a.campaign_title.clone())
                    .unwrap_or_default(),
            ),
            Cell::text(score_text(a.score, a.nps)),
            Cell::text(a.comment.clone().unwrap_or_default()),
        ]);
    }
    s.tables.push(t);
    if actor.role.is_agency() {
        s.tables.push(recalls_table(
            tr,
            fr(tr, "Rappels", "Recalls"),
            &recalls,
            &today_s(state),
        ));
    }
    out.push(s);
    let mut timeline = Vec::new();
    for a in answers.iter().take(50) {
        timeline.push(relais_app::crm::TimelineEntry {
            date: a.answered_at[..10].to_string(),
            source: "enquete".into(),
            title: format!(
                "{} : {}",
                kind_label(tr, &a.kind),
                score_text(a.score, a.nps)
            ),
            detail: a.comment.clone(),
            link: None,
        });
    }
    for r in &recalls {
        timeline.push(relais_app::crm::TimelineEntry {
            date: r.created_at[..10].to_string(),
            source: "rappel".into(),
            title: format!(
                "{} ({})",
                fr(tr, "Rappel", "Recall"),
                score_text(r.score, r.nps)
            ),
            detail: r.outcome.clone(),
            link: Some(format!("/relation/rappels/{}", r.id)),
        });
    }
    Ok((out, timeline))
}

async fn briefing_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let id = path_id(&id, tr)?;
    let actor = auth.actor();
    if !actor.role.is_agency() {
        return Err(PageError::new(AppError::Domain(DomainError::NotFound), tr));
    }
    let v = relais_app::crm::institution_view(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let support = relais_app::sla_admin::institution_support_record(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let health = uc::health_view(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let incidents = uc::institution_incidents(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let answers = uc::institution_answers(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let recalls = uc::institution_recalls(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let i = &v.institution;
    let mut p = SectionsPage::new(
        Base::new(
            &auth,
            format!("{} — {}", fr(tr, "Fiche de synthèse", "Briefing"), i.name),
        ),
        format!("{} — {}", fr(tr, "Fiche de synthèse", "Briefing"), i.name),
    );
    p.subtitle = format!(
        "{} {}",
        fr(tr, "Préparée le", "Prepared on"),
        fr_date(&today_s(&state))
    );
    let mut s = Sect::new("identite", fr(tr, "L'établissement", "The institution"));
    s.facts = vec![
        (
            fr(tr, "Chargé·e de relation", "Key-account manager"),
            Cell::opt(&i.manager_name),
        ),
        (
            fr(tr, "Adhésion", "Membership"),
            Cell::text(i.membership.clone()),
        ),
        (fr(tr, "Ville", "City"), Cell::opt(&i.city)),
        (
            fr(tr, "Indice de santé", "Health indicator"),
            Cell::text(format!("{} / 100", health.health.score)),
        ),
    ];
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Gouvernance et contacts clés",
            "Governance and key contacts",
        ),
        &[
            if en { "Name" } else { "Nom" },
            if en { "Function" } else { "Fonction" },
        ],
    );
    for c in v.contacts.iter().filter(|c| {
        matches!(
            c.function.as_str(),
            "president" | "dgs" | "vp_numerique" | "dsi" | "daf" | "drh"
        )
    }) {
        t.rows.push(vec![
            Cell::text(format!("{} {}", c.first_name, c.last_name)),
            Cell::text(
                relais_domain::crm::ContactFunction::from_code(&c.function)
                    .map(|x| x.label(en).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    let mut s = Sect::new(
        "produits",
        fr(tr, "Produits et conventions", "Products and agreements"),
    );
    let mut t = Table::new(
        tr,
        fr(tr, "Produits déployés", "Products deployed"),
        &[
            if en { "Product" } else { "Produit" },
            "Version",
            if en { "Status" } else { "Statut" },
        ],
    );
    for d in &v.deployments {
        t.rows.push(vec![
            Cell::text(d.product_name.clone()),
            Cell::opt(&d.version),
            Cell::text(d.status.clone()),
        ]);
    }
    s.tables.push(t);
    let mut t = Table::new(
        tr,
        fr(tr, "Conventions", "Agreements"),
        &[
            if en { "Title" } else { "Intitulé" },
            if en { "End" } else { "Fin" },
            if en {
                "Renewal alert"
            } else {
                "Alerte de renouvellement"
            },
        ],
    );
    for c in &v.conventions {
        t.rows.push(vec![
            Cell::text(c.title.clone()),
            Cell::opt(&c.ends_on),
            Cell::opt(&c.renewal_alert_on),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    let mut s = Sect::new(
        "support",
        fr(tr, "Support (12 mois)", "Support (12 months)"),
    );
    s.facts = vec![
        (
            fr(tr, "Tickets", "Tickets"),
            Cell::text(support.totals.tickets.to_string()),
        ),
        (
            fr(tr, "Tickets ouverts", "Open tickets"),
            Cell::text(support.open.len().to_string()),
        ),
        (
            fr(
                tr,
                "Première réponse dans le délai",
                "First response on time",
            ),
            Cell::text(
                support
                    .first_response_share()
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            fr(tr, "Résolution dans le délai", "Resolution on time"),
            Cell::text(
                support
                    .resolution_share()
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            fr(
                tr,
                "Incidents sur ses produits (90 jours)",
                "Incidents on its products (90 days)",
            ),
            Cell::text(incidents.len().to_string()),
        ),
    ];
    p.sections.push(s);
    let mut s = Sect::new("sante", fr(tr, "Points d'attention", "Points of attention"));
    s.items = health
        .health
        .factors
        .iter()
        .filter(|f| f.points < 0.0)
        .map(|f| format!("{} : {} ({} points)", f.label, f.measure, fr_num(f.points)))
        .collect();
    let open: Vec<_> = recalls.iter().filter(|r| r.status == "ouvert").collect();
    s.items.push(format!(
        "{} : {}",
        fr(tr, "Rappels ouverts", "Open recalls"),
        open.len()
    ));
    if let Some(a) = answers.first() {
        s.items.push(format!(
            "{} : {} ({})",
            fr(tr, "Dernière réponse d'enquête", "Latest survey answer"),
            score_text(a.score, a.nps),
            fr_date(&a.answered_at)
        ));
    }
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

// ---------------------------------------------------------------- member space

async fn space(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let actor = auth.actor().clone();
    let app = &state.app;
    let Some(inst) = actor.institution_id else {
        return Ok(Redirect::to("/relation").into_response());
    };
    let v = relais_app::crm::institution_view(app, &actor, inst)
        .await
        .map_err(pe(tr))?;
    let support = relais_app::sla_admin::institution_support_record(app, &actor, inst)
        .await
        .map_err(pe(tr))?;
    let incidents = uc::institution_incidents(app, &actor, inst)
        .await
        .map_err(pe(tr))?;
    let regs = relais_app::training::my_registrations(app, &actor)
        .await
        .map_err(pe(tr))?;
    let pending = uc::pending_for(app, &actor).await.map_err(pe(tr))?;
    let interests = relais_app::community::interests(app, &actor)
        .await
        .map_err(pe(tr))?;
    let pubs = relais_app::community::list_publications(
        app,
        &actor,
        &relais_store::community::PublicationFilter {
            domains: interests.clone(),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .map_err(pe(tr))?
    .0;
    let domains = relais_app::crm::list_domains(app).await.map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(&auth, fr(tr, "Mon espace adhérent", "My member space")),
        fr(tr, "Mon espace adhérent", "My member space"),
    );
    p.subtitle = format!(
        "{} — {}",
        auth.session.user.display_name, v.institution.name
    );
    p.actions = vec![
        Link::new(
            format!("/etablissements/{inst}"),
            fr(tr, "Mon établissement", "My institution"),
        ),
        Link::new(
            "/espace/donnees",
            fr(tr, "Mes données personnelles", "My personal data"),
        ),
        Link::new("/compte", fr(tr, "Mon compte", "My account")),
    ];
    // Surveys waiting.
    let mut s = Sect::new(
        "enquetes",
        fr(
            tr,
            "Enquêtes en attente de votre réponse",
            "Surveys waiting for your answer",
        ),
    );
    if pending.is_empty() {
        s.paras
            .push(fr(tr, "Aucune enquête en attente.", "No survey waiting."));
    }
    for i in &pending {
        s.forms.push(PageForm {
            action: format!("/espace/enquetes/{}", i.id),
            fields: vec![],
            button: format!("{} : {}", fr(tr, "Répondre", "Answer"), context_of(tr, i)),
            danger: false,
        });
    }
    p.sections.push(s);
    // Products and versions.
    let mut s = Sect::new(
        "produits",
        fr(tr, "Nos produits et versions", "Our products and versions"),
    );
    let mut t = Table::new(
        tr,
        fr(tr, "Produits déployés", "Products deployed"),
        &[
            if en { "Product" } else { "Produit" },
            "Version",
            if en { "Status" } else { "Statut" },
        ],
    );
    for d in &v.deployments {
        t.rows.push(vec![
            Cell::text(d.product_name.clone()),
            Cell::opt(&d.version),
            Cell::text(
                relais_domain::crm::DeploymentStatus::from_code(&d.status)
                    .map(|x| x.label(en).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    // Tickets with live deadlines.
    let mut s = Sect::new("tickets", fr(tr, "Nos tickets ouverts", "Our open tickets"));
    let now = state.app.now_ts();
    let mut t = Table::new(
        tr,
        format!(
            "{} {}",
            support.open.len(),
            fr(tr, "ticket(s) ouvert(s)", "open ticket(s)")
        ),
        &[
            if en { "Reference" } else { "Référence" },
            if en { "Subject" } else { "Objet" },
            if en { "Product" } else { "Produit" },
            if en {
                "Resolution due"
            } else {
                "Résolution attendue"
            },
        ],
    );
    for tk in &support.open {
        let due = match &tk.resolution_due_at {
            Some(d) if d.as_str() < now.as_str() => {
                format!("{} ({})", fr_date(d), fr(tr, "dépassé", "missed"))
            }
            Some(d) => fr_date(d),
            None => "—".into(),
        };
        t.rows.push(vec![
            Cell::link(tk.reference.clone(), format!("/support/{}", tk.id)),
            Cell::text(tk.subject.clone()),
            Cell::text(tk.product_name.clone()),
            Cell::text(due),
        ]);
    }
    s.tables.push(t);
    s.links.push(Link::new(
        "/support",
        fr(tr, "Tous nos tickets", "All our tickets"),
    ));
    p.sections.push(s);
    // Incidents.
    let mut s = Sect::new(
        "incidents",
        fr(
            tr,
            "Incidents sur nos produits",
            "Incidents on our products",
        ),
    );
    s.tables.push(incidents_table(tr, &incidents));
    p.sections.push(s);
    // Trainings.
    let mut s = Sect::new("formations", fr(tr, "Mes formations", "My training"));
    let mut t = Table::new(
        tr,
        fr(tr, "Mes inscriptions", "My registrations"),
        &[
            if en { "Training" } else { "Formation" },
            "Dates",
            if en { "Status" } else { "Statut" },
        ],
    );
    for (r, pos) in regs.iter().take(20) {
        t.rows.push(vec![
            Cell::link(
                r.training_title.clone(),
                format!("/formations/sessions/{}", r.session_id),
            ),
            Cell::text(format!(
                "{} – {}",
                fr_date(&r.starts_on),
                fr_date(&r.ends_on)
            )),
            Cell::text(match pos {
                Some(n) => format!("{} ({n})", fr(tr, "liste d'attente", "waiting list")),
                None => relais_domain::training::RegistrationStatus::from_code(&r.status)
                    .map(|x| x.label(en).to_string())
                    .unwrap_or_else(|| r.status.clone()),
            }),
        ]);
    }
    s.tables.push(t);
    s.links.push(Link::new(
        "/formations/mes-inscriptions",
        fr(tr, "Mon espace formation", "My training space"),
    ));
    s.links.push(Link::new(
        "/communautes",
        fr(tr, "Événements des communautés", "Community events"),
    ));
    if matches!(actor.role, Role::MemberAdmin) {
        s.links.push(Link::new(
            format!("/formations/releves?etablissement={inst}"),
            fr(
                tr,
                "Relevé de formation de l'établissement",
                "Institution training statement",
            ),
        ));
    }
    p.sections.push(s);
    // Publications.
    let mut s = Sect::new(
        "publications",
        fr(
            tr,
            "Publications pour mes domaines",
            "Publications for my domains",
        ),
    );
    for pb in &pubs {
        s.links.push(Link::new(
            format!("/publications/{}", pb.id),
            format!("{} — {}", fr_date(&pb.published_on), pb.title),
        ));
    }
    if pubs.is_empty() {
        s.paras
            .push(fr(tr, "Aucune publication.", "No publication."));
    }
    p.sections.push(s);
    // Interests.
    let mut s = Sect::new(
        "interets",
        fr(
            tr,
            "Mes domaines d'intérêt et abonnements",
            "My interests and subscriptions",
        ),
    );
    s.forms.push(PageForm {
        action: "/espace/interets".into(),
        fields: vec![Field::checkboxes(
            tr,
            "domains",
            fr(
                tr,
                "Domaines qui m'intéressent",
                "Domains I am interested in",
            ),
            &interests,
            domains.into_iter().map(|d| (d.code, d.name)),
        )],
        button: fr(tr, "Enregistrer mes domaines", "Save my domains"),
        danger: false,
    });
    s.links.push(Link::new(
        "/communautes/listes",
        fr(tr, "Listes de diffusion", "Mailing lists"),
    ));
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

async fn set_interests(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let domains: Vec<String> =
        f.0.iter()
            .filter(|(k, _)| k == "domains")
            .map(|(_, v)| v.clone())
            .collect();
    uc::set_my_interests(&state.app, auth.actor(), &domains)
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/espace?ok=interets").into_response())
}

async fn open_my_survey(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let token = uc::link_for_me(&state.app, auth.actor(), id)
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to(&format!("/enquete/{token}")).into_response())
}

// ---------------------------------------------------------------- personal data

fn data_sections(tr: Tr, d: &relais_app::privacy::PersonData) -> Vec<Sect> {
    d.sections
        .iter()
        .map(|sec| {
            let mut s = Sect::new(sec.key, sec.title);
            let cols: Vec<String> = sec
                .rows
                .first()
                .and_then(|r| r.as_object())
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            if sec.rows.is_empty() {
                s.paras.push(fr(tr, "Rien.", "Nothing."));
            } else {
                let heads: Vec<&str> = cols.iter().map(String::as_str).collect();
                let mut t = Table::new(tr, sec.title, &heads);
                for r in &sec.rows {
                    t.rows.push(
                        cols.iter()
                            .map(|c| Cell::text(r[c].as_str().unwrap_or("—").to_string()))
                            .collect(),
                    );
                }
                s.tables.push(t);
            }
            s
        })
        .collect()
}

fn json_download(d: &relais_app::privacy::PersonData, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        serde_json::to_string_pretty(d).unwrap_or_default(),
    )
        .into_response()
}

async fn my_data_page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let d = relais_app::privacy::my_data(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(
            &auth,
            fr(tr, "Mes données personnelles", "My personal data"),
        ),
        fr(tr, "Mes données personnelles", "My personal data"),
    );
    p.subtitle = fr(
        tr,
        "Tout ce que Relais conserve à votre sujet. Pour faire rectifier ou effacer ces données, écrivez au délégué à la protection des données de l'agence.",
        "Everything Relais holds about you. To have it corrected or erased, write to the agency's data protection officer.",
    );
    p.actions = vec![Link::new(
        "/espace/donnees.json",
        fr(tr, "Télécharger (JSON)", "Download (JSON)"),
    )];
    p.sections = data_sections(tr, &d);
    Ok(render(&p, tr)?.into_response())
}

async fn my_data_json(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let d = relais_app::privacy::my_data(&state.app, auth.actor())
        .await
        .map_err(pe(auth.tr))?;
    Ok(json_download(&d, "mes-donnees-relais.json"))
}

async fn contact_data_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let d = relais_app::privacy::contact_data(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let reads = relais_app::privacy::contact_reads(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(
            &auth,
            fr(
                tr,
                "Données personnelles du contact",
                "Contact's personal data",
            ),
        ),
        fr(
            tr,
            "Données personnelles du contact",
            "Contact's personal data",
        ),
    );
    p.actions = vec![
        Link::new(
            format!("/contacts/{id}"),
            fr(tr, "Fiche du contact", "Contact page"),
        ),
        Link::new(
            format!("/contacts/{id}/donnees.json"),
            fr(tr, "Télécharger (JSON)", "Download (JSON)"),
        ),
    ];
    p.sections = data_sections(tr, &d);
    let mut s = Sect::new(
        "lectures",
        fr(tr, "Qui a consulté cette fiche", "Who read this page"),
    );
    let mut t = Table::new(
        tr,
        fr(tr, "Consultations par l'agence", "Reads by agency staff"),
        &[
            if tr.en() { "When" } else { "Quand" },
            if tr.en() { "Who" } else { "Qui" },
        ],
    );
    for r in &reads {
        t.rows.push(vec![
            Cell::text(r.read_at.clone()),
            Cell::text(r.user_name.clone().unwrap_or_default()),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    let erased = d
        .sections
        .first()
        .and_then(|s| s.rows.first())
        .is_some_and(|r| !r["efface_le"].is_null());
    if !erased {
        let mut s = Sect::new("effacer", fr(tr, "Effacer sur demande", "Erase on request"));
        s.paras.push(fr(
            tr,
            "L'effacement remplace le nom, le courriel et le téléphone de la personne par un pseudonyme partout (fiches, tickets, historique, index de recherche) ; les tickets, relevés et montants restent intacts. Irréversible.",
            "Erasure replaces the person's name, e-mail and phone by a pseudonym everywhere (records, tickets, history, search index); tickets, statements and amounts stay intact. Irreversible.",
        ));
        s.forms.push(PageForm {
            action: format!("/contacts/{id}/effacer"),
            fields: vec![Field::new(
                tr,
                "checkbox",
                "confirm",
                fr(
                    tr,
                    "Je confirme l'effacement demandé par la personne",
                    "I confirm the erasure requested by the person",
                ),
                "",
            )],
            button: fr(tr, "Effacer ce contact", "Erase this contact"),
            danger: true,
        });
        p.sections.push(s);
    }
    Ok(render(&p, tr)?.into_response())
}

async fn contact_data_json(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let d = relais_app::privacy::contact_data(&state.app, auth.actor(), id)
        .await
        .map_err(pe(auth.tr))?;
    Ok(json_download(&d, &format!("contact-{id}.json")))
}

async fn erase_contact(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if f.get("confirm") != "1" {
        return Err(PageError::new(
            AppError::Domain(DomainError::invalid(
                "confirm_required",
                "confirm",
                "Cochez la case de confirmation pour effacer ce contact.",
            )),
            tr,
        ));
    }
    relais_app::privacy::erase_contact(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/contacts/{id}/donnees?ok=efface")).into_response())
}

// ---------------------------------------------------------------- retention

async fn retention_view(
    state: &AppState,
    auth: &Auth,
    failed: Option<(&FormData, &DomainError)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let rules = relais_app::privacy::retention(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(auth, fr(tr, "Conservation des données", "Data retention")),
        fr(tr, "Conservation des données", "Data retention"),
    );
    p.subtitle = fr(
        tr,
        "Chaque type de donnée est supprimé après sa durée de conservation. La simulation ci-dessous liste ce qui partirait aujourd'hui ; rien n'est supprimé tant que vous n'appliquez pas.",
        "Each kind of data is deleted after its retention period. The dry run below lists what would go today; nothing is deleted until you apply.",
    );
    let mut s = Sect::new("simulation", fr(tr, "Simulation", "Dry run"));
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Ce qui serait supprimé aujourd'hui",
            "What would be deleted today",
        ),
        &[
            if en { "Data" } else { "Donnée" },
            if en {
                "Kept (months)"
            } else {
                "Conservée (mois)"
            },
            if en { "Older than" } else { "Antérieure au" },
            if en { "Would go" } else { "À supprimer" },
            if en {
                "Oldest items"
            } else {
                "Plus anciens éléments"
            },
        ],
    );
    for r in &rules {
        t.rows.push(vec![
            Cell::text(r.label),
            Cell::text(r.months.to_string()),
            Cell::text(fr_date(&r.cutoff)),
            Cell::text(r.count.to_string()),
            Cell::text(
                r.sample
                    .iter()
                    .map(|(_, d, w)| format!("{} {}", fr_date(d), w))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ]);
    }
    s.tables.push(t);
    s.forms.push(PageForm {
        action: "/admin/conservation/appliquer".into(),
        fields: vec![],
        button: fr(tr, "Appliquer les règles maintenant", "Apply the rules now"),
        danger: true,
    });
    p.sections.push(s);
    let mut s = Sect::new(
        "regles",
        fr(tr, "Durées de conservation", "Retention periods"),
    );
    let mut fields = vec![
        Field::select(
            tr,
            "kind",
            fr(tr, "Donnée", "Data"),
            &failed.map(|f| f.0.get("kind")).unwrap_or_default(),
            rules
                .iter()
                .map(|r| (r.kind.to_string(), r.label.to_string())),
            None,
        ),
        Field::new(
            tr,
            "number",
            "months",
            fr(tr, "Durée (mois)", "Period (months)"),
            failed.map(|f| f.0.get("months")).unwrap_or_default(),
        )
        .required(),
    ];
    if let Some((_, e)) = failed {
        p.errors = apply_errors(&mut fields, e);
    }
    s.forms.push(PageForm {
        action: "/admin/conservation".into(),
        fields,
        button: fr(tr, "Enregistrer la durée", "Save the period"),
        danger: false,
    });
    p.sections.push(s);
    form_reply(&p, failed.is_some(), tr)
}

async fn retention_page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    retention_view(&state, &auth, None).await
}

async fn set_retention(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let months = f.get("months").trim().parse().unwrap_or(0);
    match relais_app::privacy::set_retention(&state.app, auth.actor(), &f.get("kind"), months).await
    {
        Ok(()) => Ok(Redirect::to("/admin/conservation?ok=conservation").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            retention_view(&state, &auth, Some((&f, &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn apply_retention(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    relais_app::privacy::apply_retention(&state.app, auth.actor())
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/admin/conservation?ok=purge").into_response())
}
