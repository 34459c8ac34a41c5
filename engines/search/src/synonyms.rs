//! Query synonyms, kept as data (`synonyms.txt`): "vit c" also searches "vitamin c".

/// Rules parsed from the bundled list.
#[derive(Clone, Debug, Default)]
pub struct Synonyms {
    rules: Vec<(Vec<String>, String)>,
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("synonyms line {line}: {problem}")]
pub struct SynonymError {
    pub line: usize,
    pub problem: &'static str,
}

impl Synonyms {
    pub fn bundled() -> Self {
        // The bundled list is checked by a test; a broken line cannot ship.
        Self::parse(include_str!("../synonyms.txt")).unwrap_or_default()
    }

    pub fn parse(text: &str) -> Result<Self, SynonymError> {
        let mut rules = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let problem = |problem| SynonymError {
                line: n + 1,
                problem,
            };
            let (left, right) = line
                .split_once("=>")
                .ok_or_else(|| problem("expected `phrase, phrase => replacement`"))?;
            let right = words(right).join(" ");
            if right.is_empty() {
                return Err(problem("empty replacement"));
            }
            for phrase in left.split(',') {
                let phrase = words(phrase);
                if phrase.is_empty() {
                    return Err(problem("empty phrase"));
                }
                rules.push((phrase, right.clone()));
            }
        }
        Ok(Synonyms { rules })
    }

    /// The query as typed (first), then each rewrite a rule makes of it.
    pub fn expand(&self, text: &str) -> Vec<String> {
        let original = words(text);
        let mut out = vec![original.join(" ")];
        for (phrase, replacement) in &self.rules {
            let n = phrase.len();
            if n > original.len() {
                continue;
            }
            if let Some(at) = (0..=original.len() - n).find(|&i| original[i..i + n] == phrase[..]) {
                let mut rewritten = original[..at].to_vec();
                rewritten.push(replacement.clone());
                rewritten.extend_from_slice(&original[at + n..]);
                let rewritten = rewritten.join(" ");
                if !out.contains(&rewritten) {
                    out.push(rewritten);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_parses() {
        let parsed = Synonyms::parse(include_str!("../synonyms.txt")).unwrap();
        assert!(parsed.rules.len() > 10);
    }

    #[test]
    fn phrases_are_rewritten_by_whole_words() {
        let s = Synonyms::parse("vit c => vitamin c\nspf => sunscreen").unwrap();
        assert_eq!(
            s.expand("Vit C gummies"),
            ["vit c gummies", "vitamin c gummies"]
        );
        assert_eq!(s.expand("SPF 50"), ["spf 50", "sunscreen 50"]);
        // "spfx" is not "spf".
        assert_eq!(s.expand("spfx"), ["spfx"]);
    }

    #[test]
    fn bad_lines_name_their_line() {
        assert_eq!(
            Synonyms::parse("# ok\nno arrow here").unwrap_err(),
            SynonymError {
                line: 2,
                problem: "expected `phrase, phrase => replacement`"
            }
        );
        assert!(Synonyms::parse("a => ").is_err());
    }
}
