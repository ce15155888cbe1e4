//! Fleet recovery: what 100,000 Tahto clients do to the backend after a 48-hour outage.
//!
//! Run: `cargo run --release --example fleet [-- --clients N --seed S --capacity C]`.
//! A seeded, deterministic simulation that prints figures (it asserts nothing). The table goes to
//! stdout and is identical for a given seed; the wall time goes to stderr.
//!
//! Model
//! - Each of N clients (default 100,000) makes one save at a uniformly random moment during a 48 h
//!   outage and from then on retries per its policy until the save is stored.
//! - Scenario "server": the backend refuses every write during the outage (a fast 503 without
//!   `Retry-After`). Every attempt during the outage reaches the backend and is counted.
//! - Scenario "network": the citizens' side is offline. Attempts fail locally (Tahto keeps backing
//!   off, so its failed-attempt count grows), none reach the backend. At t = 48 h every browser fires
//!   `online` at once: Tahto waits `policy.wake_delay_ms(r)` and retries, the naive clients retry at
//!   once.
//! - From t = 48 h the backend serves C requests per second (default 500/s, its steady rate). In each
//!   one-second bucket the first C requests succeed (that client is done); the rest are shed with
//!   503 + `Retry-After: 30`.
//! - Policies: Tahto = `RetryPolicy::default().delay_ms(failed_attempts, retry_after, r)` (it
//!   honours `Retry-After`); naive = a fixed interval of 30 s or 5 s with no jitter that ignores
//!   `Retry-After`. Times are kept in whole milliseconds, counted in one-second buckets.
//!
//! Method: before recovery the clients do not interact, so each Tahto client's outage schedule is
//! walked on its own and the fixed-interval ones are counted in closed form. From t = 48 h all
//! pending attempts go through one binary heap ordered by (time, client), so capacity is shared.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use tahto::save::RetryPolicy;

#[path = "../tests/support/rng.rs"]
mod rng;
use rng::Rng as SplitMix64;

#[derive(Clone, Copy, PartialEq)]
enum Scenario {
    /// The backend is down; clients' attempts reach it and are refused.
    Server,
    /// The citizens are offline; at the end every browser fires `online` at once.
    Network,
}

#[derive(Clone, Copy)]
enum Policy {
    Tahto(RetryPolicy),
    /// Retry every `interval_s` seconds, no jitter, `Retry-After` ignored.
    Fixed {
        interval_s: u64,
    },
}

impl Policy {
    fn name(&self) -> String {
        match self {
            Policy::Tahto(_) => "Tahto RetryPolicy".to_string(),
            Policy::Fixed { interval_s } => format!("naive fixed {interval_s} s"),
        }
    }

    /// The wait in ms after `failed` failed attempts.
    fn delay_ms(&self, failed: u32, retry_after_s: Option<u32>, rng: &mut SplitMix64) -> u64 {
        match self {
            Policy::Tahto(p) => p.delay_ms(failed, retry_after_s, rng.unit()).round() as u64,
            Policy::Fixed { interval_s } => interval_s * 1_000,
        }
    }

    /// The wait in ms after the browser fires `online`.
    fn wake_ms(&self, rng: &mut SplitMix64) -> u64 {
        match self {
            Policy::Tahto(p) => p.wake_delay_ms(rng.unit()).round() as u64,
            Policy::Fixed { .. } => 0,
        }
    }
}

struct Config {
    clients: usize,
    seed: u64,
    /// Requests per second the recovered backend serves.
    capacity: u32,
    outage_s: u64,
    retry_after_s: u32,
}

/// The figures of one (scenario, policy) run. Times are seconds after the backend (or network)
/// came back.
struct Row {
    policy: String,
    outage_peak: u32,
    outage_requests: u64,
    peak: u32,
    peak_second: usize,
    requests: u64,
    shed: u64,
    t50: usize,
    t99: usize,
    t100: usize,
}

fn simulate(cfg: &Config, scenario: Scenario, policy: Policy, stream: u64) -> Row {
    let end_ms = cfg.outage_s * 1_000;
    // The save moments are drawn from the seed alone, so every policy sees the same fleet.
    let mut saves = SplitMix64(cfg.seed);
    let mut rng = SplitMix64(cfg.seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));

    // Outage: requests per second reaching the backend, and each client's state at the end.
    let mut outage = vec![0u32; cfg.outage_s as usize];
    let mut outage_requests = 0u64;
    let mut failed = vec![0u32; cfg.clients];
    let mut heap = BinaryHeap::with_capacity(cfg.clients);
    for (client, failed) in failed.iter_mut().enumerate() {
        let saved_at = saves.next_u64() % end_ms;
        let mut next = match policy {
            Policy::Tahto(_) => {
                let mut t = saved_at;
                while t < end_ms {
                    if scenario == Scenario::Server {
                        outage[(t / 1_000) as usize] += 1;
                        outage_requests += 1;
                    }
                    *failed += 1;
                    t += policy.delay_ms(*failed, None, &mut rng);
                }
                t
            }
            Policy::Fixed { interval_s } => {
                // Attempts at saved_at + k·interval for every k that falls inside the outage;
                // the per-second counts are summed below from where each client started.
                let interval_ms = interval_s * 1_000;
                let attempts = (end_ms - 1 - saved_at) / interval_ms + 1;
                if scenario == Scenario::Server {
                    outage[(saved_at / 1_000) as usize] += 1;
                    outage_requests += attempts;
                }
                *failed = attempts as u32;
                saved_at + attempts * interval_ms
            }
        };
        if scenario == Scenario::Network {
            next = end_ms + policy.wake_ms(&mut rng);
        }
        heap.push(Reverse((next, client as u32)));
    }
    if let (Policy::Fixed { interval_s }, Scenario::Server) = (policy, scenario) {
        // A client that started in second s also attempts in s + interval, s + 2·interval, …
        let step = interval_s as usize;
        for s in step..outage.len() {
            outage[s] += outage[s - step];
        }
    }

    // Recovery: capacity is shared, so every attempt goes through the heap in time order.
    let mut requests_per_s: Vec<u32> = Vec::new();
    let mut stored_per_s: Vec<u32> = Vec::new();
    let (mut requests, mut shed) = (0u64, 0u64);
    while let Some(Reverse((t, client))) = heap.pop() {
        let second = ((t - end_ms) / 1_000) as usize;
        if second >= requests_per_s.len() {
            requests_per_s.resize(second + 1, 0);
            stored_per_s.resize(second + 1, 0);
        }
        requests_per_s[second] += 1;
        requests += 1;
        if stored_per_s[second] < cfg.capacity {
            stored_per_s[second] += 1;
        } else {
            shed += 1;
            let failed = &mut failed[client as usize];
            *failed += 1;
            let wait = policy.delay_ms(*failed, Some(cfg.retry_after_s), &mut rng);
            heap.push(Reverse((t + wait, client)));
        }
    }

    // Seconds until a share of the saves is stored (counted to the end of that second).
    let until = |share: f64| {
        let goal = (share * cfg.clients as f64).ceil() as u64;
        let mut stored = 0u64;
        for (second, &n) in stored_per_s.iter().enumerate() {
            stored += u64::from(n);
            if stored >= goal {
                return second + 1;
            }
        }
        stored_per_s.len()
    };
    let (peak_second, &peak) = requests_per_s
        .iter()
        .enumerate()
        .max_by_key(|&(s, &n)| (n, Reverse(s)))
        .unwrap_or((0, &0));
    Row {
        policy: policy.name(),
        outage_peak: outage.iter().copied().max().unwrap_or(0),
        outage_requests,
        peak,
        peak_second,
        requests,
        shed,
        t50: until(0.50),
        t99: until(0.99),
        t100: until(1.0),
    }
}

/// `1234567` → `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_table(cfg: &Config, title: &str, rows: &[Row]) {
    let c = f64::from(cfg.capacity);
    println!("\n{title}");
    println!(
        "{:<19} {:>10} {:>13} | {:>10} {:>7} {:>5} {:>11} {:>11} {:>6} {:>6} {:>6}",
        "policy",
        "outage/s",
        "outage reqs",
        "peak/s",
        "× C",
        "at s",
        "reqs after",
        "503 shed",
        "50%",
        "99%",
        "100%"
    );
    for r in rows {
        println!(
            "{:<19} {:>10} {:>13} | {:>10} {:>7.1} {:>5} {:>11} {:>11} {:>5}s {:>5}s {:>5}s",
            r.policy,
            grouped(u64::from(r.outage_peak)),
            grouped(r.outage_requests),
            grouped(u64::from(r.peak)),
            f64::from(r.peak) / c,
            r.peak_second,
            grouped(r.requests),
            grouped(r.shed),
            r.t50,
            r.t99,
            r.t100
        );
    }
}

fn conclusion(cfg: &Config, name: &str, rows: &[Row]) {
    let c = f64::from(cfg.capacity);
    let (tahto, naive) = (&rows[0], &rows[1]);
    println!(
        "=> {name}: Tahto peaks at {} req/s ({:.1}× C) vs {} req/s ({:.1}× C) for naive 30 s, \
         sends {} vs {} requests after recovery, and stores all saves in {} s vs {} s \
         (C alone needs {} s).",
        grouped(u64::from(tahto.peak)),
        f64::from(tahto.peak) / c,
        grouped(u64::from(naive.peak)),
        f64::from(naive.peak) / c,
        grouped(tahto.requests),
        grouped(naive.requests),
        tahto.t100,
        naive.t100,
        (cfg.clients as u64).div_ceil(u64::from(cfg.capacity))
    );
}

fn parse<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value
        .parse()
        .unwrap_or_else(|_| panic!("bad value {value:?} for {flag}"))
}

fn main() {
    let mut cfg = Config {
        clients: 100_000,
        seed: 2024,
        capacity: 500,
        outage_s: 48 * 3_600,
        retry_after_s: 30,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match flag.as_str() {
            "--clients" => cfg.clients = parse(&flag, &value),
            "--seed" => cfg.seed = parse(&flag, &value),
            "--capacity" => cfg.capacity = parse(&flag, &value),
            _ => panic!("usage: fleet [--clients N] [--seed S] [--capacity C]"),
        }
    }
    assert!(
        cfg.clients > 0 && cfg.capacity > 0,
        "clients and capacity must be positive"
    );

    let started = Instant::now();
    let policy = RetryPolicy::default();
    let policies = [
        Policy::Tahto(policy),
        Policy::Fixed { interval_s: 30 },
        Policy::Fixed { interval_s: 5 },
    ];
    println!(
        "Tahto fleet recovery · {} clients · seed {} · outage {} h · backend steady rate C = {} req/s",
        grouped(cfg.clients as u64),
        cfg.seed,
        cfg.outage_s / 3_600,
        cfg.capacity
    );
    println!(
        "Each client saved at a uniform random moment of the outage and retries until stored. After \
         the outage the\nbackend serves C req/s per one-second bucket and sheds the rest with 503 + \
         Retry-After: {} (Tahto honours it,\nnaive clients keep their fixed interval). Tahto policy: \
         base {} s, cap {} s, Retry-After honoured up to {} s, wake spread {} s.",
        cfg.retry_after_s,
        policy.base_ms / 1e3,
        policy.cap_ms / 1e3,
        policy.max_retry_after_ms / 1e3,
        policy.wake_spread_ms / 1e3
    );
    println!(
        "Columns: outage/s = peak req/s reaching the backend during the outage; peak/s, × C, at s = \
         peak req/s after\nrecovery, its ratio to C and the second it happened; 50%/99%/100% = \
         seconds after recovery until that share is stored."
    );

    let scenarios = [
        (
            Scenario::Server,
            "Scenario 1 · backend down 48 h (fast 503, no Retry-After), back at t = 48 h",
            "backend outage",
        ),
        (
            Scenario::Network,
            "Scenario 2 · citizens offline 48 h, every browser fires `online` at t = 48 h \
             (Tahto waits wake_delay_ms, naive retries at once)",
            "network outage",
        ),
    ];
    let mut results = Vec::new();
    for (si, &(scenario, title, _)) in scenarios.iter().enumerate() {
        let rows: Vec<Row> = policies
            .iter()
            .enumerate()
            .map(|(pi, &p)| simulate(&cfg, scenario, p, (si * 16 + pi + 1) as u64))
            .collect();
        print_table(&cfg, title, &rows);
        results.push(rows);
    }
    println!();
    for ((_, _, name), rows) in scenarios.iter().zip(&results) {
        conclusion(&cfg, name, rows);
    }
    eprintln!("(simulated in {:.2} s)", started.elapsed().as_secs_f64());
}
