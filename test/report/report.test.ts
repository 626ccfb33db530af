import { describe, expect, it } from 'vitest';
import { renderReport, REPORT_IMAGES_PER_CELL } from '../../src/report/report.js';
import { confusionWith, fakeTestResults, randomDigitModel, trainingAt } from '../helpers/models.js';

/** Every URL-like reference in a document: src/href attribute values and url(…) in styles. */
function references(html: string): string[] {
  return [
    ...[...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]),
    ...[...html.matchAll(/url\(([^)]*)\)/g)].map((match) => match[1]),
  ];
}

describe('renderReport', () => {
  const model = randomDigitModel([784, 8, 10], trainingAt(100));
  const results = fakeTestResults(confusionWith(20, { '4-9': 3, '7-1': 70, '2-3': 1 }));
  const html = renderReport({
    model,
    modelName: 'models/<m>.json',
    results,
    generatedBy: 'mnn test',
    generatedAt: '2024-01-01',
  });

  it('is one self-contained file: no external URL, images inline, a policy forbidding fetches', () => {
    const withoutImages = html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]*/g, '');
    expect(withoutImages.match(/[a-z]+:\/\/|\/\/[a-z0-9]/gi) ?? []).toEqual([]);
    const refs = references(html);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toMatch(/^(data:image\/png;base64,|#)/);
    expect(html).toContain(
      `content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`,
    );
    expect(html).not.toContain('<script');
  });

  it('shows each mistake cell’s images (up to the per-cell limit) under the cell’s link target', () => {
    for (const [cell, count] of [
      ['4-9', 3],
      ['7-1', 70],
      ['2-3', 1],
    ] as const) {
      const section = new RegExp(
        `<section class="gallery" id="cell-${cell}" data-count="${count}">(.*?)</section>`,
      ).exec(html);
      expect(section).not.toBeNull();
      expect(section?.[1].match(/<img /g)).toHaveLength(Math.min(count, REPORT_IMAGES_PER_CELL));
      expect(html).toContain(`href="#cell-${cell}"`);
    }
    // Right answers are not linked in a report: only the mistakes have galleries.
    expect(html).not.toContain('href="#cell-4-4"');
  });

  it('has the curves, the weights of every unit, and escapes names', () => {
    expect(html.match(/<polyline /g)).toHaveLength(3);
    expect(html.match(/alt="weights of unit \d+"/g)).toHaveLength(8);
    expect(html).toContain('mnn report: models/&lt;m&gt;.json');
  });

  it('says why when there are no test results', () => {
    const without = renderReport({
      model,
      modelName: 'm.json',
      results: { unavailable: 'No test results: data/mnist is missing.' },
      generatedBy: 'mnn test',
      generatedAt: '2024-01-01',
    });
    expect(without).toContain('No test results: data/mnist is missing.');
    expect(without).not.toContain('id="mistakes"');
  });
});
