//! The survey link (/enquete/{token}, no login): the questions of an invitation and the answer.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct QuestionView {
    code: String,
    label: String,
    scale: String,
    options: Vec<(String, String)>,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey.html")]
pub(super) struct SurveyPage {
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
pub(super) struct NoteQuery {
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
    tr.t("enquete-de-satisfaction").to_string()
}

fn question_views(
    tr: Tr,
    qs: &[relais_app::relation::QuestionRow],
    values: &FormData,
) -> Vec<QuestionView> {
    qs.iter()
        .map(|q| {
            let scale = Scale::from_code(&q.scale).unwrap_or(Scale::Text);
            let options: Vec<(String, String)> = match scale {
                Scale::OneToFive => [
                    "survey-scale-1",
                    "survey-scale-2",
                    "survey-scale-3",
                    "survey-scale-4",
                    "survey-scale-5",
                ]
                .iter()
                .zip(1..)
                .map(|(k, n)| (n.to_string(), tr.t(k).to_string()))
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

fn refusal_text(tr: Tr, r: uc::Refusal) -> String {
    tr.t(match r {
        uc::Refusal::Unknown => "survey-link-unknown",
        uc::Refusal::Used => "survey-link-used",
        uc::Refusal::Expired => "survey-link-expired",
        uc::Refusal::OtherPerson => "survey-link-other-person",
    })
    .to_string()
}

pub(super) async fn survey_page(
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

pub(super) async fn survey_submit(
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
