//! Formulas: parsed by `evalexpr`, evaluated over plain `f64`.
//!
//! Two changes make evalexpr fit a simulation that must replay to the digit:
//! integer literals become floats when a formula is compiled (so `1/2` is 0.5,
//! not 0), and the functions formulas may call are ours, computed with the
//! pure-Rust `libm` (the same bits on every platform), with evalexpr's built-ins
//! switched off. `^` is refused for the same reason: evalexpr computes it with
//! the platform's `powf`; authors write `pow(a, b)`.

use evalexpr::{Context, EvalexprError, EvalexprResult, Node, Operator, Value};
use rustc_hash::FxHashMap;

/// Functions a formula may call, with a one-line description for error help.
pub const FUNCTIONS: &[(&str, &str)] = &[
    ("min", "min(a, b, ...)"),
    ("max", "max(a, b, ...)"),
    ("clamp", "clamp(x, low, high)"),
    ("if", "if(condition, then, else)"),
    ("abs", "abs(x)"),
    ("sqrt", "sqrt(x)"),
    ("exp", "exp(x)"),
    ("ln", "ln(x)"),
    ("pow", "pow(x, y)"),
    ("round", "round(x) or round(x, decimals)"),
    ("floor", "floor(x)"),
    ("ceil", "ceil(x)"),
];

/// A compiled formula.
#[derive(Clone, Debug)]
pub struct Formula {
    node: Node,
    /// Variables the formula reads, sorted and unique.
    pub reads: Vec<String>,
}

impl Formula {
    /// Parses `src`; the error is a sentence for the author.
    pub fn compile(src: &str) -> Result<Formula, String> {
        if src.trim().is_empty() {
            return Err("the formula is empty".into());
        }
        // evalexpr builds, walks and drops the tree recursively, one stack frame per
        // level, and a level needs at least one token: bounding the tokens keeps a
        // formula like `((((…1))))` or `----…1` from overflowing the stack.
        let tokens = token_count(src);
        if tokens > MAX_TOKENS {
            return Err(format!(
                "the formula is too long ({tokens} operators, names and numbers; at most {MAX_TOKENS}): \
                 compute parts in earlier [[effect]]s and combine them"
            ));
        }
        let mut node = evalexpr::build_operator_tree(src).map_err(|e| format!("cannot parse formula: {e}"))?;
        normalise(&mut node)?;
        let mut reads: Vec<String> = node.iter_read_variable_identifiers().map(str::to_owned).collect();
        reads.sort();
        reads.dedup();
        Ok(Formula { node, reads })
    }

    /// Evaluates to a number.
    pub fn number(&self, env: &Env) -> Result<f64, String> {
        match self.node.eval_with_context(env) {
            Ok(Value::Float(f)) => Ok(f),
            Ok(Value::Boolean(b)) => Ok(if b { 1.0 } else { 0.0 }),
            Ok(other) => Err(format!("gives {other}, not a number")),
            Err(e) => Err(describe(e)),
        }
    }

    /// Evaluates to true or false.
    pub fn truth(&self, env: &Env) -> Result<bool, String> {
        match self.node.eval_with_context(env) {
            Ok(Value::Boolean(b)) => Ok(b),
            Ok(Value::Float(f)) => Ok(f != 0.0),
            Ok(other) => Err(format!("gives {other}, not true/false")),
            Err(e) => Err(describe(e)),
        }
    }
}

/// Most tokens a formula may have (the longest bundled formula has about 60).
pub const MAX_TOKENS: usize = 400;

/// Tokens as evalexpr would see them, counted generously: a run of name or number
/// characters, a string literal, or any other character that is not white space.
fn token_count(src: &str) -> usize {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut n = 0;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        n += 1;
        if word(c) {
            while chars.next_if(|&c| word(c)).is_some() {}
        } else if c == '"' {
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => break,
                    _ => {}
                }
            }
        }
    }
    n
}

/// Makes every constant a float, refuses assignment and `^`, checks function names.
fn normalise(node: &mut Node) -> Result<(), String> {
    match node.operator_mut() {
        Operator::Const { value } => {
            if let Value::Int(i) = value {
                *value = Value::Float(*i as f64);
            }
        }
        Operator::Exp => return Err("`^` is not allowed: write pow(x, y)".into()),
        Operator::Assign
        | Operator::AddAssign
        | Operator::SubAssign
        | Operator::MulAssign
        | Operator::DivAssign
        | Operator::ModAssign
        | Operator::ExpAssign
        | Operator::AndAssign
        | Operator::OrAssign => return Err("a formula cannot assign: write only the right-hand side (use `==` to compare)".into()),
        Operator::Chain => return Err("`;` is not allowed: one formula computes one value".into()),
        Operator::FunctionIdentifier { identifier } if !FUNCTIONS.iter().any(|(n, _)| n == identifier) => {
            let known: Vec<&str> = FUNCTIONS.iter().map(|(_, d)| *d).collect();
            return Err(format!("unknown function `{identifier}` (known: {})", known.join(", ")));
        }
        _ => {}
    }
    for child in node.children_mut() {
        normalise(child)?;
    }
    Ok(())
}

fn describe(e: EvalexprError) -> String {
    match e {
        EvalexprError::VariableIdentifierNotFound(v) => format!("`{v}` has no value here"),
        other => other.to_string(),
    }
}

/// The names and values a formula sees.
#[derive(Default, Debug, Clone)]
pub struct Env {
    values: FxHashMap<String, Value>,
}

impl Env {
    pub fn set(&mut self, name: &str, v: f64) {
        match self.values.get_mut(name) {
            Some(slot) => *slot = Value::Float(v),
            None => {
                self.values.insert(name.to_owned(), Value::Float(v));
            }
        }
    }

    pub fn set_text(&mut self, name: &str, v: &str) {
        match self.values.get_mut(name) {
            Some(Value::String(s)) if s == v => {}
            Some(slot) => *slot = Value::String(v.to_owned()),
            None => {
                self.values.insert(name.to_owned(), Value::String(v.to_owned()));
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        match self.values.get(name) {
            Some(Value::Float(f)) => Some(*f),
            _ => None,
        }
    }
}

impl Context for Env {
    type NumericTypes = evalexpr::DefaultNumericTypes;

    fn get_value(&self, identifier: &str) -> Option<&Value> {
        self.values.get(identifier)
    }

    fn call_function(&self, identifier: &str, argument: &Value) -> EvalexprResult<Value> {
        // Arguments without allocating: formulas call min/max/clamp/if/pow a lot.
        let mut buf = [0.0f64; 8];
        let n = match argument {
            Value::Tuple(items) if items.len() <= buf.len() => {
                for (slot, v) in buf.iter_mut().zip(items) {
                    *slot = num(v)?;
                }
                items.len()
            }
            Value::Tuple(items) => {
                return Err(EvalexprError::CustomMessage(format!(
                    "{identifier}() takes at most 8 arguments, got {}",
                    items.len()
                )));
            }
            other => {
                buf[0] = num(other)?;
                1
            }
        };
        let args = &buf[..n];
        let want = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(EvalexprError::CustomMessage(format!(
                    "{identifier}() takes {n} argument(s), got {}",
                    args.len()
                )))
            }
        };
        let v = match identifier {
            "min" | "max" => {
                if args.is_empty() {
                    return Err(EvalexprError::CustomMessage(format!("{identifier}() needs arguments")));
                }
                let pick = if identifier == "min" { f64::min } else { f64::max };
                args[1..].iter().fold(args[0], |a, &b| pick(a, b))
            }
            "clamp" => {
                want(3)?;
                args[0].max(args[1]).min(args[2])
            }
            "if" => {
                want(3)?;
                if args[0] != 0.0 { args[1] } else { args[2] }
            }
            "abs" => {
                want(1)?;
                args[0].abs()
            }
            "sqrt" => {
                want(1)?;
                libm::sqrt(args[0])
            }
            "exp" => {
                want(1)?;
                libm::exp(args[0])
            }
            "ln" => {
                want(1)?;
                libm::log(args[0])
            }
            "pow" => {
                want(2)?;
                libm::pow(args[0], args[1])
            }
            "round" if args.len() == 2 => {
                let k = libm::pow(10.0, args[1]);
                libm::round(args[0] * k) / k
            }
            "round" => {
                want(1)?;
                libm::round(args[0])
            }
            "floor" => {
                want(1)?;
                libm::floor(args[0])
            }
            "ceil" => {
                want(1)?;
                libm::ceil(args[0])
            }
            _ => return Err(EvalexprError::FunctionIdentifierNotFound(identifier.to_owned())),
        };
        Ok(Value::Float(v))
    }

    fn are_builtin_functions_disabled(&self) -> bool {
        true
    }

    fn set_builtin_functions_disabled(&mut self, _disabled: bool) -> EvalexprResult<()> {
        Ok(())
    }
}

/// A function argument as a number; `if(cond, …)` passes a boolean.
fn num(v: &Value) -> EvalexprResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Boolean(b) => Ok(if *b { 1.0 } else { 0.0 }),
        other => Err(EvalexprError::CustomMessage(format!("expected a number, got {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str, vars: &[(&str, f64)]) -> Result<f64, String> {
        let mut env = Env::default();
        for (k, v) in vars {
            env.set(k, *v);
        }
        Formula::compile(src)?.number(&env)
    }

    #[test]
    fn integer_literals_divide_as_decimals() {
        assert_eq!(eval("1/2", &[]).unwrap(), 0.5);
        assert_eq!(eval("spend.search / 100", &[("spend.search", 250.0)]).unwrap(), 2.5);
    }

    #[test]
    fn functions_and_conditions() {
        assert_eq!(eval("min(3, 1, 2) + max(4, 9)", &[]).unwrap(), 10.0);
        assert_eq!(eval("if(x > 2, 10, 20)", &[("x", 3.0)]).unwrap(), 10.0);
        assert_eq!(eval("clamp(x, 0, 1)", &[("x", 7.0)]).unwrap(), 1.0);
        assert_eq!(eval("round(2.345, 2)", &[]).unwrap(), 2.35);
        assert_eq!(eval("pow(2, 10)", &[]).unwrap(), 1024.0);
    }

    #[test]
    fn refuses_what_would_not_replay_or_is_a_typo() {
        assert!(Formula::compile("2 ^ 3").unwrap_err().contains("pow"));
        assert!(Formula::compile("x = 3").unwrap_err().contains("assign"));
        assert!(Formula::compile("sin(3)").unwrap_err().contains("unknown function `sin`"));
        assert!(Formula::compile("(1 + ").is_err());
        assert!(eval("missing + 1", &[]).unwrap_err().contains("missing"));
    }

    /// Found by `scripts/fuzz` (formula target): deeply nested formulas overflowed the
    /// stack (SIGSEGV) in evalexpr's recursive tree building, evaluation and drop.
    #[test]
    fn deeply_nested_formulas_are_refused_not_a_stack_overflow() {
        let n = 50_000;
        for src in [
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
            format!("{}1", "-".repeat(n)),
            format!("1{}", "+1".repeat(n)),
            format!("{}1", "!".repeat(n)),
            format!("{}1{}", "min(".repeat(n), ")".repeat(n)),
        ] {
            assert!(Formula::compile(&src).unwrap_err().contains("too long"));
        }
    }

    /// The deepest formulas still allowed compile and evaluate on a small (1 MiB) stack,
    /// in the unoptimised build too; server threads have 2 MiB.
    #[test]
    fn the_deepest_allowed_formulas_fit_a_small_stack() {
        let half = (MAX_TOKENS - 1) / 2;
        let sources = [
            format!("{}1{}", "(".repeat(half), ")".repeat(half)),
            format!("{}1", "-".repeat(MAX_TOKENS - 1)),
            format!("{}1", "!".repeat(MAX_TOKENS - 1)),
            format!("1{}", "+1".repeat(half - 1)),
            format!("1{}", "*1".repeat(half - 1)),
            format!("{}1{}", "abs(".repeat(MAX_TOKENS / 3), ")".repeat(MAX_TOKENS / 3)),
            format!("{}x", "abs ".repeat(MAX_TOKENS - 1)),
        ];
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                for src in sources {
                    assert!(token_count(&src) <= MAX_TOKENS, "{src}");
                    if let Ok(f) = Formula::compile(&src) {
                        let mut env = Env::default();
                        env.set("x", 2.0);
                        let _ = (f.number(&env), f.truth(&env));
                    }
                }
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
    }

    #[test]
    fn counts_tokens_like_evalexpr() {
        assert_eq!(token_count("spend.a * rate + if(plan == \"ri sky\", 1.5, 1)"), 15);
        assert_eq!(token_count("  "), 0);
        assert_eq!(token_count("\"unterminated \\\" x"), 1);
    }

    #[test]
    fn reads_lists_variables() {
        let f = Formula::compile("a + b * min(a, c.d)").unwrap();
        assert_eq!(f.reads, vec!["a", "b", "c.d"]);
    }
}
