//! `relais eval`: measures the digital agents on the demo. Loads the demo
//! into a fresh temporary SQLite database, builds the search index in a
//! temporary folder, then prints
//! - for the assistant, over the labelled set `eval/assistant.tsv` (queries
//!   as members type them, asked as the demo member `membre@relais.test`,
//!   articles only): hit@1, hit@3, MRR, nDCG@10, hit@3 per product, and the
//!   queries whose answer was not in the first three;
//! - for triage, the accuracy per field on the tickets of the last part of
//!   the demo history, predicted from the older tickets only, with the
//!   share of confident predictions (> 0.5) and the majority baseline.
//!
//! Nothing touches the configured database or index.

use crate::config::Config;
use chrono::TimeZone;
use relais_app::eval::{self, FieldAccuracy};
use relais_app::App;
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Seed of the demo data.
    #[arg(long, default_value_t = 2021)]
    pub seed: u64,
    /// Evaluation set of the assistant (default: the one built into the
    /// binary from eval/assistant.tsv).
    #[arg(long)]
    pub set: Option<std::path::PathBuf>,
    /// Share of the demo history held out for triage (the most recent).
    #[arg(long, default_value_t = 0.2)]
    pub held_out: f64,
    /// Exit with an error when hit@3 of the assistant is below this.
    #[arg(long)]
    pub min_hit3: Option<f64>,
    /// A FAQ set (one JSON object per line: id, question, answer, q_plain,
    /// q_noisy, optional topic and source): its answers become published
    /// articles of the demo and each variant of each question is asked as
    /// a member, to the search box and to the assistant, beside a plain
    /// BM25 baseline.
    #[arg(long)]
    pub faq: Option<std::path::PathBuf>,
    /// Which half of the FAQ set: tune, test or all.
    #[arg(long, default_value = "all")]
    pub half: String,
    /// Print the questions the assistant missed (not in its first three).
    #[arg(long)]
    pub misses: bool,
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:5.1} %", v * 100.0))
        .unwrap_or_else(|| "    —  ".into())
}

pub async fn run(_cfg: Config, args: Args) -> anyhow::Result<()> {
    let src = match &args.set {
        Some(p) => std::fs::read_to_string(p)?,
        None => eval::ASSISTANT_SET.to_string(),
    };
    let set = eval::parse_set(&src).map_err(|e| anyhow::anyhow!("jeu d'évaluation : {e}"))?;
    if !(0.01..=0.9).contains(&args.held_out) {
        anyhow::bail!("--held-out entre 0.01 et 0.9");
    }

    let faq = match &args.faq {
        Some(p) => {
            let src =
                std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{} : {e}", p.display()))?;
            let all =
                eval::parse_faq(&src).map_err(|e| anyhow::anyhow!("{} : {e}", p.display()))?;
            let keep = |pair: &eval::FaqPair| match args.half.as_str() {
                "tune" => eval::faq_half(&pair.id) == eval::FaqHalf::Tune,
                "test" => eval::faq_half(&pair.id) == eval::FaqHalf::Test,
                _ => true,
            };
            if !["tune", "test", "all"].contains(&args.half.as_str()) {
                anyhow::bail!("--half : tune, test ou all");
            }
            Some(all.into_iter().filter(keep).collect::<Vec<_>>())
        }
        None => None,
    };

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("eval.db").display());
    let db = relais_store::Db::connect(&url).await?;
    db.migrate().await?;
    // A fixed "now" so that the figures are the same from one run to the
    // next (the demo is deterministic from its seed and its date).
    let now = chrono::Utc
        .with_ymd_and_hms(2021, 12, 15, 10, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("date"))?;
    let started = std::time::Instant::now();
    let summary = relais_testkit::demo::load(&db, args.seed, now).await?;
    let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    app.search = Some(relais_app::search::SearchHandle(Arc::new(
        relais_search::SearchIndex::open(&dir.path().join("index"))?,
    )));
    let docs = relais_app::search::rebuild(&app, &|_| {})
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Démo (graine {}) : {} tickets, index de {} documents, prêts en {:.1} s.",
        args.seed,
        summary.tickets,
        docs,
        started.elapsed().as_secs_f64()
    );

    let actor = |email: &str| {
        let db = db.clone();
        let email = email.to_string();
        async move {
            let mut c = db.read().await?;
            let u = relais_store::accounts::find_user_by_email(&mut c, &email).await?;
            relais_app::accounts::actor_of(&u)
                .ok_or_else(|| anyhow::anyhow!("compte de démonstration {email} inutilisable"))
        }
    };

    let member = actor("membre@relais.test").await?;
    if let Some(faq) = faq {
        let admin = actor("admin@relais.test").await?;
        return faq_eval(&app, &admin, &member, &faq, &args).await;
    }

    // The assistant.
    let r = eval::assistant(&app, &member, &set)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let products = r.per_product.len();
    println!();
    println!(
        "Assistant — {} requêtes, {} produits (suggestions d'articles pour membre@relais.test)",
        r.overall.queries, products
    );
    println!("  hit@1    {:.3}", r.overall.hit_at_1());
    println!("  hit@3    {:.3}", r.overall.hit_at_3());
    println!("  MRR      {:.3}", r.overall.mrr());
    println!("  nDCG@10  {:.3}", r.overall.ndcg_at_10());
    println!("  hit@3 par produit :");
    for (p, m) in &r.per_product {
        println!(
            "    {p:<10} {:.3}  ({}/{})",
            m.hit_at_3(),
            m.hit3,
            m.queries
        );
    }
    for (line, label) in &r.unknown_labels {
        println!("  ! ligne {line} : aucun article « {label} »");
    }
    if r.misses.is_empty() {
        println!("  Aucune requête manquée.");
    } else {
        println!(
            "  Requêtes dont la réponse n'est pas dans les trois premières ({}) :",
            r.misses.len()
        );
        for m in &r.misses {
            println!(
                "    l.{:<4} « {} » → attendu {} ; rang {} ; proposé : {}",
                m.query.line,
                m.query.text,
                m.query.expected.join(" | "),
                m.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                if m.top3.is_empty() {
                    "rien".to_string()
                } else {
                    m.top3.join(" / ")
                }
            );
        }
    }

    // Triage.
    let admin = actor("admin@relais.test").await?;
    let t = eval::triage(&app, &admin, args.held_out)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!();
    println!(
        "Triage — {} tickets prédits (créés après {}) à partir des {} précédents",
        t.held_out, t.cut, t.history
    );
    println!("  champ       exactitude  confiance>0,5  exactitude si >0,5  référence (valeur la plus fréquente)");
    for (name, a, baseline) in &t.fields {
        let a: &FieldAccuracy = a;
        if a.labelled == 0 {
            println!("  {name:<10}  aucun ticket de la démo ne renseigne ce champ");
            continue;
        }
        println!(
            "  {name:<10}  {}     {}        {}             {}",
            pct(a.accuracy()),
            pct(a.confident_share()),
            pct(a.confident_accuracy()),
            pct(*baseline)
        );
    }
    if let Some(min) = args.min_hit3 {
        if r.overall.hit_at_3() < min {
            anyhow::bail!(
                "hit@3 de l'assistant {:.3} sous le seuil {min}",
                r.overall.hit_at_3()
            );
        }
    }
    Ok(())
}

/// The FAQ evaluation: answers loaded as published articles, every
/// variant asked to the search box, the assistant and the baseline.
async fn faq_eval(
    app: &App,
    admin: &relais_domain::accounts::Actor,
    member: &relais_domain::accounts::Actor,
    faq: &[eval::FaqPair],
    args: &Args,
) -> anyhow::Result<()> {
    let e = |e: relais_app::AppError| anyhow::anyhow!("{e}");
    let product = {
        let mut c = app.db.read().await?;
        relais_store::crm::list_products(&mut c, None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("aucun produit dans la démo"))?
            .id
    };
    let mut id_of = std::collections::HashMap::new();
    for p in faq {
        let id = relais_app::knowledge::create_article(
            app,
            admin,
            relais_app::knowledge::ArticleInput {
                product_id: product.clone(),
                version: None,
                title: eval::faq_title(p),
                body: p.answer.clone(),
                review_on: None,
            },
        )
        .await
        .map_err(e)?;
        relais_app::knowledge::publish(app, admin, id)
            .await
            .map_err(e)?;
        id_of.insert(p.id.clone(), id.to_string());
    }
    relais_app::search::rebuild(app, &|_| {}).await.map_err(e)?;
    // The baseline indexes the same published articles.
    let articles = {
        let mut c = app.db.read().await?;
        relais_store::search_feed::articles(&mut c).await?
    };
    let published: Vec<_> = articles.iter().filter(|a| a.status == "publie").collect();
    let baseline = relais_search::baseline::BaselineIndex::new(
        published
            .iter()
            .map(|a| (a.id.as_str(), a.title.as_str(), a.body.as_str())),
    )?;
    println!(
        "FAQ : {} paires (moitié {}), {} articles publiés dans la démo avec elles.",
        faq.len(),
        args.half,
        published.len()
    );
    type M = eval::FaqMetrics;
    let mut table: Vec<(&str, &str, M)> = vec![];
    let mut misses = vec![];
    for system in ["recherche", "assistant", "bm25"] {
        for variant in eval::FAQ_VARIANTS {
            let mut m = M::default();
            for p in faq {
                let text = p.variant(variant);
                let ranked: Vec<String> = match system {
                    "recherche" => relais_app::search::search(
                        app,
                        member,
                        &relais_search::SearchQuery {
                            text: text.to_string(),
                            limit: 10,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(e)?
                    .hits
                    .into_iter()
                    .map(|h| h.id)
                    .collect(),
                    "assistant" => relais_app::assistant::suggest(app, member, None, text, 10)
                        .await
                        .map_err(e)?
                        .into_iter()
                        .map(|s| s.id)
                        .collect(),
                    _ => baseline.search(text, 10)?,
                };
                let expected = &id_of[&p.id];
                if system == "assistant" && !ranked.iter().take(3).any(|r| r == expected) {
                    misses.push((variant, p.id.clone(), text.to_string()));
                }
                m.add(&ranked, expected);
            }
            table.push((system, variant, m));
        }
    }
    println!();
    println!("système    variante   hit@1  hit@3  hit@5  MRR@10  sans résultat");
    let mut by_system: std::collections::BTreeMap<&str, M> = Default::default();
    for (system, variant, m) in &table {
        by_system.entry(system).or_default().merge(m);
        println!(
            "{system:<10} {variant:<9}  {:.3}  {:.3}  {:.3}  {:.3}   {:5.1} %",
            m.hit_at_1(),
            m.hit_at_3(),
            m.hit_at_5(),
            m.mrr_at_10(),
            m.empty_share() * 100.0
        );
    }
    println!();
    for (system, m) in &by_system {
        println!(
            "{system:<10} {:<9}  {:.3}  {:.3}  {:.3}  {:.3}   {:5.1} %",
            "les trois",
            m.hit_at_1(),
            m.hit_at_3(),
            m.hit_at_5(),
            m.mrr_at_10(),
            m.empty_share() * 100.0
        );
    }
    if args.misses {
        println!();
        for (variant, id, text) in &misses {
            println!("  manqué {variant:<9} {id:<12} « {text} »");
        }
    }
    Ok(())
}
