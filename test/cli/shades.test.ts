import { describe, expect, it } from 'vitest';
import { renderShades } from '../../src/cli/shades.js';

describe('renderShades', () => {
  it('draws 28 lines of 56 characters, two per pixel, from blank to full block', () => {
    const pixels = new Uint8Array(784);
    pixels[0] = 255;
    pixels[1] = 128;
    pixels[27] = 40;
    const lines = renderShades(pixels);
    expect(lines).toHaveLength(28);
    expect(lines.every((line) => line.length === 56)).toBe(true);
    expect(lines[0].slice(0, 4)).toBe('██▒▒');
    expect(lines[0].slice(54)).toBe('░░');
    expect(lines[1]).toBe(' '.repeat(56));
  });
});
