//! `certbook check`: every authoring mistake in a broken fixture is reported with
//! its file, line and a fix; a good course passes.

use crate::harness::fixture;
use certbook::diag::Diagnostic;

fn broken() -> Vec<Diagnostic> {
    let diags = certbook::course::load(&fixture("broken")).expect_err("the broken fixture must fail");
    diags.0
}

/// Finds the diagnostic whose message contains `needle`.
fn find<'a>(diags: &'a [Diagnostic], needle: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.message.contains(needle))
        .unwrap_or_else(|| panic!("no diagnostic containing {needle:?} in:\n{diags:#?}"))
}

fn at(d: &Diagnostic) -> String {
    format!("{}:{}", d.file.display(), d.line)
}

#[test]
fn errors_on_a_lesson_file_that_does_not_exist() {
    let d = broken();
    let e = find(&d, "lesson file `content/c1/m/02-missing.md` does not exist");
    assert_eq!((at(e).as_str(), e.column), ("content/c1/course.toml:9", 3));
    assert!(e.help.as_deref().unwrap().contains("create the file"));
}

#[test]
fn errors_on_unknown_quiz_and_unknown_directive() {
    let d = broken();
    assert_eq!(at(find(&d, "unknown quiz `kyes`")), "content/c1/m/01-good.md:9");
    assert_eq!(at(find(&d, "unknown directive `{{#quizz}}`")), "content/c1/m/01-good.md:10");
    // A bank that exists but is broken is reported once, in its own file, not as "unknown" too.
    assert!(!d.iter().any(|x| x.message.contains("unknown quiz `keys`")));
}

#[test]
fn errors_on_front_matter_syntax_and_duplicate_ids() {
    let d = broken();
    let fm = find(&d, "front matter:");
    assert_eq!(at(fm), "content/c1/m/03-bad-front.md:3");
    let dup = find(&d, "duplicate id `good`");
    assert_eq!(at(dup), "content/c1/m/04-dup.md:2");
    assert!(dup.message.contains("01-good.md"), "names the first use: {}", dup.message);
    assert_eq!(at(find(&d, "course folder `content/nowhere` has no course.toml")), "course.toml:2");
}

#[test]
fn errors_on_bad_answer_keys_with_their_lines() {
    let d = broken();
    assert_eq!(
        at(find(&d, "question `range`: answer `E` is not one of the 4 options")),
        "quizzes/keys.toml:9"
    );
    assert_eq!(at(find(&d, "question `none` has no correct option")), "quizzes/keys.toml:17");
    assert_eq!(at(find(&d, "question `tol` has a negative tolerance")), "quizzes/keys.toml:25");
    let order = find(&d, "question `order`: the key does not cover all 3 items");
    assert_eq!(at(order), "quizzes/keys.toml:33");
    assert!(order.message.contains("missing: C"));
    assert_eq!(
        at(find(&d, "question `match`: the key has 1 letters but there are 2 left items")),
        "quizzes/keys.toml:42"
    );
    assert_eq!(at(find(&d, "duplicate question id `range`")), "quizzes/keys.toml:46");
    assert_eq!(at(find(&d, "question has no `id`")), "quizzes/keys.toml:52");
}

#[test]
fn errors_on_toml_syntax_and_a_missing_quiz_id() {
    let d = broken();
    let syntax = find(&d, "TOML syntax");
    assert_eq!(at(syntax), "quizzes/syntax.toml:6");
    assert_eq!(at(find(&d, "the quiz has no `id`")), "quizzes/noid.toml:1");
    assert!(d.iter().all(|x| x.help.is_some()), "every diagnostic says how to fix it");
}

#[test]
fn the_check_command_prints_locations_and_fails() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certbook"))
        .arg("check")
        .arg(fixture("broken"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("quizzes/keys.toml:25:13"), "{stderr}");
    assert!(
        stderr.contains("negative tolerance") && stderr.contains("tolerance = -1"),
        "shows the offending line: {stderr}"
    );
    // The scenario that parses is played too, though other files have errors: one run
    // shows every problem (its division by zero, line 31).
    assert!(stderr.contains("content/scenarios/blowup.toml:31"), "{stderr}");
    assert!(stderr.contains("gives inf"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("15 error(s)") || stdout.contains("error(s)"), "{stdout}");
}

#[test]
fn a_good_course_checks_clean() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certbook"))
        .arg("check")
        .arg(fixture("course-ok"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 error(s), 0 warning(s)"));
}

#[test]
fn glossary_links_name_a_term_and_a_used_term_is_linked() {
    let d = broken();
    let unknown = find(&d, "no glossary term `retension`");
    assert_eq!((at(unknown).as_str(), unknown.column), ("content/c1/m/01-good.md:12", 18));
    assert!(unknown.help.as_deref().unwrap().contains("`retention`"), "{unknown:?}");
    let unlinked = find(&d, "\"ARPU\" is a glossary term (`arpu`) but this page never links it");
    assert_eq!(at(unlinked), "content/c1/m/01-good.md:12");
    assert_eq!(unlinked.severity, certbook::diag::Severity::Warning);
    assert!(unlinked.help.as_deref().unwrap().contains("[ARPU](glossary:arpu)"));
    assert_eq!(at(find(&d, "glossary id `arpu` is defined twice")), "content/glossary.toml:2");
}

#[test]
fn the_bundled_course_checks_clean_without_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (cur, warnings) = certbook::course::load(root).unwrap_or_else(|d| panic!("{d}"));
    assert!(warnings.0.is_empty(), "{warnings}");
    for (_, _, lesson) in cur.lessons() {
        assert!(!lesson.quizzes.is_empty(), "lesson {} embeds no quiz", lesson.id);
    }
    // Every glossary term a page uses links to its one definition.
    assert!(cur.glossary.len() >= 30, "the glossary defines {} terms", cur.glossary.len());
    for (_, _, page) in cur.pages() {
        let unlinked = certbook::course::glossary::unlinked(&page.body, &cur.glossary);
        assert!(
            unlinked.is_empty(),
            "{} uses {:?} without linking",
            page.id,
            unlinked.iter().map(|(t, _)| &t.id).collect::<Vec<_>>()
        );
    }
    for quiz in cur.quizzes.values() {
        assert!(
            quiz.questions.iter().all(|q| q.explanation.chars().count() >= 10),
            "quiz {} has a question without a real explanation",
            quiz.id
        );
    }
}

#[test]
fn a_broken_bank_or_scenario_is_not_reported_again_by_the_certification_track() {
    let dir = tempfile::tempdir().unwrap();
    crate::harness::copy_dir(&fixture("course-ok"), dir.path());
    let bank = dir.path().join("quizzes/short.toml");
    std::fs::write(
        &bank,
        std::fs::read_to_string(&bank)
            .unwrap()
            .replacen("answer = \"B\"", "answer = \"Z\"", 1),
    )
    .unwrap();
    let sc = dir.path().join("content/scenarios/tiny.toml");
    std::fs::write(
        &sc,
        std::fs::read_to_string(&sc)
            .unwrap()
            .replace("to = \"cash - spend\"", "to = \"cash - spnd\""),
    )
    .unwrap();
    let d = certbook::course::load(dir.path()).expect_err("broken").0;
    let messages: Vec<&str> = d.iter().map(|x| x.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("answer `Z`")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("unknown variable `spnd`")), "{messages:#?}");
    assert!(!messages.iter().any(|m| m.contains("requires unknown")), "{messages:#?}");
}

/// A misspelt `read` id in certification.toml is reported at its line with the ids it
/// may have meant, as docs/certification.md promises.
#[test]
fn an_unknown_read_requirement_suggests_the_lesson_meant() {
    let dir = tempfile::tempdir().unwrap();
    crate::harness::copy_dir(&fixture("course-ok"), dir.path());
    let cert = dir.path().join("content/certification.toml");
    let text = std::fs::read_to_string(&cert)
        .unwrap()
        .replace("read = [\"demo-browser\"]", "read = [\"demo-browsr\"]");
    std::fs::write(&cert, &text).unwrap();
    let d = certbook::course::load(dir.path()).expect_err("broken").0;
    let e = find(&d, "level `basic` requires unknown lesson, module or course `demo-browsr`");
    assert_eq!(at(e), "content/certification.toml:9");
    assert_eq!(e.help.as_deref(), Some("did you mean `demo-browser`?"));
}

/// Two links from a scenario to one missing lesson are reported at their own lines.
#[test]
fn each_link_to_a_missing_lesson_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    crate::harness::copy_dir(&fixture("course-ok"), dir.path());
    let sc = dir.path().join("content/scenarios/tiny.toml");
    let text = std::fs::read_to_string(&sc)
        .unwrap()
        .replace("lesson = \"demo-limits\"", "lesson = \"demo-limts\"")
        .replace(
            "text = \"本轮新增用户 {gained:1}。\"",
            "text = \"本轮新增用户 {gained:1}。\"\nlesson = \"demo-limts\"",
        );
    std::fs::write(&sc, &text).unwrap();
    let d = certbook::course::load(dir.path()).expect_err("broken").0;
    let mut lines: Vec<String> = d
        .iter()
        .filter(|x| x.message.contains("`lesson = \"demo-limts\"` names no lesson"))
        .map(at)
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        ["content/scenarios/tiny.toml:88", "content/scenarios/tiny.toml:95"],
        "{d:#?}"
    );
}

/// `load_files` (the fuzz targets' way in) reads the same files from memory and
/// reports exactly what `load` reports from disk, for a good and a broken course.
#[test]
fn loading_from_memory_matches_loading_from_disk() {
    let files = |root: &std::path::Path| -> std::collections::BTreeMap<std::path::PathBuf, String> {
        walkdir::WalkDir::new(root)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect()
    };
    let root = fixture("course-ok");
    let (disk, disk_warnings) = certbook::course::load(&root).unwrap();
    let (memory, memory_warnings) = certbook::course::load_files(&root, &files(&root)).unwrap();
    let pages = |c: &certbook::course::Curriculum| c.pages().map(|(_, _, l)| (l.id.clone(), l.body.clone())).collect::<Vec<_>>();
    assert_eq!(pages(&disk), pages(&memory));
    assert_eq!(disk.quizzes.keys().collect::<Vec<_>>(), memory.quizzes.keys().collect::<Vec<_>>());
    assert_eq!(
        disk.scenarios.keys().collect::<Vec<_>>(),
        memory.scenarios.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        disk.exercises.keys().collect::<Vec<_>>(),
        memory.exercises.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        serde_json::to_value(&disk.track).unwrap(),
        serde_json::to_value(&memory.track).unwrap()
    );
    assert_eq!(disk_warnings.to_string(), memory_warnings.to_string());
    let root = fixture("broken");
    let disk = certbook::course::load(&root).unwrap_err().to_string();
    let memory = certbook::course::load_files(&root, &files(&root)).unwrap_err().to_string();
    assert_eq!(disk, memory);
    assert!(disk.contains("error(s)"));
}

#[test]
fn errors_on_wording_that_a_shuffle_or_a_draw_breaks() {
    let d = broken();
    let letter = find(&d, "question `letter`: the explanation names option B by its letter");
    assert_eq!(at(letter), "quizzes/wording.toml:12");
    assert!(letter.is_error() && letter.help.as_deref().unwrap().contains("by its content"));
    assert_eq!(
        at(find(&d, "question `follows`: the prompt refers to another question (「上题」)")),
        "quizzes/wording.toml:17"
    );
    assert_eq!(
        at(find(
            &d,
            "question `place`: the explanation names an option by its place (「前两项」)"
        )),
        "quizzes/wording.toml:27"
    );
    assert_eq!(
        at(find(&d, "question `order`: the explanation names option A by its letter")),
        "quizzes/wording.toml:35"
    );
    assert_eq!(at(find(&d, "`retake_after = \"soon\"` is not a wait")), "quizzes/wording.toml:4");
}

#[test]
fn a_letter_in_a_bank_that_keeps_its_order_is_a_warning() {
    let bank = "id = \"k\"\ntitle = \"K\"\nshuffle = false\n[[questions]]\nid = \"q\"\ntype = \"single\"\nprompt = \"p\"\noptions = [\"x\", \"y\"]\nanswer = \"A\"\nexplanation = \"所以选 A。\"\n";
    let (quiz, diags) = certbook::quiz::parse_bank(std::path::Path::new("quizzes/k.toml"), bank);
    assert!(quiz.is_some(), "a warning does not fail the bank");
    let w = find(&diags, "names option A by its letter");
    assert!(!w.is_error() && w.line == 10, "{w:?}");
}

#[test]
fn errors_on_an_empty_blueprint_cell_and_warns_on_a_small_pool() {
    let d = broken();
    let empty = find(&d, "blueprint cell `没有这样的题` has no questions");
    assert_eq!(at(empty), "quizzes/blueprint.toml:5");
    assert!(empty.is_error());
    assert_eq!(
        at(find(&d, "`banks` entry `nowhere-*` matches no question bank")),
        "quizzes/blueprint.toml:11"
    );
}

#[test]
fn a_pool_under_three_times_its_draw_is_a_warning_with_the_sizes() {
    let dir = tempfile::tempdir().unwrap();
    crate::harness::copy_dir(&fixture("course-ok"), dir.path());
    let bank = "id = \"small\"\ntitle = \"S\"\nmode = \"exam\"\n\n[[draw]]\ntopic = \"小题库\"\nbanks = [\"short\"]\ncount = 2\n";
    std::fs::write(dir.path().join("quizzes/small.toml"), bank).unwrap();
    let (cur, warnings) = certbook::course::load(dir.path()).expect("a small pool is not an error");
    let w = find(
        &warnings.0,
        "blueprint cell `小题库` draws 2 from a pool of only 3 (under 3× the draw)",
    );
    assert_eq!(at(w), "quizzes/small.toml:5");
    // The pool holds the other bank's questions under `bank/question`.
    let small = &cur.quizzes["small"];
    assert_eq!(small.draw.as_ref().unwrap().cells[0].pool, ["short/q1", "short/q2", "short/q3"]);
    assert!(certbook::cli::check::blueprints(&cur).contains("draws  2 of   3  小题库"));
}

/// Each variant mistake is reported at its place: a formula reading a name no variable
/// gives, a draw whose key is not finite, options that read alike, a broken placeholder.
#[test]
fn errors_on_bad_variants_with_their_lines_and_values() {
    let d = broken();
    let unknown = find(&d, "question `unknown`: the answer reads user, which no variable gives");
    assert_eq!(at(unknown), "quizzes/variants.toml:8");
    assert!(unknown.help.as_deref().unwrap().contains("spend, users"), "{unknown:?}");
    let zero = find(&d, "question `zero`: with a = ");
    assert_eq!(at(zero), "quizzes/variants.toml:20");
    assert!(
        zero.message.contains("b = 0") && zero.message.contains("not a finite number"),
        "{zero:?}"
    );
    let alike = find(&d, "question `alike`: with p = 2 options A and B both read \"4\"");
    assert_eq!(at(alike), "quizzes/variants.toml:31");
    let text = find(&d, "question `badtext`: the prompt: the placeholder");
    assert_eq!(at(text), "quizzes/variants.toml:37");
}

#[test]
fn a_course_catalogue_is_checked_at_its_lines_and_its_own_messages_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("course");
    assert!(crate::harness::certbook_init(&root, &["--lang", "en"]).status.success());
    let loc = root.join("templates/locales/en");
    std::fs::create_dir_all(&loc).unwrap();
    std::fs::write(
        loc.join("ours.ftl"),
        "# Our words.\nlogin-title = Staff sign-in\nlogin-titel = Sign in\nour-banner = Welcome\nbroken line without equals\n",
    )
    .unwrap();
    // `our-banner` is used by a page of the course's own: no warning for it.
    std::fs::create_dir_all(root.join("templates/pages")).unwrap();
    let error_page = certbook::site::theme::DEFAULTS
        .iter()
        .find(|(n, _)| *n == "pages/error.hbs")
        .unwrap()
        .1;
    std::fs::write(
        root.join("templates/pages/error.hbs"),
        format!("<p>{{{{t \"our-banner\"}}}}</p>\n{error_page}"),
    )
    .unwrap();
    let d = certbook::course::load(&root).expect_err("a broken catalogue is an error").0;
    let syntax = find(&d, "Fluent:");
    assert_eq!(at(syntax), "templates/locales/en/ours.ftl:5");
    assert!(syntax.is_error());
    let typo = find(&d, "certbook has no message `login-titel`");
    assert_eq!(at(typo), "templates/locales/en/ours.ftl:3");
    assert!(!typo.is_error());
    assert!(typo.help.as_deref().unwrap().contains("did you mean `login-title`"), "{typo:?}");
    assert!(!d.iter().any(|x| x.message.contains("our-banner")), "{d:#?}");
    // Fixed, the course checks clean and the page says the course's words.
    std::fs::write(loc.join("ours.ftl"), "login-title = Staff sign-in\nour-banner = Welcome\n").unwrap();
    let (cur, warnings) = certbook::course::load(&root).unwrap();
    assert!(warnings.0.is_empty(), "{warnings:#?}");
    assert_eq!(cur.messages.get("login-title"), "Staff sign-in");
}
