import chalk from 'chalk';
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { Command } from 'commander';
import { loadModel } from '../model/load.js';
import type { ModelEvent } from '../serve/model-watch.js';
import { INTERRUPTED_EXIT_CODE, watchInterrupts } from './interrupt.js';
import { action, printJson } from './output.js';
import { integerOption } from './options.js';
import { typed } from './text.js';

interface ServeCommandOptions {
  host: string;
  port: number;
  open?: boolean;
  data?: string;
  json?: boolean;
}

/** Exit status after SIGTERM (128 + 15), as shells report it; SIGINT gives INTERRUPTED_EXIT_CODE. */
const TERMINATED_EXIT_CODE = 143;

const EXAMPLES = `
Examples:
  mnn serve                              the default model, on a free port of 127.0.0.1
  mnn serve models/big.json --port 8080
  mnn serve models/run.json & mnn train --out models/run.json
                                         watch a training run live (the page follows checkpoints)
  mnn serve --host 0.0.0.0               share it on your network (no login: anyone there can use it)`;

/** Registers `mnn serve`; the server's code is loaded only when the command runs. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve a local web page: draw digits for the model, look inside it, watch training live',
    )
    .argument(
      '[model]',
      'model file (if it does not exist yet, the page waits for it)',
      'models/model.json',
    )
    .option(
      '--host <address>',
      'address to listen on; anything but 127.0.0.1 or localhost exposes the page to the network',
      '127.0.0.1',
    )
    .option(
      '--port <n>',
      'port to listen on (0: any free port)',
      integerOption('--port', 0, 65535),
      0,
    )
    .option('--open', 'open the page in the default browser')
    .option(
      '--data <dir>',
      'test images for the confusion matrix: IDX directory, or packaged | mnist | fashion (default: the data the model was trained on)',
    )
    .option('--json', 'print {url, host, port, model} as JSON on stdout once listening')
    .addHelpText('after', EXAMPLES)
    .action(action(runServe));
}

async function runServe(modelPath: string, options: ServeCommandOptions): Promise<void> {
  // A file that exists must be a model now; a missing one may still be written by `mnn train`.
  if (existsSync(modelPath)) loadModel(modelPath);
  const [{ startServer }, { isLoopback }, { trainingProgress }, { testModelsOn }] =
    await Promise.all([
      import('../serve/server.js'),
      import('../serve/security.js'),
      import('../report/training.js'),
      import('./test-set.js'),
    ]);
  const log = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  const time = (): string => chalk.dim(new Date().toLocaleTimeString());
  const printEvent = (event: ModelEvent): void => {
    if (event.kind === 'loaded') {
      const { model } = event.version;
      const shape = model.parameters.layerSizes.join('-');
      log(`${time()} showing ${modelPath}: ${shape}, ${trainingProgress(model.training)}`);
    } else {
      process.stderr.write(`${time()} ${chalk.yellow(event.message)}\n`);
    }
  };
  // Events before the server listens (the first load) are told after the address.
  let early: ModelEvent[] | undefined = [];
  const server = await startServer({
    modelPath,
    host: options.host,
    port: options.port,
    testModel: testModelsOn(modelPath, options.data),
    onModelEvent: (event) => (early ? early.push(event) : printEvent(event)),
    onInternalError: (error) => {
      process.stderr.write(`${chalk.red('internal error (please report it):')}\n`);
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    },
  });
  // Listen for Ctrl-C before saying it stops the server.
  const stopped = stopOnSignal(server.close);
  if (options.json) {
    printJson({ url: server.url, host: options.host, port: server.port, model: modelPath });
  }
  log(`serving ${modelPath} at ${chalk.bold(server.url)}`);
  if (isLoopback(options.host)) {
    log(
      `only this computer can open it (listening on the loopback address ${options.host}); --host 0.0.0.0 would share it`,
    );
  } else {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.internal && address.family === 'IPv4')
      .map((address) => `http://${address?.address}:${server.port}/`);
    if (addresses.length > 0) log(`from other computers: ${addresses.join(', ')}`);
    process.stderr.write(
      `${chalk.yellow('warning:')} listening on ${options.host}: anyone who can reach this computer on port ${server.port} can open the page, see the model and send it images; there is no login. Use it only on a network you trust.\n`,
    );
  }
  log(
    `the page follows ${modelPath} as it changes (e.g. checkpoints of ${typed(`train --out ${modelPath}`)})`,
  );
  log('press Ctrl-C to stop');
  early.forEach(printEvent);
  early = undefined;
  if (options.open) await openBrowser(server.url);
  await stopped;
}

/** Waits for Ctrl-C (or SIGTERM), then stops the server cleanly; a second signal quits at once. */
function stopOnSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const interrupts = watchInterrupts({
      onFirst: (signal) => {
        process.exitCode = signal === 'SIGTERM' ? TERMINATED_EXIT_CODE : INTERRUPTED_EXIT_CODE;
        close().then(() => {
          interrupts.dispose();
          process.stderr.write('server stopped\n');
          resolve();
        }, reject);
      },
      onSecond: () => process.exit(INTERRUPTED_EXIT_CODE),
    });
  });
}

/** Opens a URL with the system's browser launcher, saying so if there is none. */
async function openBrowser(url: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () =>
    process.stderr.write(
      `could not open a browser (${command} is missing); open ${url} yourself\n`,
    ),
  );
  child.unref();
}
