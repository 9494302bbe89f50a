//! Semantic links against the hand-written multilingual claims (needs the USE weights; skips,
//! saying why, when they are absent).
#![cfg(feature = "semantic")]

use vigie::core::Config;

#[test]
fn translations_are_found_precisely_and_rewordings_typed_apart() {
    if let Err(e) = vigie::embed::locate() {
        eprintln!("SKIPPED semantic eval: {e}");
        return;
    }
    let e = vigie::semantic::evaluate(&Config::default(), 7, 300).expect("evaluate");
    let get = |kind: &str| {
        e.scores
            .iter()
            .find(|s| s.kind == kind)
            .expect("score")
            .clone()
    };
    let t = get("translation");
    assert!(t.precision >= 0.95, "translation precision {}", t.precision);
    assert!(t.recall >= 0.75, "translation recall {}", t.recall);
    let r = get("rewording");
    assert!(r.precision >= 0.85, "rewording precision {}", r.precision);
    assert!(r.recall >= 0.4, "rewording recall {}", r.recall);
}
