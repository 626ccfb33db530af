import { describe, expect, it } from 'vitest';
import { datasetLabels } from '../../src/data/labels.js';

describe('datasetLabels', () => {
  it('names MNIST classes by their digit', () => {
    expect(datasetLabels('mnist')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('names the ten Fashion-MNIST classes in label order', () => {
    const labels = datasetLabels('fashion');
    expect(labels).toHaveLength(10);
    expect(labels[0]).toBe('T-shirt/top');
    expect(labels[5]).toBe('Sandal');
    expect(labels[9]).toBe('Ankle boot');
  });
});
