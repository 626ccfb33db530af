import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { saveModel } from '../../src/model/save.js';
import { predictImageBytes } from '../../src/predict/predict.js';
import { digitPng } from '../../src/report/images.js';
import type { ModelReply, PredictionReply } from '../../src/serve/api.js';
import type { ModelEvent } from '../../src/serve/model-watch.js';
import { MAX_BODY_BYTES } from '../../src/serve/security.js';
import { startServer, type ModelServer } from '../../src/serve/server.js';
import { testDigits } from '../helpers/digit-images.js';
import { confusionWith, fakeTestResults, randomDigitModel, trainingAt } from '../helpers/models.js';

/** What the server answered. */
interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface RawRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
}

let workspace: string;
let modelPath: string;
let server: ModelServer;
const events: ModelEvent[] = [];
const model = randomDigitModel([784, 12, 10], trainingAt(50));
const results = fakeTestResults(confusionWith(5, { '4-9': 3, '7-1': 2 }));
/** A test-set "7" as a PNG, ink dark on white like a drawing. */
let sevenPng: Uint8Array;

/** Sends a request exactly as given (raw path, any Host header) to the server under test. */
function send(path: string, options: RawRequest = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${server.port}`, ...options.headers },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Sends bytes over a plain socket and returns everything the server answers. */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(server.port, '127.0.0.1', () => socket.end(text));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function predict(body: Uint8Array): Promise<Answer> {
  return send('/api/predict', {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body,
  });
}

/** Waits until `condition` holds, checking every 20 ms. */
async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-serve-'));
  modelPath = join(workspace, 'model.json');
  saveModel(modelPath, model);
  sevenPng = digitPng(testDigits(8)[7].pixels, 28, 28);
  server = await startServer({
    modelPath,
    host: '127.0.0.1',
    port: 0,
    testModel: () => results,
    pollIntervalMs: 50,
    onModelEvent: (event) => events.push(event),
  });
});

afterAll(async () => {
  await server?.close();
});

describe('mnn serve: what it serves', () => {
  it('serves the page, its style and script with a policy that allows no other origin', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/style.css', 'text/css'],
      ['/page.js', 'text/javascript'],
    ]) {
      const answer = await send(path);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toContain(type);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      const policy = answer.headers['content-security-policy'] ?? '';
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toMatch(/https?:|\*|unsafe/);
    }
    const page = (await send('/')).body;
    expect(page.match(/(?:src|href)="([^"]*)"/g)).toEqual([
      'href="data:,"',
      'href="/style.css"',
      'src="/page.js"',
    ]);
  });

  it('describes the model: status, test results and weights as HTML fragments', async () => {
    const reply = JSON.parse((await send('/api/model')).body) as ModelReply;
    expect(reply.revision).toBe(1);
    expect(reply.status).toBe('784-12-10, iteration 50 of 100, checkpoint (training goes on)');
    expect(reply.view?.test).toContain('data-true="4" data-predicted="9"');
    expect(reply.view?.weights.match(/<img /g)).toHaveLength(12);
    expect(reply.view?.curves.match(/<polyline /g)).toHaveLength(3);
  });

  it('shows the test images of a confusion cell, and refuses cells that do not exist', async () => {
    const answer = await send('/api/gallery?true=4&predicted=9');
    expect(answer.status).toBe(200);
    const gallery = JSON.parse(answer.body) as { count: number; html: string };
    expect(gallery.count).toBe(3);
    expect(gallery.html.match(/<img /g)).toHaveLength(3);
    for (const query of ['true=10&predicted=0', 'true=-1&predicted=0', 'true=a&predicted=1', '']) {
      expect((await send(`/api/gallery?${query}`)).status).toBe(400);
    }
  });

  it('predicts an image exactly as `mnn predict` does, with every layer’s activations', async () => {
    const answer = await predict(sevenPng);
    expect(answer.status).toBe(200);
    const reply = JSON.parse(answer.body) as PredictionReply;
    const expected = predictImageBytes(model, sevenPng, 'seven.png');
    expect(reply.probabilities).toEqual(expected.probabilities);
    expect(reply.prediction).toBe(expected.prediction);
    expect(reply.pixels).toEqual(Array.from(expected.pixels));
    expect(reply.layers.map((layer) => layer.values.length)).toEqual([12, 10]);
    expect(reply.layers[1].values).toEqual(expected.probabilities);
  });
});

describe('mnn serve: refusals (the server stays up)', () => {
  it('refuses requests for another Host (DNS rebinding) and posts from other sites', async () => {
    for (const host of [
      `evil.example:${server.port}`,
      `127.0.0.1.nip.io:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      '127.0.0.1',
    ]) {
      const answer = await send('/api/model', { headers: { host } });
      expect(answer.status, host).toBe(403);
      expect(answer.body).not.toContain('view');
    }
    expect((await send('/', { headers: { host: `localhost:${server.port}` } })).status).toBe(200);
    expect(await rawRequest('GET /api/model HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 403/);
    const crossSite = await send('/api/predict', {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
      body: sevenPng,
    });
    expect(crossSite.status).toBe(403);
  });

  it('lets no path reach the file system', async () => {
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/package.json',
      '/page.js/../../package.json',
      '/..%2f..%2fpackage.json',
      '//etc/passwd',
      '/style.css%00.js',
      '/dist/serve/browser/page.js',
      '/src/serve/server.ts',
      '/model.json',
    ]) {
      const answer = await send(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toMatch(/root:|"dependencies"|weights/);
    }
  });

  it('refuses bodies over the limit, declared or streamed, without reading them', async () => {
    const declared = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/predict',
          method: 'POST',
          headers: {
            host: `127.0.0.1:${server.port}`,
            'content-length': String(MAX_BODY_BYTES + 1),
          },
        },
        (response) => resolve(response.statusCode ?? 0),
      );
      request.on('error', reject);
      request.write(Buffer.alloc(1024));
    });
    expect(declared).toBe(413);
    const streamed = await send('/api/predict', {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: new Uint8Array(MAX_BODY_BYTES + 100),
    }).catch(() => undefined);
    // The server may close the connection before the client finishes sending; either way no 200.
    expect(streamed?.status ?? 413).toBe(413);
    expect((await send('/api/model')).status).toBe(200);
  });

  it('answers what is wrong with uploads that are not usable images', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [Buffer.from('shopping list: eggs, milk'), /is not a PNG or JPEG image/],
      [new Uint8Array(0), /empty/],
      [sevenPng.subarray(0, 60), /PNG/],
      [digitPng(new Uint8Array(784), 28, 28), /no digit found/],
      [Buffer.from('GIF89a\x1c\x00\x1c\x00\x00\x00\x00;'), /GIF/],
    ];
    for (const [body, message] of cases) {
      const answer = await predict(body);
      expect(answer.status).toBe(422);
      expect((JSON.parse(answer.body) as { error: string }).error).toMatch(message);
    }
  });

  it('answers 200 predictions in parallel, all alike', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => predict(sevenPng)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(200).fill(200));
    const predictions = new Set(
      answers.map((answer) => (JSON.parse(answer.body) as PredictionReply).prediction),
    );
    expect(predictions.size).toBe(1);
    expect((await send('/api/model')).status).toBe(200);
  });
});

describe('mnn serve: following the model file', () => {
  it('sends an event and shows the new version when the file is replaced', async () => {
    const received: string[] = [];
    const stream = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      path: '/api/events',
      headers: { host: `127.0.0.1:${server.port}` },
    });
    stream.on('response', (response) =>
      response.on('data', (chunk: Buffer) => received.push(chunk.toString())),
    );
    stream.end();
    await eventually(() => received.join('').includes('retry:'));
    saveModel(modelPath, randomDigitModel([784, 12, 10], trainingAt(60)));
    await eventually(() => received.join('').includes('event: model\ndata: {"revision":2}'));
    const reply = JSON.parse((await send('/api/model')).body) as ModelReply;
    expect(reply.revision).toBe(2);
    expect(reply.status).toContain('iteration 60 of 100');
    stream.destroy();
  });

  it('keeps showing the last good version when the file becomes unreadable', async () => {
    writeFileSync(modelPath, '{"format": "mnn-model", "vers');
    await eventually(() => events.some((event) => event.kind === 'problem'));
    const reply = JSON.parse((await send('/api/model')).body) as ModelReply;
    expect(reply.revision).toBe(2);
    expect(reply.problem).toMatch(/not a model file/);
    expect((await predict(sevenPng)).status).toBe(200);
    saveModel(modelPath, randomDigitModel([784, 12, 10], trainingAt(70)));
    await eventually(
      async () => (JSON.parse((await send('/api/model')).body) as ModelReply).revision === 3,
    );
  });

  it('waits for a model file that does not exist yet', async () => {
    const later = join(workspace, 'later.json');
    const waiting = await startServer({
      modelPath: later,
      host: '127.0.0.1',
      port: 0,
      pollIntervalMs: 50,
    });
    try {
      const ask = async (path: string, init?: RequestInit) =>
        fetch(new URL(path, waiting.url), init);
      const first = (await (await ask('api/model')).json()) as ModelReply;
      expect(first.revision).toBe(0);
      expect(first.problem).toMatch(/does not exist \(yet\)/);
      expect((await ask('api/predict', { method: 'POST', body: sevenPng })).status).toBe(503);
      saveModel(later, model);
      await eventually(
        async () => ((await (await ask('api/model')).json()) as ModelReply).revision === 1,
      );
      expect((await ask('api/predict', { method: 'POST', body: sevenPng })).status).toBe(200);
    } finally {
      await waiting.close();
    }
  });

  it('shows a model that cannot read 28×28 digits, and says why drawings are refused', async () => {
    const widePath = join(workspace, 'wide.json');
    saveModel(widePath, {
      ...model,
      parameters: randomDigitModel([100, 10]).parameters,
      input: { width: 10, height: 10, scale: 255 },
    });
    const wide = await startServer({ modelPath: widePath, host: '127.0.0.1', port: 0 });
    try {
      const reply = (await (await fetch(new URL('api/model', wide.url))).json()) as ModelReply;
      expect(reply.predictProblem).toMatch(/takes 100 inputs/);
      expect(reply.view?.weights.match(/<img /g)).toHaveLength(10);
      const refused = await fetch(new URL('api/predict', wide.url), {
        method: 'POST',
        body: sevenPng,
      });
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as { error: string }).error).toMatch(/takes 100 inputs/);
    } finally {
      await wide.close();
    }
  });

  it('says so when the port is taken', async () => {
    await expect(
      startServer({ modelPath, host: '127.0.0.1', port: server.port }),
    ).rejects.toThrowError(MnnError);
    await expect(
      startServer({ modelPath, host: '127.0.0.1', port: server.port }),
    ).rejects.toThrowError(/cannot serve on 127\.0\.0\.1:\d+: the port is already in use/);
  });
});
