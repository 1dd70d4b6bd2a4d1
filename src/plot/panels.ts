/**
 * Several charts side by side in one SVG document: each chart keeps its own axes, so figures of different
 * scales (a PPO run's gold score, reward-model score and KL) are read from one picture.
 */
import { renderSvg, type Chart } from './svg.js';

/** The charts in a row, each `width` × `height`, as one standalone SVG document. */
export function renderPanels(charts: readonly Chart[], width = 560, height = 440): string {
  const W = width * charts.length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">`,
  ];
  charts.forEach((chart, i) => {
    const inner = renderSvg({ ...chart, width, height })
      .replace(/^<\?xml[^>]*>\n/, '')
      .replace('<svg xmlns="http://www.w3.org/2000/svg" ', `<svg class="panel" x="${i * width}" y="0" `);
    out.push(inner.trimEnd());
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
