//! What gets embedded, and the embedding job: profiles and postings whose text changed since
//! their vector was made are embedded in batches and stored with the text version they read.

use super::level_name;
use matching::embed::{EmbedError, Embedder};
use sqlx::PgPool;
use std::sync::Arc;

/// A profile as one passage: headline, bio, skills with levels, languages.
pub fn profile_text(
    headline: &str,
    bio: &str,
    skills: &[(String, i16)],
    languages: &[String],
) -> String {
    let mut text = format!("{}.", headline.trim().trim_end_matches('.'));
    if !bio.trim().is_empty() {
        text.push(' ');
        text.push_str(bio.trim());
    }
    if !skills.is_empty() {
        let skills: Vec<String> = skills
            .iter()
            .map(|(name, level)| format!("{name} ({})", level_name(*level).to_lowercase()))
            .collect();
        text.push_str(&format!(" Skills: {}.", skills.join(", ")));
    }
    if !languages.is_empty() {
        text.push_str(&format!(" Languages: {}.", languages.join(", ")));
    }
    text
}

/// A posting as one passage, worded like profiles so the same skills land close together.
pub fn posting_text(title: &str, description: &str, skills: &[(String, i16)]) -> String {
    profile_text(title, description, skills, &[])
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedJobError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error("the embedding task stopped: {0}")]
    Task(String),
}

/// One text waiting for its vector.
struct Due {
    id: uuid::Uuid,
    version: i64,
    text: String,
}

async fn vectors(embedder: &Arc<Embedder>, due: &[Due]) -> Result<Vec<Vec<f32>>, EmbedJobError> {
    let embedder = Arc::clone(embedder);
    let texts: Vec<String> = due.iter().map(|d| d.text.clone()).collect();
    tokio::task::spawn_blocking(move || {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        embedder.embed(&texts)
    })
    .await
    .map_err(|e| EmbedJobError::Task(e.to_string()))?
    .map_err(EmbedJobError::from)
}

/// A row whose text changed since its vector was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbeddingItem {
    Profile(uuid::Uuid),
    Posting(uuid::Uuid),
}

impl std::fmt::Display for EmbeddingItem {
    /// `profile:<user id>` or `posting:<posting id>`, as `embedding_due` compares them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmbeddingItem::Profile(id) => write!(f, "profile:{id}"),
            EmbeddingItem::Posting(id) => write!(f, "posting:{id}"),
        }
    }
}

impl std::str::FromStr for EmbeddingItem {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (kind, id) = text
            .split_once(':')
            .ok_or_else(|| format!("{text}: not a profile or posting"))?;
        let id = id.parse().map_err(|e| format!("{text}: {e}"))?;
        match kind {
            "profile" => Ok(EmbeddingItem::Profile(id)),
            "posting" => Ok(EmbeddingItem::Posting(id)),
            _ => Err(format!("{text}: not a profile or posting")),
        }
    }
}

/// Profiles and postings whose text changed, leaving out `resting` (items the embedding job
/// holds or is waiting to retry).
pub async fn embedding_due(
    db: &PgPool,
    limit: i64,
    resting: &[String],
) -> Result<Vec<EmbeddingItem>, EmbedJobError> {
    let rows = sqlx::query!(
        r#"SELECT kind AS "kind!", id AS "id!" FROM (
               SELECT 'profile' AS kind, user_id AS id FROM freelancer_profiles
               WHERE embedded_version <> text_version
               UNION ALL
               SELECT 'posting', posting_id FROM postings WHERE embedded_version <> text_version
           ) due
           WHERE NOT (kind || ':' || id::text = ANY($2))
           ORDER BY kind, id LIMIT $1"#,
        limit,
        resting
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| match r.kind.as_str() {
            "profile" => EmbeddingItem::Profile(r.id),
            _ => EmbeddingItem::Posting(r.id),
        })
        .collect())
}

/// Embed one row's current text and store the vector with the text version it was made from,
/// unless the row has meanwhile been embedded from a newer text. Returns whether it stored one.
pub async fn embed(
    db: &PgPool,
    embedder: &Arc<Embedder>,
    item: EmbeddingItem,
) -> Result<bool, EmbedJobError> {
    let (table, due) = match item {
        EmbeddingItem::Profile(id) => (
            Table::Profiles,
            sqlx::query!(
                r#"SELECT p.user_id, p.text_version, p.headline, p.bio, p.languages,
                          ARRAY(SELECT s.name || E'\t' || fs.level FROM freelancer_skills fs
                                JOIN skills s USING (skill_id)
                                WHERE fs.user_id = p.user_id ORDER BY fs.level DESC, s.name) AS "skills!"
                   FROM freelancer_profiles p
                   WHERE p.user_id = $1 AND p.embedded_version <> p.text_version"#,
                id
            )
            .fetch_optional(db)
            .await?
            .map(|r| Due {
                id: r.user_id,
                version: r.text_version,
                text: profile_text(&r.headline, &r.bio, &split_levels(&r.skills), &r.languages),
            }),
        ),
        EmbeddingItem::Posting(id) => (
            Table::Postings,
            sqlx::query!(
                r#"SELECT p.posting_id, p.text_version, p.title, p.description,
                          ARRAY(SELECT s.name || E'\t' || ps.min_level FROM posting_skills ps
                                JOIN skills s USING (skill_id)
                                WHERE ps.posting_id = p.posting_id ORDER BY ps.min_level DESC, s.name)
                              AS "skills!"
                   FROM postings p
                   WHERE p.posting_id = $1 AND p.embedded_version <> p.text_version"#,
                id
            )
            .fetch_optional(db)
            .await?
            .map(|r| Due {
                id: r.posting_id,
                version: r.text_version,
                text: posting_text(&r.title, &r.description, &split_levels(&r.skills)),
            }),
        ),
    };
    match due {
        Some(due) => Ok(store(db, embedder, table, &[due]).await? > 0),
        None => Ok(false),
    }
}

#[derive(Clone, Copy)]
enum Table {
    Profiles,
    Postings,
}

/// Embed the due rows of one table and store each vector with the text version it was made
/// from, unless the row has meanwhile been embedded from a newer text.
async fn store(
    db: &PgPool,
    embedder: &Arc<Embedder>,
    table: Table,
    due: &[Due],
) -> Result<usize, EmbedJobError> {
    if due.is_empty() {
        return Ok(0);
    }
    let mut stored = 0;
    for (due, vector) in due.iter().zip(vectors(embedder, due).await?) {
        let done = match table {
            Table::Profiles => {
                sqlx::query!(
                    "UPDATE freelancer_profiles
                 SET embedding = $2::real[]::vector, embedded_version = $3
                 WHERE user_id = $1 AND embedded_version < $3",
                    due.id,
                    &vector,
                    due.version
                )
                .execute(db)
                .await?
            }
            Table::Postings => {
                sqlx::query!(
                    "UPDATE postings SET embedding = $2::real[]::vector, embedded_version = $3
                 WHERE posting_id = $1 AND embedded_version < $3",
                    due.id,
                    &vector,
                    due.version
                )
                .execute(db)
                .await?
            }
        };
        stored += done.rows_affected() as usize;
    }
    Ok(stored)
}

/// `name\tlevel` rows into (name, level).
fn split_levels(rows: &[String]) -> Vec<(String, i16)> {
    rows.iter()
        .filter_map(|r| {
            let (name, level) = r.rsplit_once('\t')?;
            Some((name.to_owned(), level.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_name_skills_with_their_levels() {
        let text = profile_text(
            "Barista and bartender",
            "Five years behind the bar.",
            &[("Bartending".to_owned(), 4), ("Barista".to_owned(), 2)],
            &["nl".to_owned(), "en".to_owned()],
        );
        assert_eq!(
            text,
            "Barista and bartender. Five years behind the bar. Skills: Bartending (expert), \
             Barista (experienced). Languages: nl, en."
        );
        assert_eq!(
            posting_text("Bar shift.", "", &[("Bartending".to_owned(), 3)]),
            "Bar shift. Skills: Bartending (advanced)."
        );
    }
}
