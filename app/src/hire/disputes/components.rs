//! A dispute next to the hours or work it is about, as both sides see it.

use super::model::{DisputeBrief, DisputeStatus};
use leptos::prelude::*;

/// Where a dispute stands: the claim and the organisation's reason, when either side may ask
/// Olivine to decide (with `form`, the way to ask, once they may), and Olivine's decision.
#[component]
pub fn DisputeNote(brief: DisputeBrief, #[prop(optional)] form: Option<AnyView>) -> impl IntoView {
    let what = match brief.week {
        Some(week) => format!("The week of {}", week.format("%-d %b %Y")),
        None => "This claim".to_owned(),
    };
    let state = match brief.status {
        DisputeStatus::Open if brief.may_escalate => {
            "The two sides haven't settled it: either may now ask Olivine to decide.".to_owned()
        }
        DisputeStatus::Open => format!(
            "Its pay is held until it is settled. If the two sides can't agree, either may ask Olivine to decide from {}.",
            brief.escalates_from.format("%a %-d %b, %H:%M UTC")
        ),
        DisputeStatus::Escalated => {
            "Olivine is looking at the hours, the messages and the history, and will tell you both."
                .to_owned()
        }
        DisputeStatus::Resolved | DisputeStatus::Settled => String::new(),
    };
    view! {
        <div class="dispute" data-testid="dispute" data-status=brief.status.db_name()>
            <p>
                <span class="tag">{brief.status.label()}</span>" "
                {format!("{what} ({}) is disputed: “{}”", brief.claimed, brief.reason)}
            </p>
            {(!state.is_empty()).then(|| view! { <p class="muted">{state}</p> })}
            {brief.escalation_note.clone().map(|note| view! {
                <p class="muted">{format!("Asked to decide: “{note}”")}</p>
            })}
            {brief.decision().map(|decision| view! {
                <p data-testid="dispute-decision">
                    <strong>{decision}</strong>
                    {brief.resolution_note.clone().map(|note| format!(" “{note}”"))}
                </p>
            })}
            {form}
        </div>
    }
}
