import { LabIcon } from '@jupyterlab/ui-components';

/** Rising bars with a trend line: runs getting better. Uses `jp-icon3` so it follows the theme. */
const MATIH_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="3" y="14" width="3.5" height="7" rx="0.8"/>
    <rect x="8.5" y="10" width="3.5" height="11" rx="0.8"/>
    <rect x="14" y="12" width="3.5" height="9" rx="0.8"/>
    <rect x="19.5" y="6" width="2" height="15" rx="0.8"/>
  </g>
  <path class="jp-icon-brand0" fill="none" stroke="#1976d2" stroke-width="1.8" stroke-linecap="round"
    stroke-linejoin="round" d="M3 10.5 L9.5 5.5 L15.5 8 L21 2.8"/>
</svg>`;

export const matihIcon = new LabIcon({ name: 'matih-workbench:matih', svgstr: MATIH_SVG });
