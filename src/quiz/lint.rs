//! Wording that breaks when a quiz is shuffled or drawn: an explanation or prompt that
//! names an option by its letter (options are relabelled A, B, C… by the position each
//! learner sees them in), by its position (第三项), or that leans on another question
//! (接上题), which a draw or a shuffle may place anywhere or leave out.

/// Words after a letter that show it names an option: "A 正确", "C 把…当成…".
const VERBS: [&str; 21] = [
    "正确", "错误", "不对", "也对", "也错", "是错", "是对", "混淆", "说的", "讲的", "把", "错在", "对在", "属于", "描述", "颠倒", "偷换",
    "夸大", "忽略", "选项", "项",
];

/// Words before a letter that make it a name in the text, not an option: 方案 A, 版本 B.
const NAMES: [&str; 5] = ["方案", "版本", "组", "客户", "达人"];

/// Words after a letter that make it a term: B 端, B 站, A 轮, A 类, A 级.
const TERMS: [char; 6] = ['端', '站', '轮', '类', '级', '股'];

/// Phrases that refer to another question.
const OTHER_QUESTION: [&str; 7] = [
    "上一题",
    "上题",
    "前一题",
    "下一题",
    "前面那道题",
    "previous question",
    "question above",
];

/// Phrases that pick an option by its place in the list.
const POSITIONS: [&str; 12] = [
    "第一项",
    "第二项",
    "第三项",
    "第四项",
    "第五项",
    "第六项",
    "前两项",
    "前三项",
    "后两项",
    "最后一项",
    "第一个选项",
    "最后一个选项",
];

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '/' || c == '_'
}

/// The first option letter `text` cites, for a question with `count` options: a standalone
/// capital among the first `count` letters in a context that names an option ("选 B",
/// "A、C", "（D）", a sentence opening "B 是…", "A 正确", "B→A").
pub fn option_letter(text: &str, count: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let last = (b'A' + count.clamp(1, 26) as u8 - 1) as char;
    let skip_space = |mut i: isize, step: isize| {
        while i >= 0 && (i as usize) < chars.len() && chars[i as usize].is_whitespace() {
            i += step;
        }
        (i >= 0 && (i as usize) < chars.len()).then(|| chars[i as usize])
    };
    let text_before = |i: usize| chars[..i].iter().collect::<String>();
    let text_after = |i: usize| chars[i + 1..].iter().collect::<String>();
    for (i, &c) in chars.iter().enumerate() {
        if !('A'..=last).contains(&c) {
            continue;
        }
        let (prev, next) = (i.checked_sub(1).map(|j| chars[j]), chars.get(i + 1).copied());
        if prev.is_some_and(is_word) || next.is_some_and(is_word) {
            continue;
        }
        let before = text_before(i);
        let before = before.trim_end();
        let after = text_after(i);
        let after = after.trim_start();
        if NAMES.iter().any(|n| before.ends_with(n)) || after.starts_with(TERMS) {
            continue;
        }
        let pb = skip_space(i as isize - 1, -1);
        let na = skip_space(i as isize + 1, 1);
        let cited = before.ends_with('选')
            || before.ends_with("选择")
            || before.ends_with("选项")
            || (prev == Some('（') || prev == Some('(')) && (next == Some('）') || next == Some(')'))
            || VERBS.iter().any(|v| after.starts_with(v))
            || na.is_some_and(|n| "、，,和与及→>".contains(n)) && {
                let rest: String = after.chars().skip(1).collect();
                let rest = rest.trim_start();
                rest.starts_with(|d: char| ('A'..=last).contains(&d)) && !rest.chars().nth(1).is_some_and(is_word)
            }
            || (pb.is_none() || pb.is_some_and(|p| "。；;！？!?\n：:（(".contains(p)))
                && na.is_some_and(|n| ('\u{4e00}'..='\u{9fff}').contains(&n) || n == '「' || n == '“')
            || before.ends_with('是') && na.is_some_and(|n| "：:。，,".contains(n));
        if cited {
            return Some(c.to_string());
        }
    }
    None
}

/// The phrase in `text` that refers to another question, if any.
pub fn other_question(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    OTHER_QUESTION
        .into_iter()
        .find(|p| lower.contains(p))
        .or_else(|| text.contains("接上").then_some("接上"))
}

/// The phrase in `text` that picks an option by its position, if any.
pub fn option_position(text: &str) -> Option<&'static str> {
    POSITIONS.into_iter().find(|p| text.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_that_name_options_are_found() {
        for (text, letter) in [
            ("C 针对已经进来的用户，是运营的核心工作。", "C"),
            ("所以选 B。", "B"),
            ("所以 A、B、D 正确。", "A"),
            ("最容易误选的是 A：广告投放属于市场营销。", "A"),
            ("执行更快（B）只是同一层次。", "B"),
            ("正确顺序是 B→A→C。", "B"),
            ("选项D 是错的", "D"),
            ("D 把相关当成因果", "D"),
        ] {
            assert_eq!(option_letter(text, 4).as_deref(), Some(letter), "{text}");
        }
    }

    #[test]
    fn letters_that_are_terms_or_names_are_not() {
        for text in [
            "A/B 测试一次只改一个变量。",
            "以技术或 B 端销售为主的公司。",
            "方案 A 的转化率更高。",
            "RFM 中 R 是最近一次购买距今的天数。",
            "在 B 站投放。",
            "头部达人 A 的单均成本是 120 元。",
            "ROI 与 KPI 不同。",
            "E 是第五个选项，但题目只有四个选项。",
        ] {
            assert_eq!(option_letter(text, 4), None, "{text}");
        }
    }

    #[test]
    fn references_to_other_questions_and_positions_are_found() {
        assert_eq!(other_question("接上题，若毛利率为 30%"), Some("上题"));
        assert_eq!(other_question("沿用上一题的任务"), Some("上一题"));
        assert_eq!(other_question("As in the previous question, ..."), Some("previous question"));
        assert_eq!(other_question("前提是预算充足"), None);
        assert_eq!(option_position("最后一项描述的是甘特图"), Some("最后一项"));
        assert_eq!(option_position("这是一项长期工作"), None);
    }
}
