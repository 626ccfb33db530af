import { VIEW_CSS } from '../report/style.js';

/**
 * The page's HTML: a fixed shell with no data in it. The script (/page.js) fills it from the JSON
 * API, so the markup holds no inline script or style and the policy can forbid both.
 */
export const PAGE_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mnn serve</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/style.css">
<script type="module" src="/page.js"></script>
</head>
<body>
<header class="top">
<h1>mnn</h1>
<p id="file">loading…</p>
<p id="live" data-state="connecting">connecting…</p>
</header>
<main>
<p id="problem" class="problem" hidden></p>
<section class="panel" id="draw-panel">
<h2>Draw a digit</h2>
<div class="draw-layout">
<div class="pad">
<canvas id="pad" width="280" height="280" aria-label="drawing pad: draw one digit with a mouse, pen or finger"></canvas>
<div class="buttons">
<button id="clear" type="button">Clear</button>
<label class="button">Open image…<input id="upload" type="file" accept="image/png,image/jpeg"></label>
<a id="save" class="button" download="drawing.png" hidden>Save as PNG</a>
</div>
<p class="hint">Or drop a PNG or JPEG file on the pad. Images go through the same code as
<code>mnn predict</code>: save your drawing as PNG and the command line gives the same answer.</p>
</div>
<div class="result">
<div id="prediction" data-state="empty"><p class="note">Draw a digit to see what the network says.</p></div>
<figure class="seen">
<canvas id="seen" width="28" height="28" aria-label="the 28×28 image the network saw"></canvas>
<figcaption>What the network saw: the 28×28 image after MNIST-style preprocessing
(ink cropped, scaled into 20×20, centred by mass).</figcaption>
</figure>
</div>
</div>
</section>
<section class="panel" id="inside">
<h2>Inside the network</h2>
<h3>Activations for your drawing</h3>
<div id="activations"><p class="note">Draw a digit to see each layer’s activations A⁽ℓ⁾.</p></div>
<h3>First-layer weights</h3>
<div id="weights"></div>
</section>
<section class="panel" id="model-panel">
<h2>Model</h2>
<div id="summary"></div>
<h3>Training curves</h3>
<div id="curves"></div>
<h3>Test set</h3>
<div id="test"></div>
<div id="gallery"></div>
</section>
</main>
</body>
</html>
`;

/** The page's own style, after the model view's. */
const PAGE_CSS = `
#live { margin-left: auto; }
#live[data-state="live"]::before { content: "● "; color: #68d391; }
#live[data-state="offline"]::before { content: "● "; color: #fc8181; }
.problem { background: #fefcbf; border: 1px solid #ecc94b; border-radius: 6px; padding: 8px 12px; }
.draw-layout { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
#pad { width: 280px; height: 280px; border: 2px solid #4a5568; border-radius: 6px; background: #fff; touch-action: none; cursor: crosshair; display: block; }
#pad.dropping { border-color: #2b6cb0; box-shadow: 0 0 0 4px #bee3f8; }
.buttons { display: flex; gap: 8px; margin: 10px 0 4px; }
button, .button { font: inherit; padding: 5px 12px; border: 1px solid #a0aec0; border-radius: 5px; background: #edf2f7; color: #1a202c; cursor: pointer; text-decoration: none; }
.button input { display: none; }
.hint { color: #4a5568; font-size: 13px; max-width: 300px; }
.result { min-width: 260px; }
.top1 { font-size: 64px; font-weight: 700; line-height: 1; margin: 0 0 6px; }
.top1 small { font-size: 20px; font-weight: 400; color: #4a5568; }
ol.top { list-style: none; padding: 0; margin: 0 0 12px; font-variant-numeric: tabular-nums; display: grid; grid-template-columns: max-content max-content 140px; gap: 2px 14px; align-items: center; }
ol.top li { display: contents; }
ol.top .probability { text-align: right; }
ol.top meter { width: 140px; }
#prediction[data-state="busy"] { opacity: 0.65; }
.seen { margin: 0; }
#seen { width: 140px; height: 140px; image-rendering: pixelated; border: 1px solid #a0aec0; }
.seen figcaption { max-width: 260px; }
.layer { margin: 0 0 12px; }
.layer p { margin: 0 0 4px; color: #4a5568; font-size: 13px; }
.layer canvas { image-rendering: pixelated; border: 1px solid #e2e8f0; }
.gallery { border-top: 1px solid #e2e8f0; margin-top: 12px; }
.confusion a.cell.selected rect { stroke: #1a202c; stroke-width: 3; }
`;

/** The page's style sheet: the model view's rules and the draw pad's. */
export const PAGE_STYLE = `${VIEW_CSS}${PAGE_CSS}`;
