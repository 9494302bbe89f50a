//! Incidents are stable across re-scans, and the analyst's status and notes follow an incident
//! whose membership (and so id) changes.

mod support;

use support::*;
use vigie_store::Store;
use vigie_surface::incidents;

#[test]
fn rescans_keep_ids_and_analyst_state_follows_a_grown_incident() {
    let f = fixture(1_000);
    let dir = f.dir.path();
    let first = incidents::load(&Store::open(&f.db).unwrap()).unwrap();
    scan_into(dir, &f.db);
    let second = incidents::load(&Store::open(&f.db).unwrap()).unwrap();
    assert_eq!(first, second, "same input, same incidents");

    let hostile = second
        .iter()
        .find(|i| i.accounts.iter().any(|a| a == "=evil2"))
        .unwrap()
        .clone();
    {
        let mut store = Store::open(&f.db).unwrap();
        store
            .set_incident_status(&hostile.id, "investigating", 1)
            .unwrap();
        store
            .add_incident_note(&hostile.id, "check the SMS number", 2)
            .unwrap();
    }
    // A fifth account joins the hostile cluster: the incident's id changes, its state follows.
    let extra = serde_json::json!({
        "kind": "post", "id": "hostile-late", "platform": "x", "author": "late-joiner",
        "created_at": "2024-06-05T11:00:00Z", "text": HOSTILE, "lang": "fr",
    });
    std::fs::write(dir.join("data/hostile-late.jsonl"), format!("{extra}\n")).unwrap();
    scan_into(dir, &f.db);
    let store = Store::open(&f.db).unwrap();
    let third = incidents::load(&store).unwrap();
    let grown = third
        .iter()
        .find(|i| i.accounts.iter().any(|a| a == "late-joiner"))
        .unwrap();
    assert_ne!(grown.id, hostile.id);
    let states = store.incident_states().unwrap();
    let state = &states[&grown.id];
    assert_eq!(state.status, "investigating");
    assert_eq!(state.previous_ids, vec![hostile.id.clone()]);
    assert!(!states.contains_key(&hostile.id));
    assert_eq!(
        store.incident_notes().unwrap()[&grown.id][0].text,
        "check the SMS number"
    );
    drop(store);
    let addr = serve(&f.db, "127.0.0.1:0", None);
    let page = get(addr, &format!("/incidents/{}", grown.id)).body;
    assert!(page.contains(&format!("carried over from {}", hostile.id)));
    assert!(page.contains("check the SMS number"));
    // Untouched incidents keep their ids.
    let unchanged: Vec<&str> = second
        .iter()
        .filter(|i| i.id != hostile.id)
        .map(|i| i.id.as_str())
        .collect();
    for id in unchanged {
        assert!(third.iter().any(|i| i.id == id), "{id} kept");
    }
}
