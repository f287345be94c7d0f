//! Runs the built `inplay` binary and checks its JSON, exit codes and messages.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn inplay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inplay"))
        .args(args)
        .output()
        .expect("run inplay")
}

/// Runs a command that must succeed and print one JSON document.
fn json(args: &[&str]) -> Value {
    let out = inplay(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"))
}

fn market<'a>(book: &'a Value, key: &str) -> &'a Value {
    book["markets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == key)
        .unwrap_or_else(|| panic!("no market {key}"))
}

fn selection<'a>(market: &'a Value, key: &str) -> &'a Value {
    market["selections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no selection {key}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

#[test]
fn price_json_has_every_market() {
    let book = json(&[
        "price",
        "--home-xg",
        "1.6",
        "--away-xg",
        "1.1",
        "--score",
        "1-0",
        "--clock",
        "30:00",
        "--json",
    ]);
    let keys = [
        "1x2",
        "double_chance",
        "draw_no_bet",
        "total:2.5",
        "total:2.25",
        "ah:-0.25",
        "btts",
        "correct_score",
        "team_total:home:1.5",
        "next_goal",
        "ht_1x2",
        "ht_total:0.5",
        "rest_of_match",
    ];
    for key in keys {
        market(&book, key);
    }
    let n: usize = book["markets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["selections"].as_array().unwrap().len())
        .sum();
    assert!(n >= 60, "{n} selections");
    let result = market(&book, "1x2");
    let sum: f64 = ["home", "draw", "away"]
        .iter()
        .map(|k| f(&selection(result, k)["prob"]))
        .sum();
    close(sum, 1.0, 1e-12);
    // Line selections carry settlement outcomes instead of a probability, and no offered odds.
    let over = selection(market(&book, "total:2.25"), "over");
    assert!(over.get("prob").is_none() && over.get("odds").is_none());
    let o = &over["outcomes"];
    let total: f64 = ["win", "half_win", "push", "half_lose", "lose"]
        .iter()
        .map(|k| f(&o[*k]))
        .sum();
    close(total, 1.0, 1e-12);
    // 1-0 up at 30:00: home is the favourite, and already scored so BTTS needs an away goal.
    assert!(f(&selection(result, "home")["prob"]) > 0.6);
    assert_eq!(
        selection(market(&book, "correct_score"), "1-0")["key"],
        "1-0"
    );
}

#[test]
fn price_with_margin_offers_ladder_prices_toward_the_book() {
    let book = json(&[
        "price",
        "--home-xg",
        "1.6",
        "--away-xg",
        "1.1",
        "--margin",
        "0.05",
        "--margin-method",
        "shin",
        "--json",
    ]);
    for key in ["1x2", "total:2.5", "ah:-0.5", "btts"] {
        let m = market(&book, key);
        let mut overround = -1.0;
        for s in m["selections"].as_array().unwrap() {
            let (fair, odds) = (f(&s["fair_odds"]), f(&s["odds"]));
            assert!(odds < fair, "{key}: offered {odds} not below fair {fair}");
            // On the ladder: an exact number of hundredths.
            close(odds * 100.0, (odds * 100.0).round(), 1e-6);
            overround += 1.0 / odds;
        }
        // Rounding down only adds margin.
        assert!(overround >= 0.05 - 1e-12, "{key}: {overround}");
    }
}

#[test]
fn price_table_is_readable() {
    let out = inplay(&["price", "--home-xg", "1.6", "--away-xg", "1.1"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().starts_with("market"));
    assert!(text.contains("1x2") && text.contains("correct_score") && text.contains("ah:-0.25"));
}

#[test]
fn implied_shin_sums_to_one() {
    let v = json(&[
        "implied",
        "--odds",
        "2.10,3.40,3.60",
        "--method",
        "shin",
        "--json",
    ]);
    assert_eq!(v["method"], "shin");
    let probs: Vec<f64> = v["probs"].as_array().unwrap().iter().map(f).collect();
    assert_eq!(probs.len(), 3);
    close(probs.iter().sum(), 1.0, 1e-12);
    // penaltyblog 1.13.1 (engine/tests/odds.rs pins the full vector).
    close(probs[0], 0.45866571596108546, 1e-9);
    close(f(&v["margin"]), 0.04808590102707733, 1e-15);
}

/// Prices a match, feeds its fair 1X2 and over/under odds to `fit`, returns the fit.
fn round_trip(price_args: &[&str], fit_args: &[&str]) -> Value {
    let mut args = vec!["price", "--json"];
    args.extend_from_slice(price_args);
    let book = json(&args);
    let odds = |m: &str, s: &str| f(&selection(market(&book, m), s)["fair_odds"]).to_string();
    let x12 = format!(
        "{},{},{}",
        odds("1x2", "home"),
        odds("1x2", "draw"),
        odds("1x2", "away")
    );
    let total = format!(
        "2.75:{},{}",
        odds("total:2.75", "over"),
        odds("total:2.75", "under")
    );
    let mut args = vec!["fit", "--json", "--odds-1x2", &x12, "--odds-total", &total];
    args.extend_from_slice(fit_args);
    json(&args)
}

#[test]
fn fit_recovers_the_priced_match() {
    // The model's default score effects on both sides.
    let fit = round_trip(
        &["--home-xg", "1.7", "--away-xg", "0.95", "--rho", "-0.06"],
        &["--dixon-coles"],
    );
    close(f(&fit["home_xg"]), 1.7, 1e-6);
    close(f(&fit["away_xg"]), 0.95, 1e-6);
    close(f(&fit["rho"]), -0.06, 1e-6);
    // Neutral effects, no Dixon–Coles.
    let fit = round_trip(
        &[
            "--home-xg",
            "0.8",
            "--away-xg",
            "2.1",
            "--score-state",
            "neutral",
        ],
        &["--score-state", "neutral"],
    );
    close(f(&fit["home_xg"]), 0.8, 1e-6);
    close(f(&fit["away_xg"]), 2.1, 1e-6);
    assert_eq!(f(&fit["rho"]), 0.0);
}

#[test]
fn fit_equals_penaltyblog() {
    // goal_expectancy_extended with rho held at 0 (engine/tests/penaltyblog_grid.py).
    let fit = json(&[
        "fit",
        "--odds-1x2",
        "2.10,3.40,3.60",
        "--odds-total",
        "2.5:1.95,1.95",
        "--score-state",
        "neutral",
        "--json",
    ]);
    close(f(&fit["home_xg"]), 1.5277306777142887, 1e-7);
    close(f(&fit["away_xg"]), 1.1283940648048358, 1e-7);
}

fn season(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/football/football-data")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is not here", p.display());
        None
    }
}

#[test]
fn calibrate_one_season() {
    let Some(csv) = season("E0_2324.csv") else {
        return;
    };
    let csv = csv.to_str().unwrap();
    // Measured: 373 matches, 7 skipped; MAE 0.338 pp with Dixon–Coles, 0.438 pp without.
    let dc = json(&["calibrate", "--csv", csv, "--dixon-coles", "--json"]);
    assert!(dc["n"].as_u64().unwrap() > 300, "{dc}");
    assert_eq!(dc["skipped"], 7);
    assert!(f(&dc["mae_pp"]) < 0.36, "{dc}");
    assert!(f(&dc["median_pp"]) < f(&dc["mae_pp"]));
    assert!(f(&dc["bias_pp"]).abs() < 0.1, "{dc}");
    let plain = json(&["calibrate", "--csv", csv, "--json"]);
    assert!(f(&plain["mae_pp"]) < 0.46, "{plain}");
    assert!(f(&plain["mae_pp"]) > f(&dc["mae_pp"]));
}

#[test]
fn calibrate_counts_bad_rows_and_never_crashes() {
    let dir = std::env::temp_dir().join(format!("inplay-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.csv");
    std::fs::write(
        &path,
        "\u{feff}Date,HomeTeam,AwayTeam,PSCH,PSCD,PSCA,PC>2.5,PC<2.5,AHCh,PCAHH,PCAHA\n\
         01/01/2024,A,B,2.10,3.40,3.60,1.95,1.95,-0.25,1.97,1.93\n\
         02/01/2024,C,D,2.10,,3.60,1.95,1.95,-0.25,1.97,1.93\n\
         03/01/2024,E,F,abc,3.40,3.60,1.95,1.95,-0.25,1.97,1.93\n\
         04/01/2024,G,H,0.5,3.40,3.60,1.95,1.95,-0.25,1.97,1.93\n\
         05/01/2024,I,J,2.10,3.40,3.60,1.95,1.95,-0.3,1.97,1.93\n\
         06/01/2024,K,L\n\
         07/01/2024,M,N,1.50,4.50,6.50,1.80,2.05,-1,1.95,1.95,extra\n",
    )
    .unwrap();
    let v = json(&["calibrate", "--csv", path.to_str().unwrap(), "--json"]);
    assert_eq!(v["n"], 2, "{v}");
    assert_eq!(v["skipped"], 5, "{v}");
    // A file without the columns: every row skipped, a warning, and exit 1 (nothing to report).
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, "Date,HomeTeam\n01/01/2024,A\n").unwrap();
    let out = inplay(&["calibrate", "--csv", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no column PSCH") && stderr.contains("no usable rows"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    for args in [
        &["price"][..],
        &["price", "--home-xg", "1.6"],
        &["price", "--home-xg", "x", "--away-xg", "1"],
        &[
            "price",
            "--home-xg",
            "1.6",
            "--away-xg",
            "1.1",
            "--score",
            "1:0",
        ],
        &[
            "price",
            "--home-xg",
            "1.6",
            "--away-xg",
            "1.1",
            "--score",
            "1-0",
        ],
        &["price", "--home-xg", "1", "--away-xg", "1", "--period", "3"],
        &["implied", "--odds", "2,2", "--method", "fancy"],
        &["fit", "--odds-1x2", "2.1,3.4"],
        &["fit", "--odds-1x2", "2.1,3.4,3.6", "--dixon-coles"],
        &["calibrate"],
        &["bogus"],
    ] {
        let out = inplay(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    for (args, message) in [
        (
            &["price", "--home-xg", "-1", "--away-xg", "1"][..],
            "home_xg",
        ),
        (
            &["price", "--home-xg", "1", "--away-xg", "1", "--margin", "2"],
            "margin",
        ),
        (&["implied", "--odds", "0.5,2"], "invalid decimal odds"),
        (
            &[
                "fit",
                "--odds-1x2",
                "2.1,3.4,3.6",
                "--odds-total",
                "2.3:1.9,1.9",
            ],
            "line",
        ),
        (
            &["calibrate", "--csv", "/nonexistent/file.csv"],
            "cannot read",
        ),
    ] {
        let out = inplay(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("error: ") && stderr.contains(message),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_inplay"))
        .args(["price", "--home-xg", "1.6", "--away-xg", "1.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before the child has started writing (its output would fit in the
    // pipe's buffer otherwise), so its writes fail with EPIPE.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
