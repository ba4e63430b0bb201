// The colour of each run in a chart, the same in every chart, table and legend of a page.

const COLOURS = ['#2f6fde', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8a100', '#0c8599', '#c2255c', '#5c940d', '#7048e8', '#868e96'];

/** The colour of the `index`-th of `count` runs; a lone run takes the page's accent colour. */
export function runColour(index, count) {
  if (count === 1) return getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() || COLOURS[0];
  return COLOURS[index % COLOURS.length];
}
