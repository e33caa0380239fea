//! A measured figure and the bar it must clear.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    AtLeast,
    AtMost,
}

#[derive(Clone, Debug)]
pub struct Bar {
    pub name: String,
    pub value: f64,
    pub op: Op,
    pub threshold: f64,
    /// A bar the check does not meet yet: printed as OPEN, not failing the run, while its issue
    /// stays open. Every other bar gates.
    pub open: bool,
}

impl Bar {
    pub fn new(name: impl Into<String>, value: f64, op: Op, threshold: f64) -> Bar {
        Bar {
            name: name.into(),
            value,
            op,
            threshold,
            open: false,
        }
    }

    #[allow(dead_code)] // used by some accuracy modules, not all
    pub fn at_least(name: impl Into<String>, value: f64, threshold: f64) -> Bar {
        Bar::new(name, value, Op::AtLeast, threshold)
    }

    #[allow(dead_code)]
    pub fn at_most(name: impl Into<String>, value: f64, threshold: f64) -> Bar {
        Bar::new(name, value, Op::AtMost, threshold)
    }

    /// A figure reported beside the bars, with no bar of its own (recall where only precision
    /// has a bar, counts, timings).
    #[allow(dead_code)]
    pub fn info(name: impl Into<String>, value: f64) -> Bar {
        Bar::new(name, value, Op::AtLeast, f64::NEG_INFINITY)
    }

    /// Marks a bar not met yet (see `open`).
    #[allow(dead_code)]
    #[must_use]
    pub fn not_met_yet(mut self) -> Bar {
        self.open = true;
        self
    }

    /// Whether this bar fails the run.
    pub fn gates_and_fails(&self) -> bool {
        !self.open && !self.passes()
    }

    pub fn passes(&self) -> bool {
        match self.op {
            Op::AtLeast => self.value >= self.threshold,
            Op::AtMost => self.value <= self.threshold,
        }
    }
}

impl fmt::Display for Bar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.threshold == f64::NEG_INFINITY {
            return write!(
                f,
                "{:<64} {:>9.4}    (figure, no bar)",
                self.name, self.value
            );
        }
        let op = match self.op {
            Op::AtLeast => ">=",
            Op::AtMost => "<=",
        };
        let verdict = match (self.passes(), self.open) {
            (true, _) => "PASS",
            (false, true) => "OPEN (not met yet; the issue stays open)",
            (false, false) => "FAIL",
        };
        write!(
            f,
            "{:<64} {:>9.4} {op} {:<8} {verdict}",
            self.name, self.value, self.threshold
        )
    }
}
