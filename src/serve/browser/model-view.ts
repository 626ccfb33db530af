import type { GalleryReply, ModelReply } from '../api.js';
import { element, fetchJson, make, ServerError } from './http.js';

/** The confusion cell whose images are open, kept across model updates. */
let openCell: { trueClass: number; predicted: number } | undefined;

/** Fetches the model view and puts it on the page; returns the reply. */
export async function refreshModel(): Promise<ModelReply> {
  const reply = await fetchJson<ModelReply>('/api/model');
  element('file').textContent = `${reply.file} · ${reply.status}`;
  const live = element('live');
  live.dataset.revision = String(reply.revision);
  if (live.dataset.state === 'live') {
    live.textContent = reply.loadedAt
      ? `live · version ${reply.revision}, loaded ${new Date(reply.loadedAt).toLocaleTimeString()}`
      : 'live · waiting for the model file';
  }
  const problem = element('problem');
  problem.hidden = reply.problem === undefined;
  problem.textContent =
    reply.problem === undefined
      ? ''
      : reply.revision > 0
        ? `${reply.problem} (still showing version ${reply.revision})`
        : reply.problem;
  if (!reply.view) {
    element('summary').replaceChildren(make('p', 'note', reply.problem ?? reply.status));
  } else {
    element('summary').innerHTML = reply.view.summary;
    element('curves').innerHTML = reply.view.curves;
    element('test').innerHTML = reply.view.test;
    element('weights').innerHTML = reply.view.weights;
    markOpenCell();
    if (openCell) await showGallery(openCell.trueClass, openCell.predicted);
  }
  return reply;
}

/** Opens the images of a confusion cell when it is clicked (cells are links to #cell-t-p). */
export function listenForCellClicks(): void {
  element('test').addEventListener('click', (event) => {
    const cell = (event.target as Element).closest('a.cell');
    if (!(cell instanceof SVGAElement)) return;
    event.preventDefault();
    openCell = { trueClass: Number(cell.dataset.true), predicted: Number(cell.dataset.predicted) };
    markOpenCell();
    void showGallery(openCell.trueClass, openCell.predicted).then(() =>
      element('gallery').scrollIntoView({ behavior: 'smooth', block: 'start' }),
    );
  });
}

function markOpenCell(): void {
  for (const cell of element('test').querySelectorAll('a.cell')) {
    const link = cell as SVGAElement;
    const selected =
      openCell !== undefined &&
      Number(link.dataset.true) === openCell.trueClass &&
      Number(link.dataset.predicted) === openCell.predicted;
    link.classList.toggle('selected', selected);
  }
}

async function showGallery(trueClass: number, predicted: number): Promise<void> {
  const gallery = element('gallery');
  try {
    const reply = await fetchJson<GalleryReply>(
      `/api/gallery?true=${trueClass}&predicted=${predicted}`,
    );
    gallery.innerHTML = reply.html;
  } catch (error) {
    if (!(error instanceof ServerError)) throw error;
    gallery.replaceChildren(make('p', 'note', error.message));
  }
}
