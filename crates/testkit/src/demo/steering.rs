//! The 2021 action plan's deliverables, read from the seed text itself
//! (`data/plan_action_2021.txt`, the plan as extracted from its PDF).
//!
//! The plan ends each department's and domain's section with a sidebar
//! « LIVRABLES » (27 of them). The PDF extraction puts each sidebar's items
//! near its marker but not always on the same side, and sometimes two
//! sidebars' items side by side, so where each block's items sit is given
//! here as line ranges of the seed ([`BLOCKS`], in the order of the
//! markers); the items themselves are parsed from those lines
//! ([`block_items`]): items are separated by blank lines, a line starting
//! with a lower-case letter or directly under the previous one continues
//! it, `+ ` bullets are items of their own, and a line ending with `:`
//! heads the bullets under it (« Agrandissement de la communauté : 3
//! établissements en 2021 »).
//!
//! Owners, dates and statuses are generated, deterministic from the seed,
//! plausible for the day the demo is loaded: deliverables due before that
//! day are mostly delivered, a few late or postponed; later ones are in
//! progress or not started.

use chrono::{DateTime, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::Id;
use relais_store::steering::{self as store, DeliverableValues};
use relais_store::Conn;
use std::collections::HashMap;

/// The plan as extracted from the agency's PDF.
pub const SEED: &str = include_str!("../../seed/plan_action_2021.txt");

/// A unit of the plan: (code, name, kind, business domain).
pub const UNITS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "DSPSI",
        "Département Stratégie et Programmation SI",
        "departement",
        None,
    ),
    (
        "DCSI",
        "Département de Construction des Systèmes d'Information",
        "departement",
        None,
    ),
    (
        "DREM",
        "Département Relations Etablissements et Marketing",
        "departement",
        None,
    ),
    (
        "DdAC",
        "Département Développement et Accompagnement des Compétences",
        "departement",
        None,
    ),
    ("PIL", "Pilotage", "domaine", Some("pilotage")),
    ("FIN", "Finances", "domaine", Some("finances")),
    (
        "FVE",
        "Formation et vie de l'étudiant",
        "domaine",
        Some("fve"),
    ),
    ("REC", "Recherche", "domaine", Some("recherche")),
    ("RH", "Ressources humaines", "domaine", Some("rh")),
    (
        "PAT",
        "Patrimoine et développement durable",
        "domaine",
        Some("patrimoine"),
    ),
    ("ACH", "Achats", "domaine", Some("achats")),
];

/// One « LIVRABLES » block: its unit, objective, product, and where its
/// items are in the seed (1-based inclusive line ranges).
pub struct Block {
    pub unit: &'static str,
    pub objective: &'static str,
    pub product: Option<&'static str>,
    pub lines: &'static [(usize, usize)],
}

/// The 27 blocks, in the order of their « LIVRABLES » markers.
pub const BLOCKS: &[Block] = &[
    Block {
        unit: "DSPSI",
        objective: "Stratégie, prospective et urbanisation",
        product: None,
        lines: &[(161, 167)],
    },
    Block {
        unit: "DCSI",
        objective: "Qualité, orientation client et sécurité",
        product: None,
        lines: &[(443, 471)],
    },
    Block {
        unit: "DREM",
        objective: "Relation avec les établissements",
        product: None,
        lines: &[(645, 651)],
    },
    Block {
        unit: "DdAC",
        objective: "Formation",
        product: None,
        lines: &[(1047, 1054)],
    },
    Block {
        unit: "DdAC",
        objective: "Accompagnement des communautés",
        product: None,
        lines: &[(1338, 1350)],
    },
    Block {
        unit: "PIL",
        objective: "Sinaps",
        product: Some("sinaps"),
        lines: &[(1439, 1455)],
    },
    Block {
        unit: "PIL",
        objective: "Accompagnement",
        product: None,
        lines: &[(1550, 1558)],
    },
    Block {
        unit: "FIN",
        objective: "Sifac",
        product: Some("sifac"),
        lines: &[(1628, 1635)],
    },
    Block {
        unit: "FIN",
        objective: "Démat",
        product: Some("demat"),
        lines: &[(1713, 1713)],
    },
    Block {
        unit: "FIN",
        objective: "Accompagnement",
        product: None,
        lines: &[(1781, 1799)],
    },
    Block {
        unit: "FVE",
        objective: "Apogée",
        product: Some("apogee"),
        lines: &[(1876, 1884)],
    },
    Block {
        unit: "FVE",
        objective: "ConPeRe",
        product: Some("conpere"),
        lines: &[(1967, 1969)],
    },
    Block {
        unit: "FVE",
        objective: "Pégase",
        product: Some("pegase"),
        lines: &[(2118, 2124)],
    },
    Block {
        unit: "FVE",
        objective: "FCA Manager",
        product: Some("fca"),
        lines: &[(2126, 2130)],
    },
    Block {
        unit: "FVE",
        objective: "Accompagnement",
        product: None,
        lines: &[(2308, 2327)],
    },
    Block {
        unit: "REC",
        objective: "Caplab",
        product: Some("caplab"),
        lines: &[(2403, 2412)],
    },
    Block {
        unit: "REC",
        objective: "Dialog",
        product: Some("dialog"),
        lines: &[(2494, 2494)],
    },
    Block {
        unit: "REC",
        objective: "Accompagnement",
        product: None,
        lines: &[(2557, 2565), (2497, 2503)],
    },
    Block {
        unit: "RH",
        objective: "Harpège",
        product: Some("harpege"),
        lines: &[(2638, 2641)],
    },
    Block {
        unit: "RH",
        objective: "Siham",
        product: Some("siham"),
        lines: &[(2645, 2656)],
    },
    Block {
        unit: "RH",
        objective: "Siham PMS",
        product: Some("siham_pms"),
        lines: &[(2735, 2741)],
    },
    Block {
        unit: "RH",
        objective: "Accompagnement",
        product: None,
        lines: &[(2804, 2818)],
    },
    Block {
        unit: "RH",
        objective: "EvRP",
        product: Some("evrp"),
        lines: &[(2900, 2906)],
    },
    Block {
        unit: "RH",
        objective: "Formation EvRP",
        product: Some("evrp"),
        lines: &[(2910, 2910)],
    },
    Block {
        unit: "PAT",
        objective: "Accompagnement",
        product: None,
        lines: &[(2991, 2994)],
    },
    Block {
        unit: "PAT",
        objective: "SIPI",
        product: Some("sipi"),
        lines: &[(2996, 2997)],
    },
    Block {
        unit: "ACH",
        objective: "Accompagnement",
        product: None,
        lines: &[(3144, 3150)],
    },
];

/// Spaces collapsed, trimmed.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The deliverables of a block, parsed from the seed's lines.
pub fn block_items(block: &Block) -> Vec<String> {
    let lines: Vec<&str> = SEED.split('\n').collect();
    // (text, is a `+` bullet)
    let mut raw: Vec<(String, bool)> = Vec::new();
    for &(a, b) in block.lines {
        let mut previous_blank = true;
        for l in &lines[a - 1..b.min(lines.len())] {
            let t = squash(l);
            if t.is_empty() {
                previous_blank = true;
                continue;
            }
            let bullet = t.starts_with('+');
            let t = t.trim_start_matches('+').trim().to_string();
            let continues = !raw.is_empty()
                && !bullet
                && (t.starts_with(char::is_lowercase) || !previous_blank);
            match raw.last_mut() {
                Some(last) if continues => {
                    last.0.push(' ');
                    last.0.push_str(&t);
                }
                _ => raw.push((t, bullet)),
            }
            previous_blank = false;
        }
    }
    let mut out = Vec::new();
    let mut head: Option<String> = None;
    for (t, bullet) in raw {
        if bullet {
            match &head {
                Some(h) => out.push(format!("{h} : {t}")),
                None => out.push(t),
            }
        } else if let Some(h) = t.strip_suffix(':') {
            head = Some(h.trim().to_string());
        } else {
            head = None;
            out.push(t);
        }
    }
    out
}

#[derive(Debug, Default, Clone)]
pub struct SteeringSummary {
    pub deliverables: usize,
    pub delivered: usize,
    pub late: usize,
}

/// Loads the 2021 plan: units, one objective per block, every deliverable.
/// `owners` are agency accounts (domain leads first).
pub async fn load(
    tx: &mut Conn,
    seed: u64,
    now: DateTime<Utc>,
    products: &HashMap<&str, Id>,
    owners: &[Id],
) -> anyhow::Result<SteeringSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x57ee_2021);
    let ts = relais_store::ts(now);
    let today = now.date_naive();
    let mut s = SteeringSummary::default();
    let plan = Id::new();
    store::insert_plan(tx, plan, 2021, "Plan d'action 2021", &ts).await?;
    let mut units = HashMap::new();
    for (i, (code, name, kind, domain)) in UNITS.iter().enumerate() {
        let id = Id::new();
        store::insert_unit(tx, id, plan, code, name, kind, *domain, i as i64 + 1).await?;
        units.insert(*code, (id, i));
    }
    let quarter_ends = ["03-31", "06-30", "09-30", "12-15"];
    for (b, block) in BLOCKS.iter().enumerate() {
        let (unit, unit_index) = units[block.unit];
        let objective = Id::new();
        store::insert_objective(tx, objective, unit, block.objective, b as i64 + 1).await?;
        let owner = owners
            .get(unit_index % owners.len().max(1))
            .map(|o| o.to_string());
        for (k, title) in block_items(block).into_iter().enumerate() {
            let due = NaiveDate::parse_from_str(
                &format!("2021-{}", quarter_ends[rng.gen_range(0..4)]),
                "%Y-%m-%d",
            )?;
            let start = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap_or(due);
            let (status, progress) = if due < today {
                match rng.gen_range(0..100) {
                    0..=69 => ("livre", 100),
                    70..=84 => ("en_cours", rng.gen_range(40..95)),
                    85..=94 => ("reporte", rng.gen_range(10..60)),
                    _ => ("abandonne", rng.gen_range(0..30)),
                }
            } else {
                let span = (due - start).num_days().max(1);
                let elapsed = (today - start).num_days().clamp(0, span);
                let expected = elapsed * 100 / span;
                match rng.gen_range(0..100) {
                    0..=14 => ("a_lancer", 0),
                    _ => ("en_cours", (expected + rng.gen_range(-30..20)).clamp(5, 95)),
                }
            };
            let delivered_on = (status == "livre")
                .then(|| relais_store::date(due - chrono::Duration::days(rng.gen_range(0..20))));
            let id = Id::new();
            store::insert_deliverable(
                tx,
                id,
                &DeliverableValues {
                    objective_id: objective,
                    reference: format!("2021-{}-{:02}-{:02}", block.unit, b + 1, k + 1),
                    title,
                    owner_id: owner.clone(),
                    product_id: block
                        .product
                        .and_then(|p| products.get(p))
                        .map(|p| p.to_string()),
                    starts_on: Some(relais_store::date(start)),
                    due_on: relais_store::date(due),
                    status: status.into(),
                    progress,
                    weight: 1 + (k as i64 % 3),
                    delivered_on,
                },
                &ts,
            )
            .await?;
            relais_store::audit::record(
                tx,
                None,
                "deliverable",
                id,
                "create",
                &serde_json::json!({ "status": [null, status] }),
                &ts,
            )
            .await?;
            s.deliverables += 1;
            if status == "livre" {
                s.delivered += 1;
            } else if status != "abandonne" && due < today {
                s.late += 1;
            }
        }
    }
    Ok(s)
}
