//! Demo accounts: one admin, shoppers, freelancers, and two client organisations with an owner
//! and a manager each. Every demo login uses [`DEMO_PASSWORD`] (README lists them).

use super::stable_id;
use anyhow::Context;
use app::accounts::model::{OrgRole, Role};
use app::accounts::{password, repo};
use app::ids::{OrganisationId, UserId};
use app::vault::Vault;
use sqlx::PgPool;

pub const DEMO_PASSWORD: &str = "olivine-demo-password";

/// The demo admin's authenticator secret (base32 `N5WGS5TJNZSS2ZDFNVXS2YLENVUW4IJB`, in the
/// README): the back office needs two-step sign-in, and the browser tests compute its codes.
pub const DEMO_ADMIN_AUTHENTICATOR: &[u8] = b"olivine-demo-admin!!";
const DEMO_ADMIN: &str = "admin@olivine.test";

/// (email, name, roles)
const PEOPLE: &[(&str, &str, &[Role])] = &[
    (
        DEMO_ADMIN,
        "Ada Admin",
        &[Role::AdminCatalog, Role::AdminSupport, Role::AdminFinance],
    ),
    ("ann@olivine.test", "Ann Shopper", &[]),
    ("ben@olivine.test", "Ben Shopper", &[]),
    ("fay@olivine.test", "Fay Freelancer", &[Role::Freelancer]),
    ("finn@olivine.test", "Finn Freelancer", &[Role::Freelancer]),
    ("hana@olivine.test", "Hana Harbour", &[]),
    ("max@olivine.test", "Max Harbour", &[]),
    ("mia@olivine.test", "Mia Meadow", &[]),
    ("leo@olivine.test", "Leo Meadow", &[]),
    ("olga@olivine.test", "Olga Canal", &[]),
];

/// (slug, name, owner, managers)
const ORGANISATIONS: &[(&str, &str, &str, &[&str])] = &[
    (
        "harbour-hotels",
        "Harbour Hotels",
        "hana@olivine.test",
        &["max@olivine.test"],
    ),
    (
        "meadow-events",
        "Meadow Events",
        "mia@olivine.test",
        &["leo@olivine.test"],
    ),
    (
        "canal-logistics",
        "Canal Logistics",
        "olga@olivine.test",
        &[],
    ),
];

pub(crate) fn user_id(email: &str) -> UserId {
    UserId(stable_id(&format!("user:{email}")))
}

/// Add the demo accounts that are missing; returns how many people were added.
pub async fn seed_accounts(db: &PgPool, vault: &Vault) -> anyhow::Result<usize> {
    // One hash for every demo login keeps seeding fast; they share a password anyway.
    let hash = password::hash(DEMO_PASSWORD.to_owned())
        .await
        .context("hashing the demo password")?;
    let mut tx = db
        .begin()
        .await
        .context("cannot start the seed transaction")?;
    let mut added = 0;
    for (email, name, roles) in PEOPLE {
        if repo::credentials_by_email(&mut tx, vault, email)
            .await?
            .is_some()
        {
            continue;
        }
        let id = user_id(email);
        repo::insert_user(&mut tx, vault, id, email, name, Some(&hash), true).await?;
        for role in *roles {
            repo::grant_role(&mut tx, id, *role, None).await?;
        }
        added += 1;
    }
    for (slug, name, owner, managers) in ORGANISATIONS {
        let org = OrganisationId(stable_id(&format!("organisation:{slug}")));
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM organisations WHERE slug = $1) AS "exists!""#,
            slug
        )
        .fetch_one(&mut *tx)
        .await?;
        if exists {
            continue;
        }
        repo::insert_organisation(&mut tx, org, slug, name).await?;
        repo::add_member(&mut tx, org, user_id(owner), OrgRole::Owner).await?;
        for manager in *managers {
            repo::add_member(&mut tx, org, user_id(manager), OrgRole::Manager).await?;
        }
    }
    tx.commit()
        .await
        .context("cannot commit the demo accounts")?;
    Ok(added)
}

/// Give the demo admin their authenticator, sealed with their data key, unless they have one;
/// true when added.
pub async fn seed_demo_authenticator(db: &PgPool, vault: &Vault) -> anyhow::Result<bool> {
    let admin = user_id(DEMO_ADMIN);
    let mut tx = db
        .begin()
        .await
        .context("cannot start the seed transaction")?;
    if repo::authenticator_of(&mut tx, admin).await?.is_some()
        || repo::credentials_by_email(&mut tx, vault, DEMO_ADMIN)
            .await?
            .is_none()
    {
        return Ok(false);
    }
    let sealed = vault
        .seal(
            &mut tx,
            admin,
            &repo::authenticator_context(admin),
            DEMO_ADMIN_AUTHENTICATOR,
        )
        .await
        .context("sealing the demo admin's authenticator")?;
    repo::begin_authenticator(&mut tx, admin, &sealed).await?;
    repo::confirm_authenticator(&mut tx, admin).await?;
    tx.commit()
        .await
        .context("cannot commit the demo authenticator")?;
    Ok(true)
}
