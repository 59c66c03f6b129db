//! A seeded generator of realistic studies: interview transcripts with speaker turns, an
//! attribute table, a three-level codebook and several coders' segments that overlap, nest and
//! agree only in part.
//!
//! Everything is written through thema's own types and save functions, so what the benches
//! measure is a study thema itself could have produced. The same seed gives the same study, byte
//! for byte. Nothing here measures anything: it only writes the study.

use std::collections::HashSet;
use std::path::Path;

use thema::model::codebook::PALETTE;
use thema::model::segment::sort_segments;
use thema::model::{Attributes, Code, Codebook, HistoryEntry, Operation, Segment, Transcript};
use thema::study::{files, Settings, Study};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Number of transcripts.
    pub transcripts: usize,
    /// Words spoken per transcript (approximately: the last turn finishes its sentence).
    pub words: usize,
    /// Number of coders (`r1`, `r2`, ...).
    pub coders: usize,
    /// Segments per coder over the whole study.
    pub segments: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Spec {
    /// The target study scaled to `transcripts` × `words`: 100 segments per coder per
    /// 10,000 words.
    pub fn scaled(transcripts: usize, words: usize, coders: usize) -> Spec {
        Spec {
            transcripts,
            words,
            coders,
            segments: (transcripts * words).div_ceil(100),
            seed: 20_240_503,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Transcripts written.
    pub transcripts: usize,
    /// Speaker turns over all transcripts.
    pub turns: usize,
    /// Words spoken, as thema counts them.
    pub words: usize,
    /// Bytes of canonical transcript text.
    pub text_bytes: usize,
    /// Codes in the codebook.
    pub codes: usize,
    /// Segments per coder, in coder order.
    pub segments: Vec<(String, usize)>,
    /// Bytes of the coding files.
    pub coding_bytes: usize,
}

/// Errors of generation: the study layer's, or a folder that is already a study.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A small, fast, seeded random number generator (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    /// A number in `[0, n)` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((self.next_u64() >> 11) % n as u64) as usize
    }

    /// A number in `[lo, hi]`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Ranks drawn with probability proportional to `1 / rank^s`.
#[derive(Debug, Clone)]
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    /// A Zipf distribution over `n` ranks with exponent `s`.
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut total = 0.0;
        for rank in 1..=n {
            total += 1.0 / (rank as f64).powf(s);
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        Zipf { cdf }
    }

    /// A rank in `[0, n)`, 0 the most frequent.
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

/// The words people say most, in rough frequency order; contractions use the typographic
/// apostrophe word processors put in, so transcripts are not pure ASCII.
pub const COMMON: &[&str] = &[
    "the",
    "and",
    "I",
    "to",
    "a",
    "you",
    "that",
    "it",
    "of",
    "was",
    "in",
    "we",
    "they",
    "so",
    "is",
    "like",
    "just",
    "but",
    "know",
    "have",
    "what",
    "with",
    "for",
    "on",
    "yeah",
    "there",
    "be",
    "do",
    "not",
    "he",
    "she",
    "this",
    "them",
    "it’s",
    "don’t",
    "me",
    "were",
    "think",
    "then",
    "all",
    "if",
    "at",
    "had",
    "about",
    "my",
    "people",
    "get",
    "because",
    "really",
    "can",
    "when",
    "one",
    "go",
    "got",
    "out",
    "there’s",
    "I’m",
    "would",
    "some",
    "more",
    "no",
    "time",
    "their",
    "up",
    "or",
    "said",
    "well",
    "can’t",
    "didn’t",
    "an",
    "things",
    "our",
    "lot",
    "going",
    "from",
    "been",
    "as",
    "which",
    "who",
    "him",
    "her",
    "very",
    "quite",
    "mean",
    "come",
    "see",
    "say",
    "now",
    "back",
    "how",
    "way",
    "want",
    "need",
    "could",
    "thing",
    "sort",
    "um",
    "er",
    "actually",
    "never",
    "always",
    "something",
    "other",
    "work",
    "feel",
    "help",
    "different",
    "into",
    "where",
    "much",
    "make",
    "first",
    "bit",
    "good",
    "still",
    "little",
    "years",
    "week",
    "anything",
    "those",
    "someone",
    "day",
    "take",
    "look",
    "that’s",
    "they’re",
    "I’ve",
    "wasn’t",
    "doesn’t",
    "you’re",
    "we’re",
    "isn’t",
    "here",
    "over",
    "why",
    "even",
    "down",
    "being",
    "only",
    "again",
    "same",
    "kind",
    "everything",
    "went",
    "came",
    "right",
    "ok",
    "put",
    "maybe",
    "probably",
    "life",
    "home",
    "whether",
];

/// Words of the research domain: social prescribing, link workers, loneliness, services.
pub const DOMAIN: &[&str] = &[
    "referral",
    "referrals",
    "link",
    "worker",
    "workers",
    "GP",
    "surgery",
    "appointment",
    "appointments",
    "lonely",
    "loneliness",
    "isolated",
    "isolation",
    "volunteer",
    "volunteers",
    "volunteering",
    "group",
    "groups",
    "club",
    "lunch",
    "garden",
    "gardening",
    "walking",
    "bus",
    "buses",
    "transport",
    "taxi",
    "car",
    "lift",
    "travel",
    "money",
    "benefits",
    "housing",
    "council",
    "rent",
    "debt",
    "advice",
    "form",
    "forms",
    "phone",
    "calls",
    "online",
    "internet",
    "computer",
    "family",
    "daughter",
    "son",
    "husband",
    "wife",
    "friend",
    "friends",
    "neighbour",
    "neighbours",
    "carer",
    "caring",
    "health",
    "mental",
    "anxiety",
    "depression",
    "confidence",
    "confident",
    "nervous",
    "worried",
    "weeks",
    "twelve",
    "session",
    "sessions",
    "limit",
    "waiting",
    "list",
    "service",
    "services",
    "funding",
    "manager",
    "team",
    "staff",
    "training",
    "supervision",
    "caseload",
    "clients",
    "client",
    "community",
    "centre",
    "library",
    "church",
    "café",
    "pub",
    "park",
    "shop",
    "shopping",
    "morning",
    "afternoon",
    "evening",
    "weekend",
    "winter",
    "summer",
    "rain",
    "stairs",
    "hospital",
    "nurse",
    "doctor",
    "pharmacy",
    "medication",
    "pain",
    "walking",
    "stick",
    "trust",
    "listen",
    "listened",
    "listening",
    "talk",
    "talking",
    "talked",
    "chat",
    "tea",
    "cup",
    "meet",
    "meeting",
    "met",
    "visit",
    "visits",
    "visited",
    "home",
    "house",
    "flat",
    "street",
    "area",
    "town",
    "village",
    "estate",
    "local",
    "council",
    "charity",
    "grant",
    "paperwork",
    "email",
    "letter",
    "letters",
    "struggle",
    "struggling",
    "cope",
    "coping",
    "support",
    "supported",
    "supportive",
    "ending",
    "ended",
    "goodbye",
    "follow",
    "review",
    "goals",
    "plan",
    "plans",
    "wellbeing",
    "happy",
    "sad",
    "angry",
    "frustrated",
    "tired",
    "naïve",
    "motivation",
    "routine",
    "purpose",
    "belonging",
    "welcome",
    "welcomed",
];

/// Everyday English words beyond the commonest, for the middle of the frequency range.
const EVERYDAY: &[&str] = &[
    "able",
    "after",
    "again",
    "against",
    "ago",
    "along",
    "already",
    "also",
    "another",
    "answer",
    "anyone",
    "around",
    "ask",
    "asked",
    "away",
    "bad",
    "bed",
    "before",
    "began",
    "behind",
    "believe",
    "better",
    "between",
    "big",
    "book",
    "both",
    "bring",
    "brought",
    "busy",
    "buy",
    "call",
    "called",
    "care",
    "careful",
    "case",
    "change",
    "changed",
    "cheap",
    "check",
    "child",
    "children",
    "choice",
    "clean",
    "clear",
    "close",
    "cold",
    "company",
    "cost",
    "couple",
    "course",
    "cut",
    "dark",
    "date",
    "days",
    "dead",
    "deal",
    "decided",
    "difficult",
    "dinner",
    "door",
    "drive",
    "driving",
    "early",
    "easy",
    "eat",
    "else",
    "end",
    "enough",
    "every",
    "exactly",
    "face",
    "fact",
    "fair",
    "fall",
    "far",
    "fine",
    "finished",
    "food",
    "forward",
    "free",
    "front",
    "full",
    "fun",
    "gave",
    "give",
    "given",
    "glad",
    "great",
    "ground",
    "grow",
    "guess",
    "half",
    "hand",
    "hard",
    "head",
    "hear",
    "heard",
    "heart",
    "held",
    "high",
    "hold",
    "hope",
    "hour",
    "hours",
    "idea",
    "important",
    "job",
    "keep",
    "kept",
    "kids",
    "knew",
    "large",
    "last",
    "late",
    "later",
    "learn",
    "learned",
    "least",
    "leave",
    "left",
    "less",
    "let",
    "letting",
    "light",
    "line",
    "live",
    "lived",
    "living",
    "long",
    "longer",
    "lost",
    "loved",
    "lucky",
    "made",
    "matter",
    "minute",
    "minutes",
    "moment",
    "month",
    "months",
    "most",
    "move",
    "moved",
    "much",
    "name",
    "near",
    "nearly",
    "new",
    "next",
    "nice",
    "night",
    "nothing",
    "notice",
    "number",
    "often",
    "old",
    "once",
    "open",
    "order",
    "outside",
    "own",
    "paid",
    "part",
    "past",
    "pay",
    "person",
    "picked",
    "place",
    "places",
    "point",
    "poor",
    "pretty",
    "problem",
    "problems",
    "proper",
    "question",
    "quick",
    "quiet",
    "rather",
    "read",
    "ready",
    "real",
    "reason",
    "remember",
    "rest",
    "road",
    "room",
    "round",
    "run",
    "safe",
    "saw",
    "school",
    "second",
    "seemed",
    "seen",
    "sense",
    "sent",
    "set",
    "short",
    "side",
    "simple",
    "since",
    "sit",
    "sitting",
    "small",
    "somebody",
    "sometimes",
    "soon",
    "sorry",
    "speak",
    "spend",
    "spent",
    "start",
    "started",
    "stay",
    "stayed",
    "step",
    "stop",
    "stopped",
    "story",
    "strange",
    "strong",
    "stuff",
    "sure",
    "table",
    "taken",
    "taking",
    "tell",
    "telling",
    "tend",
    "terrible",
    "thought",
    "through",
    "today",
    "together",
    "told",
    "tomorrow",
    "took",
    "top",
    "tried",
    "true",
    "try",
    "trying",
    "turn",
    "turned",
    "understand",
    "until",
    "upset",
    "use",
    "used",
    "useful",
    "usually",
    "wait",
    "waited",
    "walk",
    "wanted",
    "warm",
    "watch",
    "water",
    "whole",
    "wish",
    "without",
    "woman",
    "women",
    "word",
    "words",
    "worked",
    "working",
    "world",
    "worse",
    "worth",
    "write",
    "wrong",
    "year",
    "yesterday",
    "young",
];

const ONSETS: &[&str] = &[
    "b", "b", "c", "d", "d", "f", "g", "h", "j", "k", "l", "l", "m", "m", "n", "p", "p", "r", "r",
    "s", "s", "t", "t", "v", "w", "br", "ch", "cl", "fr", "gr", "pl", "sh", "st", "th", "tr",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "a", "e", "o", "ea", "ou", "ai"];
const CODAS: &[&str] = &[
    "", "", "", "", "n", "n", "r", "r", "l", "s", "t", "d", "m", "ck", "nd", "st", "nt", "sh",
];
const SUFFIXES: &[&str] = &[
    "", "", "", "", "", "", "", "s", "s", "ed", "ing", "er", "ly", "ness", "ment", "ful",
];

/// Distinct words of a generated study.
pub const VOCABULARY_SIZE: usize = 4000;

/// Words in Zipf order: the common words first, then domain words and made-up English-looking
/// words mixed (so a domain word is neither always common nor always rare).
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Words, most frequent first.
    pub words: Vec<String>,
    zipf: Zipf,
}

impl Vocabulary {
    /// About `size` words with a Zipf exponent of 1.
    pub fn new(rng: &mut Rng, size: usize) -> Vocabulary {
        let mut seen: HashSet<String> = HashSet::new();
        let mut words: Vec<String> = Vec::with_capacity(size);
        for w in COMMON {
            if seen.insert(w.to_string()) {
                words.push(w.to_string());
            }
        }
        let mut rest: Vec<String> = DOMAIN
            .iter()
            .chain(EVERYDAY)
            .map(|w| w.to_string())
            .filter(|w| seen.insert(w.clone()))
            .collect();
        while words.len() + rest.len() < size {
            let syllables = match rng.below(10) {
                0..=3 => 1,
                4..=8 => 2,
                _ => 3,
            };
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(rng.pick::<&str>(ONSETS));
                w.push_str(rng.pick::<&str>(VOWELS));
                w.push_str(rng.pick::<&str>(CODAS));
            }
            w.push_str(rng.pick::<&str>(SUFFIXES));
            if w.len() >= 3 && seen.insert(w.clone()) {
                rest.push(w);
            }
        }
        rng.shuffle(&mut rest);
        words.extend(rest);
        let zipf = Zipf::new(words.len(), 1.0);
        Vocabulary { words, zipf }
    }

    /// The vocabulary a study generated with `seed` uses.
    pub fn of_seed(seed: u64) -> Vocabulary {
        Vocabulary::new(&mut Rng::new(seed), VOCABULARY_SIZE)
    }

    /// Frequency rank of a word (0 the commonest), if it is in the vocabulary.
    pub fn rank(&self, word: &str) -> Option<usize> {
        self.words.iter().position(|w| w == word)
    }

    /// One word, drawn by frequency.
    pub fn word(&self, rng: &mut Rng) -> &str {
        &self.words[self.zipf.sample(rng)]
    }
}

/// Appends one sentence of `n` words; returns the words written.
fn sentence(
    out: &mut String,
    rng: &mut Rng,
    vocab: &Vocabulary,
    n: usize,
    question: bool,
) -> usize {
    for i in 0..n {
        let word = vocab.word(rng);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
        if i + 1 < n {
            if rng.chance(0.07) {
                out.push(',');
            } else if rng.chance(0.006) {
                out.push_str(" —");
            }
        }
    }
    let end = if question {
        "?"
    } else {
        match rng.below(100) {
            0..=84 => ".",
            85..=92 => "?",
            93..=95 => "!",
            _ => "...",
        }
    };
    out.push_str(end);
    n
}

fn sentence_length(rng: &mut Rng) -> usize {
    // most sentences 6–18 words, a few long ramblers
    let base = rng.between(4, 16);
    if rng.chance(0.15) {
        base + rng.between(8, 22)
    } else {
        base
    }
}

fn clock(seconds: usize) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    )
}

/// Who a transcript is about, for its text and the attribute table.
#[derive(Debug, Clone)]
pub struct Interview {
    /// Transcript id.
    pub id: String,
    /// Participant label (also the speaker label).
    pub participant: String,
    /// Other participants (focus groups, joint interviews).
    pub others: Vec<String>,
    /// Attribute values (column, value), `participant` included.
    pub attributes: Vec<(String, String)>,
}

const AREAS: &[&str] = &[
    "Northgate",
    "Riverside",
    "Hillcrest",
    "Old Town",
    "Harbourside",
    "Millbrook",
    "Westfield",
    "Ashby Green",
];
const ROLES: &[(&str, &str, usize)] = &[
    ("link worker", "LW", 35),
    ("client", "CL", 40),
    ("volunteer", "V", 15),
    ("manager", "M", 10),
];
const WAVES: &[&str] = &["first year", "second year"];

/// The interviews of a study of `n` transcripts: participants seen in two waves.
pub fn interviews(rng: &mut Rng, n: usize) -> Vec<Interview> {
    let participants = n.div_ceil(2);
    let mut people = Vec::with_capacity(participants);
    let mut counters = [0usize; 4];
    for _ in 0..participants {
        let mut r = rng.below(100);
        let mut role = 0;
        for (i, (_, _, share)) in ROLES.iter().enumerate() {
            if r < *share {
                role = i;
                break;
            }
            r -= share;
        }
        counters[role] += 1;
        let label = format!("{}{:03}", ROLES[role].1, counters[role]);
        let area = *rng.pick(AREAS);
        let gender = *rng.pick(&["woman", "man", "woman", "man", "non-binary"]);
        people.push((label, role, area, gender));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (label, role, area, gender) = &people[i % participants];
        let wave = (i / participants).min(WAVES.len() - 1);
        let id = format!("{label}-y{}", wave + 1);
        let others = if rng.chance(0.08) {
            (0..rng.between(1, 3))
                .map(|k| format!("{label}-{}", (b'B' + k as u8) as char))
                .collect()
        } else {
            Vec::new()
        };
        out.push(Interview {
            id,
            participant: label.clone(),
            others,
            attributes: vec![
                ("participant".into(), label.clone()),
                ("role".into(), ROLES[*role].0.into()),
                ("wave".into(), WAVES[wave].into()),
                ("area".into(), area.to_string()),
                ("gender".into(), gender.to_string()),
                ("order".into(), (i + 1).to_string()),
            ],
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The canonical text of one interview of about `words` spoken words: a header note, then
/// interviewer questions and participant answers, with timestamps in most transcripts.
pub fn transcript_text(
    rng: &mut Rng,
    vocab: &Vocabulary,
    interview: &Interview,
    words: usize,
) -> String {
    let mut out = String::with_capacity(words * 7);
    let area = interview
        .attributes
        .iter()
        .find(|(k, _)| k == "area")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    out.push_str(&format!(
        "Interview with {} — {}, recorded at the community centre\n",
        interview.participant, area
    ));
    let timestamps = rng.chance(0.6);
    let mut seconds = rng.between(0, 20);
    let mut spoken = 0;
    let mut interviewer = true;
    while spoken < words {
        out.push('\n');
        if rng.chance(0.01) {
            out.push_str(rng.pick::<&str>(&[
                "[Recording paused]",
                "[Phone rings]",
                "[Laughter]",
                "[Inaudible]",
            ]));
            out.push('\n');
            continue;
        }
        let speaker = if interviewer {
            "Interviewer"
        } else if !interview.others.is_empty() && rng.chance(0.4) {
            rng.pick(&interview.others).as_str()
        } else {
            interview.participant.as_str()
        };
        if timestamps {
            out.push_str(&format!("[{}] ", clock(seconds)));
        }
        out.push_str(speaker);
        out.push_str(": ");
        let sentences = if interviewer {
            rng.between(1, 2)
        } else {
            rng.between(2, 14)
        };
        let mut in_turn = 0;
        for s in 0..sentences {
            if s > 0 {
                out.push(' ');
            }
            let n = if interviewer {
                rng.between(5, 16)
            } else {
                sentence_length(rng)
            };
            in_turn += sentence(&mut out, rng, vocab, n, interviewer && s + 1 == sentences);
            if spoken + in_turn >= words {
                break;
            }
        }
        out.push('\n');
        spoken += in_turn;
        seconds += in_turn * 2 / 5 + rng.between(1, 4);
        interviewer = !interviewer;
    }
    out
}

/// Theme names and, for each, the names of its four sub-themes.
const THEMES: &[(&str, [&str; 4])] = &[
    (
        "Access to the service",
        ["Referral routes", "Waiting", "First contact", "Eligibility"],
    ),
    (
        "Loneliness and isolation",
        [
            "Living alone",
            "Losing people",
            "Being seen",
            "Time on my hands",
        ],
    ),
    (
        "The link worker relationship",
        ["Being listened to", "Trust", "Boundaries", "Endings"],
    ),
    (
        "Practical barriers",
        [
            "Transport",
            "Money",
            "Health and mobility",
            "Digital access",
        ],
    ),
    (
        "Community activities",
        ["Groups and clubs", "Outdoors", "Faith groups", "Learning"],
    ),
    (
        "Volunteering",
        ["Motivation", "Training", "Recognition", "Burnout"],
    ),
    ("Wellbeing", ["Mood", "Confidence", "Routine", "Purpose"]),
    (
        "Family and carers",
        ["Family support", "Caring duties", "Conflict", "Distance"],
    ),
    (
        "Working conditions",
        ["Caseload", "Supervision", "Pay", "Role clarity"],
    ),
    (
        "Partnerships",
        ["GP practices", "Council", "Charities", "Housing providers"],
    ),
    (
        "Funding and continuity",
        [
            "Short-term contracts",
            "Grants",
            "Staff turnover",
            "Commissioning",
        ],
    ),
    (
        "Change over time",
        ["Before the service", "During", "After", "Looking ahead"],
    ),
];

/// Facets of a sub-theme that become its codes.
const FACETS: &[&str] = &[
    "Barriers",
    "Enablers",
    "Experiences",
    "Expectations",
    "Feelings",
    "Examples",
    "Costs",
    "Suggestions",
    "Comparisons",
    "Turning points",
    "Uncertainty",
    "Humour",
];

fn base36(mut n: u64, digits: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; digits];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A code of the generated framework and where it sits.
#[derive(Debug, Clone)]
pub struct CodeSlot {
    /// Code id.
    pub id: String,
    /// 0 theme, 1 sub-theme, 2 code.
    pub depth: usize,
    /// Index of the theme in [`Framework::codes`].
    pub theme: usize,
    /// Index of the parent, if any.
    pub parent: Option<usize>,
}

/// The generated codebook, with what the segment generator needs to choose codes.
#[derive(Debug, Clone)]
pub struct Framework {
    /// The codebook as thema stores it.
    pub codebook: Codebook,
    /// Every code, themes first within each theme's block.
    pub codes: Vec<CodeSlot>,
    /// Indices of the leaf codes, in Zipf order (the first is applied most).
    leaves: Vec<usize>,
    leaf_zipf: Zipf,
    /// Indices of the sub-themes, in Zipf order.
    middles: Vec<usize>,
    middle_zipf: Zipf,
    /// Indices of the themes.
    themes: Vec<usize>,
}

impl Framework {
    /// A framework of 12 themes × 4 sub-themes × 5 codes (300 codes).
    pub fn new(rng: &mut Rng) -> Framework {
        let mut codebook = Codebook::new("Social prescribing evaluation");
        let mut codes = Vec::new();
        let mut ids = HashSet::new();
        let mut fresh_id = |rng: &mut Rng| loop {
            let id = format!("c{}", base36(rng.next_u64(), 6));
            if ids.insert(id.clone()) {
                return id;
            }
        };
        let mut push = |codebook: &mut Codebook,
                        codes: &mut Vec<CodeSlot>,
                        rng: &mut Rng,
                        name: String,
                        depth: usize,
                        parent: Option<usize>| {
            let id = fresh_id(rng);
            let theme = match parent {
                None => codes.len(),
                Some(p) => codes[p].theme,
            };
            let index = codes.len();
            codebook.codes.push(Code {
                id: id.clone(),
                name: name.clone(),
                parent: parent.map(|p| codes[p].id.clone()),
                description: format!(
                    "Talk about {} in participants' own words.",
                    name.to_lowercase()
                ),
                include: if depth == 2 {
                    "Concrete accounts and opinions.".into()
                } else {
                    String::new()
                },
                exclude: String::new(),
                example: String::new(),
                color: PALETTE[index % PALETTE.len()].to_string(),
                codable: true,
                order: None,
            });
            codes.push(CodeSlot {
                id,
                depth,
                theme,
                parent,
            });
            index
        };
        for (theme, subs) in THEMES {
            let t = push(&mut codebook, &mut codes, rng, theme.to_string(), 0, None);
            for sub in subs {
                let s = push(&mut codebook, &mut codes, rng, sub.to_string(), 1, Some(t));
                let mut facets: Vec<&str> = FACETS.to_vec();
                rng.shuffle(&mut facets);
                for facet in &facets[..5] {
                    push(
                        &mut codebook,
                        &mut codes,
                        rng,
                        facet.to_string(),
                        2,
                        Some(s),
                    );
                }
            }
        }
        codebook.normalise();
        let mut leaves: Vec<usize> = (0..codes.len()).filter(|&i| codes[i].depth == 2).collect();
        let mut middles: Vec<usize> = (0..codes.len()).filter(|&i| codes[i].depth == 1).collect();
        let themes: Vec<usize> = (0..codes.len()).filter(|&i| codes[i].depth == 0).collect();
        rng.shuffle(&mut leaves);
        rng.shuffle(&mut middles);
        let leaf_zipf = Zipf::new(leaves.len(), 0.9);
        let middle_zipf = Zipf::new(middles.len(), 0.9);
        Framework {
            codebook,
            codes,
            leaves,
            leaf_zipf,
            middles,
            middle_zipf,
            themes,
        }
    }

    /// A code to apply: mostly leaf codes, some sub-themes, a few themes.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        match rng.below(100) {
            0..=79 => self.leaves[self.leaf_zipf.sample(rng)],
            80..=94 => self.middles[self.middle_zipf.sample(rng)],
            _ => *rng.pick(&self.themes),
        }
    }

    /// A code inside the same theme as `code` but deeper or a sibling (for nested segments).
    pub fn nested(&self, rng: &mut Rng, code: usize) -> usize {
        let theme = self.codes[code].theme;
        let inside: Vec<usize> = (0..self.codes.len())
            .filter(|&i| self.codes[i].theme == theme && i != code && self.codes[i].depth >= 1)
            .collect();
        if inside.is_empty() {
            code
        } else {
            *rng.pick(&inside)
        }
    }

    /// Another code with the same parent (a coder's different judgement).
    pub fn sibling(&self, rng: &mut Rng, code: usize) -> usize {
        let parent = self.codes[code].parent;
        let siblings: Vec<usize> = (0..self.codes.len())
            .filter(|&i| self.codes[i].parent == parent && i != code)
            .collect();
        if siblings.is_empty() {
            code
        } else {
            *rng.pick(&siblings)
        }
    }
}

/// Word tokens of a transcript's speaker turns: code-point spans (trailing punctuation
/// included), the turn each belongs to, and where sentences start.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// `[start, end)` of each token.
    pub spans: Vec<(usize, usize)>,
    /// First and one-past-last token of each speaker turn of a participant.
    pub turns: Vec<(usize, usize)>,
    /// Whether a token starts a sentence.
    pub sentence_start: Vec<bool>,
}

impl Tokens {
    /// The tokens of every non-interviewer speaker turn.
    pub fn of(transcript: &Transcript) -> Tokens {
        let mut tokens = Tokens::default();
        for turn in transcript.speaker_turns() {
            if turn.speaker.as_deref() == Some("Interviewer") {
                continue;
            }
            let first = tokens.spans.len();
            let mut cp = turn.body_start;
            let mut start: Option<usize> = None;
            let mut new_sentence = true;
            let body = transcript.body(turn);
            let mut last_char = ' ';
            for c in body.chars() {
                if c.is_whitespace() {
                    if let Some(s) = start.take() {
                        tokens.spans.push((s, cp));
                        tokens.sentence_start.push(new_sentence);
                        new_sentence = matches!(last_char, '.' | '?' | '!');
                    }
                } else if start.is_none() {
                    start = Some(cp);
                }
                last_char = c;
                cp += 1;
            }
            if let Some(s) = start {
                tokens.spans.push((s, cp));
                tokens.sentence_start.push(new_sentence);
            }
            if tokens.spans.len() > first {
                tokens.turns.push((first, tokens.spans.len()));
            }
        }
        tokens
    }
}

/// A segment before it has a coder: token range and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Draft {
    from: usize,
    to: usize,
    code: usize,
}

/// A span of a random participant turn: the whole turn, a run of sentences, or a phrase.
fn draft(rng: &mut Rng, tokens: &Tokens, framework: &Framework) -> Option<Draft> {
    let &(first, last) = rng.pick(&tokens.turns);
    let code = framework.draw(rng);
    let (from, to) = match rng.below(100) {
        0..=11 => (first, last),
        12..=84 => {
            let starts: Vec<usize> = (first..last)
                .filter(|&i| tokens.sentence_start[i])
                .collect();
            let a = rng.below(starts.len());
            let b = (a + rng.between(1, 3)).min(starts.len());
            let from = starts[a];
            let to = starts.get(b).copied().unwrap_or(last);
            (from, to)
        }
        _ => {
            let len = rng.between(3, 15).min(last - first);
            let from = first + rng.below(last - first - len + 1);
            (from, from + len)
        }
    };
    (to > from).then_some(Draft { from, to, code })
}

/// A phrase inside `outer` with a code from the same theme.
fn nested(rng: &mut Rng, outer: &Draft, framework: &Framework) -> Option<Draft> {
    let width = outer.to - outer.from;
    if width < 8 {
        return None;
    }
    let len = rng.between(3, width / 2);
    let from = outer.from + rng.below(width - len + 1);
    Some(Draft {
        from,
        to: from + len,
        code: framework.nested(rng, outer.code),
    })
}

/// The turn (first, last token) holding token `i`.
fn turn_of(tokens: &Tokens, i: usize) -> (usize, usize) {
    let slot = tokens.turns.partition_point(|&(first, _)| first <= i);
    tokens.turns[slot.saturating_sub(1)]
}

/// Shifts a draft's edges by a word or three, inside its turn (coders rarely agree to the word).
fn jitter(rng: &mut Rng, tokens: &Tokens, d: Draft) -> Draft {
    let (first, last) = turn_of(tokens, d.from);
    let shift = |rng: &mut Rng| -> isize {
        if rng.chance(0.5) {
            0
        } else {
            let k = rng.between(1, 3) as isize;
            if rng.chance(0.5) {
                -k
            } else {
                k
            }
        }
    };
    let from = (d.from as isize + shift(rng)).clamp(first as isize, last as isize - 1);
    let to = (d.to as isize + shift(rng)).clamp(from + 1, last as isize);
    Draft {
        from: from as usize,
        to: to as usize,
        code: d.code,
    }
}

/// Each coder's segments in one transcript: a shared set of passages each coder codes with its
/// own probability, edges and occasional different code, topped up with passages only they coded.
fn code_transcript(
    rng: &mut Rng,
    transcript: &Transcript,
    framework: &Framework,
    coders: &[String],
    per_coder: usize,
    day: usize,
) -> Vec<Vec<Segment>> {
    let tokens = Tokens::of(transcript);
    let mut out = vec![Vec::with_capacity(per_coder); coders.len()];
    if tokens.turns.is_empty() || per_coder == 0 {
        return out;
    }
    let mut shared = Vec::with_capacity(per_coder);
    let mut guard = 0;
    while shared.len() < per_coder && guard < per_coder * 10 {
        guard += 1;
        if let Some(d) = draft(rng, &tokens, framework) {
            shared.push(d);
            if rng.chance(0.25) && shared.len() < per_coder {
                if let Some(inner) = nested(rng, &d, framework) {
                    shared.push(inner);
                }
            }
        }
    }
    for (c, coder) in coders.iter().enumerate() {
        let keep = 0.85 - 0.05 * c as f64;
        let mut mine: Vec<Draft> = Vec::with_capacity(per_coder);
        let mut seen: HashSet<Draft> = HashSet::with_capacity(per_coder * 2);
        for d in &shared {
            if !rng.chance(keep) {
                continue;
            }
            let mut d = if rng.chance(0.4) {
                jitter(rng, &tokens, *d)
            } else {
                *d
            };
            if rng.chance(0.07) {
                d.code = framework.sibling(rng, d.code);
            }
            if seen.insert(d) {
                mine.push(d);
            }
        }
        let mut guard = 0;
        while mine.len() < per_coder && guard < per_coder * 10 {
            guard += 1;
            if let Some(d) = draft(rng, &tokens, framework) {
                if seen.insert(d) {
                    mine.push(d);
                }
            }
        }
        for d in mine {
            let start = tokens.spans[d.from].0;
            let end = tokens.spans[d.to - 1].1;
            let seconds = rng.below(8 * 3600);
            out[c].push(Segment {
                id: format!("{coder}-{}", base36(rng.next_u64(), 8)),
                transcript: transcript.id.clone(),
                start,
                end,
                code: framework.codes[d.code].id.clone(),
                quote: transcript.slice(start, end).to_string(),
                at: format!(
                    "2025-{:02}-{:02}T{}Z",
                    1 + (day / 28) % 12,
                    1 + day % 28,
                    clock(9 * 3600 + seconds)
                ),
                memo: rng.chance(0.02).then(|| {
                    "Compare with the first wave: the same worry, put differently.".into()
                }),
                starred: rng.chance(0.01),
                flag: None,
                extra: Default::default(),
            });
        }
    }
    out
}

/// Writes a new study to `out` (which must not already be a study).
pub fn generate(spec: &Spec, out: &Path) -> Result<Summary, Error> {
    let mut rng = Rng::new(spec.seed);
    Study::init(out, "Generated social prescribing programme")?;
    files::save_settings(
        out,
        &Settings {
            name: format!(
                "Generated study: {} transcripts × {} words × {} coders",
                spec.transcripts, spec.words, spec.coders
            ),
            ..Settings::default()
        },
    )?;
    // first draw from the seed: `Vocabulary::of_seed` rebuilds it for choosing query words
    let vocab = Vocabulary::new(&mut rng, VOCABULARY_SIZE);
    let people = interviews(&mut rng, spec.transcripts);
    let framework = Framework::new(&mut rng);
    let coders: Vec<String> = (1..=spec.coders).map(|c| format!("r{c}")).collect();
    let mut summary = Summary {
        codes: framework.codebook.codes.len(),
        ..Summary::default()
    };

    // the codebook, and its history: one `add` per code
    std::fs::write(
        files::codebook_path(out, "programme"),
        files::codebook_bytes(&framework.codebook)?,
    )?;
    let mut log = String::new();
    for (code, _) in framework.codebook.tree() {
        let entry = HistoryEntry {
            at: "2025-01-06T10:00:00Z".into(),
            coder: "r1".into(),
            op: Operation::Add { code: code.clone() },
            why: None,
        };
        log.push_str(&serde_json::to_string(&entry)?);
        log.push('\n');
    }
    std::fs::write(files::history_path(out, "programme"), log)?;

    let mut attributes = Attributes::default();
    let mut layers: Vec<Vec<Segment>> = vec![Vec::new(); coders.len()];
    let base = spec.segments / spec.transcripts.max(1);
    let extra = spec.segments % spec.transcripts.max(1);
    for (i, interview) in people.iter().enumerate() {
        let text = transcript_text(&mut rng, &vocab, interview, spec.words);
        files::save_transcript(out, &interview.id, &text)?;
        for (k, v) in &interview.attributes {
            attributes.set(&interview.id, k, v);
        }
        let transcript = Transcript::parse(interview.id.clone(), text);
        summary.transcripts += 1;
        summary.turns += transcript.speaker_turns().count();
        summary.words += transcript.words;
        summary.text_bytes += transcript.text.len();
        let per_coder = base + usize::from(i < extra);
        let coded = code_transcript(&mut rng, &transcript, &framework, &coders, per_coder, i);
        for (layer, segments) in layers.iter_mut().zip(coded) {
            layer.extend(segments);
        }
    }
    files::save_attributes(out, &attributes)?;
    for (coder, mut layer) in coders.iter().zip(layers) {
        sort_segments(&mut layer);
        let bytes = files::codings_bytes(&layer)?;
        summary.coding_bytes += bytes.len();
        std::fs::write(files::codings_path(out, coder), bytes)?;
        summary.segments.push((coder.clone(), layer.len()));
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_study_opens_cleanly_and_is_reproducible() {
        let spec = Spec {
            transcripts: 6,
            words: 1500,
            coders: 3,
            segments: 60,
            seed: 7,
        };
        let a = tempfile_dir("a");
        let b = tempfile_dir("b");
        let summary = generate(&spec, &a).unwrap();
        generate(&spec, &b).unwrap();
        assert_eq!(summary.transcripts, 6);
        assert_eq!(summary.codes, 300);
        assert_eq!(summary.segments.len(), 3);
        for (_, n) in &summary.segments {
            assert_eq!(*n, 60);
        }
        let study = Study::open_all(&a).unwrap();
        assert!(study.notices().is_empty(), "{:?}", study.notices());
        assert_eq!(study.transcripts().len(), 6);
        for t in &study.all_transcripts().unwrap() {
            assert!(t.words >= 1500 && t.words < 1500 + 400, "{} words", t.words);
            assert!(!t.text.is_ascii(), "typographic apostrophes expected");
        }
        for coder in ["r1", "r2", "r3"] {
            for s in study.layer(coder).unwrap() {
                let t = study.transcript(&s.transcript).unwrap();
                assert_eq!(t.slice(s.start, s.end), s.quote);
                assert!(study.code(&s.code).is_some());
            }
        }
        for dir in [
            "codings/r1.jsonl",
            "transcripts/attributes.csv",
            "codebooks/programme.json",
        ] {
            assert_eq!(
                std::fs::read(a.join(dir)).unwrap(),
                std::fs::read(b.join(dir)).unwrap(),
                "{dir} differs between two runs with one seed"
            );
        }
        std::fs::remove_dir_all(&a).unwrap();
        std::fs::remove_dir_all(&b).unwrap();
    }

    fn tempfile_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("thema-gen-test-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }
}
