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

    #[test]
    fn reads_lists_variables() {
        let f = Formula::compile("a + b * min(a, c.d)").unwrap();
        assert_eq!(f.reads, vec!["a", "b", "c.d"]);
    }
}
