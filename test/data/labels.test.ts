import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, datasetLabels } from '../../src/data/labels.js';

describe('datasetLabels', () => {
  it('names MNIST classes by their digit, label i being "i"', () => {
    expect(datasetLabels('mnist')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('names the ten Fashion-MNIST classes in the published label order', () => {
    expect(datasetLabels('fashion')).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
  });

  it('gives every known data set ten distinct, non-empty names (one per output neuron)', () => {
    for (const name of DATASET_NAMES) {
      const labels = datasetLabels(name);
      expect(new Set(labels).size, name).toBe(10);
      expect(labels.every((label) => label.trim() !== ''), name).toBe(true);
    }
  });
});
