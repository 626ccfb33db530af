// The optimizer and schedule settings, one definition for the trainer (src/train) and the model
// file (src/model), which records them; docs/math.md "Beyond the paper" gives their equations.

/**
 * The update rule and its hyper-parameters: plain gradient descent, momentum (V), or AdamW (M, S);
 * weight decay applies to the weights W only, never to the biases b.
 */
export type OptimizerSettings =
  | { readonly kind: 'gd'; readonly weightDecay: number }
  | { readonly kind: 'momentum'; readonly momentum: number; readonly weightDecay: number }
  | {
      readonly kind: 'adam';
      readonly beta1: number;
      readonly beta2: number;
      readonly epsilon: number;
      readonly weightDecay: number;
    };

/** The learning-rate schedule α_t, with its warm-up in steps. */
export type ScheduleSettings =
  | { readonly kind: 'constant'; readonly warmup: number }
  | { readonly kind: 'cosine'; readonly lrMin: number; readonly warmup: number }
  | {
      readonly kind: 'step';
      readonly stepEvery: number;
      readonly gamma: number;
      readonly warmup: number;
    };
