//! Seeded question variants over HTTP: learners get their own numbers, each graded
//! against its own key; the review, a resumed attempt, staff's attempt page and the item
//! analysis all show the variant the attempt drew.

use crate::exam::{attempt_id, server_with};
use serde_json::{Value, json};

/// A bank with one numeric variant (CAC from spend and users) and one single-choice
/// variant (ROI), shuffled.
fn variant_bank() -> String {
    r#"id = "calc"
title = "算一算"
[[questions]]
id = "cac"
type = "numeric"
prompt = "花费 {spend} 元带来 {users} 个新用户，CAC 是多少元？"
answer = "spend / users"
tolerance = 0.5
unit = "元"
explanation = "CAC = {spend} ÷ {users} = {answer:1} 元。"
[questions.vars]
spend = { min = 6000, max = 24000, step = 600 }
users = [40, 50, 60, 75, 80]
[[questions]]
id = "roi"
type = "single"
prompt = "投入 {cost} 万元，带来利润 {profit} 万元，ROI 是多少？"
options = ["{profit / cost * 100:0}%", "{profit / cost * 100 + 50:0}%", "{profit / cost:2}%", "{100 + profit / cost * 100:0}%"]
answer = "A"
explanation = "ROI = {profit} ÷ {cost} = {profit / cost * 100:0}%。"
[questions.vars]
cost = [10, 20, 40]
profit = { min = 3, max = 9 }
"#
    .to_string()
}

/// The whole numbers in `text`, in order.
fn numbers(text: &str) -> Vec<f64> {
    text.split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter(|s| !s.is_empty() && s.chars().any(|c| c.is_ascii_digit()))
        .map(|s| s.trim_matches('.').parse().unwrap())
        .collect()
}

fn question<'a>(attempt: &'a Value, id: &str) -> &'a Value {
    attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {attempt}"))
}

/// The right answers computed from the numbers the sheet shows.
fn answers_from_sheet(attempt: &Value) -> Value {
    let cac = numbers(question(attempt, "cac")["prompt"].as_str().unwrap());
    let roi = numbers(question(attempt, "roi")["prompt"].as_str().unwrap());
    let want = format!("{}%", (roi[1] / roi[0] * 100.0).round());
    let pick = question(attempt, "roi")["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["text"] == want.as_str())
        .unwrap_or_else(|| panic!("no option {want} in {attempt}"));
    json!({ "cac": cac[0] / cac[1], "roi": pick["key"] })
}

#[tokio::test]
async fn learners_get_their_own_numbers_graded_against_their_own_key() {
    let (s, _dir) = server_with(&[("calc", variant_bank())]).await;
    let alice = s.login("alice").await;
    let (code, a) = alice.start("calc").await;
    assert_eq!(code, 201, "{a}");
    let prompt = question(&a, "cac")["prompt"].as_str().unwrap().to_string();
    assert!(!prompt.contains('{'), "placeholders filled: {prompt}");
    // A resumed attempt (another device) shows the same numbers.
    let phone = s.login("alice").await;
    let (_, again) = phone.start("calc").await;
    assert_eq!(question(&again, "cac")["prompt"], prompt.as_str());
    // Other attempts draw other numbers: eight sittings give several prompts.
    let mut prompts = std::collections::BTreeSet::from([prompt.clone()]);
    let bob = s.login("bob").await;
    for _ in 0..7 {
        let (_, b) = bob.start("calc").await;
        prompts.insert(question(&b, "cac")["prompt"].as_str().unwrap().to_string());
        let (code, r) = bob.submit(&attempt_id(&b), answers_from_sheet(&b)).await;
        assert_eq!((code, r["percent"].as_f64()), (200, Some(100.0)), "bob's own key: {r}");
    }
    assert!(prompts.len() >= 4, "8 attempts drew only {prompts:?}");
    // Alice's sheet, answered from her own numbers, is right; off by more than the tolerance is wrong.
    let right = answers_from_sheet(&a);
    let mut off = right.clone();
    off["cac"] = json!(right["cac"].as_f64().unwrap() + 0.6);
    let (code, r) = alice.submit(&attempt_id(&a), off).await;
    assert_eq!((code, r["percent"].as_f64()), (200, Some(50.0)), "{r}");
    // The review shows her numbers, her answer, the key and the explanation with the same figures.
    let item = r["items"].as_array().unwrap().iter().find(|i| i["id"] == "cac").unwrap().clone();
    assert_eq!(item["prompt"], prompt.as_str(), "{item}");
    let n = numbers(&prompt);
    let key = n[0] / n[1];
    assert_eq!(item["key"][0], format!("{} 元", key).as_str(), "{item}");
    let explanation = item["explanation"].as_str().unwrap();
    assert!(
        explanation.contains(&format!("= {:.1} 元", key)) && explanation.contains(&format!("{} ÷ {}", n[0], n[1])),
        "{explanation}"
    );
    assert_eq!(item["correct"], false);
    // Staff's attempt page shows the same numbers, linked from the transcript.
    let ivy = s.login("ivy").await;
    let alice_id = alice.get("/api/me").await.1["user"]["id"].as_i64().unwrap();
    let (code, transcript) = ivy.get(&format!("/hr/learners/{alice_id}")).await;
    let transcript = transcript.as_str().unwrap().to_string();
    let link = format!("/hr/attempts/{}", attempt_id(&a));
    assert!(code == 200 && transcript.contains(&link), "{transcript}");
    let (code, page) = ivy.get(&link).await;
    let page = page.as_str().unwrap();
    assert_eq!(code, 200, "{page}");
    assert!(
        page.contains(&prompt) && page.contains("学员所选") && page.contains("参考答案"),
        "{page}"
    );
    // A learner cannot open staff's attempt page.
    assert_ne!(alice.get(&link).await.0, 200);
    // Item analysis lists facility per variant.
    let (code, analysis) = ivy.get("/api/instructor/quizzes/calc/analysis").await;
    assert_eq!(code, 200, "{analysis}");
    let cac = analysis["questions"].as_array().unwrap().iter().find(|q| q["id"] == "cac").unwrap();
    let variants = cac["variants"].as_array().unwrap();
    let counted: u64 = variants.iter().map(|v| v["attempts"].as_u64().unwrap()).sum();
    assert_eq!(counted, 8, "every graded attempt is counted under its variant: {cac}");
    let hers = format!("spend = {}, users = {}", n[0], n[1]);
    assert!(variants.iter().any(|v| v["values"] == hers.as_str()), "{hers} in {cac}");
}
