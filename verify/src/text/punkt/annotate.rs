//! The two annotation passes of Punkt (NLTK `_annotate_first_pass` / `_annotate_second_pass`).

use alloc::string::String;

use super::params::{PunktParameters, ORTHO_BEG_LC, ORTHO_LC, ORTHO_MID_UC, ORTHO_UC};
use super::token::PunktToken;

/// Answer of the orthographic heuristic (`_ortho_heuristic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ortho {
    /// The token starts a sentence.
    Starter,
    /// The token does not start a sentence.
    NotStarter,
    /// Not sure.
    Unknown,
}

/// Sentences don't start with these (`PunktSentenceTokenizer.PUNCTUATION`).
const PUNCTUATION: [&str; 6] = [";", ":", ",", ".", "!", "?"];

/// First pass: type-based annotation of one token.
pub fn first_pass(params: &PunktParameters, tok: &mut PunktToken<'_>) {
    let t = tok.tok;
    if t == "." || t == "?" || t == "!" {
        tok.sentbreak = true;
    } else if tok.is_ellipsis() {
        tok.ellipsis = true;
    } else if tok.period_final && !t.ends_with("..") {
        let stem = t[..t.len() - 1].to_lowercase();
        let last_part = stem.rsplit('-').next().unwrap_or(&stem);
        if params.abbrev_types.contains(&stem) || params.abbrev_types.contains(last_part) {
            tok.abbr = true;
        } else {
            tok.sentbreak = true;
        }
    }
}

fn ortho_heuristic(params: &PunktParameters, tok: &PunktToken<'_>) -> Ortho {
    if PUNCTUATION.contains(&tok.tok) {
        return Ortho::NotStarter;
    }
    let ctx = params.ortho(tok.type_no_sentperiod());
    if tok.first_upper() && (ctx & ORTHO_LC) != 0 && (ctx & ORTHO_MID_UC) == 0 {
        return Ortho::Starter;
    }
    if tok.first_lower() && ((ctx & ORTHO_UC) != 0 || (ctx & ORTHO_BEG_LC) == 0) {
        return Ortho::NotStarter;
    }
    Ortho::Unknown
}

/// Second pass: token-based reclassification of `tok1` given the token after it.
pub fn second_pass(params: &PunktParameters, tok1: &mut PunktToken<'_>, tok2: &PunktToken<'_>) {
    if !tok1.period_final {
        return;
    }
    let typ = String::from(tok1.type_no_period());
    let next_typ = tok2.type_no_sentperiod();
    let tok_is_initial = tok1.is_initial();

    // [4.1.2. Collocation Heuristic]
    let pair = (typ.clone(), String::from(next_typ));
    if params.collocations.contains(&pair) {
        tok1.sentbreak = false;
        tok1.abbr = true;
        return;
    }

    // [4.2. Token-Based Reclassification of Abbreviations]
    if (tok1.abbr || tok1.ellipsis) && !tok_is_initial {
        if ortho_heuristic(params, tok2) == Ortho::Starter {
            tok1.sentbreak = true;
            return;
        }
        if tok2.first_upper() && params.sent_starters.contains(next_typ) {
            tok1.sentbreak = true;
            return;
        }
    }

    // [4.3. Token-Based Detection of Initials and Ordinals]
    if tok_is_initial || typ == "##number##" {
        let is_sent_starter = ortho_heuristic(params, tok2);
        if is_sent_starter == Ortho::NotStarter {
            tok1.sentbreak = false;
            tok1.abbr = true;
            return;
        }
        if is_sent_starter == Ortho::Unknown
            && tok_is_initial
            && tok2.first_upper()
            && (params.ortho(next_typ) & ORTHO_LC) == 0
        {
            tok1.sentbreak = false;
            tok1.abbr = true;
        }
    }
}
