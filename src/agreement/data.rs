//! Reliability data: units × coders, each cell a category or missing, each unit with a weight.
//!
//! Owns [`ReliabilityData`], the one input every statistic in [`super::stats`] reads. A unit
//! row carries a count (its weight) so that millions of identical units (characters of a
//! transcript with the same coded/uncoded pattern) are stored once. Categories are small
//! integers indexing a list of labels kept for reporting. This module does no I/O and no
//! statistics.

use std::collections::HashMap;

use thiserror::Error;

/// A category, as an index into [`ReliabilityData::categories`].
pub type Category = u32;

/// Problems building reliability data.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DataError {
    /// A unit row had a different number of cells than there are coders.
    #[error("a unit has {found} ratings but there are {expected} coders")]
    WrongRowLength {
        /// Number of coders.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// A rating used a category index outside the category list.
    #[error("category {category} is not in the category list ({count} categories)")]
    UnknownCategory {
        /// The offending index.
        category: Category,
        /// Length of the category list.
        count: usize,
    },
    /// Two coders share a name.
    #[error("coder {0:?} appears twice")]
    DuplicateCoder(String),
    /// Two categories share a label.
    #[error("category {0:?} appears twice")]
    DuplicateCategory(String),
}

/// One unit row: the rating of each coder (or `None` when missing) and how many identical
/// units the row stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit<'a> {
    /// One cell per coder, in coder order.
    pub ratings: &'a [Option<Category>],
    /// How many units this row stands for (at least 1).
    pub weight: u64,
}

/// Units × coders reliability data with missing cells and weighted unit rows.
///
/// Rows whose weight is 0 or that have no rating at all are not stored: every statistic
/// ignores them (math doc §0).
#[derive(Clone, Debug, PartialEq)]
pub struct ReliabilityData {
    coders: Vec<String>,
    categories: Vec<String>,
    cells: Vec<Option<Category>>,
    weights: Vec<u64>,
}

impl ReliabilityData {
    /// Empty data for these coders over this declared category list (labels in order; the
    /// order is the rank order for ordinal α when labels are not numbers).
    pub fn new(coders: Vec<String>, categories: Vec<String>) -> Result<Self, DataError> {
        if let Some(dup) = first_duplicate(&coders) {
            return Err(DataError::DuplicateCoder(dup));
        }
        if let Some(dup) = first_duplicate(&categories) {
            return Err(DataError::DuplicateCategory(dup));
        }
        Ok(ReliabilityData {
            coders,
            categories,
            cells: Vec::new(),
            weights: Vec::new(),
        })
    }

    /// Builds data from category labels, one row per unit (`None` = missing). Categories are
    /// listed in order of first appearance, after any `declared` labels.
    pub fn from_labels<S: AsRef<str>>(
        coders: Vec<String>,
        declared: &[&str],
        rows: &[Vec<Option<S>>],
    ) -> Result<Self, DataError> {
        let mut data =
            ReliabilityData::new(coders, declared.iter().map(|s| (*s).to_string()).collect())?;
        let mut index: HashMap<String, Category> = data
            .categories
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i as Category))
            .collect();
        let mut row_ids = Vec::new();
        for row in rows {
            row_ids.clear();
            for cell in row {
                row_ids.push(cell.as_ref().map(|label| {
                    let label = label.as_ref();
                    match index.get(label) {
                        Some(&c) => c,
                        None => {
                            let c = data.categories.len() as Category;
                            data.categories.push(label.to_string());
                            index.insert(label.to_string(), c);
                            c
                        }
                    }
                }));
            }
            data.push_unit(&row_ids, 1)?;
        }
        Ok(data)
    }

    /// Adds a unit row standing for `weight` identical units. Rows with weight 0 or without
    /// any rating are checked and then dropped.
    pub fn push_unit(
        &mut self,
        ratings: &[Option<Category>],
        weight: u64,
    ) -> Result<(), DataError> {
        if ratings.len() != self.coders.len() {
            return Err(DataError::WrongRowLength {
                expected: self.coders.len(),
                found: ratings.len(),
            });
        }
        for &c in ratings.iter().flatten() {
            if c as usize >= self.categories.len() {
                return Err(DataError::UnknownCategory {
                    category: c,
                    count: self.categories.len(),
                });
            }
        }
        if weight == 0 || ratings.iter().all(Option::is_none) {
            return Ok(());
        }
        self.cells.extend_from_slice(ratings);
        self.weights.push(weight);
        Ok(())
    }

    /// The coders, in column order.
    pub fn coders(&self) -> &[String] {
        &self.coders
    }

    /// The declared category labels; a [`Category`] indexes this list.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// Number of stored unit rows (distinct patterns when the data is weighted).
    pub fn row_count(&self) -> usize {
        self.weights.len()
    }

    /// Number of units the rows stand for: the sum of the weights of rows with a rating.
    pub fn unit_count(&self) -> u64 {
        self.weights.iter().sum()
    }

    /// The unit rows in insertion order.
    pub fn units(&self) -> impl Iterator<Item = Unit<'_>> + '_ {
        let m = self.coders.len().max(1);
        self.cells
            .chunks(m)
            .zip(&self.weights)
            .map(|(ratings, &weight)| Unit { ratings, weight })
    }

    /// The numeric value of every category when all labels parse as finite numbers (needed by
    /// interval and ratio α), else `None`.
    pub fn numeric_values(&self) -> Option<Vec<f64>> {
        self.categories
            .iter()
            .map(|l| l.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect()
    }

    /// The category with this label, if declared.
    pub fn category_of(&self, label: &str) -> Option<Category> {
        self.categories
            .iter()
            .position(|l| l == label)
            .map(|i| i as Category)
    }

    /// Number of distinct categories that occur in at least one rating.
    pub fn observed_category_count(&self) -> usize {
        let mut seen = vec![false; self.categories.len()];
        for &c in self.cells.iter().flatten() {
            seen[c as usize] = true;
        }
        seen.iter().filter(|&&s| s).count()
    }

    /// The same units restricted to the coders at `columns` (in that order), e.g. one pair
    /// for a coder × coder table. Units left without a rating are dropped.
    pub fn select_coders(&self, columns: &[usize]) -> ReliabilityData {
        let mut out = ReliabilityData {
            coders: columns
                .iter()
                .filter_map(|&c| self.coders.get(c).cloned())
                .collect(),
            categories: self.categories.clone(),
            cells: Vec::new(),
            weights: Vec::new(),
        };
        let mut row = Vec::with_capacity(columns.len());
        for unit in self.units() {
            row.clear();
            row.extend(columns.iter().filter_map(|&c| unit.ratings.get(c).copied()));
            if row.iter().any(Option::is_some) {
                out.cells.extend_from_slice(&row);
                out.weights.push(unit.weight);
            }
        }
        out
    }
}

fn first_duplicate(names: &[String]) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    names.iter().find(|n| !seen.insert(n.as_str())).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn labels_are_interned_after_declared_ones() {
        let rows = vec![vec![Some("b"), None], vec![Some("a"), Some("c")]];
        let d = ReliabilityData::from_labels(names(&["x", "y"]), &["a"], &rows).unwrap();
        assert_eq!(d.categories(), &names(&["a", "b", "c"])[..]);
        let units: Vec<_> = d.units().collect();
        assert_eq!(units[0].ratings, &[Some(1), None]);
        assert_eq!(units[1].ratings, &[Some(0), Some(2)]);
        assert_eq!(d.observed_category_count(), 3);
    }

    #[test]
    fn empty_and_zero_weight_rows_are_dropped() {
        let mut d = ReliabilityData::new(names(&["a", "b"]), names(&["0", "1"])).unwrap();
        d.push_unit(&[None, None], 5).unwrap();
        d.push_unit(&[Some(0), None], 0).unwrap();
        d.push_unit(&[Some(0), Some(1)], 7).unwrap();
        assert_eq!(d.row_count(), 1);
        assert_eq!(d.unit_count(), 7);
    }

    #[test]
    fn bad_rows_are_refused() {
        let mut d = ReliabilityData::new(names(&["a", "b"]), names(&["0"])).unwrap();
        assert_eq!(
            d.push_unit(&[Some(0)], 1),
            Err(DataError::WrongRowLength {
                expected: 2,
                found: 1
            })
        );
        assert_eq!(
            d.push_unit(&[Some(0), Some(3)], 1),
            Err(DataError::UnknownCategory {
                category: 3,
                count: 1
            })
        );
        assert_eq!(
            ReliabilityData::new(names(&["a", "a"]), vec![]),
            Err(DataError::DuplicateCoder("a".into()))
        );
    }

    #[test]
    fn numeric_values_need_every_label_numeric() {
        let d = ReliabilityData::new(names(&["a"]), names(&["1", "2.5", "-3"])).unwrap();
        assert_eq!(d.numeric_values(), Some(vec![1.0, 2.5, -3.0]));
        let d = ReliabilityData::new(names(&["a"]), names(&["1", "x"])).unwrap();
        assert_eq!(d.numeric_values(), None);
    }

    #[test]
    fn selecting_coders_keeps_weights_and_drops_empty_units() {
        let mut d = ReliabilityData::new(names(&["a", "b", "c"]), names(&["0", "1"])).unwrap();
        d.push_unit(&[Some(0), None, Some(1)], 3).unwrap();
        d.push_unit(&[None, Some(1), None], 2).unwrap();
        let pair = d.select_coders(&[2, 0]);
        assert_eq!(pair.coders(), &names(&["c", "a"])[..]);
        let units: Vec<_> = pair.units().collect();
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].ratings, &[Some(1), Some(0)]);
        assert_eq!(units[0].weight, 3);
    }
}
