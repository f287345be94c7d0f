//! Regions: where a bettor's socket is served from, as Durable Object location hints.
//!
//! The client's continent and country (from `request.cf`) pick the relay region, so a socket is held
//! near its bettor and the hub sends each update across the ocean once per region, not once per socket.
//! Tests and the load harness pin a region with `X-Inplay-Region`, honoured only where
//! `ALLOW_REGION_OVERRIDE=1` (dev); production ignores the header.

/// A Durable Objects location hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// Western North America.
    Wnam,
    /// Eastern North America.
    Enam,
    /// South America.
    Sam,
    /// Western Europe.
    Weur,
    /// Eastern Europe.
    Eeur,
    /// Asia-Pacific.
    Apac,
    /// Oceania.
    Oc,
    /// Africa.
    Afr,
    /// Middle East.
    Me,
}

/// The header that pins a region in dev.
pub const OVERRIDE_HEADER: &str = "X-Inplay-Region";

/// Where a client with no usable location is served (local dev has a placeholder `cf`).
pub const FALLBACK: Region = Region::Weur;

impl Region {
    /// Every region, in hint order.
    pub const ALL: [Region; 9] = [
        Region::Wnam,
        Region::Enam,
        Region::Sam,
        Region::Weur,
        Region::Eeur,
        Region::Apac,
        Region::Oc,
        Region::Afr,
        Region::Me,
    ];

    /// The location hint string.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Wnam => "wnam",
            Region::Enam => "enam",
            Region::Sam => "sam",
            Region::Weur => "weur",
            Region::Eeur => "eeur",
            Region::Apac => "apac",
            Region::Oc => "oc",
            Region::Afr => "afr",
            Region::Me => "me",
        }
    }

    /// Parse a location hint.
    pub fn parse(s: &str) -> Option<Region> {
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

const MIDDLE_EAST: &[&str] = &[
    "AE", "BH", "CY", "EG", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR",
    "YE",
];
const EASTERN_EUROPE: &[&str] = &[
    "BG", "BY", "CZ", "EE", "FI", "GR", "HR", "HU", "LT", "LV", "MD", "PL", "RO", "RS", "RU", "SI",
    "SK", "UA", "BA", "ME", "MK", "AL", "XK",
];

/// The region for a client, from `request.cf` fields.
///
/// North America splits at 100° W (roughly the Mountain/Central time line), Europe by country list;
/// anything unknown falls back to [`FALLBACK`].
pub fn from_location(
    continent: Option<&str>,
    country: Option<&str>,
    longitude: Option<f32>,
) -> Region {
    let country = country.unwrap_or("");
    if MIDDLE_EAST.contains(&country) {
        return Region::Me;
    }
    match continent.unwrap_or("") {
        "NA" => match longitude {
            Some(lon) if lon < -100.0 => Region::Wnam,
            _ => Region::Enam,
        },
        "SA" => Region::Sam,
        "EU" if EASTERN_EUROPE.contains(&country) => Region::Eeur,
        "EU" => Region::Weur,
        "AS" => Region::Apac,
        "OC" => Region::Oc,
        "AF" => Region::Afr,
        _ => FALLBACK,
    }
}

/// The region to serve: the override header when allowed and valid, else the location.
pub fn choose(override_header: Option<&str>, allow_override: bool, located: Region) -> Region {
    match override_header
        .filter(|_| allow_override)
        .and_then(Region::parse)
    {
        Some(r) => r,
        None => located,
    }
}

/// Which of `shards` relays of a region serves a client, stable for a given client key so that a
/// reconnecting client returns to the relay that holds its resume ring.
pub fn shard_for(client_key: &str, shards: u32) -> u32 {
    // FNV-1a: tiny and good enough to spread keys; nothing here needs to resist an adversary.
    let mut h: u32 = 0x811c_9dc5;
    for b in client_key.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h % shards.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Continent, country, longitude, and the hint expected for them.
    type Case = (
        Option<&'static str>,
        Option<&'static str>,
        Option<f32>,
        Region,
    );

    #[test]
    fn locations_map_to_hints() {
        let table: &[Case] = &[
            (Some("NA"), Some("US"), Some(-122.4), Region::Wnam),
            (Some("NA"), Some("US"), Some(-74.0), Region::Enam),
            (Some("NA"), Some("CA"), None, Region::Enam),
            (Some("SA"), Some("BR"), None, Region::Sam),
            (Some("EU"), Some("GB"), None, Region::Weur),
            (Some("EU"), Some("PL"), None, Region::Eeur),
            (Some("AS"), Some("JP"), None, Region::Apac),
            (Some("AS"), Some("AE"), None, Region::Me),
            (Some("EU"), Some("TR"), None, Region::Me),
            (Some("OC"), Some("AU"), None, Region::Oc),
            (Some("AF"), Some("NG"), None, Region::Afr),
            (Some("AF"), Some("EG"), None, Region::Me),
            (None, None, None, FALLBACK),
            (Some("AN"), None, None, FALLBACK),
        ];
        for (continent, country, lon, want) in table {
            assert_eq!(
                from_location(*continent, *country, *lon),
                *want,
                "{continent:?} {country:?}"
            );
        }
    }

    #[test]
    fn override_only_when_allowed() {
        assert_eq!(choose(Some("apac"), true, Region::Weur), Region::Apac);
        assert_eq!(choose(Some("APAC"), true, Region::Weur), Region::Apac);
        assert_eq!(choose(Some("apac"), false, Region::Weur), Region::Weur);
        assert_eq!(choose(Some("mars"), true, Region::Weur), Region::Weur);
        for r in Region::ALL {
            assert_eq!(Region::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn shards_are_stable_and_in_range() {
        assert_eq!(shard_for("alice", 4), shard_for("alice", 4));
        assert!((0..100).all(|i| shard_for(&format!("c{i}"), 3) < 3));
        assert_eq!(shard_for("x", 0), 0);
        let used: std::collections::BTreeSet<u32> =
            (0..100).map(|i| shard_for(&format!("c{i}"), 4)).collect();
        assert_eq!(used.len(), 4);
    }
}
