//! Choices for select fields, read through the use cases (so a member
//! only ever sees their own institution).

use super::reply::pe;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::AppState;
use relais_app::crm as uc;
use relais_app::crm::InstitutionFilter;

/// `(id, name)` of the institutions the actor may see, for selects.
///
/// ```ignore
/// let insts = institution_options(&state, &auth).await?;
/// Field::select(tr, "institution_id", "Établissement", &current, insts, Some("—"))
/// ```
pub async fn institution_options(
    state: &AppState,
    auth: &Auth,
) -> Result<Vec<(String, String)>, PageError> {
    let (rows, _) = uc::list_institutions(
        &state.app,
        auth.actor(),
        &InstitutionFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .map_err(pe(auth.tr))?;
    Ok(rows.into_iter().map(|i| (i.id, i.name)).collect())
}

/// The "institution" filter of an agency list page (conventions,
/// deployments…): a select of every institution for agency staff, nothing
/// for a member, who only ever sees their own institution.
///
/// ```ignore
/// filters.extend(institution_filter(&state, &auth, q.institution.as_deref()).await?);
/// ```
pub async fn institution_filter(
    state: &AppState,
    auth: &Auth,
    selected: Option<&str>,
) -> Result<Option<crate::view::Field>, PageError> {
    if !auth.actor().role.is_agency() {
        return Ok(None);
    }
    let tr = auth.tr;
    Ok(Some(crate::view::Field::select(
        tr,
        "institution",
        tr.t("etablissement"),
        selected.unwrap_or(""),
        institution_options(state, auth).await?,
        Some(tr.t("all")),
    )))
}

/// `(id, name)` of every product, for selects.
///
/// ```ignore
/// let products = product_options(&state, tr).await?;
/// ```
pub async fn product_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(uc::list_products(&state.app, None)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}
