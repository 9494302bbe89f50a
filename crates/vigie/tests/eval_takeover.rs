//! Taken-over accounts against the generator's ground truth: eight takeovers of four kinds among
//! watched accounts of which twelve change one habit (travel, a new subject, a second language,
//! a new phone, a new site, silent days) and four none.

use vigie::eval::evaluate;

#[test]
fn takeovers_are_found_and_ordinary_changes_of_habit_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let scores = evaluate(dir.path(), 5, 1_000).unwrap();
    let media = scores
        .iter()
        .find(|s| s.detector == "manufactured_media")
        .unwrap();
    let d = &media.details;
    assert_eq!(d["account_takeover.expected"], 8.0, "{d:?}");
    assert!(d["account_takeover.precision"] >= 0.9, "{d:?}");
    assert!(d["account_takeover.recall"] >= 0.9, "{d:?}");
    assert_eq!(d["account_takeover.decoy_accounts_flagged"], 0.0, "{d:?}");
    assert!(d["account_takeover.item_precision"] >= 0.9, "{d:?}");
    // Measured 0.88 on this draw: windows of the subtlest takeover (same language and client)
    // that look ordinary are not counted as the operator's.
    assert!(d["account_takeover.item_recall"] >= 0.85, "{d:?}");
    assert!(d["account_takeover.change_point_exact"] >= 0.6, "{d:?}");
    // The other manufactured-media signals keep their precision beside the new one (their
    // recall, per edit for altered copies, is held to its measured level in `eval.rs`).
    for signal in ["altered_copy", "shared_avatar"] {
        assert!(d[&format!("{signal}.precision")] >= 0.9, "{d:?}");
    }
    assert!(d["shared_avatar.recall"] >= 0.9, "{d:?}");
}
