//! Which instances of a folder a run takes: `--only` entries and named samples.

use anyhow::{Result, bail};

/// One flag per name: kept or not. With no `--only`, every instance is kept.
///
/// An entry equal to a name (case-insensitive) selects exactly that instance, so "LRC1_4_1"
/// never drags in "LRC1_4_10"; any other entry is a class prefix ("C1", "LR2"). An entry that
/// selects nothing is refused, as a typo would otherwise shrink the run silently.
pub fn select(names: &[String], only: Option<&str>) -> Result<Vec<bool>> {
    let Some(only) = only else {
        return Ok(vec![true; names.len()]);
    };
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let mut keep = vec![false; names.len()];
    for entry in only.split(',').map(|e| e.trim().to_lowercase()) {
        if entry.is_empty() {
            continue;
        }
        let exact = lower.contains(&entry);
        let mut hit = false;
        for (k, n) in keep.iter_mut().zip(&lower) {
            if (exact && *n == entry) || (!exact && n.starts_with(&entry)) {
                *k = true;
                hit = true;
            }
        }
        if !hit {
            bail!("--only: \"{entry}\" is neither an instance name nor the start of one");
        }
    }
    Ok(keep)
}

/// Issue 25's sample of the Gehring-Homberger and Li & Lim 400/1,000 sets: instances _1 and _6
/// of each class ("c1_4_1", "LRC2_10_6"), two per class, twelve per set and size. Fixed by rule
/// rather than picked by result, so no instance is chosen for being easy.
pub fn issue25(names: &[String]) -> Vec<bool> {
    names
        .iter()
        .map(|n| {
            let parts: Vec<&str> = n.split('_').collect();
            parts.len() == 3 && (parts[2] == "1" || parts[2] == "6")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_exact_name_selects_only_itself() {
        let n = names(&["LRC1_4_1", "LRC1_4_10", "LRC1_4_2"]);
        assert_eq!(
            select(&n, Some("lrc1_4_1")).unwrap(),
            vec![true, false, false]
        );
    }

    #[test]
    fn a_class_prefix_selects_the_class() {
        let n = names(&["C101", "C201", "R101", "RC101"]);
        assert_eq!(
            select(&n, Some("C1, R")).unwrap(),
            vec![true, false, true, true]
        );
    }

    #[test]
    fn an_entry_selecting_nothing_is_refused() {
        let n = names(&["C101"]);
        let err = select(&n, Some("C101,X9")).unwrap_err().to_string();
        assert!(err.contains("\"x9\""), "{err}");
    }

    #[test]
    fn no_filter_keeps_all() {
        assert_eq!(select(&names(&["a", "b"]), None).unwrap(), vec![true, true]);
    }

    #[test]
    fn the_issue25_sample_takes_instances_1_and_6() {
        let n = names(&[
            "c1_4_1",
            "c1_4_10",
            "c1_4_6",
            "c1_4_16",
            "C101",
            "lrc2_10_6",
        ]);
        assert_eq!(issue25(&n), vec![true, false, true, false, false, true]);
    }
}
