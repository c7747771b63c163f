//! One stable sort for every caller: sorting by a number key is done on (key, position) pairs,
//! so the program carries one sort routine instead of one per element type.

/// Sorts `items` by `key`, keeping the order of items whose keys are equal (as
/// `sort_by_key` does).
pub(crate) fn sort_by_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> usize) {
    let mut order: Vec<(usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(position, item)| (key(item), position))
        .collect();
    // The positions differ, so no two pairs are equal: an unstable sort gives the stable order.
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .iter()
            .filter_map(|&(_, position)| slots[position].take()),
    );
}

/// Sorts `numbers` and drops repeats, with the one sort routine of [`sort_by_key`].
pub(crate) fn sorted_distinct(numbers: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut pairs: Vec<(usize, usize)> = numbers.into_iter().map(|n| (n, 0)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs.into_iter().map(|(n, _)| n).collect()
}

/// The items for which `last` is false, then the others, each group in its order (a stable sort
/// by `last`).
pub(crate) fn last_by<T>(items: Vec<T>, last: impl Fn(&T) -> bool) -> Vec<T> {
    let (mut first, rest): (Vec<T>, Vec<T>) = items.into_iter().partition(|item| !last(item));
    first.extend(rest);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e'), (3, 'f')];
        let mut want = items.clone();
        want.sort_by_key(|(k, _)| *k);
        sort_by_key(&mut items, |(k, _)| *k);
        assert_eq!(items, want);
        let mut empty: Vec<(usize, char)> = Vec::new();
        sort_by_key(&mut empty, |(k, _)| *k);
        assert!(empty.is_empty());
    }

    #[test]
    fn last_by_is_a_stable_sort_by_the_flag() {
        let items = vec![(true, 1), (false, 2), (true, 3), (false, 4), (false, 5)];
        let mut want = items.clone();
        want.sort_by_key(|(last, _)| *last);
        assert_eq!(last_by(items, |(last, _)| *last), want);
    }
}
