//! Product images end to end on the server: upload → stored renditions → the AVIF job → served
//! with immutable caching → `<picture>` on the shop's pages.

use app::ids::ProductId;
use app::media::repo as media_repo;
use app::media::service::IngestError;
use axum::http::{StatusCode, header};
use server::config::Config;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn state(db: PgPool) -> app::state::AppState {
    let config = Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some("dev".to_owned()),
        "OLIVINE_MEDIA_STORE" => Some("memory".to_owned()),
        "OLIVINE_AUDIT_CHECKPOINTS" => Some("memory".to_owned()),
        "OLIVINE_RESTRICTED_STORE" => Some("memory".to_owned()),
        "OLIVINE_MASTER_KEY" => Some(test_support::TEST_MASTER_KEY.to_owned()),
        _ => None,
    })
    .expect("config");
    server::app_state(&config, db).expect("state")
}

/// A drawn pack shot as an admin would upload it (PNG).
fn upload() -> Vec<u8> {
    common::pack_shot_png(app::catalog::model::ProductForm::Cream, "#75608f", 7)
}

async fn product_id(db: &PgPool, slug: &str) -> ProductId {
    sqlx::query_scalar!(
        r#"SELECT product_id AS "id: ProductId" FROM products WHERE slug = $1"#,
        slug
    )
    .fetch_one(db)
    .await
    .expect("a seeded product")
}

#[sqlx::test(migrations = "../migrations")]
async fn an_upload_is_stored_once_and_served_forever(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let state = state(db.clone());
    let bytes = upload();
    let first = state
        .media
        .ingest(&db, bytes.clone())
        .await
        .expect("ingest");
    assert!(first.new);
    assert_eq!((first.width, first.height), (960, 960));
    let again = state.media.ingest(&db, bytes).await.expect("ingest again");
    assert_eq!(again.hash, first.hash);
    assert!(!again.new, "the same file is one image");
    let rows = sqlx::query!(
        "SELECT webp_widths, avif_state FROM media_images WHERE content_hash = $1",
        first.hash
    )
    .fetch_one(&db)
    .await
    .expect("row");
    assert_eq!(rows.webp_widths, [960, 640, 320]);
    assert_eq!(rows.avif_state, "pending");
    assert!(
        state
            .media
            .store
            .get(&format!("originals/{}", first.hash))
            .await
            .expect("store")
            .is_some(),
        "the original is kept for re-processing"
    );

    let app = server::router(state, false);
    let path = format!("/media/r1/{}/640.webp", first.hash);
    let (status, body, headers) = common::get(&app, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[8..12], b"WEBP");
    assert_eq!(headers[header::CONTENT_TYPE], "image/webp");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let etag = headers[header::ETAG].to_str().expect("etag").to_owned();
    let (status, body, _) = common::get(&app, &path, Some(&etag)).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));

    for missing in [
        format!("/media/r1/{}/641.webp", first.hash),
        format!("/media/r1/{}/640.avif", first.hash),
        "/media/r1/../../etc/passwd".to_owned(),
        format!("/media/originals/{}", first.hash),
    ] {
        let (status, ..) = common::get(&app, &missing, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn refused_uploads_say_why_and_store_nothing(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let state = state(db.clone());
    let mut truncated = upload();
    truncated.truncate(truncated.len() / 2);
    let error = state.media.ingest(&db, truncated).await.unwrap_err();
    assert!(matches!(
        error,
        IngestError::Refused(media::MediaError::Truncated)
    ));
    let shown = app::error::AppError::from(error).to_string();
    assert!(shown.contains("truncated"), "{shown}");
    let error = state
        .media
        .ingest(&db, b"%PDF-1.7 a price list".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        IngestError::Refused(media::MediaError::UnknownFormat)
    ));
    let count = sqlx::query_scalar!("SELECT count(*) FROM media_images")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(count, Some(0));
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_show_pictures_and_avif_once_the_job_has_run(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    server::seed::seed_demo(&db, today()).await.expect("seed");
    let state = state(db.clone());
    let product = product_id(&db, "ceramide-barrier-cream").await;
    let stored = state.media.ingest(&db, upload()).await.expect("ingest");
    let mut conn = db.acquire().await.expect("conn");
    media_repo::attach(
        &mut conn,
        product,
        &stored.hash,
        "A violet jar of barrier cream",
    )
    .await
    .expect("attach");
    drop(conn);
    let app = server::router(state.clone(), false);

    let (status, body, _) = common::get(&app, "/products/ceramide-barrier-cream", None).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("utf-8");
    assert!(
        html.contains("<picture"),
        "the product page shows the photo"
    );
    assert!(html.contains(&format!("/media/r1/{}/320.webp 320w", stored.hash)));
    assert!(html.contains(r#"width="960""#) && html.contains(r#"height="960""#));
    assert!(html.contains(r#"alt="A violet jar of barrier cream""#));
    assert!(
        html.contains(r#"loading="eager""#),
        "the main photo is not lazy"
    );
    assert!(
        !html.contains("image/avif"),
        "no AVIF before the job has made it"
    );

    let avif = server::jobs::catalog::AvifRenditions::new(db.clone(), state.media.clone());
    assert_eq!(
        state
            .media
            .pending_avif(&db, 10, &[])
            .await
            .expect("pending"),
        vec![stored.hash.clone()]
    );
    let pass = server::jobs::pass(&db, &avif).await.expect("avif pass");
    assert_eq!((pass.due, pass.done, pass.failed), (1, 1, 0));
    let idle = server::jobs::pass(&db, &avif).await.expect("idle pass");
    assert_eq!(idle.due, 0, "nothing waits once the renditions exist");
    let (status, body, headers) =
        common::get(&app, &format!("/media/r1/{}/320.avif", stored.hash), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/avif");
    assert_eq!(&body[4..12], b"ftypavif");

    let (_, body, _) = common::get(&app, "/products/ceramide-barrier-cream", None).await;
    let html = String::from_utf8(body).expect("utf-8");
    assert!(html.contains(r#"type="image/avif""#));
    assert!(html.contains(&format!("/media/r1/{}/960.avif 960w", stored.hash)));

    // Listings and search hits carry the same picture, lazily.
    let (_, body, _) = common::get(&app, "/shop/moisturisers", None).await;
    let html = String::from_utf8(body).expect("utf-8");
    assert!(html.contains(&stored.hash) && html.contains(r#"loading="lazy""#));
}
