/**
 * A user's string (a run name, a param value, a metric key) as Plotly shows it literally. Plotly renders an
 * HTML subset in legends, titles, axis labels and hover text (`<a href>` becomes a link, `<b>` and styled
 * spans apply) and decodes entities: escaping `&`, `<` and `>` keeps the text as written.
 */
export function plotText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
