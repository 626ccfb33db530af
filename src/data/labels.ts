/** The data sets mnn knows by name: each can be fetched and has its own class names. */
export const DATASET_NAMES = ['mnist', 'fashion'] as const;

/** A data set mnn knows by name. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** How each known data set is called in text for people. */
export const DATASET_TITLES: Readonly<Record<DatasetName, string>> = {
  mnist: 'MNIST',
  fashion: 'Fashion-MNIST',
};

const MNIST_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

// Class names in label order, as published with Fashion-MNIST (zalandoresearch/fashion-mnist).
const FASHION_LABELS = [
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
] as const;

/** The class names of a known data set, indexed by label (0–9). */
export function datasetLabels(name: DatasetName): readonly string[] {
  return name === 'fashion' ? FASHION_LABELS : MNIST_LABELS;
}

/** Whether two lists of class names are the same, in the same order. */
export function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, index) => label === b[index]);
}

/** The first class names for a message: "T-shirt/top, Trouser, Pullover, …". */
export function labelsInBrief(labels: readonly string[]): string {
  return labels.length <= 3 ? labels.join(', ') : `${labels.slice(0, 3).join(', ')}, …`;
}
