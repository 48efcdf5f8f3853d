//! The order names are listed in: natural, as people read them — "Client 2" before "Client 10",
//! letters without regard to case — so a list of numbered clients reads 1, 2 … 10, not 1, 10, 11, 2.

use std::cmp::Ordering;

/// Compares two names naturally: runs of digits by their value, the rest case-insensitively;
/// ties broken by the plain text, so the order is total and stable.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (m, n) = (run(&mut x), run(&mut y));
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                match m.len().cmp(&n.len()).then_with(|| m.cmp(n)) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            (Some(p), Some(q)) => {
                let o = p.to_lowercase().cmp(q.to_lowercase());
                if o != Ordering::Equal {
                    return o;
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_by_value_letters_without_case() {
        let mut v = vec!["Client 10", "client 2", "Client 1", "Acme", "Client 02b", "beta", "Client 100"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["Acme", "beta", "Client 1", "client 2", "Client 02b", "Client 10", "Client 100"]);
        assert_eq!(natural_cmp("a99999999999999999999999", "a100000000000000000000000"), Ordering::Less, "longer than any integer type");
    }

    proptest! {
        /// A total order: antisymmetric, and equal only for equal text.
        #[test]
        fn it_is_a_total_order(a in "[a-cA-C0-9 ]{0,8}", b in "[a-cA-C0-9 ]{0,8}") {
            prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
            prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
        }
    }
}
