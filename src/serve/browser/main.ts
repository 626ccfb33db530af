import type { ModelEventData, PredictionReply } from '../api.js';
import { DrawPad } from './draw-pad.js';
import { element, fetchJson, ServerError } from './http.js';
import { listenForCellClicks, refreshModel } from './model-view.js';
import { showPrediction, showPredictionProblem } from './prediction-view.js';

/**
 * The page: a draw pad whose every change is predicted by the server (one request at a time,
 * always for the latest drawing), and a model view that follows the model file through
 * server-sent events.
 */

const prediction = element('prediction');
const save = element<HTMLAnchorElement>('save');
/** Bumped by every change of the drawing; a prediction is current when it matches. */
let drawing = 0;
let predicted = 0;
let predicting = false;
/** An opened image file, sent as it is (not as redrawn on the pad) until the next stroke. */
let openedFile: Blob | undefined;
let modelRevision = 0;

const pad = new DrawPad(element<HTMLCanvasElement>('pad'), () => {
  openedFile = undefined;
  drawingChanged();
});

function drawingChanged(): void {
  drawing++;
  prediction.dataset.state = 'busy';
  void predictLatest();
}

/** Sends the drawing until the answer shown is for the latest one. */
async function predictLatest(): Promise<void> {
  if (predicting) return;
  predicting = true;
  try {
    while (predicted < drawing) {
      const target = drawing;
      if (!pad.hasInk) {
        predicted = target;
        showPredictionProblem('Draw a digit to see what the network says.');
        prediction.dataset.state = 'empty';
        continue;
      }
      const image = openedFile ?? (await pad.toPng());
      offerDownload(image);
      try {
        const reply = await fetchJson<PredictionReply>('/api/predict', {
          method: 'POST',
          headers: { 'content-type': image.type || 'application/octet-stream' },
          body: image,
        });
        if (target === drawing) showPrediction(reply);
        prediction.dataset.revision = String(reply.revision);
        prediction.dataset.state = target === drawing ? 'current' : 'busy';
      } catch (error) {
        if (!(error instanceof ServerError)) throw error;
        showPredictionProblem(error.message);
        prediction.dataset.state = 'problem';
      }
      predicted = target;
    }
  } finally {
    predicting = false;
  }
}

/** Lets the user save the very image that was sent, to try it with `mnn predict`. */
function offerDownload(image: Blob): void {
  if (save.href) URL.revokeObjectURL(save.href);
  save.href = URL.createObjectURL(image);
  save.download = image instanceof File ? image.name : 'drawing.png';
  save.hidden = false;
}

async function openFile(file: File): Promise<void> {
  try {
    await pad.showImage(file);
  } catch {
    // The browser cannot show it; the server still says what it makes of the bytes.
    pad.clear();
    pad.hasInk = true;
  }
  openedFile = file;
  drawingChanged();
}

element('clear').addEventListener('click', () => {
  pad.clear();
  openedFile = undefined;
  save.hidden = true;
  drawingChanged();
});
element<HTMLInputElement>('upload').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void openFile(file);
});
const padElement = element('pad');
padElement.addEventListener('dragover', (event) => {
  event.preventDefault();
  padElement.classList.add('dropping');
});
padElement.addEventListener('dragleave', () => padElement.classList.remove('dropping'));
padElement.addEventListener('drop', (event) => {
  event.preventDefault();
  padElement.classList.remove('dropping');
  const file = event.dataTransfer?.files[0];
  if (file) void openFile(file);
});

/** Reloads the model view; a new version also re-predicts the drawing with it. */
async function followModel(): Promise<void> {
  const reply = await refreshModel();
  if (reply.revision !== modelRevision) {
    modelRevision = reply.revision;
    if (reply.predictProblem !== undefined) showPredictionProblem(reply.predictProblem);
    else if (pad.hasInk) drawingChanged();
  }
}

function listenForNewVersions(): void {
  const live = element('live');
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    live.dataset.state = 'live';
    void followModel();
  });
  events.addEventListener('model', (event) => {
    // Every event refreshes: a new version, or a problem with the file to show.
    const data = JSON.parse((event as MessageEvent<string>).data) as ModelEventData;
    live.dataset.event = String(data.revision);
    void followModel();
  });
  events.addEventListener('error', () => {
    live.dataset.state = 'offline';
    live.textContent = 'disconnected: is mnn serve still running?';
  });
}

listenForCellClicks();
listenForNewVersions();
