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
    assert!(r.precision >= 0.95, "rewording precision {}", r.precision);
    assert!(r.recall >= 0.7, "rewording recall {}", r.recall);
    // Translation groups are what lift rewordings: each pair's own cosine finds far fewer.
    assert!(e.direct_rewording.recall < r.recall);
    // A threshold chosen on half of the claims holds on the other half.
    for h in &e.held_out {
        assert!(h.test.precision >= 0.9, "held-out precision {:?}", h.test);
        assert!(h.test.recall >= 0.6, "held-out recall {:?}", h.test);
    }
}
