#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn numbers_print_like_terraform() {
    assert_eq!(number(7.0), "7");
    assert_eq!(number(-2.0), "-2");
    assert_eq!(number(0.5), "0.5");
}
