//! A posting's requirements as a freelancer reads them.

use crate::hire::postings::model::PostingDetail;
use crate::hire::reference::model::SKILL_LEVELS;
use leptos::prelude::*;

/// The skills and certificates a shift asks for.
#[component]
pub fn ShiftRequirements(detail: PostingDetail) -> impl IntoView {
    let level = |l: i16| SKILL_LEVELS[usize::try_from(l - 1).unwrap_or(0)].to_lowercase();
    let skills: Vec<String> = detail
        .skills
        .iter()
        .map(|(_, name, l)| format!("{name} ({})", level(*l)))
        .collect();
    let certificates: Vec<String> = detail.certificates.into_iter().map(|(_, n)| n).collect();
    view! {
        {(!skills.is_empty()).then(|| view! { <p>"Skills: "{skills.join(", ")}</p> })}
        {(!certificates.is_empty()).then(|| view! {
            <p data-testid="required-certificates">"Certificates, verified and valid on the day: "{certificates.join(", ")}</p>
        })}
    }
}
