/** The injection hold-out fraction, shared by the training and evaluation scripts. */
export const INJECTION_HOLDOUT = 0.25;
