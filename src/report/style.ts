/** The style of the model view, shared by the report (inline) and the served page (/style.css). */
export const VIEW_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a202c; margin: 0; background: #f4f6f8; }
header.top { background: #1a202c; color: #fff; padding: 12px 24px; display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; }
header.top h1 { font-size: 20px; margin: 0; }
header.top p { margin: 0; color: #cbd5e0; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 48px; }
section.panel { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
h2 { margin: 0 0 12px; font-size: 20px; }
h3 { font-size: 16px; margin: 18px 0 8px; }
table { border-collapse: collapse; }
table.facts th { text-align: left; font-weight: normal; color: #4a5568; padding: 2px 18px 2px 0; vertical-align: top; }
table.facts td { padding: 2px 0; }
table.classes th, table.classes td { padding: 3px 10px; border-bottom: 1px solid #e2e8f0; }
table.classes thead th { text-align: right; color: #4a5568; font-weight: 600; }
table.classes thead th:first-child, table.classes tbody th { text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
meter { width: 56px; height: 10px; vertical-align: middle; }
.charts, .test-results { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
.test-results figure { margin: 0; }
figcaption { color: #4a5568; font-size: 13px; max-width: 460px; }
.headline { font-size: 16px; }
.confusion a.cell { cursor: pointer; }
.confusion a.cell:hover rect, .confusion a.cell:focus rect { stroke: #1a202c; stroke-width: 2; }
.digits, .weights { display: flex; flex-wrap: wrap; gap: 4px; }
img { image-rendering: pixelated; }
.digits img { border: 1px solid #e2e8f0; }
.weights figure { margin: 0 0 4px; text-align: center; font-size: 11px; color: #4a5568; }
.weights img { border: 1px solid #e2e8f0; display: block; }
.note { color: #4a5568; font-style: italic; }
.gallery h3 { margin-top: 12px; font-size: 15px; }
.galleries { display: flex; flex-wrap: wrap; gap: 4px 32px; align-items: flex-start; }
.galleries .digits { max-width: 540px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px 64px; align-items: flex-start; }
.summary h3 { margin-top: 0; }
`;
