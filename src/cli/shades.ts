/** Shade characters from background to full ink. */
const SHADES = [' ', '░', '▒', '▓', '█'];

/**
 * Draws a square grey image (bytes, 0 background, 255 ink; by default MNIST's 28×28) as lines of
 * Unicode shades, two characters per pixel so that terminal cells (about twice as tall as wide)
 * keep the digit's proportions.
 */
export function renderShades(
  pixels: Uint8Array,
  width = Math.round(Math.sqrt(pixels.length)),
): string[] {
  const lines: string[] = [];
  for (let y = 0; y * width < pixels.length; y++) {
    let line = '';
    for (let x = 0; x < width; x++) {
      const shade = SHADES[Math.round((pixels[y * width + x] / 255) * (SHADES.length - 1))];
      line += shade + shade;
    }
    lines.push(line);
  }
  return lines;
}
