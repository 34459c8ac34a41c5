//! Organisation pages: create one, its settings (members, invitations), accept an invitation.

use super::{ViewerState, refresh_viewer_on_success};
use crate::accounts::api::{
    AcceptInvitation, CreateOrganisation, InviteManager, RemoveMember, RevokeInvitation,
    TransferOwnership, load_invitation, load_organisation,
};
use crate::accounts::model::{OrgRole, OrganisationSettings};
use crate::ui::{ErrorPage, FormError, Notice, TextField, form_error, urlencode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn NewOrganisationPage() -> impl IntoView {
    let action = ServerAction::<CreateOrganisation>::new();
    refresh_viewer_on_success(action);
    let error = form_error(action);
    view! {
        <Title text="Create an organisation — Olivine"/>
        <section class="auth">
            <h1>"Create your organisation"</h1>
            <p>"Post shifts and jobs as your company, and invite the managers who hire with you. You'll be its owner."</p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <TextField label="Organisation name" name="name" autocomplete="organization" error/>
                <FormError error/>
                <button type="submit" class="button button--wide">"Create organisation"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn OrganisationSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()));
    let invite = ServerAction::<InviteManager>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let transfer = ServerAction::<TransferOwnership>::new();
    refresh_viewer_on_success(transfer);
    let settings = Resource::new(
        move || {
            (
                slug.get(),
                invite.version().get(),
                revoke.version().get(),
                remove.version().get(),
                transfer.version().get(),
            )
        },
        |(slug, ..)| load_organisation(slug),
    );
    let actions = OrgActions {
        invite,
        revoke,
        remove,
        transfer,
    };
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(org) => view! { <OrganisationSettingsView org actions/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct OrgActions {
    invite: ServerAction<InviteManager>,
    revoke: ServerAction<RevokeInvitation>,
    remove: ServerAction<RemoveMember>,
    transfer: ServerAction<TransferOwnership>,
}

#[component]
fn OrganisationSettingsView(org: OrganisationSettings, actions: OrgActions) -> impl IntoView {
    let owner = org.my_role == OrgRole::Owner;
    let invite_error = form_error(actions.invite);
    let member_error = Signal::derive(move || {
        form_error(actions.remove)
            .get()
            .or_else(|| form_error(actions.transfer).get())
            .or_else(|| form_error(actions.revoke).get())
    });
    let invited = move || actions.invite.value().with(|v| matches!(v, Some(Ok(()))));
    let slug = org.slug.clone();
    view! {
        <Title text=format!("{} settings — Olivine", org.name)/>
        <header class="page-head">
            <p class="eyebrow">"Organisation"</p>
            <h1>{org.name.clone()}</h1>
            <p class="muted">{format!("You are its {}.", org.my_role.label().to_lowercase())}</p>
        </header>
        <section class="panel" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <table class="table" data-testid="members">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {org.members.into_iter().map(|m| {
                        let manageable = owner && m.role == OrgRole::Manager && m.user_id != org.me;
                        let (slug_a, slug_b) = (slug.clone(), slug.clone());
                        let (id_a, id_b) = (m.user_id.to_string(), m.user_id.to_string());
                        view! {
                            <tr>
                                <td>{m.display_name}</td>
                                <td>{m.email}</td>
                                <td>{m.role.label()}</td>
                                <td class="table__actions">
                                    {manageable.then(|| view! {
                                        <ActionForm action=actions.transfer attr:class="inline-form">
                                            <input type="hidden" name="slug" value=slug_a/>
                                            <input type="hidden" name="user_id" value=id_a/>
                                            <button type="submit" class="link-button">"Make owner"</button>
                                        </ActionForm>
                                        <ActionForm action=actions.remove attr:class="inline-form">
                                            <input type="hidden" name="slug" value=slug_b/>
                                            <input type="hidden" name="user_id" value=id_b/>
                                            <button type="submit" class="link-button link-button--danger">"Remove"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <FormError error=member_error/>
        </section>
        {owner.then(|| {
            let slug_invite = slug.clone();
            let slug_revoke = slug.clone();
            view! {
                <section class="panel" aria-labelledby="invite-heading">
                    <h2 id="invite-heading">"Invite a hiring manager"</h2>
                    {move || invited().then(|| view! { <Notice tone="success"><p>"Invitation sent."</p></Notice> })}
                    <ActionForm action=actions.invite attr:class="form form--narrow" attr:novalidate=true>
                        <input type="hidden" name="slug" value=slug_invite/>
                        <TextField label="Their email" name="email" kind="email" autocomplete="off" error=invite_error/>
                        <FormError error=invite_error/>
                        <button type="submit" class="button">"Send invitation"</button>
                    </ActionForm>
                    {(!org.invitations.is_empty()).then(|| view! {
                        <h3>"Waiting for an answer"</h3>
                        <ul class="list" role="list" data-testid="invitations">
                            {org.invitations.into_iter().map(|i| { let slug_revoke = slug_revoke.clone(); view! {
                                <li class="list__row">
                                    <span>{i.email}</span>
                                    <span class="muted">{format!("until {}", i.expires_at.format("%-d %b %Y"))}</span>
                                    <ActionForm action=actions.revoke attr:class="inline-form">
                                        <input type="hidden" name="slug" value=slug_revoke/>
                                        <input type="hidden" name="invitation_id" value=i.invitation_id.to_string()/>
                                        <button type="submit" class="link-button">"Revoke"</button>
                                    </ActionForm>
                                </li>
                            }}).collect_view()}
                        </ul>
                    })}
                </section>
            }
        })}
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.with(|q| q.get("token").unwrap_or_default()));
    let preview = Resource::new(move || token.get(), load_invitation);
    let accept = ServerAction::<AcceptInvitation>::new();
    refresh_viewer_on_success(accept);
    let error = form_error(accept);
    let viewer = use_context::<ViewerState>();
    view! {
        <Title text="Your invitation — Olivine"/>
        <section class="auth">
            <Suspense fallback=|| view! { <p aria-busy="true">"Opening your invitation…"</p> }>
                {move || Suspend::new(async move {
                    let signed_in = match viewer {
                        Some(v) => v.viewer.await.ok().flatten().is_some(),
                        None => false,
                    };
                    match preview.await {
                        Ok(invite) => {
                            let here = urlencode(&format!("/hire/invitations?token={}", token.get_untracked()));
                            view! {
                                <h1>{format!("Join {}", invite.organisation_name)}</h1>
                                <p>{format!("This invitation is for {}. It works until {}.", invite.email, invite.expires_at.format("%-d %b %Y"))}</p>
                                {if signed_in {
                                    view! {
                                        <ActionForm action=accept attr:class="form">
                                            <input type="hidden" name="token" value=token.get_untracked()/>
                                            <FormError error/>
                                            <button type="submit" class="button button--wide">"Accept and join"</button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! {
                                        <p>"Sign in with that address to accept, or create an account for it first."</p>
                                        <p class="notice__actions">
                                            <a class="button" href=format!("/signin?next={here}")>"Sign in"</a>
                                            <a class="button button--quiet" href="/signup">"Create an account"</a>
                                        </p>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(error) => view! {
                            <h1>"This invitation can't be used"</h1>
                            <Notice tone="warning"><p>{error.to_string()}</p></Notice>
                            <p>"Ask the person who invited you to send a new one."</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
