import { cellAnchor } from './confusion.js';
import { digitPng, pngDataUri } from './images.js';
import { escapeHtml } from './markup.js';
import type { TestResults } from './test-results.js';

/** Most images one gallery shows (a diagonal cell of full MNIST holds over a thousand). */
export const GALLERY_LIMIT = 500;

/** A heading that says which cell this is and how many images it holds. */
function galleryTitle(
  labels: readonly string[],
  trueClass: number,
  predicted: number,
  count: number,
): string {
  const images = `${count} test image${count === 1 ? '' : 's'}`;
  return trueClass === predicted
    ? `${images} of ${labels[trueClass]}, predicted correctly`
    : `${images} of ${labels[trueClass]}, predicted as ${labels[predicted]}`;
}

/**
 * The test images of one confusion cell (true class, predicted class), at most `limit` of them,
 * each drawn as the network saw it, in an element whose id is the cell's link target.
 */
export function galleryHtml(
  results: TestResults,
  labels: readonly string[],
  trueClass: number,
  predicted: number,
  limit = GALLERY_LIMIT,
): string {
  const indices = results.cells[trueClass]?.[predicted] ?? [];
  const shown = indices.slice(0, limit);
  const { imageWidth: width, imageHeight: height } = results;
  const images = shown.map(
    (index) =>
      `<img src="${pngDataUri(digitPng(results.image(index), width, height))}" width="${width * 2}" height="${height * 2}" alt="test image ${index}" title="test image ${index}">`,
  );
  const note =
    shown.length < indices.length
      ? `<p class="note">showing the first ${shown.length} of ${indices.length}</p>`
      : '';
  return (
    `<section class="gallery" id="${cellAnchor(trueClass, predicted)}" data-count="${indices.length}">` +
    `<h3>${escapeHtml(galleryTitle(labels, trueClass, predicted, indices.length))}</h3>${note}` +
    `<div class="digits">${images.join('')}</div></section>`
  );
}
