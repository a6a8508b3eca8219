//! `language:response_language`: the response is in the given language (langdetect; the
//! checker exists with the `langdetect` feature, on by default).

#[cfg(feature = "langdetect")]
use {
    super::machinery::detect_language,
    crate::constraint::args::Args,
    crate::constraint::params::bad_arg,
    crate::constraint::{Constraint, ConstraintError, Kwargs},
    alloc::format,
    alloc::string::String,
    serde_json::Value,
};

/// The official `LANGUAGE_CODES` (ISO 639-1 code, English name), in their official order.
pub const LANGUAGE_CODES: [(&str, &str); 30] = [
    ("en", "English"),
    ("es", "Spanish"),
    ("pt", "Portuguese"),
    ("ar", "Arabic"),
    ("hi", "Hindi"),
    ("fr", "French"),
    ("ru", "Russian"),
    ("de", "German"),
    ("ja", "Japanese"),
    ("it", "Italian"),
    ("bn", "Bengali"),
    ("uk", "Ukrainian"),
    ("th", "Thai"),
    ("ur", "Urdu"),
    ("ta", "Tamil"),
    ("te", "Telugu"),
    ("bg", "Bulgarian"),
    ("ko", "Korean"),
    ("pl", "Polish"),
    ("he", "Hebrew"),
    ("fa", "Persian"),
    ("vi", "Vietnamese"),
    ("ne", "Nepali"),
    ("sw", "Swahili"),
    ("kn", "Kannada"),
    ("mr", "Marathi"),
    ("gu", "Gujarati"),
    ("pa", "Punjabi"),
    ("ml", "Malayalam"),
    ("fi", "Finnish"),
];

#[cfg(feature = "langdetect")]
/// `language:response_language`: langdetect's language of the response is `language`
/// (a response langdetect cannot classify counts as following).
#[derive(Debug, Clone)]
pub struct ResponseLanguage {
    code: &'static str,
    name: &'static str,
}

#[cfg(feature = "langdetect")]
impl ResponseLanguage {
    /// The official id.
    pub const ID: &'static str = "language:response_language";

    /// Builds from kwargs `language` (one of [`LANGUAGE_CODES`]).
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let code = args.string("language")?;
        let (code, name) = LANGUAGE_CODES
            .iter()
            .copied()
            .find(|(c, _)| *c == code)
            .ok_or_else(|| {
                let codes: alloc::vec::Vec<&str> = LANGUAGE_CODES.iter().map(|p| p.0).collect();
                let expected = format!("one of the language codes {codes:?}");
                bad_arg(Self::ID, "language", &expected, &format!("{code:?}"))
            })?;
        Ok(Self { code, name })
    }
}

#[cfg(feature = "langdetect")]
impl Constraint for ResponseLanguage {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("language".into(), Value::String(self.code.into()));
        k
    }
    fn describe(&self) -> String {
        format!(
            "Your ENTIRE response should be in {} language, no other language is allowed.",
            self.name
        )
    }
    fn check(&self, response: &str) -> bool {
        detect_language(response).is_none_or(|lang| lang == self.code)
    }
}
