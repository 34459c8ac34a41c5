//! Reference data queries: the lists the Hire forms pick from, and cities within a radius.

use crate::hire::reference::model::{
    CertificateType, City, HIRE_CURRENCY, Reference, Skill, SkillCategory,
};
use crate::money::Money;
use sqlx::PgConnection;

pub async fn reference(conn: &mut PgConnection) -> Result<Reference, sqlx::Error> {
    let cities = sqlx::query_as!(
        City,
        r#"SELECT city_id AS id, name, country AS "country!", latitude, longitude
           FROM cities ORDER BY country, name"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT c.category_id, c.name AS category, s.skill_id, s.name
           FROM skill_categories c JOIN skills s USING (category_id)
           ORDER BY c.position, s.name"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut skills: Vec<SkillCategory> = Vec::new();
    for row in rows {
        let skill = Skill {
            id: row.skill_id,
            name: row.name,
        };
        match skills.last_mut() {
            Some(category) if category.id == row.category_id => category.skills.push(skill),
            Some(_) | None => skills.push(SkillCategory {
                id: row.category_id,
                name: row.category,
                skills: vec![skill],
            }),
        }
    }
    let certificates = sqlx::query_as!(
        CertificateType,
        "SELECT certificate_type_id AS id, name, expires FROM certificate_types ORDER BY name"
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Reference {
        cities,
        skills,
        certificates,
    })
}

/// Whether `city` is in the bundled list, every one of `skills` in the taxonomy and every one
/// of `certificates` a known certificate type.
pub async fn known_references(
    conn: &mut PgConnection,
    city: &str,
    skills: &[String],
    certificates: &[String],
) -> Result<(bool, bool, bool), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM cities WHERE city_id = $1) AS "city!",
                  (SELECT count(*) FROM skills WHERE skill_id = ANY($2)) = cardinality($2::text[])
                      AS "skills!",
                  (SELECT count(*) FROM certificate_types WHERE certificate_type_id = ANY($3))
                      = cardinality($3::text[]) AS "certificates!""#,
        city,
        skills,
        certificates
    )
    .fetch_one(conn)
    .await?;
    Ok((row.city, row.skills, row.certificates))
}

/// Cities within `km` of `city` (itself included), nearest first, with their distance in km
/// as the crow flies.
pub async fn cities_within(
    conn: &mut PgConnection,
    city: &str,
    km: f64,
) -> Result<Vec<(City, f64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT c.city_id, c.name, c.country AS "country!", c.latitude, c.longitude,
               earth_distance(ll_to_earth(o.latitude, o.longitude),
                              ll_to_earth(c.latitude, c.longitude)) / 1000 AS "km!"
        FROM cities o
        JOIN cities c
          ON earth_box(ll_to_earth(o.latitude, o.longitude), $2::float8 * 1000)
             @> ll_to_earth(c.latitude, c.longitude)
         AND earth_distance(ll_to_earth(o.latitude, o.longitude),
                            ll_to_earth(c.latitude, c.longitude)) <= $2::float8 * 1000
        WHERE o.city_id = $1
        ORDER BY 6, c.city_id
        "#,
        city,
        km,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                City {
                    id: r.city_id,
                    name: r.name,
                    country: r.country,
                    latitude: r.latitude,
                    longitude: r.longitude,
                },
                r.km,
            )
        })
        .collect())
}

/// Amounts the Hire tables hold; they only ever write euros.
pub(crate) fn money(minor: i64, currency: &str) -> Money {
    Money::from_parts(minor, currency).unwrap_or_else(|_| Money::new(minor, HIRE_CURRENCY))
}
