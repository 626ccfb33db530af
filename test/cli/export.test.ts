import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMnnOnnx } from '../../src/export/onnx.js';
import { saveModel } from '../../src/model/save.js';
import { runCli } from '../helpers/cli-process.js';
import { trainSmallModel } from '../helpers/trained-model.js';

let workspace: string;

/** A fresh directory inside the workspace holding a copy of the trained model as model.json. */
function folderWithModel(name: string): string {
  const folder = join(workspace, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'model.json'), readFileSync(join(workspace, 'model.json')));
  return folder;
}

/** Expects a failed run: the exit code, and one line on stderr matching `message`, nothing on stdout. */
function expectOneLineError(
  result: { code: number | null; stdout: string; stderr: string },
  code: number,
  message: RegExp,
): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(message);
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-cli-export-'));
  saveModel(join(workspace, 'model.json'), await trainSmallModel([784, 16, 10], 3));
});

describe('mnn export', () => {
  it('--help shows the formats, the defaults and examples; mnn --help lists export', async () => {
    const help = await runCli(['export', '--help'], workspace);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('onnx or tfjs (default: "onnx")');
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('mnn export --format tfjs -o web/model.json');
    expect((await runCli(['--help'], workspace)).stdout).toMatch(/export \[options\] \[model\]/);
  });

  it('writes MODEL.onnx by default and describes it in one JSON line with --json', async () => {
    const folder = folderWithModel('default-onnx');
    const result = await runCli(['export', 'model.json', '--json'], folder);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    const summary = JSON.parse(result.stdout);
    const bytes = readFileSync(join(folder, 'model.onnx'));
    expect(summary).toEqual({
      format: 'onnx',
      model: 'model.json',
      layers: [784, 16, 10],
      files: [{ path: 'model.onnx', bytes: bytes.length }],
    });
    expect(isMnnOnnx(bytes)).toBe(true);
  });

  it('writes a TF.js model.json and its weights, and may run again over its own export', async () => {
    const folder = folderWithModel('tfjs');
    for (let run = 0; run < 2; run++) {
      const result = await runCli(
        ['export', '--format', 'tfjs', '-o', 'web/model.json', 'model.json'],
        folder,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/exported model\.json \(784-16-10\) as TensorFlow\.js/);
      expect(result.stdout).toContain('web/model.weights.bin');
      expect(result.stdout).toContain('input: float32 [N, 784], pixels divided by 255');
    }
    expect(readdirSync(join(folder, 'web')).sort()).toEqual(['model.json', 'model.weights.bin']);
  });

  it('refuses to replace a file it did not write unless --force', async () => {
    const folder = folderWithModel('foreign');
    writeFileSync(join(folder, 'out.onnx'), 'keep me');
    const refused = await runCli(['export', 'model.json', '-o', 'out.onnx'], folder);
    expectOneLineError(
      refused,
      1,
      /out\.onnx already exists and was not written by mnn export.*--force/,
    );
    expect(readFileSync(join(folder, 'out.onnx'), 'utf8')).toBe('keep me');
    const forced = await runCli(['export', 'model.json', '-o', 'out.onnx', '--force'], folder);
    expect(forced.code).toBe(0);
    expect(isMnnOnnx(readFileSync(join(folder, 'out.onnx')))).toBe(true);
  });

  it('never writes over the model it exports, even with --force', async () => {
    const folder = folderWithModel('self');
    const before = readFileSync(join(folder, 'model.json'), 'utf8');
    const result = await runCli(['export', 'model.json', '-o', 'model.json', '--force'], folder);
    expectOneLineError(result, 2, /model\.json is the model being exported/);
    expect(readFileSync(join(folder, 'model.json'), 'utf8')).toBe(before);
  });

  it('says in one line what is wrong with a missing model, an unknown format or a bad path', async () => {
    const folder = folderWithModel('errors');
    expectOneLineError(
      await runCli(['export', 'missing.json'], folder),
      1,
      /model file missing\.json not found/,
    );
    const format = await runCli(['export', 'model.json', '--format', 'pt'], folder);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format must be one of onnx, tfjs; got "pt"/);
    expectOneLineError(
      await runCli(['export', 'model.json', '--format', 'tfjs', '-o', 'web/model.bin'], folder),
      2,
      /web\/model\.bin does not end in \.json/,
    );
    expectOneLineError(
      await runCli(['export', 'model.json', '-o', 'model.json/x.onnx'], folder),
      1,
      /cannot write model\.json\/x\.onnx: .* is a file, not a directory/,
    );
    expect(readdirSync(folder)).toEqual(['model.json']);
  });

  it('leaves nothing behind when one of the files cannot be written', async () => {
    const folder = folderWithModel('partial');
    mkdirSync(join(folder, 'web', 'model.weights.bin'), { recursive: true });
    const result = await runCli(
      ['export', 'model.json', '--format', 'tfjs', '-o', 'web/model.json'],
      folder,
    );
    expectOneLineError(result, 1, /cannot write web\/model\.weights\.bin: it is a directory/);
    expect(existsSync(join(folder, 'web', 'model.json'))).toBe(false);
    expect(readdirSync(join(folder, 'web'))).toEqual(['model.weights.bin']);
  });
});
