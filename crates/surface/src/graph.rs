//! A generic attributed graph (nodes with attributes, weighted edges with attributes), the graph
//! that alerts' evidence gives, and its GEXF form for Gephi. Other graphs (a co-action graph)
//! plug into the same exporter by building a [`Graph`].

use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use vigie_core::Alert;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AttrValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub label: String,
    /// account, domain, item, alert, ... (a GEXF attribute and the dashboard's colour).
    pub kind: String,
    pub attrs: BTreeMap<String, AttrValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub kind: String,
    pub weight: f64,
    pub attrs: BTreeMap<String, AttrValue>,
}

/// Nodes and edges in id order; at most one edge per (source, target, kind).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// Builds a [`Graph`]: adding a node twice keeps the first; adding an edge twice adds weights.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    nodes: BTreeMap<String, Node>,
    edges: BTreeMap<(String, String, String), Edge>,
}

impl GraphBuilder {
    pub fn node(&mut self, id: &str, label: &str, kind: &str) -> &mut Node {
        self.nodes.entry(id.to_owned()).or_insert_with(|| Node {
            id: id.to_owned(),
            label: label.to_owned(),
            kind: kind.to_owned(),
            attrs: BTreeMap::new(),
        })
    }

    pub fn edge(&mut self, source: &str, target: &str, kind: &str, weight: f64) -> &mut Edge {
        let e = self
            .edges
            .entry((source.to_owned(), target.to_owned(), kind.to_owned()))
            .or_insert_with(|| Edge {
                source: source.to_owned(),
                target: target.to_owned(),
                kind: kind.to_owned(),
                weight: 0.0,
                attrs: BTreeMap::new(),
            });
        e.weight += weight;
        e
    }

    pub fn build(self) -> Graph {
        Graph {
            nodes: self.nodes.into_values().collect(),
            edges: self.edges.into_values().collect(),
        }
    }
}

/// What [`evidence_graph`] includes.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceGraphOptions {
    /// Item nodes (posts, articles) linked to their alert: many nodes, for Gephi rather than
    /// the dashboard.
    pub items: bool,
    /// Pairs of accounts/domains are linked ("co_alert") only within alerts naming at most this
    /// many of them, so one large cluster does not add a quadratic number of edges.
    pub max_pairwise: usize,
}

impl Default for EvidenceGraphOptions {
    fn default() -> Self {
        EvidenceGraphOptions {
            items: false,
            max_pairwise: 30,
        }
    }
}

fn actor_node_id(name: &str) -> String {
    // Origins and relayers are named by site (a domain) or by account id.
    if name.contains('.') {
        format!("domain:{name}")
    } else {
        format!("account:{name}")
    }
}

/// The graph alerts' evidence gives: each alert linked to the accounts, domains (and items) it
/// names; accounts and domains named together linked by the number of alerts they share; relay
/// sites linked to the origins they republish, weighted by copies (`relayers[].origins`).
pub fn evidence_graph<'a>(
    alerts: impl IntoIterator<Item = &'a Alert>,
    opts: EvidenceGraphOptions,
) -> Graph {
    let mut g = GraphBuilder::default();
    for a in alerts {
        let aid = format!("alert:{}", a.id);
        {
            let n = g.node(&aid, &a.title, "alert");
            n.attrs
                .insert("detector".into(), AttrValue::Text(a.detector.clone()));
            n.attrs.insert(
                "severity".into(),
                AttrValue::Text(a.severity.as_str().into()),
            );
            n.attrs.insert("score".into(), AttrValue::Float(a.score));
        }
        let ev = &a.evidence;
        let mut actors: Vec<String> = Vec::new();
        for acc in &ev.accounts {
            let id = format!("account:{acc}");
            g.node(&id, acc, "account");
            g.edge(&aid, &id, "names", 1.0);
            actors.push(id);
        }
        for d in &ev.domains {
            let id = format!("domain:{d}");
            g.node(&id, d, "domain");
            g.edge(&aid, &id, "names", 1.0);
            actors.push(id);
        }
        if opts.items {
            for it in &ev.items {
                let id = format!("item:{it}");
                g.node(&id, it, "item");
                g.edge(&aid, &id, "names", 1.0);
            }
        }
        actors.sort();
        if actors.len() <= opts.max_pairwise {
            for (i, x) in actors.iter().enumerate() {
                for y in &actors[i + 1..] {
                    g.edge(x, y, "co_alert", 1.0);
                }
            }
        }
        // The co-action graph of a coordination community: accounts linked by how many times
        // they acted together, with the types, first and last time and mean gap.
        let coaction = ev.figures.get("coaction_edges").and_then(|v| v.as_array());
        for e in coaction.into_iter().flatten() {
            let (Some(source), Some(target)) = (
                e.get("source").and_then(|v| v.as_str()),
                e.get("target").and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            for name in [source, target] {
                let id = format!("account:{name}");
                g.node(&id, name, "account")
                    .attrs
                    .insert("community".into(), AttrValue::Text(a.id.clone()));
            }
            let weight = e.get("weight").and_then(|v| v.as_f64()).unwrap_or(1.0);
            let (x, y) = (format!("account:{source}"), format!("account:{target}"));
            let (x, y) = if x <= y { (x, y) } else { (y, x) };
            let edge = g.edge(&x, &y, "co_action", weight);
            let types: Vec<&str> = e
                .get("types")
                .and_then(|v| v.as_array())
                .map(|t| t.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            edge.attrs
                .insert("types".into(), AttrValue::Text(types.join(" ")));
            for key in ["first", "last"] {
                if let Some(t) = e.get(key).and_then(|v| v.as_str()) {
                    edge.attrs.insert(key.into(), AttrValue::Text(t.to_owned()));
                }
            }
            if let Some(gap) = e.get("mean_gap_seconds").and_then(|v| v.as_f64()) {
                edge.attrs
                    .insert("mean_gap_seconds".into(), AttrValue::Float(gap));
            }
            edge.attrs
                .insert("community".into(), AttrValue::Text(a.id.clone()));
        }
        let relayers = ev.figures.get("relayers").and_then(|v| v.as_array());
        for r in relayers.into_iter().flatten() {
            let (Some(source), Some(origins)) = (
                r.get("source").and_then(|v| v.as_str()),
                r.get("origins").and_then(|v| v.as_object()),
            ) else {
                continue;
            };
            let sid = actor_node_id(source);
            g.node(&sid, source, kind_of(&sid));
            for (origin, copies) in origins {
                let oid = actor_node_id(origin);
                g.node(&oid, origin, kind_of(&oid))
                    .attrs
                    .insert("relay_origin".into(), AttrValue::Bool(true));
                g.edge(&sid, &oid, "relays", copies.as_f64().unwrap_or(1.0));
            }
        }
    }
    g.build()
}

fn kind_of(node_id: &str) -> &str {
    node_id.split(':').next().unwrap_or("account")
}

/// Removes characters XML 1.0 cannot carry and escapes markup, for attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum AttrType {
    Boolean,
    Long,
    Double,
    Text,
}

impl AttrType {
    fn of(v: &AttrValue) -> AttrType {
        match v {
            AttrValue::Bool(_) => AttrType::Boolean,
            AttrValue::Int(_) => AttrType::Long,
            AttrValue::Float(_) => AttrType::Double,
            AttrValue::Text(_) => AttrType::Text,
        }
    }

    fn join(self, other: AttrType) -> AttrType {
        match (self, other) {
            (a, b) if a == b => a,
            (AttrType::Long, AttrType::Double) | (AttrType::Double, AttrType::Long) => {
                AttrType::Double
            }
            _ => AttrType::Text,
        }
    }

    fn name(self) -> &'static str {
        match self {
            AttrType::Boolean => "boolean",
            AttrType::Long => "long",
            AttrType::Double => "double",
            AttrType::Text => "string",
        }
    }
}

fn value_text(v: &AttrValue) -> String {
    match v {
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Int(i) => i.to_string(),
        AttrValue::Float(f) if f.is_finite() => f.to_string(),
        AttrValue::Float(_) => "0".into(),
        AttrValue::Text(t) => t.clone(),
    }
}

/// Declared attributes: `kind` first, then every attribute key with the type all its values fit.
fn schema<'a>(
    attrs: impl Iterator<Item = &'a BTreeMap<String, AttrValue>>,
) -> Vec<(String, AttrType)> {
    let mut types: BTreeMap<String, AttrType> = BTreeMap::new();
    for m in attrs {
        for (k, v) in m {
            let t = AttrType::of(v);
            types
                .entry(k.clone())
                .and_modify(|old| *old = old.join(t))
                .or_insert(t);
        }
    }
    types.remove("kind");
    let mut out = vec![("kind".to_owned(), AttrType::Text)];
    out.extend(types);
    out
}

fn write_attvalues(
    w: &mut impl Write,
    schema: &[(String, AttrType)],
    kind: &str,
    attrs: &BTreeMap<String, AttrValue>,
) -> std::io::Result<()> {
    write!(w, "<attvalues>")?;
    for (i, (key, _)) in schema.iter().enumerate() {
        let value = if i == 0 {
            Some(kind.to_owned())
        } else {
            attrs.get(key).map(value_text)
        };
        if let Some(v) = value {
            write!(w, "<attvalue for=\"{i}\" value=\"{}\"/>", xml_escape(&v))?;
        }
    }
    write!(w, "</attvalues>")
}

impl Graph {
    /// Writes the graph as GEXF 1.2 (directed; co-occurrence edges go from the smaller id).
    pub fn write_gexf(&self, mut w: impl Write, description: &str) -> std::io::Result<()> {
        let node_schema = schema(self.nodes.iter().map(|n| &n.attrs));
        let edge_schema = schema(self.edges.iter().map(|e| &e.attrs));
        writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            w,
            "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">"
        )?;
        writeln!(
            w,
            "<meta><creator>vigie</creator><description>{}</description></meta>",
            xml_escape(description)
        )?;
        writeln!(w, "<graph defaultedgetype=\"directed\" mode=\"static\">")?;
        for (class, schema) in [("node", &node_schema), ("edge", &edge_schema)] {
            writeln!(w, "<attributes class=\"{class}\" mode=\"static\">")?;
            for (i, (key, t)) in schema.iter().enumerate() {
                writeln!(
                    w,
                    "<attribute id=\"{i}\" title=\"{}\" type=\"{}\"/>",
                    xml_escape(key),
                    t.name()
                )?;
            }
            writeln!(w, "</attributes>")?;
        }
        writeln!(w, "<nodes>")?;
        for n in &self.nodes {
            write!(
                w,
                "<node id=\"{}\" label=\"{}\">",
                xml_escape(&n.id),
                xml_escape(&n.label)
            )?;
            write_attvalues(&mut w, &node_schema, &n.kind, &n.attrs)?;
            writeln!(w, "</node>")?;
        }
        writeln!(w, "</nodes>\n<edges>")?;
        for (i, e) in self.edges.iter().enumerate() {
            let weight = if e.weight.is_finite() { e.weight } else { 0.0 };
            write!(
                w,
                "<edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{weight}\" label=\"{}\">",
                xml_escape(&e.source),
                xml_escape(&e.target),
                xml_escape(&e.kind)
            )?;
            write_attvalues(&mut w, &edge_schema, &e.kind, &e.attrs)?;
            writeln!(w, "</edge>")?;
        }
        writeln!(w, "</edges>\n</graph>\n</gexf>")?;
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_removes_markup_and_invalid_characters() {
        assert_eq!(
            xml_escape("a<b>&\"'\u{1}\u{FFFF}\nz"),
            "a&lt;b&gt;&amp;&quot;&apos;&#10;z"
        );
    }

    #[test]
    fn gexf_declares_attribute_types_and_escapes_ids() {
        let mut b = GraphBuilder::default();
        b.node("account:<x>", "<x>", "account")
            .attrs
            .insert("n".into(), AttrValue::Int(3));
        b.node("domain:y", "y", "domain")
            .attrs
            .insert("n".into(), AttrValue::Float(0.5));
        b.edge("account:<x>", "domain:y", "co_alert", 1.0);
        b.edge("account:<x>", "domain:y", "co_alert", 2.0);
        let g = b.build();
        assert_eq!(g.edges.len(), 1);
        assert_eq!(g.edges[0].weight, 3.0, "repeated edges add weights");
        let mut out = Vec::new();
        g.write_gexf(&mut out, "t").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("id=\"account:&lt;x&gt;\""));
        assert!(
            text.contains("title=\"n\" type=\"double\""),
            "int and float join as double"
        );
        assert!(!text.contains("<x>"));
    }

    #[test]
    fn coordination_alerts_give_the_co_action_graph() {
        let alert: Alert = serde_json::from_value(serde_json::json!({
            "id": "coordination-1", "detector": "coordination", "modus_operandi": "amplification",
            "disarm": ["T0049.005"], "severity": "high", "score": 0.8, "title": "t", "summary": "s",
            "first_seen": "2024-06-01T00:00:00Z", "last_seen": "2024-06-02T00:00:00Z",
            "evidence": {
                "items": [], "accounts": ["a", "b", "c"], "domains": [], "urls": [],
                "coaction_edges": [
                    {"source": "b", "target": "a", "weight": 5, "types": ["same_url", "same_text"],
                     "first": "2024-06-01T10:00:00+00:00", "last": "2024-06-05T10:00:00+00:00",
                     "mean_gap_seconds": 4.5, "p_value": 1e-12},
                    {"source": "a", "target": "c", "weight": 3, "types": ["same_url"],
                     "mean_gap_seconds": 9.0, "p_value": 1e-8}
                ]
            }
        }))
        .unwrap();
        let g = evidence_graph([&alert], EvidenceGraphOptions::default());
        let co: Vec<&Edge> = g.edges.iter().filter(|e| e.kind == "co_action").collect();
        assert_eq!(co.len(), 2);
        let ab = co
            .iter()
            .find(|e| e.source == "account:a" && e.target == "account:b")
            .unwrap();
        assert_eq!(ab.weight, 5.0);
        assert_eq!(
            ab.attrs["types"],
            AttrValue::Text("same_url same_text".into())
        );
        assert_eq!(ab.attrs["mean_gap_seconds"], AttrValue::Float(4.5));
        assert_eq!(
            ab.attrs["first"],
            AttrValue::Text("2024-06-01T10:00:00+00:00".into())
        );
        let a = g.nodes.iter().find(|n| n.id == "account:a").unwrap();
        assert_eq!(
            a.attrs["community"],
            AttrValue::Text("coordination-1".into())
        );
    }
}
