//! Which sport an event plays, and how an image or an opening says so without changing football's
//! bytes.
//!
//! One [`LiveEvent`](super::LiveEvent) runs any sport. What every sport shares is written once, over
//! the sport-agnostic part of the [`MatchImage`]: feed intake and two-source arbitration
//! (`sources`), suspensions and the clock (`event`), the bet ledger with its delay, liabilities and
//! exact money (`ledger`), the audit log, checkpoints, and the snapshot/delta stream. What differs
//! sits behind one enum, [`SportImage`], with a module per sport: the score and what moves it, the
//! settlement facts and results, the pricing (`transitions`/`settle` for football, `tennis` for
//! tennis). The sport is a runtime enum rather than a generic `LiveEvent<S>`: the edge keeps one
//! type and one API whatever it opens, and the wasm holds one copy of the shared code (its size is
//! a budget).
//!
//! # Encoding
//! Football's images and openings were written before there was a second sport. Their bytes are a
//! format (golden vectors, stored audit logs and checkpoints), so they stay exactly as they were,
//! and any other sport marks itself where football never can:
//! - JSON: a `"sport"` field, which football's objects do not have.
//! - Binary (postcard): football's layout starts with the event id, and an event id is never empty
//!   (an opening refuses it). Another sport writes an empty string there, then its [`Sport`] tag,
//!   then its own layout.
//!
//! Openings gained the clock rules (`LiveConfig::clock_rate`, `clock_resync_ms`) after logs were
//! stored, so an opening whose rules are the ones every earlier hub ran by (rate 1, every sync
//! re-anchoring) keeps its old layout, with the config's first eleven fields; any other writes the
//! empty string, the mark [`CLOCK_RULES_MARK`], its [`Sport`] tag and a layout with the whole
//! config. An earlier log decodes with those earlier rules and replays as it was written.

use core::fmt;

use serde::de::{self, DeserializeOwned, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::image::{
    Adjustment, ClockAnchor, FootballImage, GoalRecord, MatchImage, Suspension, TradingTerms,
};
use super::opening::{LiveConfig, Opening};
use super::{Fixture, MarketStatus};
use crate::football::{FootballParams, MatchState, Score};
use crate::market::MarketKey;
use crate::tennis::TennisParams;
#[cfg(feature = "tennis")]
use crate::tennis::TennisState;

/// A sport the live engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    /// Football (the format's first sport: its encodings carry no mark).
    #[default]
    Football,
    /// Tennis.
    Tennis,
}

impl Sport {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sport::Football => "football",
            Sport::Tennis => "tennis",
        }
    }
}

/// The pre-match model of an event, which also says its sport.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SportParams {
    /// Expected goals and effects.
    Football(FootballParams),
    /// Serve-point probabilities and the format.
    Tennis(TennisParams),
}

impl SportParams {
    /// The sport.
    pub fn sport(&self) -> Sport {
        match self {
            SportParams::Football(_) => Sport::Football,
            SportParams::Tennis(_) => Sport::Tennis,
        }
    }
    /// Whether the parameters can be priced.
    pub fn validate(&self) -> Result<(), crate::football::PricingError> {
        match self {
            SportParams::Football(p) => p.validate(),
            SportParams::Tennis(p) => p.validate(),
        }
    }
}

impl From<FootballParams> for SportParams {
    fn from(p: FootballParams) -> SportParams {
        SportParams::Football(p)
    }
}

impl From<TennisParams> for SportParams {
    fn from(p: TennisParams) -> SportParams {
        SportParams::Tennis(p)
    }
}

/// The in-play state a sport prices from, at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SportState {
    /// Football: score, period, clock run on to the instant, cards.
    Football(MatchState),
    /// Tennis: sets, games, points, server and the completed sets.
    #[cfg(feature = "tennis")]
    Tennis(TennisState),
}

/// The next element of a binary layout, which must be there.
fn element<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(seq: &mut A) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::custom("layout ends early"))
}

/// A value of a sport other than football in binary form: the mark, the tag, the layout.
fn marked<S: Serializer, T: Serialize>(s: S, sport: Sport, layout: &T) -> Result<S::Ok, S::Error> {
    let mut t = s.serialize_tuple(3)?;
    t.serialize_element("")?;
    t.serialize_element(&sport)?;
    t.serialize_element(layout)?;
    t.end()
}

/// Decodes a JSON form (of any self-describing format) as a `serde_json::Value`, so the
/// `"sport"` field can choose the shape before the rest is read.
fn json_value<'de, D: Deserializer<'de>>(d: D) -> Result<serde_json::Value, D::Error> {
    serde_json::Value::deserialize(d)
}

fn sport_of<E: de::Error>(value: &serde_json::Value) -> Result<Sport, E> {
    match value.get("sport") {
        None => Ok(Sport::Football),
        Some(s) => Sport::deserialize(s).map_err(E::custom),
    }
}

fn from_json<T: DeserializeOwned, E: de::Error>(value: serde_json::Value) -> Result<T, E> {
    serde_json::from_value(value).map_err(E::custom)
}

/// The sport of a snapshot in binary form, read from its mark without decoding it (`None` if the
/// bytes do not start like a snapshot).
pub(super) fn sport_of_snapshot(bytes: &[u8]) -> Option<Sport> {
    let (_, rest) = postcard::take_from_bytes::<super::Version>(bytes).ok()?;
    let (event_id, rest) = postcard::take_from_bytes::<&str>(rest).ok()?;
    if !event_id.is_empty() {
        return Some(Sport::Football);
    }
    postcard::take_from_bytes::<Sport>(rest)
        .ok()
        .map(|(s, _)| s)
}

/// Whether this build runs `sport` (tennis needs the engine's `tennis` feature).
pub fn runs(sport: Sport) -> bool {
    sport == Sport::Football || cfg!(feature = "tennis")
}

// ----- openings -----

/// The mark of an opening in binary form whose layout has the whole config (where tennis's
/// legacy layout has its [`Sport`] tag, 1).
const CLOCK_RULES_MARK: u32 = 2;

/// An opening's fields, in the order football has always written them (`sport` only in another
/// sport's JSON: in binary form the mark says it).
#[derive(Serialize)]
struct OpeningRef<'a, P, C> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sport: Option<Sport>,
    event_id: &'a str,
    fixture: &'a Fixture,
    params: &'a P,
    trading: &'a TradingTerms,
    config: C,
    epoch: u32,
}

/// A config's fields as openings wrote them before the clock rules, in order.
type LegacyConfig = (u64, u64, u64, u64, u64, u64, u64, u64, u64, usize, u64);

fn legacy_config(c: &LiveConfig) -> LegacyConfig {
    (
        c.cool_off_ms,
        c.confirm_window_ms,
        c.stale_after_ms,
        c.max_ts_drift_ms,
        c.max_clock_drift_ms,
        c.clock_tolerance_ms,
        c.gap_timeout_ms,
        c.danger_ms,
        c.dedupe_window_ms,
        c.reorder_capacity,
        c.min_stoppage_ms,
    )
}

fn from_legacy_config(c: LegacyConfig) -> LiveConfig {
    LiveConfig {
        cool_off_ms: c.0,
        confirm_window_ms: c.1,
        stale_after_ms: c.2,
        max_ts_drift_ms: c.3,
        max_clock_drift_ms: c.4,
        clock_tolerance_ms: c.5,
        gap_timeout_ms: c.6,
        danger_ms: c.7,
        dedupe_window_ms: c.8,
        reorder_capacity: c.9,
        min_stoppage_ms: c.10,
        ..LiveConfig::EARLIER_CLOCK
    }
}

/// An opening's fields as read: JSON (trading, config and epoch may be left out), and the binary
/// layout after its mark, with the config as `C` gives it.
#[derive(Deserialize)]
struct OpeningBody<P, C = LiveConfig> {
    event_id: String,
    fixture: Fixture,
    params: P,
    #[serde(default)]
    trading: TradingTerms,
    #[serde(default)]
    config: C,
    #[serde(default)]
    epoch: u32,
}

impl<P: Into<SportParams>> OpeningBody<P, LegacyConfig> {
    fn legacy(self) -> Opening {
        OpeningBody {
            event_id: self.event_id,
            fixture: self.fixture,
            params: self.params,
            trading: self.trading,
            config: from_legacy_config(self.config),
            epoch: self.epoch,
        }
        .into()
    }
}

impl Serialize for Opening {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn body<'a, P, C>(
            o: &'a Opening,
            params: &'a P,
            sport: Option<Sport>,
            config: C,
        ) -> OpeningRef<'a, P, C> {
            OpeningRef {
                sport,
                event_id: &o.event_id,
                fixture: &o.fixture,
                params,
                trading: &o.trading,
                config,
                epoch: o.epoch,
            }
        }
        let sport = self.params.sport();
        if s.is_human_readable() {
            let tag = (sport != Sport::Football).then_some(sport);
            return match &self.params {
                SportParams::Football(p) => body(self, p, tag, &self.config).serialize(s),
                SportParams::Tennis(p) => body(self, p, tag, &self.config).serialize(s),
            };
        }
        if self.config.clock_rules() != LiveConfig::EARLIER_CLOCK.clock_rules() {
            let mut t = s.serialize_tuple(4)?;
            t.serialize_element("")?;
            t.serialize_element(&CLOCK_RULES_MARK)?;
            t.serialize_element(&sport)?;
            match &self.params {
                SportParams::Football(p) => {
                    t.serialize_element(&body(self, p, None, &self.config))?
                }
                SportParams::Tennis(p) => {
                    t.serialize_element(&body(self, p, None, &self.config))?
                }
            }
            return t.end();
        }
        let config = legacy_config(&self.config);
        match &self.params {
            SportParams::Football(p) => body(self, p, None, config).serialize(s),
            SportParams::Tennis(p) => marked(s, Sport::Tennis, &body(self, p, None, config)),
        }
    }
}

impl<P: Into<SportParams>> From<OpeningBody<P>> for Opening {
    fn from(b: OpeningBody<P>) -> Opening {
        Opening {
            event_id: b.event_id,
            fixture: b.fixture,
            params: b.params.into(),
            trading: b.trading,
            config: b.config,
            epoch: b.epoch,
        }
    }
}

impl<'de> Deserialize<'de> for Opening {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Opening, D::Error> {
        if !d.is_human_readable() {
            return d.deserialize_tuple(6, OpeningVisitor);
        }
        let mut value = json_value(d)?;
        let sport = sport_of(&value)?;
        if let Some(o) = value.as_object_mut() {
            o.remove("sport");
        }
        Ok(match sport {
            Sport::Football => from_json::<OpeningBody<FootballParams>, _>(value)?.into(),
            Sport::Tennis => from_json::<OpeningBody<TennisParams>, _>(value)?.into(),
        })
    }
}

struct OpeningVisitor;

impl<'de> Visitor<'de> for OpeningVisitor {
    type Value = Opening;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an opening")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Opening, A::Error> {
        let event_id: String = element(&mut seq)?;
        if !event_id.is_empty() {
            return Ok(Opening {
                event_id,
                fixture: element(&mut seq)?,
                params: SportParams::Football(element(&mut seq)?),
                trading: element(&mut seq)?,
                config: from_legacy_config(element(&mut seq)?),
                epoch: element(&mut seq)?,
            });
        }
        // The mark is where a sport's tag was (postcard writes a unit variant as its index).
        match element::<u32, _>(&mut seq)? {
            1 => Ok(element::<OpeningBody<TennisParams, LegacyConfig>, _>(&mut seq)?.legacy()),
            CLOCK_RULES_MARK => match element(&mut seq)? {
                Sport::Football => {
                    Ok(element::<OpeningBody<FootballParams, LiveConfig>, _>(&mut seq)?.into())
                }
                Sport::Tennis => {
                    Ok(element::<OpeningBody<TennisParams, LiveConfig>, _>(&mut seq)?.into())
                }
            },
            _ => Err(de::Error::custom(
                "an opening's mark is 1 (tennis) or 2 (with clock rules)",
            )),
        }
    }
}

// ----- images -----

/// Football's image exactly as it has always been written: the field order and names are the format.
#[derive(Serialize)]
struct FootballImageRef<'a> {
    event_id: &'a str,
    fixture: &'a Fixture,
    params: &'a FootballParams,
    state: &'a MatchState,
    clock: &'a ClockAnchor,
    suspensions: &'a Vec<Suspension>,
    overrides: &'a Vec<(MarketKey, MarketStatus)>,
    goals: &'a Vec<GoalRecord>,
    half_time: &'a Option<Score>,
    trading: &'a TradingTerms,
    adjustments: &'a Vec<Adjustment>,
    abandoned: bool,
}

#[derive(Deserialize)]
struct FootballImageBody {
    event_id: String,
    #[serde(flatten)]
    rest: FootballImageRest,
}

/// Football's image after its event id (postcard writes a nested struct's fields in line, so the
/// binary visitor reads these as one element once it has seen a real event id).
#[derive(Deserialize)]
struct FootballImageRest {
    fixture: Fixture,
    params: FootballParams,
    state: MatchState,
    clock: ClockAnchor,
    suspensions: Vec<Suspension>,
    overrides: Vec<(MarketKey, MarketStatus)>,
    goals: Vec<GoalRecord>,
    half_time: Option<Score>,
    trading: TradingTerms,
    adjustments: Vec<Adjustment>,
    abandoned: bool,
}

impl FootballImageRest {
    fn with_id(self, event_id: String) -> MatchImage {
        let b = self;
        MatchImage {
            event_id,
            fixture: b.fixture,
            sport: super::SportImage::Football(FootballImage {
                params: b.params,
                state: b.state,
                goals: b.goals,
                half_time: b.half_time,
            }),
            clock: b.clock,
            suspensions: b.suspensions,
            overrides: b.overrides,
            trading: b.trading,
            adjustments: b.adjustments,
            abandoned: b.abandoned,
        }
    }
}

/// Tennis's image on the wire, in a build that runs tennis (a football-only build refuses it: the
/// npm package's `live` entry carries none of this).
#[cfg(feature = "tennis")]
mod tennis_wire {
    use serde::{Deserialize, Serialize, Serializer};

    use super::{Sport, marked};
    use crate::live::image::{Adjustment, ClockAnchor, Suspension, TradingTerms};
    use crate::live::tennis::{SetScore, TennisImage, TennisPhase};
    use crate::live::{Fixture, MarketStatus, MatchImage, SportImage};
    use crate::market::MarketKey;
    use crate::tennis::{Player, TennisParams};

    /// The layout (after the mark in binary form; in JSON with `"sport":"tennis"` first).
    #[derive(Serialize)]
    struct TennisImageRef<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        sport: Option<Sport>,
        event_id: &'a str,
        fixture: &'a Fixture,
        params: &'a TennisParams,
        phase: &'a TennisPhase,
        server: Player,
        points: [u8; 2],
        games: [u8; 2],
        sets: &'a Vec<SetScore>,
        clock: &'a ClockAnchor,
        suspensions: &'a Vec<Suspension>,
        overrides: &'a Vec<(MarketKey, MarketStatus)>,
        trading: &'a TradingTerms,
        adjustments: &'a Vec<Adjustment>,
        abandoned: bool,
    }

    #[derive(Deserialize)]
    pub(super) struct TennisImageBody {
        event_id: String,
        fixture: Fixture,
        params: TennisParams,
        phase: TennisPhase,
        server: Player,
        points: [u8; 2],
        games: [u8; 2],
        sets: Vec<SetScore>,
        clock: ClockAnchor,
        suspensions: Vec<Suspension>,
        overrides: Vec<(MarketKey, MarketStatus)>,
        trading: TradingTerms,
        adjustments: Vec<Adjustment>,
        abandoned: bool,
    }

    pub(super) fn serialize<S: Serializer>(
        image: &MatchImage,
        t: &TennisImage,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let json = s.is_human_readable();
        let body = TennisImageRef {
            sport: json.then_some(Sport::Tennis),
            event_id: &image.event_id,
            fixture: &image.fixture,
            params: &t.params,
            phase: &t.phase,
            server: t.server,
            points: t.points,
            games: t.games,
            sets: &t.sets,
            clock: &image.clock,
            suspensions: &image.suspensions,
            overrides: &image.overrides,
            trading: &image.trading,
            adjustments: &image.adjustments,
            abandoned: image.abandoned,
        };
        if json {
            body.serialize(s)
        } else {
            marked(s, Sport::Tennis, &body)
        }
    }

    pub(super) fn image<E>(b: TennisImageBody) -> Result<MatchImage, E> {
        Ok(MatchImage {
            event_id: b.event_id,
            fixture: b.fixture,
            sport: SportImage::Tennis(TennisImage {
                params: b.params,
                phase: b.phase,
                server: b.server,
                points: b.points,
                games: b.games,
                sets: b.sets,
            }),
            clock: b.clock,
            suspensions: b.suspensions,
            overrides: b.overrides,
            trading: b.trading,
            adjustments: b.adjustments,
            abandoned: b.abandoned,
        })
    }
}

#[cfg(feature = "tennis")]
use tennis_wire::image as tennis_image;

/// Without the `tennis` feature a tennis image is refused.
#[cfg(not(feature = "tennis"))]
fn tennis_image<E: de::Error>(_: de::IgnoredAny) -> Result<MatchImage, E> {
    Err(E::custom(UNSUPPORTED))
}

/// What a build without the engine's `tennis` feature says of a tennis image.
#[cfg(not(feature = "tennis"))]
const UNSUPPORTED: &str = "this build does not run tennis";

impl Serialize for MatchImage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.sport {
            super::SportImage::Football(f) => FootballImageRef {
                event_id: &self.event_id,
                fixture: &self.fixture,
                params: &f.params,
                state: &f.state,
                clock: &self.clock,
                suspensions: &self.suspensions,
                overrides: &self.overrides,
                goals: &f.goals,
                half_time: &f.half_time,
                trading: &self.trading,
                adjustments: &self.adjustments,
                abandoned: self.abandoned,
            }
            .serialize(s),
            #[cfg(feature = "tennis")]
            super::SportImage::Tennis(t) => tennis_wire::serialize(self, t, s),
        }
    }
}

impl<'de> Deserialize<'de> for MatchImage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MatchImage, D::Error> {
        if !d.is_human_readable() {
            // A build without tennis has only football's layout (the sport mark is refused
            // before decoding: `Snapshot::check_sport`).
            #[cfg(not(feature = "tennis"))]
            return <(String, FootballImageRest)>::deserialize(d)
                .map(|(id, rest)| rest.with_id(id));
            #[cfg(feature = "tennis")]
            return d.deserialize_tuple(3, ImageVisitor);
        }
        let mut value = json_value(d)?;
        let sport = sport_of(&value)?;
        if let Some(o) = value.as_object_mut() {
            o.remove("sport");
        }
        Ok(match sport {
            Sport::Football => {
                let b: FootballImageBody = from_json(value)?;
                b.rest.with_id(b.event_id)
            }
            Sport::Tennis => tennis_image(from_json(value)?)?,
        })
    }
}

#[cfg(feature = "tennis")]
struct ImageVisitor;

#[cfg(feature = "tennis")]
impl<'de> Visitor<'de> for ImageVisitor {
    type Value = MatchImage;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a match image")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MatchImage, A::Error> {
        let event_id: String = element(&mut seq)?;
        if !event_id.is_empty() {
            return Ok(element::<FootballImageRest, _>(&mut seq)?.with_id(event_id));
        }
        match element(&mut seq)? {
            Sport::Tennis => tennis_image(element(&mut seq)?),
            Sport::Football => Err(de::Error::custom("football images carry no mark")),
        }
    }
}
