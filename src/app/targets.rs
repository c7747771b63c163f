//! Targets: before anything is queried, refuse a target list that names one computer twice
//! (`localhost` and `127.0.0.1`, a short name and its FQDN, a name and its IP address): the
//! second pass would act on a table the first pass already changed; and refuse a name that
//! resolves to several addresses, which each call would resolve again.

use crate::act::for_each;
use crate::host::{Host, Locality};
use crate::vocab::ServerName;
use std::net::IpAddr;

/// What is known of one target for the comparison.
struct Target {
    /// The name as given; `None`: this computer (no `--server`).
    server: Option<ServerName>,
    /// Whether it names this computer.
    local: bool,
    /// The addresses it resolves to; `None` when it does not resolve.
    addresses: Option<Vec<IpAddr>>,
}

impl Target {
    fn label(&self) -> String {
        self.server
            .as_ref()
            .map_or("this computer".to_string(), ServerName::to_string)
    }
}

/// Refuses `targets` when two of them are the same computer: both this computer, or sharing an
/// address, or (when one does not resolve) the same name by text. The message names every such
/// pair and says to give each server once. Names are looked up `jobs` at a time, and only when
/// there are two targets or more.
pub(super) fn check_distinct(
    targets: &[Option<ServerName>],
    host: &dyn Host,
    jobs: usize,
) -> Result<(), String> {
    if targets.iter().all(Option::is_none) {
        return Ok(());
    }
    let mut known: Vec<Target> = targets
        .iter()
        .map(|server| Target {
            server: server.clone(),
            local: false,
            addresses: None,
        })
        .collect();
    for_each(&mut known, jobs, |t| match &t.server {
        None => t.local = true,
        Some(s) => {
            t.local = host.locality(s) == Locality::Local;
            t.addresses = host.addresses(s);
        }
    });
    // A name with several addresses (DNS round robin in front of a farm) is resolved again by
    // every query and logoff: the plan could come from one host and the logoff reach another.
    for t in known.iter().filter(|t| !t.local) {
        let (Some(server), Some(addresses)) = (&t.server, &t.addresses) else {
            continue;
        };
        // Each address once, in the order the name resolved to them.
        let mut distinct: Vec<IpAddr> = Vec::new();
        for a in addresses {
            if !distinct.contains(a) {
                distinct.push(*a);
            }
        }
        // One IPv4 and one IPv6 address is one dual-stack host; several of one family is DNS
        // round robin (or a cluster address beside the node's own).
        let v4 = distinct.iter().filter(|a| a.is_ipv4()).count();
        if v4 > 1 || distinct.len() - v4 > 1 {
            let list: Vec<String> = distinct.iter().map(ToString::to_string).collect();
            return Err(format!(
                "{server} resolves to {} addresses ({}): each query and logoff would look it \
                 up again and could reach another host than the one planned; name each \
                 session host instead (nothing was done)",
                distinct.len(),
                list.join(", ")
            ));
        }
    }
    if targets.len() < 2 {
        return Ok(());
    }
    let mut pairs = Vec::new();
    for (i, a) in known.iter().enumerate() {
        for b in &known[i + 1..] {
            if let Some(why) = same_computer(a, b) {
                pairs.push(format!("{} and {} ({why})", a.label(), b.label()));
            }
        }
    }
    if pairs.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the servers name one computer twice: {}; give each server once (nothing was done)",
        pairs.join("; ")
    ))
}

/// Why `a` and `b` are the same computer, or `None` when they are not known to be.
fn same_computer(a: &Target, b: &Target) -> Option<String> {
    if a.local && b.local {
        return Some("both are this computer".to_string());
    }
    match (&a.addresses, &b.addresses) {
        // The same addresses, or one name resolving to a single address the other has (a
        // name and its IP). Nodes that share only a cluster address (Windows NLB registers
        // it beside each node's own) are different computers.
        (Some(x), Some(y)) => {
            let same_set = x.len() == y.len() && x.iter().all(|ip| y.contains(ip));
            let single_in =
                |one: &Vec<IpAddr>, other: &Vec<IpAddr>| one.len() == 1 && other.contains(&one[0]);
            if same_set || single_in(x, y) || single_in(y, x) {
                x.iter()
                    .find(|ip| y.contains(ip))
                    .map(|ip| format!("both resolve to {ip}"))
            } else {
                None
            }
        }
        _ => match (&a.server, &b.server) {
            (Some(x), Some(y)) => same_name(x.as_str(), y.as_str()),
            _ => None,
        },
    }
}

/// Whether two names that cannot both be resolved are the same by text: equal ignoring case
/// and a trailing dot, or one the short name (first label) of the other.
fn same_name(a: &str, b: &str) -> Option<String> {
    let norm = |s: &str| s.trim_end_matches('.').to_ascii_lowercase();
    let (a, b) = (norm(a), norm(b));
    if a == b {
        return Some("the same name".to_string());
    }
    let is_ip = |s: &str| s.parse::<IpAddr>().is_ok();
    if is_ip(&a) || is_ip(&b) {
        return None;
    }
    let short_of =
        |short: &str, long: &str| !short.contains('.') && long.split('.').next() == Some(short);
    (short_of(&a, &b) || short_of(&b, &a)).then(|| "a short name and its full name".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::{exited, FakeHost};

    fn host() -> FakeHost {
        let mut host = FakeHost::new(|_, _| exited(0, "", ""));
        host.local = ["localhost", "127.0.0.1", "TS01", "10.0.0.5"]
            .map(String::from)
            .to_vec();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        host.addresses = vec![
            ("localhost".into(), vec![ip("::1"), ip("127.0.0.1")]),
            ("127.0.0.1".into(), vec![ip("127.0.0.1")]),
            ("10.0.0.5".into(), vec![ip("10.0.0.5")]),
            ("ts02".into(), vec![ip("10.0.0.6")]),
            ("ts02.corp.example.com".into(), vec![ip("10.0.0.6")]),
            ("10.0.0.6".into(), vec![ip("10.0.0.6")]),
            ("alias-of-ts02".into(), vec![ip("10.0.0.9"), ip("10.0.0.6")]),
            ("ts03".into(), vec![ip("10.0.0.7")]),
            ("ts03.lab.example.com".into(), vec![ip("10.1.0.7")]),
            ("nlb01".into(), vec![ip("10.0.0.11"), ip("10.0.0.100")]),
            ("nlb02".into(), vec![ip("10.0.0.12"), ip("10.0.0.100")]),
            ("dual".into(), vec![ip("10.0.0.20"), ip("fd00::20")]),
        ];
        host
    }

    fn check(names: &[&str]) -> Result<(), String> {
        let targets: Vec<Option<ServerName>> = names
            .iter()
            .map(|n| Some(ServerName::parse(n).unwrap()))
            .collect();
        check_distinct(&targets, &host(), 2)
    }

    #[test]
    fn two_names_of_this_computer_are_refused_naming_both() {
        for (a, b) in [
            ("localhost", "127.0.0.1"),
            ("TS01", "localhost"),
            ("10.0.0.5", "ts01"),
        ] {
            let err = check(&["ts09", a, b]).unwrap_err();
            assert!(
                err.contains(&format!("{a} and {b} (both are this computer)")),
                "{err}"
            );
            assert!(err.contains("give each server once"), "{err}");
        }
    }

    #[test]
    fn a_name_and_its_address_or_an_alias_sharing_one_are_refused() {
        let err = check(&["ts02", "10.0.0.6"]).unwrap_err();
        assert!(
            err.contains("ts02 and 10.0.0.6 (both resolve to 10.0.0.6)"),
            "{err}"
        );
    }

    /// Issue 20: a name with several addresses (DNS round robin in front of a farm, an NLB node
    /// that also registers the cluster address) was resolved again by every call, so the plan
    /// could come from one host and the logoff reach another. It is refused, alone or in a
    /// list, naming its addresses; this computer's own names (which may have several) are not.
    #[test]
    fn a_name_with_several_addresses_is_refused() {
        for names in [
            &["alias-of-ts02"][..],
            &["ts03", "alias-of-ts02"],
            &["nlb01", "nlb02"],
        ] {
            let err = check(names).unwrap_err();
            assert!(err.contains("resolves to 2 addresses"), "{err}");
            assert!(err.contains("name each session host"), "{err}");
        }
        check(&["localhost"]).unwrap();
        // A dual-stack host (one IPv4, one IPv6 address) is one host.
        check(&["dual"]).unwrap();
    }

    #[test]
    fn unresolved_names_are_compared_by_text_short_name_against_fqdn() {
        let err = check(&["ts04", "TS04.corp.example.com."]).unwrap_err();
        assert!(
            err.contains("ts04 and TS04.corp.example.com. (a short name"),
            "{err}"
        );
        // One resolves, the other does not: text decides.
        let err = check(&["ts03.corp.example.com", "ts03"]).unwrap_err();
        assert!(err.contains("a short name and its full name"), "{err}");
    }

    #[test]
    fn every_pair_is_named_in_one_message() {
        let err = check(&["localhost", "ts02", "127.0.0.1", "10.0.0.6"]).unwrap_err();
        assert!(err.contains("localhost and 127.0.0.1"), "{err}");
        assert!(err.contains("ts02 and 10.0.0.6"), "{err}");
    }

    #[test]
    fn different_computers_pass() {
        check(&[
            "ts02",
            "ts03",
            "ts04",
            "ts05.other.example.com",
            "localhost",
        ])
        .unwrap();
        // Both resolve, to different addresses: different computers whatever the names say.
        check(&["ts03", "ts03.lab.example.com"]).unwrap();
        // Addresses are not short names of anything.
        check(&["10.0.0.8", "10.0.0.8.example.com"]).unwrap();
        check(&["ts05.corp.example.com", "ts05.lab.example.com"]).unwrap();
    }
}
