import chalk from 'chalk';
import type { Command } from 'commander';
import { MnnError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { loadModel } from '../model/load.js';
import { seriesChart } from './chart.js';
import { action, printJson } from './output.js';
import { refuseOverwritingModel } from './report.js';
import { percent, typed } from './text.js';

interface PlotCommandOptions {
  output?: string;
  json?: boolean;
}

/** Size of each of the two charts in the SVG file. */
const SVG_CHART = { width: 460, height: 280 } as const;

const EXAMPLES = `
Examples:
  mnn plot                               loss and accuracy of models/model.json in the terminal
  mnn plot models/big.json -o curves.svg the same as an SVG image`;

/** Registers `mnn plot`. */
export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description(
      'plot a model’s training history: loss and accuracy curves, in the terminal or as SVG',
    )
    .argument('[model]', 'model file', 'models/model.json')
    .option('-o, --output <file>', 'write the curves as an SVG image instead of drawing them here')
    .option('--json', 'print the curves {model, x, loss, accuracy} as JSON on stdout')
    .addHelpText('after', EXAMPLES)
    .action(action(runPlot));
}

async function runPlot(modelPath: string, options: PlotCommandOptions): Promise<void> {
  if (options.output !== undefined) refuseOverwritingModel(options.output, modelPath);
  const model = loadModel(modelPath);
  const [{ trainingCurves }, { lineChartSvg, svgDocument }] = await Promise.all([
    import('../report/training.js'),
    import('../report/line-chart.js'),
  ]);
  const curves = model.training ? trainingCurves(model.training.history) : undefined;
  if (curves === undefined || curves.loss.length + curves.accuracy.length === 0) {
    throw new MnnError(
      `${modelPath} has no training history to plot; train it with \`${typed('train')}\`.`,
    );
  }
  if (options.json) {
    printJson({ model: modelPath, x: curves.xLabel, loss: curves.loss, accuracy: curves.accuracy });
    return;
  }
  if (options.output !== undefined) {
    const charts = [
      lineChartSvg({
        ...SVG_CHART,
        title: `Loss: ${modelPath}`,
        xLabel: curves.xLabel,
        yLabel: 'mean cross-entropy',
        curves: curves.loss,
      }),
      lineChartSvg({
        ...SVG_CHART,
        title: 'Accuracy',
        xLabel: curves.xLabel,
        yLabel: 'accuracy',
        curves: curves.accuracy,
        yRange: [0, 1],
        formatY: (value) => `${Math.round(value * 100)}%`,
      }),
    ];
    writeFileAtomic(options.output, svgDocument(charts, SVG_CHART.width, SVG_CHART.height));
    process.stdout.write(`curves written to ${chalk.bold(options.output)}\n`);
    return;
  }
  const charts = [
    seriesChart(curves.loss, curves.xLabel, {
      title: chalk.bold('loss (mean cross-entropy)'),
      height: 9,
      format: (value) => value.toFixed(3),
    }),
    seriesChart(curves.accuracy, curves.xLabel, {
      title: chalk.bold('accuracy'),
      height: 9,
      range: [0, 1],
      format: percent,
    }),
  ];
  process.stdout.write(`${charts.map((lines) => lines.join('\n')).join('\n\n')}\n`);
}
