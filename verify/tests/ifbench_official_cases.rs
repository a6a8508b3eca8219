//! The test cases of IFBench's own `instructions_test.py` (allenai/IFBench, Apache-2.0), with
//! the expected values of the 8a66c06 checker code these ports follow (each confirmed by
//! running that code: `scripts/reference/ifbench_8a66c06_golden.py`). Most cases come from a
//! later test file; where it expects post-8a66c06 behaviour the expected value here is
//! 8a66c06's and the case says so (`LATER:`). Four cases of the later test file are not ported
//! because their inputs only make sense for the later checkers: `repeat:repeat_span` with an
//! inclusive end index, `count:keywords_multiple` counting whole words, `words:words_position`
//! skipping punctuation tokens, and `ratio:sentence_words` rejecting repeated words.

use hir_verify::constraint::ifbench;
use serde_json::json;

/// `(id, kwargs, response, expected)`.
fn cases() -> Vec<(&'static str, serde_json::Value, &'static str, bool)> {
    vec![
        ("count:word_count_range", json!({"min_words": 5, "max_words": 5}), "\n    This message has five words.", true),
        ("count:word_count_range", json!({"min_words": 10, "max_words": 10}), "\n    This message has exactly ten words in the entire text.", true),
        ("count:word_count_range", json!({"min_words": 20, "max_words": 20}), "\n    This message has many more words than the previous messages because \n    we need to test the upper bounds of our word count range checker with \n    a sufficiently long piece of text.", false),
        ("count:unique_word_count", json!({"N": 5}), "\n    This message has five unique words.", true),
        ("ratio:sentence_type", json!({}), "\n    This is a declarative sentence. Is this a question? I am not sure.", true),
        ("ratio:sentence_balance", json!({}), "\n        This is a declarative sentence. Is this a question? I am not sure!", true),
        ("count:conjunctions", json!({"small_n": 3}), "I don't like it but I will do it and I will do it well yet I will not like it.", true),
        ("count:person_names", json!({"N": 3}), "Abigail, Gabriel, Nora", true),
        ("count:person_names", json!({"N": 47}), "Certainly! Here are 47 notable individuals Jackson, Olivia, Noah, Ava, Lucas, Isabella, Mason, Mia, Ethan, Charlotte, Alexander, Amelia, Benjamin, Harper, Leo, Zoe, Daniel, Chloe, Samuel, Lily, Matthew, Grace, Owen, Abigail, Gabriel, Ella, Jacob, Scarlett, Nathan, Victoria, Elijah, Layla, Nicholas, Audrey, David, Hannah, Christopher, Penelope, Thomas, Nora, Andrew, Aria, Joseph, Claire, Ryan, Stella, Jonathan", true),
        ("count:person_names", json!({"N": 47}), "Certainly! Here\u{2019}s a list of individuals: Audrey, Ben, Yanai, Ryan.", false),
        ("ratio:overlap", json!({"reference_text": "This is the test.", "percentage": 100}), "This is the test.", true),
        ("count:numbers", json!({"N": 3}), "This is 1 number. This is not 10 numbers. It is 3.", true),
        ("count:numbers", json!({"N": 3}), "Decimals like 3.14 should only count as one number 2.", false),
        ("count:numbers", json!({"N": 3}), "This is more than 3 numbers: 1 2 3.", false),
        ("count:numbers", json!({"N": 3}), "1 2 3", true),
        ("count:numbers", json!({"N": 1}), "This is one number: 100,000", true),
        ("count:numbers", json!({"N": 2}), "This is number 1. 2 comes next.", true),
        ("words:alphabet", json!({}), "Be cause dandelions eat freedom.", true),
        ("words:alphabet", json!({}), "Zooming around back.", true),
        ("words:alphabet", json!({}), "A big cat. Dogs eat food. . . Good", true),
        ("words:alphabet", json!({}), "Your zoo is very xeric.", false),
        ("words:alphabet", json!({}), "Great finds enter dark caves.", false),
        ("words:vowel", json!({}), "With I this is in.", true),
        ("words:vowel", json!({}), "the eel eek eked.\nyeah.", false),
        ("words:vowel", json!({}), "the eel eek eked out.", true),
        ("words:consonants", json!({}), "This employs consonant clusters.", true),
        ("words:consonants", json!({}), "This does not.", false),
        ("words:consonants", json!({}), "The Felicity Party espouses traditional, conservative principles alongside promoting Islamic pillars. Emphasizing morality, they uphold community interests, social-justice, and sustainable development. They support national sovereignty and independence economically.", false),
        ("sentence:alliteration_increment", json!({}), "No alliteration. Some semblance of alliteration. Alliterating across alphabet is interesting.", true),
        ("sentence:alliteration_increment", json!({}), "No alliteration. Some semblance of alliteration. Alliterating across alphabet is interesting. But not here.", false),
        ("words:palindrome", json!({}), "Racecar, radar, and level are palindromes. So are madam and civic. Three more include refer, tenet, and deified. The last two are repaper and reviver.", true),
        ("words:palindrome", json!({}), "Palindromes needn't be real words. abcba, abcba, abcba, abcba, abcba, abcba, abcba, abcba, abcba, abcba.", true),
        ("words:palindrome", json!({}), "This is not a palindrome.", false),
        ("words:palindrome", json!({}), "Short palindromes don't count, though they make beautiful names. Ada, Eve, Bob, Nan, Otto, Ava, Pip, Elle, Ivi, Ana, and Asa.", false),
        ("words:palindrome", json!({}), "Racecar, radar, and level are palindromes. So are madam and civic. Three more include refer, tenet, and deified. The last one is repaper. There are only nine.", false),
        ("count:punctuation", json!({}), "Some punctuation.,?!", false),
        ("count:punctuation", json!({}), "All the punctuation marks: . , ! ? ; : !?", true),
        ("format:parentheses", json!({}), "This (is [nested {very (deeply [here], yay!)}]).", true),
        ("format:parentheses", json!({}), "((()))", false),
        ("format:parentheses", json!({}), "Lots () of [] (parentheses()) but [not] (enough) [nesting]()()().", false),
        ("format:parentheses", json!({}), "I (wouldn't [technically) call] (this [nested) parentheses]. (More like [mismatched)].", false),
        ("format:quotes", json!({}), "These \"quotes 'are \"nested,\" here' a lot.\"", true),
        ("format:quotes", json!({}), "Let's hope it handles adjacent quotes well: \"'\"\"'\".", true),
        ("format:quotes", json!({}), "These quotes 'are \"not nested,\" here' enough.", false),
        ("format:quotes", json!({}), "Three levels but not three pairs: '\"'\"'.", false),
        ("format:quotes", json!({}), "Lots of \"quotes\" but not 'enough' \"nesting\".", false),
        ("words:prime_lengths", json!({}), "Prime numbers are in.", true),
        ("words:prime_lengths", json!({}), "Composite numbers are not.", false),
        ("words:prime_lengths", json!({}), "aren't hy-phens?", true),
        ("format:options", json!({"options": "(A), (B), (C)"}), "A", false),
        ("format:options", json!({"options": "I know or I don't know"}), "I know", true),
        ("format:options", json!({"options": "I know or I don't know"}), "I don't know", true),
        ("format:options", json!({"options": "I know or I don't know"}), "Maybe", false),
        ("format:options", json!({"options": "I know or I don't know"}), "I know or I don't know", false),
        ("format:options", json!({"options": "yes/no/maybe"}), "yes", true),
        ("format:options", json!({"options": "yes/no/maybe"}), "no", true),
        ("format:options", json!({"options": "yes/no/maybe"}), "maybe", true),
        ("format:options", json!({"options": "yes/no/maybe"}), "yes/no", false),
        ("format:newline", json!({}), "This\n is\non\na\nnew\nline.", true),
        ("format:newline", json!({}), "Extra\n newlines \n are \n allowed. \n", true),
        ("format:newline", json!({}), "hi . .\n                    new . .\n                    line ..", true),
        ("format:newline", json!({}), "This \n is \n not \n obeying \n the \n rules, unfortunately.", false),
        ("format:newline", json!({}), "This\nis\nnot\nobeying\nthe\nrules, unfortunately.", false),
        ("format:newline", json!({}), "Equal \n number \n \n of newlines \n to \n words \n but \n not \n \n obeying \n constraint.", false),
        ("ratio:sentence_words", json!({}), "This is one. Now it's 22. On to three.", true),
        ("ratio:sentence_words", json!({}), "This. Is. Not. Correct.", false),
        ("words:repeats", json!({"small_n": 2}), "This is one. This is two. This is three.", false),
        ("words:repeats", json!({"small_n": 3}), "This is one. This is two. This is three.", true),
        ("sentence:keyword", json!({"word": "it", "N": 5}), "I am it. It is me. I am not it. It is not me. I am not it.", true),
        ("sentence:keyword", json!({"word": "it", "N": 5}), "I am not it. It is not me.", false),
        ("words:last_first", json!({}), "This feels unnatural. Unnatural is this test.", true),
        ("words:last_first", json!({}), "This must also work.\n\nWork across paragraphs.", true),
        ("words:last_first", json!({}), "This is not a success. This is a failure.", false),
        ("words:paragraph_last_first", json!({}), "This paragraph started with this.\n\nAnother paragraph starts with another.", true),
        ("words:paragraph_last_first", json!({}), "This paragraph started with this. Another paragraph starts with another.", false),
        ("sentence:increment", json!({"small_n": 2}), "This has three. This sentence has 5 words. This sentence will have two more words.", true),
        ("sentence:increment", json!({"small_n": 2}), "This has three. This sentence now has 6 words. This sentence has three more words, total is nine.", false),
        ("sentence:increment", json!({"small_n": 3}), "This has three. This sentence has 5 words. This sentence will have two more words.", false),
        ("sentence:increment", json!({"small_n": 3}), "This has three. This sentence now has 6 words. This sentence has three more words, total is nine.", true),
        ("words:no_consecutive", json!({}), "This shouldn't succeed.", false),
        ("words:no_consecutive", json!({}), "This words, though. ", true),
        ("format:line_indent", json!({}), "  Two spaces. \n   Three spaces.\n    Four spaces. \n     Five spaces. \n      Six spaces.", true),
        ("format:line_indent", json!({}), "  Two spaces. \n   Three spaces.\n     Five spaces. \n    Four spaces.", false),
        ("format:quote_unquote", json!({}), "A phrase out of quotes. \"A phrase in quotes.\"\n\nAnother phrase out of quotes with an extra '\"'.", true),
        ("format:quote_unquote", json!({}), " \"Just a quoted phrase with no explanation.\" ", false),
        ("format:list", json!({"sep": "..."}), "Some explanation.\n ... A bullet point.\n ... Another bullet point.", true),
        ("format:list", json!({"sep": "..."}), "- Some explanation.\n - A bullet point.\n - Another bullet point", false),
        ("format:thesis", json!({}), "<i>\n  A thesis.\n</i>\nA paragraph", true),
        ("format:thesis", json!({}), "<em>\"Animal Farm\" and \"A Streetcar Named Desire\" both explore themes of power, class struggle, and the corrupting influence of authority, but they do so through distinct narrative styles and settings.</em>\nIn \"Animal Farm,\" Orwell uses the allegory of a farm taken over by animals to critique the corrupting influence of power and the failure of communist ideals.", true),
        ("format:sub-bullets", json!({}), "Some sentence.\n  * A bullet.\n     - A sub-bullet.\n     - Another sub-bullet.", true),
        ("format:sub-bullets", json!({}), "Some sentence.\n  * A bullet.\n  * Another bullet.\n    - Only one bullet has a sub bullet.\n    -There are two.", false),
        ("format:no_bullets_bullets", json!({}), "This is a sentence. This is another sentence. This is a third sentence.\n  * A bullet.\n  * Another bullet.\n  * A third bullet.", true),
        ("format:no_bullets_bullets", json!({}), "This is a sentence.\n  * A bullet.\n  * Another bullet.\n  * A third bullet.\n  * A fourth bullet.", false),
        ("format:no_bullets_bullets", json!({}), "This is a sentence. This is another sentence.\n  * A bullet.\n", false),
        ("custom:multiples", json!({}), "14 21 28 35 42 49", true),
        ("custom:multiples", json!({}), "Sure! Here it is: 14,21,28,35,42,49", true),
        ("custom:multiples", json!({}), "7 14 21 28 35 42 49", false),
        ("custom:reverse_newline", json!({}), "Sure! Here are the list of countries in Africa in reverse alphabetical order:\nZimbabwe\nZambia\nUganda\nTunisia\nTogo\nTanzania\nSudan\nSouth Sudan\nSouth Africa\nSomalia\nSierra Leone\nSeychelles\nSenegal\nS\u{e3}o Tom\u{e9} and Pr\u{ed}ncipe\nRwanda\nNigeria\nNiger\nNamibia\nMozambique\nMorocco\nMauritius\nMauritania\nMali\nMalawi\nMadagascar\nLibya\nLiberia\nLesotho\nKenya\nGuinea-Bissau\nGuinea\nGhana\nGabon\nEswatini\nEritrea\nEquatorial Guinea\nEgypt\nDjibouti\nC\u{f4}te d'Ivoire\nCongo (Republic of the)\nCongo (Democratic Republic of the)\nComoros\nChad\nCentral African Republic\nCape Verde (Cabo Verde)\nCameroon\nBurundi\nBurkina Faso\nBotswana\nBenin\nAngola\nAlgeria", true),
        ("custom:reverse_newline", json!({}), "Sure! Here are the list of countries in Africa in reverse alphabetical order:\n    Zimbabwe\nZambia\nUganda\nTunisia\nTogo\nTanzania\nSudan\nSouth Sudan\nSouth Africa\nSomalia\nSierra Leone\nSeychelles\nSenegal\nS\u{e3}o Tom\u{e9} and Pr\u{ed}ncipe\nRwanda\nNigeria\nNiger\nNamibia\nMozambique\nMorocco\nMauritius\nMauritania\nMali\nMalawi\nMadagascar\nLibya\nLiberia\nLesotho\nKenya\nGuinea-Bissau\nGuinea\nGhana\nGabon\nEswatini\nEritrea\nEquatorial Guinea\nEgypt\nDjibouti\nC\u{f4}te d'Ivoire\nCongo (Republic of the)\nCongo (Democratic Republic of the)\nComoros\nChad\nCentral African Republic\nCape Verde (Cabo Verde)\nCameroon\nBurundi\nBurkina Faso\nBotswana", false),
        ("custom:reverse_newline", json!({}), "Algeria\nAngola\nBenin\nBotswana\nBurkina Faso\nBurundi\nCameroon\nCape Verde (Cabo Verde)\nCentral African Republic\nChad\nComoros\nCongo (Democratic Republic of the)\nCongo (Republic of the)\nC\u{f4}te d'Ivoire\nDjibouti\nEgypt\nEquatorial Guinea\nEritrea\nEswatini\nGabon\nGhana\nGuinea\nGuinea-Bissau\nKenya\nLesotho\nLiberia\nLibya\nMadagascar\nMalawi\nMali\nMauritania\nMauritius\nMorocco\nMozambique\nNamibia\nNiger\nNigeria\nRwanda\nS\u{e3}o Tom\u{e9} and Pr\u{ed}ncipe\nSenegal\nSeychelles\nSierra Leone\nSomalia\nSouth Africa\nSouth Sudan\nSudan\nTanzania\nTogo\nTunisia\nUganda\nZambia\nZimbabwe", false),
        ("custom:character_reverse", json!({}), ".su eht fo lobmys lanoitan eht si elgae dlab", true),
        ("custom:character_reverse", json!({}), "The bald eagle is the national bird of the US.", false),
        ("custom:character_reverse", json!({}), "yekurt", false),
        ("custom:word_reverse", json!({}), ".US the of bird national the is eagle bald The.", true),
        ("custom:word_reverse", json!({}), "The bald eagle is the national bird of the US.", false),
        ("custom:word_reverse", json!({}), "yekurt", false),
        ("custom:sentence_alphabet", json!({}), "A long time ago. Bears ate honey. Cats danced. Dogs. enjoyed. food. Goats had igloos.\n    Heathens roamed. Insects chirped. Jaguars leaped. Kangaroos munched. Lions napped. Monkeys played. Newts quivered.\n    Ostriches ran. Penguins slid. Quokkas smiled. Rhinos trotted. Snakes undulated. Tigers watched. Unicorns pranced.\n    Vultures waited. Walruses. xeroxed. Yaks yawned. Zebras zigzagged.", true),
        ("custom:sentence_alphabet", json!({}), "A long time ago. Bears ate honey. Cats danced. Dogs enjoyed food. Goats had igloos.", false),
        ("custom:sentence_alphabet", json!({}), ". . . . . . . . . . . . . . . . . . . . . . . . . .", false),
        ("custom:european_capitals_sort", json!({}), "Reykjav\u{ed}k, Helsinki, Oslo, Tallinn, Stockholm, Riga, Moscow, Copenhagen, Vilnius, Minsk, Dublin, Berlin, Amsterdam, Warsaw, London, Brussels, Prague, Luxembourg, Paris, Vienna, Bratislava, Budapest, Vaduz, Chi\u{219}in\u{103}u, Bern, Ljubljana, Zagreb", true),
        ("custom:european_capitals_sort", json!({}), "Zagreb, Reykjav\u{ed}k, Helsinki, Oslo, Tallinn, Stockholm, Riga, Moscow, Copenhagen, Vilnius, Minsk, Dublin, Berlin, Amsterdam, Warsaw, London, Brussels, Prague, Luxembourg, Paris, Vienna, Bratislava, Budapest, Vaduz, Chi\u{219}in\u{103}u, Bern, Ljubljana", false),
        ("custom:european_capitals_sort", json!({}), "Reykjav\u{ed}k, Helsinki, Oslo, Tallinn, Stockholm, Riga, Moscow, Copenhagen, Vilnius, Minsk, Dublin, Berlin, Amsterdam, Warsaw, London, Brussels, Prague, Luxembourg, Paris, Vienna, Bratislava, Budapest, Vaduz, Chi\u{219}in\u{103}u, Bern, Ljubljana", false),
        ("custom:csv_city", json!({}), "ID,Country,City,Year,Count\n1,USA,New York,2020,125\n2,Canada,Toronto,2019,87\n3,UK,London,2021,142\n4,Australia,Sydney,2022,95\n5,Germany,Berlin,2020,110\n6,Japan,Tokyo,2023,78\n7,India,Mumbai,2021,134", true),
        ("custom:csv_city", json!({}), "ID,Country,City,Year\n1,USA,New York,2020,125\n2,Canada,Toronto,2019,87\n3,UK,London,2021,142\n4,Australia,Sydney,2022,95\n5,Germany,Berlin,2020,110\n6,Japan,Tokyo,2023,78\n7,India,Mumbai,2021,134", false),
        ("custom:csv_special_character", json!({}), "ProductID,Category,Brand,Price,Stock\n1,Electronics,Samsung,599.99,120\n2,Appliances,Whirlpool,899.99,50\n3,Furniture,IKEA,299.99,200\n4,Clothing,Nike,79.99,500\n5,Electronics,Apple,1299.99,30\n6,Sports,Adidas,49.99,400\n7,Home Decor,\"Pottery Barn, Inc.\",99.99,150\n8,Books,Penguin,19.99,300\n9,Grocery,Whole Foods,15.99,1000\n10,Toys,Lego,59.99,250\n11,Beauty,L'Or\u{e9}al,39.99,350\n12,Automotive,Goodyear,149.99,60\n13,Outdoor,Yeti,249.99,80\n14,Pet Supplies,Petco,29.99,200", true),
        ("custom:csv_special_character", json!({}), "ProductID,Category,Brand,Price,Stock\n1,Electronics,Samsung,599.99,120\n2,Appliances,Whirlpool,899.99,50\n3,Furniture,IKEA,299.99,200\n4,Clothing,Nike,79.99,500\n5,Electronics,Apple,1299.99,30\n6,Sports,Adidas,49.99,400\n7,Home Decor,\"Pottery Barn Inc\",99.99,150\n8,Books,Penguin,19.99,300\n9,Grocery,Whole Foods,15.99,1000\n10,Toys,Lego,59.99,250\n11,Beauty,L'Or\u{e9}al,39.99,350\n12,Automotive,Goodyear,149.99,60\n13,Outdoor,Yeti,249.99,80\n14,Pet Supplies,Petco,29.99,200", false),
        ("custom:csv_quotes", json!({}), "\"StudentID\"\t \"Subject\"\t \"Grade\"\t \"Semester\"\t \"Score\"\n\"StudentID\"\t \"Subject\"\t \"Grade\"\t \"Semester\"\t \"Score\"\n\"StudentID\"\t \"Subject\"\t \"Grade\"\t \"Semester\"\t \"Score\"\n\"StudentID\"\t \"Subject\"\t \"Grade\"\t \"Semester\"\t \"Score\"", true),
        ("custom:csv_quotes", json!({}), "\"StudentID\"\t Subject\t \"Grade\"\t \"Semester\"\t \"Score\"\n\"StudentID\"\t \"Subject\"\t \"Grade\"\t \"Semester\"\t \"Score\"\n\"StudentID\"\t \"Subject\"\t \"Grade\"\t \"Semester\"\t \"Score\"\n\"StudentID\"\t \"Subject\"\t \"Grade\"\t \"Semester\"\t \"Score\"", false),
        ("custom:date_format_list", json!({}), "1796-07-05, 1800-12-31", true),
        ("custom:date_format_list", json!({}), "07-05-1796", false),
        // LATER: true (word-level comparison); 8a66c06 compares `prompt[1:] == response[1:]`.
        ("repeat:repeat_change", json!({"prompt_to_repeat": "Give me a summary of the book '1984' by George Orwell."}), "Provide me a summary of the book '1984' by George Orwell.", false),
        ("repeat:repeat_change", json!({"prompt_to_repeat": "Give me a summary of the book '1984' by George Orwell."}), "give me a summary of the book '1984' by George Orwell.", true),
        ("repeat:repeat_change", json!({"prompt_to_repeat": "Give me a summary of the book '1984' by George Orwell."}), "Give me a summary of the book '1984' by George Orwell.", false),
        ("words:last_first", json!({}), "Hello world. ... Next sentence.", false),
        ("format:title_case", json!({}), "I Am A Test", true),
        // LATER: false; at 8a66c06 a one-character token never fails (`''.islower()` is False).
        ("format:title_case", json!({}), "i Am A Test", true),
        ("format:title_case", json!({}), "it Am A Test", false),
        ("format:title_case", json!({}), "Hello, World!", true),
        ("format:title_case", json!({}), "Test (With Parentheses)", true),
        ("format:title_case", json!({}), "Test 123 Numbers", true),
        ("ratio:overlap", json!({"reference_text": "This is a reference text.", "percentage": 50}), "Hi", false),
        // LATER: true; at 8a66c06 nothing is left after stripping digits and punctuation and
        // `[-1]` raises IndexError, which the strict evaluation counts as not followed.
        ("format:quote_unquote", json!({}), "123...", false),
        // LATER: true (case-insensitive); 8a66c06 compares the token with `==`.
        ("words:keywords_specific_position", json!({"keyword": "test", "n": 1, "m": 1}), "Test is here.", false),
        ("words:keywords_specific_position", json!({"keyword": "test", "n": 1, "m": 1}), "TEST is here.", false),
        ("words:keywords_specific_position", json!({"keyword": "test", "n": 1, "m": 1}), "test is here.", true),
        // LATER: true (case-insensitive); 8a66c06 compares the tokens with `==`.
        ("words:words_position", json!({"keyword": "hello"}), "Start Hello middle Hello end", false),
        ("words:words_position", json!({"keyword": "hello"}), "Start HELLO middle HELLO end", false),
        ("words:words_position", json!({"keyword": "hello"}), "Start hello middle hello end", true),
        ("words:words_position", json!({"keyword": "vibrant"}), "The vibrant sun set over a calm vibrant sea", true),
        ("words:words_position", json!({"keyword": "vibrant"}), "The lazy sun set over a calm quiet sea", false),
        ("ratio:sentence_words", json!({}), "This is one. Now it's 22. On to three.", true),
        ("ratio:overlap", json!({"reference_text": "the quick brown fox jumps over the lazy dog again and again today", "percentage": 100}), "completely unrelated wording appears in this line", false),
    ]
}

#[test]
fn official_unit_test_cases() {
    let mut wrong = Vec::new();
    for (id, kwargs, text, expected) in cases() {
        let kwargs = kwargs.as_object().cloned().unwrap_or_default();
        let c = ifbench::build(id, &kwargs, "")
            .expect("IFBench id")
            .expect("valid kwargs");
        if c.check(text) != expected {
            wrong.push(format!("{id} {kwargs:?} {text:?}: expected {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
