// The one rule for finding text in a run's log, mirrored from the server's TextSearch
// (Sources/Athanor/Projections/TextSearch.swift) and checked against the same table of cases
// (Tests/Fixtures/text-search-cases.json): case- and accent-insensitive, the same for the
// query and the text. Both are folded alike: NFD, combining marks removed, lowercased.

/** `text` folded: canonical decomposition, combining marks removed, lowercased. */
export const fold = (text) => String(text).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Whether `text` contains `query` under the folding rule; an empty query matches everything. */
export const matchesText = (text, query) => {
  const needle = fold(query);
  return needle === '' || fold(text).includes(needle);
};
