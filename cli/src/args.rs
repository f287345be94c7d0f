//! Value parsers for the command line: scores, clocks, over/under lines, margin methods.

use inplay_engine::football::{Period, Score, ScoreStateEffects, TotalOdds};
use inplay_engine::odds::MarginMethod;

/// `--period` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    /// Before kick-off.
    Pre,
    /// First half.
    #[value(name = "1")]
    First,
    /// Half-time.
    Ht,
    /// Second half.
    #[value(name = "2")]
    Second,
    /// Full time.
    Ft,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Pre => Period::PreMatch,
            PeriodArg::First => Period::FirstHalf,
            PeriodArg::Ht => Period::HalfTime,
            PeriodArg::Second => Period::SecondHalf,
            PeriodArg::Ft => Period::FullTime,
        }
    }
}

/// `--score-state`: `default` (the model's documented multipliers), `neutral` (none: independent
/// Poisson or Dixon–Coles pre-match) or `A,B`, the multipliers for a team trailing by one and by two
/// or more.
pub fn score_state(s: &str) -> Result<ScoreStateEffects, String> {
    match s {
        "default" => Ok(ScoreStateEffects::default()),
        "neutral" => Ok(ScoreStateEffects::neutral()),
        _ => {
            let bad = || format!("`{s}` is not default, neutral or TRAILING_BY_ONE,BY_TWO_PLUS");
            let (one, two) = s.split_once(',').ok_or_else(bad)?;
            let num = |v: &str| v.trim().parse::<f64>().map_err(|_| bad());
            Ok(ScoreStateEffects {
                trailing_by_one: num(one)?,
                trailing_by_two_plus: num(two)?,
            })
        }
    }
}

/// `1-0` → home 1, away 0.
pub fn score(s: &str) -> Result<Score, String> {
    let (h, a) = s
        .split_once('-')
        .ok_or_else(|| format!("`{s}` is not a score like 1-0"))?;
    let goals = |g: &str| {
        g.trim()
            .parse::<u8>()
            .map_err(|_| format!("`{g}` is not a number of goals"))
    };
    Ok(Score::new(goals(h)?, goals(a)?))
}

/// `60:00`, `92:30`, `45:00.500` or plain minutes `60` → milliseconds.
pub fn clock(s: &str) -> Result<u64, String> {
    let bad = || format!("`{s}` is not a clock like 60:00");
    let (minutes, seconds) = match s.split_once(':') {
        Some((m, sec)) => (m, sec),
        None => (s, "0"),
    };
    let minutes: u64 = minutes.trim().parse().map_err(|_| bad())?;
    let seconds: f64 = seconds.trim().parse().map_err(|_| bad())?;
    if !(0.0..60.0).contains(&seconds) || minutes > 10_000 {
        return Err(bad());
    }
    // Whole milliseconds; the seconds field is below 60 so this cannot overflow.
    Ok(minutes * 60_000 + (seconds * 1000.0).round() as u64)
}

/// `2.5:1.95,1.95` → line 2.5, over 1.95, under 1.95.
pub fn total(s: &str) -> Result<TotalOdds, String> {
    let bad = || format!("`{s}` is not LINE:OVER,UNDER like 2.5:1.95,1.95");
    let (line, odds) = s.split_once(':').ok_or_else(bad)?;
    let (over, under) = odds.split_once(',').ok_or_else(bad)?;
    let num = |v: &str| v.trim().parse::<f64>().map_err(|_| bad());
    Ok(TotalOdds {
        line: num(line)?,
        over: num(over)?,
        under: num(under)?,
    })
}

/// A margin method by name.
pub fn method(s: &str) -> Result<MarginMethod, String> {
    s.parse().map_err(|_| {
        let names: Vec<&str> = MarginMethod::ALL.iter().map(|m| m.as_str()).collect();
        format!("`{s}` is not one of {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_clocks_scores_and_lines() {
        assert_eq!(clock("60:00"), Ok(3_600_000));
        assert_eq!(clock("92:30"), Ok(5_550_000));
        assert_eq!(clock("3:00.250"), Ok(180_250));
        assert_eq!(clock("45"), Ok(2_700_000));
        assert!(clock("60:75").is_err() && clock("x").is_err() && clock("-1:00").is_err());
        assert_eq!(score("2-1"), Ok(Score::new(2, 1)));
        assert!(score("2:1").is_err() && score("300-0").is_err());
        let t = total("2.25:1.9,2.0").unwrap();
        assert_eq!((t.line, t.over, t.under), (2.25, 1.9, 2.0));
        assert!(total("2.5").is_err());
        assert_eq!(method("shin"), Ok(MarginMethod::Shin));
        assert!(method("fancy").is_err());
        assert_eq!(score_state("neutral"), Ok(ScoreStateEffects::neutral()));
        assert_eq!(score_state("1.1,1.2"), Ok(ScoreStateEffects::default()));
        assert!(score_state("1.1").is_err());
    }
}
