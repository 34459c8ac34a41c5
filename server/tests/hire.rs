//! The Hire face's reference data in the real database: the bundled cities with working radius
//! search, the skills taxonomy and the certificate types.

use app::marketplace::repo;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

#[sqlx::test(migrations = "../migrations")]
async fn the_bundled_cities_answer_radius_searches(_: PgPoolOptions, options: PgConnectOptions) {
    let db = PgPoolOptions::new()
        .connect_with(options)
        .await
        .expect("db");
    let mut conn = db.acquire().await.expect("connection");

    let reference = repo::reference(&mut conn).await.expect("reference");
    assert!(reference.cities.len() >= 30, "about 30 cities or more");
    assert!(
        reference
            .cities
            .iter()
            .any(|c| c.name == "'s-Hertogenbosch")
    );
    assert!(
        reference.skills.iter().all(|c| !c.skills.is_empty()),
        "every category has skills"
    );
    assert_eq!(reference.skills[0].id, "hospitality", "taxonomy order");
    assert!(
        reference
            .certificates
            .iter()
            .any(|c| c.id == "forklift-licence" && c.expires)
    );

    let near: Vec<(String, f64)> = repo::cities_within(&mut conn, "nl-amsterdam", 60.0)
        .await
        .expect("radius")
        .into_iter()
        .map(|(city, km)| (city.id, km))
        .collect();
    assert_eq!(near[0], ("nl-amsterdam".to_owned(), 0.0));
    let km = |id: &str| near.iter().find(|(c, _)| c == id).map(|(_, km)| *km);
    let rotterdam = km("nl-rotterdam").expect("Rotterdam is within 60 km");
    assert!(
        (55.0..60.0).contains(&rotterdam),
        "Amsterdam–Rotterdam {rotterdam} km"
    );
    assert!(km("nl-utrecht").is_some_and(|d| (33.0..38.0).contains(&d)));
    assert_eq!(km("nl-groningen"), None, "Groningen is ~145 km away");
    assert!(near.windows(2).all(|w| w[0].1 <= w[1].1), "nearest first");

    assert!(
        repo::cities_within(&mut conn, "nl-nowhere", 60.0)
            .await
            .expect("query")
            .is_empty()
    );
}
