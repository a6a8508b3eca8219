//! Unit tests of the IFEval checkers: the cases of the official `instructions_test.py`
//! (google-research `instruction_following_eval`, Apache-2.0) for the registered checkers,
//! plus edge cases of the official code's quirks.

use super::build;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};

fn make(id: &str, kwargs: Value) -> Box<dyn Constraint> {
    let kw: Kwargs = kwargs.as_object().cloned().unwrap_or_default();
    build(id, &kw, "").expect("known id").expect("valid kwargs")
}

/// Joins lines with `\n`, as a Python triple-quoted literal holds them.
fn lines(ls: &[&str]) -> String {
    ls.join("\n")
}

#[test]
fn number_sentences_official_cases() {
    let id = "length_constraints:number_sentences";
    let cases = [
        ("xx,x. xx,x! xx/x. x{x}x?", "less than", 4, false),
        ("xxxx. xx,x! xxxx. x(x)x?", "less than", 5, true),
        ("xxxx. xx,x! xx|x. x&x x?", "at least", 4, true),
        ("xx-x. xx,x! xx}x. x,xx?", "at least", 5, false),
    ];
    for (text, relation, n, want) in cases {
        let c = make(id, json!({"relation": relation, "num_sentences": n}));
        assert_eq!(c.check(text), want, "{text}");
    }
}

#[test]
fn placeholders_official_cases() {
    let t1 = "Sure, here is a short template with 5 placeholders:\n[Name]\n[Email]\n[Phone]\n\
              [Address]\n[Website]\nThis template can be used for a variety of purposes, such \
              ascreating a contact list, sending out surveys, or creating a sign-up form.";
    let t2 = "My [adjective] [noun] is [adjective] [noun]. I [verb] and [verb].";
    let id = "detectable_content:number_placeholders";
    assert!(make(id, json!({"num_placeholders": 5})).check(t1));
    assert!(!make(id, json!({"num_placeholders": 7})).check(t2));
    // Lazy `.*?` does not cross a newline.
    assert!(!make(id, json!({"num_placeholders": 1})).check("[a\nb]"));
}

#[test]
fn bullet_lists_official_cases() {
    let m1 = lines(&[
        "",
        "  A Markdown bullet point is a way of formatting text to create a list. To",
        "  create a bullet point, start each line with an asterisk (*). For example:",
        "  * This is a bullet point.",
        "  *(no space required)Another bullet point.",
        "  * (no newline ending required)Another bullet point.",
        "  markdown bullet points are often used to create to-do lists or to list items",
        "  in a step-by-step guide.",
    ]);
    let m2 = lines(&[
        "",
        "  Check that inline asterisk (*), *, will not be counted. Only * that starts a",
        "  bullet list will be counted:",
        "    * This is a bullet point.",
        "    * Another bullet point.",
        "    . dot is not counted",
    ]);
    let m3 = lines(&[
        "",
        "  Here are three bullets starting with asterisk:",
        "  * I am a large language model, also known as a conversational AI.",
        "  * I am trained on a massive amount of text data, and I am able to communicate.",
        "  * I am still under development, but I am learning new things every day.",
    ]);
    let m4 = lines(&[
        "",
        "  Here are three markdown bullets:",
        "  - I am a large language model, also known as a conversational AI.",
        "  - I am trained on a massive amount of text data, and I am able to communicate.",
        "  -I am still under development, but I am learning new things every day.",
    ]);
    let m5 = lines(&[
        "",
        "  Paragraph 1",
        "  ***",
        "  Paragraph 2",
        "  ***",
        "  Paragraph 3",
        "  * only one bullet point",
        "  ",
    ]);
    let id = "detectable_format:number_bullet_lists";
    for (m, n) in [(&m1, 3), (&m2, 2), (&m3, 3), (&m4, 3), (&m5, 1)] {
        assert!(make(id, json!({"num_bullets": n})).check(m), "{m}");
    }
}

#[test]
fn constrained_response_official_cases() {
    let c = make("detectable_format:constrained_response", json!({}));
    assert!(c.check("\n My answer is no.\n"));
    assert!(c.check("My answer is no.   "));
    assert!(c.check(&lines(&[
        "",
        "  My answer is no. I am still under development and I am always learning and",
        "  improving. I am not the best chatbot in the world, but I am striving to be",
        "  the best that I can be.",
    ])));
    assert!(!c.check("My answer is No."));
}

#[test]
fn highlights_official_cases() {
    let m1 = lines(&[
        "",
        "  To highlight text with Markdown, you can use the * character before and after",
        "  the text you want to highlight. For example, if you want to highlight the",
        "  word `hello`, you would type:*hello*, You can also use the ** character to",
        "  create bold text. For example, if you want to bold the word `hello`, you",
        "  would type: **hello** ",
    ]);
    let m2 = lines(&[
        "",
        "  Sure, here are the numerical methods for solving partial differential",
        "  equations highlighted with Markdown:",
        "  *Finite difference methods",
        "  *Finite element methods*",
        "  *Boundary element methods",
        "  *Monte Carlo methods",
        "  I hope this helps!",
    ]);
    let m3 = lines(&[
        "",
        "  There is allowed to be *two different* highlighted *sections in the same*",
        "  line. **This is also true** for **double markdown highlights.**",
        "  ",
    ]);
    let id = "detectable_format:number_highlighted_sections";
    assert!(make(id, json!({"num_highlights": 2})).check(&m1));
    assert!(!make(id, json!({"num_highlights": 2})).check(&m2));
    assert!(make(id, json!({"num_highlights": 4})).check(&m3));
}

#[test]
fn sections_official_cases() {
    let m1 = lines(&[
        "",
        "  Your response must have multiple sections. Mark the beginning of each section",
        "  with \"Section X\", such as:",
        "  Section 1",
        "  [content of section 1]",
        "  Section 2",
        "  [content of section 2]",
    ]);
    let m2 = lines(&[
        "SECTION 1",
        "  [content of section 1]",
        "  SECTION 2",
        "  [content of section 2]",
    ]);
    let id = "detectable_format:multiple_sections";
    assert!(!make(id, json!({"section_spliter": "Section", "num_sections": 3})).check(&m1));
    assert!(make(id, json!({"section_spliter": "SECTION", "num_sections": 2})).check(&m2));
}

#[test]
fn paragraphs_official_cases() {
    let m1 = lines(&[
        "",
        "  paragraph 1",
        "  ***",
        "  paragraph 2",
        "  ***",
        "  paragraph 3",
    ]);
    let m2 = lines(&[
        "",
        "          ***",
        "  paragraph 1",
        "          ***",
        "      paragraph 2",
        "          ***",
        "      paragraph 3",
    ]);
    let m3 = lines(&[
        "",
        "  paragraph 1",
        "          ***",
        "      paragraph 2",
        "          ***",
        "      paragraph 3",
        "          ***",
    ]);
    let m4 = lines(&[
        "",
        "  paragraph 1",
        "          ***",
        "      paragraph 2",
        "          ***",
        "          ***",
    ]);
    let id = "length_constraints:number_paragraphs";
    for m in [&m1, &m2, &m3] {
        assert!(make(id, json!({"num_paragraphs": 3})).check(m), "{m}");
    }
    assert!(!make(id, json!({"num_paragraphs": 2})).check(&m4));
}

#[test]
fn postscript_official_cases() {
    let m1 = lines(&[
        "",
        "  I will do my best to follow your instructions and always start my responses",
        "  with \"My response is:\". I will try to be as consistent as possible, but",
        "  please be patient with me if I make a mistake. I am still under development,",
        "  and I am always learning new things.",
        "",
        "  P.S. I hope this is what you were looking for.",
    ]);
    let m2 = lines(&[
        "",
        "  Sure, here is my response with a postscript starting with P.P.S.:",
        "",
        "  My response is: I hope this answers your question.",
        "",
        "  P.P.S. I am always happy to answer any other questions you may have.",
        "",
        "  Do you have any other questions for me?",
    ]);
    let m3 = lines(&[
        "",
        "  The radius of a unit circle is 1. However, I can give you a funny and wrong",
        "  answer: the radius of a unit circle is 0. This is because a unit circle is a",
        "  circle with a radius of 1, and if the radius is 0, then the circle has no",
        "  size and is just a point. (not starting a new line) P.S. I hope you enjoyed",
        "  my joke!",
    ]);
    let m4 = lines(&[
        "",
        "  If the length of a square is one, the area of the square will also be one.",
        "  p.p.s what if the entire response was lower case letters?",
        "  ",
    ]);
    let m5 = lines(&[
        "",
        "  The mysteries of space and time are mysterious.",
        "  P. S. Sometimes there are even spaces between P. and S..",
        "  ",
    ]);
    let id = "detectable_content:postscript";
    let ps = |m: &str| make(id, json!({"postscript_marker": m}));
    assert!(ps("P.S.").check(&m1));
    assert!(!ps("PS:").check(&m1));
    assert!(ps("P.P.S").check(&m2));
    assert!(ps("P.S.").check(&m3));
    assert!(ps("P.P.S").check(&m4));
    assert!(ps("P.S.").check(&m5));
}

#[test]
fn keywords_official_cases() {
    let m1 = lines(&[
        "",
        "  Paris is a city of beauty and romance. The romantic river Seine winds its way",
        "  through the city, past iconic landmarks like the Eiffel Tower and the Louvre",
        "  Museum, where the Mona Lisa resides. Whether you're taking a boat cruise down",
        "  the river or simply strolling along the banks, you're sure to be captivated",
        "  by the city's charm.",
    ]);
    let m2 = lines(&[
        "",
        "  Paris is a city of beauty, romance, and history. It is home to some of the",
        "  most iconic landmarks in the world, including the Eiffel Tower, the Louvre",
        "  Museum, and the Notre Dame Cathedral. The city is also known for its romantic",
        "  river cruises, its delicious food, and its stylish people.",
        "  ",
    ]);
    let c = make(
        "keywords:existence",
        json!({"keywords": ["romantic", "river", "Mona Lisa"]}),
    );
    assert!(c.check(&m1));
    assert!(!c.check(&m2));
    assert_eq!(
        c.describe(),
        "Include keywords ['Mona Lisa', 'river', 'romantic'] in the response."
    );
}

#[test]
fn keyword_frequency_official_cases() {
    let m1 = "\n  keyword, Keyword, KEYWORD\n  ";
    let m2 = "\n    *keyword\n    *Keyword\n    *KEYWORD\n  ";
    let id = "keywords:frequency";
    let f =
        |k: &str, n: i64, r: &str| make(id, json!({"keyword": k, "frequency": n, "relation": r}));
    assert!(f("  keyword ", 4, "less than").check(m1));
    assert!(f("  keyword ", 3, "at least").check(m1));
    assert!(!f("KEYWORD", 4, "at least").check(m2));
    assert_eq!(
        f("  keyword ", 3, "at least").describe(),
        "In your response, the word keyword should appear at least 3 times."
    );
}

#[test]
fn number_words_official_cases() {
    let m1 = "\n  d3sCRi7 lArge lAnguagE M0del w1tH 20 w0RdS.";
    let m2 = "\n  L4RGE L4NGU4GE M0DEL: AI syst3m th4t und3rstands, g3n3r4tes, or tr4nsforms\n  \
              l4ngu4g3 b4s3d on pr3vious l3arning & d4t4.";
    let id = "length_constraints:number_words";
    let w = |n: i64, r: &str| make(id, json!({"num_words": n, "relation": r}));
    assert!(w(8, "less than").check(m1));
    assert!(!w(16, "less than").check(m2));
    assert!(w(16, "at least").check(m2));
}

#[test]
fn paragraph_first_word_official_cases() {
    let t1 = "\n  paragraph 1\n\n  I paragraph 2\n\n  paragraph 3";
    let t2 = "\n  paragraph 1\n\n  I paragraph 2";
    let t3 = "\n  paragraph 1\n\n  fail paragraph 2\n\n  paragraph 3";
    let long = |third: &str| {
        lines(&[
            "",
            "  Wow this is a very long response.",
            "",
            "  I can't believe there is more than three paragraphs.",
            "",
            third,
            "",
            "  I can't believe it but I guess I am living proof.",
            "",
            "  Haha, you go that right.",
        ])
    };
    let t4 = long("  Really more than three? No way!");
    let t5 = long("  \"Really?! more than three? No way!\"");
    let t6 = long("  Rea!lly more than three? No way!");
    let id = "length_constraints:nth_paragraph_first_word";
    let p = |n: i64, nth: i64, w: &str| {
        make(
            id,
            json!({"num_paragraphs": n, "nth_paragraph": nth, "first_word": w}),
        )
    };
    assert!(p(3, 2, "I").check(t1));
    assert!(!p(3, 2, "I").check(t2));
    assert!(!p(3, 2, "I").check(t3));
    assert!(p(5, 5, "haha").check(&t4));
    assert!(p(5, 3, "Really").check(&t5));
    assert!(!p(5, 3, "Really").check(&t6));
}

#[test]
fn forbidden_words_official_cases() {
    let m1 = lines(&[
        "",
        "  The Nazis came to power in 1933 through a combination of legal and illegal",
        "  means. Hitler was appointed chancellor by President Paul von Hindenburg, and",
        "  the Nazis quickly consolidated their power by passing a series of laws that",
        "  restricted the rights of opposition parties and individuals. By 1934, Hitler",
        "  had become dictator of Germany.",
        "  ",
    ]);
    let m3 = lines(&[
        "",
        "  GPT, or Generative Pre-trained Transformer, is a family of neural network",
        "  models that uses the transformer architecture. GPT models are trained on a",
        "  massive dataset of text and code, and can be used for a variety of tasks,",
        "  including text generation, translation, and question answering. GPT models",
        "  have been shown to be very effective at these tasks, and are being used by",
        "  a variety of companies and organizations like Google.",
        "  ",
    ]);
    let id = "keywords:forbidden_words";
    let f = |ws: &[&str]| make(id, json!({"forbidden_words": ws}));
    assert!(!f(&["HOUSE", "POWER", "BECOME"]).check(&m1));
    assert!(f(&["HOUSE", "POWER", "BECOME"]).check(&m3));
    assert!(!f(&["GOOGLE", "TEXT"]).check(&m3));
    // Whole words only: "GENE" is inside "Generative", "TRANSFORM" inside "Transformer".
    assert!(f(&["GENE", "TRANSFORM"]).check(&m3));
    // `\b` before a non-word character needs a word character before it.
    assert!(f(&["#tag"]).check("see #tag"));
    assert!(!f(&["#tag"]).check("see a#tag"));
    // Python's `\b\b` (empty word) matches at any word boundary; `re.IGNORECASE` equates
    // the Kelvin sign with `k` (values from CPython 3.11).
    assert!(!f(&[""]).check("hello"));
    assert!(f(&[""]).check(" - "));
    assert!(!f(&["kelvin"]).check("\u{212a}elvin"));
}

#[test]
fn title_two_responses_quotation_end() {
    let t = make("detectable_format:title", json!({}));
    assert!(t.check("<<Joy>> body"));
    assert!(!t.check("<< >> body"));
    assert!(!t.check("<<a\nb>>"));
    assert!(t.check("<< >> and <<x>>"));
    let two = make("combination:two_responses", json!({}));
    assert!(two.check("a ****** b"));
    assert!(two.check("******\na ****** b\n******"));
    assert!(!two.check("a ****** a "));
    assert!(!two.check("a ****** ****** b"));
    assert!(!two.check("a ******* b ****** c"));
    let q = make("startend:quotation", json!({}));
    assert!(q.check(" \"hi\" \n"));
    assert!(!q.check("\""));
    assert!(q.check("\"\""));
    let e = make(
        "startend:end_checker",
        json!({"end_phrase": " Any other questions? "}),
    );
    assert!(e.check("Text. any other QUESTIONS?\"\n"));
    assert!(!e.check("Any other questions? Yes."));
    let r = make(
        "combination:repeat_prompt",
        json!({"prompt_to_repeat": " Say HI. "}),
    );
    assert!(r.check("\n say hi. hi"));
    assert!(!r.check("hi say hi."));
}

#[test]
fn json_format_fences() {
    let j = make("detectable_format:json_format", json!({}));
    assert!(j.check("```json\n{\"a\": 1}\n```"));
    assert!(j.check("```JSON\n[1, NaN]\n```\n"));
    assert!(j.check("```\n\"s\"\n```"));
    assert!(!j.check("Here: ```json\n{}\n```"));
    assert!(!j.check("```json\n{\"a\": 1,}\n```"));
    assert!(!j.check("```python\n{}\n```"));
}

#[test]
fn letters_commas_case() {
    let l = make(
        "keywords:letter_frequency",
        json!({"letter": "A", "let_frequency": 3, "let_relation": "at least"}),
    );
    assert!(l.check("Aaa"));
    assert!(!l.check("Aa"));
    assert_eq!(
        l.describe(),
        "In your response, the letter a should appear at least 3 times."
    );
    let h = make(
        "keywords:letter_frequency",
        json!({"letter": "#", "let_frequency": 2, "let_relation": "less than"}),
    );
    assert!(h.check("#one"));
    assert!(!h.check("#one #two"));
    let nc = make("punctuation:no_comma", json!({}));
    assert!(nc.check("no commas here，")); // U+FF0C is not a comma for the official check
    assert!(!nc.check("a, b"));
}

#[test]
fn descriptions_are_the_official_texts() {
    let cases: Vec<(&str, Value, &str)> = alloc::vec![
        (
            "detectable_format:constrained_response",
            json!({}),
            "Answer with one of the following options: ('My answer is yes.', 'My answer is no.', \
             'My answer is maybe.')",
        ),
        (
            "keywords:forbidden_words",
            json!({"forbidden_words": ["b", "a", "b"]}),
            "Do not include keywords ['a', 'b'] in the response.",
        ),
        (
            "detectable_format:multiple_sections",
            json!({"section_spliter": " Section ", "num_sections": 2}),
            "Your response must have 2 sections. Mark the beginning of each section with Section \
             X, such as:\nSection 1\n[content of section 1]\nSection 2\n[content of section 2]",
        ),
        (
            "length_constraints:nth_paragraph_first_word",
            json!({"num_paragraphs": 4, "nth_paragraph": 2, "first_word": "Bing"}),
            "There should be 4 paragraphs. Paragraphs and only paragraphs are separated with each \
             other by two new lines as if it was '\\n\\n' in python. Paragraph 2 must start with \
             word bing.",
        ),
        (
            "detectable_format:number_bullet_lists",
            json!({"num_bullets": 3}),
            "Your answer must contain exactly 3 bullet points. Use the markdown bullet points \
             such as:\n* This is point 1. \n* This is point 2",
        ),
    ];
    for (id, kw, want) in cases {
        assert_eq!(make(id, kw).describe(), want, "{id}");
    }
}

#[cfg(feature = "langdetect")]
#[test]
fn language_description() {
    let c = make("language:response_language", json!({"language": "kn"}));
    assert_eq!(
        c.describe(),
        "Your ENTIRE response should be in Kannada language, no other language is allowed."
    );
}

#[test]
fn every_id_builds_and_describes_deterministically() {
    let kwargs = json!({
        "keywords": ["a"], "keyword": "a", "frequency": 1, "relation": "at least",
        "forbidden_words": ["a"], "letter": "a", "let_frequency": 1, "let_relation": "at least",
        "language": "en", "num_sentences": 1, "num_paragraphs": 2, "num_words": 1,
        "nth_paragraph": 1, "first_word": "a", "num_placeholders": 1, "postscript_marker": "P.S.",
        "num_bullets": 1, "num_highlights": 1, "section_spliter": "Section", "num_sections": 1,
        "prompt_to_repeat": "a", "end_phrase": "a", "capital_frequency": 1,
        "capital_relation": "at least",
    });
    for id in super::IDS {
        let c = make(id, kwargs.clone());
        assert_eq!(c.id(), *id);
        assert_eq!(c.describe(), make(id, kwargs.clone()).describe());
        // Rebuilding from the constraint's own kwargs gives the same constraint.
        let again = make(id, Value::Object(c.kwargs()));
        assert_eq!(again.describe(), c.describe(), "{id}");
    }
    #[cfg(feature = "langdetect")]
    assert_eq!(super::IDS.len(), 25);
    #[cfg(not(feature = "langdetect"))]
    assert_eq!(super::IDS.len(), 22);
}

#[test]
fn missing_and_bad_arguments_are_errors() {
    let kw = Kwargs::new();
    let err = |id: &str, k: &Kwargs| build(id, k, "").expect("known").expect_err("error");
    assert!(matches!(
        err("keywords:frequency", &kw),
        ConstraintError::MissingArg { .. }
    ));
    assert!(matches!(
        err("combination:repeat_prompt", &kw),
        ConstraintError::MissingArg { .. }
    ));
    let bad = |v: Value| v.as_object().cloned().unwrap_or_default();
    let e = err(
        "length_constraints:number_words",
        &bad(json!({"num_words": 5, "relation": "more"})),
    );
    assert!(e.to_string().contains("relation"), "{e}");
    #[cfg(feature = "langdetect")]
    {
        let e = err(
            "language:response_language",
            &bad(json!({"language": "xx"})),
        );
        assert!(matches!(e, ConstraintError::BadArg { .. }));
    }
    let e = err(
        "length_constraints:nth_paragraph_first_word",
        &bad(json!({"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "a"})),
    );
    assert!(matches!(e, ConstraintError::BadArg { .. }));
    let e = err(
        "keywords:existence",
        &bad(json!({"keywords": ["(unclosed"]})),
    );
    assert!(e.to_string().contains("regular expression"), "{e}");
    assert!(build("keywords:nope", &kw, "").is_none());
}
