//! Choices for select fields, read through the use cases (so a member
//! only ever sees their own institution).

use super::reply::pe;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::AppState;
use relais_app::crm as uc;
use relais_store::crm::InstitutionFilter;

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
